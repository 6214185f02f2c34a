/* SPDX-License-Identifier: GPL-2.0 */
/* Keywords for the enums of the kgate ABI, shared by parsers and printers. */
#ifndef KGATE_NAMES_H
#define KGATE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct kgate_name {
	const char *name;
	unsigned int value;
};

/* Tables end with a { NULL, 0 } entry. */
extern const struct kgate_name kgate_sched_names[];	/* maglev rr */
extern const struct kgate_name kgate_affinity_names[];	/* none clientip */
extern const struct kgate_name kgate_policy_names[];	/* cluster local */
extern const struct kgate_name kgate_kind_names[];	/* cluster external ... */
extern const struct kgate_name kgate_state_names[];	/* ready serving ... */
extern const struct kgate_name kgate_proto_names[];	/* tcp udp sctp */
extern const struct kgate_name kgate_mode_names[];	/* http tls-... */
extern const struct kgate_name kgate_route_kind_names[]; /* ingress ... */
extern const struct kgate_name kgate_path_type_names[];	/* prefix exact impl */
extern const struct kgate_name kgate_pathmod_names[];	/* full prefix */

/* Name of @value, or NULL when the table has none. */
const char *kgate_name_of(const struct kgate_name *table, unsigned int value);
/* Look @name up; true and *@value set when found. */
bool kgate_value_of(const struct kgate_name *table, const char *name,
		    unsigned int *value);
/* "a, b or c" into @buf (always NUL-terminated). */
void kgate_names_list(const struct kgate_name *table, char *buf, size_t len);

#endif

// SPDX-License-Identifier: GPL-2.0
/* Keyword tables for the kgate enums. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgate_names.h"

const struct kgate_name kgate_sched_names[] = {
	{ "maglev", KGATE_SCHED_MAGLEV },
	{ "rr", KGATE_SCHED_RR },
	{ NULL, 0 },
};

const struct kgate_name kgate_affinity_names[] = {
	{ "none", KGATE_AFFINITY_NONE },
	{ "clientip", KGATE_AFFINITY_CLIENTIP },
	{ NULL, 0 },
};

const struct kgate_name kgate_policy_names[] = {
	{ "cluster", KGATE_POLICY_CLUSTER },
	{ "local", KGATE_POLICY_LOCAL },
	{ NULL, 0 },
};

const struct kgate_name kgate_kind_names[] = {
	{ "cluster", KGATE_FE_CLUSTER },
	{ "external", KGATE_FE_EXTERNAL },
	{ "loadbalancer", KGATE_FE_LOADBALANCER },
	{ "nodeport", KGATE_FE_NODEPORT },
	{ NULL, 0 },
};

const struct kgate_name kgate_state_names[] = {
	{ "ready", KGATE_BE_READY },
	{ "serving", KGATE_BE_SERVING },
	{ "terminating", KGATE_BE_TERMINATING },
	{ NULL, 0 },
};

const struct kgate_name kgate_proto_names[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "sctp", IPPROTO_SCTP },
	{ NULL, 0 },
};

const struct kgate_name kgate_mode_names[] = {
	{ "http", KGATE_MODE_HTTP },
	{ "tls-terminate", KGATE_MODE_TLS_TERMINATE },
	{ "tls-passthrough", KGATE_MODE_TLS_PASSTHROUGH },
	{ NULL, 0 },
};

const struct kgate_name kgate_route_kind_names[] = {
	{ "ingress", KGATE_ROUTE_INGRESS },
	{ "httproute", KGATE_ROUTE_HTTPROUTE },
	{ NULL, 0 },
};

const struct kgate_name kgate_path_type_names[] = {
	{ "prefix", KGATE_PATH_PREFIX },
	{ "exact", KGATE_PATH_EXACT },
	{ "impl", KGATE_PATH_IMPL },
	{ NULL, 0 },
};

/* KGATE_PATHMOD_NONE is what leaving the path out means: no keyword. */
const struct kgate_name kgate_pathmod_names[] = {
	{ "full", KGATE_PATHMOD_FULL },
	{ "prefix", KGATE_PATHMOD_PREFIX },
	{ NULL, 0 },
};

const char *kgate_name_of(const struct kgate_name *table, unsigned int value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}

bool kgate_value_of(const struct kgate_name *table, const char *name,
		    unsigned int *value)
{
	for (; table->name; table++) {
		if (!strcmp(table->name, name)) {
			*value = table->value;
			return true;
		}
	}
	return false;
}

void kgate_names_list(const struct kgate_name *table, char *buf, size_t len)
{
	size_t n = 0, used = 0;
	const struct kgate_name *t;

	for (t = table; t->name; t++)
		n++;
	buf[0] = '\0';
	for (t = table; t->name && used < len; t++) {
		size_t i = (size_t)(t - table);
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, t->name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

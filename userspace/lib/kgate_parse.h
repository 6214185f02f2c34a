/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text to object model: numbers, addresses, "ADDR:PORT[/PROTO]" endpoints
 * (IPv6 in brackets) and "ADDR[/LEN]" prefixes.
 *
 * The parsers check syntax and the width of the wire type only (a port
 * fits in 16 bits, a prefix length in 8); ranges and meaning are for the
 * kernel to judge.  On failure they return -EINVAL or -ERANGE and, when
 * @why is given, a short reason such as: invalid port "99999".
 */
#ifndef KGATE_PARSE_H
#define KGATE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kgate_model.h"

/* Plain decimal, no sign, no blanks: 0..max. */
int kgate_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* IPv4 dotted quad or IPv6 without brackets. */
int kgate_parse_addr(const char *s, struct kgate_addr *addr);

struct kgate_endpoint {
	struct kgate_addr addr;
	uint16_t port;
	uint8_t proto;		/* IPPROTO_TCP unless given */
	bool has_proto;
};

/* Flags for kgate_parse_endpoint() */
#define KGATE_EP_PROTO		(1U << 0)	/* "/PROTO" suffix allowed */
#define KGATE_EP_OPT_ADDR	(1U << 1)	/* "PORT" alone means 0.0.0.0 */

int kgate_parse_endpoint(const char *s, unsigned int flags,
			 struct kgate_endpoint *ep, char *why, size_t whylen);
/* "tcp", "udp" or "sctp", in any case ("TCP" as Kubernetes writes it). */
int kgate_parse_proto(const char *s, uint8_t *proto, char *why,
		      size_t whylen);
/* "ADDR/LEN" or "ADDR" (full length). */
int kgate_parse_prefix(const char *s, struct kgate_range *r, char *why,
		       size_t whylen);

#endif

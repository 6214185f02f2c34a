// SPDX-License-Identifier: GPL-2.0
/* Parsing of numbers, addresses, endpoints and prefixes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "kgate_names.h"
#include "kgate_parse.h"

/* Longest address text we accept, with room to spare. */
#define ADDR_TEXT_MAX	64

static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

int kgate_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned int)(*s - '0');
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int kgate_parse_addr(const char *s, struct kgate_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, addr->bytes) == 1) {
		addr->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr->bytes) == 1) {
		addr->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* Copy s[0..n) into buf; -EINVAL if it does not fit. */
static int copy_part(char *buf, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static int parse_port(const char *s, uint16_t *port, char *why, size_t whylen)
{
	uint64_t v;

	if (!*s)
		return fail(-EINVAL, why, whylen, "missing port");
	if (kgate_parse_uint(s, UINT16_MAX, &v))
		return fail(-EINVAL, why, whylen, "invalid port \"%s\"", s);
	*port = (uint16_t)v;
	return 0;
}

int kgate_parse_proto(const char *s, uint8_t *proto, char *why,
		      size_t whylen)
{
	const struct kgate_name *t;
	char list[64];

	/* "TCP" as Kubernetes writes it, "tcp" as iproute2 does */
	for (t = kgate_proto_names; t->name; t++) {
		if (!strcasecmp(t->name, s)) {
			*proto = (uint8_t)t->value;
			return 0;
		}
	}
	kgate_names_list(kgate_proto_names, list, sizeof(list));
	return fail(-EINVAL, why, whylen,
		    "unknown protocol \"%s\" (expected %s)", s, list);
}

/*
 * Split "ADDR:PORT" / "[ADDR6]:PORT" at the port: @addr gets the address
 * text, *@port_text points into @s.
 */
static int split_host_port(const char *s, char *addr, size_t addrlen,
			   const char **port_text, char *why, size_t whylen)
{
	const char *colon;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return fail(-EINVAL, why, whylen, "missing \"]\"");
		if (copy_part(addr, addrlen, s + 1, (size_t)(end - s - 1)))
			return fail(-EINVAL, why, whylen,
				    "invalid address \"%.*s\"",
				    (int)(end - s - 1), s + 1);
		if (end[1] != ':')
			return fail(-EINVAL, why, whylen,
				    "expected \":PORT\" after \"]\"");
		*port_text = end + 2;
		return 0;
	}
	colon = strchr(s, ':');
	if (!colon)
		return fail(-EINVAL, why, whylen, "missing \":PORT\"");
	if (strchr(colon + 1, ':'))
		return fail(-EINVAL, why, whylen,
			    "an IPv6 address needs brackets, as in [fd00::1]:80");
	if (colon == s)
		return fail(-EINVAL, why, whylen, "missing address");
	if (copy_part(addr, addrlen, s, (size_t)(colon - s)))
		return fail(-EINVAL, why, whylen, "invalid address \"%.*s\"",
			    (int)(colon - s), s);
	*port_text = colon + 1;
	return 0;
}

int kgate_parse_endpoint(const char *s, unsigned int flags,
			 struct kgate_endpoint *ep, char *why, size_t whylen)
{
	char addr[ADDR_TEXT_MAX], port[16];
	const char *port_text = s, *slash;
	size_t port_len;
	int err;

	memset(ep, 0, sizeof(*ep));
	ep->proto = IPPROTO_TCP;

	if ((flags & KGATE_EP_OPT_ADDR) && *s != '[' && !strchr(s, ':')) {
		ep->addr.family = AF_INET;	/* 0.0.0.0 */
		port_text = s;
	} else {
		err = split_host_port(s, addr, sizeof(addr), &port_text, why,
				      whylen);
		if (err)
			return err;
		if (kgate_parse_addr(addr, &ep->addr) ||
		    (*s == '[' && ep->addr.family != AF_INET6))
			return fail(-EINVAL, why, whylen,
				    "invalid address \"%s\"", addr);
	}

	slash = (flags & KGATE_EP_PROTO) ? strchr(port_text, '/') : NULL;
	port_len = slash ? (size_t)(slash - port_text) : strlen(port_text);
	if (copy_part(port, sizeof(port), port_text, port_len))
		return fail(-EINVAL, why, whylen, "invalid port \"%.*s\"",
			    (int)port_len, port_text);
	err = parse_port(port, &ep->port, why, whylen);
	if (err)
		return err;
	if (slash) {
		err = kgate_parse_proto(slash + 1, &ep->proto, why, whylen);
		if (err)
			return err;
		ep->has_proto = true;
	}
	return 0;
}

int kgate_parse_prefix(const char *s, struct kgate_range *r, char *why,
		       size_t whylen)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[ADDR_TEXT_MAX];
	uint64_t plen;

	memset(r, 0, sizeof(*r));
	if (copy_part(addr, sizeof(addr), s, alen) ||
	    kgate_parse_addr(addr, &r->addr))
		return fail(-EINVAL, why, whylen, "invalid address \"%.*s\"",
			    (int)alen, s);
	if (!slash) {
		r->plen = r->addr.family == AF_INET ? 32 : 128;
		return 0;
	}
	if (kgate_parse_uint(slash + 1, UINT8_MAX, &plen))
		return fail(-EINVAL, why, whylen,
			    "invalid prefix length \"%s\"", slash + 1);
	r->plen = (uint8_t)plen;
	return 0;
}

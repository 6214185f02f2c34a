// SPDX-License-Identifier: GPL-2.0
/* Formatting of addresses, endpoints, prefixes and protocols. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "kgate_format.h"
#include "kgate_names.h"

const char *kgate_addr_str(const struct kgate_addr *a, char *buf, size_t len)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *kgate_endpoint_str(const struct kgate_addr *a, uint16_t port,
			       char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	kgate_addr_str(a, addr, sizeof(addr));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", addr, port);
	else
		snprintf(buf, len, "%s:%u", addr, port);
	return buf;
}

const char *kgate_prefix_str(const struct kgate_range *r, char *buf,
			     size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", kgate_addr_str(&r->addr, addr,
						   sizeof(addr)), r->plen);
	return buf;
}

const char *kgate_proto_str(uint8_t proto, char *buf, size_t len)
{
	const char *name = kgate_name_of(kgate_proto_names, proto);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", proto);
	return buf;
}

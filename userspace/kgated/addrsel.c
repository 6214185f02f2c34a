// SPDX-License-Identifier: GPL-2.0
/*
 * Which addresses go on kgated's link: those the node must answer for
 * because nothing else in the network will, LoadBalancer IPs and listener
 * addresses, and only inside the ranges the configuration gives kgated
 * (addresses.own), so that a manifest can never take an address the node
 * has no business holding.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgated.h"

void kgd_addrs_free(struct kgd_addrs *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

bool kgd_addr_in(const struct kgate_addr *a, const struct kgate_range *r)
{
	unsigned int full = r->plen / 8, rest = r->plen % 8;
	uint8_t mask;

	if (a->family != r->addr.family || r->plen > kgate_addr_len(a) * 8)
		return false;
	if (memcmp(a->bytes, r->addr.bytes, full))
		return false;
	if (!rest)
		return true;
	mask = (uint8_t)(0xff00 >> rest);
	return (a->bytes[full] & mask) == (r->addr.bytes[full] & mask);
}

bool kgd_addr_in_any(const struct kgate_addr *a, const struct kgate_range *own,
		     size_t n_own)
{
	size_t i;

	for (i = 0; i < n_own; i++)
		if (kgd_addr_in(a, &own[i]))
			return true;
	return false;
}

static int addr_cmp(const void *pa, const void *pb)
{
	const struct kgate_addr *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static int push(struct kgd_addrs *out, size_t *cap,
		const struct kgate_addr *a)
{
	struct kgate_addr *v;

	if (out->n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		v = realloc(out->v, *cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		out->v = v;
	}
	/* unused bytes zeroed: one address, one representation */
	memset(&out->v[out->n], 0, sizeof(*a));
	out->v[out->n].family = a->family;
	memcpy(out->v[out->n].bytes, a->bytes, kgate_addr_len(a));
	out->n++;
	return 0;
}

/* Sort and drop duplicates. */
static void uniq(struct kgd_addrs *out)
{
	size_t i, n = 0;

	if (!out->n)
		return;
	qsort(out->v, out->n, sizeof(*out->v), addr_cmp);
	for (i = 1; i < out->n; i++)
		if (addr_cmp(&out->v[n], &out->v[i]))
			out->v[++n] = out->v[i];
	out->n = n + 1;
}

int kgd_addrs_wanted(const struct kgate_state *st,
		     const struct kgate_range *own, size_t n_own,
		     struct kgd_addrs *out)
{
	size_t i, j, cap = 0;
	int err = 0;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < st->n_svcs && !err; i++) {
		const struct kgate_service *s = &st->svcs[i];

		for (j = 0; j < s->n_frontends && !err; j++) {
			const struct kgate_frontend *fe = &s->frontends[j];

			if (fe->kind == KGATE_FE_LOADBALANCER &&
			    kgd_addr_in_any(&fe->addr, own, n_own))
				err = push(out, &cap, &fe->addr);
		}
	}
	for (i = 0; i < st->n_lis && !err; i++)
		if (st->lis[i].addr.family &&
		    kgd_addr_in_any(&st->lis[i].addr, own, n_own))
			err = push(out, &cap, &st->lis[i].addr);
	if (err) {
		kgd_addrs_free(out);
		return err;
	}
	uniq(out);
	return 0;
}

/* Global unicast: not loopback, link-local, unspecified or multicast. */
static bool global(const struct kgate_addr *a)
{
	const uint8_t *b = a->bytes;
	static const uint8_t v6_loop[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return b[0] != 127 && b[0] != 0 && !(b[0] == 169 && b[1] == 254) &&
		       b[0] < 224;
	return memcmp(b, v6_loop, 16) && b[0] != 0xff &&
	       !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80) &&
	       memcmp(b, (const uint8_t[16]){ 0 }, 16);
}

/* The node's global addresses, from its interfaces. */
static int node_addrs(struct kgd_addrs *out)
{
	struct ifaddrs *ifa, *i;
	size_t cap = 0;
	int err = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; !err && i; i = i->ifa_next) {
		struct kgate_addr a = { 0 };

		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = AF_INET;
			memcpy(a.bytes, &((struct sockaddr_in *)(void *)
					  i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = AF_INET6;
			memcpy(a.bytes, &((struct sockaddr_in6 *)(void *)
					  i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		if (global(&a))
			err = push(out, &cap, &a);
	}
	freeifaddrs(ifa);
	return err;
}

int kgd_addrs_status(const struct kgd_config *c, struct kgd_addrs *out)
{
	size_t cap = 0, i;
	int err = 0;

	out->v = NULL;
	out->n = 0;
	for (i = 0; !err && i < c->api.n_status_addrs; i++)
		err = push(out, &cap, &c->api.status_addrs[i]);
	if (!err && !c->api.n_status_addrs && c->ingress_addr.family)
		err = push(out, &cap, &c->ingress_addr);
	else if (!err && !c->api.n_status_addrs)
		err = node_addrs(out);
	if (err) {
		kgd_addrs_free(out);
		return err;
	}
	uniq(out);
	return 0;
}

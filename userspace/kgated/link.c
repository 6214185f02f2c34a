// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's dummy link and its addresses, with libnl-route-3.  The node
 * answers for a LoadBalancer IP only if it holds it; a dummy link is where
 * such addresses live without touching real interfaces.  kgated's
 * addresses are those on the link inside addresses.own, whoever put them
 * there: after a restart (even a SIGKILL) it adopts what it left.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "kgated.h"

struct kgd_link {
	struct nl_sock *sk;
	int ifindex;
	bool created;		/* by this kgated: deleted when it stops */
	char name[IFNAMSIZ];
	struct kgate_range *own;
	size_t n_own;
};

static int nl_fail(char *why, size_t whylen, const char *what, int err)
{
	snprintf(why, whylen, "%s: %s", what, nl_geterror(err));
	return err == -NLE_NOMEM ? -ENOMEM : -EIO;
}

static int create(struct kgd_link *l, char *why, size_t whylen)
{
	struct rtnl_link *nl = rtnl_link_alloc();
	int err;

	if (!nl)
		return -ENOMEM;
	rtnl_link_set_name(nl, l->name);
	err = rtnl_link_set_type(nl, "dummy");
	if (!err)
		err = rtnl_link_add(l->sk, nl, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(nl);
	if (err)
		return nl_fail(why, whylen, "creating the dummy link", err);
	l->created = true;
	return 0;
}

static int set_up(struct kgd_link *l, struct rtnl_link *cur, char *why,
		  size_t whylen)
{
	struct rtnl_link *chg;
	int err;

	if (rtnl_link_get_flags(cur) & IFF_UP)
		return 0;
	chg = rtnl_link_alloc();
	if (!chg)
		return -ENOMEM;
	rtnl_link_set_flags(chg, IFF_UP);
	err = rtnl_link_change(l->sk, cur, chg, 0);
	rtnl_link_put(chg);
	return err ? nl_fail(why, whylen, "setting the link up", err) : 0;
}

/* The link, made if missing: it must be a dummy one (never a real NIC). */
static int find_or_make(struct kgd_link *l, char *why, size_t whylen)
{
	struct rtnl_link *cur = NULL;
	const char *type;
	int err;

	err = rtnl_link_get_kernel(l->sk, 0, l->name, &cur);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
		err = create(l, why, whylen);
		if (err)
			return err;
		err = rtnl_link_get_kernel(l->sk, 0, l->name, &cur);
	}
	if (err)
		return nl_fail(why, whylen, "reading the link", err);
	type = rtnl_link_get_type(cur);
	if (!type || strcmp(type, "dummy")) {
		snprintf(why, whylen, "%s exists and is not a dummy link (%s)",
			 l->name, type ? type : "no type");
		rtnl_link_put(cur);
		return -EEXIST;
	}
	l->ifindex = rtnl_link_get_ifindex(cur);
	err = set_up(l, cur, why, whylen);
	rtnl_link_put(cur);
	return err;
}

int kgd_link_open(struct kgd_link **out, const char *name,
		  const struct kgate_range *own, size_t n_own, char *why,
		  size_t whylen)
{
	struct kgd_link *l = calloc(1, sizeof(*l));
	int err;

	if (!l || strlen(name) >= sizeof(l->name))
		goto nomem;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->own = calloc(n_own + 1, sizeof(*own));
	l->sk = nl_socket_alloc();
	if (!l->own || !l->sk)
		goto nomem;
	memcpy(l->own, own, n_own * sizeof(*own));
	l->n_own = n_own;
	err = nl_connect(l->sk, NETLINK_ROUTE);
	if (err) {
		err = nl_fail(why, whylen, "rtnetlink", err);
		goto fail;
	}
	err = find_or_make(l, why, whylen);
	if (err)
		goto fail;
	*out = l;
	return 0;
nomem:
	snprintf(why, whylen, "out of memory");
	err = -ENOMEM;
fail:
	kgd_link_close(l);
	return err;
}

/* @a as a kgate address, if it is a host address (/32, /128). */
static bool host_addr(struct rtnl_addr *a, struct kgate_addr *out)
{
	struct nl_addr *local = rtnl_addr_get_local(a);
	unsigned int len;

	if (!local)
		return false;
	len = nl_addr_get_len(local);
	if ((nl_addr_get_family(local) != AF_INET || len != 4) &&
	    (nl_addr_get_family(local) != AF_INET6 || len != 16))
		return false;
	if (nl_addr_get_prefixlen(local) != len * 8)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)nl_addr_get_family(local);
	memcpy(out->bytes, nl_addr_get_binary_addr(local), len);
	return true;
}

static bool listed(const struct kgd_addrs *v, const struct kgate_addr *a)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (kgate_addr_equal(&v->v[i], a))
			return true;
	return false;
}

static int add_addr(struct kgd_link *l, const struct kgate_addr *a)
{
	size_t len = kgate_addr_len(a);
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local;
	int err = -NLE_NOMEM;

	if (!ra)
		return err;
	local = nl_addr_build(a->family, a->bytes, len);
	if (local) {
		nl_addr_set_prefixlen(local, (int)len * 8);
		rtnl_addr_set_ifindex(ra, l->ifindex);
		rtnl_addr_set_family(ra, a->family);
		err = rtnl_addr_set_local(ra, local);
		/* usable at once: no duplicate detection on a dummy link */
		if (a->family == AF_INET6)
			rtnl_addr_set_flags(ra, IFA_F_NODAD);
		if (!err)
			err = rtnl_addr_add(l->sk, ra, 0);
		nl_addr_put(local);
	}
	rtnl_addr_put(ra);
	return err == -NLE_EXIST ? 0 : err;
}

struct pass {
	struct kgd_link *l;
	const struct kgd_addrs *want;
	struct kgd_addrs have;
	size_t cap, removed;
	int err;
};

/* One address of the cache: kgated's and unwanted: removed. */
static void visit(struct nl_object *obj, void *data)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct pass *p = data;
	struct kgate_addr ka;
	struct kgate_addr *v;
	int err;

	if (rtnl_addr_get_ifindex(a) != p->l->ifindex || !host_addr(a, &ka) ||
	    !kgd_addr_in_any(&ka, p->l->own, p->l->n_own))
		return;
	if (p->want && listed(p->want, &ka)) {
		if (p->have.n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 8;
			v = realloc(p->have.v, p->cap * sizeof(*v));
			if (!v) {
				p->err = -NLE_NOMEM;
				return;
			}
			p->have.v = v;
		}
		p->have.v[p->have.n++] = ka;
		return;
	}
	err = rtnl_addr_delete(p->l->sk, a, 0);
	if (err && err != -NLE_NOADDR && !p->err)
		p->err = err;
	p->removed += !err;
}

/* Remove kgated's addresses not in @want (NULL: all); those kept in @p. */
static int prune(struct pass *p, char *why, size_t whylen)
{
	struct nl_cache *cache;
	int err;

	err = rtnl_addr_alloc_cache(p->l->sk, &cache);
	if (err)
		return nl_fail(why, whylen, "reading addresses", err);
	nl_cache_foreach(cache, visit, p);
	nl_cache_free(cache);
	return p->err ? nl_fail(why, whylen, "removing an address", p->err) :
			0;
}

int kgd_link_sync(struct kgd_link *l, const struct kgd_addrs *want,
		  size_t *added, size_t *removed, char *why, size_t whylen)
{
	struct pass p = { .l = l, .want = want };
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;
	int err, ret;

	*added = *removed = 0;
	ret = prune(&p, why, whylen);
	*removed = p.removed;
	for (i = 0; i < want->n; i++) {
		if (listed(&p.have, &want->v[i]))
			continue;
		err = add_addr(l, &want->v[i]);
		if (!err) {
			(*added)++;
			continue;
		}
		if (!ret)
			ret = nl_fail(why, whylen, kgate_addr_str(&want->v[i],
				      buf, sizeof(buf)), err);
	}
	kgd_addrs_free(&p.have);
	return ret;
}

void kgd_link_close(struct kgd_link *l)
{
	struct pass p = { .l = l };
	struct rtnl_link *nl;
	char why[128];

	if (!l)
		return;
	if (l->sk && l->ifindex)
		(void)prune(&p, why, sizeof(why));
	kgd_addrs_free(&p.have);
	if (l->created) {
		nl = rtnl_link_alloc();
		if (nl) {
			rtnl_link_set_name(nl, l->name);
			(void)rtnl_link_delete(l->sk, nl);
			rtnl_link_put(nl);
		}
	}
	if (l->sk)
		nl_socket_free(l->sk);
	free(l->own);
	free(l);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Route objects.  A route keeps a copy of the request's KGATE_A_ROUTE nest:
 * the matcher's input (struct kg_match_route_in, core/match.h) points into
 * it, and GET sends it back as it came.  Parsing reads the request itself,
 * so that a refusal points at the request's attribute, and takes the
 * strings from the copy.  The matcher then validates the route on its own
 * (kg_match_size()), so a commit never meets a route that cannot compile.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "compat.h"
#include "core/check.h"
#include "kgate.h"

struct rt_parse {
	struct kgate_route *rt;
	const u8 *orig;			/* the request's nest */
	struct netlink_ext_ack *extack;
	u32 n_refs;
};

/* The string of @attr (NUL-terminated, by the policy), in the copy. */
static struct kg_mstr mstr(const struct rt_parse *p, const struct nlattr *attr)
{
	const char *s = (const char *)p->rt->nest +
			((const u8 *)nla_data(attr) - p->orig);

	return (struct kg_mstr){ .s = s, .len = strlen(s) };
}

static void *alloc(struct rt_parse *p, size_t n, size_t size)
{
	return n ? kgate_arena_alloc(&p->rt->arena, n * size) : NULL;
}

/* The entries of list @list into a fresh array: its length, or an errno. */
static int list_start(struct rt_parse *p, const struct nlattr *list, u32 max,
		      const char *what, size_t size, void **arr)
{
	int n = kgate_list_len(list, max, what, p->extack);

	*arr = NULL;
	if (n <= 0)
		return n;
	*arr = alloc(p, n, size);
	return *arr ? n : -ENOMEM;
}

static int parse_kvs(struct rt_parse *p, const struct nlattr *list,
		     const struct kg_match_kv_in **out, u32 *n,
		     const char *what)
{
	struct kg_match_kv_in *kv;
	struct nlattr *tb[KGATE_KV_A_MAX + 1];
	struct nlattr *item;
	int rem, err, len;

	len = list_start(p, list, KG_MATCH_KV_MAX, what, sizeof(*kv),
			 (void **)&kv);
	if (len <= 0)
		return len;
	*out = kv;
	*n = 0;
	nla_for_each_nested(item, list, rem) {
		err = nla_parse_nested(tb, KGATE_KV_A_MAX, item, NULL,
				       p->extack) ?:
		      kgate_need(item, tb, KGATE_KV_A_NAME, "name", p->extack) ?:
		      kgate_need(item, tb, KGATE_KV_A_VALUE, "value", p->extack);
		if (err)
			return err;
		kv[*n].name = mstr(p, tb[KGATE_KV_A_NAME]);
		kv[*n].value = mstr(p, tb[KGATE_KV_A_VALUE]);
		(*n)++;
	}
	return 0;
}

static int parse_strs(struct rt_parse *p, const struct nlattr *list, u32 max,
		      const char *what, const struct kg_mstr **out, u32 *n)
{
	struct kg_mstr *s;
	struct nlattr *item;
	int rem, len;

	len = list_start(p, list, max, what, sizeof(*s), (void **)&s);
	if (len <= 0)
		return len;
	*out = s;
	*n = 0;
	nla_for_each_nested(item, list, rem)
		s[(*n)++] = mstr(p, item);
	return 0;
}

static int parse_match(struct rt_parse *p, struct kg_match_match_in *m,
		       struct nlattr *item)
{
	struct nlattr *tb[KGATE_MATCH_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KGATE_MATCH_A_MAX, item, NULL, p->extack);
	if (err)
		return err;
	m->path_type = kgate_get_u8(tb[KGATE_MATCH_A_PATH_TYPE], KG_PATH_PREFIX);
	if (tb[KGATE_MATCH_A_PATH])
		m->path = mstr(p, tb[KGATE_MATCH_A_PATH]);
	else
		m->path = (struct kg_mstr){ .s = "/", .len = 1 };
	if (tb[KGATE_MATCH_A_METHOD])
		m->method = mstr(p, tb[KGATE_MATCH_A_METHOD]);
	return parse_kvs(p, tb[KGATE_MATCH_A_HEADERS], &m->headers,
			 &m->nheaders, "header matches") ?:
	       parse_kvs(p, tb[KGATE_MATCH_A_QUERY], &m->query, &m->nquery,
			 "query matches");
}

static int parse_ref(struct rt_parse *p, struct kg_match_backend_in *b,
		     struct nlattr *item)
{
	struct nlattr *tb[KGATE_REF_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KGATE_REF_A_MAX, item, NULL, p->extack) ?:
	      kgate_need(item, tb, KGATE_REF_A_SERVICE, "backend service",
			 p->extack) ?:
	      kgate_check_name(tb[KGATE_REF_A_SERVICE], p->extack);
	if (err)
		return err;
	b->weight = kgate_get_u32(tb[KGATE_REF_A_WEIGHT], 1);
	/* The index among the route's references: kgate_route_service(). */
	b->service = p->n_refs;
	p->rt->services[p->n_refs++] = mstr(p, tb[KGATE_REF_A_SERVICE]).s;
	return 0;
}

static int parse_hdrmod(struct rt_parse *p, const struct nlattr *nest,
			const struct kg_match_hdrmod_in **out)
{
	struct nlattr *tb[KGATE_HDRMOD_A_MAX + 1];
	struct kg_match_hdrmod_in *h;
	int err;

	if (!nest)
		return 0;
	h = alloc(p, 1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	*out = h;
	err = nla_parse_nested(tb, KGATE_HDRMOD_A_MAX, (struct nlattr *)nest,
			       NULL, p->extack);
	return err ?:
	       parse_kvs(p, tb[KGATE_HDRMOD_A_SET], &h->set, &h->nset,
			 "headers to set") ?:
	       parse_kvs(p, tb[KGATE_HDRMOD_A_ADD], &h->add, &h->nadd,
			 "headers to add") ?:
	       parse_strs(p, tb[KGATE_HDRMOD_A_REMOVE], KG_MATCH_KV_MAX,
			  "headers to remove", &h->remove, &h->nremove);
}

static void parse_pathmod(struct rt_parse *p, struct kg_match_pathmod_in *m,
			  const struct nlattr *type, const struct nlattr *path)
{
	m->type = kgate_get_u8(type, KG_PATHMOD_NONE);
	if (path)
		m->value = mstr(p, path);
}

static int parse_redirect(struct rt_parse *p, const struct nlattr *nest,
			  const struct kg_match_redirect_in **out)
{
	struct nlattr *tb[KGATE_REDIR_A_MAX + 1];
	struct kg_match_redirect_in *r;
	int err;

	if (!nest)
		return 0;
	r = alloc(p, 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*out = r;
	err = nla_parse_nested(tb, KGATE_REDIR_A_MAX, (struct nlattr *)nest,
			       NULL, p->extack);
	if (err)
		return err;
	if (tb[KGATE_REDIR_A_SCHEME])
		r->scheme = mstr(p, tb[KGATE_REDIR_A_SCHEME]);
	if (tb[KGATE_REDIR_A_HOSTNAME])
		r->hostname = mstr(p, tb[KGATE_REDIR_A_HOSTNAME]);
	if (tb[KGATE_REDIR_A_PORT])
		r->port = nla_get_u16(tb[KGATE_REDIR_A_PORT]);
	if (tb[KGATE_REDIR_A_STATUS])
		r->status = nla_get_u16(tb[KGATE_REDIR_A_STATUS]);
	parse_pathmod(p, &r->path, tb[KGATE_REDIR_A_PATH_TYPE],
		      tb[KGATE_REDIR_A_PATH]);
	return 0;
}

static int parse_rewrite(struct rt_parse *p, const struct nlattr *nest,
			 const struct kg_match_rewrite_in **out)
{
	struct nlattr *tb[KGATE_REWR_A_MAX + 1];
	struct kg_match_rewrite_in *r;
	int err;

	if (!nest)
		return 0;
	r = alloc(p, 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*out = r;
	err = nla_parse_nested(tb, KGATE_REWR_A_MAX, (struct nlattr *)nest,
			       NULL, p->extack);
	if (err)
		return err;
	if (tb[KGATE_REWR_A_HOSTNAME])
		r->hostname = mstr(p, tb[KGATE_REWR_A_HOSTNAME]);
	parse_pathmod(p, &r->path, tb[KGATE_REWR_A_PATH_TYPE],
		      tb[KGATE_REWR_A_PATH]);
	return 0;
}

static int parse_rule(struct rt_parse *p, struct kg_match_rule_in *r,
		      struct nlattr *item)
{
	struct nlattr *tb[KGATE_RULE_A_MAX + 1];
	struct kg_match_match_in *m;
	struct kg_match_backend_in *b;
	struct nlattr *e;
	int rem, err, n;

	err = nla_parse_nested(tb, KGATE_RULE_A_MAX, item, NULL, p->extack);
	if (err)
		return err;
	n = list_start(p, tb[KGATE_RULE_A_MATCHES], KG_MATCH_MATCHES_MAX,
		       "matches", sizeof(*m), (void **)&m);
	if (n < 0)
		return n;
	if (!n && p->rt->kind == KGATE_ROUTE_INGRESS) {
		/* The header's default for a rule without matches, as the
		 * matcher gives an HTTPRoute rule: PathPrefix "/".
		 */
		m = alloc(p, 1, sizeof(*m));
		if (!m)
			return -ENOMEM;
		m->path_type = KG_PATH_PREFIX;
		m->path = (struct kg_mstr){ .s = "/", .len = 1 };
		r->nmatches = 1;
	}
	r->matches = m;
	if (n) {
		nla_for_each_nested(e, tb[KGATE_RULE_A_MATCHES], rem) {
			err = parse_match(p, &m[r->nmatches], e);
			if (err)
				return err;
			r->nmatches++;
		}
	}
	n = list_start(p, tb[KGATE_RULE_A_BACKENDS], KG_MATCH_BACKENDS_MAX,
		       "backends", sizeof(*b), (void **)&b);
	if (n < 0)
		return n;
	r->backends = b;
	if (n) {
		nla_for_each_nested(e, tb[KGATE_RULE_A_BACKENDS], rem) {
			err = parse_ref(p, &b[r->nbackends], e);
			if (err)
				return err;
			r->nbackends++;
		}
	}
	return parse_hdrmod(p, tb[KGATE_RULE_A_REQ_HEADERS], &r->req_headers) ?:
	       parse_hdrmod(p, tb[KGATE_RULE_A_RESP_HEADERS],
			    &r->resp_headers) ?:
	       parse_redirect(p, tb[KGATE_RULE_A_REDIRECT], &r->redirect) ?:
	       parse_rewrite(p, tb[KGATE_RULE_A_REWRITE], &r->rewrite);
}

/* Room for every backendRef of the route, counted before the rules. */
static int count_refs(struct rt_parse *p, const struct nlattr *rules)
{
	struct nlattr *tb[KGATE_RULE_A_MAX + 1];
	struct nlattr *rule, *ref;
	int rem, rem2, n = 0;

	nla_for_each_nested(rule, rules, rem) {
		if (nla_parse_nested(tb, KGATE_RULE_A_MAX, rule, NULL, NULL) ||
		    !tb[KGATE_RULE_A_BACKENDS])
			continue;
		nla_for_each_nested(ref, tb[KGATE_RULE_A_BACKENDS], rem2)
			n++;
	}
	p->rt->services = alloc(p, n, sizeof(*p->rt->services));
	return n && !p->rt->services ? -ENOMEM : 0;
}

static int parse_rules(struct rt_parse *p, struct kg_match_route_in *in,
		       struct nlattr *nest, const struct nlattr *rules)
{
	struct kg_match_rule_in *r;
	struct nlattr *item;
	int rem, err, n;

	n = list_start(p, rules, KG_MATCH_RULES_MAX, "rules", sizeof(*r),
		       (void **)&r);
	if (n < 0)
		return n;
	if (!n) {
		NL_SET_ERR_ATTR_MISS(p->extack, nest, KGATE_RT_A_RULES);
		NL_SET_ERR_MSG(p->extack, "a route needs at least one rule");
		return -EINVAL;
	}
	err = count_refs(p, rules);
	if (err)
		return err;
	in->rules = r;
	nla_for_each_nested(item, rules, rem) {
		err = parse_rule(p, &r[in->nrules], item);
		if (err)
			return err;
		in->nrules++;
	}
	p->rt->n_services = p->n_refs;
	return 0;
}

static int parse_listeners(struct rt_parse *p, struct nlattr *nest,
			   const struct nlattr *list)
{
	struct kgate_route *rt = p->rt;
	struct nlattr *item;
	int rem, n, err;

	n = list_start(p, list, KGATE_ROUTE_LISTENERS_MAX, "listeners",
		       sizeof(*rt->listeners), (void **)&rt->listeners);
	if (n < 0)
		return n;
	if (!n) {
		NL_SET_ERR_ATTR_MISS(p->extack, nest, KGATE_RT_A_LISTENERS);
		NL_SET_ERR_MSG(p->extack, "a route needs at least one listener");
		return -EINVAL;
	}
	nla_for_each_nested(item, list, rem) {
		err = kgate_check_name(item, p->extack);
		if (err)
			return err;
		rt->listeners[rt->n_listeners++] = mstr(p, item).s;
	}
	return 0;
}

static int parse_allow(struct rt_parse *p, const struct nlattr *list)
{
	struct kgate_route *rt = p->rt;
	struct nlattr *item;
	int rem, n, err;

	n = list_start(p, list, KGATE_RANGES_MAX, "allowed ranges",
		       sizeof(*rt->allow), (void **)&rt->allow);
	if (n <= 0)
		return n;
	nla_for_each_nested(item, list, rem) {
		err = kgate_parse_range(&rt->allow[rt->n_allow], item,
					p->extack);
		if (err)
			return err;
		rt->n_allow++;
	}
	return 0;
}

/* The @i-th entry of list @list. */
static const struct nlattr *list_item(const struct nlattr *list, u32 i)
{
	const struct nlattr *item;
	int rem;

	nla_for_each_nested(item, list, rem)
		if (!i--)
			return item;
	return NULL;
}

/*
 * The route alone through the matcher's checks, which name what is wrong.
 * At the route's level only a hostname has an index (@hosts: their list).
 */
static int check_route(struct rt_parse *p, const struct nlattr *hosts)
{
	struct kg_match_table_in t = {
		.routes = p->rt->in,
		.nroutes = 1,
		.default_backend = KG_MATCH_NONE,
	};
	struct kg_match_err e = { .msg = NULL };
	size_t size;
	int err;

	err = kg_match_size(&t, &size, &e);
	if (!err)
		return 0;
	err = err == -E2BIG ? -ENOSPC : -EINVAL;
	if (e.rule == KG_MATCH_NONE && e.item != KG_MATCH_NONE && hosts &&
	    e.item < p->rt->in->nhostnames) {
		NL_SET_ERR_MSG_FMT(p->extack, "hostname %u: %s: %s", e.item,
				   e.msg ?: "invalid",
				   p->rt->in->hostnames[e.item].s);
		NL_SET_BAD_ATTR(p->extack, list_item(hosts, e.item));
		return err;
	}
	if (e.rule != KG_MATCH_NONE && e.match != KG_MATCH_NONE)
		NL_SET_ERR_MSG_FMT(p->extack, "rule %u match %u: %s", e.rule,
				   e.match, e.msg ?: "invalid");
	else if (e.rule != KG_MATCH_NONE)
		NL_SET_ERR_MSG_FMT(p->extack, "rule %u: %s", e.rule,
				   e.msg ?: "invalid");
	else
		NL_SET_ERR_MSG_FMT(p->extack, "route: %s", e.msg ?: "invalid");
	return err;
}

static int parse_route(struct rt_parse *p, struct nlattr *nest)
{
	struct nlattr *tb[KGATE_RT_A_MAX + 1];
	struct kgate_route *rt = p->rt;
	struct kg_match_route_in *in;
	int err;

	err = nla_parse_nested(tb, KGATE_RT_A_MAX, nest, NULL, p->extack) ?:
	      kgate_need(nest, tb, KGATE_RT_A_NAME, "route name", p->extack) ?:
	      kgate_check_name(tb[KGATE_RT_A_NAME], p->extack);
	if (err)
		return err;
	in = alloc(p, 1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	rt->in = in;
	in->name = mstr(p, tb[KGATE_RT_A_NAME]);
	kgate_obj_init(&rt->obj, KGATE_OBJ_ROUTE, in->name.s);
	rt->kind = kgate_get_u8(tb[KGATE_RT_A_KIND], KGATE_ROUTE_INGRESS);
	in->kind = rt->kind == KGATE_ROUTE_INGRESS ? KG_ROUTE_INGRESS :
		   KG_ROUTE_HTTP;
	if (tb[KGATE_RT_A_REWRITE_TARGET])
		in->rewrite_target = mstr(p, tb[KGATE_RT_A_REWRITE_TARGET]);
	rt->rate = kgate_get_u32(tb[KGATE_RT_A_RATE], 0);
	rt->burst = kgate_get_u32(tb[KGATE_RT_A_BURST], rt->rate * 5);
	if (tb[KGATE_RT_A_OWNER]) {
		/* Sent back with the nest: only checked here. */
		err = kgate_parse_owner(tb[KGATE_RT_A_OWNER], NULL, p->extack);
		if (err)
			return err;
	}
	if (tb[KGATE_RT_A_BURST] && !rt->rate) {
		NL_SET_ERR_MSG_ATTR(p->extack, tb[KGATE_RT_A_BURST],
				    "a burst needs a rate");
		return -EINVAL;
	}
	return parse_listeners(p, nest, tb[KGATE_RT_A_LISTENERS]) ?:
	       parse_strs(p, tb[KGATE_RT_A_HOSTNAMES], KG_MATCH_HOSTNAMES_MAX,
			  "hostnames", &in->hostnames, &in->nhostnames) ?:
	       parse_rules(p, in, nest, tb[KGATE_RT_A_RULES]) ?:
	       parse_allow(p, tb[KGATE_RT_A_ALLOW]) ?:
	       check_route(p, tb[KGATE_RT_A_HOSTNAMES]);
}

/* A whole route from its nest (validated by the policy). */
struct kgate_route *kgate_route_parse(struct nlattr *nest,
				      struct netlink_ext_ack *extack)
{
	struct rt_parse p = { .orig = (const u8 *)nest, .extack = extack };
	struct kgate_route *rt;
	int err;

	rt = kzalloc(sizeof(*rt), GFP_KERNEL_ACCOUNT);
	if (!rt)
		return ERR_PTR(-ENOMEM);
	refcount_set(&rt->ref, 1);
	p.rt = rt;
	rt->nest = kmemdup(nest, nest->nla_len, GFP_KERNEL_ACCOUNT);
	rt->cnt = kgate_l7_cnt_new();
	err = rt->nest && rt->cnt ? parse_route(&p, nest) : -ENOMEM;
	if (!err && rt->rate) {
		rt->rl = kgate_rl_new(rt->rate, rt->burst);
		if (!rt->rl)
			err = -ENOMEM;
	}
	if (err) {
		kgate_route_put(rt);
		return ERR_PTR(err);
	}
	return rt;
}

struct kgate_route *kgate_route_get(struct kgate_route *rt)
{
	refcount_inc(&rt->ref);
	return rt;
}

void kgate_route_put(struct kgate_route *rt)
{
	if (!rt || !refcount_dec_and_test(&rt->ref))
		return;
	if (rt->rl)
		kgate_rl_put(rt->rl);
	kgate_l7_cnt_put(rt->cnt);
	kgate_arena_free(rt->arena);
	kfree(rt->nest);
	kfree(rt);
}

/* Does @rt attach to the listener @name? */
bool kgate_route_names(const struct kgate_route *rt, const char *name)
{
	u32 i;

	for (i = 0; i < rt->n_listeners; i++)
		if (!strcmp(rt->listeners[i], name))
			return true;
	return false;
}

const char *kgate_route_name(const struct kgate_route *rt)
{
	return rt->obj.name;
}

const char *kgate_route_service(const struct kgate_route *rt, u32 index)
{
	return index < rt->n_services ? rt->services[index] : NULL;
}

struct kgate_l7_cnt *kgate_route_cnt(const struct kgate_route *rt)
{
	return rt->cnt;
}

struct kgate_ratelimit *kgate_route_rl(const struct kgate_route *rt)
{
	return rt->rl;
}

bool kgate_route_allows(const struct kgate_route *rt, u8 family,
			const void *addr)
{
	u16 i;

	if (!rt->n_allow)
		return true;
	for (i = 0; i < rt->n_allow; i++)
		if (rt->allow[i].family == family &&
		    kg_prefix_match(addr, rt->allow[i].addr.s6_addr,
				    rt->allow[i].plen))
			return true;
	return false;
}

/* @rt as it was sent, and its counters if @counters. */
int kgate_route_fill(struct sk_buff *skb, const struct kgate_route *rt,
		     bool counters)
{
	struct nlattr *nest = nla_nest_start(skb, KGATE_A_ROUTE);

	if (!nest || nla_append(skb, nla_len(rt->nest), nla_data(rt->nest)))
		return -EMSGSIZE;
	if (counters && kgate_l7_cnt_fill(skb, KGATE_RT_A_COUNTERS, rt->cnt))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

struct sk_buff *kgate_route_msg(const struct kgate_route *rt, u32 portid,
				u32 seq, u8 cmd)
{
	size_t size = nla_total_size(nla_len(rt->nest)) + NLMSG_GOODSIZE;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(size, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	hdr = genlmsg_put(skb, portid, seq, &kgate_family, 0, cmd);
	if (!hdr || kgate_route_fill(skb, rt, cmd == KGATE_CMD_ROUTE_GET)) {
		nlmsg_free(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	genlmsg_end(skb, hdr);
	return skb;
}

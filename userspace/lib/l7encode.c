// SPDX-License-Identifier: GPL-2.0
/* L7 object model to netlink: the KGATE_A_LISTENER and KGATE_A_ROUTE nests. */
#include <linux/kgate.h>

#include "enc.h"
#include "kgate_l7msg.h"

static void put_limits(struct kgate_enc *e, const struct kgate_limits *lim)
{
	struct nlattr *nest = kgate_enc_nest_start(e, KGATE_LIS_A_LIMITS);
	uint32_t h = lim->has;

	if (h & KGATE_LIM_HAS_HEAD_BYTES)
		kgate_enc_u32(e, KGATE_LIM_A_HEAD_BYTES, lim->head_bytes);
	if (h & KGATE_LIM_HAS_HEADERS)
		kgate_enc_u32(e, KGATE_LIM_A_HEADERS, lim->headers);
	if (h & KGATE_LIM_HAS_URI_BYTES)
		kgate_enc_u32(e, KGATE_LIM_A_URI_BYTES, lim->uri_bytes);
	if (h & KGATE_LIM_HAS_BODY_BYTES)
		kgate_enc_u64(e, KGATE_LIM_A_BODY_BYTES, lim->body_bytes);
	if (h & KGATE_LIM_HAS_HEAD_TIMEOUT)
		kgate_enc_u32(e, KGATE_LIM_A_HEAD_TIMEOUT, lim->head_timeout);
	if (h & KGATE_LIM_HAS_IDLE_TIMEOUT)
		kgate_enc_u32(e, KGATE_LIM_A_IDLE_TIMEOUT, lim->idle_timeout);
	if (h & KGATE_LIM_HAS_CONNECT_TIMEOUT)
		kgate_enc_u32(e, KGATE_LIM_A_CONNECT_TIMEOUT,
			      lim->connect_timeout);
	if (h & KGATE_LIM_HAS_RESPONSE_TIMEOUT)
		kgate_enc_u32(e, KGATE_LIM_A_RESPONSE_TIMEOUT,
			      lim->response_timeout);
	kgate_enc_nest_end(e, nest);
}

int kgate_put_listener(struct nlmsghdr *nlh, size_t buflen,
		       const struct kgate_listener *l)
{
	uint32_t old_len = nlh->nlmsg_len;
	struct kgate_enc e = { .nlh = nlh, .buflen = buflen };
	struct nlattr *nest = kgate_enc_nest_start(&e, KGATE_A_LISTENER);
	uint32_t h = l->has;

	if (l->name)
		kgate_enc_str(&e, KGATE_LIS_A_NAME, l->name);
	if (l->addr.family)
		kgate_enc_addr(&e, KGATE_LIS_A_ADDR, &l->addr);
	if (h & KGATE_LIS_HAS_PORT)
		kgate_enc_u16(&e, KGATE_LIS_A_PORT, l->port);
	if (h & KGATE_LIS_HAS_MODE)
		kgate_enc_u8(&e, KGATE_LIS_A_MODE, l->mode);
	if (l->default_backend)
		kgate_enc_str(&e, KGATE_LIS_A_DEFAULT_BACKEND,
			      l->default_backend);
	if (l->owner)
		kgate_enc_str(&e, KGATE_LIS_A_OWNER, l->owner);
	if (h & KGATE_LIS_HAS_FLAGS)
		kgate_enc_u32(&e, KGATE_LIS_A_FLAGS, l->flags);
	if (h & KGATE_LIS_HAS_MAX_CONNS)
		kgate_enc_u32(&e, KGATE_LIS_A_MAX_CONNS, l->max_conns);
	if ((h & KGATE_LIS_HAS_LIMITS) || l->lim.has)
		put_limits(&e, &l->lim);
	kgate_enc_nest_end(&e, nest);
	if (e.err)
		nlh->nlmsg_len = old_len;
	return e.err;
}

static void put_str_list(struct kgate_enc *e, uint16_t type,
			 const struct kgate_str_list *l)
{
	struct nlattr *list = kgate_enc_nest_start(e, type);

	for (size_t i = 0; i < l->n && !e->err; i++)
		kgate_enc_str(e, KGATE_A_LIST_ITEM, l->v[i]);
	kgate_enc_nest_end(e, list);
}

static void put_kv_list(struct kgate_enc *e, uint16_t type,
			const struct kgate_kv_list *l)
{
	struct nlattr *list = kgate_enc_nest_start(e, type);

	for (size_t i = 0; i < l->n && !e->err; i++) {
		struct nlattr *item;

		item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);
		kgate_enc_str(e, KGATE_KV_A_NAME, l->v[i].name);
		kgate_enc_str(e, KGATE_KV_A_VALUE, l->v[i].value);
		kgate_enc_nest_end(e, item);
	}
	kgate_enc_nest_end(e, list);
}

static void put_match(struct kgate_enc *e, const struct kgate_match *m)
{
	struct nlattr *item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);

	if (m->has & KGATE_MATCH_HAS_PATH_TYPE)
		kgate_enc_u8(e, KGATE_MATCH_A_PATH_TYPE, m->path_type);
	if (m->path)
		kgate_enc_str(e, KGATE_MATCH_A_PATH, m->path);
	if (m->method)
		kgate_enc_str(e, KGATE_MATCH_A_METHOD, m->method);
	if (m->headers.n)
		put_kv_list(e, KGATE_MATCH_A_HEADERS, &m->headers);
	if (m->query.n)
		put_kv_list(e, KGATE_MATCH_A_QUERY, &m->query);
	kgate_enc_nest_end(e, item);
}

static void put_refs(struct kgate_enc *e, const struct kgate_rule *rule)
{
	struct nlattr *list = kgate_enc_nest_start(e, KGATE_RULE_A_BACKENDS);

	for (size_t i = 0; i < rule->n_refs && !e->err; i++) {
		const struct kgate_ref *ref = &rule->refs[i];
		struct nlattr *item;

		item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);
		kgate_enc_str(e, KGATE_REF_A_SERVICE, ref->service);
		if (ref->has_weight)
			kgate_enc_u32(e, KGATE_REF_A_WEIGHT, ref->weight);
		kgate_enc_nest_end(e, item);
	}
	kgate_enc_nest_end(e, list);
}

static void put_hdrmod(struct kgate_enc *e, uint16_t type,
		       const struct kgate_hdrmod *h)
{
	struct nlattr *nest = kgate_enc_nest_start(e, type);

	if (h->set.n)
		put_kv_list(e, KGATE_HDRMOD_A_SET, &h->set);
	if (h->add.n)
		put_kv_list(e, KGATE_HDRMOD_A_ADD, &h->add);
	if (h->remove.n)
		put_str_list(e, KGATE_HDRMOD_A_REMOVE, &h->remove);
	kgate_enc_nest_end(e, nest);
}

static void put_redirect(struct kgate_enc *e, const struct kgate_redirect *r)
{
	struct nlattr *nest = kgate_enc_nest_start(e, KGATE_RULE_A_REDIRECT);

	if (r->scheme)
		kgate_enc_str(e, KGATE_REDIR_A_SCHEME, r->scheme);
	if (r->hostname)
		kgate_enc_str(e, KGATE_REDIR_A_HOSTNAME, r->hostname);
	if (r->has & KGATE_REDIR_HAS_PORT)
		kgate_enc_u16(e, KGATE_REDIR_A_PORT, r->port);
	if (r->has & KGATE_REDIR_HAS_PATH_TYPE)
		kgate_enc_u8(e, KGATE_REDIR_A_PATH_TYPE, r->path_type);
	if (r->path)
		kgate_enc_str(e, KGATE_REDIR_A_PATH, r->path);
	if (r->has & KGATE_REDIR_HAS_STATUS)
		kgate_enc_u16(e, KGATE_REDIR_A_STATUS, r->status);
	kgate_enc_nest_end(e, nest);
}

static void put_rewrite(struct kgate_enc *e, const struct kgate_rewrite *r)
{
	struct nlattr *nest = kgate_enc_nest_start(e, KGATE_RULE_A_REWRITE);

	if (r->hostname)
		kgate_enc_str(e, KGATE_REWR_A_HOSTNAME, r->hostname);
	if (r->has & KGATE_REWR_HAS_PATH_TYPE)
		kgate_enc_u8(e, KGATE_REWR_A_PATH_TYPE, r->path_type);
	if (r->path)
		kgate_enc_str(e, KGATE_REWR_A_PATH, r->path);
	kgate_enc_nest_end(e, nest);
}

static void put_rule(struct kgate_enc *e, const struct kgate_rule *rule)
{
	struct nlattr *item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);

	if (rule->n_matches) {
		struct nlattr *list;

		list = kgate_enc_nest_start(e, KGATE_RULE_A_MATCHES);
		for (size_t i = 0; i < rule->n_matches && !e->err; i++)
			put_match(e, &rule->matches[i]);
		kgate_enc_nest_end(e, list);
	}
	if (rule->n_refs)
		put_refs(e, rule);
	if (rule->has & KGATE_RULE_HAS_REQ_HEADERS)
		put_hdrmod(e, KGATE_RULE_A_REQ_HEADERS, &rule->req);
	if (rule->has & KGATE_RULE_HAS_RESP_HEADERS)
		put_hdrmod(e, KGATE_RULE_A_RESP_HEADERS, &rule->resp);
	if (rule->has & KGATE_RULE_HAS_REDIRECT)
		put_redirect(e, &rule->redirect);
	if (rule->has & KGATE_RULE_HAS_REWRITE)
		put_rewrite(e, &rule->rewrite);
	kgate_enc_nest_end(e, item);
}

static void put_route_options(struct kgate_enc *e, const struct kgate_route *r)
{
	if (r->has & KGATE_RT_HAS_KIND)
		kgate_enc_u8(e, KGATE_RT_A_KIND, r->kind);
	if (r->rewrite_target)
		kgate_enc_str(e, KGATE_RT_A_REWRITE_TARGET, r->rewrite_target);
	if (r->owner)
		kgate_enc_str(e, KGATE_RT_A_OWNER, r->owner);
	if (r->has & KGATE_RT_HAS_RATE)
		kgate_enc_u32(e, KGATE_RT_A_RATE, r->rate);
	if (r->has & KGATE_RT_HAS_BURST)
		kgate_enc_u32(e, KGATE_RT_A_BURST, r->burst);
	if (r->n_allow)
		kgate_enc_ranges(e, KGATE_RT_A_ALLOW, r->allow, r->n_allow);
}

int kgate_put_route(struct nlmsghdr *nlh, size_t buflen,
		    const struct kgate_route *r)
{
	uint32_t old_len = nlh->nlmsg_len;
	struct kgate_enc e = { .nlh = nlh, .buflen = buflen };
	struct nlattr *nest = kgate_enc_nest_start(&e, KGATE_A_ROUTE);

	if (r->name)
		kgate_enc_str(&e, KGATE_RT_A_NAME, r->name);
	if (r->listeners.n)
		put_str_list(&e, KGATE_RT_A_LISTENERS, &r->listeners);
	if (r->hosts.n)
		put_str_list(&e, KGATE_RT_A_HOSTNAMES, &r->hosts);
	put_route_options(&e, r);
	if (r->n_rules) {
		struct nlattr *list = kgate_enc_nest_start(&e, KGATE_RT_A_RULES);

		for (size_t i = 0; i < r->n_rules && !e.err; i++)
			put_rule(&e, &r->rules[i]);
		kgate_enc_nest_end(&e, list);
	}
	kgate_enc_nest_end(&e, nest);
	if (e.err)
		nlh->nlmsg_len = old_len;
	return e.err;
}

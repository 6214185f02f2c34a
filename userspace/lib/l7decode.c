// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink to L7 object model: KGATE_A_LISTENER, KGATE_A_ROUTE and
 * KGATE_A_ACCESS, as strictly as services: lengths, nesting, list entry
 * types, repeated attributes; unknown attributes are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "dec.h"
#include "kgate_l7msg.h"

/* Called per list entry, d->path naming it. */
typedef int (*item_fn)(struct kgate_dec *d, const struct nlattr *item,
		       void *obj);

/*
 * Walk list nest @list named @name: every entry must be of type
 * KGATE_A_LIST_ITEM; @nested says whether entries are nests (checked
 * whole) or plain values.
 */
static int each_item(struct kgate_dec *d, const struct nlattr *list,
		     const char *name, bool nested, item_fn fn, void *obj)
{
	size_t base = strlen(d->path), i = 0;
	const struct nlattr *item;
	int err = kgate_dec_check_nest(d, list, name);

	if (err)
		return err;
	mnl_attr_for_each_nested(item, list) {
		if (mnl_attr_get_type(item) != KGATE_A_LIST_ITEM)
			return kgate_dec_fail(d, name,
					      "entry of type %u, expected %u",
					      mnl_attr_get_type(item),
					      KGATE_A_LIST_ITEM);
		kgate_dec_path_set(d, base, name, (long long)i++);
		err = nested ? kgate_dec_check_nest(d, item, NULL) : 0;
		if (!err)
			err = fn(d, item, obj);
		if (err)
			return err;
		d->path[base] = '\0';
	}
	return 0;
}

/* Enter nest @name: d->path gets ".name"; leave() restores it. */
static size_t enter(struct kgate_dec *d, const char *name)
{
	size_t base = strlen(d->path);

	kgate_dec_path_set(d, base, name, -1);
	return base;
}

static void leave(struct kgate_dec *d, size_t base)
{
	d->path[base] = '\0';
}

static int str_item(struct kgate_dec *d, const struct nlattr *item,
		    void *obj)
{
	char *s = NULL;
	int err = kgate_dec_str(d, item, NULL, &s);

	if (!err)
		err = kgate_str_list_add(obj, s);
	free(s);
	return err;
}

static int str_list(struct kgate_dec *d, const struct nlattr *list,
		    const char *name, struct kgate_str_list *l)
{
	return each_item(d, list, name, false, str_item, l);
}

static int kv_item(struct kgate_dec *d, const struct nlattr *item, void *obj)
{
	struct kgate_kv kv = { NULL, NULL };
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = 0;

	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == KGATE_KV_A_NAME)
			err = kgate_dec_once(d, &seen, t, "name") ?:
			      kgate_dec_str(d, a, "name", &kv.name);
		else if (t == KGATE_KV_A_VALUE)
			err = kgate_dec_once(d, &seen, t, "value") ?:
			      kgate_dec_str(d, a, "value", &kv.value);
		if (err)
			break;
	}
	if (!err && !kv.name)
		err = kgate_dec_missing(d, "name");
	if (!err && !kv.value)
		err = kgate_dec_missing(d, "value");
	if (!err)
		err = kgate_kv_list_add(obj, kv.name, kv.value);
	free(kv.name);
	free(kv.value);
	return err;
}

static int kv_list(struct kgate_dec *d, const struct nlattr *list,
		   const char *name, struct kgate_kv_list *l)
{
	return each_item(d, list, name, true, kv_item, l);
}

static int range_item(struct kgate_dec *d, const struct nlattr *item,
		      void *obj)
{
	struct kgate_range r;

	return kgate_dec_range(d, item, &r) ?: kgate_route_add_allow(obj, &r);
}

static const char *const counter_names[] = {
	[KGATE_L7C_A_CONNS] = "conns",
	[KGATE_L7C_A_CONNS_OPEN] = "conns_open",
	[KGATE_L7C_A_CONNS_REFUSED] = "conns_refused",
	[KGATE_L7C_A_REQUESTS] = "requests",
	[KGATE_L7C_A_RESP_1XX] = "resp_1xx",
	[KGATE_L7C_A_RESP_2XX] = "resp_2xx",
	[KGATE_L7C_A_RESP_3XX] = "resp_3xx",
	[KGATE_L7C_A_RESP_4XX] = "resp_4xx",
	[KGATE_L7C_A_RESP_5XX] = "resp_5xx",
	[KGATE_L7C_A_BYTES_IN] = "bytes_in",
	[KGATE_L7C_A_BYTES_OUT] = "bytes_out",
	[KGATE_L7C_A_UPSTREAM_CONNECTS] = "upstream_connects",
	[KGATE_L7C_A_UPSTREAM_REUSES] = "upstream_reuses",
	[KGATE_L7C_A_LOG_DROPPED] = "log_dropped",
};

static int l7_counters(struct kgate_dec *d, const struct nlattr *nest,
		       struct kgate_l7_counters *c)
{
	size_t base = enter(d, "counters");
	const struct nlattr *a;
	uint64_t *v;
	int err = kgate_dec_check_nest(d, nest, NULL);

	memset(c, 0, sizeof(*c));
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			break;
		v = NULL;
		switch (t) {
		case KGATE_L7C_A_CONNS:
			v = &c->conns;
			break;
		case KGATE_L7C_A_CONNS_OPEN:
			err = kgate_dec_get_u32(d, a, "conns_open",
						&c->conns_open);
			break;
		case KGATE_L7C_A_CONNS_REFUSED:
			v = &c->conns_refused;
			break;
		case KGATE_L7C_A_REQUESTS:
			v = &c->requests;
			break;
		case KGATE_L7C_A_RESP_1XX ... KGATE_L7C_A_RESP_5XX:
			v = &c->resp[t - KGATE_L7C_A_RESP_1XX];
			break;
		case KGATE_L7C_A_BYTES_IN:
			v = &c->bytes_in;
			break;
		case KGATE_L7C_A_BYTES_OUT:
			v = &c->bytes_out;
			break;
		case KGATE_L7C_A_UPSTREAM_CONNECTS:
			v = &c->upstream_connects;
			break;
		case KGATE_L7C_A_UPSTREAM_REUSES:
			v = &c->upstream_reuses;
			break;
		case KGATE_L7C_A_LOG_DROPPED:
			v = &c->log_dropped;
			break;
		}
		if (v)
			err = kgate_dec_get_u64(d, a, counter_names[t], v);
	}
	leave(d, base);
	return err;
}

/* ---- listener --------------------------------------------------------- */

static int limit_u32(struct kgate_dec *d, const struct nlattr *a,
		     const char *n, struct kgate_limits *lim, uint32_t bit,
		     uint32_t *v)
{
	lim->has |= bit;
	return kgate_dec_get_u32(d, a, n, v);
}

static const char *const limit_names[] = {
	[KGATE_LIM_A_HEAD_BYTES] = "head_bytes",
	[KGATE_LIM_A_HEADERS] = "headers",
	[KGATE_LIM_A_URI_BYTES] = "uri_bytes",
	[KGATE_LIM_A_BODY_BYTES] = "body_bytes",
	[KGATE_LIM_A_HEAD_TIMEOUT] = "head_timeout",
	[KGATE_LIM_A_IDLE_TIMEOUT] = "idle_timeout",
	[KGATE_LIM_A_CONNECT_TIMEOUT] = "connect_timeout",
	[KGATE_LIM_A_RESPONSE_TIMEOUT] = "response_timeout",
};

static int limits(struct kgate_dec *d, const struct nlattr *nest,
		  struct kgate_limits *lim)
{
	size_t base = enter(d, "limits");
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = kgate_dec_check_nest(d, nest, NULL);

	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			break;
		if (t > KGATE_LIM_A_UNSPEC && t < KGATE_LIM_A_PAD)
			err = kgate_dec_once(d, &seen, t, limit_names[t]);
		if (err)
			break;
		switch (t) {
		case KGATE_LIM_A_HEAD_BYTES:
			err = limit_u32(d, a, "head_bytes", lim,
					KGATE_LIM_HAS_HEAD_BYTES,
					&lim->head_bytes);
			break;
		case KGATE_LIM_A_HEADERS:
			err = limit_u32(d, a, "headers", lim,
					KGATE_LIM_HAS_HEADERS, &lim->headers);
			break;
		case KGATE_LIM_A_URI_BYTES:
			err = limit_u32(d, a, "uri_bytes", lim,
					KGATE_LIM_HAS_URI_BYTES,
					&lim->uri_bytes);
			break;
		case KGATE_LIM_A_BODY_BYTES:
			lim->has |= KGATE_LIM_HAS_BODY_BYTES;
			err = kgate_dec_get_u64(d, a, "body_bytes",
						&lim->body_bytes);
			break;
		case KGATE_LIM_A_HEAD_TIMEOUT:
			err = limit_u32(d, a, "head_timeout", lim,
					KGATE_LIM_HAS_HEAD_TIMEOUT,
					&lim->head_timeout);
			break;
		case KGATE_LIM_A_IDLE_TIMEOUT:
			err = limit_u32(d, a, "idle_timeout", lim,
					KGATE_LIM_HAS_IDLE_TIMEOUT,
					&lim->idle_timeout);
			break;
		case KGATE_LIM_A_CONNECT_TIMEOUT:
			err = limit_u32(d, a, "connect_timeout", lim,
					KGATE_LIM_HAS_CONNECT_TIMEOUT,
					&lim->connect_timeout);
			break;
		case KGATE_LIM_A_RESPONSE_TIMEOUT:
			err = limit_u32(d, a, "response_timeout", lim,
					KGATE_LIM_HAS_RESPONSE_TIMEOUT,
					&lim->response_timeout);
			break;
		}
	}
	leave(d, base);
	return err;
}

static const char *const lis_names[] = {
	[KGATE_LIS_A_NAME] = "name",
	[KGATE_LIS_A_ADDR] = "addr",
	[KGATE_LIS_A_PORT] = "port",
	[KGATE_LIS_A_MODE] = "mode",
	[KGATE_LIS_A_DEFAULT_BACKEND] = "default_backend",
	[KGATE_LIS_A_FLAGS] = "flags",
	[KGATE_LIS_A_MAX_CONNS] = "max_conns",
	[KGATE_LIS_A_LIMITS] = "limits",
	[KGATE_LIS_A_COUNTERS] = "counters",
	[KGATE_LIS_A_OWNER] = "owner",
};

static int lis_attr(struct kgate_dec *d, const struct nlattr *a,
		    struct kgate_listener *l)
{
	switch (mnl_attr_get_type(a)) {
	case KGATE_LIS_A_NAME:
		return kgate_dec_str(d, a, "name", &l->name);
	case KGATE_LIS_A_ADDR:
		return kgate_dec_get_addr(d, a, "addr", &l->addr);
	case KGATE_LIS_A_PORT:
		l->has |= KGATE_LIS_HAS_PORT;
		return kgate_dec_get_u16(d, a, "port", &l->port);
	case KGATE_LIS_A_MODE:
		l->has |= KGATE_LIS_HAS_MODE;
		return kgate_dec_get_u8(d, a, "mode", &l->mode);
	case KGATE_LIS_A_DEFAULT_BACKEND:
		return kgate_dec_str(d, a, "default_backend",
				     &l->default_backend);
	case KGATE_LIS_A_FLAGS:
		l->has |= KGATE_LIS_HAS_FLAGS;
		return kgate_dec_get_u32(d, a, "flags", &l->flags);
	case KGATE_LIS_A_MAX_CONNS:
		l->has |= KGATE_LIS_HAS_MAX_CONNS;
		return kgate_dec_get_u32(d, a, "max_conns", &l->max_conns);
	case KGATE_LIS_A_LIMITS:
		l->has |= KGATE_LIS_HAS_LIMITS;
		return limits(d, a, &l->lim);
	case KGATE_LIS_A_COUNTERS:
		l->has |= KGATE_LIS_HAS_COUNTERS;
		return l7_counters(d, a, &l->cnt);
	case KGATE_LIS_A_OWNER:
		return kgate_dec_str(d, a, "owner", &l->owner);
	default:	/* pad, newer attributes */
		return 0;
	}
}

int kgate_parse_listener(const struct nlattr *nest, struct kgate_listener *l,
			 char *why, size_t whylen)
{
	struct kgate_dec d = { .path = "listener", .why = why,
			       .whylen = whylen };
	const struct nlattr *a;
	uint32_t seen = 0;
	int err;

	kgate_listener_init(l);
	err = kgate_dec_check_nest(&d, nest, NULL);
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			return err;
		if ((t <= KGATE_LIS_A_COUNTERS && t) || t == KGATE_LIS_A_OWNER)
			err = kgate_dec_once(&d, &seen, t, lis_names[t]);
		if (!err)
			err = lis_attr(&d, a, l);
	}
	if (err)
		return err;
	if (!l->name)
		return kgate_dec_missing(&d, "name");
	return 0;
}

/* ---- route ------------------------------------------------------------ */

static int match_item(struct kgate_dec *d, const struct nlattr *item,
		      void *obj)
{
	struct kgate_match *m = kgate_rule_new_match(obj);
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = 0;

	if (!m)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		switch (t) {
		case KGATE_MATCH_A_PATH_TYPE:
			m->has |= KGATE_MATCH_HAS_PATH_TYPE;
			err = kgate_dec_once(d, &seen, t, "path_type") ?:
			      kgate_dec_get_u8(d, a, "path_type",
					       &m->path_type);
			break;
		case KGATE_MATCH_A_PATH:
			err = kgate_dec_once(d, &seen, t, "path") ?:
			      kgate_dec_str(d, a, "path", &m->path);
			break;
		case KGATE_MATCH_A_METHOD:
			err = kgate_dec_once(d, &seen, t, "method") ?:
			      kgate_dec_str(d, a, "method", &m->method);
			break;
		case KGATE_MATCH_A_HEADERS:
			err = kgate_dec_once(d, &seen, t, "headers") ?:
			      kv_list(d, a, "headers", &m->headers);
			break;
		case KGATE_MATCH_A_QUERY:
			err = kgate_dec_once(d, &seen, t, "query") ?:
			      kv_list(d, a, "query", &m->query);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static int ref_item(struct kgate_dec *d, const struct nlattr *item,
		    void *obj)
{
	const struct nlattr *a;
	char *service = NULL;
	uint32_t seen = 0, weight = 1;
	int err = 0;

	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == KGATE_REF_A_SERVICE)
			err = kgate_dec_once(d, &seen, t, "service") ?:
			      kgate_dec_str(d, a, "service", &service);
		else if (t == KGATE_REF_A_WEIGHT)
			err = kgate_dec_once(d, &seen, t, "weight") ?:
			      kgate_dec_get_u32(d, a, "weight", &weight);
		if (err)
			break;
	}
	if (!err && !service)
		err = kgate_dec_missing(d, "service");
	if (!err)
		err = kgate_rule_add_ref(obj, service,
					 seen & (1U << KGATE_REF_A_WEIGHT),
					 weight);
	free(service);
	return err;
}

static int hdrmod(struct kgate_dec *d, const struct nlattr *nest,
		  const char *name, struct kgate_hdrmod *h)
{
	size_t base = enter(d, name);
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = kgate_dec_check_nest(d, nest, NULL);

	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			break;
		if (t == KGATE_HDRMOD_A_SET)
			err = kgate_dec_once(d, &seen, t, "set") ?:
			      kv_list(d, a, "set", &h->set);
		else if (t == KGATE_HDRMOD_A_ADD)
			err = kgate_dec_once(d, &seen, t, "add") ?:
			      kv_list(d, a, "add", &h->add);
		else if (t == KGATE_HDRMOD_A_REMOVE)
			err = kgate_dec_once(d, &seen, t, "remove") ?:
			      str_list(d, a, "remove", &h->remove);
	}
	leave(d, base);
	return err;
}

static int redirect(struct kgate_dec *d, const struct nlattr *nest,
		    struct kgate_redirect *r)
{
	size_t base = enter(d, "redirect");
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = kgate_dec_check_nest(d, nest, NULL);

	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			break;
		switch (t) {
		case KGATE_REDIR_A_SCHEME:
			err = kgate_dec_once(d, &seen, t, "scheme") ?:
			      kgate_dec_str(d, a, "scheme", &r->scheme);
			break;
		case KGATE_REDIR_A_HOSTNAME:
			err = kgate_dec_once(d, &seen, t, "hostname") ?:
			      kgate_dec_str(d, a, "hostname", &r->hostname);
			break;
		case KGATE_REDIR_A_PORT:
			r->has |= KGATE_REDIR_HAS_PORT;
			err = kgate_dec_once(d, &seen, t, "port") ?:
			      kgate_dec_get_u16(d, a, "port", &r->port);
			break;
		case KGATE_REDIR_A_PATH_TYPE:
			r->has |= KGATE_REDIR_HAS_PATH_TYPE;
			err = kgate_dec_once(d, &seen, t, "path_type") ?:
			      kgate_dec_get_u8(d, a, "path_type",
					       &r->path_type);
			break;
		case KGATE_REDIR_A_PATH:
			err = kgate_dec_once(d, &seen, t, "path") ?:
			      kgate_dec_str(d, a, "path", &r->path);
			break;
		case KGATE_REDIR_A_STATUS:
			r->has |= KGATE_REDIR_HAS_STATUS;
			err = kgate_dec_once(d, &seen, t, "status") ?:
			      kgate_dec_get_u16(d, a, "status", &r->status);
			break;
		}
	}
	leave(d, base);
	return err;
}

static int rewrite(struct kgate_dec *d, const struct nlattr *nest,
		   struct kgate_rewrite *r)
{
	size_t base = enter(d, "rewrite");
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = kgate_dec_check_nest(d, nest, NULL);

	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			break;
		if (t == KGATE_REWR_A_HOSTNAME) {
			err = kgate_dec_once(d, &seen, t, "hostname") ?:
			      kgate_dec_str(d, a, "hostname", &r->hostname);
		} else if (t == KGATE_REWR_A_PATH_TYPE) {
			r->has |= KGATE_REWR_HAS_PATH_TYPE;
			err = kgate_dec_once(d, &seen, t, "path_type") ?:
			      kgate_dec_get_u8(d, a, "path_type",
					       &r->path_type);
		} else if (t == KGATE_REWR_A_PATH) {
			err = kgate_dec_once(d, &seen, t, "path") ?:
			      kgate_dec_str(d, a, "path", &r->path);
		}
	}
	leave(d, base);
	return err;
}

static int rule_attr(struct kgate_dec *d, const struct nlattr *a,
		     struct kgate_rule *rule)
{
	switch (mnl_attr_get_type(a)) {
	case KGATE_RULE_A_MATCHES:
		return each_item(d, a, "matches", true, match_item, rule);
	case KGATE_RULE_A_BACKENDS:
		return each_item(d, a, "backends", true, ref_item, rule);
	case KGATE_RULE_A_REQ_HEADERS:
		rule->has |= KGATE_RULE_HAS_REQ_HEADERS;
		return hdrmod(d, a, "req_headers", &rule->req);
	case KGATE_RULE_A_RESP_HEADERS:
		rule->has |= KGATE_RULE_HAS_RESP_HEADERS;
		return hdrmod(d, a, "resp_headers", &rule->resp);
	case KGATE_RULE_A_REDIRECT:
		rule->has |= KGATE_RULE_HAS_REDIRECT;
		return redirect(d, a, &rule->redirect);
	case KGATE_RULE_A_REWRITE:
		rule->has |= KGATE_RULE_HAS_REWRITE;
		return rewrite(d, a, &rule->rewrite);
	default:
		return 0;
	}
}

static const char *const rule_names[] = {
	[KGATE_RULE_A_MATCHES] = "matches",
	[KGATE_RULE_A_BACKENDS] = "backends",
	[KGATE_RULE_A_REQ_HEADERS] = "req_headers",
	[KGATE_RULE_A_RESP_HEADERS] = "resp_headers",
	[KGATE_RULE_A_REDIRECT] = "redirect",
	[KGATE_RULE_A_REWRITE] = "rewrite",
};

static int rule_item(struct kgate_dec *d, const struct nlattr *item,
		     void *obj)
{
	struct kgate_rule *rule = kgate_route_new_rule(obj);
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = 0;

	if (!rule)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		if (t && t <= KGATE_RULE_A_MAX)
			err = kgate_dec_once(d, &seen, t, rule_names[t]);
		if (!err)
			err = rule_attr(d, a, rule);
		if (err)
			return err;
	}
	return 0;
}

static int rt_attr(struct kgate_dec *d, const struct nlattr *a,
		   struct kgate_route *r)
{
	switch (mnl_attr_get_type(a)) {
	case KGATE_RT_A_NAME:
		return kgate_dec_str(d, a, "name", &r->name);
	case KGATE_RT_A_KIND:
		r->has |= KGATE_RT_HAS_KIND;
		return kgate_dec_get_u8(d, a, "kind", &r->kind);
	case KGATE_RT_A_LISTENERS:
		return str_list(d, a, "listeners", &r->listeners);
	case KGATE_RT_A_HOSTNAMES:
		return str_list(d, a, "hostnames", &r->hosts);
	case KGATE_RT_A_RULES:
		return each_item(d, a, "rules", true, rule_item, r);
	case KGATE_RT_A_REWRITE_TARGET:
		return kgate_dec_str(d, a, "rewrite_target",
				     &r->rewrite_target);
	case KGATE_RT_A_RATE:
		r->has |= KGATE_RT_HAS_RATE;
		return kgate_dec_get_u32(d, a, "rate", &r->rate);
	case KGATE_RT_A_BURST:
		r->has |= KGATE_RT_HAS_BURST;
		return kgate_dec_get_u32(d, a, "burst", &r->burst);
	case KGATE_RT_A_ALLOW:
		return each_item(d, a, "allow", true, range_item, r);
	case KGATE_RT_A_COUNTERS:
		r->has |= KGATE_RT_HAS_COUNTERS;
		return l7_counters(d, a, &r->cnt);
	case KGATE_RT_A_OWNER:
		return kgate_dec_str(d, a, "owner", &r->owner);
	default:
		return 0;
	}
}

static const char *const rt_names[] = {
	[KGATE_RT_A_NAME] = "name",
	[KGATE_RT_A_KIND] = "kind",
	[KGATE_RT_A_LISTENERS] = "listeners",
	[KGATE_RT_A_HOSTNAMES] = "hostnames",
	[KGATE_RT_A_RULES] = "rules",
	[KGATE_RT_A_REWRITE_TARGET] = "rewrite_target",
	[KGATE_RT_A_RATE] = "rate",
	[KGATE_RT_A_BURST] = "burst",
	[KGATE_RT_A_ALLOW] = "allow",
	[KGATE_RT_A_COUNTERS] = "counters",
	[KGATE_RT_A_OWNER] = "owner",
};

int kgate_parse_route(const struct nlattr *nest, struct kgate_route *r,
		      char *why, size_t whylen)
{
	struct kgate_dec d = { .path = "route", .why = why, .whylen = whylen };
	const struct nlattr *a;
	uint32_t seen = 0;
	int err;

	kgate_route_init(r);
	err = kgate_dec_check_nest(&d, nest, NULL);
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			return err;
		if ((t && t <= KGATE_RT_A_COUNTERS) || t == KGATE_RT_A_OWNER)
			err = kgate_dec_once(&d, &seen, t, rt_names[t]);
		if (!err)
			err = rt_attr(&d, a, r);
	}
	if (err)
		return err;
	if (!r->name)
		return kgate_dec_missing(&d, "name");
	return 0;
}

/* ---- access-log record ------------------------------------------------ */

static int acc_attr(struct kgate_dec *d, const struct nlattr *a,
		    struct kgate_access *acc)
{
	switch (mnl_attr_get_type(a)) {
	case KGATE_ACC_A_TIME:
		return kgate_dec_get_u64(d, a, "time", &acc->time_ns);
	case KGATE_ACC_A_CLIENT_ADDR:
		acc->has |= KGATE_ACC_HAS_CLIENT;
		return kgate_dec_get_addr(d, a, "client_addr", &acc->client);
	case KGATE_ACC_A_CLIENT_PORT:
		return kgate_dec_get_u16(d, a, "client_port",
					 &acc->client_port);
	case KGATE_ACC_A_LISTENER:
		return kgate_dec_str(d, a, "listener", &acc->listener);
	case KGATE_ACC_A_ROUTE:
		return kgate_dec_str(d, a, "route", &acc->route);
	case KGATE_ACC_A_HOST:
		return kgate_dec_str(d, a, "host", &acc->host);
	case KGATE_ACC_A_METHOD:
		return kgate_dec_str(d, a, "method", &acc->method);
	case KGATE_ACC_A_PATH:
		return kgate_dec_str(d, a, "path", &acc->path);
	case KGATE_ACC_A_STATUS:
		acc->has |= KGATE_ACC_HAS_STATUS;
		return kgate_dec_get_u16(d, a, "status", &acc->status);
	case KGATE_ACC_A_BYTES_IN:
		return kgate_dec_get_u64(d, a, "bytes_in", &acc->bytes_in);
	case KGATE_ACC_A_BYTES_OUT:
		return kgate_dec_get_u64(d, a, "bytes_out", &acc->bytes_out);
	case KGATE_ACC_A_UPSTREAM_ADDR:
		acc->has |= KGATE_ACC_HAS_UPSTREAM;
		return kgate_dec_get_addr(d, a, "upstream_addr",
					  &acc->upstream);
	case KGATE_ACC_A_UPSTREAM_PORT:
		return kgate_dec_get_u16(d, a, "upstream_port",
					 &acc->upstream_port);
	case KGATE_ACC_A_TTFB:
		return kgate_dec_get_u32(d, a, "ttfb", &acc->ttfb_us);
	case KGATE_ACC_A_DURATION:
		return kgate_dec_get_u32(d, a, "duration", &acc->duration_us);
	default:
		return 0;
	}
}

int kgate_parse_access(const struct nlattr *nest, struct kgate_access *acc,
		       char *why, size_t whylen)
{
	struct kgate_dec d = { .path = "access", .why = why,
			       .whylen = whylen };
	const struct nlattr *a;
	uint32_t seen = 0;
	int err;

	kgate_access_init(acc);
	err = kgate_dec_check_nest(&d, nest, NULL);
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (err)
			return err;
		if (t && t < KGATE_ACC_A_PAD)
			err = kgate_dec_once(&d, &seen, t, "attribute");
		if (!err)
			err = acc_attr(&d, a, acc);
	}
	return err;
}

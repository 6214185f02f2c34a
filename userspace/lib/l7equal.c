// SPDX-License-Identifier: GPL-2.0
/* libkgate L7 object model: comparison of listeners and routes. */
#include <string.h>

#include "kgate_l7.h"

/* Both NULL, or the same text. */
static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool str_list_eq(const struct kgate_str_list *a,
			const struct kgate_str_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(a->v[i], b->v[i]))
			return false;
	return true;
}

static bool kv_list_eq(const struct kgate_kv_list *a,
		       const struct kgate_kv_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(a->v[i].name, b->v[i].name) ||
		    !str_eq(a->v[i].value, b->v[i].value))
			return false;
	return true;
}

/* Fields compared only when the has bit is set in both (same masks). */
#define SAME(h, bit, x, y)	(!((h) & (bit)) || (x) == (y))

static bool limits_eq(const struct kgate_limits *a,
		      const struct kgate_limits *b)
{
	uint32_t h = a->has;

	return h == b->has &&
	       SAME(h, KGATE_LIM_HAS_HEAD_BYTES, a->head_bytes, b->head_bytes) &&
	       SAME(h, KGATE_LIM_HAS_HEADERS, a->headers, b->headers) &&
	       SAME(h, KGATE_LIM_HAS_URI_BYTES, a->uri_bytes, b->uri_bytes) &&
	       SAME(h, KGATE_LIM_HAS_BODY_BYTES, a->body_bytes, b->body_bytes) &&
	       SAME(h, KGATE_LIM_HAS_HEAD_TIMEOUT, a->head_timeout,
		    b->head_timeout) &&
	       SAME(h, KGATE_LIM_HAS_IDLE_TIMEOUT, a->idle_timeout,
		    b->idle_timeout) &&
	       SAME(h, KGATE_LIM_HAS_CONNECT_TIMEOUT, a->connect_timeout,
		    b->connect_timeout) &&
	       SAME(h, KGATE_LIM_HAS_RESPONSE_TIMEOUT, a->response_timeout,
		    b->response_timeout);
}

bool kgate_listener_equal(const struct kgate_listener *a,
			  const struct kgate_listener *b)
{
	uint32_t h = a->has & ~KGATE_LIS_HAS_COUNTERS;

	return str_eq(a->name, b->name) &&
	       kgate_addr_equal(&a->addr, &b->addr) &&
	       h == (b->has & ~KGATE_LIS_HAS_COUNTERS) &&
	       SAME(h, KGATE_LIS_HAS_PORT, a->port, b->port) &&
	       SAME(h, KGATE_LIS_HAS_MODE, a->mode, b->mode) &&
	       SAME(h, KGATE_LIS_HAS_FLAGS, a->flags, b->flags) &&
	       SAME(h, KGATE_LIS_HAS_MAX_CONNS, a->max_conns, b->max_conns) &&
	       str_eq(a->default_backend, b->default_backend) &&
	       str_eq(a->owner, b->owner) &&
	       limits_eq(&a->lim, &b->lim);
}

static bool match_eq(const struct kgate_match *a, const struct kgate_match *b)
{
	return a->has == b->has &&
	       SAME(a->has, KGATE_MATCH_HAS_PATH_TYPE, a->path_type,
		    b->path_type) &&
	       str_eq(a->path, b->path) && str_eq(a->method, b->method) &&
	       kv_list_eq(&a->headers, &b->headers) &&
	       kv_list_eq(&a->query, &b->query);
}

static bool hdrmod_eq(const struct kgate_hdrmod *a,
		      const struct kgate_hdrmod *b)
{
	return kv_list_eq(&a->set, &b->set) && kv_list_eq(&a->add, &b->add) &&
	       str_list_eq(&a->remove, &b->remove);
}

static bool redirect_eq(const struct kgate_redirect *a,
			const struct kgate_redirect *b)
{
	uint32_t h = a->has;

	return h == b->has && str_eq(a->scheme, b->scheme) &&
	       str_eq(a->hostname, b->hostname) && str_eq(a->path, b->path) &&
	       SAME(h, KGATE_REDIR_HAS_PORT, a->port, b->port) &&
	       SAME(h, KGATE_REDIR_HAS_PATH_TYPE, a->path_type,
		    b->path_type) &&
	       SAME(h, KGATE_REDIR_HAS_STATUS, a->status, b->status);
}

static bool rewrite_eq(const struct kgate_rewrite *a,
		       const struct kgate_rewrite *b)
{
	return a->has == b->has && str_eq(a->hostname, b->hostname) &&
	       str_eq(a->path, b->path) &&
	       SAME(a->has, KGATE_REWR_HAS_PATH_TYPE, a->path_type,
		    b->path_type);
}

static bool rule_eq(const struct kgate_rule *a, const struct kgate_rule *b)
{
	size_t i;

	if (a->has != b->has || a->n_matches != b->n_matches ||
	    a->n_refs != b->n_refs)
		return false;
	for (i = 0; i < a->n_matches; i++)
		if (!match_eq(&a->matches[i], &b->matches[i]))
			return false;
	for (i = 0; i < a->n_refs; i++)
		if (!str_eq(a->refs[i].service, b->refs[i].service) ||
		    a->refs[i].has_weight != b->refs[i].has_weight ||
		    (a->refs[i].has_weight &&
		     a->refs[i].weight != b->refs[i].weight))
			return false;
	return hdrmod_eq(&a->req, &b->req) && hdrmod_eq(&a->resp, &b->resp) &&
	       redirect_eq(&a->redirect, &b->redirect) &&
	       rewrite_eq(&a->rewrite, &b->rewrite);
}

bool kgate_route_equal(const struct kgate_route *a,
		       const struct kgate_route *b)
{
	uint32_t h = a->has & ~KGATE_RT_HAS_COUNTERS;
	size_t i;

	if (!str_eq(a->name, b->name) ||
	    h != (b->has & ~KGATE_RT_HAS_COUNTERS) ||
	    !SAME(h, KGATE_RT_HAS_KIND, a->kind, b->kind) ||
	    !SAME(h, KGATE_RT_HAS_RATE, a->rate, b->rate) ||
	    !SAME(h, KGATE_RT_HAS_BURST, a->burst, b->burst) ||
	    !str_eq(a->rewrite_target, b->rewrite_target) ||
	    !str_eq(a->owner, b->owner) ||
	    !str_list_eq(&a->listeners, &b->listeners) ||
	    !str_list_eq(&a->hosts, &b->hosts) ||
	    a->n_rules != b->n_rules || a->n_allow != b->n_allow)
		return false;
	for (i = 0; i < a->n_rules; i++)
		if (!rule_eq(&a->rules[i], &b->rules[i]))
			return false;
	for (i = 0; i < a->n_allow; i++)
		if (!kgate_addr_equal(&a->allow[i].addr, &b->allow[i].addr) ||
		    a->allow[i].plen != b->allow[i].plen)
			return false;
	return true;
}

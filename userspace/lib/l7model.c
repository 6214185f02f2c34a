// SPDX-License-Identifier: GPL-2.0
/* libkgate L7 object model: construction, growth, release. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgate_l7.h"

/* Append @elem (of @size bytes) to the array *@arr of *@n elements. */
static void *push(void *arr, size_t *n, size_t size, void **out)
{
	char *p = realloc(arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*out = p + *n * size;
	memset(*out, 0, size);
	(*n)++;
	return p;
}

int kgate_set_str(char **field, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int kgate_str_list_add(struct kgate_str_list *l, const char *s)
{
	char *copy = strdup(s);
	void *slot, *arr;

	if (!copy)
		return -ENOMEM;
	arr = push(l->v, &l->n, sizeof(*l->v), &slot);
	if (!arr) {
		free(copy);
		return -ENOMEM;
	}
	l->v = arr;
	*(char **)slot = copy;
	return 0;
}

int kgate_kv_list_add(struct kgate_kv_list *l, const char *name,
		      const char *value)
{
	struct kgate_kv kv = { strdup(name), strdup(value) };
	void *slot, *arr = NULL;

	if (kv.name && kv.value)
		arr = push(l->v, &l->n, sizeof(*l->v), &slot);
	if (!arr) {
		free(kv.name);
		free(kv.value);
		return -ENOMEM;
	}
	l->v = arr;
	*(struct kgate_kv *)slot = kv;
	return 0;
}

static void str_list_free(struct kgate_str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void kv_list_free(struct kgate_kv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void kgate_limits_init(struct kgate_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->head_bytes = KGATE_LIM_HEAD_BYTES_DEFAULT;
	lim->headers = KGATE_LIM_HEADERS_DEFAULT;
	lim->uri_bytes = KGATE_LIM_URI_BYTES_DEFAULT;
	lim->body_bytes = KGATE_LIM_BODY_BYTES_DEFAULT;
	lim->head_timeout = KGATE_LIM_HEAD_TIMEOUT_DEFAULT;
	lim->idle_timeout = KGATE_LIM_IDLE_TIMEOUT_DEFAULT;
	lim->connect_timeout = KGATE_LIM_CONNECT_TIMEOUT_DEFAULT;
	lim->response_timeout = KGATE_LIM_RESPONSE_TIMEOUT_DEFAULT;
}

struct kgate_limits kgate_limits_effective(const struct kgate_limits *lim)
{
	struct kgate_limits out;

	kgate_limits_init(&out);
#define TAKE(bit, field)			\
	do {					\
		if (lim->has & (bit))		\
			out.field = lim->field;	\
	} while (0)
	TAKE(KGATE_LIM_HAS_HEAD_BYTES, head_bytes);
	TAKE(KGATE_LIM_HAS_HEADERS, headers);
	TAKE(KGATE_LIM_HAS_URI_BYTES, uri_bytes);
	TAKE(KGATE_LIM_HAS_BODY_BYTES, body_bytes);
	TAKE(KGATE_LIM_HAS_HEAD_TIMEOUT, head_timeout);
	TAKE(KGATE_LIM_HAS_IDLE_TIMEOUT, idle_timeout);
	TAKE(KGATE_LIM_HAS_CONNECT_TIMEOUT, connect_timeout);
	TAKE(KGATE_LIM_HAS_RESPONSE_TIMEOUT, response_timeout);
#undef TAKE
	out.has = lim->has;
	return out;
}

void kgate_listener_init(struct kgate_listener *l)
{
	memset(l, 0, sizeof(*l));
	l->mode = KGATE_MODE_HTTP;
	l->max_conns = KGATE_CONNS_DEFAULT;
	kgate_limits_init(&l->lim);
}

void kgate_listener_free(struct kgate_listener *l)
{
	free(l->name);
	free(l->owner);
	free(l->default_backend);
	kgate_listener_init(l);
}

void kgate_match_init(struct kgate_match *m)
{
	memset(m, 0, sizeof(*m));
	m->path_type = KGATE_PATH_PREFIX;
}

void kgate_match_free(struct kgate_match *m)
{
	free(m->path);
	free(m->method);
	kv_list_free(&m->headers);
	kv_list_free(&m->query);
	kgate_match_init(m);
}

static void hdrmod_free(struct kgate_hdrmod *h)
{
	kv_list_free(&h->set);
	kv_list_free(&h->add);
	str_list_free(&h->remove);
}

void kgate_rule_init(struct kgate_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
	rule->redirect.status = 302;
}

void kgate_rule_free(struct kgate_rule *rule)
{
	size_t i;

	for (i = 0; i < rule->n_matches; i++)
		kgate_match_free(&rule->matches[i]);
	free(rule->matches);
	for (i = 0; i < rule->n_refs; i++)
		free(rule->refs[i].service);
	free(rule->refs);
	hdrmod_free(&rule->req);
	hdrmod_free(&rule->resp);
	free(rule->redirect.scheme);
	free(rule->redirect.hostname);
	free(rule->redirect.path);
	free(rule->rewrite.hostname);
	free(rule->rewrite.path);
	kgate_rule_init(rule);
}

void kgate_route_init(struct kgate_route *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = KGATE_ROUTE_INGRESS;
}

void kgate_route_free(struct kgate_route *r)
{
	free(r->name);
	str_list_free(&r->listeners);
	str_list_free(&r->hosts);
	for (size_t i = 0; i < r->n_rules; i++)
		kgate_rule_free(&r->rules[i]);
	free(r->rules);
	free(r->rewrite_target);
	free(r->owner);
	free(r->allow);
	kgate_route_init(r);
}

struct kgate_rule *kgate_route_new_rule(struct kgate_route *r)
{
	void *slot, *arr = push(r->rules, &r->n_rules, sizeof(*r->rules),
				&slot);

	if (!arr)
		return NULL;
	r->rules = arr;
	kgate_rule_init(slot);
	return slot;
}

struct kgate_match *kgate_rule_new_match(struct kgate_rule *rule)
{
	void *slot, *arr = push(rule->matches, &rule->n_matches,
				sizeof(*rule->matches), &slot);

	if (!arr)
		return NULL;
	rule->matches = arr;
	kgate_match_init(slot);
	return slot;
}

int kgate_rule_add_ref(struct kgate_rule *rule, const char *service,
		       bool has_weight, uint32_t weight)
{
	struct kgate_ref ref = { strdup(service), has_weight ? weight : 1,
				 has_weight };
	void *slot, *arr = NULL;

	if (ref.service)
		arr = push(rule->refs, &rule->n_refs, sizeof(*rule->refs),
			   &slot);
	if (!arr) {
		free(ref.service);
		return -ENOMEM;
	}
	rule->refs = arr;
	*(struct kgate_ref *)slot = ref;
	return 0;
}

int kgate_route_add_allow(struct kgate_route *r, const struct kgate_range *p)
{
	void *slot, *arr = push(r->allow, &r->n_allow, sizeof(*r->allow),
				&slot);

	if (!arr)
		return -ENOMEM;
	r->allow = arr;
	*(struct kgate_range *)slot = *p;
	return 0;
}

void kgate_access_init(struct kgate_access *a)
{
	memset(a, 0, sizeof(*a));
}

void kgate_access_free(struct kgate_access *a)
{
	free(a->listener);
	free(a->route);
	free(a->host);
	free(a->method);
	free(a->path);
	kgate_access_init(a);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Route syntax: "[listener L]... [SPEC...] rule RULE [rule RULE]..." after
 * the name.  A rule is every word up to the next "rule"; inside it, the
 * words of a match (method, header, query) belong to the last "match",
 * those of a redirect or rewrite to it.  What is a matter of meaning
 * (a route without listener or rule, a path without '/', a weight too
 * large) is for the kernel to refuse, with its message.
 */
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

static bool is(const char *s, const char *w)
{
	return s && !strcmp(s, w);
}

/* The next word, if it is @w: taken. */
static bool next_is(struct args *a, const char *w)
{
	if (args_more(a) && is(a->argv[a->i], w)) {
		a->i++;
		return true;
	}
	return false;
}

/* The next word, unless it is "rule" or the end. */
static bool more_in_rule(const struct args *a)
{
	return args_more(a) && !is(a->argv[a->i], "rule");
}

static int oom(struct args *a)
{
	return args_fail(a, "out of memory");
}

/* "NAME=VALUE" after @kw into @l. */
static int kv(struct args *a, const char *kw, struct kgate_kv_list *l)
{
	const char *s, *eq;
	char name[256];

	if (args_value(a, kw, &s))
		return -1;
	eq = strchr(s, '=');
	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(name))
		return args_fail(a, "%s \"%s\": expected NAME=VALUE", kw, s);
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	return kgate_kv_list_add(l, name, eq + 1) ? oom(a) : 0;
}

static int str_value(struct args *a, const char *kw, char **field)
{
	const char *s;

	if (*field)
		return args_fail(a, "\"%s\" given twice", kw);
	if (args_value(a, kw, &s))
		return -1;
	return kgate_set_str(field, s) ? oom(a) : 0;
}

static int u16_value(struct args *a, const char *kw, uint16_t *v)
{
	uint32_t n;

	if (args_u32(a, kw, &n))
		return -1;
	if (n > UINT16_MAX)
		return args_fail(a, "%s \"%u\": too large (max %u)", kw, n,
				 UINT16_MAX);
	*v = (uint16_t)n;
	return 0;
}

/* "match [TYPE] PATH [method M] [header N=V]... [query N=V]..." */
static int match(struct args *a, struct kgate_rule *rule)
{
	struct kgate_match *m = kgate_rule_new_match(rule);
	unsigned int type;
	const char *path;

	if (!m)
		return oom(a);
	if (args_more(a) &&
	    kgate_value_of(kgate_path_type_names, a->argv[a->i], &type)) {
		m->path_type = (uint8_t)type;
		m->has |= KGATE_MATCH_HAS_PATH_TYPE;
		a->i++;
	}
	if (!more_in_rule(a))
		return args_fail(a, "missing PATH after \"match\"");
	if (args_value(a, "match", &path))
		return -1;
	if (kgate_set_str(&m->path, path))
		return oom(a);
	while (more_in_rule(a)) {
		const char *w = a->argv[a->i];
		int err;

		if (is(w, "method"))
			err = (a->i++, str_value(a, w, &m->method));
		else if (is(w, "header"))
			err = (a->i++, kv(a, w, &m->headers));
		else if (is(w, "query"))
			err = (a->i++, kv(a, w, &m->query));
		else
			break;
		if (err)
			return -1;
	}
	return 0;
}

/* "SERVICE[@WEIGHT]" */
static int backend(struct args *a, struct kgate_rule *rule)
{
	const char *s, *at;
	char service[KGATE_NAME_MAX];
	uint64_t w = 1;
	size_t n;

	if (args_value(a, "backend", &s))
		return -1;
	at = strrchr(s, '@');
	n = at ? (size_t)(at - s) : strlen(s);
	if (!n || n >= sizeof(service))
		return args_fail(a, "backend \"%s\": expected SERVICE[@WEIGHT]",
				 s);
	if (at && kgate_parse_uint(at + 1, UINT32_MAX, &w))
		return args_fail(a, "backend \"%s\": weight \"%s\" is not a "
				 "number", s, at + 1);
	memcpy(service, s, n);
	service[n] = '\0';
	if (kgate_rule_add_ref(rule, service, at != NULL, (uint32_t)w))
		return oom(a);
	return 0;
}

/* "request-header set|add NAME=VALUE" or "... remove NAME" */
static int header_mod(struct args *a, const char *kw, struct kgate_hdrmod *h)
{
	const char *op, *name;

	if (args_value(a, kw, &op))
		return -1;
	if (is(op, "set"))
		return kv(a, "set", &h->set);
	if (is(op, "add"))
		return kv(a, "add", &h->add);
	if (!is(op, "remove"))
		return args_fail(a, "%s \"%s\": expected set, add or remove",
				 kw, op);
	if (args_value(a, "remove", &name))
		return -1;
	return kgate_str_list_add(&h->remove, name) ? oom(a) : 0;
}

/* "path full|prefix PATH" of a redirect or a rewrite. */
static int path_mod(struct args *a, uint8_t *type, uint32_t *has,
		    uint32_t bit, char **path)
{
	const char *w;
	unsigned int t;

	if (*has & bit)
		return args_fail(a, "\"path\" given twice");
	if (args_value(a, "path", &w))
		return -1;
	if (!kgate_value_of(kgate_pathmod_names, w, &t))
		return args_fail(a, "path \"%s\": expected full or prefix", w);
	*type = (uint8_t)t;
	*has |= bit;
	return str_value(a, w, path);
}

static int redirect(struct args *a, struct kgate_redirect *r)
{
	while (more_in_rule(a)) {
		const char *w = a->argv[a->i];
		int err = 0;

		if (is(w, "scheme")) {
			a->i++;
			err = str_value(a, w, &r->scheme);
			if (!err && !is(r->scheme, "http") &&
			    !is(r->scheme, "https"))
				err = args_fail(a, "scheme \"%s\": expected "
						"http or https", r->scheme);
		} else if (is(w, "hostname")) {
			a->i++;
			err = str_value(a, w, &r->hostname);
		} else if (is(w, "port")) {
			a->i++;
			if (r->has & KGATE_REDIR_HAS_PORT)
				return args_fail(a, "\"port\" given twice");
			r->has |= KGATE_REDIR_HAS_PORT;
			err = u16_value(a, w, &r->port);
		} else if (is(w, "path")) {
			a->i++;
			err = path_mod(a, &r->path_type, &r->has,
				       KGATE_REDIR_HAS_PATH_TYPE, &r->path);
		} else if (is(w, "status")) {
			a->i++;
			if (r->has & KGATE_REDIR_HAS_STATUS)
				return args_fail(a, "\"status\" given twice");
			r->has |= KGATE_REDIR_HAS_STATUS;
			err = u16_value(a, w, &r->status);
		} else {
			break;
		}
		if (err)
			return -1;
	}
	return 0;
}

static int rewrite(struct args *a, struct kgate_rewrite *r)
{
	while (more_in_rule(a)) {
		const char *w = a->argv[a->i];
		int err;

		if (is(w, "hostname"))
			err = (a->i++, str_value(a, w, &r->hostname));
		else if (is(w, "path"))
			err = (a->i++, path_mod(a, &r->path_type, &r->has,
						KGATE_REWR_HAS_PATH_TYPE,
						&r->path));
		else
			break;
		if (err)
			return -1;
	}
	return 0;
}

/* A filter word that may be given once per rule. */
static int once_in_rule(struct args *a, struct kgate_rule *rule,
			uint32_t bit, const char *kw)
{
	if (rule->has & bit)
		return args_fail(a, "\"%s\" given twice in one rule", kw);
	rule->has |= bit;
	return 0;
}

/* The words of one rule, "rule" already taken. */
static int rule_words(struct args *a, struct kgate_rule *rule)
{
	while (more_in_rule(a)) {
		const char *w = args_next(a);
		int err;

		if (is(w, "match"))
			err = match(a, rule);
		else if (is(w, "backend"))
			err = backend(a, rule);
		else if (is(w, "request-header"))
			err = (rule->has |= KGATE_RULE_HAS_REQ_HEADERS,
			       header_mod(a, w, &rule->req));
		else if (is(w, "response-header"))
			err = (rule->has |= KGATE_RULE_HAS_RESP_HEADERS,
			       header_mod(a, w, &rule->resp));
		else if (is(w, "redirect"))
			err = once_in_rule(a, rule, KGATE_RULE_HAS_REDIRECT, w) ?:
			      redirect(a, &rule->redirect);
		else if (is(w, "rewrite"))
			err = once_in_rule(a, rule, KGATE_RULE_HAS_REWRITE, w) ?:
			      rewrite(a, &rule->rewrite);
		else if (is(w, "method") || is(w, "header") || is(w, "query"))
			err = args_fail(a, "\"%s\" must follow \"match PATH\"",
					w);
		else
			err = args_fail(a, "unknown rule word \"%s\" (match, "
					"backend, request-header, "
					"response-header, redirect or rewrite)",
					w);
		if (err)
			return -1;
	}
	return 0;
}

/* "rate N [burst N]" */
static int rate(struct args *a, struct kgate_route *r)
{
	if (r->has & KGATE_RT_HAS_RATE)
		return args_fail(a, "\"rate\" given twice");
	r->has |= KGATE_RT_HAS_RATE;
	if (args_u32(a, "rate", &r->rate))
		return -1;
	if (!next_is(a, "burst"))
		return 0;
	r->has |= KGATE_RT_HAS_BURST;
	return args_u32(a, "burst", &r->burst);
}

/* One route SPEC word; 1 when @w was one, 0 if not, -1 on error. */
static int route_option(struct args *a, const char *w, struct kgate_route *r)
{
	struct kgate_range p;
	const char *v;

	if (is(w, "listener"))
		return args_value(a, w, &v) ?:
		       (kgate_str_list_add(&r->listeners, v) ? oom(a) : 1);
	if (is(w, "host"))
		return args_value(a, w, &v) ?:
		       (kgate_str_list_add(&r->hosts, v) ? oom(a) : 1);
	if (is(w, "kind")) {
		if (r->has & KGATE_RT_HAS_KIND)
			return args_fail(a, "\"kind\" given twice");
		r->has |= KGATE_RT_HAS_KIND;
		return args_keyword(a, w, kgate_route_kind_names, &r->kind) ?:
		       1;
	}
	if (is(w, "rewrite-target"))
		return str_value(a, w, &r->rewrite_target) ?: 1;
	if (is(w, "owner"))
		return str_value(a, w, &r->owner) ?: 1;
	if (is(w, "rate"))
		return rate(a, r) ?: 1;
	if (is(w, "burst"))
		return args_fail(a, "\"burst\" must follow \"rate N\"");
	if (is(w, "allow"))
		return args_prefix(a, w, &p) ?:
		       (kgate_route_add_allow(r, &p) ? oom(a) : 1);
	return 0;
}

int spec_route(struct args *a, struct kgate_route *r)
{
	const char *w;
	int ret;

	while ((w = args_next(a))) {
		if (is(w, "rule")) {
			struct kgate_rule *rule = kgate_route_new_rule(r);

			if (!rule)
				return oom(a);
			if (rule_words(a, rule))
				return -1;
			continue;
		}
		ret = route_option(a, w, r);
		if (ret < 0)
			return -1;
		if (!ret)
			return args_fail(a, "unknown route option \"%s\"", w);
	}
	return 0;
}

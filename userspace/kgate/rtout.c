// SPDX-License-Identifier: GPL-2.0
/* Routes as text, as save lines (the command syntax) and as JSON. */
#include <inttypes.h>

#include <linux/kgate.h>

#include "cli.h"

static const char *name_or_num(const struct kgate_name *t, unsigned int v,
			       char *buf, size_t len)
{
	const char *name = kgate_name_of(t, v);

	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

/* " KW a,b,c" for a list that is not empty. */
static void list_text(FILE *f, const char *kw, const struct kgate_str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? "," : kw, l->v[i]);
}

static void kvs(FILE *f, const char *kw, const struct kgate_kv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		fprintf(f, " %s ", kw);
		cli_put_kv(f, l->v[i].name, l->v[i].value);
	}
}

/* The words of a match as given: no type when none was sent. */
static void match_words(FILE *f, const struct kgate_match *m)
{
	char b[8];

	fprintf(f, " match");
	if (m->has & KGATE_MATCH_HAS_PATH_TYPE)
		fprintf(f, " %s", name_or_num(kgate_path_type_names,
					      m->path_type, b, sizeof(b)));
	fputc(' ', f);
	cli_put_word(f, m->path ? m->path : "/");
	if (m->method)
		fprintf(f, " method %s", m->method);
	kvs(f, "header", &m->headers);
	kvs(f, "query", &m->query);
}

static void hdrmod_words(FILE *f, const char *kw, const struct kgate_hdrmod *h)
{
	char k[32];

	snprintf(k, sizeof(k), "%s set", kw);
	kvs(f, k, &h->set);
	snprintf(k, sizeof(k), "%s add", kw);
	kvs(f, k, &h->add);
	for (size_t i = 0; i < h->remove.n; i++)
		fprintf(f, " %s remove %s", kw, h->remove.v[i]);
}

static void pathmod_words(FILE *f, bool has, uint8_t type, const char *path)
{
	char b[8];

	if (has && type != KGATE_PATHMOD_NONE) {
		fprintf(f, " path %s ",
			name_or_num(kgate_pathmod_names, type, b, sizeof(b)));
		cli_put_word(f, path ? path : "/");
	}
}

/* Filters, in the syntax of the rule words. */
static void filter_words(FILE *f, const struct kgate_rule *rule)
{
	const struct kgate_redirect *rd = &rule->redirect;
	const struct kgate_rewrite *rw = &rule->rewrite;

	hdrmod_words(f, "request-header", &rule->req);
	hdrmod_words(f, "response-header", &rule->resp);
	if (rule->has & KGATE_RULE_HAS_REDIRECT) {
		fputs(" redirect", f);
		if (rd->scheme)
			fprintf(f, " scheme %s", rd->scheme);
		if (rd->hostname)
			fprintf(f, " hostname %s", rd->hostname);
		if (rd->has & KGATE_REDIR_HAS_PORT)
			fprintf(f, " port %u", rd->port);
		pathmod_words(f, rd->has & KGATE_REDIR_HAS_PATH_TYPE,
			      rd->path_type, rd->path);
		if (rd->has & KGATE_REDIR_HAS_STATUS)
			fprintf(f, " status %u", rd->status);
	}
	if (rule->has & KGATE_RULE_HAS_REWRITE) {
		fputs(" rewrite", f);
		if (rw->hostname)
			fprintf(f, " hostname %s", rw->hostname);
		pathmod_words(f, rw->has & KGATE_REWR_HAS_PATH_TYPE,
			      rw->path_type, rw->path);
	}
}

/* Weights are shown for a rule whose backends do not all have 1. */
static bool weighted(const struct kgate_rule *rule)
{
	for (size_t k = 0; k < rule->n_refs; k++)
		if (rule->refs[k].weight != 1)
			return true;
	return false;
}

static void rule_text(FILE *f, size_t i, const struct kgate_rule *rule)
{
	char b[8];

	fprintf(f, "    rule %zu:", i);
	for (size_t k = 0; k < rule->n_matches; k++) {
		const struct kgate_match *m = &rule->matches[k];

		fprintf(f, " match %s %s",
			name_or_num(kgate_path_type_names, m->path_type, b,
				    sizeof(b)), m->path ? m->path : "/");
		if (m->method)
			fprintf(f, " method %s", m->method);
		kvs(f, "header", &m->headers);
		kvs(f, "query", &m->query);
	}
	if (!rule->n_matches)
		fputs(" match prefix /", f);
	fputs(" ->", f);
	for (size_t k = 0; k < rule->n_refs; k++) {
		fprintf(f, " %s", rule->refs[k].service);
		if (weighted(rule))
			fprintf(f, "@%" PRIu32, rule->refs[k].weight);
	}
	if (!rule->n_refs && !(rule->has & KGATE_RULE_HAS_REDIRECT))
		fputs(" 404", f);
	filter_words(f, rule);
	fputc('\n', f);
}

/* The ABI's default burst: 5 x the rate. */
static uint32_t burst_of(const struct kgate_route *r)
{
	if (r->has & KGATE_RT_HAS_BURST)
		return r->burst;
	return r->rate > UINT32_MAX / 5 ? UINT32_MAX : r->rate * 5;
}

void print_route_text(FILE *f, const struct kgate_route *r, bool stats)
{
	char b[8], pfx[KGATE_ENDPOINT_STRLEN];

	fprintf(f, "route %s %s", r->name ? r->name : "?",
		name_or_num(kgate_route_kind_names, r->kind, b, sizeof(b)));
	list_text(f, " listeners ", &r->listeners);
	list_text(f, " hosts ", &r->hosts);
	if (r->rewrite_target)
		fprintf(f, " rewrite-target %s", r->rewrite_target);
	if (r->rate)
		fprintf(f, " rate %" PRIu32 " burst %" PRIu32, r->rate,
			burst_of(r));
	for (size_t i = 0; i < r->n_allow; i++)
		fprintf(f, "%s%s", i ? "," : " allow ",
			kgate_prefix_str(&r->allow[i], pfx, sizeof(pfx)));
	if (r->owner)
		fprintf(f, " owner %s", r->owner);
	fputc('\n', f);
	for (size_t i = 0; i < r->n_rules; i++)
		rule_text(f, i, &r->rules[i]);
	if (stats && (r->has & KGATE_RT_HAS_COUNTERS))
		print_l7_counters_text(f, &r->cnt);
}

void print_route_save(FILE *f, const struct kgate_route *r)
{
	char b[8], pfx[KGATE_ENDPOINT_STRLEN];
	size_t i;

	fprintf(f, "route replace %s", r->name ? r->name : "?");
	if (r->owner)
		fprintf(f, " owner %s", r->owner);
	for (i = 0; i < r->listeners.n; i++)
		fprintf(f, " listener %s", r->listeners.v[i]);
	if (r->has & KGATE_RT_HAS_KIND)
		fprintf(f, " kind %s", name_or_num(kgate_route_kind_names,
						   r->kind, b, sizeof(b)));
	for (i = 0; i < r->hosts.n; i++)
		fprintf(f, " host %s", r->hosts.v[i]);
	if (r->rewrite_target) {
		fputs(" rewrite-target ", f);
		cli_put_word(f, r->rewrite_target);
	}
	if (r->has & (KGATE_RT_HAS_RATE | KGATE_RT_HAS_BURST))
		fprintf(f, " rate %" PRIu32, r->rate);
	if (r->has & KGATE_RT_HAS_BURST)
		fprintf(f, " burst %" PRIu32, r->burst);
	for (i = 0; i < r->n_allow; i++)
		fprintf(f, " allow %s",
			kgate_prefix_str(&r->allow[i], pfx, sizeof(pfx)));
	for (i = 0; i < r->n_rules; i++) {
		const struct kgate_rule *rule = &r->rules[i];

		fputs(" rule", f);
		for (size_t k = 0; k < rule->n_matches; k++)
			match_words(f, &rule->matches[k]);
		for (size_t k = 0; k < rule->n_refs; k++) {
			fprintf(f, " backend %s", rule->refs[k].service);
			if (rule->refs[k].has_weight)
				fprintf(f, "@%" PRIu32, rule->refs[k].weight);
		}
		filter_words(f, rule);
	}
	fputc('\n', f);
}

/* ---- JSON ------------------------------------------------------------- */

static void str_array(struct kgate_json *j, const char *key,
		      const struct kgate_str_list *l)
{
	kgate_json_key(j, key);
	kgate_json_arr_open(j);
	for (size_t i = 0; i < l->n; i++)
		kgate_json_str(j, l->v[i]);
	kgate_json_arr_close(j);
}

static void kv_object(struct kgate_json *j, const char *key,
		      const struct kgate_kv_list *l)
{
	kgate_json_key(j, key);
	kgate_json_obj_open(j);
	for (size_t i = 0; i < l->n; i++)
		kgate_json_kv_str(j, l->v[i].name, l->v[i].value);
	kgate_json_obj_close(j);
}

static void kv_enum(struct kgate_json *j, const char *key,
		    const struct kgate_name *t, unsigned int v)
{
	const char *name = kgate_name_of(t, v);

	if (name)
		kgate_json_kv_str(j, key, name);
	else
		kgate_json_kv_uint(j, key, v);
}

static void kv_opt_str(struct kgate_json *j, const char *key, const char *s)
{
	kgate_json_key(j, key);
	if (s)
		kgate_json_str(j, s);
	else
		kgate_json_null(j);
}

static void match_json(struct kgate_json *j, const struct kgate_match *m)
{
	kgate_json_obj_open(j);
	kv_enum(j, "type", kgate_path_type_names, m->path_type);
	kgate_json_kv_str(j, "path", m->path ? m->path : "/");
	kv_opt_str(j, "method", m->method);
	kv_object(j, "headers", &m->headers);
	kv_object(j, "query", &m->query);
	kgate_json_obj_close(j);
}

static void hdrmod_json(struct kgate_json *j, const char *key,
			const struct kgate_hdrmod *h)
{
	kgate_json_key(j, key);
	kgate_json_obj_open(j);
	kv_object(j, "set", &h->set);
	kv_object(j, "add", &h->add);
	str_array(j, "remove", &h->remove);
	kgate_json_obj_close(j);
}

/* "path_type": "full" | "prefix" | null, and "path". */
static void pathmod_json(struct kgate_json *j, bool has, uint8_t type,
			 const char *path)
{
	if (has && type != KGATE_PATHMOD_NONE) {
		kv_enum(j, "path_type", kgate_pathmod_names, type);
	} else {
		kgate_json_key(j, "path_type");
		kgate_json_null(j);
	}
	kv_opt_str(j, "path", path);
}

static void redirect_json(struct kgate_json *j, const struct kgate_rule *rule)
{
	const struct kgate_redirect *r = &rule->redirect;

	kgate_json_key(j, "redirect");
	if (!(rule->has & KGATE_RULE_HAS_REDIRECT)) {
		kgate_json_null(j);
		return;
	}
	kgate_json_obj_open(j);
	kv_opt_str(j, "scheme", r->scheme);
	kv_opt_str(j, "hostname", r->hostname);
	kgate_json_key(j, "port");
	if (r->has & KGATE_REDIR_HAS_PORT)
		kgate_json_uint(j, r->port);
	else
		kgate_json_null(j);
	pathmod_json(j, r->has & KGATE_REDIR_HAS_PATH_TYPE, r->path_type,
		     r->path);
	kgate_json_kv_uint(j, "status",
			   r->has & KGATE_REDIR_HAS_STATUS ? r->status : 302);
	kgate_json_obj_close(j);
}

static void rewrite_json(struct kgate_json *j, const struct kgate_rule *rule)
{
	const struct kgate_rewrite *r = &rule->rewrite;

	kgate_json_key(j, "rewrite");
	if (!(rule->has & KGATE_RULE_HAS_REWRITE)) {
		kgate_json_null(j);
		return;
	}
	kgate_json_obj_open(j);
	kv_opt_str(j, "hostname", r->hostname);
	pathmod_json(j, r->has & KGATE_REWR_HAS_PATH_TYPE, r->path_type,
		     r->path);
	kgate_json_obj_close(j);
}

static void rule_json(struct kgate_json *j, const struct kgate_rule *rule)
{
	kgate_json_obj_open(j);
	kgate_json_key(j, "matches");
	kgate_json_arr_open(j);
	for (size_t i = 0; i < rule->n_matches; i++)
		match_json(j, &rule->matches[i]);
	kgate_json_arr_close(j);
	kgate_json_key(j, "backends");
	kgate_json_arr_open(j);
	for (size_t i = 0; i < rule->n_refs; i++) {
		kgate_json_obj_open(j);
		kgate_json_kv_str(j, "service", rule->refs[i].service);
		kgate_json_kv_uint(j, "weight", rule->refs[i].weight);
		kgate_json_obj_close(j);
	}
	kgate_json_arr_close(j);
	hdrmod_json(j, "request_headers", &rule->req);
	hdrmod_json(j, "response_headers", &rule->resp);
	redirect_json(j, rule);
	rewrite_json(j, rule);
	kgate_json_obj_close(j);
}

void print_route_json(struct kgate_json *j, const struct kgate_route *r,
		      bool stats)
{
	char pfx[KGATE_ENDPOINT_STRLEN];

	kgate_json_obj_open(j);
	kgate_json_kv_str(j, "name", r->name ? r->name : "");
	kv_enum(j, "kind", kgate_route_kind_names, r->kind);
	str_array(j, "listeners", &r->listeners);
	str_array(j, "hosts", &r->hosts);
	kv_opt_str(j, "rewrite_target", r->rewrite_target);
	kgate_json_kv_uint(j, "rate", r->rate);
	kgate_json_kv_uint(j, "burst", burst_of(r));
	kv_opt_str(j, "owner", r->owner);
	kgate_json_key(j, "allow");
	kgate_json_arr_open(j);
	for (size_t i = 0; i < r->n_allow; i++)
		kgate_json_str(j, kgate_prefix_str(&r->allow[i], pfx,
						   sizeof(pfx)));
	kgate_json_arr_close(j);
	kgate_json_key(j, "rules");
	kgate_json_arr_open(j);
	for (size_t i = 0; i < r->n_rules; i++)
		rule_json(j, &r->rules[i]);
	kgate_json_arr_close(j);
	if (stats && (r->has & KGATE_RT_HAS_COUNTERS))
		print_l7_counters_json(j, &r->cnt);
	kgate_json_obj_close(j);
}

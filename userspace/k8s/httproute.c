// SPDX-License-Identifier: GPL-2.0
/*
 * HTTPRoutes to kgate routes.  A route attaches to the HTTP listeners of
 * ours its parentRefs select and that take routes from its namespace;
 * its hostnames are intersected with each listener's.  When every
 * listener gives the same hostnames the route is one kgate route
 * "NS/NAME" on all their kgate listeners, else one per Gateway listener,
 * "NS/NAME/GATEWAY/LISTENER" (GATEWAY is "GWNS/GW" for a Gateway of
 * another namespace).
 *
 * What the kernel refuses is refused here, with the field to blame: the
 * limits of kmod/core/match.h, regex paths and matches, filters it does
 * not have, and the combinations the Gateway API forbids.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

/* The kernel's limits (kmod/core/match.h). */
#define RT_HOSTNAMES_MAX	64
#define RT_RULES_MAX		1024
#define RT_MATCHES_MAX		64
#define RT_KV_MAX		16
#define RT_BACKENDS_MAX		16
#define RT_WEIGHT_MAX		1000000
#define RT_NAME_MAX		253
#define RT_PATH_MAX		4096
#define RT_FIELD_MAX		256
#define RT_VALUE_MAX		4096

#define FIELD_LEN		192

struct rt_ctx {
	struct gw_ctx *c;
	const struct kk_obj *o;
	struct kk_diag *d;
	const char **hosts;		/* spec.hostnames */
	size_t n_hosts;
};

/* A Gateway listener that takes the route, and the hostnames it gives. */
struct attach {
	const struct gw_listener *l;
	struct kgate_str_list hosts;	/* none: every host */
};

struct attach_list {
	struct attach *v;
	size_t n;
};

/* What a rule's filters need checked against the rest of the rule. */
struct rule_seen {
	const struct kk_node *redirect, *rewrite, *prefix;
	char redirect_f[FIELD_LEN], rewrite_f[FIELD_LEN], prefix_f[FIELD_LEN];
};

static void strs_free(struct kgate_str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool strs_has(const struct kgate_str_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static int strs_add_once(struct kgate_str_list *l, const char *s)
{
	return strs_has(l, s) ? 0 : kgate_str_list_add(l, s);
}

/* Both lists hold no name twice: equal as sets? */
static bool strs_same(const struct kgate_str_list *a,
		      const struct kgate_str_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!strs_has(b, a->v[i]))
			return false;
	return true;
}

static void attach_free(struct attach_list *al)
{
	for (size_t i = 0; i < al->n; i++)
		strs_free(&al->v[i].hosts);
	free(al->v);
}

/* ---- parents and hostnames -------------------------------------------- */

/* @h, a hostname or wildcard, is under "*.@suffix": it ends ".@suffix". */
static bool host_under(const char *h, const char *suffix)
{
	size_t hl = strlen(h), sl = strlen(suffix);

	return hl > sl + 1 && h[hl - sl - 1] == '.' &&
	       !strcmp(h + hl - sl, suffix);
}

/*
 * The hostnames both listener hostname @lh and route hostname @rh match,
 * as the Gateway API intersects them: the more specific of the two, or
 * NULL when they match nothing in common.
 */
static const char *host_meet(const char *lh, const char *rh)
{
	bool lw = lh[0] == '*', rw = rh[0] == '*';

	if (!strcmp(lh, rh))
		return rh;
	if (lw && host_under(rw ? rh + 2 : rh, lh + 2))
		return rh;
	if (rw && host_under(lw ? lh + 2 : lh, rh + 2))
		return lh;
	return NULL;
}

/* The hostnames the route has on listener @l; false when none meet. */
static int attach_hosts(struct rt_ctx *r, struct attach *a)
{
	const char *lh = a->l->hostname;
	int err = 0;

	if (!r->n_hosts)
		return lh ? kgate_str_list_add(&a->hosts, lh) : 0;
	for (size_t i = 0; i < r->n_hosts && !err; i++) {
		const char *h = lh ? host_meet(lh, r->hosts[i]) : r->hosts[i];

		if (h)
			err = strs_add_once(&a->hosts, h);
	}
	return err;
}

static int attach_add(struct attach_list *al, const struct gw_listener *l)
{
	struct attach *v;

	for (size_t i = 0; i < al->n; i++)
		if (al->v[i].l == l)
			return 0;	/* named twice: attached once */
	v = realloc(al->v, (al->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	al->v = v;
	v[al->n++] = (struct attach){ .l = l };
	return 0;
}

static const struct kk_obj *gw_ours(const struct gw_ctx *c, const char *ns,
				    const char *name)
{
	for (size_t i = 0; i < c->n_gws; i++)
		if (!strcmp(c->gws[i]->ns, ns) &&
		    !strcmp(c->gws[i]->name, name))
			return c->gws[i];
	return NULL;
}

/* The parts of a parentRef; false after an error. */
struct parent {
	const char *group, *kind, *ns, *name, *section;
	int64_t port;			/* 0: any */
};

static bool parent_read(struct rt_ctx *r, const struct kk_node *ref,
			size_t i, struct parent *p)
{
	char f[FIELD_LEN];
	bool ok;

	*p = (struct parent){ .group = GW_GROUP, .kind = "Gateway",
			      .ns = r->o->ns };
	gw_field(f, sizeof(f), "spec.parentRefs[%zu].group", i);
	ok = kk_str(r->d, r->o, kk_get(ref, "group"), f, &p->group) ||
	     !kk_get(ref, "group");
	gw_field(f, sizeof(f), "spec.parentRefs[%zu].kind", i);
	kk_str(r->d, r->o, kk_get(ref, "kind"), f, &p->kind);
	gw_field(f, sizeof(f), "spec.parentRefs[%zu].namespace", i);
	kk_str(r->d, r->o, kk_get(ref, "namespace"), f, &p->ns);
	gw_field(f, sizeof(f), "spec.parentRefs[%zu].sectionName", i);
	kk_str(r->d, r->o, kk_get(ref, "sectionName"), f, &p->section);
	gw_field(f, sizeof(f), "spec.parentRefs[%zu].port", i);
	kk_int(r->d, r->o, kk_get(ref, "port"), f, 1, 65535, &p->port);
	gw_field(f, sizeof(f), "spec.parentRefs[%zu].name", i);
	return gw_need_str(r->d, r->o, ref, "name", f, &p->name) &&
	       ok;
}

/* Say why parentRef @i, naming Gateway @gw of ours, attached nowhere. */
static void parent_none(struct rt_ctx *r, const struct kk_node *ref,
			size_t i, const struct parent *p, size_t selected)
{
	const struct kk_obj *gw = gw_ours(r->c, p->ns, p->name);
	char f[FIELD_LEN];

	if (selected) {
		gw_field(f, sizeof(f), "spec.parentRefs[%zu]", i);
		kk_note(r->d, r->o, ref, f,
			"Gateway %s/%s takes no routes from namespace %s",
			gw->ns, gw->name, r->o->ns);
	} else if (p->section) {
		gw_field(f, sizeof(f), "spec.parentRefs[%zu].sectionName", i);
		kk_note(r->d, r->o, kk_get(ref, "sectionName"), f,
			"Gateway %s/%s has no HTTP listener %s%s", gw->ns,
			gw->name, p->section, p->port ? " on that port" : "");
	} else if (p->port) {
		gw_field(f, sizeof(f), "spec.parentRefs[%zu].port", i);
		kk_note(r->d, r->o, kk_get(ref, "port"), f,
			"Gateway %s/%s has no HTTP listener on port %d",
			gw->ns, gw->name, (int)p->port);
	} else {
		gw_field(f, sizeof(f), "spec.parentRefs[%zu]", i);
		kk_note(r->d, r->o, ref, f,
			"Gateway %s/%s has no HTTP listener", gw->ns,
			gw->name);
	}
}

/*
 * The listeners parentRef @i attaches the route to, into @al.  *@ours
 * is set when it names a Gateway of ours.  0 or -ENOMEM.
 */
static int parent_attach(struct rt_ctx *r, const struct kk_node *ref,
			 size_t i, struct attach_list *al, bool *ours)
{
	size_t selected = 0, taken = 0;
	const struct kk_obj *gw;
	struct parent p;
	int err;

	if (!parent_read(r, ref, i, &p) || strcmp(p.group, GW_GROUP) ||
	    strcmp(p.kind, "Gateway"))
		return 0;	/* a parent of another kind: not ours */
	gw = gw_ours(r->c, p.ns, p.name);
	if (!gw)
		return 0;
	*ours = true;
	for (size_t k = 0; k < r->c->n_lis; k++) {
		const struct gw_listener *l = &r->c->lis[k];

		if (l->gw != gw || (p.section && strcmp(p.section, l->name)) ||
		    (p.port && p.port != l->port))
			continue;
		selected++;
		if (!l->all_ns && strcmp(gw->ns, r->o->ns))
			continue;
		taken++;
		err = attach_add(al, l);
		if (err)
			return err;
	}
	if (!taken)
		parent_none(r, ref, i, &p, selected);
	return 0;
}

/* spec.hostnames into r->hosts; false after an error. */
static bool hosts_read(struct rt_ctx *r)
{
	const struct kk_node *seq = kk_get(r->o->spec, "hostnames");
	char f[FIELD_LEN];
	bool ok = true;

	if (!kk_seq(r->d, r->o, seq, "spec.hostnames"))
		return !seq || seq->type == KK_NULL;
	if (seq->seq.n > RT_HOSTNAMES_MAX) {
		kk_error(r->d, r->o, seq, "spec.hostnames",
			 "%zu hostnames, more than %d", seq->seq.n,
			 RT_HOSTNAMES_MAX);
		return false;
	}
	r->hosts = calloc(seq->seq.n ? seq->seq.n : 1, sizeof(*r->hosts));
	if (!r->hosts)
		return false;
	for (size_t i = 0; i < seq->seq.n; i++) {
		const char *h, *why;

		gw_field(f, sizeof(f), "spec.hostnames[%zu]", i);
		if (!kk_need_str(r->d, r->o, seq->seq.v[i], f, &h)) {
			ok = false;
			continue;
		}
		why = gw_host_bad(h, true);
		if (why) {
			kk_error(r->d, r->o, seq->seq.v[i], f,
				 "invalid hostname %s: %s", h, why);
			ok = false;
			continue;
		}
		r->hosts[r->n_hosts++] = h;
	}
	return ok;
}

/* Intersect hostnames; drop (with a note) the listeners none meet. */
static int attach_filter(struct rt_ctx *r, struct attach_list *al)
{
	size_t kept = 0;
	int err;

	for (size_t i = 0; i < al->n; i++) {
		struct attach *a = &al->v[i];

		err = attach_hosts(r, a);
		if (err)
			return err;
		if (!a->hosts.n && (r->n_hosts || a->l->hostname)) {
			kk_note(r->d, r->o, kk_get(r->o->spec, "hostnames"),
				"spec.hostnames",
				"no hostname meets %s of listener %s of Gateway %s/%s: not attached there",
				a->l->hostname, a->l->name, a->l->gw->ns,
				a->l->gw->name);
			continue;
		}
		al->v[kept++] = *a;
	}
	al->n = kept;
	return 0;
}

/* ---- matches ---------------------------------------------------------- */

static bool is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool token_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (; *s; s++)
		if (!is_tchar(*s))
			return false;
	return true;
}

/* A field value: no control character but tab, no DEL. */
static bool value_ok(const char *s)
{
	if (strlen(s) > RT_VALUE_MAX)
		return false;
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

/* A query parameter name or value: no CTL, space, '&', '#', '=' (name). */
static bool param_ok(const char *s, bool name)
{
	if ((name && !*s) || strlen(s) > RT_VALUE_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '&' ||
		    *s == '#' || (name && *s == '='))
			return false;
	return true;
}

/*
 * A match path (@match) or a path modifier's value: as the kernel takes
 * them.  NULL if valid, else why not.
 */
static const char *path_bad(const char *p, bool match)
{
	size_t n = strlen(p);

	if (p[0] != '/')
		return "does not start with \"/\"";
	if (n > RT_PATH_MAX)
		return "longer than 4096 bytes";
	for (const char *s = p; *s; s++) {
		unsigned char ch = *s;

		if (ch <= 0x20 || ch >= 0x7f || ch == '?' || ch == '#')
			return "a control character, space, non-ASCII, '?' or '#'";
		if (match && !is_tchar(ch) && !strchr("/(),;=:@", ch))
			return "a character a path may not have";
	}
	if (match && (strstr(p, "//") || strstr(p, "/./") ||
		      strstr(p, "/../") || strcasestr(p, "%2f") ||
		      (n >= 2 && !strcmp(p + n - 2, "/.")) ||
		      (n >= 3 && !strcmp(p + n - 3, "/.."))))
		return "\"//\", a dot-segment or \"%2F\"";
	return NULL;
}

static bool match_path(struct rt_ctx *r, const struct kk_node *mn,
		       const char *mf, struct kgate_match *m)
{
	const struct kk_node *pn = kk_get(mn, "path");
	const char *type = "PathPrefix", *val = "/", *why;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.path", mf);
	if (pn && pn->type != KK_NULL && !kk_map(r->d, r->o, pn, f))
		return false;
	gw_field(f, sizeof(f), "%s.path.type", mf);
	kk_str(r->d, r->o, kk_get(pn, "type"), f, &type);
	if (!strcmp(type, "RegularExpression")) {
		kk_error(r->d, r->o, kk_get(pn, "type"), f,
			 "regular expression paths are not supported");
		return false;
	}
	if (strcmp(type, "PathPrefix") && strcmp(type, "Exact")) {
		kk_error(r->d, r->o, kk_get(pn, "type"), f,
			 "path type %s: expected PathPrefix or Exact", type);
		return false;
	}
	m->path_type = strcmp(type, "Exact") ? KGATE_PATH_PREFIX :
					       KGATE_PATH_EXACT;
	m->has |= KGATE_MATCH_HAS_PATH_TYPE;
	gw_field(f, sizeof(f), "%s.path.value", mf);
	kk_str(r->d, r->o, kk_get(pn, "value"), f, &val);
	why = path_bad(val, true);
	if (why) {
		kk_error(r->d, r->o, kk_get(pn, "value"), f, "path %s: %s",
			 val, why);
		return false;
	}
	return !kgate_set_str(&m->path, val);
}

/* One header (@hdr) or query parameter match: name and value. */
static bool match_kv(struct rt_ctx *r, const struct kk_node *kv,
		     const char *kf, bool hdr, struct kgate_kv_list *out)
{
	const char *type = "Exact", *name, *val;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.type", kf);
	kk_str(r->d, r->o, kk_get(kv, "type"), f, &type);
	if (!strcmp(type, "RegularExpression")) {
		kk_error(r->d, r->o, kk_get(kv, "type"), f,
			 "regular expression matches are not supported");
		return false;
	}
	if (strcmp(type, "Exact")) {
		kk_error(r->d, r->o, kk_get(kv, "type"), f,
			 "match type %s: expected Exact", type);
		return false;
	}
	gw_field(f, sizeof(f), "%s.name", kf);
	if (!gw_need_str(r->d, r->o, kv, "name", f, &name))
		return false;
	if (hdr ? !token_ok(name, RT_FIELD_MAX) :
	    !param_ok(name, true) || strlen(name) > RT_FIELD_MAX) {
		kk_error(r->d, r->o, kk_get(kv, "name"), f,
			 "invalid %s name %s",
			 hdr ? "header" : "query parameter", name);
		return false;
	}
	gw_field(f, sizeof(f), "%s.value", kf);
	if (!gw_need_str(r->d, r->o, kv, "value", f, &val))
		return false;
	if (hdr ? !value_ok(val) : !param_ok(val, false)) {
		kk_error(r->d, r->o, kk_get(kv, "value"), f, "invalid %s value",
			 hdr ? "header" : "query parameter");
		return false;
	}
	return !kgate_kv_list_add(out, name, val);
}

static bool match_kvs(struct rt_ctx *r, const struct kk_node *mn,
		      const char *mf, bool hdr, struct kgate_kv_list *out)
{
	const char *key = hdr ? "headers" : "queryParams";
	const struct kk_node *seq = kk_get(mn, key);
	char f[FIELD_LEN];
	bool ok = true;

	gw_field(f, sizeof(f), "%s.%s", mf, key);
	if (!kk_seq(r->d, r->o, seq, f))
		return !seq || seq->type == KK_NULL;
	if (seq->seq.n > RT_KV_MAX) {
		kk_error(r->d, r->o, seq, f, "%zu %s matches, more than %d",
			 seq->seq.n, hdr ? "header" : "query parameter",
			 RT_KV_MAX);
		return false;
	}
	for (size_t i = 0; i < seq->seq.n; i++) {
		gw_field(f, sizeof(f), "%s.%s[%zu]", mf, key, i);
		ok = match_kv(r, seq->seq.v[i], f, hdr, out) && ok;
	}
	return ok;
}

static bool match_method(struct rt_ctx *r, const struct kk_node *mn,
			 const char *mf, struct kgate_match *m)
{
	static const char *const methods[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
		"TRACE", "PATCH",
	};
	const char *meth;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.method", mf);
	if (!kk_str(r->d, r->o, kk_get(mn, "method"), f, &meth))
		return true;	/* any method (a wrong type is reported) */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(meth, methods[i]))
			return !kgate_set_str(&m->method, meth);
	kk_error(r->d, r->o, kk_get(mn, "method"), f,
		 "method %s: expected GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE or PATCH",
		 meth);
	return false;
}

static int rule_matches(struct rt_ctx *r, const struct kk_node *rn, size_t i,
			struct kgate_rule *rule)
{
	const struct kk_node *seq = kk_get(rn, "matches");
	char f[FIELD_LEN];
	size_t n = 0;

	gw_field(f, sizeof(f), "spec.rules[%zu].matches", i);
	if (kk_seq(r->d, r->o, seq, f))
		n = seq->seq.n;
	if (n > RT_MATCHES_MAX) {
		kk_error(r->d, r->o, seq, f, "%zu matches, more than %d", n,
			 RT_MATCHES_MAX);
		return 0;
	}
	for (size_t j = 0; j < (n ? n : 1); j++) {
		const struct kk_node *mn = n ? seq->seq.v[j] : NULL;
		struct kgate_match *m = kgate_rule_new_match(rule);

		if (!m)
			return -ENOMEM;
		gw_field(f, sizeof(f), "spec.rules[%zu].matches[%zu]", i, j);
		if (mn && !kk_map(r->d, r->o, mn, f))
			continue;
		/* no matches: the spec's default, PathPrefix "/" */
		if (!match_path(r, mn, f, m))
			continue;
		match_kvs(r, mn, f, true, &m->headers);
		match_kvs(r, mn, f, false, &m->query);
		match_method(r, mn, f, m);
	}
	return 0;
}

/* ---- filters ---------------------------------------------------------- */

static bool hdrmod_kvs(struct rt_ctx *r, const struct kk_node *hm,
		       const char *hf, const char *key,
		       struct kgate_kv_list *out)
{
	const struct kk_node *seq = kk_get(hm, key);
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.%s", hf, key);
	if (!kk_seq(r->d, r->o, seq, f))
		return !seq || seq->type == KK_NULL;
	if (seq->seq.n > RT_KV_MAX) {
		kk_error(r->d, r->o, seq, f, "%zu headers, more than %d",
			 seq->seq.n, RT_KV_MAX);
		return false;
	}
	for (size_t i = 0; i < seq->seq.n; i++) {
		const struct kk_node *e = seq->seq.v[i];
		const char *name, *val;

		gw_field(f, sizeof(f), "%s.%s[%zu].name", hf, key, i);
		if (!gw_need_str(r->d, r->o, e, "name", f, &name))
			return false;
		if (!token_ok(name, RT_FIELD_MAX)) {
			kk_error(r->d, r->o, kk_get(e, "name"), f,
				 "invalid header name %s", name);
			return false;
		}
		gw_field(f, sizeof(f), "%s.%s[%zu].value", hf, key, i);
		if (!gw_need_str(r->d, r->o, e, "value", f, &val))
			return false;
		if (!value_ok(val)) {
			kk_error(r->d, r->o, kk_get(e, "value"), f,
				 "invalid header value");
			return false;
		}
		if (kgate_kv_list_add(out, name, val))
			return false;
	}
	return true;
}

static bool hdrmod_remove(struct rt_ctx *r, const struct kk_node *hm,
			  const char *hf, struct kgate_str_list *out)
{
	const struct kk_node *seq = kk_get(hm, "remove");
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.remove", hf);
	if (!kk_seq(r->d, r->o, seq, f))
		return !seq || seq->type == KK_NULL;
	if (seq->seq.n > RT_KV_MAX) {
		kk_error(r->d, r->o, seq, f, "%zu headers, more than %d",
			 seq->seq.n, RT_KV_MAX);
		return false;
	}
	for (size_t i = 0; i < seq->seq.n; i++) {
		const char *name;

		gw_field(f, sizeof(f), "%s.remove[%zu]", hf, i);
		if (!kk_need_str(r->d, r->o, seq->seq.v[i], f, &name))
			return false;
		if (!token_ok(name, RT_FIELD_MAX)) {
			kk_error(r->d, r->o, seq->seq.v[i], f,
				 "invalid header name %s", name);
			return false;
		}
		if (kgate_str_list_add(out, name))
			return false;
	}
	return true;
}

static void filter_hdrmod(struct rt_ctx *r, const struct kk_node *hm,
			  const char *hf, struct kgate_hdrmod *out)
{
	if (hdrmod_kvs(r, hm, hf, "set", &out->set) &&
	    hdrmod_kvs(r, hm, hf, "add", &out->add))
		hdrmod_remove(r, hm, hf, &out->remove);
}

/* A path modifier (RequestRedirect, URLRewrite): type and value. */
static void filter_pathmod(struct rt_ctx *r, const struct kk_node *pm,
			   const char *pf, uint8_t *type, char **path,
			   struct rule_seen *seen)
{
	const char *t, *key, *val, *why;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.type", pf);
	if (!gw_need_str(r->d, r->o, pm, "type", f, &t))
		return;
	if (!strcmp(t, "ReplaceFullPath")) {
		*type = KGATE_PATHMOD_FULL;
		key = "replaceFullPath";
	} else if (!strcmp(t, "ReplacePrefixMatch")) {
		*type = KGATE_PATHMOD_PREFIX;
		key = "replacePrefixMatch";
		seen->prefix = kk_get(pm, "type");
		memcpy(seen->prefix_f, f, sizeof(f));
	} else {
		kk_error(r->d, r->o, kk_get(pm, "type"), f,
			 "path modifier %s: expected ReplaceFullPath or ReplacePrefixMatch",
			 t);
		return;
	}
	gw_field(f, sizeof(f), "%s.%s", pf, key);
	if (!gw_need_str(r->d, r->o, pm, key, f, &val))
		return;
	/* ReplacePrefixMatch "" drops the prefix */
	why = *val || *type == KGATE_PATHMOD_FULL ? path_bad(val, false) : NULL;
	if (why) {
		kk_error(r->d, r->o, kk_get(pm, key), f, "path %s: %s", val,
			 why);
		return;
	}
	kgate_set_str(path, val);
}

/* An optional hostname of a redirect or rewrite into @out. */
static void filter_host(struct rt_ctx *r, const struct kk_node *fn,
			const char *ff, char **out)
{
	const char *h, *why;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.hostname", ff);
	if (!kk_str(r->d, r->o, kk_get(fn, "hostname"), f, &h))
		return;
	why = gw_host_bad(h, false);
	if (why) {
		kk_error(r->d, r->o, kk_get(fn, "hostname"), f,
			 "invalid hostname %s: %s", h, why);
		return;
	}
	kgate_set_str(out, h);
}

static void filter_path(struct rt_ctx *r, const struct kk_node *fn,
			const char *ff, uint8_t *type, char **path,
			struct rule_seen *seen)
{
	const struct kk_node *pm = kk_get(fn, "path");
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.path", ff);
	if (kk_map(r->d, r->o, pm, f))
		filter_pathmod(r, pm, f, type, path, seen);
}

static void filter_redirect(struct rt_ctx *r, const struct kk_node *fn,
			    const char *ff, struct kgate_redirect *rd,
			    struct rule_seen *seen)
{
	const char *scheme;
	int64_t v;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.scheme", ff);
	if (kk_str(r->d, r->o, kk_get(fn, "scheme"), f, &scheme)) {
		if (strcmp(scheme, "http") && strcmp(scheme, "https"))
			kk_error(r->d, r->o, kk_get(fn, "scheme"), f,
				 "scheme %s: expected http or https", scheme);
		else
			kgate_set_str(&rd->scheme, scheme);
	}
	filter_host(r, fn, ff, &rd->hostname);
	gw_field(f, sizeof(f), "%s.port", ff);
	if (kk_int(r->d, r->o, kk_get(fn, "port"), f, 1, 65535, &v)) {
		rd->port = (uint16_t)v;
		rd->has |= KGATE_REDIR_HAS_PORT;
	}
	filter_path(r, fn, ff, &rd->path_type, &rd->path, seen);
	if (rd->path_type != KGATE_PATHMOD_NONE)
		rd->has |= KGATE_REDIR_HAS_PATH_TYPE;
	gw_field(f, sizeof(f), "%s.statusCode", ff);
	if (!kk_int(r->d, r->o, kk_get(fn, "statusCode"), f, INT64_MIN,
		    INT64_MAX, &v))
		return;
	if (v != 301 && v != 302 && v != 303 && v != 307 && v != 308) {
		kk_error(r->d, r->o, kk_get(fn, "statusCode"), f,
			 "status code %lld: expected 301, 302, 303, 307 or 308",
			 (long long)v);
		return;
	}
	rd->status = (uint16_t)v;
	rd->has |= KGATE_REDIR_HAS_STATUS;
}

static void filter_rewrite(struct rt_ctx *r, const struct kk_node *fn,
			   const char *ff, struct kgate_rewrite *rw,
			   struct rule_seen *seen)
{
	filter_host(r, fn, ff, &rw->hostname);
	filter_path(r, fn, ff, &rw->path_type, &rw->path, seen);
	if (rw->path_type != KGATE_PATHMOD_NONE)
		rw->has |= KGATE_REWR_HAS_PATH_TYPE;
}

/* The filters kgate has: type, the key of its settings, its rule bit. */
static const struct filter_kind {
	const char *type, *key;
	uint32_t bit;
} filter_kinds[] = {
	{ "RequestHeaderModifier", "requestHeaderModifier",
	  KGATE_RULE_HAS_REQ_HEADERS },
	{ "ResponseHeaderModifier", "responseHeaderModifier",
	  KGATE_RULE_HAS_RESP_HEADERS },
	{ "RequestRedirect", "requestRedirect", KGATE_RULE_HAS_REDIRECT },
	{ "URLRewrite", "urlRewrite", KGATE_RULE_HAS_REWRITE },
};

static const struct filter_kind *filter_kind(const char *type)
{
	for (size_t i = 0; i < sizeof(filter_kinds) / sizeof(*filter_kinds);
	     i++)
		if (!strcmp(type, filter_kinds[i].type))
			return &filter_kinds[i];
	return NULL;
}

static void filter_one(struct rt_ctx *r, const struct kk_node *fl,
		       const char *flf, struct kgate_rule *rule,
		       struct rule_seen *seen)
{
	const struct filter_kind *k;
	const struct kk_node *fn;
	const char *type;
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.type", flf);
	if (!gw_need_str(r->d, r->o, fl, "type", f, &type))
		return;
	k = filter_kind(type);
	if (!k) {
		kk_error(r->d, r->o, kk_get(fl, "type"), f,
			 "filter %s is not supported", type);
		return;
	}
	if (rule->has & k->bit) {
		kk_error(r->d, r->o, kk_get(fl, "type"), f,
			 "filter %s given twice in one rule", type);
		return;
	}
	rule->has |= k->bit;
	if (k->bit == KGATE_RULE_HAS_REDIRECT) {
		seen->redirect = kk_get(fl, "type");
		memcpy(seen->redirect_f, f, sizeof(f));
	} else if (k->bit == KGATE_RULE_HAS_REWRITE) {
		seen->rewrite = kk_get(fl, "type");
		memcpy(seen->rewrite_f, f, sizeof(f));
	}
	fn = kk_get(fl, k->key);
	gw_field(f, sizeof(f), "%s.%s", flf, k->key);
	if (!fn) {
		kk_error(r->d, r->o, fl, f, "missing");
		return;
	}
	if (!kk_map(r->d, r->o, fn, f))
		return;
	if (k->bit == KGATE_RULE_HAS_REQ_HEADERS)
		filter_hdrmod(r, fn, f, &rule->req);
	else if (k->bit == KGATE_RULE_HAS_RESP_HEADERS)
		filter_hdrmod(r, fn, f, &rule->resp);
	else if (k->bit == KGATE_RULE_HAS_REDIRECT)
		filter_redirect(r, fn, f, &rule->redirect, seen);
	else
		filter_rewrite(r, fn, f, &rule->rewrite, seen);
}

static void rule_filters(struct rt_ctx *r, const struct kk_node *rn,
			 size_t i, struct kgate_rule *rule,
			 struct rule_seen *seen)
{
	const struct kk_node *seq = kk_get(rn, "filters");
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "spec.rules[%zu].filters", i);
	if (!kk_seq(r->d, r->o, seq, f))
		return;
	for (size_t j = 0; j < seq->seq.n; j++) {
		gw_field(f, sizeof(f), "spec.rules[%zu].filters[%zu]", i, j);
		if (kk_map(r->d, r->o, seq->seq.v[j], f))
			filter_one(r, seq->seq.v[j], f, rule, seen);
	}
}

/* ---- backends --------------------------------------------------------- */

/* The group, kind and namespace of a backendRef: a Service of ours? */
static bool backend_kind(struct rt_ctx *r, const struct kk_node *b,
			 const char *bf, const char **ns)
{
	const char *group = "", *kind = "Service";
	char f[FIELD_LEN];

	gw_field(f, sizeof(f), "%s.group", bf);
	kk_str(r->d, r->o, kk_get(b, "group"), f, &group);
	if (*group) {
		kk_error(r->d, r->o, kk_get(b, "group"), f,
			 "backend group %s is not supported (Services only)",
			 group);
		return false;
	}
	gw_field(f, sizeof(f), "%s.kind", bf);
	kk_str(r->d, r->o, kk_get(b, "kind"), f, &kind);
	if (strcmp(kind, "Service")) {
		kk_error(r->d, r->o, kk_get(b, "kind"), f,
			 "backend kind %s is not supported (Services only)",
			 kind);
		return false;
	}
	gw_field(f, sizeof(f), "%s.namespace", bf);
	*ns = r->o->ns;
	kk_str(r->d, r->o, kk_get(b, "namespace"), f, ns);
	if (strcmp(*ns, r->o->ns)) {
		kk_error(r->d, r->o, kk_get(b, "namespace"), f,
			 "a backend in namespace %s needs a ReferenceGrant, which kgate does not support",
			 *ns);
		return false;
	}
	gw_field(f, sizeof(f), "%s.filters", bf);
	if (kk_seq(r->d, r->o, kk_get(b, "filters"), f) &&
	    kk_get(b, "filters")->seq.n) {
		kk_error(r->d, r->o, kk_get(b, "filters"), f,
			 "filters on a backendRef are not supported");
		return false;
	}
	return true;
}

static int backend_one(struct rt_ctx *r, const struct kk_node *b,
		       const char *bf, struct kgate_rule *rule)
{
	const char *ns, *name, *why = NULL;
	int64_t port, weight = 1;
	bool has_weight;
	char f[FIELD_LEN], svc[KGATE_NAME_MAX];
	int err;

	if (!backend_kind(r, b, bf, &ns))
		return 0;
	gw_field(f, sizeof(f), "%s.weight", bf);
	has_weight = kk_int(r->d, r->o, kk_get(b, "weight"), f, 0,
			    RT_WEIGHT_MAX, &weight);
	gw_field(f, sizeof(f), "%s.name", bf);
	if (!gw_need_str(r->d, r->o, b, "name", f, &name))
		return 0;
	gw_field(f, sizeof(f), "%s.port", bf);
	if (!gw_need_int(r->d, r->o, b, "port", f, 1, 65535, &port))
		return 0;
	err = kk_service_ref(r->c->ix, ns, name, (uint32_t)port, NULL, svc,
			     sizeof(svc), &why);
	if (err == -ENOENT) {
		gw_field(f, sizeof(f), "%s.name", bf);
		kk_note(r->d, r->o, kk_get(b, "name"), f,
			"Service %s/%s not found: answered 503 until it exists",
			ns, name);
		kk_service_name(svc, sizeof(svc), ns, name, (uint32_t)port,
				IPPROTO_TCP);
	} else if (err == -ESRCH) {
		kk_error(r->d, r->o, kk_get(b, "port"), f,
			 "backend %s/%s:%lld: %s", ns, name, (long long)port,
			 why ? why : "no such port");
		return 0;
	} else if (err) {
		return err;
	}
	return kgate_rule_add_ref(rule, svc, has_weight, (uint32_t)weight);
}

static int rule_backends(struct rt_ctx *r, const struct kk_node *rn,
			 size_t i, struct kgate_rule *rule)
{
	const struct kk_node *seq = kk_get(rn, "backendRefs");
	char f[FIELD_LEN];
	int err;

	gw_field(f, sizeof(f), "spec.rules[%zu].backendRefs", i);
	if (!kk_seq(r->d, r->o, seq, f))
		return 0;
	if (seq->seq.n > RT_BACKENDS_MAX) {
		kk_error(r->d, r->o, seq, f, "%zu backendRefs, more than %d",
			 seq->seq.n, RT_BACKENDS_MAX);
		return 0;
	}
	for (size_t j = 0; j < seq->seq.n; j++) {
		gw_field(f, sizeof(f), "spec.rules[%zu].backendRefs[%zu]", i,
			 j);
		if (!kk_map(r->d, r->o, seq->seq.v[j], f))
			continue;
		err = backend_one(r, seq->seq.v[j], f, rule);
		if (err)
			return err;
	}
	return 0;
}

/* ---- rules ------------------------------------------------------------ */

/* What the Gateway API (and the kernel) forbid across a rule's parts. */
static void rule_check(struct rt_ctx *r, const struct kk_node *rn, size_t i,
		       const struct kgate_rule *rule,
		       const struct rule_seen *seen)
{
	char f[FIELD_LEN];

	if (seen->redirect && seen->rewrite)
		kk_error(r->d, r->o, seen->rewrite, seen->rewrite_f,
			 "RequestRedirect and URLRewrite cannot be combined");
	if (seen->redirect && rule->n_refs) {
		gw_field(f, sizeof(f), "spec.rules[%zu].backendRefs", i);
		kk_error(r->d, r->o, kk_get(rn, "backendRefs"), f,
			 "RequestRedirect cannot be combined with backendRefs");
	}
	for (size_t j = 0; seen->prefix && j < rule->n_matches; j++)
		if (rule->matches[j].path_type != KGATE_PATH_PREFIX) {
			kk_error(r->d, r->o, seen->prefix, seen->prefix_f,
				 "ReplacePrefixMatch needs PathPrefix matches only");
			break;
		}
}

static int rule_read(struct rt_ctx *r, const struct kk_node *rn, size_t i,
		     struct kgate_route *t)
{
	struct kgate_rule *rule = kgate_route_new_rule(t);
	struct rule_seen seen = { 0 };
	char f[FIELD_LEN];
	int err;

	if (!rule)
		return -ENOMEM;
	gw_field(f, sizeof(f), "spec.rules[%zu]", i);
	if (rn && !kk_map(r->d, r->o, rn, f))
		return 0;
	err = rule_matches(r, rn, i, rule);
	if (err)
		return err;
	rule_filters(r, rn, i, rule, &seen);
	err = rule_backends(r, rn, i, rule);
	if (err)
		return err;
	rule_check(r, rn, i, rule, &seen);
	return 0;
}

/* spec.rules into @t; none: the spec's default, one rule matching "/". */
static int rules_read(struct rt_ctx *r, struct kgate_route *t)
{
	const struct kk_node *seq = kk_get(r->o->spec, "rules");
	size_t n = 0;
	int err;

	if (kk_seq(r->d, r->o, seq, "spec.rules"))
		n = seq->seq.n;
	else if (seq && seq->type != KK_NULL)
		return 0;
	if (n > RT_RULES_MAX) {
		kk_error(r->d, r->o, seq, "spec.rules",
			 "%zu rules, more than %d", n, RT_RULES_MAX);
		return 0;
	}
	for (size_t i = 0; i < (n ? n : 1); i++) {
		err = rule_read(r, n ? seq->seq.v[i] : NULL, i, t);
		if (err)
			return err;
	}
	return 0;
}

/* ---- output ----------------------------------------------------------- */

static int kvs_copy(struct kgate_kv_list *dst, const struct kgate_kv_list *src)
{
	int err = 0;

	for (size_t i = 0; i < src->n && !err; i++)
		err = kgate_kv_list_add(dst, src->v[i].name, src->v[i].value);
	return err;
}

static int strs_copy(struct kgate_str_list *dst,
		     const struct kgate_str_list *src)
{
	int err = 0;

	for (size_t i = 0; i < src->n && !err; i++)
		err = kgate_str_list_add(dst, src->v[i]);
	return err;
}

static int str_copy(char **dst, const char *src)
{
	return src ? kgate_set_str(dst, src) : 0;
}

static int hdrmod_copy(struct kgate_hdrmod *dst, const struct kgate_hdrmod *src)
{
	return kvs_copy(&dst->set, &src->set) ?:
	       kvs_copy(&dst->add, &src->add) ?:
	       strs_copy(&dst->remove, &src->remove);
}

static int match_copy(struct kgate_rule *rule, const struct kgate_match *src)
{
	struct kgate_match *m = kgate_rule_new_match(rule);

	if (!m)
		return -ENOMEM;
	m->path_type = src->path_type;
	m->has = src->has;
	return str_copy(&m->path, src->path) ?:
	       str_copy(&m->method, src->method) ?:
	       kvs_copy(&m->headers, &src->headers) ?:
	       kvs_copy(&m->query, &src->query);
}

static int rule_copy(struct kgate_route *r, const struct kgate_rule *src)
{
	struct kgate_rule *rule = kgate_route_new_rule(r);
	int err = 0;

	if (!rule)
		return -ENOMEM;
	for (size_t i = 0; i < src->n_matches && !err; i++)
		err = match_copy(rule, &src->matches[i]);
	for (size_t i = 0; i < src->n_refs && !err; i++)
		err = kgate_rule_add_ref(rule, src->refs[i].service,
					 src->refs[i].has_weight,
					 src->refs[i].weight);
	if (err)
		return err;
	rule->has = src->has;
	rule->redirect.port = src->redirect.port;
	rule->redirect.status = src->redirect.status;
	rule->redirect.path_type = src->redirect.path_type;
	rule->redirect.has = src->redirect.has;
	rule->rewrite.path_type = src->rewrite.path_type;
	rule->rewrite.has = src->rewrite.has;
	return hdrmod_copy(&rule->req, &src->req) ?:
	       hdrmod_copy(&rule->resp, &src->resp) ?:
	       str_copy(&rule->redirect.scheme, src->redirect.scheme) ?:
	       str_copy(&rule->redirect.hostname, src->redirect.hostname) ?:
	       str_copy(&rule->redirect.path, src->redirect.path) ?:
	       str_copy(&rule->rewrite.hostname, src->rewrite.hostname) ?:
	       str_copy(&rule->rewrite.path, src->rewrite.path);
}

/* A kgate route @name on the kgate listeners of @v[0..n), rules of @t. */
static int route_emit(struct rt_ctx *r, const char *name,
		      const struct attach *v, size_t n,
		      const struct kgate_route *t)
{
	struct kgate_route *rt;
	int err = 0;

	if (strlen(name) > RT_NAME_MAX) {
		kk_error(r->d, r->o, r->o->metadata, "metadata.name",
			 "route name %s is longer than %d bytes", name,
			 RT_NAME_MAX);
		return 0;
	}
	rt = kk_add_route(r->c->out);
	if (!rt)
		return -ENOMEM;
	rt->kind = KGATE_ROUTE_HTTPROUTE;
	rt->has |= KGATE_RT_HAS_KIND;
	err = kgate_set_str(&rt->name, name) ?:
	      strs_copy(&rt->hosts, &v->hosts);
	for (size_t i = 0; i < n && !err; i++)
		for (size_t k = 0; k < v[i].l->n_kgate && !err; k++)
			err = strs_add_once(&rt->listeners, v[i].l->kgate[k]);
	for (size_t i = 0; i < t->n_rules && !err; i++)
		err = rule_copy(rt, &t->rules[i]);
	if (!err && rt->listeners.n > KGATE_ROUTE_LISTENERS_MAX)
		kk_error(r->d, r->o, kk_get(r->o->spec, "parentRefs"),
			 "spec.parentRefs",
			 "attached to %zu kgate listeners, more than %d",
			 rt->listeners.n, KGATE_ROUTE_LISTENERS_MAX);
	return err;
}

static bool hosts_all_same(const struct attach_list *al)
{
	for (size_t i = 1; i < al->n; i++)
		if (!strs_same(&al->v[0].hosts, &al->v[i].hosts))
			return false;
	return true;
}

static int routes_emit(struct rt_ctx *r, const struct attach_list *al,
		       const struct kgate_route *t)
{
	char name[1024];
	int err = 0;

	if (hosts_all_same(al)) {
		snprintf(name, sizeof(name), "%s/%s", r->o->ns, r->o->name);
		return route_emit(r, name, al->v, al->n, t);
	}
	for (size_t i = 0; i < al->n && !err; i++) {
		const struct gw_listener *l = al->v[i].l;

		if (!strcmp(l->gw->ns, r->o->ns))
			snprintf(name, sizeof(name), "%s/%s/%s/%s", r->o->ns,
				 r->o->name, l->gw->name, l->name);
		else
			snprintf(name, sizeof(name), "%s/%s/%s/%s/%s",
				 r->o->ns, r->o->name, l->gw->ns, l->gw->name,
				 l->name);
		err = route_emit(r, name, &al->v[i], 1, t);
	}
	return err;
}

/* The listeners of ours the route's parents give; false: skipped. */
static int parents(struct rt_ctx *r, struct attach_list *al, bool *ours)
{
	const struct kk_node *seq = kk_get(r->o->spec, "parentRefs");
	char f[FIELD_LEN];
	int err;

	if (!kk_seq(r->d, r->o, seq, "spec.parentRefs"))
		return 0;
	for (size_t i = 0; i < seq->seq.n; i++) {
		gw_field(f, sizeof(f), "spec.parentRefs[%zu]", i);
		if (!kk_map(r->d, r->o, seq->seq.v[i], f))
			continue;
		err = parent_attach(r, seq->seq.v[i], i, al, ours);
		if (err)
			return err;
	}
	return 0;
}

static int route_build(struct rt_ctx *r, struct attach_list *al)
{
	size_t errors = r->d->errors;
	struct kgate_route t;
	int err;

	if (!hosts_read(r))
		return r->d->errors > errors ? 0 : -ENOMEM;
	err = attach_filter(r, al);
	if (err)
		return err;
	if (!al->n) {
		kk_skipped(r->d, r->o,
			   "no listener of its Gateways takes its hostnames");
		return 0;
	}
	kgate_route_init(&t);
	err = rules_read(r, &t);
	if (!err && r->d->errors == errors)
		err = routes_emit(r, al, &t);
	kgate_route_free(&t);
	return err;
}

int gw_translate_httproute(struct gw_ctx *c, const struct kk_obj *o)
{
	struct rt_ctx r = { .c = c, .o = o, .d = c->d };
	struct attach_list al = { 0 };
	bool ours = false;
	int err;

	if (!gw_version_ok(c->d, o, true))
		return 0;
	err = parents(&r, &al, &ours);
	if (!err && !ours)
		kk_skipped(c->d, o, "no parentRef names a Gateway of kgate's");
	else if (!err && !al.n)
		kk_skipped(c->d, o, "no listener of its Gateways takes it");
	else if (!err)
		err = route_build(&r, &al);
	attach_free(&al);
	free(r.hosts);
	return err;
}

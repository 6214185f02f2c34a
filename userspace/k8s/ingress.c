// SPDX-License-Identifier: GPL-2.0
/*
 * Ingresses and IngressClasses to kgate routes on the Ingress listener.
 *
 * An Ingress of ours gives one route per host ("NS/NAME/HOST", "-" for
 * rules without one), a rule per path; its nginx annotations that kgate
 * has (rewrite-target, limit-rps, whitelist-source-range) go on each of
 * its routes.  spec.defaultBackend is the listener's default backend.
 * TLS is checked (the Secret exists and is of the TLS type) but not
 * served yet: the user is told so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgate_l7.h"
#include "kgate_parse.h"
#include "kgate_state.h"
#include "kk.h"

#define ING_GROUP	"networking.k8s.io"
#define ING_CONTROLLER	"kgate.io/ingress-controller"
#define ANN_CLASS	"kubernetes.io/ingress.class"
#define ANN_DEFAULT	"ingressclass.kubernetes.io/is-default-class"
#define ANN_NGINX	"nginx.ingress.kubernetes.io/"
#define LEGACY_CLASS	"kgate"	/* the legacy annotation's value for us */
/* Route names and hosts, as kmod/core/match.h has them. */
#define NAME_MAX_LEN	253
#define PATH_MAX_LEN	4096
#define RULES_MAX	1024	/* per route */
#define BURST_DEFAULT	5	/* ingress-nginx's burst multiplier */

/* Room for a field path: an annotation's key is up to 253 characters. */
#define FIELD_LEN	320

struct ing_ctx {
	const struct kk_index *ix;
	const struct kk_config *cfg;
	struct kgate_state *out;
	struct kk_diag *d;
	/* The Ingress whose spec.defaultBackend the listener has. */
	const struct kk_obj *dflt_owner;
};

/* What the annotations of one Ingress give each of its routes. */
struct ing_opts {
	const char *rewrite;		/* NULL: none */
	uint32_t rate, burst;		/* rate 0: no limit */
	struct kgate_range allow[KGATE_RANGES_MAX];
	size_t n_allow;
};

/* One Ingress being translated. */
struct ing {
	struct ing_ctx *c;
	const struct kk_obj *o;
	struct kgate_listener *lis;
	struct ing_opts opts;
	size_t first_route;	/* its routes are out->rts[first_route..] */
};

/*
 * @buf (FIELD_LEN bytes) = a field path for messages.  Paths are short;
 * one that does not fit is cut, which only shortens a message.
 */
static void fieldf(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fieldf(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, FIELD_LEN, fmt, ap);
	va_end(ap);
}

/*
 * The string @key of map @parent (field @field): true and *@out, else
 * false after an error; a missing one is reported at @parent, where it
 * belongs.
 */
static bool need_str(struct kk_diag *d, const struct kk_obj *o,
		     const struct kk_node *parent, const char *key,
		     const char *field, const char **out)
{
	const struct kk_node *n = kk_get(parent, key);

	if (!n || n->type == KK_NULL) {
		kk_error(d, o, parent, field, "missing");
		return false;
	}
	return kk_str(d, o, n, field, out);
}

/* ---- IngressClasses ---------------------------------------------------- */

static const char *class_controller(const struct kk_obj *ic)
{
	const struct kk_node *n = kk_get(ic->spec, "controller");

	return n && n->type == KK_STR ? n->s : NULL;
}

static bool class_is_ours(const struct kk_obj *ic)
{
	const char *ctl = class_controller(ic);

	return ctl && !strcmp(ctl, ING_CONTROLLER);
}

static bool class_is_default(const struct kk_obj *ic)
{
	const char *v = kk_annotation(ic, ANN_DEFAULT);

	return v && !strcmp(v, "true");
}

/* Each IngressClass: its controller must be a string; others' skipped. */
static void check_classes(struct ing_ctx *c)
{
	for (size_t i = 0; i < c->ix->n; i++) {
		const struct kk_obj *ic = &c->ix->v[i];
		const char *ctl;

		if (!kk_is(ic, ING_GROUP, "IngressClass"))
			continue;
		if (!need_str(c->d, ic, ic->spec, "controller",
			      "spec.controller", &ctl))
			continue;
		if (strcmp(ctl, ING_CONTROLLER))
			kk_skipped(c->d, ic, "controller %s is not kgate's", ctl);
	}
}

/*
 * Whose is an Ingress of class @name (an IngressClass, or the legacy
 * annotation's value): 1 ours, 0 not (reported as skipped).
 */
static int class_named(struct ing_ctx *c, const struct kk_obj *o,
		       const char *name, bool legacy)
{
	const struct kk_obj *ic;

	ic = kk_find(c->ix, ING_GROUP, "IngressClass", NULL, name);
	if (!ic) {
		if (legacy && !strcmp(name, LEGACY_CLASS))
			return 1;
		kk_skipped(c->d, o, "IngressClass %s not found", name);
		return 0;
	}
	if (class_is_ours(ic))
		return 1;
	kk_skipped(c->d, o, "class %s is not kgate's (controller %s)", name,
		   class_controller(ic) ? class_controller(ic) : "unset");
	return 0;
}

/*
 * An Ingress without a class is the default IngressClass's; with several
 * marked default, Kubernetes refuses it (so do we).
 */
static int class_default(struct ing_ctx *c, const struct kk_obj *o)
{
	const struct kk_obj *first = NULL, *second = NULL;

	for (size_t i = 0; i < c->ix->n; i++) {
		const struct kk_obj *ic = &c->ix->v[i];

		if (!kk_is(ic, ING_GROUP, "IngressClass") ||
		    !class_is_default(ic))
			continue;
		if (!first)
			first = ic;
		else if (!second)
			second = ic;
	}
	if (second) {
		kk_error(c->d, o, NULL, "spec.ingressClassName",
			 "no class, and IngressClasses %s and %s are both the default: name one",
			 first->name, second->name);
		return -1;
	}
	if (first)
		return class_named(c, o, first->name, false);
	if (c->cfg->ingress_default_class)
		return 1;
	kk_skipped(c->d, o, "no class, and no IngressClass is the default");
	return 0;
}

/* 1: the Ingress is ours; 0: not (skipped); -1: an error was reported. */
static int ingress_is_ours(struct ing_ctx *c, const struct kk_obj *o)
{
	const struct kk_node *n = kk_get(o->spec, "ingressClassName");
	const char *name = NULL;

	if (n && n->type != KK_NULL) {
		if (!kk_str(c->d, o, n, "spec.ingressClassName", &name))
			return -1;
		return class_named(c, o, name, false);
	}
	name = kk_annotation(o, ANN_CLASS);
	if (name)
		return class_named(c, o, name, true);
	return class_default(c, o);
}

/* ---- checks of names, hosts, paths, prefixes -------------------------- */

static bool is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* A DNS-1123 subdomain, or "*." and one: NULL, else why not. */
static const char *host_why(const char *h)
{
	const char *bad = "expected a DNS-1123 subdomain (labels of a-z, 0-9 and '-') or \"*.\" and one";
	const char *s = h;
	size_t len, label = 0;
	bool digits = true;

	if (strchr(h, ':'))
		return "a host has no ':' (no port, no IPv6 address)";
	if (strlen(h) > NAME_MAX_LEN)
		return "longer than 253 characters";
	if (!strncmp(s, "*.", 2))
		s += 2;
	if (strchr(s, '*'))
		return "a wildcard is one leading label \"*.\"";
	len = strlen(s);
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : '.';

		if (ch >= 'A' && ch <= 'Z')
			return "must be lower case";
		if (ch == '.') {
			if (!label || s[i - 1] == '-')
				return bad;
			label = 0;
			continue;
		}
		if ((!is_lower_alnum(ch) && ch != '-') || (ch == '-' && !label))
			return bad;
		if (++label > 63)
			return "a label is longer than 63 characters";
		digits = digits && ch >= '0' && ch <= '9';
	}
	return digits && s == h ? "an IP address is not a host" : NULL;
}

/* A path kgate can match (kmod/core/match.c): NULL, else why not. */
static const char *path_why(const char *p)
{
	if (p[0] != '/')
		return "must start with \"/\"";
	if (strlen(p) > PATH_MAX_LEN)
		return "longer than 4096 characters";
	for (const char *s = p; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch >= 0x7f || ch == '?' || ch == '#')
			return "a space, control, non-ASCII, '?' or '#' character";
	}
	return NULL;
}

/* Characters that make ingress-nginx read a path as a regex. */
static bool path_is_regex(const char *p)
{
	return strpbrk(p, "()[]{}*+|^$\\") != NULL;
}

/* A capture group reference "$N" in a rewrite target. */
static bool has_capture(const char *s)
{
	for (; *s; s++)
		if (s[0] == '$' && s[1] >= '0' && s[1] <= '9')
			return true;
	return false;
}

/* ---- annotations -------------------------------------------------------- */

/* The node of annotation @key (for its position), or NULL. */
static const struct kk_node *ann_node(const struct kk_obj *o, const char *key)
{
	return kk_get(kk_get(o->metadata, "annotations"), key);
}

/*
 * Annotation @key of @o as a string: 1 and *@out, 0 when absent, -1 when
 * not a string (reported).  @field (FIELD_LEN bytes) gets its field path.
 */
static int ann_str(struct ing *g, const char *key, char *field,
		   const char **out)
{
	const struct kk_node *n = ann_node(g->o, key);

	fieldf(field, "metadata.annotations[%s]", key);
	if (!n || n->type == KK_NULL)
		return 0;
	return kk_str(g->c->d, g->o, n, field, out) ? 1 : -1;
}

/* An integer annotation >= 1 (and <= UINT32_MAX): as ann_str(). */
static int ann_uint(struct ing *g, const char *key, char *field,
		    uint32_t *out)
{
	const char *s;
	uint64_t v;
	int rc = ann_str(g, key, field, &s);

	if (rc <= 0)
		return rc;
	if (kgate_parse_uint(s, UINT32_MAX, &v) || !v) {
		kk_error(g->c->d, g->o, ann_node(g->o, key), field,
			 "\"%s\": expected an integer from 1 to %u", s,
			 UINT32_MAX);
		return -1;
	}
	*out = (uint32_t)v;
	return 1;
}

/* A "true" / "false" annotation: as ann_str(), *@out its value. */
static int ann_bool(struct ing *g, const char *key, char *field, bool *out)
{
	const char *s;
	int rc = ann_str(g, key, field, &s);

	if (rc <= 0)
		return rc;
	if (strcmp(s, "true") && strcmp(s, "false")) {
		kk_error(g->c->d, g->o, ann_node(g->o, key), field,
			 "\"%s\": expected \"true\" or \"false\"", s);
		return -1;
	}
	*out = !strcmp(s, "true");
	return 1;
}

static void ann_rewrite(struct ing *g)
{
	const char *key = ANN_NGINX "rewrite-target", *s, *why;
	char field[FIELD_LEN];
	bool regex;

	if (ann_bool(g, ANN_NGINX "use-regex", field, &regex) > 0 && regex)
		kk_error(g->c->d, g->o, ann_node(g->o, ANN_NGINX "use-regex"),
			 field, "regex paths are not supported by kgate");
	if (ann_str(g, key, field, &s) <= 0)
		return;
	if (has_capture(s)) {
		kk_error(g->c->d, g->o, ann_node(g->o, key), field,
			 "%s: capture groups need regex paths, which kgate does not have",
			 s);
		return;
	}
	why = path_why(s);
	if (why) {
		kk_error(g->c->d, g->o, ann_node(g->o, key), field,
			 "%s: %s", s, why);
		return;
	}
	g->opts.rewrite = s;
}

static void ann_rate(struct ing *g)
{
	const char *key = ANN_NGINX "limit-burst-multiplier";
	uint32_t rate = 0, mult = BURST_DEFAULT;
	char field[FIELD_LEN];

	if (ann_uint(g, ANN_NGINX "limit-rps", field, &rate) <= 0)
		rate = 0;
	if (ann_uint(g, key, field, &mult) < 0 || !rate)
		return;
	if ((uint64_t)rate * mult > UINT32_MAX) {
		kk_error(g->c->d, g->o, ann_node(g->o, key), field,
			 "a burst of %u x %u requests is more than %u", rate,
			 mult, UINT32_MAX);
		return;
	}
	g->opts.rate = rate;
	g->opts.burst = rate * mult;
}

/* @r has no bits set past its prefix length, which fits its family. */
static const char *range_why(const struct kgate_range *r)
{
	size_t len = kgate_addr_len(&r->addr);

	if (r->plen > len * 8)
		return "prefix length too long for the address";
	for (size_t bit = r->plen; bit < len * 8; bit++)
		if (r->addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return "address bits set past the prefix length";
	return NULL;
}

/* One item of whitelist-source-range, @len bytes at @s. */
static void ann_allow_one(struct ing *g, const char *s, size_t len,
			  const char *field)
{
	const struct kk_node *n = ann_node(g->o, ANN_NGINX
					   "whitelist-source-range");
	char item[64], why[96];
	struct kgate_range r;
	const char *bad;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(item)) {
		kk_error(g->c->d, g->o, n, field,
			 "expected comma-separated CIDRs such as 10.0.0.0/8, got \"%.*s\"",
			 (int)len, s);
		return;
	}
	memcpy(item, s, len);
	item[len] = '\0';
	if (kgate_parse_prefix(item, &r, why, sizeof(why))) {
		kk_error(g->c->d, g->o, n, field, "%s: %s", item, why);
		return;
	}
	bad = range_why(&r);
	if (bad) {
		kk_error(g->c->d, g->o, n, field, "%s: %s", item, bad);
		return;
	}
	if (g->opts.n_allow == KGATE_RANGES_MAX) {
		kk_error(g->c->d, g->o, n, field, "more than %d ranges",
			 KGATE_RANGES_MAX);
		return;
	}
	g->opts.allow[g->opts.n_allow++] = r;
}

static void ann_allow(struct ing *g)
{
	char field[FIELD_LEN];
	const char *s, *comma;
	size_t errors = g->c->d->errors;

	if (ann_str(g, ANN_NGINX "whitelist-source-range", field, &s) <= 0)
		return;
	for (;; s = comma + 1) {
		comma = strchr(s, ',');
		ann_allow_one(g, s, comma ? (size_t)(comma - s) : strlen(s),
			      field);
		if (!comma || g->c->d->errors > errors)
			break;
	}
}

static void ann_ssl_redirect(struct ing *g)
{
	const char *key = ANN_NGINX "ssl-redirect";
	char field[FIELD_LEN];
	bool on;

	if (ann_bool(g, key, field, &on) <= 0 || !on)
		return;
	kk_note(g->c->d, g->o, ann_node(g->o, key), field,
		"TLS is not served yet: plain HTTP is not redirected");
}

/* The nginx annotations kgate reads; any other is said to be ignored. */
static bool ann_known(const char *key)
{
	static const char *const known[] = {
		"rewrite-target", "use-regex", "limit-rps",
		"limit-burst-multiplier", "whitelist-source-range",
		"ssl-redirect",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(key, known[i]))
			return true;
	return false;
}

static void ann_unknown(struct ing *g)
{
	const struct kk_node *m = kk_get(g->o->metadata, "annotations");
	size_t plen = strlen(ANN_NGINX);
	char field[FIELD_LEN];

	if (!m || m->type != KK_MAP)
		return;
	for (size_t i = 0; i < m->map.n; i++) {
		const char *key = m->map.v[i].key;

		if (strncmp(key, ANN_NGINX, plen) || ann_known(key + plen))
			continue;
		fieldf(field, "metadata.annotations[%s]", key);
		kk_note(g->c->d, g->o, m->map.v[i].value, field,
			"not supported by kgate: ignored");
	}
}

static void read_annotations(struct ing *g)
{
	ann_rewrite(g);
	ann_rate(g);
	ann_allow(g);
	ann_ssl_redirect(g);
	ann_unknown(g);
}

/* ---- backends ----------------------------------------------------------- */

/*
 * The kgate service of backend @b (field @field) into @name: 1, or 0
 * after an error, or -ENOMEM.
 */
static int backend_name(struct ing *g, const struct kk_node *b,
			const char *field, char *name, size_t len)
{
	const struct kk_node *svc = kk_get(b, "service"), *port, *num, *pn;
	struct kk_diag *d = g->c->d;
	const char *sname, *pname = NULL, *why = NULL;
	char f[FIELD_LEN], nf[FIELD_LEN];
	int64_t number = 0;
	int rc;

	if (!kk_map(d, g->o, b, field))
		return 0;
	if (kk_get(b, "resource")) {
		fieldf(f, "%s.resource", field);
		kk_error(d, g->o, kk_get(b, "resource"), f,
			 "resource backends are not supported");
		return 0;
	}
	fieldf(f, "%s.service", field);
	if (!svc) {
		kk_error(d, g->o, b, f, "missing");
		return 0;
	}
	if (!kk_map(d, g->o, svc, f))
		return 0;
	fieldf(f, "%s.service.name", field);
	if (!need_str(d, g->o, svc, "name", f, &sname))
		return 0;
	fieldf(nf, "%s.service.name", field);
	fieldf(f, "%s.service.port", field);
	port = kk_get(svc, "port");
	if (!port) {
		kk_error(d, g->o, svc, f, "missing");
		return 0;
	}
	if (!kk_map(d, g->o, port, f))
		return 0;
	num = kk_get(port, "number");
	pn = kk_get(port, "name");
	if ((num && num->type != KK_NULL) == (pn && pn->type != KK_NULL)) {
		kk_error(d, g->o, port, f, "expected one of number and name");
		return 0;
	}
	fieldf(f, "%s.service.port.%s", field,
		 num && num->type != KK_NULL ? "number" : "name");
	if (num && num->type != KK_NULL ?
	    !kk_int(d, g->o, num, f, 1, 65535, &number) :
	    !kk_str(d, g->o, pn, f, &pname))
		return 0;

	rc = kk_service_ref(g->c->ix, g->o->ns, sname, (uint32_t)number,
			    pname, name, len, &why);
	if (rc == -ENOMEM)
		return rc;
	if (rc == -ENOENT && !pname) {
		kk_note(d, g->o, kk_get(svc, "name"), nf,
			"Service %s/%s not found: answered 503 until it exists",
			g->o->ns, sname);
		kk_service_name(name, len, g->o->ns, sname, (uint32_t)number,
				IPPROTO_TCP);
		return 1;
	}
	if (rc == -ENOENT) {
		kk_error(d, g->o, pn, f,
			 "Service %s/%s not found: cannot resolve port name %s without the Service",
			 g->o->ns, sname, pname);
		return 0;
	}
	if (rc && pname) {
		kk_error(d, g->o, pn, f, "%s: Service %s/%s, port %s",
			 why ? why : "no such port", g->o->ns, sname, pname);
		return 0;
	}
	if (rc) {
		kk_error(d, g->o, num, f, "%s: Service %s/%s, port %lld",
			 why ? why : "no such port", g->o->ns, sname,
			 (long long)number);
		return 0;
	}
	return 1;
}

/* ---- routes ------------------------------------------------------------- */

/* A route's name: "NS/NAME/HOST". */
static void route_name(const struct ing *g, const char *host, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s/%s/%s", g->o->ns, g->o->name, host);
}

/* A new route of @g for @host ("-": none), annotations applied. */
static struct kgate_route *route_new(struct ing *g, const char *host,
				     const char *name)
{
	struct kgate_route *r = kk_add_route(g->c->out);
	const struct ing_opts *op = &g->opts;

	if (!r || kgate_set_str(&r->name, name) ||
	    kgate_str_list_add(&r->listeners, g->lis->name) ||
	    (strcmp(host, "-") && kgate_str_list_add(&r->hosts, host)) ||
	    (op->rewrite && kgate_set_str(&r->rewrite_target, op->rewrite)))
		return NULL;
	r->kind = KGATE_ROUTE_INGRESS;
	r->has |= KGATE_RT_HAS_KIND;
	if (op->rate) {
		r->rate = op->rate;
		r->burst = op->burst;
		r->has |= KGATE_RT_HAS_RATE | KGATE_RT_HAS_BURST;
	}
	for (size_t i = 0; i < op->n_allow; i++)
		if (kgate_route_add_allow(r, &op->allow[i]))
			return NULL;
	return r;
}

/*
 * The route of @g for @host, made on first use: several rules of one
 * host are one route.  NULL on ENOMEM; *@rc 0, or -EINVAL if its name is
 * too long (reported).
 */
static struct kgate_route *route_for(struct ing *g, const char *host,
				     const struct kk_node *n,
				     const char *field, int *rc)
{
	struct kgate_state *out = g->c->out;
	char name[3 * NAME_MAX_LEN + 4];

	*rc = 0;
	route_name(g, host, name, sizeof(name));
	for (size_t i = g->first_route; i < out->n_rts; i++)
		if (!strcmp(out->rts[i].name, name))
			return &out->rts[i];
	if (strlen(name) > NAME_MAX_LEN) {
		kk_error(g->c->d, g->o, n, field,
			 "the route name %s is longer than %d characters",
			 name, NAME_MAX_LEN);
		*rc = -EINVAL;
		return NULL;
	}
	return route_new(g, host, name);
}

static const struct {
	const char *name;
	uint8_t type;
} path_types[] = {
	{ "Exact", KGATE_PATH_EXACT },
	{ "Prefix", KGATE_PATH_PREFIX },
	{ "ImplementationSpecific", KGATE_PATH_IMPL },
};

/*
 * The pathType and path of path @p (field @field): true, or false after
 * an error.  *@path NULL: none ("/").
 */
static bool read_match(struct ing *g, const struct kk_node *p,
		       const char *field, uint8_t *type, const char **path)
{
	struct kk_diag *d = g->c->d;
	const struct kk_node *pn = kk_get(p, "path");
	char f[FIELD_LEN];
	const char *ts, *why;
	size_t i, n = sizeof(path_types) / sizeof(path_types[0]);

	fieldf(f, "%s.pathType", field);
	if (!need_str(d, g->o, p, "pathType", f, &ts))
		return false;
	for (i = 0; i < n && strcmp(ts, path_types[i].name); i++)
		;
	if (i == n) {
		kk_error(d, g->o, kk_get(p, "pathType"), f,
			 "%s: expected Exact, Prefix or ImplementationSpecific",
			 ts);
		return false;
	}
	*type = path_types[i].type;
	*path = NULL;
	fieldf(f, "%s.path", field);
	if (*type != KGATE_PATH_IMPL) {
		if (!need_str(d, g->o, p, "path", f, path))
			return false;
	} else if (pn && pn->type != KK_NULL &&
		   !kk_str(d, g->o, pn, f, path)) {
		return false;
	}
	if (!*path || (*type == KGATE_PATH_IMPL && !**path)) {
		*path = NULL;
		return true;
	}
	why = path_why(*path);
	if (!why && g->opts.rewrite && path_is_regex(*path))
		why = "a regex with rewrite-target, and kgate has no regex paths";
	if (why) {
		kk_error(d, g->o, pn, f, "%s: %s", *path, why);
		return false;
	}
	return true;
}

/* Path @p of a rule of host @host: a rule of that host's route. */
static int do_path(struct ing *g, const char *host, const struct kk_node *p,
		   const char *field)
{
	char f[FIELD_LEN], svc[KGATE_NAME_MAX];
	struct kgate_route *r;
	struct kgate_match *m;
	struct kgate_rule *rule;
	const char *path;
	uint8_t type;
	int rc;

	if (!kk_map(g->c->d, g->o, p, field) ||
	    !read_match(g, p, field, &type, &path))
		return 0;
	fieldf(f, "%s.backend", field);
	if (!kk_get(p, "backend")) {
		kk_error(g->c->d, g->o, p, f, "missing");
		return 0;
	}
	rc = backend_name(g, kk_get(p, "backend"), f, svc, sizeof(svc));
	if (rc <= 0)
		return rc;
	r = route_for(g, host, p, field, &rc);
	if (!r)
		return rc ? 0 : -ENOMEM;
	if (r->n_rules == RULES_MAX) {
		kk_error(g->c->d, g->o, p, field,
			 "more than %d paths for host %s", RULES_MAX, host);
		return 0;
	}
	rule = kgate_route_new_rule(r);
	m = rule ? kgate_rule_new_match(rule) : NULL;
	if (!m || (path && kgate_set_str(&m->path, path)) ||
	    kgate_rule_add_ref(rule, svc, false, 0))
		return -ENOMEM;
	m->path_type = type;
	m->has |= KGATE_MATCH_HAS_PATH_TYPE;
	return 0;
}

/* spec.rules[@i]: its host, and a rule per path. */
static int do_rule(struct ing *g, const struct kk_node *rl, size_t i)
{
	struct kk_diag *d = g->c->d;
	const struct kk_node *hn = kk_get(rl, "host"), *paths;
	char f[FIELD_LEN];
	const char *host = NULL, *why;
	int rc = 0;

	fieldf(f, "spec.rules[%zu]", i);
	if (!kk_map(d, g->o, rl, f))
		return 0;
	fieldf(f, "spec.rules[%zu].host", i);
	if (!kk_str(d, g->o, hn, f, &host) && hn && hn->type != KK_NULL)
		return 0;
	if (host && !*host)
		host = NULL;
	why = host ? host_why(host) : NULL;
	if (why) {
		kk_error(d, g->o, hn, f, "invalid host \"%s\": %s", host, why);
		return 0;
	}
	/* A rule without http: its host goes to the default backend. */
	if (!kk_get(rl, "http"))
		return 0;
	fieldf(f, "spec.rules[%zu].http.paths", i);
	paths = kk_get(kk_get(rl, "http"), "paths");
	if (!paths)
		kk_error(d, g->o, kk_get(rl, "http"), f, "missing");
	if (!paths || !kk_seq(d, g->o, paths, f))
		return 0;
	for (size_t j = 0; j < paths->seq.n && !rc; j++) {
		fieldf(f, "spec.rules[%zu].http.paths[%zu]", i, j);
		rc = do_path(g, host ? host : "-", paths->seq.v[j], f);
	}
	return rc;
}

static int do_rules(struct ing *g)
{
	const struct kk_node *rules = kk_get(g->o->spec, "rules");
	int rc = 0;

	if (!kk_seq(g->c->d, g->o, rules, "spec.rules"))
		return 0;
	for (size_t i = 0; i < rules->seq.n && !rc; i++)
		rc = do_rule(g, rules->seq.v[i], i);
	return rc;
}

/* ---- the default backend, TLS ------------------------------------------- */

static int do_default_backend(struct ing *g)
{
	const struct kk_node *b = kk_get(g->o->spec, "defaultBackend");
	struct kgate_listener *l = g->lis;
	char svc[KGATE_NAME_MAX];
	int rc;

	if (!b || b->type == KK_NULL)
		return 0;
	rc = backend_name(g, b, "spec.defaultBackend", svc, sizeof(svc));
	if (rc <= 0)
		return rc;
	if (l->default_backend && strcmp(l->default_backend, svc)) {
		kk_error(g->c->d, g->o, b, "spec.defaultBackend",
			 "listener %s already has default backend %s, from %s",
			 l->name, l->default_backend,
			 g->c->dflt_owner ? g->c->dflt_owner->label :
			 "another object");
		return 0;
	}
	if (!g->c->dflt_owner)
		g->c->dflt_owner = g->o;
	return kgate_set_str(&l->default_backend, svc);
}

/* spec.tls[@i].secretName: a TLS Secret of the namespace. */
static void tls_secret(struct ing *g, const struct kk_node *t, size_t i)
{
	const struct kk_node *sn = kk_get(t, "secretName"), *tn;
	const struct kk_obj *sec;
	const char *name, *type = NULL;
	char f[FIELD_LEN];

	fieldf(f, "spec.tls[%zu].secretName", i);
	if (!kk_str(g->c->d, g->o, sn, f, &name))
		return;
	sec = kk_find(g->c->ix, "", "Secret", g->o->ns, name);
	if (!sec) {
		kk_error(g->c->d, g->o, sn, f, "Secret %s/%s not found",
			 g->o->ns, name);
		return;
	}
	tn = kk_get(sec->root, "type");
	type = tn && tn->type == KK_STR ? tn->s : NULL;
	if (!type || strcmp(type, "kubernetes.io/tls"))
		kk_error(g->c->d, g->o, sn, f,
			 "Secret %s/%s is not of type kubernetes.io/tls",
			 g->o->ns, name);
}

static void tls_hosts(struct ing *g, const struct kk_node *t, size_t i)
{
	const struct kk_node *hosts = kk_get(t, "hosts");
	char f[FIELD_LEN];
	const char *h, *why;

	fieldf(f, "spec.tls[%zu].hosts", i);
	if (!kk_seq(g->c->d, g->o, hosts, f))
		return;
	for (size_t j = 0; j < hosts->seq.n; j++) {
		fieldf(f, "spec.tls[%zu].hosts[%zu]", i, j);
		if (!kk_need_str(g->c->d, g->o, hosts->seq.v[j], f, &h))
			continue;
		why = host_why(h);
		if (why)
			kk_error(g->c->d, g->o, hosts->seq.v[j], f,
				 "invalid host \"%s\": %s", h, why);
	}
}

static void do_tls(struct ing *g)
{
	const struct kk_node *tls = kk_get(g->o->spec, "tls");

	if (!kk_seq(g->c->d, g->o, tls, "spec.tls"))
		return;
	for (size_t i = 0; i < tls->seq.n; i++) {
		char f[FIELD_LEN];

		fieldf(f, "spec.tls[%zu]", i);
		if (!kk_map(g->c->d, g->o, tls->seq.v[i], f))
			continue;
		tls_hosts(g, tls->seq.v[i], i);
		tls_secret(g, tls->seq.v[i], i);
	}
	if (tls->seq.n)
		kk_note(g->c->d, g->o, tls, "spec.tls",
			"TLS is not served yet: plain HTTP only, on port %u",
			g->lis->port);
}

/* ---- Ingresses ---------------------------------------------------------- */

static int do_ingress(struct ing_ctx *c, const struct kk_obj *o)
{
	struct ing g = { .c = c, .o = o, .first_route = c->out->n_rts };
	const struct kk_node *rules = kk_get(o->spec, "rules");
	const struct kk_node *dflt = kk_get(o->spec, "defaultBackend");
	int rc;

	if (!kk_map(c->d, o, o->spec, "spec")) {
		if (!o->spec)
			kk_error(c->d, o, NULL, "spec", "missing");
		return 0;
	}
	if ((!rules || rules->type == KK_NULL ||
	     (rules->type == KK_SEQ && !rules->seq.n)) &&
	    (!dflt || dflt->type == KK_NULL)) {
		kk_error(c->d, o, o->spec, "spec",
			 "expected rules, a defaultBackend, or both");
		return 0;
	}
	g.lis = kk_listener_for(c->out, &c->cfg->ingress_addr,
				c->cfg->ingress_port);
	if (!g.lis)
		return -ENOMEM;
	read_annotations(&g);
	do_tls(&g);
	rc = do_default_backend(&g);
	return rc ? rc : do_rules(&g);
}

int kk_translate_ingresses(const struct kk_index *ix,
			   const struct kk_config *cfg,
			   struct kgate_state *out, struct kk_diag *d)
{
	struct ing_ctx c = { .ix = ix, .cfg = cfg, .out = out, .d = d };
	int rc = 0;

	check_classes(&c);
	for (size_t i = 0; i < ix->n && !rc; i++) {
		const struct kk_obj *o = &ix->v[i];

		if (!kk_is(o, ING_GROUP, "Ingress"))
			continue;
		if (ingress_is_ours(&c, o) == 1)
			rc = do_ingress(&c, o);
	}
	return rc;
}

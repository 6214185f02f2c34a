// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/core/match.c, built for userspace with ASan and UBSan.
 * The cases restate, in our own words, the rules and example tables of the
 * Kubernetes Ingress documentation and of the Gateway API HTTPRoute spec.
 * Prints TAP (tests/unit/tap.h); exit status non-zero if any test failed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "tap.h"

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_result(cond, "match: %s", msg);
}

/* ---- a table under construction: routes, rules, matches, ... ---------- */

#define MAX_ROUTES	12000
#define MAX_RULES	24000
#define MAX_MATCHES	24000
#define MAX_MISC	40000

static struct kg_match_route_in routes[MAX_ROUTES];
static struct kg_match_rule_in rules[MAX_RULES];
static struct kg_match_match_in matches[MAX_MATCHES];
static struct kg_match_backend_in backends[MAX_MISC];
static struct kg_mstr hostnames[MAX_MISC];
static struct kg_match_kv_in kvs[MAX_MISC];
static unsigned int nroutes, nrules, nmatches, nbackends, nhostnames, nkvs;
static struct kg_match_table_in tin;
static void *tbuf;
static struct kg_match_err terr;
static const struct kg_match_table *tbl;

static struct kg_mstr ms(const char *s)
{
	struct kg_mstr m = { s, s ? (u32)strlen(s) : 0 };

	return m;
}

static void reset(void)
{
	nroutes = nrules = nmatches = nbackends = nhostnames = nkvs = 0;
	memset(routes, 0, sizeof(routes));
	memset(rules, 0, sizeof(rules));
	memset(matches, 0, sizeof(matches));
	free(tbuf);
	tbuf = NULL;
	tbl = NULL;
}

/* A route with hostnames (NULL-terminated list). */
static struct kg_match_route_in *route(u32 kind, const char *name, u64 order,
				       ...)
{
	struct kg_match_route_in *r = &routes[nroutes++];
	const char *h;
	va_list ap;

	r->kind = kind;
	r->name = ms(name);
	r->order = order;
	r->hostnames = &hostnames[nhostnames];
	r->rules = &rules[nrules];
	va_start(ap, order);
	while ((h = va_arg(ap, const char *))) {
		hostnames[nhostnames++] = ms(h);
		r->nhostnames++;
	}
	va_end(ap);
	return r;
}

/* A rule of the last route, one backend: service @svc, weight 1. */
static struct kg_match_rule_in *rule(u32 svc)
{
	struct kg_match_rule_in *r = &rules[nrules++];

	routes[nroutes - 1].nrules++;
	r->matches = &matches[nmatches];
	r->backends = &backends[nbackends];
	backends[nbackends].service = svc;
	backends[nbackends++].weight = 1;
	r->nbackends = 1;
	return r;
}

/* A match of the last rule. */
static struct kg_match_match_in *match(u32 type, const char *path)
{
	struct kg_match_match_in *m = &matches[nmatches++];

	rules[nrules - 1].nmatches++;
	m->path_type = type;
	m->path = ms(path);
	return m;
}

static void header(struct kg_match_match_in *m, const char *n, const char *v)
{
	if (!m->nheaders)
		m->headers = &kvs[nkvs];
	kvs[nkvs].name = ms(n);
	kvs[nkvs++].value = ms(v);
	m->nheaders++;
}

static void param(struct kg_match_match_in *m, const char *n, const char *v)
{
	if (!m->nquery)
		m->query = &kvs[nkvs];
	kvs[nkvs].name = ms(n);
	kvs[nkvs++].value = ms(v);
	m->nquery++;
}

/* An Ingress route (host or NULL) with one rule per path. */
static void ingress(const char *name, const char *host, u32 type,
		    const char *path, u32 svc)
{
	route(KG_ROUTE_INGRESS, name, nroutes, host, NULL);
	rule(svc);
	match(type, path);
}

static int build(void)
{
	size_t size = 0;
	int rc;

	tin.routes = routes;
	tin.nroutes = nroutes;
	tin.default_backend = KG_MATCH_NONE;
	memset(&terr, 0, sizeof(terr));
	free(tbuf);
	tbuf = NULL;
	tbl = NULL;
	rc = kg_match_size(&tin, &size, &terr);
	if (rc)
		return rc;
	tbuf = malloc(size);
	if (!tbuf)
		abort();
	rc = kg_match_build(&tin, tbuf, size, &terr);
	if (!rc)
		tbl = kg_match_table(tbuf);
	return rc;
}

static struct kg_match_result res;
static struct kg_match_field fields[8];
static unsigned int nfields;

/* The service of the rule for a request, 0 for no match (services >= 1). */
static u32 lookup_m(const char *host, const char *target, const char *method)
{
	struct kg_match_req rq = {
		.host = host, .host_len = host ? (u32)strlen(host) : 0,
		.target = target, .target_len = (u32)strlen(target),
		.method = method, .method_len = method ? (u32)strlen(method) : 0,
		.fields = fields, .nfields = nfields,
	};

	if (!tbl || kg_match_lookup(tbl, &rq, &res))
		return 0;
	return kg_match_backend_service(tbl, res.rule_id, 0);
}

static u32 lookup(const char *host, const char *target)
{
	return lookup_m(host, target, "GET");
}

static void field(const char *n, const char *v)
{
	fields[nfields].name = n;
	fields[nfields].name_len = (u32)strlen(n);
	fields[nfields].value = v;
	fields[nfields++].value_len = (u32)strlen(v);
}

/* ---- Ingress ------------------------------------------------------------ */

/*
 * The Ingress documentation's table of path examples: rule paths (their
 * types: P prefix, E exact, I implementation-specific), services 1, 2, ...
 * in that order; the request path; the service expected (0: none, the
 * default backend).
 */
static const struct {
	const char *types;
	const char *paths[3];
	const char *req;
	u32 want;
} ingress_paths[] = {
	{ "P", { "/" }, "/", 1 },
	{ "P", { "/" }, "/any/path/at/all", 1 },
	{ "E", { "/foo" }, "/foo", 1 },
	{ "E", { "/foo" }, "/bar", 0 },
	{ "E", { "/foo" }, "/foo/", 0 },
	{ "E", { "/foo/" }, "/foo", 0 },
	{ "P", { "/foo" }, "/foo", 1 },
	{ "P", { "/foo" }, "/foo/", 1 },
	{ "P", { "/foo/" }, "/foo", 1 },
	{ "P", { "/foo/" }, "/foo/", 1 },
	{ "P", { "/aaa/bb" }, "/aaa/bbb", 0 },
	{ "P", { "/aaa/bbb" }, "/aaa/bbb", 1 },
	{ "P", { "/aaa/bbb/" }, "/aaa/bbb", 1 },
	{ "P", { "/aaa/bbb" }, "/aaa/bbb/", 1 },
	{ "P", { "/aaa/bbb" }, "/aaa/bbb/ccc", 1 },
	{ "P", { "/aaa/bbb" }, "/aaa/bbbxyz", 0 },
	{ "PP", { "/", "/aaa" }, "/aaa/ccc", 2 },
	{ "PPP", { "/", "/aaa", "/aaa/bbb" }, "/aaa/bbb", 3 },
	{ "PPP", { "/", "/aaa", "/aaa/bbb" }, "/ccc", 1 },
	{ "P", { "/aaa" }, "/ccc", 0 },
	{ "PE", { "/foo", "/foo" }, "/foo", 2 },
	{ "EP", { "/foo", "/foo" }, "/foo", 1 },
	/* Beyond the table: */
	{ "E", { "/foo" }, "/Foo", 0 },			/* case-sensitive */
	{ "P", { "/foo" }, "/Foo/bar", 0 },
	{ "E", { "/foo" }, "/foo?x=1", 1 },		/* query not in path */
	{ "P", { "/foo" }, "/foobar", 0 },
	{ "I", { "/foo" }, "/foo/bar", 1 },		/* impl. = prefix */
	{ "I", { "/foo" }, "/foobar", 0 },
	{ "PE", { "/foo", "/foo/bar" }, "/foo/bar", 2 },
	{ "PE", { "/foo/bar", "/foo" }, "/foo/bar", 1 },	/* longest */
	{ "EP", { "/foo/", "/foo" }, "/foo/", 1 },	/* 5 bytes > 4 */
	{ "P", { "/foo/bar" }, "/foo", 0 },
	{ "P", { "/" }, "*", 0 },			/* not a path */
	{ "P", { "/" }, "", 0 },
};

static void test_ingress_paths(void)
{
	unsigned int i, j;

	for (i = 0; i < sizeof(ingress_paths) / sizeof(ingress_paths[0]); i++) {
		char desc[128] = "";

		reset();
		route(KG_ROUTE_INGRESS, "default/ing", 1, "foo.com", NULL);
		for (j = 0; ingress_paths[i].types[j]; j++) {
			char c = ingress_paths[i].types[j];

			rule(j + 1);
			match(c == 'E' ? KG_PATH_EXACT : c == 'I' ?
			      KG_PATH_IMPL : KG_PATH_PREFIX,
			      ingress_paths[i].paths[j]);
			snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
				 "%s%s %s", j ? ", " : "",
				 c == 'E' ? "Exact" : c == 'I' ? "ImplSpecific" :
				 "Prefix", ingress_paths[i].paths[j]);
		}
		ok(!build() && lookup("foo.com", ingress_paths[i].req) ==
		   ingress_paths[i].want,
		   "ingress path: %s, request \"%s\" -> %s%u", desc,
		   ingress_paths[i].req,
		   ingress_paths[i].want ? "path " : "no match ",
		   ingress_paths[i].want);
	}
	reset();
	route(KG_ROUTE_INGRESS, "default/ing", 1, NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/aaa/bbb/");
	ok(!build() && lookup(NULL, "/aaa/bbb/ccc") == 1 &&
	   res.matched_len == 8,
	   "ingress path: matched length of \"/aaa/bbb/\" is 8 (no trailing /)");
	ok(lookup(NULL, "/") == 0 && kg_match_default_backend(tbl) == KG_MATCH_NONE,
	   "ingress path: no match and no default backend: 404 for the caller");
	tin.default_backend = 77;
	ok(!kg_match_build(&tin, tbuf, 1 << 20, &terr) &&
	   kg_match_default_backend(tbl) == 77,
	   "ingress: the listener's default backend is kept in the table");
}

static void test_ingress_hosts(void)
{
	reset();
	ingress("a/wild", "*.foo.com", KG_PATH_PREFIX, "/", 1);
	ingress("a/exact", "bar.foo.com", KG_PATH_PREFIX, "/x", 2);
	ingress("a/any", NULL, KG_PATH_PREFIX, "/", 3);
	ingress("a/other", "foo.bar.com", KG_PATH_PREFIX, "/", 4);
	ok(!build(), "ingress host: table builds");
	ok(lookup("baz.foo.com", "/") == 1,
	   "ingress host: *.foo.com matches baz.foo.com (shared suffix)");
	ok(lookup("baz.bar.foo.com", "/") == 3,
	   "ingress host: *.foo.com does not match baz.bar.foo.com (one label only)");
	ok(lookup("foo.com", "/") == 3,
	   "ingress host: *.foo.com does not match foo.com (one label needed)");
	ok(lookup("bar.foo.com", "/x/y") == 2,
	   "ingress host: exact bar.foo.com before the wildcard");
	ok(lookup("bar.foo.com", "/y") == 1,
	   "ingress host: exact host without a matching path: the wildcard's rules");
	ok(lookup("BAR.Foo.COM", "/x") == 2,
	   "ingress host: host compared case-insensitively");
	ok(lookup("bar.foo.com:8080", "/x") == 2 && lookup("baz.foo.com:1", "/") == 1,
	   "ingress host: the Host's port is ignored");
	ok(lookup("foo.bar.com", "/") == 4 && lookup("foo.bar.comm", "/") == 3 &&
	   lookup("xfoo.bar.com", "/") == 3,
	   "ingress host: precise host matches only itself");
	ok(lookup(NULL, "/") == 3 && lookup("", "/q") == 3,
	   "ingress host: no Host: only host-less rules");
	ok(lookup("[::1]:80", "/") == 3 && lookup("10.0.0.1", "/") == 3,
	   "ingress host: IP literals match host-less rules only");
	ok(lookup(".foo.com", "/") == 3,
	   "ingress host: an empty first label is not a wildcard's label");
}

/* ---- Gateway API -------------------------------------------------------- */

static void test_gateway_hosts(void)
{
	reset();
	route(KG_ROUTE_HTTP, "ns/wild", 1, "*.example.com", NULL);
	rule(1);
	route(KG_ROUTE_HTTP, "ns/wild2", 2, "*.test.example.com", NULL);
	rule(2);
	route(KG_ROUTE_HTTP, "ns/exact", 3, "foo.test.example.com", NULL);
	rule(3);
	match(KG_PATH_PREFIX, "/only");
	route(KG_ROUTE_HTTP, "ns/any", 4, NULL);
	rule(4);
	ok(!build(), "gateway host: table builds");
	ok(lookup("test.example.com", "/") == 1,
	   "gateway host: *.example.com matches test.example.com");
	ok(lookup("a.b.c.example.com", "/") == 1,
	   "gateway host: *.example.com matches several labels");
	ok(lookup("example.com", "/") == 4,
	   "gateway host: *.example.com does not match example.com");
	ok(lookup("bar.test.example.com", "/") == 2,
	   "gateway host: the longer wildcard first");
	ok(lookup("x.bar.test.example.com", "/") == 2,
	   "gateway host: the longer wildcard first, deeper host");
	ok(lookup("foo.test.example.com", "/only/x") == 3,
	   "gateway host: exact hostname first");
	ok(lookup("foo.test.example.com", "/other") == 2,
	   "gateway host: exact host without a matching rule: next wildcard");
	ok(lookup("other.org", "/") == 4,
	   "gateway host: a route without hostnames matches any host");

	reset();
	route(KG_ROUTE_INGRESS, "ns/ing", 5, "*.foo.com", NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/a");
	route(KG_ROUTE_HTTP, "ns/hr", 6, "*.foo.com", NULL);
	rule(2);
	match(KG_PATH_PREFIX, "/a/b");
	ok(!build() && lookup("x.foo.com", "/a/b") == 2 &&
	   lookup("x.foo.com", "/a/c") == 1,
	   "mixed: Ingress and HTTPRoute wildcards tie, path decides");
	ok(lookup("y.x.foo.com", "/a/c") == 0 && lookup("y.x.foo.com", "/a/b/c") == 2,
	   "mixed: the HTTPRoute wildcard covers more labels, the Ingress one not");
}

/* Two rules in two routes (or one), which one wins. */
static void test_gateway_precedence(void)
{
	struct kg_match_match_in *m;

	reset();
	route(KG_ROUTE_HTTP, "ns/a", 1, "h.com", NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/a/");
	rule(2);
	match(KG_PATH_EXACT, "/a");
	ok(!build() && lookup("h.com", "/a") == 2,
	   "gateway precedence: Exact before a PathPrefix of more characters");

	reset();
	route(KG_ROUTE_HTTP, "ns/a", 1, "h.com", NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/a");
	rule(2);
	match(KG_PATH_PREFIX, "/a/b");
	ok(!build() && lookup("h.com", "/a/b/c") == 2 && lookup("h.com", "/a/bc") == 1,
	   "gateway precedence: the longest PathPrefix");

	reset();
	route(KG_ROUTE_HTTP, "ns/a", 1, "h.com", NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/foo");
	rule(2);
	match(KG_PATH_PREFIX, "/foo/");
	ok(!build() && lookup("h.com", "/foo/x") == 2,
	   "gateway precedence: \"/foo/\" has more characters than \"/foo\"");

	reset();
	route(KG_ROUTE_HTTP, "ns/a", 1, NULL);
	rule(1);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "x-a", "1");
	header(m, "x-b", "2");
	param(m, "q", "1");
	rule(2);
	m = match(KG_PATH_PREFIX, "/");
	m->method = ms("GET");
	rule(3);
	match(KG_PATH_PREFIX, "/p");
	nfields = 0;
	field("X-A", "1");
	field("x-b", "2");
	ok(!build() && lookup_m(NULL, "/?q=1", "GET") == 2,
	   "gateway precedence: a method match before more headers");
	ok(lookup_m(NULL, "/?q=1", "POST") == 1,
	   "gateway precedence: headers (name case-insensitive) when the method differs");
	ok(lookup_m(NULL, "/p", "GET") == 3,
	   "gateway precedence: path before method");
	ok(lookup_m(NULL, "/", "get") == 0,
	   "gateway: method is case-sensitive, query missing: nothing");

	reset();
	route(KG_ROUTE_HTTP, "ns/a", 1, NULL);
	rule(1);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "x-a", "1");
	rule(2);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "x-a", "1");
	header(m, "x-b", "2");
	rule(3);
	m = match(KG_PATH_PREFIX, "/");
	param(m, "a", "1");
	param(m, "b", "2");
	param(m, "c", "");
	rule(4);
	m = match(KG_PATH_PREFIX, "/");
	param(m, "a", "1");
	nfields = 0;
	field("x-a", "1");
	field("x-b", "2");
	ok(!build() && lookup(NULL, "/?a=1&b=2&c") == 2,
	   "gateway precedence: more headers first");
	nfields = 1;
	ok(lookup(NULL, "/?a=1&b=2&c") == 1,
	   "gateway precedence: a header match before more query matches");
	nfields = 0;
	ok(lookup(NULL, "/?b=2&c&a=1") == 3,
	   "gateway precedence: more query matches first (\"c\" alone is \"\")");
	ok(lookup(NULL, "/?b=2&a=1") == 4 && lookup(NULL, "/?a=2&a=1") == 4,
	   "gateway: query values exact, any occurrence");
	ok(lookup(NULL, "/?A=1") == 0 && lookup(NULL, "/?a=1x") == 0,
	   "gateway: query names and values are case-sensitive and exact");
	field("X-A", "1 ");
	ok(lookup(NULL, "/") == 0,
	   "gateway: header values are exact");
	nfields = 0;
	field("x-a", "0");
	field("x-a", "1");
	ok(lookup(NULL, "/") == 1,
	   "gateway: any field line of a repeated header may match");

	reset();
	route(KG_ROUTE_HTTP, "ns/young", 9, NULL);
	rule(1);
	route(KG_ROUTE_HTTP, "ns/old", 3, NULL);
	rule(2);
	route(KG_ROUTE_HTTP, "ns/b", 5, NULL);
	rule(3);
	match(KG_PATH_PREFIX, "/x");
	route(KG_ROUTE_HTTP, "ns/a", 5, NULL);
	rule(4);
	match(KG_PATH_PREFIX, "/x");
	route(KG_ROUTE_HTTP, "ns/c", 1, NULL);
	rule(5);
	match(KG_PATH_PREFIX, "/y");
	rule(6);
	match(KG_PATH_PREFIX, "/y");
	ok(!build() && lookup(NULL, "/") == 2,
	   "gateway precedence: the oldest route");
	ok(lookup(NULL, "/x") == 4,
	   "gateway precedence: same age, alphabetical by namespace/name");
	ok(lookup(NULL, "/y/z") == 5 && res.rule == 0,
	   "gateway precedence: within a route, the first rule");
	ok(lookup(NULL, "/z") == 2 && res.route == 1 && res.match == 0,
	   "gateway: a rule without matches is PathPrefix \"/\"");

	reset();
	route(KG_ROUTE_HTTP, "ns/h", 1, "h.com", NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/");
	route(KG_ROUTE_HTTP, "ns/w", 0, "*.h.com", "x.h.com", NULL);
	rule(2);
	match(KG_PATH_EXACT, "/long/path/here");
	ok(!build() && lookup("h.com", "/long/path/here") == 1 &&
	   lookup("x.h.com", "/long/path/here") == 2,
	   "gateway precedence: hostname before path");

	reset();
	route(KG_ROUTE_HTTP, "ns/d", 1, NULL);
	rule(1);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "x-v", "a");
	header(m, "X-V", "b");
	rule(2);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "x-w", "1");
	header(m, "x-u", "1");
	nfields = 0;
	field("x-v", "a");
	field("x-w", "1");
	field("x-u", "1");
	ok(!build() && lookup(NULL, "/") == 2,
	   "gateway: a repeated header name in a match counts once");
	nfields = 1;
	ok(lookup(NULL, "/") == 1,
	   "gateway: of a repeated header name, the first entry is used");
	nfields = 0;

	reset();
	route(KG_ROUTE_INGRESS, "ns/ing", 2, "m.com", NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/a");
	route(KG_ROUTE_HTTP, "ns/hr", 1, "m.com", NULL);
	rule(2);
	match(KG_PATH_PREFIX, "/a");
	rule(3);
	match(KG_PATH_EXACT, "/a/b");
	ok(!build() && lookup("m.com", "/a/x") == 2 && lookup("m.com", "/a/b") == 3,
	   "mixed: same host and path: the older route, whatever its kind");
}

/* ---- filters ------------------------------------------------------------ */

/* The ReplacePrefixMatch table of HTTPPathModifier, row by row. */
static const struct {
	const char *path, *prefix, *repl, *want;
} prefix_table[] = {
	{ "/foo/bar", "/foo", "/xyz", "/xyz/bar" },
	{ "/foo/bar", "/foo", "/xyz/", "/xyz/bar" },
	{ "/foo/bar", "/foo/", "/xyz", "/xyz/bar" },
	{ "/foo/bar", "/foo/", "/xyz/", "/xyz/bar" },
	{ "/foo", "/foo", "/xyz", "/xyz" },
	{ "/foo/", "/foo", "/xyz", "/xyz/" },
	{ "/foo/bar", "/foo", "", "/bar" },
	{ "/foo/", "/foo", "", "/" },
	{ "/foo", "/foo", "", "/" },
	{ "/foo/", "/foo", "/", "/" },
	{ "/foo", "/foo", "/", "/" },
	/* Beyond the table: */
	{ "/foo/bar", "/foo", "/", "/bar" },
	{ "/foo/bar?x=1&y", "/foo", "/xyz", "/xyz/bar?x=1&y" },
	{ "/anything", "/", "/xyz", "/xyz/anything" },
	{ "/a/b/c", "/a/b", "/z", "/z/c" },
};

static void test_prefix_table(void)
{
	unsigned int i;
	char out[256];

	for (i = 0; i < sizeof(prefix_table) / sizeof(prefix_table[0]); i++) {
		int n;

		reset();
		route(KG_ROUTE_HTTP, "ns/rw", 1, NULL);
		rule(1)->rewrite = &(struct kg_match_rewrite_in){
			.path = { KG_PATHMOD_PREFIX, ms(prefix_table[i].repl) },
		};
		match(KG_PATH_PREFIX, prefix_table[i].prefix);
		n = -1;
		if (!build() && lookup(NULL, prefix_table[i].path) == 1)
			n = kg_match_rewrite_path(tbl, &res, prefix_table[i].path,
						  strlen(prefix_table[i].path),
						  out, sizeof(out));
		ok(n >= 0 && (size_t)n == strlen(prefix_table[i].want) &&
		   !memcmp(out, prefix_table[i].want, n),
		   "ReplacePrefixMatch: path %s, prefix %s, replacement \"%s\" -> %s (got %.*s)",
		   prefix_table[i].path, prefix_table[i].prefix,
		   prefix_table[i].repl, prefix_table[i].want, n > 0 ? n : 0, out);
	}
}

static int rewrite(const char *target, char *out, u32 cap)
{
	if (lookup(NULL, target) != 1)
		return -1000;
	return kg_match_rewrite_path(tbl, &res, target, strlen(target), out, cap);
}

#define OUT_IS(n, out, want) ((n) == (int)strlen(want) && !memcmp(out, want, n))

static void test_rewrite(void)
{
	char out[256];
	const char *h;
	u32 hl;
	int n;

	reset();
	route(KG_ROUTE_HTTP, "ns/rw", 1, NULL);
	rule(1)->rewrite = &(struct kg_match_rewrite_in){
		.hostname = ms("new.example.com"),
		.path = { KG_PATHMOD_FULL, ms("/full") },
	};
	ok(!build(), "URLRewrite: builds");
	n = rewrite("/foo/bar?q=1", out, sizeof(out));
	ok(OUT_IS(n, out, "/full?q=1"),
	   "URLRewrite ReplaceFullPath: /foo/bar?q=1 -> /full?q=1");
	ok(kg_match_rewrite_host(tbl, res.rule_id, &h, &hl) &&
	   hl == 15 && !memcmp(h, "new.example.com", 15),
	   "URLRewrite hostname");
	ok(rewrite("/foo/bar", out, 4) == -ENOSPC && rewrite("/foo/bar", out, 5) == 5,
	   "URLRewrite: -ENOSPC when the output does not fit");
	ok(!kg_match_is_redirect(tbl, res.rule_id),
	   "URLRewrite: not a redirect");

	reset();
	route(KG_ROUTE_HTTP, "ns/plain", 1, NULL);
	rule(1);
	n = build() ? -1 : rewrite("/a/b?c", out, sizeof(out));
	ok(OUT_IS(n, out, "/a/b?c") &&
	   !kg_match_rewrite_host(tbl, res.rule_id, &h, &hl),
	   "no rewrite: path and host unchanged");

	reset();
	route(KG_ROUTE_INGRESS, "ns/nginx", 1, NULL)->rewrite_target = ms("/");
	rule(1);
	match(KG_PATH_PREFIX, "/something");
	n = build() ? -1 : rewrite("/something/new?x=y", out, sizeof(out));
	ok(OUT_IS(n, out, "/?x=y"),
	   "rewrite-target \"/\": /something/new?x=y -> /?x=y (whole path, query kept)");
	n = rewrite("/something", out, sizeof(out));
	ok(OUT_IS(n, out, "/"), "rewrite-target \"/\": /something -> /");

	ok(OUT_IS(kg_match_replace_path(KG_PATHMOD_FULL, "", 0, 0, "/a?b", 4,
					out, sizeof(out)), out, "/?b"),
	   "ReplaceFullPath with an empty value gives \"/\"");
}

static int redirect(const char *scheme, const char *host, u32 port,
		    const char *target, char *out, u32 *status)
{
	struct kg_match_redirect_req rq = {
		scheme, strlen(scheme), host, strlen(host), port, target,
		strlen(target),
	};

	if (lookup(host, target) != 1)
		return -1000;
	return kg_match_redirect(tbl, &res, &rq, out, 255, status);
}

static void one_redirect(const struct kg_match_redirect_in *rd)
{
	reset();
	route(KG_ROUTE_HTTP, "ns/redir", 1, NULL);
	rule(1)->redirect = rd;
	match(KG_PATH_PREFIX, "/old");
	build();
}

static void test_redirect(void)
{
	char out[256];
	u32 status = 0;
	int n;

	one_redirect(&(struct kg_match_redirect_in){ .scheme = ms("https"),
						      .status = 301 });
	n = redirect("http", "foo.com:80", 80, "/old/x?q", out, &status);
	ok(OUT_IS(n, out, "https://foo.com/old/x?q") && status == 301 &&
	   kg_match_is_redirect(tbl, res.rule_id),
	   "RequestRedirect scheme https: port 443 implied and left out, 301");

	one_redirect(&(struct kg_match_redirect_in){ .hostname = ms("bar.com") });
	n = redirect("http", "foo.com:8080", 8080, "/old", out, &status);
	ok(OUT_IS(n, out, "http://bar.com:8080/old") && status == 302,
	   "RequestRedirect hostname: the listener's port kept, default 302");
	n = redirect("http", "foo.com", 80, "/old", out, &status);
	ok(OUT_IS(n, out, "http://bar.com/old"),
	   "RequestRedirect: http on the listener's port 80 leaves the port out");
	n = redirect("https", "foo.com", 443, "/old", out, &status);
	ok(OUT_IS(n, out, "https://bar.com/old"),
	   "RequestRedirect: https on the listener's port 443 leaves the port out");

	one_redirect(&(struct kg_match_redirect_in){ .scheme = ms("https"),
						      .port = 8443 });
	n = redirect("http", "foo.com", 80, "/old", out, &status);
	ok(OUT_IS(n, out, "https://foo.com:8443/old"),
	   "RequestRedirect scheme and port: https://foo.com:8443");

	one_redirect(&(struct kg_match_redirect_in){ .scheme = ms("http"),
						      .port = 80 });
	n = redirect("https", "foo.com:443", 443, "/old", out, &status);
	ok(OUT_IS(n, out, "http://foo.com/old"),
	   "RequestRedirect http port 80: the port left out");

	one_redirect(&(struct kg_match_redirect_in){ .scheme = ms("http") });
	n = redirect("https", "foo.com", 8443, "/old", out, &status);
	ok(OUT_IS(n, out, "http://foo.com/old"),
	   "RequestRedirect scheme http: port 80 implied, not the listener's");

	one_redirect(&(struct kg_match_redirect_in){
		.path = { KG_PATHMOD_PREFIX, ms("/new") }, .status = 308 });
	n = redirect("http", "foo.com", 80, "/old/a/b?z=1", out, &status);
	ok(OUT_IS(n, out, "http://foo.com/new/a/b?z=1") && status == 308,
	   "RequestRedirect ReplacePrefixMatch: /old/a/b -> /new/a/b");

	one_redirect(&(struct kg_match_redirect_in){
		.path = { KG_PATHMOD_FULL, ms("/landing") } });
	n = redirect("http", "[::1]:8080", 8080, "/old/a", out, &status);
	ok(OUT_IS(n, out, "http://[::1]:8080/landing"),
	   "RequestRedirect ReplaceFullPath, IPv6 Host");
	{
		struct kg_match_redirect_req rq = { "http", 4, "foo.com", 7, 80,
						    "/old", 4 };

		lookup(NULL, "/old");
		ok(kg_match_redirect(tbl, &res, &rq, out, 10, &status) == -ENOSPC,
		   "RequestRedirect: -ENOSPC when the Location does not fit");
	}

	reset();
	route(KG_ROUTE_HTTP, "ns/plain", 1, NULL);
	rule(1);
	build();
	ok(redirect("http", "a.com", 80, "/", out, &status) == -ENOENT,
	   "no redirect: -ENOENT");
}

static void test_headers(void)
{
	static const struct kg_match_kv_in set[] = { { { "X-Set", 5 }, { "s", 1 } } };
	static const struct kg_match_kv_in add[] = {
		{ { "x-add", 5 }, { "a1", 2 } }, { { "x-add", 5 }, { "a2", 2 } },
	};
	static const struct kg_mstr rm[] = { { "x-gone", 6 } };
	struct kg_match_hdrmod_in req = { set, 1, add, 2, rm, 1 };
	struct kg_match_hdrmod_in resp = { NULL, 0, NULL, 0, rm, 1 };
	const char *n, *v;
	u32 nl, vl;

	reset();
	route(KG_ROUTE_HTTP, "ns/hdr", 1, NULL);
	rule(1)->req_headers = &req;
	rules[0].resp_headers = &resp;
	ok(!build() && lookup(NULL, "/") == 1, "header modifiers: builds");
	ok(kg_match_hdr_count(tbl, res.rule_id, KG_HDR_REQUEST, KG_HDR_SET) == 1 &&
	   kg_match_hdr_count(tbl, res.rule_id, KG_HDR_REQUEST, KG_HDR_ADD) == 2 &&
	   kg_match_hdr_count(tbl, res.rule_id, KG_HDR_REQUEST, KG_HDR_REMOVE) == 1 &&
	   kg_match_hdr_count(tbl, res.rule_id, KG_HDR_RESPONSE, KG_HDR_SET) == 0 &&
	   kg_match_hdr_count(tbl, res.rule_id, KG_HDR_RESPONSE, KG_HDR_REMOVE) == 1,
	   "header modifiers: counts of set, add, remove, request and response");
	kg_match_hdr_get(tbl, res.rule_id, KG_HDR_REQUEST, KG_HDR_ADD, 1, &n, &nl,
			 &v, &vl);
	ok(nl == 5 && !memcmp(n, "x-add", 5) && vl == 2 && !memcmp(v, "a2", 2),
	   "header modifiers: the second add entry");
	ok(kg_match_hdr_drop(tbl, res.rule_id, KG_HDR_REQUEST, "x-set", 5) &&
	   kg_match_hdr_drop(tbl, res.rule_id, KG_HDR_REQUEST, "X-GONE", 6) &&
	   !kg_match_hdr_drop(tbl, res.rule_id, KG_HDR_REQUEST, "x-add", 5) &&
	   !kg_match_hdr_drop(tbl, res.rule_id, KG_HDR_REQUEST, "x-other", 7),
	   "header modifiers: set and remove drop the field (case-insensitive), add keeps it");
	ok(kg_match_hdr_drop(tbl, res.rule_id, KG_HDR_RESPONSE, "x-gone", 6) &&
	   !kg_match_hdr_drop(tbl, res.rule_id, KG_HDR_RESPONSE, "x-set", 5),
	   "ResponseHeaderModifier: its own remove list");
}

/* ---- weights ------------------------------------------------------------ */

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_weights(void)
{
	static const u32 w[] = { 1, 2, 0, 7, 0 };
	unsigned int cnt[5] = { 0 }, i, bad = 0;
	struct kg_match_rule_in *r;
	const int N = 1000000;

	reset();
	route(KG_ROUTE_HTTP, "ns/w", 1, NULL);
	r = rule(1);
	r->nbackends = 5;
	for (i = 0; i < 5; i++) {
		backends[i].service = 10 + i;
		backends[i].weight = w[i];
	}
	nbackends = 5;
	ok(!build(), "weights: builds");
	for (i = 0; i < (unsigned int)N; i++) {
		int b = kg_match_pick_backend(tbl, 0, rnd());

		if (b < 0 || b >= 5)
			bad++;
		else
			cnt[b]++;
	}
	tap_note("weights 1 2 0 7 0 over %d hashes: %u %u %u %u %u", N, cnt[0],
		 cnt[1], cnt[2], cnt[3], cnt[4]);
	ok(!bad && !cnt[2] && !cnt[4], "weights: weight 0 gets nothing");
	for (i = 0; i < 5; i++)
		if (w[i] && (cnt[i] < N / 10 * w[i] * 99 / 100 ||
			     cnt[i] > N / 10 * w[i] * 101 / 100))
			bad++;
	ok(!bad, "weights: shares within 1%% of weight / total");
	ok(kg_match_pick_backend(tbl, 0, 0) == 0 &&
	   kg_match_pick_backend(tbl, 0, 0xffffffffu) == 3,
	   "weights: the extreme hashes pick the first and last non-zero backend");
	ok(kg_match_backend_service(tbl, 0, 3) == 13 &&
	   kg_match_backend_service(tbl, 0, 5) == KG_MATCH_NONE,
	   "weights: the service of a backend index");

	backends[0].weight = backends[1].weight = backends[3].weight = 0;
	ok(!build() && kg_match_pick_backend(tbl, 0, 12345) == KG_MATCH_PICK_500,
	   "weights: all weights 0: 500");
	r->nbackends = 0;
	ok(!build() && kg_match_pick_backend(tbl, 0, 12345) == KG_MATCH_PICK_404,
	   "weights: no backends: 404");
	r->nbackends = 1;
	backends[0].weight = KG_MATCH_WEIGHT_MAX;
	ok(!build() && kg_match_pick_backend(tbl, 0, 0xffffffffu) == 0,
	   "weights: the largest weight alone");
}

/* ---- refusals ----------------------------------------------------------- */

static void expect_refusal(const char *what, const char *msg_part, u32 route,
			   u32 rule, u32 match, u32 item)
{
	int rc = build();

	ok(rc == -EINVAL && terr.msg && strstr(terr.msg, msg_part) &&
	   terr.route == route && terr.rule == rule && terr.match == match &&
	   terr.item == item,
	   "refused: %s: \"%s\" at route %d rule %d match %d item %d", what,
	   terr.msg ? terr.msg : "(none)", (int)terr.route, (int)terr.rule,
	   (int)terr.match, (int)terr.item);
}

static void bad_path(u32 kind, u32 type, const char *path, const char *msg)
{
	char what[128];

	reset();
	route(KG_ROUTE_HTTP, "ns/ok", 1, NULL);
	rule(1);
	route(kind, "ns/bad", 2, NULL);
	rule(1);
	match(KG_PATH_PREFIX, "/fine");
	rule(1);
	match(type, path);
	snprintf(what, sizeof(what), "%s path \"%s\"",
		 kind == KG_ROUTE_HTTP ? "HTTPRoute" : "Ingress", path);
	expect_refusal(what, msg, 1, 1, 0, KG_MATCH_NONE);
}

static void bad_host(const char *host, const char *msg)
{
	char what[128];

	reset();
	route(KG_ROUTE_HTTP, "ns/bad", 2, "ok.com", host, NULL);
	rule(1);
	snprintf(what, sizeof(what), "hostname \"%s\"", host);
	expect_refusal(what, msg, 0, KG_MATCH_NONE, KG_MATCH_NONE, 1);
}

static void test_refusals(void)
{
	struct kg_match_match_in *m;
	unsigned int i;
	size_t size;

	bad_path(KG_ROUTE_INGRESS, KG_PATH_PREFIX, "", "empty path");
	bad_path(KG_ROUTE_HTTP, KG_PATH_EXACT, "", "empty path");
	bad_path(KG_ROUTE_INGRESS, KG_PATH_PREFIX, "foo", "does not start with");
	bad_path(KG_ROUTE_HTTP, KG_PATH_PREFIX, "foo/", "does not start with");
	bad_path(KG_ROUTE_INGRESS, KG_PATH_EXACT, "/a b", "invalid character");
	bad_path(KG_ROUTE_INGRESS, KG_PATH_EXACT, "/a?b", "invalid character");
	bad_path(KG_ROUTE_HTTP, KG_PATH_PREFIX, "/a//b", "dot-segment");
	bad_path(KG_ROUTE_HTTP, KG_PATH_PREFIX, "/a/../b", "dot-segment");
	bad_path(KG_ROUTE_HTTP, KG_PATH_PREFIX, "/a/.", "dot-segment");
	bad_path(KG_ROUTE_HTTP, KG_PATH_PREFIX, "/a%2Fb", "%2F");
	bad_path(KG_ROUTE_HTTP, KG_PATH_PREFIX, "/a\"b", "invalid character");
	bad_path(KG_ROUTE_HTTP, KG_PATH_IMPL, "/a", "ImplementationSpecific");
	bad_path(KG_ROUTE_HTTP, 7, "/a", "unknown path type");

	bad_host("Foo.com", "lowercase");
	bad_host("foo_bar.com", "invalid hostname");
	bad_host("-a.com", "invalid hostname");
	bad_host("a-.com", "invalid hostname");
	bad_host("a..com", "empty label");
	bad_host("1.2.3.4", "IP address");
	bad_host("*.*.foo.com", "exactly one leading label");
	bad_host("foo.*.com", "exactly one leading label");
	bad_host("*foo.com", "exactly one leading label");
	bad_host("**.foo.com", "exactly one leading label");
	bad_host("*", "exactly one leading label");
	bad_host("*.", "invalid hostname");
	bad_host("", "empty hostname");
	bad_host("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
		 "63");

	reset();
	route(KG_ROUTE_HTTP, "ns/many", 1, NULL);
	rule(1);
	for (i = 0; i < KG_MATCH_MATCHES_MAX + 1; i++)
		match(KG_PATH_PREFIX, "/m");
	expect_refusal("65 matches", "more than 64 matches", 0, 0,
		       KG_MATCH_NONE, KG_MATCH_NONE);

	reset();
	route(KG_ROUTE_HTTP, "ns/w", 1, NULL);
	rule(1);
	rule(1);
	backends[1].weight = KG_MATCH_WEIGHT_MAX + 1;
	expect_refusal("weight 1000001", "weight out of range", 0, 1,
		       KG_MATCH_NONE, 0);
	rules[1].nbackends = KG_MATCH_BACKENDS_MAX + 1;
	expect_refusal("17 backends", "more than 16 backends", 0, 1,
		       KG_MATCH_NONE, KG_MATCH_NONE);

	reset();
	route(KG_ROUTE_HTTP, "ns/rp", 1, NULL);
	rule(1)->rewrite = &(struct kg_match_rewrite_in){
		.path = { KG_PATHMOD_PREFIX, ms("/x") } };
	match(KG_PATH_PREFIX, "/a");
	match(KG_PATH_EXACT, "/b");
	expect_refusal("ReplacePrefixMatch with an Exact match",
		       "PathPrefix matches only", 0, 0, 1, KG_MATCH_NONE);

	reset();
	route(KG_ROUTE_HTTP, "ns/rr", 1, NULL);
	rule(1)->rewrite = &(struct kg_match_rewrite_in){ .hostname = ms("a.com") };
	rules[0].redirect = &(struct kg_match_redirect_in){ .status = 301 };
	expect_refusal("redirect with rewrite", "cannot be combined", 0, 0,
		       KG_MATCH_NONE, KG_MATCH_NONE);
	rules[0].rewrite = NULL;
	rules[0].redirect = &(struct kg_match_redirect_in){ .status = 305 };
	expect_refusal("redirect status 305", "status", 0, 0, KG_MATCH_NONE,
		       KG_MATCH_NONE);
	rules[0].redirect = &(struct kg_match_redirect_in){ .scheme = ms("ftp") };
	expect_refusal("redirect scheme ftp", "scheme", 0, 0, KG_MATCH_NONE,
		       KG_MATCH_NONE);
	rules[0].redirect = &(struct kg_match_redirect_in){ .hostname = ms("*.a.com") };
	expect_refusal("redirect to a wildcard", "wildcard", 0, 0,
		       KG_MATCH_NONE, KG_MATCH_NONE);
	rules[0].redirect = &(struct kg_match_redirect_in){ .port = 65536 };
	expect_refusal("redirect port 65536", "port", 0, 0, KG_MATCH_NONE,
		       KG_MATCH_NONE);
	rules[0].redirect = &(struct kg_match_redirect_in){
		.path = { KG_PATHMOD_FULL, ms("") } };
	expect_refusal("ReplaceFullPath \"\"", "empty path", 0, 0,
		       KG_MATCH_NONE, KG_MATCH_NONE);
	rules[0].redirect = NULL;
	rules[0].req_headers = &(struct kg_match_hdrmod_in){
		.remove = (struct kg_mstr[]){ ms("ok"), ms("a b") }, .nremove = 2 };
	expect_refusal("header modifier name \"a b\"", "invalid header name", 0,
		       0, KG_MATCH_NONE, 1);
	rules[0].req_headers = &(struct kg_match_hdrmod_in){
		.set = (struct kg_match_kv_in[]){ { ms("x"), ms("a\r\nb: c") } },
		.nset = 1 };
	expect_refusal("header modifier value with CR LF", "invalid header value",
		       0, 0, KG_MATCH_NONE, 0);

	reset();
	route(KG_ROUTE_INGRESS, "ns/nginx", 1, NULL)->rewrite_target = ms("/$1");
	rule(1);
	match(KG_PATH_PREFIX, "/foo");
	expect_refusal("rewrite-target \"/$1\"", "capture group", 0,
		       KG_MATCH_NONE, KG_MATCH_NONE, KG_MATCH_NONE);
	routes[0].rewrite_target = ms("/");
	matches[0].path = ms("/something(/|$)(.*)");
	expect_refusal("regex path with rewrite-target",
		       "regex paths are not supported", 0, 0, 0, KG_MATCH_NONE);
	matches[0].path = ms("/plain");
	routes[0].kind = KG_ROUTE_HTTP;
	expect_refusal("rewrite-target on an HTTPRoute", "Ingress routes only", 0,
		       KG_MATCH_NONE, KG_MATCH_NONE, KG_MATCH_NONE);

	reset();
	route(KG_ROUTE_INGRESS, "ns/ing", 1, NULL);
	rule(1);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "x", "y");
	expect_refusal("Ingress with a header match", "no method, header", 0, 0,
		       0, KG_MATCH_NONE);
	m->nheaders = 0;
	rules[0].redirect = &(struct kg_match_redirect_in){ .status = 301 };
	expect_refusal("Ingress with a filter", "HTTPRoute rules only", 0, 0,
		       KG_MATCH_NONE, KG_MATCH_NONE);
	rules[0].redirect = NULL;
	rules[0].nmatches = 0;
	expect_refusal("Ingress rule without a path", "empty path", 0, 0,
		       KG_MATCH_NONE, KG_MATCH_NONE);

	reset();
	route(KG_ROUTE_HTTP, "ns/h", 1, NULL);
	rule(1);
	m = match(KG_PATH_PREFIX, "/");
	header(m, "ok", "1");
	header(m, "bad:name", "1");
	expect_refusal("header match name \"bad:name\"", "invalid header name",
		       0, 0, 0, 1);
	m->nheaders = 0;
	param(m, "a&b", "1");
	expect_refusal("query name \"a&b\"", "invalid query parameter name", 0,
		       0, 0, 0);
	m->nquery = 0;
	m->method = ms("GE T");
	expect_refusal("method \"GE T\"", "invalid method", 0, 0, 0,
		       KG_MATCH_NONE);
	m->method = ms("");
	routes[0].name = ms("has space");
	expect_refusal("route name with a space", "route name", 0,
		       KG_MATCH_NONE, KG_MATCH_NONE, KG_MATCH_NONE);
	routes[0].name = ms("");
	expect_refusal("empty route name", "route name", 0, KG_MATCH_NONE,
		       KG_MATCH_NONE, KG_MATCH_NONE);
	routes[0].name = ms("ns/h");
	routes[0].kind = 2;
	expect_refusal("route kind 2", "kind", 0, KG_MATCH_NONE, KG_MATCH_NONE,
		       KG_MATCH_NONE);
	routes[0].kind = KG_ROUTE_HTTP;

	ok(!kg_match_size(&tin, &size, NULL) &&
	   kg_match_build(&tin, tbuf, size - 1, NULL) == -ENOSPC,
	   "refused: a buffer one byte short: -ENOSPC");
}

/* The table owns its strings, and is position independent. */
static void test_copies(void)
{
	char host[] = "own.example.com", path[] = "/own/path";
	void *copy;

	reset();
	route(KG_ROUTE_HTTP, "ns/own", 1, host, NULL);
	rule(1);
	match(KG_PATH_EXACT, path);
	build();
	memset(host, 'x', sizeof(host) - 1);
	memset(path + 1, 'y', sizeof(path) - 2);
	ok(lookup("own.example.com", "/own/path") == 1,
	   "the table keeps copies of the input's strings");
	copy = malloc(1 << 16);
	{
		size_t size;

		kg_match_size(&tin, &size, NULL);
		memcpy(copy, tbuf, size);
		memset(tbuf, 0xa5, size);
		tbl = kg_match_table(copy);
		ok(lookup("own.example.com", "/own/path") == 1,
		   "a table copied elsewhere works (offsets, no pointers)");
	}
	free(copy);
	tbl = NULL;
}

/* ---- scale -------------------------------------------------------------- */

static char names[MAX_ROUTES][40], hosts[MAX_ROUTES][40], paths[MAX_ROUTES][40];

static void test_scale(void)
{
	unsigned int n = 10000, i, wrong = 0, maxp = 0;
	unsigned long long sump = 0;
	char target[64], host[64];

	reset();
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "ns/r%05u", i);
		snprintf(hosts[i], sizeof(hosts[i]), "svc%u.example.com", i % 1000);
		snprintf(paths[i], sizeof(paths[i]), "/api/v%u", i);
		route(i & 1 ? KG_ROUTE_HTTP : KG_ROUTE_INGRESS, names[i], i,
		      hosts[i], NULL);
		rule(i + 1);
		match(KG_PATH_PREFIX, paths[i]);
		rule(100000 + i);
		match(KG_PATH_EXACT, paths[i] + 4);
	}
	route(KG_ROUTE_HTTP, "ns/wild", n, "*.example.com", NULL);
	rule(999999);
	ok(!build(), "scale: 10001 routes, 20001 rules build");
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "svc%u.example.com", i % 1000);
		snprintf(target, sizeof(target), "/api/v%u/x/y/z?a=b", i);
		if (lookup(host, target) != i + 1)
			wrong++;
		sump += res.probes;
		if (res.probes > maxp)
			maxp = res.probes;
		snprintf(target, sizeof(target), "/v%u", i);
		if (lookup(host, target) != 100000 + i)
			wrong++;
		snprintf(target, sizeof(target), "/api/w%u/x", i);
		if (lookup(host, target) != 999999)
			wrong++;
	}
	tap_note("scale: 20001 rules: probes per lookup of a 5-element path: mean %.1f, max %u",
		 (double)sump / n, maxp);
	ok(!wrong, "scale: 30000 lookups each found the right rule");
	ok(maxp <= 8 * 15, "scale: at most (elements + 2) x log2(n) + candidates probes (%u)",
	   maxp);

	/* One host, 10000 paths: depth-bounded probes. */
	reset();
	route(KG_ROUTE_HTTP, "ns/one", 1, "one.com", NULL);
	for (i = 0; i < 1000; i++) {
		rule(i + 1);
		match(KG_PATH_PREFIX, paths[i]);
	}
	for (i = 1; i < 10; i++) {
		route(KG_ROUTE_HTTP, names[i], 1 + i, "one.com", NULL);
		rule(1000 * i + 1);
		match(KG_PATH_PREFIX, "/api");
	}
	ok(!build(), "scale: one host, 1000 paths plus 9 routes sharing one");
	wrong = maxp = 0;
	for (i = 0; i < 1000; i++) {
		snprintf(target, sizeof(target), "/api/v%u/a/b/c/d/e/f", i);
		if (lookup("one.com", target) != i + 1)
			wrong++;
		if (res.probes > maxp)
			maxp = res.probes;
	}
	if (lookup("one.com", "/api/nothing/here") != 1001)
		wrong++;
	tap_note("scale: one host, 1000 path keys, 9-element paths: max %u probes",
		 maxp);
	ok(!wrong && maxp <= 11 * 11,
	   "scale: deep paths cost O(depth log n) probes, not O(n) (%u)", maxp);
}

int main(void)
{
	test_ingress_paths();
	test_ingress_hosts();
	test_gateway_hosts();
	test_gateway_precedence();
	test_prefix_table();
	test_rewrite();
	test_redirect();
	test_headers();
	test_weights();
	test_refusals();
	test_copies();
	test_scale();
	reset();
	return tap_done();
}

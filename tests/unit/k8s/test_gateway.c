// SPDX-License-Identifier: GPL-2.0
/*
 * libkgate-k8s gateway.c and httproute.c on the host: GatewayClasses,
 * Gateways and HTTPRoutes as the kgate listeners and routes a user sees,
 * and every refusal as the exact line kgate prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/kgate.h>

#include "kgate_state.h"
#include "kk.h"
#include "tap.h"

struct fx {
	struct kk_docs docs;
	struct kk_diag d;
	struct kk_index ix;
	struct kgate_state st;
	struct kk_config cfg;
	char *msgs;
	int rc;
};

/* Load @yaml as "gw.yaml", index it and translate its Gateway objects. */
static void run(struct fx *f, const char *yaml)
{
	size_t len = 0;
	FILE *m;

	kk_docs_init(&f->docs);
	kk_diag_init(&f->d);
	kgate_state_init(&f->st);
	kk_config_init(&f->cfg);
	memset(&f->ix, 0, sizeof(f->ix));
	f->rc = kk_load_text(&f->docs, "gw.yaml", yaml, strlen(yaml), &f->d);
	if (!f->rc)
		f->rc = kk_index_build(&f->ix, &f->docs, &f->d);
	if (!f->rc)
		f->rc = kk_translate_gateways(&f->ix, &f->cfg, &f->st, &f->d);
	m = open_memstream(&f->msgs, &len);
	kk_diag_print(m, &f->d);
	fclose(m);
}

static void done(struct fx *f)
{
	kgate_state_free(&f->st);
	kk_index_free(&f->ix);
	kk_diag_free(&f->d);
	kk_docs_free(&f->docs);
	free(f->msgs);
}

static const struct kgate_route *route(const struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->st.n_rts; i++)
		if (!strcmp(f->st.rts[i].name, name))
			return &f->st.rts[i];
	return NULL;
}

static const struct kgate_listener *listener(const struct fx *f,
					     const char *name)
{
	for (size_t i = 0; i < f->st.n_lis; i++)
		if (!strcmp(f->st.lis[i].name, name))
			return &f->st.lis[i];
	return NULL;
}

/* "a,b": a list's strings in order, for one comparison. */
static const char *join(const struct kgate_str_list *l)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < l->n; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
			      l->v[i]);
	return buf;
}

/* "name=value,...". */
static const char *join_kv(const struct kgate_kv_list *l)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < l->n; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s=%s",
			      i ? "," : "", l->v[i].name, l->v[i].value);
	return buf;
}

/* "service@weight" (weight "-" when not given), ",". */
static const char *join_refs(const struct kgate_rule *rule)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < rule->n_refs; i++) {
		const struct kgate_ref *r = &rule->refs[i];

		if (r->has_weight)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s@%u",
				      i ? "," : "", r->service, r->weight);
		else
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s@-",
				      i ? "," : "", r->service);
	}
	return buf;
}

/* Lines 1-26: our class, Gateway default/my-gateway (http: 80), api-v1. */
#define PRE								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: GatewayClass\n"						\
	"metadata:\n"							\
	"  name: kgate\n"						\
	"spec:\n"							\
	"  controllerName: kgate.io/gateway-controller\n"		\
	"---\n"								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: Gateway\n"						\
	"metadata:\n"							\
	"  name: my-gateway\n"						\
	"spec:\n"							\
	"  gatewayClassName: kgate\n"					\
	"  listeners:\n"						\
	"  - name: http\n"						\
	"    port: 80\n"						\
	"    protocol: HTTP\n"						\
	"---\n"								\
	"apiVersion: v1\n"						\
	"kind: Service\n"						\
	"metadata:\n"							\
	"  name: api-v1\n"						\
	"spec:\n"							\
	"  ports:\n"							\
	"  - port: 80\n"						\
	"---\n"

/* Lines 27-34 after PRE: HTTPRoute default/r on my-gateway, "rules:". */
#define ROUTE								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: HTTPRoute\n"						\
	"metadata:\n"							\
	"  name: r\n"							\
	"spec:\n"							\
	"  parentRefs:\n"						\
	"  - name: my-gateway\n"					\
	"  rules:\n"

#define L(n) "gw.yaml:" #n ":"

TEST(test_seed_route)
{
	const struct kgate_route *r;
	const struct kgate_match *m;
	struct fx f;

	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: api-route\n"
	    "spec:\n"
	    "  parentRefs:\n"
	    "  - name: my-gateway\n"
	    "  hostnames:\n"
	    "  - \"api.example.com\"\n"
	    "  rules:\n"
	    "  - matches:\n"
	    "    - path:\n"
	    "        type: PathPrefix\n"
	    "        value: /v1\n"
	    "    backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n");
	CHECK_INT(f.rc, 0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_lis, 1);
	CHECK(listener(&f, "http-80") != NULL);
	CHECK_INT(f.st.lis[0].port, 80);
	CHECK_INT(f.st.lis[0].addr.family, AF_INET6);	/* every address */
	CHECK_INT(f.st.n_rts, 1);
	r = route(&f, "default/api-route");
	CHECK(r != NULL);
	if (!r)
		goto out;
	CHECK_INT(r->kind, KGATE_ROUTE_HTTPROUTE);
	CHECK(r->has & KGATE_RT_HAS_KIND);
	CHECK_STR(join(&r->listeners), "http-80");
	CHECK_STR(join(&r->hosts), "api.example.com");
	CHECK_INT(r->n_rules, 1);
	CHECK_INT(r->rules[0].n_matches, 1);
	m = &r->rules[0].matches[0];
	CHECK_INT(m->path_type, KGATE_PATH_PREFIX);
	CHECK(m->has & KGATE_MATCH_HAS_PATH_TYPE);
	CHECK_STR(m->path, "/v1");
	CHECK(m->method == NULL);
	CHECK_STR(join_refs(&r->rules[0]), "default/api-v1:80@-");
	CHECK_INT(r->rules[0].has, 0);
out:
	done(&f);
}

TEST(test_backend_service_missing_is_a_note)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - backendRefs:\n"
	    "    - name: web\n"
	    "      port: 8080\n");
	CHECK_INT(f.rc, 0);
	CHECK_STR(f.msgs, L(36) "13: note: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[0].name: Service default/web "
		  "not found: answered 503 until it exists\n");
	CHECK_INT(f.d.errors, 0);
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join_refs(&r->rules[0]), "default/web:8080@-"));
	done(&f);
}

TEST(test_path_types)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - matches:\n"
	    "    - path:\n"
	    "        type: Exact\n"
	    "        value: /exact\n"
	    "    - path:\n"
	    "        value: /prefix\n"
	    "    - path:\n"
	    "        type: PathPrefix\n"
	    "    - method: GET\n"
	    "  - backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n");
	CHECK_INT(f.rc, 0);
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r != NULL);
	if (!r)
		goto out;
	CHECK_INT(r->n_rules, 2);
	CHECK_INT(r->rules[0].n_matches, 4);
	CHECK_INT(r->rules[0].matches[0].path_type, KGATE_PATH_EXACT);
	CHECK_STR(r->rules[0].matches[0].path, "/exact");
	CHECK_INT(r->rules[0].matches[1].path_type, KGATE_PATH_PREFIX);
	CHECK_STR(r->rules[0].matches[1].path, "/prefix");
	CHECK_STR(r->rules[0].matches[2].path, "/");	/* value default */
	CHECK_STR(r->rules[0].matches[3].path, "/");	/* path default */
	CHECK_INT(r->rules[0].n_refs, 0);		/* 404 */
	/* A rule without matches: the one match PathPrefix "/" */
	CHECK_INT(r->rules[1].n_matches, 1);
	CHECK_INT(r->rules[1].matches[0].path_type, KGATE_PATH_PREFIX);
	CHECK_STR(r->rules[1].matches[0].path, "/");
out:
	done(&f);
}

TEST(test_no_rules_is_one_default_rule)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1beta1\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: r\n"
	    "spec:\n"
	    "  parentRefs:\n"
	    "  - name: my-gateway\n");
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r && r->n_rules == 1 && r->rules[0].n_matches == 1 &&
	      !strcmp(r->rules[0].matches[0].path, "/") &&
	      !r->rules[0].n_refs);
	done(&f);
}

TEST(test_path_errors)
{
	struct fx f;

	run(&f, PRE ROUTE
	    "  - matches:\n"
	    "    - path:\n"
	    "        type: RegularExpression\n"
	    "        value: /v[0-9]+\n"
	    "    - path:\n"
	    "        value: v1\n"
	    "    - path:\n"
	    "        type: Prefix\n"
	    "    - path:\n"
	    "        value: /a//b\n");
	CHECK_INT(f.rc, 0);
	CHECK_STR(f.msgs,
		  L(37) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[0].path.type: regular expression "
		  "paths are not supported\n"
		  L(40) "16: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[1].path.value: path v1: does not "
		  "start with \"/\"\n"
		  L(42) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[2].path.type: path type Prefix: "
		  "expected PathPrefix or Exact\n"
		  L(44) "16: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[3].path.value: path /a//b: \"//\", "
		  "a dot-segment or \"%2F\"\n");
	CHECK_INT(f.d.errors, 4);
	CHECK_INT(f.st.n_rts, 0);
	CHECK_INT(f.st.n_lis, 1);
	done(&f);
}

TEST(test_header_query_method_matches)
{
	const struct kgate_match *m;
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - matches:\n"
	    "    - path:\n"
	    "        value: /api\n"
	    "      method: POST\n"
	    "      headers:\n"
	    "      - name: x-env\n"
	    "        value: canary\n"
	    "      - type: Exact\n"
	    "        name: X-Team\n"
	    "        value: a b\n"
	    "      queryParams:\n"
	    "      - name: debug\n"
	    "        value: \"1\"\n");
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r != NULL);
	if (!r)
		goto out;
	m = &r->rules[0].matches[0];
	CHECK_STR(m->path, "/api");
	CHECK_STR(m->method, "POST");
	CHECK_STR(join_kv(&m->headers), "x-env=canary,X-Team=a b");
	CHECK_STR(join_kv(&m->query), "debug=1");
out:
	done(&f);
}

TEST(test_match_errors)
{
	struct fx f;

	run(&f, PRE ROUTE
	    "  - matches:\n"
	    "    - headers:\n"
	    "      - type: RegularExpression\n"
	    "        name: x\n"
	    "        value: a.*\n"
	    "    - queryParams:\n"
	    "      - type: RegularExpression\n"
	    "        name: q\n"
	    "        value: a.*\n"
	    "    - headers:\n"
	    "      - name: \"x y\"\n"
	    "        value: a\n"
	    "    - queryParams:\n"
	    "      - name: a=b\n"
	    "        value: c\n"
	    "    - method: FETCH\n"
	    "    - headers:\n"
	    "      - name: x\n");
	CHECK_STR(f.msgs,
		  L(37) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[0].headers[0].type: regular "
		  "expression matches are not supported\n"
		  L(41) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[1].queryParams[0].type: regular "
		  "expression matches are not supported\n"
		  L(45) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[2].headers[0].name: invalid header "
		  "name x y\n"
		  L(48) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[3].queryParams[0].name: invalid "
		  "query parameter name a=b\n"
		  L(50) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[4].method: method FETCH: expected "
		  "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE or "
		  "PATCH\n"
		  L(52) "9: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[5].headers[0].value: missing\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

TEST(test_header_filters)
{
	const struct kgate_rule *rule;
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - filters:\n"
	    "    - type: RequestHeaderModifier\n"
	    "      requestHeaderModifier:\n"
	    "        set:\n"
	    "        - name: x-a\n"
	    "          value: \"1\"\n"
	    "        add:\n"
	    "        - name: x-b\n"
	    "          value: two\n"
	    "        remove: [x-c, x-d]\n"
	    "    - type: ResponseHeaderModifier\n"
	    "      responseHeaderModifier:\n"
	    "        remove: [server]\n"
	    "    backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n");
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r != NULL);
	if (!r)
		goto out;
	rule = &r->rules[0];
	CHECK_INT(rule->has, KGATE_RULE_HAS_REQ_HEADERS |
		  KGATE_RULE_HAS_RESP_HEADERS);
	CHECK_STR(join_kv(&rule->req.set), "x-a=1");
	CHECK_STR(join_kv(&rule->req.add), "x-b=two");
	CHECK_STR(join(&rule->req.remove), "x-c,x-d");
	CHECK_INT(rule->resp.set.n + rule->resp.add.n, 0);
	CHECK_STR(join(&rule->resp.remove), "server");
out:
	done(&f);
}

TEST(test_redirects)
{
	const struct kgate_redirect *rd;
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - filters:\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect:\n"
	    "        scheme: https\n"
	    "        hostname: www.example.com\n"
	    "        port: 8443\n"
	    "        path:\n"
	    "          type: ReplaceFullPath\n"
	    "          replaceFullPath: /new\n"
	    "        statusCode: 301\n"
	    "  - matches:\n"
	    "    - path:\n"
	    "        value: /old\n"
	    "    filters:\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect:\n"
	    "        path:\n"
	    "          type: ReplacePrefixMatch\n"
	    "          replacePrefixMatch: /fresh\n"
	    "  - filters:\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect: {}\n");
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r && r->n_rules == 3);
	if (!r || r->n_rules != 3)
		goto out;
	CHECK_INT(r->rules[0].has, KGATE_RULE_HAS_REDIRECT);
	rd = &r->rules[0].redirect;
	CHECK_STR(rd->scheme, "https");
	CHECK_STR(rd->hostname, "www.example.com");
	CHECK_INT(rd->port, 8443);
	CHECK_INT(rd->path_type, KGATE_PATHMOD_FULL);
	CHECK_STR(rd->path, "/new");
	CHECK_INT(rd->status, 301);
	CHECK_INT(rd->has, KGATE_REDIR_HAS_PORT | KGATE_REDIR_HAS_PATH_TYPE |
		  KGATE_REDIR_HAS_STATUS);
	rd = &r->rules[1].redirect;
	CHECK_INT(rd->path_type, KGATE_PATHMOD_PREFIX);
	CHECK_STR(rd->path, "/fresh");
	CHECK(!rd->scheme && !rd->hostname);
	CHECK_INT(rd->has, KGATE_REDIR_HAS_PATH_TYPE);
	/* Nothing given: the request's own, status 302 */
	rd = &r->rules[2].redirect;
	CHECK_INT(r->rules[2].has, KGATE_RULE_HAS_REDIRECT);
	CHECK_INT(rd->has, 0);
	CHECK_INT(rd->status, 302);
	CHECK(!rd->path);
out:
	done(&f);
}

TEST(test_rewrites)
{
	const struct kgate_rewrite *rw;
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - matches:\n"
	    "    - path:\n"
	    "        value: /app\n"
	    "    filters:\n"
	    "    - type: URLRewrite\n"
	    "      urlRewrite:\n"
	    "        hostname: internal.example.com\n"
	    "        path:\n"
	    "          type: ReplacePrefixMatch\n"
	    "          replacePrefixMatch: \"\"\n"
	    "    backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n"
	    "  - filters:\n"
	    "    - type: URLRewrite\n"
	    "      urlRewrite:\n"
	    "        path:\n"
	    "          type: ReplaceFullPath\n"
	    "          replaceFullPath: /index.html\n");
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r && r->n_rules == 2);
	if (!r || r->n_rules != 2)
		goto out;
	CHECK_INT(r->rules[0].has, KGATE_RULE_HAS_REWRITE);
	rw = &r->rules[0].rewrite;
	CHECK_STR(rw->hostname, "internal.example.com");
	CHECK_INT(rw->path_type, KGATE_PATHMOD_PREFIX);
	CHECK_STR(rw->path, "");
	CHECK_INT(rw->has, KGATE_REWR_HAS_PATH_TYPE);
	CHECK_STR(join_refs(&r->rules[0]), "default/api-v1:80@-");
	rw = &r->rules[1].rewrite;
	CHECK(!rw->hostname);
	CHECK_INT(rw->path_type, KGATE_PATHMOD_FULL);
	CHECK_STR(rw->path, "/index.html");
out:
	done(&f);
}

TEST(test_filter_errors)
{
	struct fx f;

	run(&f, PRE ROUTE
	    "  - filters:\n"
	    "    - type: RequestMirror\n"
	    "    - type: ExtensionRef\n"
	    "    - type: CORS\n"
	    "    - type: RequestHeaderModifier\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect:\n"
	    "        scheme: ftp\n"
	    "        statusCode: 304\n"
	    "        hostname: \"*.example.com\"\n"
	    "        port: 0\n"
	    "  - matches:\n"
	    "    - path:\n"
	    "        type: Exact\n"
	    "        value: /x\n"
	    "    filters:\n"
	    "    - type: URLRewrite\n"
	    "      urlRewrite:\n"
	    "        path:\n"
	    "          type: ReplacePrefixMatch\n"
	    "          replacePrefixMatch: /y\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect: {}\n"
	    "    - type: URLRewrite\n"
	    "      urlRewrite:\n"
	    "        path:\n"
	    "          type: Replace\n"
	    "  - filters:\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect:\n"
	    "        path:\n"
	    "          type: ReplaceFullPath\n"
	    "    backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n");
	CHECK_STR(f.msgs,
		  L(36) "13: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[0].type: filter RequestMirror is "
		  "not supported\n"
		  L(37) "13: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[1].type: filter ExtensionRef is "
		  "not supported\n"
		  L(38) "13: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[2].type: filter CORS is not "
		  "supported\n"
		  L(39) "7: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[3].requestHeaderModifier: missing\n"
		  L(42) "17: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[4].requestRedirect.scheme: scheme "
		  "ftp: expected http or https\n"
		  L(44) "19: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[4].requestRedirect.hostname: "
		  "invalid hostname *.example.com: a wildcard is not allowed "
		  "here\n"
		  L(45) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[4].requestRedirect.port: 0 out of "
		  "range 1..65535\n"
		  L(43) "21: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[4].requestRedirect.statusCode: "
		  "status code 304: expected 301, 302, 303, 307 or 308\n"
		  L(58) "13: error: HTTPRoute default/r: "
		  "spec.rules[1].filters[2].type: filter URLRewrite given "
		  "twice in one rule\n"
		  L(51) "13: error: HTTPRoute default/r: "
		  "spec.rules[1].filters[0].type: RequestRedirect and "
		  "URLRewrite cannot be combined\n"
		  L(54) "17: error: HTTPRoute default/r: "
		  "spec.rules[1].filters[0].urlRewrite.path.type: "
		  "ReplacePrefixMatch needs PathPrefix matches only\n"
		  L(66) "11: error: HTTPRoute default/r: "
		  "spec.rules[2].filters[0].requestRedirect.path"
		  ".replaceFullPath: missing\n"
		  L(68) "5: error: HTTPRoute default/r: "
		  "spec.rules[2].backendRefs: RequestRedirect cannot be "
		  "combined with backendRefs\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

TEST(test_weights)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE ROUTE
	    "  - backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n"
	    "      weight: 0\n"
	    "    - name: api-v1\n"
	    "      port: 80\n"
	    "    - name: api-v1\n"
	    "      port: 80\n"
	    "      weight: 1000000\n");
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join_refs(&r->rules[0]),
			   "default/api-v1:80@0,default/api-v1:80@-,"
			   "default/api-v1:80@1000000"));
	CHECK(r && r->rules[0].refs[1].weight == 1);
	done(&f);

	run(&f, PRE ROUTE
	    "  - backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 80\n"
	    "      weight: 1000001\n");
	CHECK_STR(f.msgs, L(38) "15: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[0].weight: 1000001 out of range "
		  "0..1000000\n");
	done(&f);
}

TEST(test_backend_errors)
{
	struct fx f;

	run(&f, PRE ROUTE
	    "  - backendRefs:\n"
	    "    - name: api-v1\n"
	    "      port: 81\n"
	    "    - name: api-v1\n"
	    "    - name: bucket\n"
	    "      kind: S3Bucket\n"
	    "      port: 80\n"
	    "    - name: x\n"
	    "      group: example.com\n"
	    "      port: 80\n"
	    "    - name: api-v1\n"
	    "      namespace: other\n"
	    "      port: 80\n"
	    "    - name: api-v1\n"
	    "      port: 80\n"
	    "      filters:\n"
	    "      - type: RequestHeaderModifier\n");
	CHECK_STR(f.msgs,
		  L(37) "13: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[0].port: backend "
		  "default/api-v1:81: Service has no TCP port of that "
		  "number\n"
		  L(38) "7: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[1].port: missing\n"
		  L(40) "13: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[2].kind: backend kind S3Bucket "
		  "is not supported (Services only)\n"
		  L(43) "14: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[3].group: backend group "
		  "example.com is not supported (Services only)\n"
		  L(46) "18: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[4].namespace: a backend in "
		  "namespace other needs a ReferenceGrant, which kgate does "
		  "not support\n"
		  L(51) "7: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs[5].filters: filters on a "
		  "backendRef are not supported\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

/* Gateway "two" with listeners a (80, a.example.com), b (8080). */
#define TWO								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: Gateway\n"						\
	"metadata:\n"							\
	"  name: two\n"							\
	"spec:\n"							\
	"  gatewayClassName: kgate\n"					\
	"  listeners:\n"						\
	"  - name: a\n"							\
	"    port: 80\n"						\
	"    protocol: HTTP\n"						\
	"    hostname: a.example.com\n"					\
	"  - name: b\n"							\
	"    port: 8080\n"						\
	"    protocol: HTTP\n"						\
	"---\n"

/* Lines 27-41 are TWO; a route on "two" begins on line 42. */
#define ROUTE_ON(parent)						\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: HTTPRoute\n"						\
	"metadata:\n"							\
	"  name: r\n"							\
	"spec:\n"							\
	"  parentRefs:\n"						\
	parent

TEST(test_parent_by_section_and_port)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE TWO ROUTE_ON("  - name: two\n    sectionName: b\n"));
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_lis, 2);	/* http-80 is shared by both */
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join(&r->listeners), "http-8080") &&
	      !r->hosts.n);
	done(&f);

	run(&f, PRE TWO ROUTE_ON("  - name: two\n    port: 80\n"));
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join(&r->listeners), "http-80") &&
	      !strcmp(join(&r->hosts), "a.example.com"));
	done(&f);

	run(&f, PRE TWO ROUTE_ON("  - name: two\n    sectionName: c\n"
				 "  - name: two\n    port: 81\n"
				 "  - name: two\n    sectionName: a\n"
				 "    port: 8080\n"));
	CHECK_STR(f.msgs,
		  L(49) "18: note: HTTPRoute default/r: "
		  "spec.parentRefs[0].sectionName: Gateway default/two has "
		  "no HTTP listener c\n"
		  L(51) "11: note: HTTPRoute default/r: spec.parentRefs[1].port: "
		  "Gateway default/two has no HTTP listener on port 81\n"
		  L(53) "18: note: HTTPRoute default/r: "
		  "spec.parentRefs[2].sectionName: Gateway default/two has "
		  "no HTTP listener a on that port\n"
		  L(42) "1: skipped: HTTPRoute default/r: no listener of its "
		  "Gateways takes it\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

TEST(test_split_per_listener)
{
	const struct kgate_route *r;
	struct fx f;

	/* a gives a.example.com, b every host: one route each */
	run(&f, PRE TWO ROUTE_ON("  - name: two\n"
				 "  rules:\n"
				 "  - backendRefs:\n"
				 "    - name: api-v1\n"
				 "      port: 80\n"));
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 2);
	r = route(&f, "default/r/two/a");
	CHECK(r && !strcmp(join(&r->listeners), "http-80") &&
	      !strcmp(join(&r->hosts), "a.example.com") && r->n_rules == 1 &&
	      !strcmp(join_refs(&r->rules[0]), "default/api-v1:80@-") &&
	      r->kind == KGATE_ROUTE_HTTPROUTE);
	r = route(&f, "default/r/two/b");
	CHECK(r && !strcmp(join(&r->listeners), "http-8080") &&
	      !r->hosts.n && r->n_rules == 1 &&
	      !strcmp(join_refs(&r->rules[0]), "default/api-v1:80@-"));
	done(&f);

	/* The same hostnames on both: one route on both listeners */
	run(&f, PRE TWO ROUTE_ON("  - name: two\n"
				 "  hostnames: [a.example.com]\n"));
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 1);
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join(&r->listeners), "http-80,http-8080") &&
	      !strcmp(join(&r->hosts), "a.example.com"));
	done(&f);
}

/* Gateway "wild": listener w on 80 for *.example.com, x for api.x.org. */
#define WILD								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: Gateway\n"						\
	"metadata:\n"							\
	"  name: wild\n"						\
	"spec:\n"							\
	"  gatewayClassName: kgate\n"					\
	"  listeners:\n"						\
	"  - name: w\n"							\
	"    port: 80\n"						\
	"    protocol: HTTP\n"						\
	"    hostname: \"*.example.com\"\n"				\
	"  - name: x\n"							\
	"    port: 80\n"						\
	"    protocol: HTTP\n"						\
	"    hostname: api.x.org\n"					\
	"---\n"

TEST(test_hostname_intersection)
{
	const struct kgate_route *r;
	struct fx f;

	/* exact under the wildcard, a narrower wildcard, one outside */
	run(&f, PRE WILD ROUTE_ON("  - name: wild\n    sectionName: w\n"
				  "  hostnames:\n"
				  "  - api.example.com\n"
				  "  - \"*.eu.example.com\"\n"
				  "  - foo.org\n"
				  "  - example.com\n"));
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join(&r->hosts),
			   "api.example.com,*.eu.example.com"));
	done(&f);

	/* a wider wildcard gives the listener's; a wildcard an exact one */
	run(&f, PRE WILD ROUTE_ON("  - name: wild\n"
				  "  hostnames:\n"
				  "  - \"*.com\"\n"
				  "  - \"*.org\"\n"));
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 2);
	r = route(&f, "default/r/wild/w");
	CHECK(r && !strcmp(join(&r->hosts), "*.example.com"));
	r = route(&f, "default/r/wild/x");
	CHECK(r && !strcmp(join(&r->hosts), "api.x.org"));
	done(&f);

	/* no hostname in common with x: only w takes it */
	run(&f, PRE WILD ROUTE_ON("  - name: wild\n"
				  "  hostnames: [shop.example.com]\n"));
	CHECK_STR(f.msgs, L(50) "14: note: HTTPRoute default/r: "
		  "spec.hostnames: no hostname meets api.x.org of listener x "
		  "of Gateway default/wild: not attached there\n");
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join(&r->hosts), "shop.example.com") &&
	      !strcmp(join(&r->listeners), "http-80"));
	done(&f);

	/* none in common at all: skipped */
	run(&f, PRE WILD ROUTE_ON("  - name: wild\n    sectionName: w\n"
				  "  hostnames: [example.com]\n"));
	CHECK_STR(f.msgs, L(51) "14: note: HTTPRoute default/r: "
		  "spec.hostnames: no hostname meets *.example.com of "
		  "listener w of Gateway default/wild: not attached there\n"
		  L(43) "1: skipped: HTTPRoute default/r: no listener of its "
		  "Gateways takes its hostnames\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

TEST(test_hostname_errors)
{
	struct fx f;

	run(&f, PRE ROUTE_ON("  - name: my-gateway\n"
			     "  hostnames:\n"
			     "  - Api.example.com\n"
			     "  - \"*.*.example.com\"\n"
			     "  - 10.0.0.1\n"));
	CHECK_STR(f.msgs,
		  L(35) "5: error: HTTPRoute default/r: spec.hostnames[0]: "
		  "invalid hostname Api.example.com: must be lower case\n"
		  L(36) "5: error: HTTPRoute default/r: spec.hostnames[1]: "
		  "invalid hostname *.*.example.com: a wildcard must be one "
		  "leading \"*.\" label\n"
		  L(37) "5: error: HTTPRoute default/r: spec.hostnames[2]: "
		  "invalid hostname 10.0.0.1: an IP address is not a "
		  "hostname\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

/* Lines 27-37: Gateway "open" (from @from) on 8000, 38-: route in "dev". */
#define OPEN(from)							\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: Gateway\n"						\
	"metadata:\n"							\
	"  name: open\n"						\
	"spec:\n"							\
	"  gatewayClassName: kgate\n"					\
	"  listeners:\n"						\
	"  - name: http\n"						\
	"    port: 8000\n"						\
	"    protocol: HTTP\n"						\
	"    allowedRoutes: {namespaces: {from: " from "}}\n"		\
	"---\n"								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: HTTPRoute\n"						\
	"metadata:\n"							\
	"  name: r\n"							\
	"  namespace: dev\n"						\
	"spec:\n"							\
	"  parentRefs:\n"						\
	"  - name: open\n"						\
	"    namespace: default\n"

TEST(test_namespaces_same_all)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE OPEN("All"));
	CHECK_STR(f.msgs, "");
	r = route(&f, "dev/r");
	CHECK(r && !strcmp(join(&r->listeners), "http-8000"));
	done(&f);

	run(&f, PRE OPEN("Same"));
	CHECK_STR(f.msgs, L(46) "5: note: HTTPRoute dev/r: spec.parentRefs[0]: "
		  "Gateway default/open takes no routes from namespace dev\n"
		  L(39) "1: skipped: HTTPRoute dev/r: no listener of its "
		  "Gateways takes it\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);

	run(&f, PRE OPEN("Selector"));
	CHECK_STR(f.msgs, L(37) "40: note: Gateway default/open: "
		  "spec.listeners[0].allowedRoutes.namespaces.from: "
		  "namespace selectors are not supported: treated as Same\n"
		  L(46) "5: note: HTTPRoute dev/r: spec.parentRefs[0]: "
		  "Gateway default/open takes no routes from namespace dev\n"
		  L(39) "1: skipped: HTTPRoute dev/r: no listener of its "
		  "Gateways takes it\n");
	done(&f);

	run(&f, PRE OPEN("Everywhere"));
	CHECK_STR(f.msgs, L(37) "40: error: Gateway default/open: "
		  "spec.listeners[0].allowedRoutes.namespaces.from: "
		  "Everywhere: expected Same, All or Selector\n"
		  L(46) "5: note: HTTPRoute dev/r: spec.parentRefs[0]: "
		  "Gateway default/open has no HTTP listener\n"
		  L(39) "1: skipped: HTTPRoute dev/r: no listener of its "
		  "Gateways takes it\n");
	done(&f);
}

TEST(test_classes)
{
	struct fx f;

	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: GatewayClass\n"
	    "metadata:\n"
	    "  name: nginx\n"
	    "spec:\n"
	    "  controllerName: example.net/nginx\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata:\n"
	    "  name: theirs\n"
	    "spec:\n"
	    "  gatewayClassName: nginx\n"
	    "  listeners:\n"
	    "  - name: http\n"
	    "    port: 81\n"
	    "    protocol: HTTP\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata:\n"
	    "  name: lost\n"
	    "spec:\n"
	    "  gatewayClassName: missing\n"
	    "  listeners: []\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: r\n"
	    "spec:\n"
	    "  parentRefs:\n"
	    "  - name: theirs\n"
	    "  - name: my-service\n"
	    "    kind: Service\n"
	    "    group: \"\"\n");
	CHECK_INT(f.rc, 0);
	CHECK_STR(f.msgs,
		  L(27) "1: skipped: GatewayClass nginx: controller "
		  "example.net/nginx is not kgate's\n"
		  L(34) "1: skipped: Gateway default/theirs: class nginx is "
		  "not kgate's (controller example.net/nginx)\n"
		  L(45) "1: skipped: Gateway default/lost: GatewayClass "
		  "missing not found\n"
		  L(53) "1: skipped: HTTPRoute default/r: no parentRef names "
		  "a Gateway of kgate's\n");
	CHECK_INT(f.st.n_lis, 1);	/* my-gateway's */
	CHECK_INT(f.st.n_rts, 0);
	CHECK_INT(f.d.errors, 0);
	done(&f);
}

TEST(test_versions)
{
	struct fx f;

	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1alpha2\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: old\n"
	    "spec:\n"
	    "  parentRefs:\n"
	    "  - name: my-gateway\n");
	CHECK_STR(f.msgs, L(27) "1: skipped: HTTPRoute default/old: version "
		  "v1alpha2 is not served (v1 or v1beta1)\n");
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

/* Another Gateway on port 80 (lines 27-36) and a route on it (37-). */
#define OTHER80								\
	"apiVersion: gateway.networking.k8s.io/v1\n"			\
	"kind: Gateway\n"						\
	"metadata:\n"							\
	"  name: second\n"						\
	"spec:\n"							\
	"  gatewayClassName: kgate\n"					\
	"  listeners:\n"						\
	"  - {name: web, port: 80, protocol: HTTP, hostname: b.example.com}\n" \
	"  - {name: tls, port: 443, protocol: HTTPS}\n"			\
	"  - {name: raw, port: 9000, protocol: TCP}\n"			\
	"---\n"

TEST(test_shared_listener)
{
	const struct kgate_route *r;
	struct fx f;

	run(&f, PRE OTHER80
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: one\n"
	    "spec:\n"
	    "  parentRefs: [{name: my-gateway}]\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: two\n"
	    "spec:\n"
	    "  parentRefs: [{name: second}]\n");
	CHECK_STR(f.msgs,
		  L(35) "38: note: Gateway default/second: "
		  "spec.listeners[1].protocol: protocol HTTPS is not served "
		  "yet: the listener is left out\n"
		  L(36) "39: note: Gateway default/second: "
		  "spec.listeners[2].protocol: protocol TCP is not served "
		  "(kgate's L4 is Services): the listener is left out\n");
	CHECK_INT(f.st.n_lis, 1);
	CHECK(listener(&f, "http-80") != NULL);
	r = route(&f, "default/one");
	CHECK(r && !strcmp(join(&r->listeners), "http-80") && !r->hosts.n);
	r = route(&f, "default/two");
	CHECK(r && !strcmp(join(&r->listeners), "http-80") &&
	      !strcmp(join(&r->hosts), "b.example.com"));
	done(&f);
}

TEST(test_addresses)
{
	const struct kgate_route *r;
	const struct kgate_listener *l;
	struct fx f;

	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata:\n"
	    "  name: pinned\n"
	    "spec:\n"
	    "  gatewayClassName: kgate\n"
	    "  addresses:\n"
	    "  - value: 192.0.2.1\n"
	    "  - type: IPAddress\n"
	    "    value: 2001:db8::1\n"
	    "  listeners:\n"
	    "  - {name: web, port: 80, protocol: HTTP}\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: HTTPRoute\n"
	    "metadata:\n"
	    "  name: r\n"
	    "spec:\n"
	    "  parentRefs: [{name: pinned}]\n");
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_lis, 3);
	l = listener(&f, "http-192.0.2.1-80");
	CHECK(l && l->addr.family == AF_INET && l->port == 80);
	l = listener(&f, "http-2001:db8::1-80");
	CHECK(l && l->addr.family == AF_INET6);
	r = route(&f, "default/r");
	CHECK(r && !strcmp(join(&r->listeners),
			   "http-192.0.2.1-80,http-2001:db8::1-80"));
	done(&f);
}

TEST(test_gateway_errors)
{
	struct fx f;

	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata:\n"
	    "  name: bad\n"
	    "spec:\n"
	    "  gatewayClassName: kgate\n"
	    "  addresses:\n"
	    "  - value: 300.1.1.1\n"
	    "  - type: Hostname\n"
	    "    value: lb.example.com\n"
	    "  listeners:\n"
	    "  - {name: web, port: 80, protocol: HTTP}\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata:\n"
	    "  name: worse\n"
	    "spec:\n"
	    "  gatewayClassName: kgate\n"
	    "  listeners:\n"
	    "  - {name: web, port: 90, protocol: HTTP}\n"
	    "  - {name: web, port: 81, protocol: HTTP}\n"
	    "  - {name: big, port: 70000, protocol: HTTP}\n"
	    "  - {name: up, port: 82, protocol: HTTP, hostname: A.b}\n"
	    "  - {port: 83, protocol: HTTP}\n"
	    "  - name: grpc\n"
	    "    port: 84\n"
	    "    protocol: HTTP\n"
	    "    allowedRoutes:\n"
	    "      kinds:\n"
	    "      - kind: GRPCRoute\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata:\n"
	    "  name: empty\n"
	    "spec:\n"
	    "  gatewayClassName: kgate\n");
	CHECK_STR(f.msgs,
		  L(34) "12: error: Gateway default/bad: spec.addresses[0].value: "
		  "invalid IP address 300.1.1.1\n"
		  L(35) "11: error: Gateway default/bad: spec.addresses[1].type: "
		  "address type Hostname is not supported (IPAddress)\n"
		  L(48) "12: error: Gateway default/worse: "
		  "spec.listeners[1].name: duplicate listener name web\n"
		  L(49) "23: error: Gateway default/worse: "
		  "spec.listeners[2].port: 70000 out of range 1..65535\n"
		  L(50) "52: error: Gateway default/worse: "
		  "spec.listeners[3].hostname: invalid hostname A.b: must be "
		  "lower case\n"
		  L(51) "5: error: Gateway default/worse: "
		  "spec.listeners[4].name: missing\n"
		  L(57) "15: note: Gateway default/worse: "
		  "spec.listeners[5].allowedRoutes.kinds[0].kind: kind "
		  "GRPCRoute is not served\n"
		  L(57) "7: note: Gateway default/worse: "
		  "spec.listeners[5].allowedRoutes: no HTTPRoute allowed: "
		  "the listener is left out\n"
		  L(64) "3: error: Gateway default/empty: spec.listeners: "
		  "missing\n");
	CHECK_INT(f.st.n_lis, 2);	/* my-gateway's and worse's "web" */
	CHECK(listener(&f, "http-90") != NULL);
	done(&f);
}

/* @n list items "@item" (with %d for the index) into @buf, indented. */
static char *items(char *buf, size_t len, int n, const char *item)
{
	size_t k = 0;

	buf[0] = 0;
	for (int i = 0; i < n && k < len; i++)
		k += snprintf(buf + k, len - k, item, i);
	return buf;
}

TEST(test_limits)
{
	static char yaml[65536], list[32768];
	struct fx f;

	/* 17 header matches, where the kernel takes 16 */
	snprintf(yaml, sizeof(yaml), PRE ROUTE
		 "  - matches:\n"
		 "    - headers:\n%s",
		 items(list, sizeof(list), 17,
		       "      - {name: x-%d, value: a}\n"));
	run(&f, yaml);
	CHECK_STR(f.msgs, L(37) "7: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[0].headers: 17 header matches, more "
		  "than 16\n");
	done(&f);

	/* 65 matches in a rule */
	snprintf(yaml, sizeof(yaml), PRE ROUTE "  - matches:\n%s",
		 items(list, sizeof(list), 65,
		       "    - path: {value: /p%d}\n"));
	run(&f, yaml);
	CHECK_STR(f.msgs, L(36) "5: error: HTTPRoute default/r: "
		  "spec.rules[0].matches: 65 matches, more than 64\n");
	done(&f);

	/* 17 backendRefs */
	snprintf(yaml, sizeof(yaml), PRE ROUTE "  - backendRefs:\n%s",
		 items(list, sizeof(list), 17,
		       "    - {name: api-v1, port: 80, weight: %d}\n"));
	run(&f, yaml);
	CHECK_STR(f.msgs, L(36) "5: error: HTTPRoute default/r: "
		  "spec.rules[0].backendRefs: 17 backendRefs, more than 16\n");
	done(&f);

	/* 17 headers to set */
	snprintf(yaml, sizeof(yaml), PRE ROUTE
		 "  - filters:\n"
		 "    - type: ResponseHeaderModifier\n"
		 "      responseHeaderModifier:\n"
		 "        set:\n%s",
		 items(list, sizeof(list), 17,
		       "        - {name: x-%d, value: a}\n"));
	run(&f, yaml);
	CHECK_STR(f.msgs, L(39) "9: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[0].responseHeaderModifier.set: 17 "
		  "headers, more than 16\n");
	done(&f);

	/* 17 addresses: a route could not name all their listeners */
	snprintf(yaml, sizeof(yaml),
		 "apiVersion: gateway.networking.k8s.io/v1\n"
		 "kind: GatewayClass\n"
		 "metadata: {name: kgate}\n"
		 "spec: {controllerName: kgate.io/gateway-controller}\n"
		 "---\n"
		 "apiVersion: gateway.networking.k8s.io/v1\n"
		 "kind: Gateway\n"
		 "metadata: {name: many}\n"
		 "spec:\n"
		 "  gatewayClassName: kgate\n"
		 "  listeners: [{name: web, port: 80, protocol: HTTP}]\n"
		 "  addresses:\n%s",
		 items(list, sizeof(list), 17, "  - value: 192.0.2.%d\n"));
	run(&f, yaml);
	CHECK_STR(f.msgs, L(29) "5: error: Gateway default/many: "
		  "spec.addresses[16].value: more than 16 addresses\n");
	CHECK_INT(f.st.n_lis, 0);
	done(&f);

	/* 17 listeners a route attaches to, where the kernel takes 16 */
	snprintf(yaml, sizeof(yaml),
		 "apiVersion: gateway.networking.k8s.io/v1\n"
		 "kind: GatewayClass\n"
		 "metadata: {name: kgate}\n"
		 "spec: {controllerName: kgate.io/gateway-controller}\n"
		 "---\n"
		 "apiVersion: gateway.networking.k8s.io/v1\n"
		 "kind: Gateway\n"
		 "metadata: {name: wide}\n"
		 "spec:\n"
		 "  gatewayClassName: kgate\n"
		 "  listeners:\n%s"
		 "---\n"
		 "apiVersion: gateway.networking.k8s.io/v1\n"
		 "kind: HTTPRoute\n"
		 "metadata: {name: r}\n"
		 "spec:\n"
		 "  parentRefs: [{name: wide}]\n",
		 items(list, sizeof(list), 17,
		       "  - {name: l%1$d, port: 80%1$02d, protocol: HTTP}\n"));
	run(&f, yaml);
	CHECK_INT(f.st.n_lis, 17);
	CHECK_STR(f.msgs, L(34) "15: error: HTTPRoute default/r: "
		  "spec.parentRefs: attached to 17 kgate listeners, more "
		  "than 16\n");
	done(&f);

	/* a route name the kernel does not take */
	snprintf(yaml, sizeof(yaml), PRE
		 "apiVersion: gateway.networking.k8s.io/v1\n"
		 "kind: HTTPRoute\n"
		 "metadata: {name: a%0250d}\n"
		 "spec: {parentRefs: [{name: my-gateway}]}\n", 0);
	run(&f, yaml);
	CHECK(strstr(f.msgs, L(29) "11: error: HTTPRoute default/a000") &&
	      strstr(f.msgs, "0: metadata.name: route name default/a000") &&
	      strstr(f.msgs, "0 is longer than 253 bytes\n"));
	CHECK_INT(f.st.n_rts, 0);
	done(&f);
}

TEST(test_more_refusals)
{
	struct fx f;

	run(&f, PRE ROUTE
	    "  - matches:\n"
	    "    - headers:\n"
	    "      - {type: Prefix, name: x, value: a}\n"
	    "      - {name: x, value: \"a\\u0001\"}\n"
	    "      queryParams:\n"
	    "      - {name: q, value: \"a&b\"}\n"
	    "    filters:\n"
	    "    - type: RequestHeaderModifier\n"
	    "      requestHeaderModifier:\n"
	    "        add: [{name: \"x:y\", value: a}]\n"
	    "    - type: ResponseHeaderModifier\n"
	    "      responseHeaderModifier:\n"
	    "        remove: [\"a b\"]\n"
	    "    - type: URLRewrite\n"
	    "      urlRewrite:\n"
	    "        path: {type: ReplaceAll}\n"
	    "  - filters:\n"
	    "    - type: RequestRedirect\n"
	    "      requestRedirect:\n"
	    "        path: {type: ReplaceFullPath, replaceFullPath: new}\n");
	CHECK_STR(f.msgs,
		  L(37) "16: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[0].headers[0].type: match type "
		  "Prefix: expected Exact\n"
		  L(38) "26: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[0].headers[1].value: invalid header "
		  "value\n"
		  L(40) "26: error: HTTPRoute default/r: "
		  "spec.rules[0].matches[0].queryParams[0].value: invalid "
		  "query parameter value\n"
		  L(44) "22: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[0].requestHeaderModifier.add[0]"
		  ".name: invalid header name x:y\n"
		  L(47) "18: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[1].responseHeaderModifier.remove[0]: "
		  "invalid header name a b\n"
		  L(50) "22: error: HTTPRoute default/r: "
		  "spec.rules[0].filters[2].urlRewrite.path.type: path "
		  "modifier ReplaceAll: expected ReplaceFullPath or "
		  "ReplacePrefixMatch\n"
		  L(54) "56: error: HTTPRoute default/r: "
		  "spec.rules[1].filters[0].requestRedirect.path"
		  ".replaceFullPath: path new: does not start with \"/\"\n");
	done(&f);

	/* a parentRef without a name; a listener without a protocol */
	run(&f, PRE
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata: {name: g}\n"
	    "spec:\n"
	    "  gatewayClassName: kgate\n"
	    "  listeners:\n"
	    "  - {name: a, port: 80}\n"
	    "  - {name: b, port: 81, protocol: QUIC}\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: HTTPRoute\n"
	    "metadata: {name: r}\n"
	    "spec:\n"
	    "  parentRefs: [{sectionName: a}]\n");
	CHECK_STR(f.msgs,
		  L(33) "5: error: Gateway default/g: spec.listeners[0].protocol: "
		  "missing\n"
		  L(34) "35: note: Gateway default/g: spec.listeners[1].protocol: "
		  "protocol QUIC is not supported: the listener is left out\n"
		  L(40) "16: error: HTTPRoute default/r: spec.parentRefs[0].name: "
		  "missing\n"
		  L(36) "1: skipped: HTTPRoute default/r: no parentRef names a "
		  "Gateway of kgate's\n");
	done(&f);
}

TEST(test_class_versions)
{
	struct fx f;

	run(&f,
	    "apiVersion: gateway.networking.k8s.io/v1beta1\n"
	    "kind: GatewayClass\n"
	    "metadata: {name: kgate}\n"
	    "spec: {controllerName: kgate.io/gateway-controller}\n"
	    "---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\n"
	    "kind: Gateway\n"
	    "metadata: {name: g}\n"
	    "spec:\n"
	    "  gatewayClassName: kgate\n"
	    "  listeners: [{name: a, port: 80, protocol: HTTP}]\n");
	CHECK_STR(f.msgs,
		  L(1) "1: skipped: GatewayClass kgate: version v1beta1 is not "
		  "served (v1)\n"
		  L(6) "1: skipped: Gateway default/g: GatewayClass kgate is "
		  "not served (gateway.networking.k8s.io/v1beta1)\n");
	CHECK_INT(f.st.n_lis, 0);
	done(&f);
}

int main(void)
{
	RUN(test_seed_route);
	RUN(test_backend_service_missing_is_a_note);
	RUN(test_path_types);
	RUN(test_no_rules_is_one_default_rule);
	RUN(test_path_errors);
	RUN(test_header_query_method_matches);
	RUN(test_match_errors);
	RUN(test_header_filters);
	RUN(test_redirects);
	RUN(test_rewrites);
	RUN(test_filter_errors);
	RUN(test_weights);
	RUN(test_backend_errors);
	RUN(test_parent_by_section_and_port);
	RUN(test_split_per_listener);
	RUN(test_hostname_intersection);
	RUN(test_hostname_errors);
	RUN(test_namespaces_same_all);
	RUN(test_classes);
	RUN(test_versions);
	RUN(test_shared_listener);
	RUN(test_addresses);
	RUN(test_gateway_errors);
	RUN(test_limits);
	RUN(test_more_refusals);
	RUN(test_class_versions);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Ingresses and IngressClasses to kgate routes: which Ingresses are ours,
 * the routes and rules they give (hosts, path types, backends), the
 * listener's default backend, the nginx annotations kgate has, TLS
 * references, and the exact message for each thing refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/kgate.h>

#include "kgate_format.h"
#include "kgate_state.h"
#include "kk.h"
#include "tap.h"

struct fx {
	struct kk_docs docs;
	struct kk_diag d;
	struct kk_index ix;
	struct kgate_state st;
	struct kk_config cfg;
	char *msgs;		/* as kk_diag_print() writes them */
	size_t len;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	kk_docs_init(&f->docs);
	kk_diag_init(&f->d);
	kgate_state_init(&f->st);
	kk_config_init(&f->cfg);
}

/* Load @yaml as "t.yaml", index it and translate its Ingresses. */
static int fx_run(struct fx *f, const char *yaml)
{
	FILE *mf;
	int rc;

	rc = kk_load_text(&f->docs, "t.yaml", yaml, strlen(yaml), &f->d);
	if (!rc)
		rc = kk_index_build(&f->ix, &f->docs, &f->d);
	if (!rc)
		rc = kk_translate_ingresses(&f->ix, &f->cfg, &f->st, &f->d);
	mf = open_memstream(&f->msgs, &f->len);
	kk_diag_print(mf, &f->d);
	fclose(mf);
	return rc;
}

static void fx_free(struct fx *f)
{
	free(f->msgs);
	kgate_state_free(&f->st);
	kk_index_free(&f->ix);
	kk_diag_free(&f->d);
	kk_docs_free(&f->docs);
}

static const struct kgate_route *route(const struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->st.n_rts; i++)
		if (!strcmp(f->st.rts[i].name, name))
			return &f->st.rts[i];
	return NULL;
}

/* Rule @i of @r has one match (@type, @path) and one backend @svc. */
static void check_rule(const struct kgate_route *r, size_t i, uint8_t type,
		       const char *path, const char *svc)
{
	const struct kgate_rule *rule;

	CHECK(r != NULL && i < r->n_rules);
	if (!r || i >= r->n_rules)
		return;
	rule = &r->rules[i];
	CHECK_INT(rule->n_matches, 1);
	CHECK_INT(rule->n_refs, 1);
	if (rule->n_matches != 1 || rule->n_refs != 1)
		return;
	CHECK_INT(rule->matches[0].path_type, type);
	CHECK(rule->matches[0].has & KGATE_MATCH_HAS_PATH_TYPE);
	if (path)
		CHECK_STR(rule->matches[0].path, path);
	else
		CHECK(rule->matches[0].path == NULL);
	CHECK_STR(rule->refs[0].service, svc);
	CHECK(!rule->refs[0].has_weight);
}

/* Objects most tests need after their Ingress: ours, and Services. */
#define CLASS_NGINX_OURS						\
	"---\n"								\
	"apiVersion: networking.k8s.io/v1\n"				\
	"kind: IngressClass\n"						\
	"metadata:\n"							\
	"  name: nginx\n"						\
	"spec:\n"							\
	"  controller: kgate.io/ingress-controller\n"

#define SVC(name)							\
	"---\n"								\
	"apiVersion: v1\n"						\
	"kind: Service\n"						\
	"metadata:\n"							\
	"  name: " name "\n"						\
	"spec:\n"							\
	"  selector:\n"							\
	"    app: " name "\n"						\
	"  ports:\n"							\
	"  - name: http\n"						\
	"    port: 80\n"						\
	"    targetPort: 8080\n"

#define TLS_SECRET(name, type)						\
	"---\n"								\
	"apiVersion: v1\n"						\
	"kind: Secret\n"						\
	"metadata:\n"							\
	"  name: " name "\n"						\
	"type: " type "\n"						\
	"data:\n"							\
	"  tls.crt: \"\"\n"						\
	"  tls.key: \"\"\n"

#define ING_HEAD(name)							\
	"apiVersion: networking.k8s.io/v1\n"				\
	"kind: Ingress\n"						\
	"metadata:\n"							\
	"  name: " name "\n"

/* One path of host @host: Prefix @path to Service web port 80. */
#define SPEC_ONE(host, path)						\
	"spec:\n"							\
	"  ingressClassName: nginx\n"					\
	"  rules:\n"							\
	"  - host: " host "\n"						\
	"    http:\n"							\
	"      paths:\n"						\
	"      - path: " path "\n"					\
	"        pathType: Prefix\n"					\
	"        backend:\n"						\
	"          service:\n"						\
	"            name: web\n"					\
	"            port:\n"						\
	"              number: 80\n"

static const char seed[] =
	"apiVersion: networking.k8s.io/v1\n"
	"kind: Ingress\n"
	"metadata:\n"
	"  name: app-ingress\n"
	"  annotations:\n"
	"    nginx.ingress.kubernetes.io/rewrite-target: /\n"
	"spec:\n"
	"  ingressClassName: nginx\n"
	"  tls:\n"
	"  - hosts:\n"
	"    - api.example.com\n"
	"    secretName: tls-secret\n"
	"  rules:\n"
	"  - host: api.example.com\n"
	"    http:\n"
	"      paths:\n"
	"      - path: /v1\n"
	"        pathType: Prefix\n"
	"        backend:\n"
	"          service:\n"
	"            name: api-v1\n"
	"            port:\n"
	"              number: 80\n"
	"      - path: /v2\n"
	"        pathType: Prefix\n"
	"        backend:\n"
	"          service:\n"
	"            name: api-v2\n"
	"            port:\n"
	"              number: 80\n"
	"  - host: dashboard.example.com\n"
	"    http:\n"
	"      paths:\n"
	"      - path: /\n"
	"        pathType: Prefix\n"
	"        backend:\n"
	"          service:\n"
	"            name: dashboard\n"
	"            port:\n"
	"              number: 80\n"
	CLASS_NGINX_OURS SVC("api-v1") SVC("api-v2") SVC("dashboard")
	TLS_SECRET("tls-secret", "kubernetes.io/tls");

TEST(test_seed)
{
	const struct kgate_route *r;
	const struct kgate_listener *l;
	struct fx f;

	fx_init(&f);
	CHECK_INT(fx_run(&f, seed), 0);
	CHECK_INT(f.d.errors, 0);
	CHECK_STR(f.msgs,
		  "t.yaml:10:3: note: Ingress default/app-ingress: spec.tls: TLS is not served yet: plain HTTP only, on port 80\n");
	CHECK_INT(f.st.n_lis, 1);
	l = f.st.lis;
	CHECK_STR(l->name, "http-80");
	CHECK_INT(l->port, 80);
	CHECK_INT(l->addr.family, AF_INET6);
	CHECK(l->default_backend == NULL);
	CHECK_INT(f.st.n_rts, 2);

	r = route(&f, "default/app-ingress/api.example.com");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->kind, KGATE_ROUTE_INGRESS);
		CHECK(r->has & KGATE_RT_HAS_KIND);
		CHECK(!(r->has & (KGATE_RT_HAS_RATE | KGATE_RT_HAS_BURST)));
		CHECK_INT(r->listeners.n, 1);
		CHECK_STR(r->listeners.v[0], "http-80");
		CHECK_INT(r->hosts.n, 1);
		CHECK_STR(r->hosts.v[0], "api.example.com");
		CHECK_STR(r->rewrite_target, "/");
		CHECK_INT(r->n_allow, 0);
		CHECK_INT(r->n_rules, 2);
		check_rule(r, 0, KGATE_PATH_PREFIX, "/v1", "default/api-v1:80");
		check_rule(r, 1, KGATE_PATH_PREFIX, "/v2", "default/api-v2:80");
	}
	r = route(&f, "default/app-ingress/dashboard.example.com");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->hosts.n, 1);
		CHECK_STR(r->hosts.v[0], "dashboard.example.com");
		CHECK_STR(r->rewrite_target, "/");
		CHECK_INT(r->n_rules, 1);
		check_rule(r, 0, KGATE_PATH_PREFIX, "/", "default/dashboard:80");
	}
	fx_free(&f);
}

/* The listener is the configured port's, and the routes name it. */
TEST(test_listener_address)
{
	struct fx f;

	fx_init(&f);
	f.cfg.ingress_port = 8080;
	CHECK_INT(fx_run(&f, ING_HEAD("a") SPEC_ONE("a.example.com", "/")
			 CLASS_NGINX_OURS SVC("web")), 0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_lis, 1);
	CHECK_STR(f.st.lis[0].name, "http-8080");
	CHECK_INT(f.st.lis[0].port, 8080);
	CHECK_INT(f.st.n_rts, 1);
	if (f.st.n_rts)
		CHECK_STR(f.st.rts[0].listeners.v[0], "http-8080");
	fx_free(&f);
}

TEST(test_path_types)
{
	const struct kgate_route *r;
	struct fx f;

	fx_init(&f);
	CHECK_INT(fx_run(&f, ING_HEAD("p")
			 "spec:\n"
			 "  ingressClassName: nginx\n"
			 "  rules:\n"
			 "  - http:\n"
			 "      paths:\n"
			 "      - path: /exact\n"
			 "        pathType: Exact\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n"
			 "      - path: /prefix/\n"
			 "        pathType: Prefix\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n"
			 "      - path: /impl\n"
			 "        pathType: ImplementationSpecific\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n"
			 "      - pathType: ImplementationSpecific\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n"
			 CLASS_NGINX_OURS SVC("web")), 0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 1);
	r = route(&f, "default/p/-");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->hosts.n, 0);
		CHECK_INT(r->n_rules, 4);
		check_rule(r, 0, KGATE_PATH_EXACT, "/exact", "default/web:80");
		check_rule(r, 1, KGATE_PATH_PREFIX, "/prefix/",
			   "default/web:80");
		check_rule(r, 2, KGATE_PATH_IMPL, "/impl", "default/web:80");
		check_rule(r, 3, KGATE_PATH_IMPL, NULL, "default/web:80");
	}
	fx_free(&f);
}

TEST(test_path_errors)
{
	struct fx f;

	fx_init(&f);
	fx_run(&f, ING_HEAD("p")
	       "spec:\n"
	       "  ingressClassName: nginx\n"
	       "  rules:\n"
	       "  - http:\n"
	       "      paths:\n"
	       "      - path: /a\n"
	       "        backend:\n"
	       "          service: {name: web, port: {number: 80}}\n"
	       "      - path: /b\n"
	       "        pathType: Regex\n"
	       "        backend:\n"
	       "          service: {name: web, port: {number: 80}}\n"
	       "      - pathType: Exact\n"
	       "        backend:\n"
	       "          service: {name: web, port: {number: 80}}\n"
	       "      - path: c\n"
	       "        pathType: Prefix\n"
	       "        backend:\n"
	       "          service: {name: web, port: {number: 80}}\n"
	       "      - path: \"/d e\"\n"
	       "        pathType: Exact\n"
	       "        backend:\n"
	       "          service: {name: web, port: {number: 80}}\n"
	       "      - path: /f\n"
	       "        pathType: Exact\n"
	       CLASS_NGINX_OURS SVC("web"));
	CHECK_INT(f.d.errors, 6);
	CHECK_STR(f.msgs,
		  "t.yaml:10:9: error: Ingress default/p: spec.rules[0].http.paths[0].pathType: missing\n"
		  "t.yaml:14:19: error: Ingress default/p: spec.rules[0].http.paths[1].pathType: Regex: expected Exact, Prefix or ImplementationSpecific\n"
		  "t.yaml:17:9: error: Ingress default/p: spec.rules[0].http.paths[2].path: missing\n"
		  "t.yaml:20:15: error: Ingress default/p: spec.rules[0].http.paths[3].path: c: must start with \"/\"\n"
		  "t.yaml:24:15: error: Ingress default/p: spec.rules[0].http.paths[4].path: /d e: a space, control, non-ASCII, '?' or '#' character\n"
		  "t.yaml:28:9: error: Ingress default/p: spec.rules[0].http.paths[5].backend: missing\n");
	fx_free(&f);
}

TEST(test_hosts)
{
	const struct kgate_route *r;
	struct fx f;

	fx_init(&f);
	CHECK_INT(fx_run(&f, ING_HEAD("w") SPEC_ONE("\"*.example.com\"", "/")
			 CLASS_NGINX_OURS SVC("web")), 0);
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/w/*.example.com");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->hosts.n, 1);
		CHECK_STR(r->hosts.v[0], "*.example.com");
	}
	fx_free(&f);
}

/* Each bad host in turn, with its reason. */
TEST(test_host_errors)
{
	static const struct {
		const char *host, *why;
	} bad[] = {
		{ "Api.example.com", "must be lower case" },
		{ "api.example.com:8080",
		  "a host has no ':' (no port, no IPv6 address)" },
		{ "a..example.com",
		  "expected a DNS-1123 subdomain (labels of a-z, 0-9 and '-') or \"*.\" and one" },
		{ "-a.example.com",
		  "expected a DNS-1123 subdomain (labels of a-z, 0-9 and '-') or \"*.\" and one" },
		{ "a-.example.com",
		  "expected a DNS-1123 subdomain (labels of a-z, 0-9 and '-') or \"*.\" and one" },
		{ "a_b.example.com",
		  "expected a DNS-1123 subdomain (labels of a-z, 0-9 and '-') or \"*.\" and one" },
		{ "\"*.*.example.com\"", "a wildcard is one leading label \"*.\"" },
		{ "\"a.*.com\"", "a wildcard is one leading label \"*.\"" },
		{ "10.0.0.1", "an IP address is not a host" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
		  "a label is longer than 63 characters" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char yaml[2048], want[512], host[128];
		struct fx f;
		size_t n = strlen(bad[i].host);

		/* The host as the message shows it: unquoted. */
		if (bad[i].host[0] == '"')
			snprintf(host, sizeof(host), "%.*s", (int)(n - 2),
				 bad[i].host + 1);
		else
			snprintf(host, sizeof(host), "%s", bad[i].host);
		snprintf(yaml, sizeof(yaml), "%s%s%s%s%s%s",
			 ING_HEAD("h"),
			 "spec:\n"
			 "  ingressClassName: nginx\n"
			 "  rules:\n"
			 "  - host: ", bad[i].host, "\n"
			 "    http:\n"
			 "      paths:\n"
			 "      - path: /\n"
			 "        pathType: Prefix\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n",
			 CLASS_NGINX_OURS, SVC("web"));
		snprintf(want, sizeof(want),
			 "t.yaml:8:11: error: Ingress default/h: spec.rules[0].host: invalid host \"%s\": %s\n",
			 host, bad[i].why);
		fx_init(&f);
		fx_run(&f, yaml);
		CHECK_INT(f.d.errors, 1);
		CHECK_STR(f.msgs, want);
		CHECK_INT(f.st.n_rts, 0);
		fx_free(&f);
	}
}

TEST(test_same_host_merges)
{
	const struct kgate_route *r;
	struct fx f;

	fx_init(&f);
	CHECK_INT(fx_run(&f, ING_HEAD("m")
			 "spec:\n"
			 "  ingressClassName: nginx\n"
			 "  rules:\n"
			 "  - host: a.example.com\n"
			 "    http:\n"
			 "      paths:\n"
			 "      - path: /one\n"
			 "        pathType: Prefix\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n"
			 "  - host: b.example.com\n"
			 "    http:\n"
			 "      paths:\n"
			 "      - path: /b\n"
			 "        pathType: Exact\n"
			 "        backend:\n"
			 "          service: {name: web, port: {number: 80}}\n"
			 "  - host: a.example.com\n"
			 "    http:\n"
			 "      paths:\n"
			 "      - path: /two\n"
			 "        pathType: Exact\n"
			 "        backend:\n"
			 "          service: {name: api, port: {number: 80}}\n"
			 CLASS_NGINX_OURS SVC("web") SVC("api")), 0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 2);
	r = route(&f, "default/m/a.example.com");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->n_rules, 2);
		check_rule(r, 0, KGATE_PATH_PREFIX, "/one", "default/web:80");
		check_rule(r, 1, KGATE_PATH_EXACT, "/two", "default/api:80");
	}
	r = route(&f, "default/m/b.example.com");
	CHECK(r != NULL);
	if (r)
		check_rule(r, 0, KGATE_PATH_EXACT, "/b", "default/web:80");
	fx_free(&f);
}

TEST(test_route_name_too_long)
{
	char yaml[4096], name[201], host[61], want[1024];
	struct fx f;

	memset(name, 'n', 200);
	name[200] = '\0';
	memset(host, 'h', 60);
	host[60] = '\0';
	snprintf(yaml, sizeof(yaml),
		 "apiVersion: networking.k8s.io/v1\n"
		 "kind: Ingress\n"
		 "metadata:\n"
		 "  name: %s\n"
		 "%s%s%s",
		 name, SPEC_ONE("", "/"), CLASS_NGINX_OURS, SVC("web"));
	/* SPEC_ONE gave "host: " empty: put the long host in. */
	{
		char *h = strstr(yaml, "host: \n");
		char rest[4096];

		snprintf(rest, sizeof(rest), "%s", h + strlen("host: "));
		snprintf(h, sizeof(yaml) - (size_t)(h - yaml), "host: %s.com%s",
			 host, rest);
	}
	snprintf(want, sizeof(want),
		 "t.yaml:11:9: error: Ingress default/%s: spec.rules[0].http.paths[0]: the route name default/%s/%s.com is longer than 253 characters\n",
		 name, name, host);
	fx_init(&f);
	fx_run(&f, yaml);
	CHECK_STR(f.msgs, want);
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);
}

/* ---- classes ---------------------------------------------------------- */

/* Ingress "c", with @meta and @spec lines, then @rest (its classes). */
static int class_case(struct fx *f, const char *meta, const char *spec,
		      const char *rest)
{
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 "apiVersion: networking.k8s.io/v1\n"
		 "kind: Ingress\n"
		 "metadata:\n"
		 "  name: c\n"
		 "%s"
		 "spec:\n"
		 "%s"
		 "  defaultBackend:\n"
		 "    service: {name: web, port: {number: 80}}\n"
		 "%s" SVC("web"),
		 meta, spec, rest);
	return fx_run(f, yaml);
}

#define CLASS(name, ctl, dflt)						\
	"---\n"								\
	"apiVersion: networking.k8s.io/v1\n"				\
	"kind: IngressClass\n"						\
	"metadata:\n"							\
	"  name: " name "\n"						\
	dflt								\
	"spec:\n"							\
	"  controller: " ctl "\n"

#define IS_DEFAULT							\
	"  annotations:\n"						\
	"    ingressclass.kubernetes.io/is-default-class: \"true\"\n"

/* Ours: the listener has the Ingress's default backend. */
static bool served(const struct fx *f)
{
	return f->st.n_lis == 1 && f->st.lis[0].default_backend &&
	       !strcmp(f->st.lis[0].default_backend, "default/web:80");
}

TEST(test_class_name_not_ours)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(class_case(&f, "", "  ingressClassName: nginx\n",
			     CLASS("nginx", "k8s.io/ingress-nginx", "")), 0);
	CHECK_INT(f.d.errors, 0);
	CHECK_STR(f.msgs,
		  "t.yaml:10:1: skipped: IngressClass nginx: controller k8s.io/ingress-nginx is not kgate's\n"
		  "t.yaml:1:1: skipped: Ingress default/c: class nginx is not kgate's (controller k8s.io/ingress-nginx)\n");
	CHECK(!served(&f));
	CHECK_INT(f.st.n_lis, 0);
	fx_free(&f);
}

TEST(test_class_name_not_found)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(class_case(&f, "", "  ingressClassName: other\n",
			     CLASS("nginx", "kgate.io/ingress-controller", "")),
		  0);
	CHECK_STR(f.msgs,
		  "t.yaml:1:1: skipped: Ingress default/c: IngressClass other not found\n");
	CHECK(!served(&f));
	fx_free(&f);
}

TEST(test_class_name_wrong_type)
{
	struct fx f;

	fx_init(&f);
	class_case(&f, "", "  ingressClassName: [nginx]\n",
		   CLASS("nginx", "kgate.io/ingress-controller", ""));
	CHECK_STR(f.msgs,
		  "t.yaml:6:21: error: Ingress default/c: spec.ingressClassName: expected a string, got a list\n");
	fx_free(&f);
}

TEST(test_class_without_controller)
{
	struct fx f;

	fx_init(&f);
	class_case(&f, "", "  ingressClassName: nginx\n",
		   "---\n"
		   "apiVersion: networking.k8s.io/v1\n"
		   "kind: IngressClass\n"
		   "metadata:\n"
		   "  name: nginx\n"
		   "spec: {}\n");
	CHECK_STR(f.msgs,
		  "t.yaml:14:7: error: IngressClass nginx: spec.controller: missing\n"
		  "t.yaml:1:1: skipped: Ingress default/c: class nginx is not kgate's (controller unset)\n");
	fx_free(&f);
}

TEST(test_class_legacy_annotation)
{
	struct fx f;

	/* "kgate" is ours without an IngressClass. */
	fx_init(&f);
	CHECK_INT(class_case(&f,
			     "  annotations:\n"
			     "    kubernetes.io/ingress.class: kgate\n",
			     "", ""), 0);
	CHECK_STR(f.msgs, "");
	CHECK(served(&f));
	fx_free(&f);

	/* Another name is an IngressClass's. */
	fx_init(&f);
	CHECK_INT(class_case(&f,
			     "  annotations:\n"
			     "    kubernetes.io/ingress.class: nginx\n",
			     "", CLASS("nginx", "kgate.io/ingress-controller",
				       "")), 0);
	CHECK_STR(f.msgs, "");
	CHECK(served(&f));
	fx_free(&f);

	fx_init(&f);
	CHECK_INT(class_case(&f,
			     "  annotations:\n"
			     "    kubernetes.io/ingress.class: nginx\n",
			     "", ""), 0);
	CHECK_STR(f.msgs,
		  "t.yaml:1:1: skipped: Ingress default/c: IngressClass nginx not found\n");
	CHECK(!served(&f));
	fx_free(&f);

	/* spec.ingressClassName comes before the annotation. */
	fx_init(&f);
	CHECK_INT(class_case(&f,
			     "  annotations:\n"
			     "    kubernetes.io/ingress.class: kgate\n",
			     "  ingressClassName: nginx\n",
			     CLASS("nginx", "k8s.io/ingress-nginx", "")), 0);
	CHECK_STR(f.msgs,
		  "t.yaml:12:1: skipped: IngressClass nginx: controller k8s.io/ingress-nginx is not kgate's\n"
		  "t.yaml:1:1: skipped: Ingress default/c: class nginx is not kgate's (controller k8s.io/ingress-nginx)\n");
	CHECK(!served(&f));
	fx_free(&f);
}

TEST(test_class_default)
{
	struct fx f;

	/* The default class is ours. */
	fx_init(&f);
	CHECK_INT(class_case(&f, "", "",
			     CLASS("kg", "kgate.io/ingress-controller",
				   IS_DEFAULT)), 0);
	CHECK_STR(f.msgs, "");
	CHECK(served(&f));
	fx_free(&f);

	/* The default class is another controller's. */
	fx_init(&f);
	CHECK_INT(class_case(&f, "", "",
			     CLASS("kg", "kgate.io/ingress-controller", "")
			     CLASS("nginx", "k8s.io/ingress-nginx",
				   IS_DEFAULT)), 0);
	CHECK_STR(f.msgs,
		  "t.yaml:16:1: skipped: IngressClass nginx: controller k8s.io/ingress-nginx is not kgate's\n"
		  "t.yaml:1:1: skipped: Ingress default/c: class nginx is not kgate's (controller k8s.io/ingress-nginx)\n");
	CHECK(!served(&f));
	fx_free(&f);

	/* is-default-class must be "true". */
	fx_init(&f);
	CHECK_INT(class_case(&f, "", "",
			     CLASS("kg", "kgate.io/ingress-controller",
				   "  annotations:\n"
				   "    ingressclass.kubernetes.io/is-default-class: \"yes\"\n")),
		  0);
	CHECK_STR(f.msgs,
		  "t.yaml:1:1: skipped: Ingress default/c: no class, and no IngressClass is the default\n");
	CHECK(!served(&f));
	fx_free(&f);

	/* Two defaults: Kubernetes refuses such an Ingress. */
	fx_init(&f);
	class_case(&f, "", "",
		   CLASS("kg", "kgate.io/ingress-controller", IS_DEFAULT)
		   CLASS("kg2", "kgate.io/ingress-controller", IS_DEFAULT));
	CHECK_STR(f.msgs,
		  "t.yaml:1:1: error: Ingress default/c: spec.ingressClassName: no class, and IngressClasses kg and kg2 are both the default: name one\n");
	CHECK(!served(&f));
	fx_free(&f);
}

TEST(test_class_none)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(class_case(&f, "", "", ""), 0);
	CHECK_STR(f.msgs,
		  "t.yaml:1:1: skipped: Ingress default/c: no class, and no IngressClass is the default\n");
	CHECK(!served(&f));
	CHECK_INT(f.st.n_lis, 0);
	fx_free(&f);

	/* --watch-ingress-without-class */
	fx_init(&f);
	f.cfg.ingress_default_class = true;
	CHECK_INT(class_case(&f, "", "", ""), 0);
	CHECK_STR(f.msgs, "");
	CHECK(served(&f));
	fx_free(&f);
}

/* ---- the default backend ----------------------------------------------- */

#define DEFAULT_ONLY(name, svc)						\
	"---\n"								\
	ING_HEAD(name)							\
	"spec:\n"							\
	"  ingressClassName: nginx\n"					\
	"  defaultBackend:\n"						\
	"    service:\n"						\
	"      name: " svc "\n"						\
	"      port:\n"							\
	"        number: 80\n"

TEST(test_default_backend)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(fx_run(&f, CLASS_NGINX_OURS SVC("web")
			 DEFAULT_ONLY("a", "web") DEFAULT_ONLY("b", "web")), 0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_lis, 1);
	CHECK(served(&f));
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);
}

TEST(test_default_backend_conflict)
{
	struct fx f;

	fx_init(&f);
	fx_run(&f, CLASS_NGINX_OURS SVC("web") SVC("other")
	       DEFAULT_ONLY("a", "web") DEFAULT_ONLY("b", "other"));
	CHECK_INT(f.d.errors, 1);
	CHECK_STR(f.msgs,
		  "t.yaml:52:5: error: Ingress default/b: spec.defaultBackend: listener http-80 already has default backend default/web:80, from Ingress default/a\n");
	CHECK(served(&f));
	fx_free(&f);
}

TEST(test_nothing_to_serve)
{
	struct fx f;

	fx_init(&f);
	fx_run(&f, ING_HEAD("e")
	       "spec:\n"
	       "  ingressClassName: nginx\n"
	       "  rules: []\n"
	       CLASS_NGINX_OURS);
	CHECK_STR(f.msgs,
		  "t.yaml:6:3: error: Ingress default/e: spec: expected rules, a defaultBackend, or both\n");
	CHECK_INT(f.st.n_lis, 0);
	fx_free(&f);
}

/* ---- backends ----------------------------------------------------------- */

/* An Ingress whose one path's backend is @backend (lines at 8 spaces). */
static int backend_case(struct fx *f, const char *backend, const char *rest)
{
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 ING_HEAD("b")
		 "spec:\n"
		 "  ingressClassName: nginx\n"
		 "  rules:\n"
		 "  - http:\n"
		 "      paths:\n"
		 "      - path: /\n"
		 "        pathType: Prefix\n"
		 "        backend:\n"
		 "%s"
		 CLASS_NGINX_OURS "%s",
		 backend, rest);
	return fx_run(f, yaml);
}

TEST(test_backend_port_name)
{
	const struct kgate_route *r;
	struct fx f;

	fx_init(&f);
	CHECK_INT(backend_case(&f,
			       "          service:\n"
			       "            name: web\n"
			       "            port:\n"
			       "              name: http\n",
			       SVC("web")), 0);
	CHECK_STR(f.msgs, "");
	r = route(&f, "default/b/-");
	check_rule(r, 0, KGATE_PATH_PREFIX, "/", "default/web:80");
	fx_free(&f);
}

TEST(test_backend_missing_service)
{
	const struct kgate_route *r;
	struct fx f;

	fx_init(&f);
	CHECK_INT(backend_case(&f,
			       "          service:\n"
			       "            name: api\n"
			       "            port:\n"
			       "              number: 8080\n", ""), 0);
	CHECK_INT(f.d.errors, 0);
	CHECK_STR(f.msgs,
		  "t.yaml:14:19: note: Ingress default/b: spec.rules[0].http.paths[0].backend.service.name: Service default/api not found: answered 503 until it exists\n");
	r = route(&f, "default/b/-");
	check_rule(r, 0, KGATE_PATH_PREFIX, "/", "default/api:8080");
	fx_free(&f);

	/* By name, the port cannot be known. */
	fx_init(&f);
	backend_case(&f,
		     "          service:\n"
		     "            name: api\n"
		     "            port:\n"
		     "              name: http\n", "");
	CHECK_STR(f.msgs,
		  "t.yaml:16:21: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port.name: Service default/api not found: cannot resolve port name http without the Service\n");
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);
}

TEST(test_backend_no_such_port)
{
	struct fx f;

	fx_init(&f);
	backend_case(&f,
		     "          service:\n"
		     "            name: web\n"
		     "            port:\n"
		     "              number: 81\n", SVC("web"));
	CHECK_INT(f.d.errors, 1);
	CHECK_STR(f.msgs,
		  "t.yaml:16:23: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port.number: Service has no TCP port of that number: Service default/web, port 81\n");
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);

	fx_init(&f);
	backend_case(&f,
		     "          service:\n"
		     "            name: web\n"
		     "            port:\n"
		     "              name: grpc\n", SVC("web"));
	CHECK_INT(f.d.errors, 1);
	CHECK_STR(f.msgs,
		  "t.yaml:16:21: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port.name: Service has no TCP port of that name: Service default/web, port grpc\n");
	fx_free(&f);

	/* A headless Service has no virtual IP to send to. */
	fx_init(&f);
	backend_case(&f,
		     "          service:\n"
		     "            name: db\n"
		     "            port:\n"
		     "              number: 5432\n",
		     "---\n"
		     "apiVersion: v1\n"
		     "kind: Service\n"
		     "metadata:\n"
		     "  name: db\n"
		     "spec:\n"
		     "  clusterIP: None\n"
		     "  ports:\n"
		     "  - port: 5432\n");
	CHECK_STR(f.msgs,
		  "t.yaml:16:23: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port.number: headless Service has no virtual IP: Service default/db, port 5432\n");
	fx_free(&f);
}

TEST(test_backend_errors)
{
	static const struct {
		const char *backend, *want;
	} bad[] = {
		{ "          resource:\n"
		  "            apiGroup: k8s.example.com\n"
		  "            kind: StorageBucket\n"
		  "            name: static\n",
		  "t.yaml:14:13: error: Ingress default/b: spec.rules[0].http.paths[0].backend.resource: resource backends are not supported\n" },
		{ "          service:\n"
		  "            name: web\n"
		  "            port:\n"
		  "              number: 80\n"
		  "              name: http\n",
		  "t.yaml:16:15: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port: expected one of number and name\n" },
		{ "          service:\n"
		  "            name: web\n"
		  "            port: {}\n",
		  "t.yaml:15:19: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port: expected one of number and name\n" },
		{ "          service:\n"
		  "            name: web\n"
		  "            port:\n"
		  "              number: 70000\n",
		  "t.yaml:16:23: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port.number: 70000 out of range 1..65535\n" },
		{ "          service:\n"
		  "            name: web\n",
		  "t.yaml:14:13: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.port: missing\n" },
		{ "          service:\n"
		  "            port: {number: 80}\n",
		  "t.yaml:14:13: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service.name: missing\n" },
		{ "          serviceName: web\n",
		  "t.yaml:13:11: error: Ingress default/b: spec.rules[0].http.paths[0].backend.service: missing\n" },
		{ "          web\n",
		  "t.yaml:13:11: error: Ingress default/b: spec.rules[0].http.paths[0].backend: expected a map, got a string\n" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fx f;

		fx_init(&f);
		backend_case(&f, bad[i].backend, SVC("web"));
		CHECK_INT(f.d.errors, 1);
		CHECK_STR(f.msgs, bad[i].want);
		CHECK_INT(f.st.n_rts, 0);
		fx_free(&f);
	}
}

/* ---- annotations -------------------------------------------------------- */

/* The Ingress "a" with annotations @ann (lines at 4 spaces), two hosts. */
static int ann_case(struct fx *f, const char *ann)
{
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 ING_HEAD("a")
		 "  annotations:\n"
		 "%s"
		 "spec:\n"
		 "  ingressClassName: nginx\n"
		 "  rules:\n"
		 "  - host: a.example.com\n"
		 "    http:\n"
		 "      paths:\n"
		 "      - path: /app\n"
		 "        pathType: Prefix\n"
		 "        backend:\n"
		 "          service: {name: web, port: {number: 80}}\n"
		 "  - host: b.example.com\n"
		 "    http:\n"
		 "      paths:\n"
		 "      - path: /\n"
		 "        pathType: Prefix\n"
		 "        backend:\n"
		 "          service: {name: web, port: {number: 80}}\n"
		 CLASS_NGINX_OURS SVC("web"),
		 ann);
	return fx_run(f, yaml);
}

/* A message about annotation @key (at line 6, value at @col). */
static void check_ann_error(const char *ann, unsigned int col,
			    const char *key, const char *why)
{
	char want[512];
	struct fx f;

	snprintf(want, sizeof(want),
		 "t.yaml:6:%u: error: Ingress default/a: metadata.annotations[nginx.ingress.kubernetes.io/%s]: %s\n",
		 col, key, why);
	fx_init(&f);
	ann_case(&f, ann);
	CHECK_INT(f.d.errors, 1);
	CHECK_STR(f.msgs, want);
	fx_free(&f);
}

TEST(test_rewrite_target)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(ann_case(&f,
			   "    nginx.ingress.kubernetes.io/rewrite-target: /new\n"
			   "    nginx.ingress.kubernetes.io/use-regex: \"false\"\n"),
		  0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 2);
	for (size_t i = 0; i < f.st.n_rts; i++)
		CHECK_STR(f.st.rts[i].rewrite_target, "/new");
	fx_free(&f);

	check_ann_error("    nginx.ingress.kubernetes.io/rewrite-target: /$1\n",
			49, "rewrite-target",
			"/$1: capture groups need regex paths, which kgate does not have");
	check_ann_error("    nginx.ingress.kubernetes.io/rewrite-target: new\n",
			49, "rewrite-target", "new: must start with \"/\"");
	check_ann_error("    nginx.ingress.kubernetes.io/use-regex: \"true\"\n",
			44, "use-regex", "regex paths are not supported by kgate");
	check_ann_error("    nginx.ingress.kubernetes.io/use-regex: \"on\"\n",
			44, "use-regex", "\"on\": expected \"true\" or \"false\"");
}

TEST(test_rewrite_regex_path)
{
	struct fx f;

	fx_init(&f);
	fx_run(&f, ING_HEAD("r")
	       "  annotations:\n"
	       "    nginx.ingress.kubernetes.io/rewrite-target: /\n"
	       SPEC_ONE("a.example.com", "/app(/|$)(.*)")
	       CLASS_NGINX_OURS SVC("web"));
	CHECK_STR(f.msgs,
		  "t.yaml:13:15: error: Ingress default/r: spec.rules[0].http.paths[0].path: /app(/|$)(.*): a regex with rewrite-target, and kgate has no regex paths\n");
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);
}

TEST(test_limit_rps)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(ann_case(&f, "    nginx.ingress.kubernetes.io/limit-rps: \"10\"\n"),
		  0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 2);
	for (size_t i = 0; i < f.st.n_rts; i++) {
		CHECK_INT(f.st.rts[i].rate, 10);
		CHECK_INT(f.st.rts[i].burst, 50);
		CHECK(f.st.rts[i].has & KGATE_RT_HAS_RATE);
		CHECK(f.st.rts[i].has & KGATE_RT_HAS_BURST);
	}
	fx_free(&f);

	fx_init(&f);
	CHECK_INT(ann_case(&f,
			   "    nginx.ingress.kubernetes.io/limit-rps: \"10\"\n"
			   "    nginx.ingress.kubernetes.io/limit-burst-multiplier: \"3\"\n"),
		  0);
	CHECK_STR(f.msgs, "");
	for (size_t i = 0; i < f.st.n_rts; i++) {
		CHECK_INT(f.st.rts[i].rate, 10);
		CHECK_INT(f.st.rts[i].burst, 30);
	}
	fx_free(&f);

	/* A multiplier alone does nothing. */
	fx_init(&f);
	CHECK_INT(ann_case(&f,
			   "    nginx.ingress.kubernetes.io/limit-burst-multiplier: \"3\"\n"),
		  0);
	CHECK_STR(f.msgs, "");
	for (size_t i = 0; i < f.st.n_rts; i++)
		CHECK(!(f.st.rts[i].has & (KGATE_RT_HAS_RATE |
					   KGATE_RT_HAS_BURST)));
	fx_free(&f);

	check_ann_error("    nginx.ingress.kubernetes.io/limit-rps: \"0\"\n",
			44, "limit-rps",
			"\"0\": expected an integer from 1 to 4294967295");
	check_ann_error("    nginx.ingress.kubernetes.io/limit-rps: ten\n",
			44, "limit-rps",
			"\"ten\": expected an integer from 1 to 4294967295");
	check_ann_error("    nginx.ingress.kubernetes.io/limit-rps: 10\n",
			44, "limit-rps", "expected a string, got an integer");
	check_ann_error("    nginx.ingress.kubernetes.io/limit-burst-multiplier: \"-1\"\n",
			57, "limit-burst-multiplier",
			"\"-1\": expected an integer from 1 to 4294967295");
	check_ann_error("    nginx.ingress.kubernetes.io/limit-burst-multiplier: \"2\"\n"
			"    nginx.ingress.kubernetes.io/limit-rps: \"4294967295\"\n",
			57, "limit-burst-multiplier",
			"a burst of 4294967295 x 2 requests is more than 4294967295");
}

TEST(test_whitelist_source_range)
{
	char a[64];
	struct fx f;

	fx_init(&f);
	CHECK_INT(ann_case(&f,
			   "    nginx.ingress.kubernetes.io/whitelist-source-range: \"10.0.0.0/8, 192.168.1.7,fd00::/8 \"\n"),
		  0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_rts, 2);
	for (size_t i = 0; i < f.st.n_rts; i++) {
		const struct kgate_route *r = &f.st.rts[i];

		CHECK_INT(r->n_allow, 3);
		if (r->n_allow != 3)
			continue;
		CHECK_STR(kgate_addr_str(&r->allow[0].addr, a, sizeof(a)),
			  "10.0.0.0");
		CHECK_INT(r->allow[0].plen, 8);
		CHECK_STR(kgate_addr_str(&r->allow[1].addr, a, sizeof(a)),
			  "192.168.1.7");
		CHECK_INT(r->allow[1].plen, 32);
		CHECK_STR(kgate_addr_str(&r->allow[2].addr, a, sizeof(a)),
			  "fd00::");
		CHECK_INT(r->allow[2].plen, 8);
	}
	fx_free(&f);

	check_ann_error("    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.1/8\n",
			57, "whitelist-source-range",
			"10.0.0.1/8: address bits set past the prefix length");
	check_ann_error("    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/33\n",
			57, "whitelist-source-range",
			"10.0.0.0/33: prefix length too long for the address");
	check_ann_error("    nginx.ingress.kubernetes.io/whitelist-source-range: \"10.0.0.0/8, office\"\n",
			57, "whitelist-source-range",
			"office: invalid address \"office\"");
	check_ann_error("    nginx.ingress.kubernetes.io/whitelist-source-range: \"10.0.0.0/8,,\"\n",
			57, "whitelist-source-range",
			"expected comma-separated CIDRs such as 10.0.0.0/8, got \"\"");
}

TEST(test_ssl_redirect_and_unknown)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(ann_case(&f,
			   "    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\n"
			   "    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n"
			   "    example.com/owner: team-a\n"), 0);
	CHECK_INT(f.d.errors, 0);
	CHECK_STR(f.msgs,
		  "t.yaml:6:47: note: Ingress default/a: metadata.annotations[nginx.ingress.kubernetes.io/ssl-redirect]: TLS is not served yet: plain HTTP is not redirected\n"
		  "t.yaml:7:50: note: Ingress default/a: metadata.annotations[nginx.ingress.kubernetes.io/proxy-body-size]: not supported by kgate: ignored\n");
	CHECK_INT(f.st.n_rts, 2);
	fx_free(&f);

	fx_init(&f);
	CHECK_INT(ann_case(&f,
			   "    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n"),
		  0);
	CHECK_STR(f.msgs, "");
	fx_free(&f);

	check_ann_error("    nginx.ingress.kubernetes.io/ssl-redirect: \"yes\"\n",
			47, "ssl-redirect",
			"\"yes\": expected \"true\" or \"false\"");
}

/* ---- TLS ---------------------------------------------------------------- */

static int tls_case(struct fx *f, const char *tls, const char *rest)
{
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 ING_HEAD("t")
		 "spec:\n"
		 "  ingressClassName: nginx\n"
		 "  tls:\n"
		 "%s"
		 "  defaultBackend:\n"
		 "    service: {name: web, port: {number: 80}}\n"
		 CLASS_NGINX_OURS SVC("web") "%s",
		 tls, rest);
	return fx_run(f, yaml);
}

#define TLS_NOTE							\
	"t.yaml:8:3: note: Ingress default/t: spec.tls: TLS is not served yet: plain HTTP only, on port 80\n"

TEST(test_tls)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(tls_case(&f,
			   "  - hosts: [a.example.com, \"*.example.com\"]\n"
			   "    secretName: s\n"
			   "  - hosts: [c.example.com]\n",
			   TLS_SECRET("s", "kubernetes.io/tls")), 0);
	CHECK_INT(f.d.errors, 0);
	CHECK_STR(f.msgs, TLS_NOTE);
	CHECK(served(&f));
	fx_free(&f);
}

TEST(test_tls_errors)
{
	struct fx f;

	fx_init(&f);
	tls_case(&f, "  - secretName: s\n", "");
	CHECK_STR(f.msgs,
		  "t.yaml:8:17: error: Ingress default/t: spec.tls[0].secretName: Secret default/s not found\n"
		  TLS_NOTE);
	fx_free(&f);

	/* The Secret must be in the Ingress's namespace. */
	fx_init(&f);
	tls_case(&f, "  - secretName: s\n",
		 "---\n"
		 "apiVersion: v1\n"
		 "kind: Secret\n"
		 "metadata:\n"
		 "  name: s\n"
		 "  namespace: other\n"
		 "type: kubernetes.io/tls\n");
	CHECK_STR(f.msgs,
		  "t.yaml:8:17: error: Ingress default/t: spec.tls[0].secretName: Secret default/s not found\n"
		  TLS_NOTE);
	fx_free(&f);

	fx_init(&f);
	tls_case(&f, "  - secretName: s\n", TLS_SECRET("s", "Opaque"));
	CHECK_STR(f.msgs,
		  "t.yaml:8:17: error: Ingress default/t: spec.tls[0].secretName: Secret default/s is not of type kubernetes.io/tls\n"
		  TLS_NOTE);
	fx_free(&f);

	fx_init(&f);
	tls_case(&f, "  - hosts: [A.example.com]\n", "");
	CHECK_STR(f.msgs,
		  "t.yaml:8:13: error: Ingress default/t: spec.tls[0].hosts[0]: invalid host \"A.example.com\": must be lower case\n"
		  TLS_NOTE);
	fx_free(&f);
}

/* Objects of other kinds and other Ingress groups are not read here. */
TEST(test_other_kinds)
{
	struct fx f;

	fx_init(&f);
	CHECK_INT(fx_run(&f,
			 "apiVersion: extensions.example.com/v1\n"
			 "kind: Ingress\n"
			 "metadata:\n"
			 "  name: x\n"
			 "spec:\n"
			 "  ingressClassName: nginx\n"
			 CLASS_NGINX_OURS SVC("web")), 0);
	CHECK_STR(f.msgs, "");
	CHECK_INT(f.st.n_lis, 0);
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);
}

/* The kernel's limits, refused here with a place to point at. */
TEST(test_limits)
{
	size_t cap = 1 << 20, n;
	char *yaml = malloc(cap), *want = malloc(8192), *s;
	struct fx f;

	/* 65 allowed ranges. */
	n = (size_t)snprintf(yaml, cap, ING_HEAD("l")
			     "  annotations:\n"
			     "    nginx.ingress.kubernetes.io/whitelist-source-range: \"");
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(yaml + n, cap - n, "%s10.0.%d.0/24",
				      i ? "," : "", i);
	snprintf(yaml + n, cap - n, "\"\n%s%s%s",
		 SPEC_ONE("a.example.com", "/"), CLASS_NGINX_OURS, SVC("web"));
	fx_init(&f);
	fx_run(&f, yaml);
	CHECK_STR(f.msgs,
		  "t.yaml:6:57: error: Ingress default/l: metadata.annotations[nginx.ingress.kubernetes.io/whitelist-source-range]: more than 64 ranges\n");
	fx_free(&f);

	/* 1025 paths of one host. */
	n = (size_t)snprintf(yaml, cap, ING_HEAD("l")
			     "spec:\n"
			     "  ingressClassName: nginx\n"
			     "  rules:\n"
			     "  - host: a.example.com\n"
			     "    http:\n"
			     "      paths:\n");
	for (int i = 0; i < 1025; i++)
		n += (size_t)snprintf(yaml + n, cap - n,
				      "      - path: /p%d\n"
				      "        pathType: Exact\n"
				      "        backend:\n"
				      "          service: {name: web, port: {number: 80}}\n",
				      i);
	snprintf(yaml + n, cap - n, "%s%s", CLASS_NGINX_OURS, SVC("web"));
	fx_init(&f);
	fx_run(&f, yaml);
	CHECK_STR(f.msgs,
		  "t.yaml:4107:9: error: Ingress default/l: spec.rules[0].http.paths[1024]: more than 1024 paths for host a.example.com\n");
	CHECK_INT(f.st.n_rts, 1);
	if (f.st.n_rts)
		CHECK_INT(f.st.rts[0].n_rules, 1024);
	fx_free(&f);

	/* A path of 4097 bytes, a host of 254. */
	s = malloc(4098);
	s[0] = '/';
	memset(s + 1, 'p', 4096);
	s[4097] = '\0';
	snprintf(yaml, cap, "%s%s%s%s", ING_HEAD("l"),
		 SPEC_ONE("a.example.com", "PATH"), CLASS_NGINX_OURS,
		 SVC("web"));
	{
		char *at = strstr(yaml, "PATH"), *rest = strdup(at + 4);

		snprintf(at, cap - (size_t)(at - yaml), "%s%s", s, rest);
		free(rest);
	}
	snprintf(want, 8192,
		 "t.yaml:11:15: error: Ingress default/l: spec.rules[0].http.paths[0].path: %s: longer than 4096 characters\n",
		 s);
	fx_init(&f);
	fx_run(&f, yaml);
	CHECK_STR(f.msgs, want);
	fx_free(&f);

	memset(s, 'a', 254);
	for (int i = 50; i < 254; i += 50)
		s[i] = '.';
	s[254] = '\0';
	snprintf(yaml, cap, "%s%s%s%s", ING_HEAD("l"),
		 SPEC_ONE("HOST", "/"), CLASS_NGINX_OURS, SVC("web"));
	{
		char *at = strstr(yaml, "HOST"), *rest = strdup(at + 4);

		snprintf(at, cap - (size_t)(at - yaml), "%s%s", s, rest);
		free(rest);
	}
	snprintf(want, 8192,
		 "t.yaml:8:11: error: Ingress default/l: spec.rules[0].host: invalid host \"%s\": longer than 253 characters\n",
		 s);
	fx_init(&f);
	fx_run(&f, yaml);
	CHECK_STR(f.msgs, want);
	fx_free(&f);
	free(s);
	free(want);
	free(yaml);
}

/* Missing parts of an Ingress of ours. */
TEST(test_missing_parts)
{
	struct fx f;

	fx_init(&f);
	f.cfg.ingress_default_class = true;
	fx_run(&f, ING_HEAD("m"));
	CHECK_STR(f.msgs,
		  "t.yaml:1:1: error: Ingress default/m: spec: missing\n");
	fx_free(&f);

	fx_init(&f);
	fx_run(&f, ING_HEAD("m")
	       "spec:\n"
	       "  ingressClassName: nginx\n"
	       "  rules:\n"
	       "  - host: a.example.com\n"
	       "    http: {}\n"
	       "  - host: b.example.com\n"
	       "  - x\n"
	       "  tls:\n"
	       "  - hosts: [a.example.com, 1]\n"
	       "    secretName: [s]\n"
	       CLASS_NGINX_OURS);
	CHECK_STR(f.msgs,
		  "t.yaml:13:28: error: Ingress default/m: spec.tls[0].hosts[1]: expected a string, got an integer\n"
		  "t.yaml:14:17: error: Ingress default/m: spec.tls[0].secretName: expected a string, got a list\n"
		  "t.yaml:13:3: note: Ingress default/m: spec.tls: TLS is not served yet: plain HTTP only, on port 80\n"
		  "t.yaml:9:11: error: Ingress default/m: spec.rules[0].http.paths: missing\n"
		  "t.yaml:11:5: error: Ingress default/m: spec.rules[2]: expected a map, got a string\n");
	CHECK_INT(f.st.n_rts, 0);
	fx_free(&f);
}


int main(void)
{
	RUN(test_seed);
	RUN(test_listener_address);
	RUN(test_path_types);
	RUN(test_path_errors);
	RUN(test_hosts);
	RUN(test_host_errors);
	RUN(test_same_host_merges);
	RUN(test_route_name_too_long);
	RUN(test_class_name_not_ours);
	RUN(test_class_name_not_found);
	RUN(test_class_name_wrong_type);
	RUN(test_class_without_controller);
	RUN(test_class_legacy_annotation);
	RUN(test_class_default);
	RUN(test_class_none);
	RUN(test_default_backend);
	RUN(test_default_backend_conflict);
	RUN(test_nothing_to_serve);
	RUN(test_backend_port_name);
	RUN(test_backend_missing_service);
	RUN(test_backend_no_such_port);
	RUN(test_backend_errors);
	RUN(test_rewrite_target);
	RUN(test_rewrite_regex_path);
	RUN(test_limit_rps);
	RUN(test_whitelist_source_range);
	RUN(test_ssl_redirect_and_unknown);
	RUN(test_tls);
	RUN(test_tls_errors);
	RUN(test_other_kinds);
	RUN(test_limits);
	RUN(test_missing_parts);
	return tap_done();
}

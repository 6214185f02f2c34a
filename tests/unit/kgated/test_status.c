// SPDX-License-Identifier: GPL-2.0
/*
 * The status rules on the host: manifests translated by libkgate-k8s,
 * then the status each object of kgate's gets, written as one line per
 * object; objects of other controllers get none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "tap.h"

#define CLASSES \
	"apiVersion: networking.k8s.io/v1\nkind: IngressClass\n" \
	"metadata: {name: kgate}\n" \
	"spec: {controller: kgate.io/ingress-controller}\n---\n" \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n" \
	"metadata: {name: kgate, generation: 2}\n" \
	"spec: {controllerName: kgate.io/gateway-controller}\n---\n" \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n" \
	"metadata: {name: other}\n" \
	"spec: {controllerName: example.com/other}\n---\n"
#define GATEWAYS \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n" \
	"metadata: {name: gw, generation: 3}\n" \
	"spec:\n  gatewayClassName: kgate\n" \
	"  listeners: [{name: http, port: 80, protocol: HTTP}]\n---\n" \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n" \
	"metadata: {name: theirs}\n" \
	"spec:\n  gatewayClassName: other\n" \
	"  listeners: [{name: http, port: 80, protocol: HTTP}]\n---\n"
#define SERVICE \
	"apiVersion: v1\nkind: Service\nmetadata: {name: web}\n" \
	"spec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}\n---\n"
#define ROUTE(name, parent, backend) \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n" \
	"metadata: {name: " name ", generation: 5}\n" \
	"spec:\n  parentRefs: [" parent "]\n" \
	"  rules: [{backendRefs: [{name: " backend ", port: 80}]}]\n---\n"
#define INGRESS(name, cls) \
	"apiVersion: networking.k8s.io/v1\nkind: Ingress\n" \
	"metadata: {name: " name "}\n" \
	"spec:\n  ingressClassName: " cls "\n" \
	"  defaultBackend: {service: {name: web, port: {number: 80}}}\n---\n"

static void conds(FILE *f, int64_t gen, const struct kgd_api_cond *c,
		  size_t n)
{
	size_t i;

	fprintf(f, " gen %lld", (long long)gen);
	for (i = 0; i < n; i++)
		fprintf(f, " %s=%s/%s", c[i].type, c[i].status, c[i].reason);
}

static int on_ingress(void *data, const struct kk_obj *o,
		      const char *const *ips, size_t n)
{
	size_t i;

	fprintf(data, "Ingress %s/%s", o->ns, o->name);
	for (i = 0; i < n; i++)
		fprintf(data, " %s", ips[i]);
	fputc('\n', data);
	return 0;
}

static int on_class(void *data, const struct kk_obj *o, int64_t gen,
		    const struct kgd_api_cond *c, size_t n)
{
	fprintf(data, "GatewayClass %s", o->name);
	conds(data, gen, c, n);
	fputc('\n', data);
	return 0;
}

static int on_gateway(void *data, const struct kk_obj *o, int64_t gen,
		      const struct kgd_api_cond *c, size_t n)
{
	fprintf(data, "Gateway %s/%s", o->ns, o->name);
	conds(data, gen, c, n);
	fputc('\n', data);
	return 0;
}

static int on_route(void *data, const struct kk_obj *o, int64_t gen,
		    const struct kgd_api_parent *p, size_t n)
{
	size_t i;

	fprintf(data, "HTTPRoute %s/%s", o->ns, o->name);
	for (i = 0; i < n; i++) {
		fprintf(data, " [%s/%s/%s", p[i].ns, p[i].name,
			p[i].section ? p[i].section : "-");
		conds(data, gen, p[i].conds, p[i].n_conds);
		fputc(']', data);
	}
	fputc('\n', data);
	return 0;
}

/* The status lines of @yaml, translated; *@ok: the set had no error. */
static char *derive(const char *yaml, bool *ok)
{
	static const char *const ips[] = { "192.0.2.7" };
	struct kgate_state st;
	struct kk_config cfg;
	struct kk_index ix;
	struct kk_docs docs;
	struct kk_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct kgd_status_out out = { on_ingress, on_class, on_gateway,
				      on_route, f };
	int err;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	kk_config_init(&cfg);
	CHECK_INT(kk_load_text(&docs, "t.yaml", yaml, strlen(yaml), &d), 0);
	err = kk_translate(&docs, &cfg, &st, &d);
	*ok = !err;
	CHECK_INT(kk_index_build(&ix, &docs, &d), 0);
	CHECK_INT(kgd_status_derive(&ix, &d, err ? NULL : &st, ips, 1, &out),
		  0);
	fclose(f);
	kk_index_free(&ix);
	if (!err)
		kgate_state_free(&st);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return text;
}

TEST(test_accepted_and_programmed)
{
	bool ok;
	char *s = derive(CLASSES GATEWAYS SERVICE
			 ROUTE("r", "{name: gw}", "web")
			 ROUTE("theirs", "{name: theirs}", "web")
			 INGRESS("ing", "kgate") INGRESS("other", "nginx"), &ok);

	CHECK(ok);
	CHECK_STR(s,
		  "GatewayClass kgate gen 2 Accepted=True/Accepted\n"
		  "Gateway default/gw gen 3 Accepted=True/Accepted "
		  "Programmed=True/Programmed\n"
		  "HTTPRoute default/r [default/gw/- gen 5 "
		  "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs]\n"
		  "Ingress default/ing 192.0.2.7\n");
	free(s);
}

TEST(test_route_problems)
{
	bool ok;
	char *s = derive(CLASSES GATEWAYS SERVICE
			 ROUTE("nobackend", "{name: gw}", "missing")
			 ROUTE("nolistener", "{name: gw, sectionName: https}",
			       "web")
			 ROUTE("two", "{name: gw}, {name: theirs}", "web"),
			 &ok);

	CHECK(ok);
	CHECK_STR(s,
		  "GatewayClass kgate gen 2 Accepted=True/Accepted\n"
		  "Gateway default/gw gen 3 Accepted=True/Accepted "
		  "Programmed=True/Programmed\n"
		  "HTTPRoute default/nobackend [default/gw/- gen 5 "
		  "Accepted=True/Accepted ResolvedRefs=False/BackendNotFound]\n"
		  "HTTPRoute default/nolistener [default/gw/https gen 5 "
		  "Accepted=False/NoMatchingParent "
		  "ResolvedRefs=True/ResolvedRefs]\n"
		  "HTTPRoute default/two [default/gw/- gen 5 "
		  "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs]\n");
	free(s);
}

/* A set with an error applies nothing: only the object at fault gets a
 * status (the others keep what they had). */
TEST(test_invalid_set)
{
	bool ok;
	char *s = derive(CLASSES GATEWAYS SERVICE
			 ROUTE("good", "{name: gw}", "web")
			 "apiVersion: gateway.networking.k8s.io/v1\n"
			 "kind: HTTPRoute\nmetadata: {name: bad}\n"
			 "spec:\n  parentRefs: [{name: gw}]\n"
			 "  rules: [{matches: [{path: {type: RegularExpression,"
			 " value: \"/(a\"}}], backendRefs: [{name: web, "
			 "port: 80}]}]\n"
			 "---\n" INGRESS("ing", "kgate"), &ok);

	CHECK(!ok);
	CHECK_STR(s, "HTTPRoute default/bad [default/gw/- gen 0 "
		  "Accepted=False/UnsupportedValue "
		  "ResolvedRefs=True/ResolvedRefs]\n");
	free(s);
}

/*
 * Watches deliver kinds in any order: an HTTPRoute can come before its
 * Gateway, a Gateway before its GatewayClass.  Neither is kgate's yet,
 * so neither gets a status (the CI once saw kgated crash here).
 */
TEST(test_parents_not_there_yet)
{
	bool ok;
	char *s = derive(SERVICE ROUTE("early", "{name: gw}", "web"), &ok);

	CHECK(ok);
	CHECK_STR(s, "");
	free(s);
	s = derive(SERVICE GATEWAYS ROUTE("early", "{name: gw}", "web"), &ok);
	CHECK(ok);
	CHECK_STR(s, "");
	free(s);
}

int main(void)
{
	RUN(test_accepted_and_programmed);
	RUN(test_route_problems);
	RUN(test_invalid_set);
	RUN(test_parents_not_there_yet);
	return tap_done();
}

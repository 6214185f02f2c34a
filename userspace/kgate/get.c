// SPDX-License-Identifier: GPL-2.0
/*
 * kgate get [services|endpointslices|ingresses|httproutes] [-o yaml|json]:
 * the kernel's state in Kubernetes terms.  kgate services named
 * "NS/NAME:PORT[/udp|/sctp]" (kk_service_name()) are one Service per
 * NS/NAME, and Ingress routes "NS/NAME/HOST" one Ingress per NS/NAME; other
 * names stand alone.  The objects are built as JSON (jansson), printed as
 * JSON or, through libyaml's emitter, as YAML; without -o, a table as
 * kubectl get prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <linux/kgate.h>
#include <netinet/in.h>
#include <yaml.h>

#include "cli.h"

enum get_kind { GET_SVC, GET_EPS, GET_ING, GET_HTTPROUTE, GET_ALL };

/* "NS/NAME" of a kgate object name: up to the port's ':' or the host's '/'. */
static void k8s_name(const char *kname, bool route, char *ns, size_t nslen,
		     char *name, size_t len)
{
	const char *slash = strchr(kname, '/'), *end;

	if (!slash) {
		snprintf(ns, nslen, "-");
		snprintf(name, len, "%s", kname);
		return;
	}
	end = route ? strchr(slash + 1, '/') : strrchr(slash + 1, ':');
	if (!end)
		end = slash + strlen(slash);
	snprintf(ns, nslen, "%.*s", (int)(slash - kname), kname);
	snprintf(name, len, "%.*s", (int)(end - slash - 1), slash + 1);
}

static json_t *meta(const char *ns, const char *name)
{
	json_t *m = json_object();

	json_object_set_new(m, "name", json_string(name));
	if (strcmp(ns, "-"))
		json_object_set_new(m, "namespace", json_string(ns));
	return m;
}

static json_t *object(const char *api, const char *kind, const char *ns,
		      const char *name)
{
	json_t *o = json_object();

	json_object_set_new(o, "apiVersion", json_string(api));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "metadata", meta(ns, name));
	return o;
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "UDP" : proto == IPPROTO_SCTP ? "SCTP" :
	       "TCP";
}

static json_t *addr_json(const struct kgate_addr *a)
{
	char buf[64];

	return json_string(kgate_addr_str(a, buf, sizeof(buf)));
}

/* Find or add the object of kind @kind named @ns/@name in @list. */
static json_t *object_in(json_t *list, const char *api, const char *kind,
			 const char *ns, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o) {
		json_t *m = json_object_get(o, "metadata");
		const char *n = json_string_value(json_object_get(m, "name"));
		const char *s = json_string_value(json_object_get(m,
								  "namespace"));

		if (!strcmp(n, name) && !strcmp(s ? s : "-", ns))
			return o;
	}
	o = object(api, kind, ns, name);
	json_object_set_new(o, "spec", json_object());
	json_array_append_new(list, o);
	return o;
}

static json_t *array_in(json_t *obj, const char *key)
{
	json_t *a = json_object_get(obj, key);

	if (!a) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	return a;
}

static void add_unique(json_t *arr, json_t *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (json_equal(x, v)) {
			json_decref(v);
			return;
		}
	json_array_append_new(arr, v);
}

/* One kgate service into its Service: a port, its frontends. */
static void service_json(json_t *list, const struct kgate_service *svc)
{
	char ns[256], name[256];
	const char *type = "ClusterIP";
	json_t *o, *spec, *port;
	size_t i;

	k8s_name(svc->name, false, ns, sizeof(ns), name, sizeof(name));
	o = object_in(list, "v1", "Service", ns, name);
	spec = json_object_get(o, "spec");
	port = json_object();
	for (i = 0; i < svc->n_frontends; i++) {
		const struct kgate_frontend *fe = &svc->frontends[i];

		switch (fe->kind) {
		case KGATE_FE_CLUSTER:
			add_unique(array_in(spec, "clusterIPs"),
				   addr_json(&fe->addr));
			json_object_set_new(port, "port",
					    json_integer(fe->port));
			break;
		case KGATE_FE_EXTERNAL:
			add_unique(array_in(spec, "externalIPs"),
				   addr_json(&fe->addr));
			json_object_set_new(port, "port",
					    json_integer(fe->port));
			break;
		case KGATE_FE_LOADBALANCER:
			type = "LoadBalancer";
			add_unique(array_in(spec, "loadBalancerIPs"),
				   addr_json(&fe->addr));
			json_object_set_new(port, "port",
					    json_integer(fe->port));
			break;
		case KGATE_FE_NODEPORT:
			if (strcmp(type, "LoadBalancer"))
				type = "NodePort";
			json_object_set_new(port, "nodePort",
					    json_integer(fe->port));
			break;
		}
		json_object_set_new(port, "protocol",
				    json_string(proto_name(fe->proto)));
	}
	if (!json_object_get(port, "port")) {
		/* No VIP: the port from the kgate name. */
		const char *colon = strrchr(svc->name, ':');

		if (colon)
			json_object_set_new(port, "port",
					    json_integer(atoi(colon + 1)));
	}
	if (svc->n_backends)
		json_object_set_new(port, "targetPort",
				    json_integer(svc->backends[0].port));
	json_array_append_new(array_in(spec, "ports"), port);
	json_object_set_new(spec, "type", json_string(type));
	if (svc->affinity == KGATE_AFFINITY_CLIENTIP) {
		json_object_set_new(spec, "sessionAffinity",
				    json_string("ClientIP"));
		json_object_set_new(spec, "sessionAffinityConfig",
				    json_pack("{s:{s:i}}", "clientIP",
					      "timeoutSeconds",
					      (json_int_t)svc->timeout));
	}
	if (svc->ext_policy == KGATE_POLICY_LOCAL)
		json_object_set_new(spec, "externalTrafficPolicy",
				    json_string("Local"));
	if (svc->int_policy == KGATE_POLICY_LOCAL)
		json_object_set_new(spec, "internalTrafficPolicy",
				    json_string("Local"));
}

/* One EndpointSlice per kgate service: its backends. */
static void slice_json(json_t *list, const struct kgate_service *svc)
{
	char ns[256], name[256], sname[300];
	json_t *o, *eps, *ports;
	size_t i;

	k8s_name(svc->name, false, ns, sizeof(ns), name, sizeof(name));
	snprintf(sname, sizeof(sname), "%s-%s", name,
		 strrchr(svc->name, ':') ? strrchr(svc->name, ':') + 1 : "0");
	for (i = 0; sname[i]; i++)
		if (sname[i] == '/')
			sname[i] = '-';
	o = object("discovery.k8s.io/v1", "EndpointSlice", ns, sname);
	json_object_set_new(json_object_get(o, "metadata"), "labels",
			    json_pack("{s:s}", "kubernetes.io/service-name",
				      name));
	json_object_set_new(o, "addressType", json_string(
		svc->n_backends && svc->backends[0].addr.family == AF_INET6 ?
		"IPv6" : "IPv4"));
	eps = json_array();
	ports = json_array();
	for (i = 0; i < svc->n_backends; i++) {
		const struct kgate_backend *be = &svc->backends[i];
		json_t *ep = json_object(), *cond = json_object();

		json_object_set_new(ep, "addresses",
				    json_pack("[o]", addr_json(&be->addr)));
		json_object_set_new(cond, "ready",
				    json_boolean(be->state == KGATE_BE_READY));
		json_object_set_new(cond, "serving",
				    json_boolean(be->state != KGATE_BE_TERMINATING));
		json_object_set_new(cond, "terminating",
				    json_boolean(be->state != KGATE_BE_READY));
		json_object_set_new(ep, "conditions", cond);
		if (be->weight != 1)
			json_object_set_new(ep, "x-kgate-weight",
					    json_integer(be->weight));
		json_array_append_new(eps, ep);
		add_unique(ports, json_pack("{s:i}", "port",
					    (json_int_t)be->port));
	}
	json_object_set_new(o, "endpoints", eps);
	json_object_set_new(o, "ports", ports);
	json_array_append_new(list, o);
}

static json_t *backend_ref(const struct kgate_ref *ref, bool ingress)
{
	char ns[256], name[256];
	const char *colon = strrchr(ref->service, ':');
	int port = colon ? atoi(colon + 1) : 0;

	k8s_name(ref->service, false, ns, sizeof(ns), name, sizeof(name));
	if (ingress)
		return json_pack("{s:{s:s,s:{s:i}}}", "service", "name", name,
				 "port", "number", port);
	return json_pack("{s:s,s:i,s:i}", "name", name, "port", port,
			 "weight", (json_int_t)ref->weight);
}

static const char *path_type(uint8_t t, bool ingress)
{
	if (t == KGATE_PATH_EXACT)
		return "Exact";
	if (t == KGATE_PATH_IMPL)
		return "ImplementationSpecific";
	return ingress ? "Prefix" : "PathPrefix";
}

/* An Ingress route "NS/NAME/HOST" into its Ingress: a rule of the host. */
static void ingress_json(json_t *list, const struct kgate_route *r)
{
	char ns[256], name[256];
	json_t *o, *spec, *rule, *paths;
	size_t i, j;

	k8s_name(r->name, true, ns, sizeof(ns), name, sizeof(name));
	o = object_in(list, "networking.k8s.io/v1", "Ingress", ns, name);
	spec = json_object_get(o, "spec");
	json_object_set_new(spec, "ingressClassName", json_string("kgate"));
	rule = json_object();
	if (r->hosts.n)
		json_object_set_new(rule, "host", json_string(r->hosts.v[0]));
	paths = json_array();
	for (i = 0; i < r->n_rules; i++) {
		const struct kgate_rule *ru = &r->rules[i];

		for (j = 0; j < ru->n_matches; j++) {
			json_t *p = json_object();

			json_object_set_new(p, "path", json_string(
				ru->matches[j].path ? ru->matches[j].path : "/"));
			json_object_set_new(p, "pathType", json_string(
				path_type(ru->matches[j].path_type, true)));
			if (ru->n_refs)
				json_object_set_new(p, "backend",
					backend_ref(&ru->refs[0], true));
			json_array_append_new(paths, p);
		}
	}
	json_object_set_new(rule, "http", json_pack("{s:o}", "paths", paths));
	json_array_append_new(array_in(spec, "rules"), rule);
	if (r->rewrite_target)
		json_object_set_new(json_object_get(o, "metadata"),
				    "annotations", json_pack("{s:s}",
				    "nginx.ingress.kubernetes.io/rewrite-target",
				    r->rewrite_target));
}

static json_t *kv_list(const struct kgate_kv_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "name",
						   l->v[i].name, "value",
						   l->v[i].value));
	return a;
}

static void httproute_json(json_t *list, const struct kgate_route *r)
{
	char ns[256], name[256];
	json_t *o, *spec, *rules, *hosts, *parents;
	size_t i, j;

	k8s_name(r->name, true, ns, sizeof(ns), name, sizeof(name));
	o = object("gateway.networking.k8s.io/v1", "HTTPRoute", ns, name);
	spec = json_object();
	parents = json_array();
	for (i = 0; i < r->listeners.n; i++)
		json_array_append_new(parents, json_pack("{s:s}", "name",
							 r->listeners.v[i]));
	json_object_set_new(spec, "parentRefs", parents);
	hosts = json_array();
	for (i = 0; i < r->hosts.n; i++)
		json_array_append_new(hosts, json_string(r->hosts.v[i]));
	json_object_set_new(spec, "hostnames", hosts);
	rules = json_array();
	for (i = 0; i < r->n_rules; i++) {
		const struct kgate_rule *ru = &r->rules[i];
		json_t *rule = json_object(), *ms = json_array(),
		       *refs = json_array();

		for (j = 0; j < ru->n_matches; j++) {
			const struct kgate_match *m = &ru->matches[j];
			json_t *mj = json_object();

			json_object_set_new(mj, "path", json_pack("{s:s,s:s}",
				"type", path_type(m->path_type, false),
				"value", m->path ? m->path : "/"));
			if (m->method)
				json_object_set_new(mj, "method",
						    json_string(m->method));
			if (m->headers.n)
				json_object_set_new(mj, "headers",
						    kv_list(&m->headers));
			if (m->query.n)
				json_object_set_new(mj, "queryParams",
						    kv_list(&m->query));
			json_array_append_new(ms, mj);
		}
		for (j = 0; j < ru->n_refs; j++)
			json_array_append_new(refs,
					      backend_ref(&ru->refs[j], false));
		json_object_set_new(rule, "matches", ms);
		json_object_set_new(rule, "backendRefs", refs);
		json_array_append_new(rules, rule);
	}
	json_object_set_new(spec, "rules", rules);
	json_object_set_new(o, "spec", spec);
	json_array_append_new(list, o);
}

/* ---- output -------------------------------------------------------------- */

static int emit(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) ? 0 : -EIO;
}

static int emit_scalar(yaml_emitter_t *em, const char *s, bool quoted)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
				     (int)strlen(s), !quoted, !quoted,
				     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
				     YAML_ANY_SCALAR_STYLE);
	return emit(em, &ev);
}

/* A JSON value as YAML events; strings that would read back as another
 * type are quoted. */
static int emit_json(yaml_emitter_t *em, json_t *j)
{
	yaml_event_t ev;
	const char *key;
	json_t *v;
	size_t i;
	char buf[64];
	int err = 0;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
		err = emit(em, &ev);
		json_object_foreach(j, key, v) {
			if (!err)
				err = emit_scalar(em, key, false);
			if (!err)
				err = emit_json(em, v);
		}
		yaml_mapping_end_event_initialize(&ev);
		return err ? err : emit(em, &ev);
	case JSON_ARRAY:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_BLOCK_SEQUENCE_STYLE);
		err = emit(em, &ev);
		json_array_foreach(j, i, v)
			if (!err)
				err = emit_json(em, v);
		yaml_sequence_end_event_initialize(&ev);
		return err ? err : emit(em, &ev);
	case JSON_STRING:
		key = json_string_value(j);
		return emit_scalar(em, key, strspn(key, "0123456789.") ==
				   strlen(key) || !strcmp(key, "true") ||
				   !strcmp(key, "false") || !*key);
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)json_integer_value(j));
		return emit_scalar(em, buf, false);
	case JSON_TRUE:
		return emit_scalar(em, "true", false);
	case JSON_FALSE:
		return emit_scalar(em, "false", false);
	default:
		return emit_scalar(em, "null", false);
	}
}

static int write_out(void *data, unsigned char *buf, size_t size)
{
	return fwrite(buf, 1, size, data) == size;
}

/* Each object a YAML document of its own, as kubectl get -o yaml. */
static int print_yaml(json_t *items)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	json_t *o;
	size_t i;
	int err;

	if (!yaml_emitter_initialize(&em))
		return -ENOMEM;
	yaml_emitter_set_output(&em, write_out, stdout);
	yaml_emitter_set_unicode(&em, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	err = emit(&em, &ev);
	json_array_foreach(items, i, o) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
		if (!err)
			err = emit(&em, &ev);
		if (!err)
			err = emit_json(&em, o);
		yaml_document_end_event_initialize(&ev, 1);
		if (!err)
			err = emit(&em, &ev);
	}
	yaml_stream_end_event_initialize(&ev);
	if (!err)
		err = emit(&em, &ev);
	yaml_emitter_delete(&em);
	return err;
}

static void join_strings(json_t *arr, char *buf, size_t len, const char *none)
{
	size_t i, off = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", i ? "," : "",
					json_string_value(v));
	if (!json_array_size(arr))
		snprintf(buf, len, "%s", none);
}

/* "80/TCP,53:30053/UDP" */
static void ports_str(json_t *ports, char *buf, size_t len)
{
	size_t k, off = 0;
	json_t *p;

	buf[0] = '\0';
	json_array_foreach(ports, k, p) {
		json_t *np = json_object_get(p, "nodePort");
		const char *proto = json_string_value(json_object_get(p,
								      "protocol"));
		char node[16] = "";

		if (np)
			snprintf(node, sizeof(node), ":%lld",
				 (long long)json_integer_value(np));
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off,
						"%s%lld%s/%s", k ? "," : "",
						(long long)json_integer_value(
						json_object_get(p, "port")),
						node, proto ? proto : "TCP");
	}
}

/* The table of one kind, as kubectl get -A prints it. */
static void print_table(json_t *items)
{
	char a[512], b[512], c[512];
	const char *kind = NULL;
	json_t *o;
	size_t i, k;

	json_array_foreach(items, i, o) {
		const char *ok = json_string_value(json_object_get(o, "kind"));
		json_t *m = json_object_get(o, "metadata"),
		       *spec = json_object_get(o, "spec");
		const char *ns = json_string_value(json_object_get(m,
								   "namespace"));
		const char *name = json_string_value(json_object_get(m, "name"));
		json_t *v;

		if (!kind || strcmp(kind, ok)) {
			if (kind)
				putchar('\n');
			kind = ok;
			if (!strcmp(kind, "Service"))
				printf("%-16s %-24s %-12s %-18s %-18s %s\n",
				       "NAMESPACE", "NAME", "TYPE",
				       "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)");
			else if (!strcmp(kind, "EndpointSlice"))
				printf("%-16s %-28s %-12s %s\n", "NAMESPACE",
				       "NAME", "ADDRESSTYPE", "ENDPOINTS");
			else if (!strcmp(kind, "Ingress"))
				printf("%-16s %-24s %-8s %s\n", "NAMESPACE",
				       "NAME", "CLASS", "HOSTS");
			else
				printf("%-16s %-24s %s\n", "NAMESPACE", "NAME",
				       "HOSTNAMES");
		}
		ns = ns ? ns : "-";
		if (!strcmp(kind, "Service")) {
			join_strings(json_object_get(spec, "clusterIPs"), a,
				     sizeof(a), "None");
			v = json_object_get(spec, "externalIPs");
			join_strings(v ? v : json_object_get(spec,
				     "loadBalancerIPs"), b, sizeof(b), "<none>");
			ports_str(json_object_get(spec, "ports"), c,
				  sizeof(c));
			printf("%-16s %-24s %-12s %-18s %-18s %s\n", ns, name,
			       json_string_value(json_object_get(spec, "type")),
			       a, b, c);
		} else if (!strcmp(kind, "EndpointSlice")) {
			a[0] = '\0';
			json_array_foreach(json_object_get(o, "endpoints"), k,
					   v) {
				size_t off = strlen(a);

				snprintf(a + off, sizeof(a) - off, "%s%s",
					 k ? "," : "", json_string_value(
					 json_array_get(json_object_get(v,
					 "addresses"), 0)));
			}
			printf("%-16s %-28s %-12s %s\n", ns, name,
			       json_string_value(json_object_get(o,
			       "addressType")), *a ? a : "<none>");
		} else if (!strcmp(kind, "Ingress")) {
			b[0] = '\0';
			json_array_foreach(json_object_get(spec, "rules"), k,
					   v) {
				size_t off = strlen(b);
				const char *h = json_string_value(
					json_object_get(v, "host"));

				snprintf(b + off, sizeof(b) - off, "%s%s",
					 k ? "," : "", h ? h : "*");
			}
			printf("%-16s %-24s %-8s %s\n", ns, name, "kgate", b);
		} else {
			join_strings(json_object_get(spec, "hostnames"), a,
				     sizeof(a), "*");
			printf("%-16s %-24s %s\n", ns, name, a);
		}
	}
}

/* A List, as kubectl get -o json prints several objects. */
static int print_json(json_t *items)
{
	json_t *list = json_pack("{s:s,s:s,s:O}", "apiVersion", "v1", "kind",
				 "List", "items", items);
	int err = !list || json_dumpf(list, stdout, JSON_INDENT(2) |
				      JSON_PRESERVE_ORDER) ||
		  putchar('\n') == EOF;

	json_decref(list);
	return err;
}

/* ---- the command ---------------------------------------------------------- */

static int kind_of(const char *s, enum get_kind *k)
{
	static const struct {
		const char *a, *b, *c;
		enum get_kind k;
	} kinds[] = {
		{ "services", "service", "svc", GET_SVC },
		{ "endpointslices", "endpointslice", "eps", GET_EPS },
		{ "ingresses", "ingress", "ing", GET_ING },
		{ "httproutes", "httproute", "httproute", GET_HTTPROUTE },
		{ "all", "all", "all", GET_ALL },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(s, kinds[i].a) || !strcmp(s, kinds[i].b) ||
		    !strcmp(s, kinds[i].c)) {
			*k = kinds[i].k;
			return 0;
		}
	return -1;
}

static json_t *build(const struct kgate_state *st, enum get_kind k)
{
	json_t *items = json_array(), *svcs = json_array();
	size_t i;

	if (k == GET_SVC || k == GET_ALL)
		for (i = 0; i < st->n_svcs; i++)
			service_json(svcs, &st->svcs[i]);
	json_array_extend(items, svcs);
	json_decref(svcs);
	if (k == GET_EPS || k == GET_ALL)
		for (i = 0; i < st->n_svcs; i++)
			slice_json(items, &st->svcs[i]);
	svcs = json_array();
	for (i = 0; i < st->n_rts; i++) {
		bool ing = st->rts[i].kind == KGATE_ROUTE_INGRESS;

		if (ing && (k == GET_ING || k == GET_ALL))
			ingress_json(svcs, &st->rts[i]);
		else if (!ing && (k == GET_HTTPROUTE || k == GET_ALL))
			httproute_json(svcs, &st->rts[i]);
	}
	json_array_extend(items, svcs);
	json_decref(svcs);
	return items;
}

int cmd_get(const struct cli *cli, int argc, char **argv)
{
	enum get_kind kind = GET_ALL;
	const char *out = NULL;
	struct kgate_state st;
	struct kgate_sock *s;
	struct kgate_err e;
	json_t *items;
	int i, err;

	if (argc == 2 && is_help(argv[1])) {
		usage_get(stdout);
		return CLI_OK;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strncmp(argv[i], "-o", 2) && argv[i][2])
			out = argv[i] + 2;
		else if (kind_of(argv[i], &kind))
			return usage_error("get: unknown kind; services, "
					   "endpointslices, ingresses, "
					   "httproutes or all");
	}
	if (cli->json && !out)
		out = "json";
	if (out && strcmp(out, "yaml") && strcmp(out, "json"))
		return usage_error("get: -o yaml or -o json");
	if (kgate_open(&s, &e)) {
		print_err(NULL, &e);
		return CLI_FAIL;
	}
	kgate_state_init(&st);
	err = kgate_state_read(s, &st, &e);
	kgate_close(s);
	if (err) {
		print_err("get", &e);
		return CLI_FAIL;
	}
	items = build(&st, kind);
	if (!out)
		print_table(items);
	else if (!strcmp(out, "yaml"))
		err = print_yaml(items);
	else
		err = print_json(items);
	json_decref(items);
	kgate_state_free(&st);
	return err ? CLI_FAIL : CLI_OK;
}

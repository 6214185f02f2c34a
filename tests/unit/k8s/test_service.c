// SPDX-License-Identifier: GPL-2.0
/*
 * Services, EndpointSlices and Endpoints into kgate services: one per
 * Service port, with the frontends, options and backends a user expects,
 * the Services kgate leaves alone reported as skipped, every mistake
 * reported with its place and field, and the references routes make.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kk.h"
#include "tap.h"

/* Everything one translation needs and gives. */
struct run {
	struct kk_docs docs;
	struct kk_diag d;
	struct kk_index ix;
	struct kk_config cfg;
	struct kgate_state st;
	char *msgs;		/* every message, as kk_diag_print() says */
	int rc;
};

static char *diag_text(const struct kk_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	kk_diag_print(f, d);
	fclose(f);
	return buf;
}

/* Load @yaml as "t.yaml", index it, translate its Services on @node. */
static void run(struct run *r, const char *yaml, const char *node)
{
	kk_docs_init(&r->docs);
	kk_diag_init(&r->d);
	kk_config_init(&r->cfg);
	kgate_state_init(&r->st);
	r->cfg.node_name = node;
	r->rc = kk_load_text(&r->docs, "t.yaml", yaml, strlen(yaml), &r->d);
	if (!r->rc)
		r->rc = kk_index_build(&r->ix, &r->docs, &r->d);
	if (!r->rc)
		r->rc = kk_translate_services(&r->ix, &r->cfg, &r->st, &r->d);
	r->msgs = diag_text(&r->d);
}

static void done(struct run *r)
{
	free(r->msgs);
	kgate_state_free(&r->st);
	kk_index_free(&r->ix);
	kk_diag_free(&r->d);
	kk_docs_free(&r->docs);
}

static const struct kgate_service *find(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->st.n_svcs; i++)
		if (!strcmp(r->st.svcs[i].name, name))
			return &r->st.svcs[i];
	return NULL;
}

static const char *const kinds[] = { "cluster", "external", "lb",
				     "nodeport" };
static const char *const states[] = { "ready", "serving", "terminating" };

/* "cluster 10.96.0.10:80/tcp, nodeport [::]:30080/tcp" */
static const char *fes(const struct kgate_service *s)
{
	static char buf[1024];
	char ep[KGATE_ENDPOINT_STRLEN], pb[8];
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; s && i < s->n_frontends; i++) {
		const struct kgate_frontend *f = &s->frontends[i];

		n += snprintf(buf + n, sizeof(buf) - n, "%s%s %s/%s",
			      i ? ", " : "", kinds[f->kind],
			      kgate_endpoint_str(&f->addr, f->port, ep,
						 sizeof(ep)),
			      kgate_proto_str(f->proto, pb, sizeof(pb)));
	}
	return buf;
}

/* "10.1.0.1:8080 ready local, ..." (each with weight 1 and its bits) */
static const char *bes(const struct kgate_service *s)
{
	static char buf[2048];
	const uint32_t has = KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE |
			     KGATE_BE_HAS_FLAGS;
	char ep[KGATE_ENDPOINT_STRLEN];
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; s && i < s->n_backends; i++) {
		const struct kgate_backend *b = &s->backends[i];

		n += snprintf(buf + n, sizeof(buf) - n, "%s%s %s%s%s",
			      i ? ", " : "",
			      kgate_endpoint_str(&b->addr, b->port, ep,
						 sizeof(ep)),
			      states[b->state],
			      b->flags & KGATE_BE_F_LOCAL ? " local" : "",
			      b->weight != 1 || b->has != has ? " BAD" : "");
	}
	return buf;
}

static const char *ranges(const struct kgate_service *s)
{
	static char buf[512];
	char p[KGATE_ENDPOINT_STRLEN];
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; s && i < s->n_ranges; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "",
			      kgate_prefix_str(&s->ranges[i], p, sizeof(p)));
	return buf;
}

/* Lines 1-5; the spec's fields follow from line 6, indented by two. */
#define SVC(name)							\
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: " name	\
	"\nspec:\n"
#define DOC "---\n"
/* An EndpointSlice of Service @svc: 7 lines. */
#define SLICE(name, svc, type)						\
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"	\
	"metadata:\n  name: " name "\n  labels:\n"			\
	"    kubernetes.io/service-name: " svc "\naddressType: " type "\n"

/* A Service of one port, 80 to 8080, at 10.96.0.10: lines 6-9. */
#define WEB								\
	SVC("web")							\
	"  clusterIP: 10.96.0.10\n"					\
	"  ports:\n"							\
	"  - port: 80\n"						\
	"    targetPort: 8080\n"

TEST(test_service_name)
{
	char buf[64];

	CHECK_STR(kk_service_name(buf, sizeof(buf), "default", "web", 80,
				  IPPROTO_TCP), "default/web:80");
	CHECK_STR(kk_service_name(buf, sizeof(buf), "kube-system", "dns", 53,
				  IPPROTO_UDP), "kube-system/dns:53/udp");
	CHECK_STR(kk_service_name(buf, sizeof(buf), "a", "b", 9,
				  IPPROTO_SCTP), "a/b:9/sctp");
}

TEST(test_clusterip_one_port)
{
	const struct kgate_service *s;
	struct run r;

	run(&r, WEB, NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, "");
	CHECK_INT(r.st.n_svcs, 1);
	s = find(&r, "default/web:80");
	CHECK(s);
	CHECK_STR(fes(s), "cluster 10.96.0.10:80/tcp");
	CHECK_INT(s ? (long long)s->n_backends : -1, 0);
	CHECK_INT(s ? (long long)s->n_ranges : -1, 0);
	/* Nothing the manifest leaves out is set: the ABI defaults. */
	CHECK_INT(s ? (long long)s->has : -1, 0);
	CHECK_INT(s ? (long long)s->affinity : -1, KGATE_AFFINITY_NONE);
	done(&r);
}

TEST(test_clusterip_two_ports)
{
	struct run r;

	run(&r, SVC("dns")
		"  clusterIP: 10.96.0.10\n"
		"  ports:\n"
		"  - name: dns\n"
		"    port: 53\n"
		"    protocol: UDP\n"
		"  - name: dns-tcp\n"
		"    port: 53\n"
		"  - name: s\n"
		"    port: 99\n"
		"    protocol: SCTP\n", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, "");
	CHECK_INT(r.st.n_svcs, 3);
	CHECK_STR(fes(find(&r, "default/dns:53/udp")),
		  "cluster 10.96.0.10:53/udp");
	CHECK_STR(fes(find(&r, "default/dns:53")), "cluster 10.96.0.10:53/tcp");
	CHECK_STR(fes(find(&r, "default/dns:99/sctp")),
		  "cluster 10.96.0.10:99/sctp");
	done(&r);
}

TEST(test_namespace)
{
	struct run r;

	run(&r, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
		"  namespace: shop\nspec:\n  clusterIP: 10.96.0.1\n"
		"  ports:\n  - port: 443\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(fes(find(&r, "shop/web:443")), "cluster 10.96.0.1:443/tcp");
	done(&r);
}

TEST(test_dual_stack)
{
	struct run r;

	run(&r, SVC("web")
		"  clusterIP: 10.96.0.10\n"
		"  clusterIPs: [10.96.0.10, \"fd00::10\"]\n"
		"  ipFamilies: [IPv4, IPv6]\n"
		"  ports:\n"
		"  - port: 80\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(fes(find(&r, "default/web:80")),
		  "cluster 10.96.0.10:80/tcp, cluster [fd00::10]:80/tcp");
	done(&r);
}

TEST(test_no_cluster_ip)
{
	struct run r;

	run(&r, SVC("web") "  ports:\n  - port: 80\n", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, "t.yaml:6:3: note: Service default/web: "
		  "spec.clusterIP: no clusterIP (the API server would "
		  "allocate one): no cluster frontend\n");
	/* It exists all the same: routes reach it by name. */
	CHECK(find(&r, "default/web:80"));
	CHECK_STR(fes(find(&r, "default/web:80")), "");
	done(&r);
}

TEST(test_nodeport_per_family)
{
	struct run r;

	run(&r, SVC("a")
		"  type: NodePort\n"
		"  clusterIPs: [10.96.0.10, \"fd00::10\"]\n"
		"  ports:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    nodePort: 30080\n"
		"  - name: other\n"
		"    port: 81\n"
		DOC SVC("b")
		"  type: NodePort\n"
		"  clusterIP: \"fd00::11\"\n"
		"  ports:\n"
		"  - port: 53\n"
		"    protocol: UDP\n"
		"    nodePort: 30053\n"
		DOC SVC("c")
		"  type: NodePort\n"
		"  ipFamilies: [IPv6]\n"
		"  clusterIP: 10.96.0.12\n"
		"  ports:\n"
		"  - port: 80\n"
		"    nodePort: 30001\n", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, "t.yaml:12:5: note: Service default/a: "
		  "spec.ports[1]: no nodePort (the API server would allocate "
		  "one): no node port frontend\n");
	CHECK_STR(fes(find(&r, "default/a:80")),
		  "cluster 10.96.0.10:80/tcp, cluster [fd00::10]:80/tcp, "
		  "nodeport 0.0.0.0:30080/tcp, nodeport [::]:30080/tcp");
	CHECK_STR(fes(find(&r, "default/a:81")),
		  "cluster 10.96.0.10:81/tcp, cluster [fd00::10]:81/tcp");
	/* The families of the clusterIPs, else ipFamilies says. */
	CHECK_STR(fes(find(&r, "default/b:53/udp")),
		  "cluster [fd00::11]:53/udp, nodeport [::]:30053/udp");
	CHECK_STR(fes(find(&r, "default/c:80")),
		  "cluster 10.96.0.12:80/tcp, nodeport [::]:30001/tcp");
	done(&r);
}

TEST(test_nodeport_default_ipv4)
{
	struct run r;

	run(&r, SVC("web")
		"  type: NodePort\n"
		"  clusterIP: \"\"\n"
		"  ports:\n"
		"  - port: 80\n"
		"    nodePort: 30080\n", NULL);
	CHECK_STR(r.msgs, "t.yaml:6:3: note: Service default/web: "
		  "spec.clusterIP: no clusterIP (the API server would "
		  "allocate one): no cluster frontend\n");
	CHECK_STR(fes(find(&r, "default/web:80")),
		  "nodeport 0.0.0.0:30080/tcp");
	done(&r);
}

TEST(test_loadbalancer)
{
	const struct kgate_service *s;
	struct run r;

	run(&r, SVC("web")
		"  type: LoadBalancer\n"
		"  clusterIP: 10.96.0.10\n"
		"  externalIPs: [192.0.2.7]\n"
		"  loadBalancerSourceRanges: [10.0.0.0/8, \"2001:db8::/32\","
		" 192.168.1.7/24, 1.2.3.4]\n"
		"  ports:\n"
		"  - port: 80\n"
		"    nodePort: 30080\n"
		"status:\n"
		"  loadBalancer:\n"
		"    ingress:\n"
		"    - ip: 203.0.113.5\n"
		"    - hostname: lb.example.com\n"
		"    - ip: 192.0.2.7\n"
		"    - ip: 203.0.113.6\n"
		"      ipMode: Proxy\n"
		"    - ip: \"2001:db8::5\"\n"
		"      ipMode: VIP\n", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs,
		  "t.yaml:17:7: note: Service default/web: "
		  "status.loadBalancer.ingress[1]: no ip (a hostname only): "
		  "ignored\n"
		  "t.yaml:18:11: note: Service default/web: "
		  "status.loadBalancer.ingress[2].ip: 192.0.2.7 listed "
		  "already: ignored\n"
		  "t.yaml:19:7: note: Service default/web: "
		  "status.loadBalancer.ingress[3]: ipMode Proxy: the load "
		  "balancer proxies, no frontend\n"
		  "t.yaml:9:59: note: Service default/web: "
		  "spec.loadBalancerSourceRanges[2]: host bits set: taken as "
		  "192.168.1.0/24\n");
	s = find(&r, "default/web:80");
	CHECK_STR(fes(s), "cluster 10.96.0.10:80/tcp, "
		  "external 192.0.2.7:80/tcp, "
		  "lb 203.0.113.5:80/tcp, lb [2001:db8::5]:80/tcp, "
		  "nodeport 0.0.0.0:30080/tcp");
	CHECK_STR(ranges(s), "10.0.0.0/8, 2001:db8::/32, 192.168.1.0/24, "
		  "1.2.3.4/32");
	done(&r);
}

TEST(test_loadbalancer_without_nodeports)
{
	struct run r;

	run(&r, SVC("web")
		"  type: LoadBalancer\n"
		"  allocateLoadBalancerNodePorts: false\n"
		"  clusterIP: 10.96.0.10\n"
		"  ports:\n"
		"  - port: 80\n"
		"    nodePort: 30080\n"
		"status:\n"
		"  loadBalancer:\n"
		"    ingress:\n"
		"    - ip: 203.0.113.5\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(fes(find(&r, "default/web:80")),
		  "cluster 10.96.0.10:80/tcp, lb 203.0.113.5:80/tcp");
	done(&r);
}

TEST(test_not_loadbalancer)
{
	struct run r;

	/* A ClusterIP's status and source ranges are not read. */
	run(&r, SVC("web")
		"  clusterIP: 10.96.0.10\n"
		"  loadBalancerSourceRanges: [10.0.0.0/8]\n"
		"  ports:\n"
		"  - port: 80\n"
		"status:\n"
		"  loadBalancer:\n"
		"    ingress:\n"
		"    - ip: 203.0.113.5\n", NULL);
	CHECK_STR(r.msgs, "t.yaml:7:29: note: Service default/web: "
		  "spec.loadBalancerSourceRanges: only for type LoadBalancer: "
		  "ignored\n");
	CHECK_STR(fes(find(&r, "default/web:80")), "cluster 10.96.0.10:80/tcp");
	CHECK_STR(ranges(find(&r, "default/web:80")), "");
	done(&r);
}

TEST(test_external_ips)
{
	struct run r;

	run(&r, SVC("web")
		"  clusterIP: 10.96.0.10\n"
		"  externalIPs: [192.0.2.1, \"2001:db8::1\"]\n"
		"  ports:\n"
		"  - port: 80\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(fes(find(&r, "default/web:80")),
		  "cluster 10.96.0.10:80/tcp, external 192.0.2.1:80/tcp, "
		  "external [2001:db8::1]:80/tcp");
	done(&r);
}

TEST(test_affinity)
{
	const struct kgate_service *s;
	struct run r;

	run(&r, SVC("a")
		"  clusterIP: 10.96.0.10\n"
		"  sessionAffinity: ClientIP\n"
		"  ports:\n"
		"  - port: 80\n"
		DOC SVC("b")
		"  clusterIP: 10.96.0.11\n"
		"  sessionAffinity: ClientIP\n"
		"  sessionAffinityConfig:\n"
		"    clientIP:\n"
		"      timeoutSeconds: 60\n"
		"  ports:\n"
		"  - port: 80\n"
		DOC SVC("c")
		"  clusterIP: 10.96.0.12\n"
		"  sessionAffinity: None\n"
		"  ports:\n"
		"  - port: 80\n", NULL);
	CHECK_STR(r.msgs, "");
	s = find(&r, "default/a:80");
	CHECK_INT(s ? (long long)s->affinity : -1, KGATE_AFFINITY_CLIENTIP);
	CHECK_INT(s ? (long long)s->timeout : -1, KGATE_TIMEOUT_DEFAULT);
	CHECK_INT(s ? (long long)s->has : -1,
		  KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT);
	s = find(&r, "default/b:80");
	CHECK_INT(s ? (long long)s->affinity : -1, KGATE_AFFINITY_CLIENTIP);
	CHECK_INT(s ? (long long)s->timeout : -1, 60);
	CHECK_INT(s ? (long long)s->has : -1,
		  KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT);
	s = find(&r, "default/c:80");
	CHECK_INT(s ? (long long)s->affinity : -1, KGATE_AFFINITY_NONE);
	CHECK_INT(s ? (long long)s->has : -1, KGATE_SVC_HAS_AFFINITY);
	done(&r);
}

TEST(test_policies)
{
	const struct kgate_service *s;
	struct run r;

	run(&r, SVC("a")
		"  type: NodePort\n"
		"  clusterIP: 10.96.0.10\n"
		"  externalTrafficPolicy: Local\n"
		"  internalTrafficPolicy: Local\n"
		"  ports:\n"
		"  - port: 80\n"
		"    nodePort: 30080\n"
		DOC SVC("b")
		"  clusterIP: 10.96.0.11\n"
		"  externalTrafficPolicy: Cluster\n"
		"  internalTrafficPolicy: Cluster\n"
		"  ports:\n"
		"  - port: 80\n", NULL);
	CHECK_STR(r.msgs, "");
	s = find(&r, "default/a:80");
	CHECK_INT(s ? (long long)s->ext_policy : -1, KGATE_POLICY_LOCAL);
	CHECK_INT(s ? (long long)s->int_policy : -1, KGATE_POLICY_LOCAL);
	CHECK_INT(s ? (long long)s->has : -1,
		  KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY);
	s = find(&r, "default/b:80");
	CHECK_INT(s ? (long long)s->ext_policy : -1, KGATE_POLICY_CLUSTER);
	CHECK_INT(s ? (long long)s->int_policy : -1, KGATE_POLICY_CLUSTER);
	CHECK_INT(s ? (long long)s->has : -1,
		  KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY);
	done(&r);
}

TEST(test_skipped)
{
	struct run r;

	run(&r, SVC("headless")
		"  clusterIP: None\n"
		"  ports:\n"
		"  - port: 80\n"
		DOC SVC("headless2")
		"  clusterIPs: [None]\n"
		"  ports:\n"
		"  - port: 80\n"
		DOC SVC("ext")
		"  type: ExternalName\n"
		"  externalName: db.example.com\n"
		DOC
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: other\n"
		"  labels:\n"
		"    service.kubernetes.io/service-proxy-name: cilium\n"
		"spec:\n"
		"  clusterIP: 10.96.0.10\n"
		"  ports:\n"
		"  - port: 80\n"
		DOC SLICE("headless-1", "headless", "IPv4")
		"endpoints:\n"
		"- addresses: [10.1.0.1]\n", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs,
		  "t.yaml:1:1: skipped: Service default/headless: headless "
		  "(clusterIP None): not proxied\n"
		  "t.yaml:10:1: skipped: Service default/headless2: headless "
		  "(clusterIP None): not proxied\n"
		  "t.yaml:19:1: skipped: Service default/ext: type "
		  "ExternalName: a DNS name, not proxied\n"
		  "t.yaml:27:1: skipped: Service default/other: label "
		  "service.kubernetes.io/service-proxy-name: another service "
		  "proxy's\n");
	CHECK_INT(r.st.n_svcs, 0);
	done(&r);
}

/* The Service of the slice tests: port "http" 80 to "web", at 10.96.0.10. */
#define NAMED								\
	SVC("web")							\
	"  clusterIP: 10.96.0.10\n"					\
	"  ports:\n"							\
	"  - name: http\n"						\
	"    port: 80\n"						\
	"    targetPort: web\n"						\
	"  - name: metrics\n"						\
	"    port: 9090\n"

TEST(test_slices_merged)
{
	struct run r;

	run(&r, NAMED
		DOC SLICE("web-1", "web", "IPv4")
		"ports:\n"
		"- name: http\n"
		"  port: 8080\n"
		"endpoints:\n"
		"- addresses: [10.1.0.1]\n"
		"- addresses: [10.1.0.2, 10.1.0.99]\n"
		"  conditions: {ready: false, serving: true,"
		" terminating: true}\n"
		DOC SLICE("web-2", "web", "IPv4")
		"ports:\n"
		"- name: http\n"
		"  port: 8080\n"
		"- name: metrics\n"
		"  port: 9100\n"
		"endpoints:\n"
		"- addresses: [10.1.0.3]\n"
		"- addresses: [10.1.0.2]\n"
		"- addresses: [10.1.0.1]\n"
		"  conditions: {ready: false, serving: false,"
		" terminating: true}\n",
		NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, "");
	/* 10.1.0.2 serving in one, ready in the other: the better wins. */
	CHECK_STR(bes(find(&r, "default/web:80")),
		  "10.1.0.1:8080 ready, 10.1.0.2:8080 ready, "
		  "10.1.0.3:8080 ready");
	/* A slice without the port gives it no backends. */
	CHECK_STR(bes(find(&r, "default/web:9090")),
		  "10.1.0.1:9100 terminating, 10.1.0.2:9100 ready, "
		  "10.1.0.3:9100 ready");
	done(&r);
}

TEST(test_named_target_port)
{
	struct run r;

	/* The slice port has the Service port's name, and the number. */
	run(&r, NAMED
		DOC SLICE("web-1", "web", "IPv4")
		"ports:\n"
		"- name: web\n"
		"  port: 7070\n"
		"- name: http\n"
		"  port: 8080\n"
		"- name: http\n"
		"  port: 8081\n"
		"  protocol: UDP\n"
		"- name: metrics\n"
		"endpoints:\n"
		"- addresses: [10.1.0.1]\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(bes(find(&r, "default/web:80")), "10.1.0.1:8080 ready");
	/* A port without a number restricts nothing: no backends here. */
	CHECK_STR(bes(find(&r, "default/web:9090")), "");
	done(&r);
}

TEST(test_unnamed_slice_port)
{
	struct run r;

	run(&r, WEB DOC SLICE("web-1", "web", "IPv6")
		"ports:\n"
		"- port: 8080\n"
		"  name: \"\"\n"
		"endpoints:\n"
		"- addresses: [\"fd00::1\"]\n"
		DOC SLICE("web-2", "web", "IPv4")
		"ports:\n"
		"- port: 8080\n"
		"endpoints:\n"
		"- addresses: [10.1.0.1]\n", NULL);
	/* The IPv6 slice of a Service with only IPv4 frontends. */
	CHECK_STR(r.msgs, "t.yaml:22:3: note: EndpointSlice default/web-1: "
		  "Service default/web has no IPv6 frontend: IPv6 endpoints "
		  "ignored\n");
	CHECK_STR(bes(find(&r, "default/web:80")), "10.1.0.1:8080 ready");
	done(&r);
}

/* The state of one endpoint with conditions @cond, as bes() says it. */
static void check_state(const char *cond, const char *want)
{
	static const char head[] = WEB DOC SLICE("web-1", "web", "IPv4")
		"ports:\n- port: 8080\n"
		"endpoints:\n- addresses: [10.1.0.1]\n";
	char yaml[1024];
	struct run r;

	snprintf(yaml, sizeof(yaml), "%s%s", head, cond);
	run(&r, yaml, NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(bes(find(&r, "default/web:80")), want);
	if (strcmp(bes(find(&r, "default/web:80")), want))
		printf("# conditions: %s", cond);
	done(&r);
}

TEST(test_conditions)
{
	static const struct {
		const char *cond, *want;
	} table[] = {
		{ "", "10.1.0.1:8080 ready" },
		{ "  conditions: {}\n", "10.1.0.1:8080 ready" },
		{ "  conditions: {ready: true}\n", "10.1.0.1:8080 ready" },
		{ "  conditions: {ready: false}\n", "" },
		{ "  conditions: {serving: false}\n", "10.1.0.1:8080 ready" },
		{ "  conditions: {terminating: true}\n",
		  "10.1.0.1:8080 ready" },
		{ "  conditions: {ready: true, serving: true, "
		  "terminating: false}\n", "10.1.0.1:8080 ready" },
		{ "  conditions: {ready: false, serving: true}\n", "" },
		{ "  conditions: {ready: false, serving: true, "
		  "terminating: false}\n", "" },
		{ "  conditions: {ready: false, serving: true, "
		  "terminating: true}\n", "10.1.0.1:8080 serving" },
		{ "  conditions: {ready: false, serving: false, "
		  "terminating: true}\n", "10.1.0.1:8080 terminating" },
		/* serving unset: as ready, false */
		{ "  conditions: {ready: false, terminating: true}\n",
		  "10.1.0.1:8080 terminating" },
		{ "  conditions: {ready: false, serving: false}\n", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_state(table[i].cond, table[i].want);
}

TEST(test_node_name_local)
{
	static const char yaml[] = WEB DOC SLICE("web-1", "web", "IPv4")
		"ports:\n- port: 8080\n"
		"endpoints:\n"
		"- addresses: [10.1.0.1]\n"
		"  nodeName: node-a\n"
		"- addresses: [10.1.0.2]\n"
		"  nodeName: node-b\n"
		"- addresses: [10.1.0.3]\n";
	struct run r;

	run(&r, yaml, "node-a");
	CHECK_STR(r.msgs, "");
	CHECK_STR(bes(find(&r, "default/web:80")),
		  "10.1.0.1:8080 ready local, 10.1.0.2:8080 ready, "
		  "10.1.0.3:8080 ready");
	done(&r);
	run(&r, yaml, NULL);
	CHECK_STR(bes(find(&r, "default/web:80")),
		  "10.1.0.1:8080 ready, 10.1.0.2:8080 ready, "
		  "10.1.0.3:8080 ready");
	done(&r);
}

TEST(test_fqdn_slice)
{
	struct run r;

	run(&r, WEB DOC SLICE("web-1", "web", "FQDN")
		"ports:\n- port: 8080\n"
		"endpoints:\n- addresses: [db.example.com]\n", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, "t.yaml:17:14: note: EndpointSlice default/web-1: "
		  "addressType: FQDN endpoints are not proxied: ignored\n");
	CHECK_STR(bes(find(&r, "default/web:80")), "");
	done(&r);
}

/* Lines 11-23 after WEB and DOC. */
#define LEGACY								\
	"apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\n"	\
	"subsets:\n"							\
	"- addresses:\n"						\
	"  - ip: 10.2.0.1\n"						\
	"    nodeName: node-a\n"					\
	"  - ip: 10.2.0.2\n"						\
	"  notReadyAddresses:\n"					\
	"  - ip: 10.2.0.3\n"						\
	"  ports:\n"							\
	"  - port: 8080\n"

TEST(test_legacy_endpoints)
{
	struct run r;

	run(&r, WEB DOC LEGACY, "node-a");
	CHECK_STR(r.msgs, "");
	CHECK_STR(bes(find(&r, "default/web:80")),
		  "10.2.0.1:8080 ready local, 10.2.0.2:8080 ready");
	done(&r);
	/* Only without slices: a slice, even one without endpoints, wins. */
	run(&r, WEB DOC LEGACY DOC SLICE("web-1", "web", "IPv4")
		"ports:\n- port: 8080\n"
		"endpoints:\n- addresses: [10.1.0.1]\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(bes(find(&r, "default/web:80")), "10.1.0.1:8080 ready");
	done(&r);
	run(&r, WEB DOC LEGACY DOC SLICE("web-1", "web", "IPv4"), NULL);
	CHECK_STR(bes(find(&r, "default/web:80")), "");
	done(&r);
}

TEST(test_legacy_named_ports)
{
	struct run r;

	run(&r, NAMED DOC
		"apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\n"
		"subsets:\n"
		"- addresses:\n"
		"  - ip: 10.2.0.1\n"
		"  ports:\n"
		"  - name: http\n"
		"    port: 8080\n"
		"- addresses:\n"
		"  - ip: 10.2.0.2\n"
		"  ports:\n"
		"  - name: metrics\n"
		"    port: 9100\n", NULL);
	CHECK_STR(r.msgs, "");
	CHECK_STR(bes(find(&r, "default/web:80")), "10.2.0.1:8080 ready");
	CHECK_STR(bes(find(&r, "default/web:9090")), "10.2.0.2:9100 ready");
	done(&r);
}

TEST(test_orphans)
{
	struct run r;

	run(&r, WEB DOC SLICE("gone-1", "gone", "IPv4")
		DOC "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
		"metadata:\n  name: nolabel\naddressType: IPv4\n"
		DOC "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: old\n",
		NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs,
		  "t.yaml:11:1: note: EndpointSlice default/gone-1: no "
		  "Service default/gone in the input: ignored\n"
		  "t.yaml:22:3: note: EndpointSlice default/nolabel: "
		  "metadata.labels: no label kubernetes.io/service-name: "
		  "ignored\n"
		  "t.yaml:25:1: note: Endpoints default/old: no Service "
		  "default/old in the input: ignored\n");
	CHECK_INT(r.st.n_svcs, 1);
	done(&r);
}

/* @yaml gives @want, one error or more, and no kgate service at all. */
static void check_error(const char *yaml, const char *want)
{
	struct run r;

	run(&r, yaml, NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.msgs, want);
	CHECK(r.d.errors > 0);
	CHECK_INT(r.st.n_svcs, 0);
	done(&r);
}

#define E "t.yaml:"
#define WEBE ": error: Service default/web: "

TEST(test_port_errors)
{
	check_error(SVC("web") "  clusterIP: 10.96.0.10\n"
		    "  ports:\n"
		    "  - name: a\n"
		    "    port: 0\n"
		    "  - name: b\n"
		    "    port: 70000\n"
		    "  - name: c\n"
		    "    port: \"80\"\n"
		    "  - name: d\n"
		    "  - name: e\n"
		    "    port: 80\n"
		    "    protocol: ICMP\n"
		    "  - name: f\n"
		    "    port: 81\n"
		    "    protocol: tcp\n",
		    E "9:11" WEBE "spec.ports[0].port: port 0 out of range "
		    "1..65535\n"
		    E "11:11" WEBE "spec.ports[1].port: port 70000 out of "
		    "range 1..65535\n"
		    E "13:11" WEBE "spec.ports[2].port: expected an integer, "
		    "got a string\n"
		    E "14:5" WEBE "spec.ports[3].port: missing\n"
		    E "17:15" WEBE "spec.ports[4].protocol: unknown protocol "
		    "\"ICMP\" (TCP, UDP or SCTP)\n"
		    E "20:15" WEBE "spec.ports[5].protocol: unknown protocol "
		    "\"tcp\" (TCP, UDP or SCTP)\n");
}

TEST(test_port_names)
{
	check_error(SVC("web") "  clusterIP: 10.96.0.10\n"
		    "  ports:\n"
		    "  - name: http\n"
		    "    port: 80\n"
		    "  - port: 81\n"
		    "  - name: http\n"
		    "    port: 82\n"
		    "  - name: [x]\n"
		    "    port: 83\n",
		    E "10:5" WEBE "spec.ports[1].name: required when there is "
		    "more than one port\n"
		    E "11:11" WEBE "spec.ports[2].name: duplicate port name "
		    "\"http\"\n"
		    E "13:11" WEBE "spec.ports[3].name: expected a string, got "
		    "a list\n");
}

TEST(test_port_duplicates)
{
	check_error(SVC("web") "  type: NodePort\n"
		    "  clusterIP: 10.96.0.10\n"
		    "  ports:\n"
		    "  - name: a\n"
		    "    port: 80\n"
		    "    nodePort: 30080\n"
		    "  - name: b\n"
		    "    port: 80\n"
		    "    protocol: UDP\n"
		    "    nodePort: 30080\n"
		    "  - name: c\n"
		    "    port: 80\n"
		    "    nodePort: 30080\n",
		    E "17:11" WEBE "spec.ports[2].port: duplicate port 80/tcp\n"
		    E "18:15" WEBE "spec.ports[2].nodePort: duplicate nodePort "
		    "30080/tcp\n");
}

TEST(test_target_and_node_ports)
{
	check_error(SVC("web") "  clusterIP: 10.96.0.10\n"
		    "  ports:\n"
		    "  - name: a\n"
		    "    port: 80\n"
		    "    targetPort: [80]\n"
		    "  - name: b\n"
		    "    port: 81\n"
		    "    targetPort: \"8080\"\n"
		    "  - name: c\n"
		    "    port: 82\n"
		    "    targetPort: 0\n"
		    "  - name: d\n"
		    "    port: 83\n"
		    "    nodePort: 30083\n"
		    DOC SVC("np") "  type: NodePort\n"
		    "  clusterIP: 10.96.0.11\n"
		    "  ports:\n"
		    "  - port: 80\n"
		    "    nodePort: 65536\n",
		    E "10:17" WEBE "spec.ports[0].targetPort: expected a port "
		    "number or name, got a list\n"
		    E "13:17" WEBE "spec.ports[1].targetPort: port name "
		    "\"8080\" must contain a letter\n"
		    E "16:17" WEBE "spec.ports[2].targetPort: port 0 out of "
		    "range 1..65535\n"
		    E "19:15" WEBE "spec.ports[3].nodePort: only for types "
		    "NodePort and LoadBalancer\n"
		    E "30:15: error: Service default/np: "
		    "spec.ports[0].nodePort: "
		    "port 65536 out of range 1..65535\n");
}

TEST(test_spec_errors)
{
	check_error(SVC("web") "  type: Cluster\n"
		    "  clusterIP: 10.96.0.10\n"
		    DOC SVC("b") "  clusterIP: 10.96.0.10\n"
		    "  ports: []\n"
		    DOC "apiVersion: v1\nkind: Service\nmetadata:\n  name: c\n"
		    DOC "apiVersion: v1\nkind: Service\nmetadata:\n  name: d\n"
		    "spec: [1]\n",
		    E "6:9" WEBE "spec.type: unknown type \"Cluster\" "
		    "(ClusterIP, NodePort, LoadBalancer or ExternalName)\n"
		    E "6:3" WEBE "spec.ports: missing: a Service needs a port\n"
		    E "15:10: error: Service default/b: spec.ports: empty: a "
		    "Service needs a port\n"
		    E "17:1: error: Service default/c: spec: missing\n"
		    E "26:7: error: Service default/d: spec: expected a map, "
		    "got a list\n");
}

TEST(test_address_errors)
{
	check_error(SVC("web") "  type: LoadBalancer\n"
		    "  clusterIP: 10.96.0.300\n"
		    "  externalIPs: [224.0.0.1, 0.0.0.0, \"fe80::1\", "
		    "\"::ffff:1.2.3.4\", 255.255.255.255, 7]\n"
		    "  ports:\n"
		    "  - port: 80\n"
		    "status:\n"
		    "  loadBalancer:\n"
		    "    ingress:\n"
		    "    - ip: lb\n"
		    "    - ip: \"ff02::1\"\n"
		    DOC SVC("b") "  clusterIPs: 10.96.0.1\n"
		    "  ports:\n"
		    "  - port: 80\n",
		    E "10:5: note: Service default/web: spec.ports[0]: no "
		    "nodePort (the API server would allocate one): no node "
		    "port frontend\n"
		    E "7:14" WEBE "spec.clusterIP: invalid address "
		    "\"10.96.0.300\"\n"
		    E "8:17" WEBE "spec.externalIPs[0]: 224.0.0.1 is a "
		    "multicast address\n"
		    E "8:28" WEBE "spec.externalIPs[1]: 0.0.0.0 is the "
		    "unspecified address\n"
		    E "8:37" WEBE "spec.externalIPs[2]: fe80::1 is a "
		    "link-local address\n"
		    E "8:48" WEBE "spec.externalIPs[3]: ::ffff:1.2.3.4 is an "
		    "IPv4-mapped IPv6 address\n"
		    E "8:66" WEBE "spec.externalIPs[4]: 255.255.255.255 is the "
		    "broadcast address\n"
		    E "8:83" WEBE "spec.externalIPs[5]: expected a string, got "
		    "an integer\n"
		    E "14:11" WEBE "status.loadBalancer.ingress[0].ip: invalid "
		    "address \"lb\"\n"
		    E "15:11" WEBE "status.loadBalancer.ingress[1].ip: ff02::1 "
		    "is a multicast address\n"
		    E "22:15: error: Service default/b: spec.clusterIPs: "
		    "expected a list, got a string\n");
}

TEST(test_range_errors)
{
	check_error(SVC("web") "  type: LoadBalancer\n"
		    "  clusterIP: 10.96.0.10\n"
		    "  loadBalancerSourceRanges:\n"
		    "  - 10.0.0.0/33\n"
		    "  - \"2001:db8::/129\"\n"
		    "  - 10.0.0.0/x\n"
		    "  - 10.0.0/8\n"
		    "  - {a: b}\n"
		    "  ports:\n"
		    "  - port: 80\n",
		    E "15:5: note: Service default/web: spec.ports[0]: no "
		    "nodePort (the API server would allocate one): no node "
		    "port frontend\n"
		    E "9:5" WEBE "spec.loadBalancerSourceRanges[0]: prefix "
		    "length 33 too long for IPv4\n"
		    E "10:5" WEBE "spec.loadBalancerSourceRanges[1]: prefix "
		    "length 129 too long for IPv6\n"
		    E "11:5" WEBE "spec.loadBalancerSourceRanges[2]: invalid "
		    "prefix length \"x\"\n"
		    E "12:5" WEBE "spec.loadBalancerSourceRanges[3]: invalid "
		    "address \"10.0.0\"\n"
		    E "13:5" WEBE "spec.loadBalancerSourceRanges[4]: "
		    "expected a string, got a map\n");
}

TEST(test_option_errors)
{
	check_error(SVC("web") "  clusterIP: 10.96.0.10\n"
		    "  sessionAffinity: ClientIp\n"
		    "  externalTrafficPolicy: local\n"
		    "  internalTrafficPolicy: Topology\n"
		    "  ipFamilies: [IPv4, ipv6]\n"
		    "  ports:\n"
		    "  - port: 80\n"
		    DOC SVC("b") "  clusterIP: 10.96.0.11\n"
		    "  sessionAffinity: ClientIP\n"
		    "  sessionAffinityConfig:\n"
		    "    clientIP:\n"
		    "      timeoutSeconds: 86401\n"
		    "  ports:\n"
		    "  - port: 80\n"
		    DOC SVC("c") "  clusterIP: 10.96.0.12\n"
		    "  sessionAffinity: ClientIP\n"
		    "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n"
		    "  allocateLoadBalancerNodePorts: 1\n"
		    "  type: LoadBalancer\n"
		    "  ports:\n"
		    "  - port: 80\n",
		    E "10:22" WEBE "spec.ipFamilies[1]: unknown IP family "
		    "\"ipv6\" (IPv4 or IPv6)\n"
		    E "7:20" WEBE "spec.sessionAffinity: unknown session "
		    "affinity \"ClientIp\" (None or ClientIP)\n"
		    E "8:26" WEBE "spec.externalTrafficPolicy: unknown policy "
		    "\"local\" (Cluster or Local)\n"
		    E "9:26" WEBE "spec.internalTrafficPolicy: unknown policy "
		    "\"Topology\" (Cluster or Local)\n"
		    E "23:23: error: Service default/b: "
		    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: "
		    "timeout 86401 out of range 1..86400\n"
		    E "35:34: error: Service default/c: "
		    "spec.allocateLoadBalancerNodePorts: expected true or "
		    "false, got an integer\n"
		    E "38:5: note: Service default/c: spec.ports[0]: no "
		    "nodePort (the API server would allocate one): no node "
		    "port frontend\n"
		    E "34:54: error: Service default/c: "
		    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: "
		    "timeout 0 out of range 1..86400\n");
}

#define SLICEE ": error: EndpointSlice default/web-1: "

TEST(test_slice_errors)
{
	check_error(WEB DOC SLICE("web-1", "web", "IPv5")
		    DOC SLICE("web-2", "web", "IPv4")
		    "ports:\n"
		    "- port: 0\n"
		    "- name: x\n"
		    "  port: 80\n"
		    "- name: x\n"
		    "  port: 81\n"
		    "endpoints:\n"
		    "- addresses: [\"fd00::1\"]\n"
		    "- addresses: [10.1.0.300]\n"
		    "- addresses: []\n"
		    "- conditions: {ready: 1}\n"
		    "  addresses: [10.1.0.1]\n"
		    "- addresses: [10.1.0.2]\n"
		    "  nodeName: 7\n",
		    E "17:14" SLICEE "addressType: unknown address type "
		    "\"IPv5\" (IPv4, IPv6 or FQDN)\n"
		    E "27:9: error: EndpointSlice default/web-2: "
		    "ports[0].port: "
		    "port 0 out of range 1..65535\n"
		    E "30:3: error: EndpointSlice default/web-2: "
		    "ports[2].name: "
		    "duplicate port \"x\"/tcp\n"
		    E "33:15: error: EndpointSlice default/web-2: "
		    "endpoints[0].addresses[0]: fd00::1 is not an IPv4 "
		    "address\n"
		    E "34:15: error: EndpointSlice default/web-2: "
		    "endpoints[1].addresses[0]: invalid address "
		    "\"10.1.0.300\"\n"
		    E "35:14: error: EndpointSlice default/web-2: "
		    "endpoints[2].addresses: an endpoint needs an address\n"
		    E "36:23: error: EndpointSlice default/web-2: "
		    "endpoints[3].conditions.ready: expected true or false, "
		    "got an integer\n"
		    E "39:13: error: EndpointSlice default/web-2: "
		    "endpoints[4].nodeName: expected a string, got an "
		    "integer\n");
}

TEST(test_slice_missing)
{
	check_error(WEB DOC "apiVersion: discovery.k8s.io/v1\n"
		    "kind: EndpointSlice\n"
		    "metadata:\n  name: web-1\n  labels:\n"
		    "    kubernetes.io/service-name: web\n"
		    "endpoints:\n"
		    "- nodeName: a\n",
		    E "11:1" SLICEE "addressType: missing\n");
}

TEST(test_legacy_errors)
{
	check_error(WEB DOC
		    "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\n"
		    "subsets:\n"
		    "- addresses:\n"
		    "  - ip: 10.2.0.x\n"
		    "  - nodeName: a\n"
		    "  notReadyAddresses:\n"
		    "  - ip: \"::\"\n"
		    "  ports:\n"
		    "  - name: http\n"
		    "    protocol: UDP\n"
		    "- 7\n",
		    E "22:5: error: Endpoints default/web: "
		    "subsets[0].ports[0].port: missing\n"
		    E "17:9: error: Endpoints default/web: "
		    "subsets[0].addresses[0].ip: invalid address \"10.2.0.x\"\n"
		    E "18:5: error: Endpoints default/web: "
		    "subsets[0].addresses[1].ip: missing\n"
		    E "20:9: error: Endpoints default/web: "
		    "subsets[0].notReadyAddresses[0].ip: :: is the unspecified "
		    "address\n"
		    E "24:3: error: Endpoints default/web: subsets[1]: "
		    "expected "
		    "a map, got an integer\n");
}

/* A Service with @n externalIPs (and 10.96.0.10), or @n source ranges. */
static char *many(size_t n, bool ranges)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, SVC("web") "  type: LoadBalancer\n"
		"  allocateLoadBalancerNodePorts: false\n"
		"  clusterIP: 10.96.0.10\n"
		"  ports:\n  - port: 80\n  %s:\n",
		ranges ? "loadBalancerSourceRanges" : "externalIPs");
	for (i = 0; i < n; i++) {
		if (ranges)
			fprintf(f, "  - 10.%zu.0.0/16\n", i + 1);
		else
			fprintf(f, "  - 192.0.2.%zu\n", i + 1);
	}
	fclose(f);
	return buf;
}

static size_t count(const struct run *r, bool ranges)
{
	const struct kgate_service *s = find(r, "default/web:80");

	if (!s)
		return 0;
	return ranges ? s->n_ranges : s->n_frontends;
}

TEST(test_limits)
{
	char *yaml;
	struct run r;

	/* 64 frontends and 64 source ranges: the most a service takes. */
	yaml = many(63, false);
	run(&r, yaml, NULL);
	CHECK_STR(r.msgs, "");
	CHECK_INT(count(&r, false), 64);
	done(&r);
	free(yaml);
	yaml = many(64, true);
	run(&r, yaml, NULL);
	CHECK_STR(r.msgs, "");
	CHECK_INT(count(&r, true), 64);
	done(&r);
	free(yaml);
	yaml = many(64, false);
	check_error(yaml, E "6:3" WEBE "spec: 65 frontends per port, at most "
		    "64\n");
	free(yaml);
	yaml = many(65, true);
	check_error(yaml, E "12:3" WEBE "spec.loadBalancerSourceRanges: 65 "
		    "ranges, at most 64\n");
	free(yaml);
}

TEST(test_too_many_backends)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "%s", WEB DOC SLICE("web-1", "web", "IPv4")
		"ports:\n- port: 8080\nendpoints:\n");
	for (i = 0; i < 1001; i++)
		fprintf(f, "- addresses: [10.1.%zu.%zu]\n", i / 200,
			i % 200 + 1);
	fclose(f);
	check_error(buf, E "1:1" WEBE "default/web:80: 1001 backends, at "
		    "most 1000\n");
	free(buf);
}

TEST(test_slice_endpoint_without_address)
{
	check_error(WEB DOC SLICE("web-1", "web", "IPv4")
		    "endpoints:\n"
		    "- nodeName: a\n"
		    "- 7\n",
		    E "19:3" SLICEE "endpoints[0].addresses: an endpoint needs "
		    "an address\n"
		    E "20:3" SLICEE "endpoints[1]: expected a map, got an "
		    "integer\n");
}

/* The index of kk_service_ref()'s tests. */
static const char refs_yaml[] =
	SVC("web")
	"  clusterIP: 10.96.0.10\n"
	"  ports:\n"
	"  - name: dns\n"
	"    port: 53\n"
	"    protocol: UDP\n"
	"  - name: http\n"
	"    port: 80\n"
	"  - name: https\n"
	"    port: 443\n"
	"    protocol: TCP\n"
	DOC SVC("headless")
	"  clusterIP: None\n"
	"  ports:\n"
	"  - port: 80\n"
	DOC SVC("ext")
	"  type: ExternalName\n"
	"  externalName: x.example.com\n"
	DOC "apiVersion: v1\nkind: Service\nmetadata:\n  name: other\n"
	"  labels: {service.kubernetes.io/service-proxy-name: x}\n"
	"spec:\n  ports:\n  - port: 80\n";

TEST(test_service_ref)
{
	const char *why = NULL;
	char out[64] = "";
	struct run r;

	run(&r, refs_yaml, NULL);
	CHECK_INT(kk_service_ref(&r.ix, "default", "web", 80, NULL, out,
				 sizeof(out), &why), 0);
	CHECK_STR(out, "default/web:80");
	CHECK_INT(kk_service_ref(&r.ix, "default", "web", 0, "https", out,
				 sizeof(out), &why), 0);
	CHECK_STR(out, "default/web:443");
	CHECK_INT(kk_service_ref(&r.ix, "default", "nope", 80, NULL, out,
				 sizeof(out), &why), -ENOENT);
	CHECK_INT(kk_service_ref(&r.ix, "other", "web", 80, NULL, out,
				 sizeof(out), &why), -ENOENT);
	/* A UDP port is no backend of an HTTP route. */
	CHECK_INT(kk_service_ref(&r.ix, "default", "web", 53, NULL, out,
				 sizeof(out), &why), -ESRCH);
	CHECK_STR(why, "Service has no TCP port of that number");
	why = NULL;
	CHECK_INT(kk_service_ref(&r.ix, "default", "web", 0, "dns", out,
				 sizeof(out), &why), -ESRCH);
	CHECK_STR(why, "Service has no TCP port of that name");
	why = NULL;
	CHECK_INT(kk_service_ref(&r.ix, "default", "web", 8080, NULL, out,
				 sizeof(out), &why), -ESRCH);
	CHECK_STR(why, "Service has no TCP port of that number");
	CHECK_INT(kk_service_ref(&r.ix, "default", "headless", 80, NULL, out,
				 sizeof(out), &why), -ESRCH);
	CHECK_STR(why, "headless Service has no virtual IP");
	CHECK_INT(kk_service_ref(&r.ix, "default", "ext", 80, NULL, out,
				 sizeof(out), &why), -ESRCH);
	CHECK_STR(why, "ExternalName Service has no virtual IP");
	CHECK_INT(kk_service_ref(&r.ix, "default", "other", 80, NULL, out,
				 sizeof(out), &why), -ESRCH);
	CHECK_STR(why, "Service belongs to another service proxy");
	done(&r);
}

int main(void)
{
	RUN(test_service_name);
	RUN(test_clusterip_one_port);
	RUN(test_clusterip_two_ports);
	RUN(test_namespace);
	RUN(test_dual_stack);
	RUN(test_no_cluster_ip);
	RUN(test_nodeport_per_family);
	RUN(test_nodeport_default_ipv4);
	RUN(test_loadbalancer);
	RUN(test_loadbalancer_without_nodeports);
	RUN(test_not_loadbalancer);
	RUN(test_external_ips);
	RUN(test_affinity);
	RUN(test_policies);
	RUN(test_skipped);
	RUN(test_slices_merged);
	RUN(test_named_target_port);
	RUN(test_unnamed_slice_port);
	RUN(test_conditions);
	RUN(test_node_name_local);
	RUN(test_fqdn_slice);
	RUN(test_legacy_endpoints);
	RUN(test_legacy_named_ports);
	RUN(test_orphans);
	RUN(test_port_errors);
	RUN(test_port_names);
	RUN(test_port_duplicates);
	RUN(test_target_and_node_ports);
	RUN(test_spec_errors);
	RUN(test_address_errors);
	RUN(test_range_errors);
	RUN(test_option_errors);
	RUN(test_slice_errors);
	RUN(test_slice_missing);
	RUN(test_legacy_errors);
	RUN(test_limits);
	RUN(test_too_many_backends);
	RUN(test_slice_endpoint_without_address);
	RUN(test_service_ref);
	return tap_done();
}

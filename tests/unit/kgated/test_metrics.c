// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's metrics on the host: a state as kgate_state_read() gives it
 * (counters where the kernel sent them) is written as the Prometheus
 * text format, compared whole with what a scrape must show: families
 * once each and together, Kubernetes names as labels, values escaped,
 * nothing for counters the kernel did not send; a failing stream is
 * -EIO.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include <linux/kgate.h>

#include "metrics.h"
#include "tap.h"

static struct kgate_service *svc_new(struct kgate_state *st, const char *name)
{
	struct kgate_service *svc;

	st->svcs = realloc(st->svcs, (st->n_svcs + 1) * sizeof(*st->svcs));
	svc = &st->svcs[st->n_svcs++];
	kgate_service_init(svc);
	kgate_service_set_name(svc, name);
	return svc;
}

static void svc_cnt(struct kgate_service *svc, uint64_t conns,
		    uint64_t packets, uint64_t bytes)
{
	svc->cnt = (struct kgate_counters){ conns, packets, bytes };
	svc->has |= KGATE_SVC_HAS_COUNTERS;
}

/* A backend; @conns < 0: the kernel sent no counters. */
static void be_add(struct kgate_service *svc, const char *addr, uint16_t port,
		   uint8_t state, long long conns, uint64_t packets,
		   uint64_t bytes)
{
	struct kgate_backend be;

	kgate_backend_init(&be);
	kgate_parse_addr(addr, &be.addr);
	be.port = port;
	be.state = state;
	be.has |= KGATE_BE_HAS_STATE;
	if (conns >= 0) {
		be.cnt = (struct kgate_counters){ conns, packets, bytes };
		be.has |= KGATE_BE_HAS_COUNTERS;
	}
	kgate_service_add_backend(svc, &be);
}

static struct kgate_listener *lis_new(struct kgate_state *st,
				      const char *name)
{
	struct kgate_listener *l;

	st->lis = realloc(st->lis, (st->n_lis + 1) * sizeof(*st->lis));
	l = &st->lis[st->n_lis++];
	kgate_listener_init(l);
	kgate_set_str(&l->name, name);
	return l;
}

static struct kgate_route *rt_new(struct kgate_state *st, const char *name,
				  uint8_t kind)
{
	struct kgate_route *r;

	st->rts = realloc(st->rts, (st->n_rts + 1) * sizeof(*st->rts));
	r = &st->rts[st->n_rts++];
	kgate_route_init(r);
	kgate_set_str(&r->name, name);
	r->kind = kind;
	r->has |= KGATE_RT_HAS_KIND;
	return r;
}

/* Counters from @base up: every one different, to catch a mix-up. */
static void l7_cnt(struct kgate_l7_counters *c, uint32_t *has, uint32_t bit,
		   uint64_t base)
{
	*c = (struct kgate_l7_counters){
		.conns = base + 1, .conns_open = base + 2,
		.conns_refused = base + 3, .requests = base + 4,
		.resp = { base + 5, base + 6, base + 7, base + 8, base + 9 },
		.bytes_in = base + 10, .bytes_out = base + 11,
		.upstream_connects = base + 12, .upstream_reuses = base + 13,
		.log_dropped = base + 14,
	};
	*has |= bit;
}

/* The text of @st, malloc'ed; NULL if the render failed. */
static char *render(const struct kgate_state *st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = kgd_metrics_render(f, st);

	fclose(f);
	CHECK_INT(rc, 0);
	if (rc) {
		free(text);
		return NULL;
	}
	return text;
}

/* Compared whole; the first line that differs is shown. */
static void check_text(const char *got, const char *want)
{
	size_t line = 1;

	CHECK(got != NULL);
	if (!got || !strcmp(got, want))
		return;
	for (; *got && *got == *want; got++, want++)
		if (*got == '\n')
			line++;
	tap_cur_failed = 1;
	printf("# differs at line %zu:\n#  got:  %.*s\n#  want: %.*s\n", line,
	       (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
}

#define UP "# HELP kgate_up 1: kgated answered the scrape.\n" \
	   "# TYPE kgate_up gauge\nkgate_up 1\n"

TEST(test_empty)
{
	struct kgate_state st;
	char *text;

	kgate_state_init(&st);
	text = render(&st);
	check_text(text, UP);
	free(text);
	kgate_state_free(&st);
}

/*
 * Services TCP and UDP with backends in every state, one whose name
 * needs escaping and has no counters, a listener with counters and one
 * without, routes of an Ingress (with and without a host) and of
 * HTTPRoutes (one route, and one per parent).
 */
static void cluster(struct kgate_state *st)
{
	struct kgate_service *svc;
	struct kgate_route *rt;
	struct kgate_listener *l;

	kgate_state_init(st);
	svc = svc_new(st, "default/web:80");
	svc_cnt(svc, 10, 200, 30000);
	be_add(svc, "10.244.1.2", 8080, KGATE_BE_READY, 6, 120, 18000);
	be_add(svc, "10.244.1.3", 8080, KGATE_BE_SERVING, 4, 80, 12000);
	be_add(svc, "fd00::1", 8080, KGATE_BE_TERMINATING, 1, 2, 3);
	be_add(svc, "10.244.1.4", 8080, KGATE_BE_TERMINATING, -1, 0, 0);
	svc = svc_new(st, "kube-system/kube-dns:53/udp");
	svc_cnt(svc, 0, 7, 700);
	be_add(svc, "10.244.0.5", 53, KGATE_BE_READY, 0, 7, 700);
	be_add(svc, "10.244.0.6", 53, KGATE_BE_READY, 0, 0, 0);
	svc = svc_new(st, "we\"ird\\x\ny");
	be_add(svc, "10.0.0.1", 1, KGATE_BE_READY, -1, 0, 0);
	svc = svc_new(st, "default/sig:9000/sctp");

	l = lis_new(st, "http-80");
	l7_cnt(&l->cnt, &l->has, KGATE_LIS_HAS_COUNTERS, 100);
	lis_new(st, "http-10.0.0.1-8080");

	rt = rt_new(st, "default/shop/shop.example.com", KGATE_ROUTE_INGRESS);
	l7_cnt(&rt->cnt, &rt->has, KGATE_RT_HAS_COUNTERS, 200);
	rt = rt_new(st, "default/shop/-", KGATE_ROUTE_INGRESS);
	l7_cnt(&rt->cnt, &rt->has, KGATE_RT_HAS_COUNTERS, 300);
	rt = rt_new(st, "default/api", KGATE_ROUTE_HTTPROUTE);
	l7_cnt(&rt->cnt, &rt->has, KGATE_RT_HAS_COUNTERS, 400);
	rt = rt_new(st, "default/api2/infra/gw/web", KGATE_ROUTE_HTTPROUTE);
	l7_cnt(&rt->cnt, &rt->has, KGATE_RT_HAS_COUNTERS, 500);
	rt_new(st, "default/quiet", KGATE_ROUTE_HTTPROUTE);
}

/* What a scrape of cluster() shows. */
static const char cluster_text[] =
	"# HELP kgate_up 1: kgated answered the scrape.\n"
	"# TYPE kgate_up gauge\n"
	"kgate_up 1\n"
	"# HELP kgate_service_connections_total New connections sent to "
	"the backends.\n"
	"# TYPE kgate_service_connections_total counter\n"
	"kgate_service_connections_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\"} 10\n"
	"kgate_service_connections_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\"} 0\n"
	"# HELP kgate_service_packets_total Packets forwarded, both "
	"directions.\n"
	"# TYPE kgate_service_packets_total counter\n"
	"kgate_service_packets_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\"} 200\n"
	"kgate_service_packets_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\"} 7\n"
	"# HELP kgate_service_bytes_total Bytes forwarded, both "
	"directions, IP headers included.\n"
	"# TYPE kgate_service_bytes_total counter\n"
	"kgate_service_bytes_total{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\"} 30000\n"
	"kgate_service_bytes_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\"} 700\n"
	"# HELP kgate_service_backends Backends of the service, by "
	"endpoint condition.\n"
	"# TYPE kgate_service_backends gauge\n"
	"kgate_service_backends{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\",state=\"ready\"} 1\n"
	"kgate_service_backends{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\",state=\"serving\"} 1\n"
	"kgate_service_backends{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\",state=\"terminating\"} 2\n"
	"kgate_service_backends{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"state=\"ready\"} 2\n"
	"kgate_service_backends{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"state=\"serving\"} 0\n"
	"kgate_service_backends{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"state=\"terminating\"} 0\n"
	"kgate_service_backends{namespace=\"\","
	"service=\"we\\\"ird\\\\x\\ny\",port=\"\",protocol=\"\","
	"state=\"ready\"} 1\n"
	"kgate_service_backends{namespace=\"\","
	"service=\"we\\\"ird\\\\x\\ny\",port=\"\",protocol=\"\","
	"state=\"serving\"} 0\n"
	"kgate_service_backends{namespace=\"\","
	"service=\"we\\\"ird\\\\x\\ny\",port=\"\",protocol=\"\","
	"state=\"terminating\"} 0\n"
	"kgate_service_backends{namespace=\"default\",service=\"sig\","
	"port=\"9000\",protocol=\"SCTP\",state=\"ready\"} 0\n"
	"kgate_service_backends{namespace=\"default\",service=\"sig\","
	"port=\"9000\",protocol=\"SCTP\",state=\"serving\"} 0\n"
	"kgate_service_backends{namespace=\"default\",service=\"sig\","
	"port=\"9000\",protocol=\"SCTP\",state=\"terminating\"} 0\n"
	"# HELP kgate_backend_connections_total New connections sent to "
	"the backends.\n"
	"# TYPE kgate_backend_connections_total counter\n"
	"kgate_backend_connections_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\","
	"endpoint=\"10.244.1.2:8080\"} 6\n"
	"kgate_backend_connections_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\","
	"endpoint=\"10.244.1.3:8080\"} 4\n"
	"kgate_backend_connections_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\","
	"endpoint=\"[fd00::1]:8080\"} 1\n"
	"kgate_backend_connections_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"endpoint=\"10.244.0.5:53\"} 0\n"
	"kgate_backend_connections_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"endpoint=\"10.244.0.6:53\"} 0\n"
	"# HELP kgate_backend_packets_total Packets forwarded, both "
	"directions.\n"
	"# TYPE kgate_backend_packets_total counter\n"
	"kgate_backend_packets_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\","
	"endpoint=\"10.244.1.2:8080\"} 120\n"
	"kgate_backend_packets_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\","
	"endpoint=\"10.244.1.3:8080\"} 80\n"
	"kgate_backend_packets_total{namespace=\"default\","
	"service=\"web\",port=\"80\",protocol=\"TCP\","
	"endpoint=\"[fd00::1]:8080\"} 2\n"
	"kgate_backend_packets_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"endpoint=\"10.244.0.5:53\"} 7\n"
	"kgate_backend_packets_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"endpoint=\"10.244.0.6:53\"} 0\n"
	"# HELP kgate_backend_bytes_total Bytes forwarded, both "
	"directions, IP headers included.\n"
	"# TYPE kgate_backend_bytes_total counter\n"
	"kgate_backend_bytes_total{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\",endpoint=\"10.244.1.2:8080\"} 18000\n"
	"kgate_backend_bytes_total{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\",endpoint=\"10.244.1.3:8080\"} 12000\n"
	"kgate_backend_bytes_total{namespace=\"default\",service=\"web\","
	"port=\"80\",protocol=\"TCP\",endpoint=\"[fd00::1]:8080\"} 3\n"
	"kgate_backend_bytes_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"endpoint=\"10.244.0.5:53\"} 700\n"
	"kgate_backend_bytes_total{namespace=\"kube-system\","
	"service=\"kube-dns\",port=\"53\",protocol=\"UDP\","
	"endpoint=\"10.244.0.6:53\"} 0\n"
	"# HELP kgate_listener_connections_total Client connections "
	"accepted.\n"
	"# TYPE kgate_listener_connections_total counter\n"
	"kgate_listener_connections_total{listener=\"http-80\"} 101\n"
	"# HELP kgate_listener_connections_open Client connections open "
	"now.\n"
	"# TYPE kgate_listener_connections_open gauge\n"
	"kgate_listener_connections_open{listener=\"http-80\"} 102\n"
	"# HELP kgate_listener_connections_refused_total Client "
	"connections refused over the listener's maximum.\n"
	"# TYPE kgate_listener_connections_refused_total counter\n"
	"kgate_listener_connections_refused_total{listener=\"http-80\"} "
	"103\n"
	"# HELP kgate_listener_requests_total HTTP requests.\n"
	"# TYPE kgate_listener_requests_total counter\n"
	"kgate_listener_requests_total{listener=\"http-80\"} 104\n"
	"# HELP kgate_listener_responses_total HTTP responses, by status "
	"class.\n"
	"# TYPE kgate_listener_responses_total counter\n"
	"kgate_listener_responses_total{listener=\"http-80\","
	"class=\"1xx\"} 105\n"
	"kgate_listener_responses_total{listener=\"http-80\","
	"class=\"2xx\"} 106\n"
	"kgate_listener_responses_total{listener=\"http-80\","
	"class=\"3xx\"} 107\n"
	"kgate_listener_responses_total{listener=\"http-80\","
	"class=\"4xx\"} 108\n"
	"kgate_listener_responses_total{listener=\"http-80\","
	"class=\"5xx\"} 109\n"
	"# HELP kgate_listener_received_bytes_total Bytes received from "
	"clients, heads included.\n"
	"# TYPE kgate_listener_received_bytes_total counter\n"
	"kgate_listener_received_bytes_total{listener=\"http-80\"} 110\n"
	"# HELP kgate_listener_sent_bytes_total Bytes sent to clients, "
	"heads included.\n"
	"# TYPE kgate_listener_sent_bytes_total counter\n"
	"kgate_listener_sent_bytes_total{listener=\"http-80\"} 111\n"
	"# HELP kgate_listener_upstream_connects_total New connections "
	"to backends.\n"
	"# TYPE kgate_listener_upstream_connects_total counter\n"
	"kgate_listener_upstream_connects_total{listener=\"http-80\"} 112\n"
	"# HELP kgate_listener_upstream_reuses_total Requests sent on a "
	"pooled backend connection.\n"
	"# TYPE kgate_listener_upstream_reuses_total counter\n"
	"kgate_listener_upstream_reuses_total{listener=\"http-80\"} 113\n"
	"# HELP kgate_listener_access_log_dropped_total Access-log "
	"records not sent.\n"
	"# TYPE kgate_listener_access_log_dropped_total counter\n"
	"kgate_listener_access_log_dropped_total{listener=\"http-80\"} "
	"114\n"
	"# HELP kgate_route_requests_total HTTP requests.\n"
	"# TYPE kgate_route_requests_total counter\n"
	"kgate_route_requests_total{namespace=\"default\",route=\"shop\","
	"kind=\"Ingress\",host=\"shop.example.com\",parent=\"\"} 204\n"
	"kgate_route_requests_total{namespace=\"default\",route=\"shop\","
	"kind=\"Ingress\",host=\"\",parent=\"\"} 304\n"
	"kgate_route_requests_total{namespace=\"default\",route=\"api\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"\"} 404\n"
	"kgate_route_requests_total{namespace=\"default\",route=\"api2\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"infra/gw/web\"} 504\n"
	"# HELP kgate_route_responses_total HTTP responses, by status "
	"class.\n"
	"# TYPE kgate_route_responses_total counter\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\",class=\"1xx\"} 205\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\",class=\"2xx\"} 206\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\",class=\"3xx\"} 207\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\",class=\"4xx\"} 208\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\",class=\"5xx\"} 209\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\","
	"class=\"1xx\"} 305\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\","
	"class=\"2xx\"} 306\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\","
	"class=\"3xx\"} 307\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\","
	"class=\"4xx\"} 308\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\","
	"class=\"5xx\"} 309\n"
	"kgate_route_responses_total{namespace=\"default\",route=\"api\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"\",class=\"1xx\"} 405\n"
	"kgate_route_responses_total{namespace=\"default\",route=\"api\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"\",class=\"2xx\"} 406\n"
	"kgate_route_responses_total{namespace=\"default\",route=\"api\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"\",class=\"3xx\"} 407\n"
	"kgate_route_responses_total{namespace=\"default\",route=\"api\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"\",class=\"4xx\"} 408\n"
	"kgate_route_responses_total{namespace=\"default\",route=\"api\","
	"kind=\"HTTPRoute\",host=\"\",parent=\"\",class=\"5xx\"} 409\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\",class=\"1xx\"} 505\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\",class=\"2xx\"} 506\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\",class=\"3xx\"} 507\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\",class=\"4xx\"} 508\n"
	"kgate_route_responses_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\",class=\"5xx\"} 509\n"
	"# HELP kgate_route_received_bytes_total Bytes received from "
	"clients, heads included.\n"
	"# TYPE kgate_route_received_bytes_total counter\n"
	"kgate_route_received_bytes_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\"} 210\n"
	"kgate_route_received_bytes_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\"} 310\n"
	"kgate_route_received_bytes_total{namespace=\"default\","
	"route=\"api\",kind=\"HTTPRoute\",host=\"\",parent=\"\"} 410\n"
	"kgate_route_received_bytes_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\"} 510\n"
	"# HELP kgate_route_sent_bytes_total Bytes sent to clients, "
	"heads included.\n"
	"# TYPE kgate_route_sent_bytes_total counter\n"
	"kgate_route_sent_bytes_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\"} 211\n"
	"kgate_route_sent_bytes_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\"} 311\n"
	"kgate_route_sent_bytes_total{namespace=\"default\","
	"route=\"api\",kind=\"HTTPRoute\",host=\"\",parent=\"\"} 411\n"
	"kgate_route_sent_bytes_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\"} 511\n"
	"# HELP kgate_route_upstream_connects_total New connections to "
	"backends.\n"
	"# TYPE kgate_route_upstream_connects_total counter\n"
	"kgate_route_upstream_connects_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\"} 212\n"
	"kgate_route_upstream_connects_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\"} 312\n"
	"kgate_route_upstream_connects_total{namespace=\"default\","
	"route=\"api\",kind=\"HTTPRoute\",host=\"\",parent=\"\"} 412\n"
	"kgate_route_upstream_connects_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\"} 512\n"
	"# HELP kgate_route_upstream_reuses_total Requests sent on a "
	"pooled backend connection.\n"
	"# TYPE kgate_route_upstream_reuses_total counter\n"
	"kgate_route_upstream_reuses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"shop.example.com\","
	"parent=\"\"} 213\n"
	"kgate_route_upstream_reuses_total{namespace=\"default\","
	"route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\"} 313\n"
	"kgate_route_upstream_reuses_total{namespace=\"default\","
	"route=\"api\",kind=\"HTTPRoute\",host=\"\",parent=\"\"} 413\n"
	"kgate_route_upstream_reuses_total{namespace=\"default\","
	"route=\"api2\",kind=\"HTTPRoute\",host=\"\","
	"parent=\"infra/gw/web\"} 513\n";

TEST(test_cluster)
{
	struct kgate_state st;
	char *text;

	cluster(&st);
	text = render(&st);
	check_text(text, cluster_text);
	free(text);
	kgate_state_free(&st);
}

/* The labels of the first sample of @family in @text, into @buf. */
static const char *labels_of(const char *text, const char *family, char *buf,
			     size_t len)
{
	char start[100];
	const char *p;

	snprintf(start, sizeof(start), "\n%s{", family);
	p = text ? strstr(text, start) : NULL;
	if (!p)
		return "(none)";
	p += strlen(start) - 1;
	snprintf(buf, len, "%.*s", (int)strcspn(p, " "), p);
	return buf;
}

/* Only what kk_service_name() makes is split; the rest is carried whole. */
TEST(test_service_names)
{
	static const struct {
		const char *name, *labels;
	} cases[] = {
		{ "web", "{namespace=\"\",service=\"web\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "/web:80", "{namespace=\"\",service=\"/web:80\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/:80", "{namespace=\"\",service=\"ns/:80\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/web:", "{namespace=\"\",service=\"ns/web:\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/web:8o", "{namespace=\"\",service=\"ns/web:8o\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/web:123456", "{namespace=\"\",service=\"ns/web:123456\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/web:80/tcp", "{namespace=\"\",service=\"ns/web:80/tcp\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/a/b:80", "{namespace=\"\",service=\"ns/a/b:80\",port=\"\",protocol=\"\",state=\"ready\"}" },
		{ "ns/web:80/udp", "{namespace=\"ns\",service=\"web\",port=\"80\",protocol=\"UDP\",state=\"ready\"}" },
	};
	char buf[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kgate_state st;
		char *text;

		kgate_state_init(&st);
		svc_new(&st, cases[i].name);
		text = render(&st);
		CHECK_STR(labels_of(text, "kgate_service_backends", buf,
				    sizeof(buf)), cases[i].labels);
		free(text);
		kgate_state_free(&st);
	}
}

/* Routes kgate's translator did not name are carried whole. */
TEST(test_route_names)
{
	static const struct {
		const char *name;
		int kind;	/* -1: not sent (Ingress) */
		const char *labels;
	} cases[] = {
		{ "shop", KGATE_ROUTE_INGRESS,
		  "{namespace=\"\",route=\"shop\",kind=\"Ingress\",host=\"\",parent=\"\"}" },
		{ "default/shop", KGATE_ROUTE_INGRESS,
		  "{namespace=\"\",route=\"default/shop\",kind=\"Ingress\",host=\"\",parent=\"\"}" },
		{ "default/shop/a.example", -1,
		  "{namespace=\"default\",route=\"shop\",kind=\"Ingress\",host=\"a.example\",parent=\"\"}" },
		{ "default//a.example", KGATE_ROUTE_INGRESS,
		  "{namespace=\"\",route=\"default//a.example\",kind=\"Ingress\",host=\"\",parent=\"\"}" },
		{ "default/api/", KGATE_ROUTE_HTTPROUTE,
		  "{namespace=\"\",route=\"default/api/\",kind=\"HTTPRoute\",host=\"\",parent=\"\"}" },
		{ "/api", KGATE_ROUTE_HTTPROUTE,
		  "{namespace=\"\",route=\"/api\",kind=\"HTTPRoute\",host=\"\",parent=\"\"}" },
		{ "default/api/gw/web", KGATE_ROUTE_HTTPROUTE,
		  "{namespace=\"default\",route=\"api\",kind=\"HTTPRoute\",host=\"\",parent=\"gw/web\"}" },
		{ "default/api/gw/web", 7,
		  "{namespace=\"\",route=\"default/api/gw/web\",kind=\"\",host=\"\",parent=\"\"}" },
	};
	char buf[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kgate_state st;
		struct kgate_route *rt;
		char *text;

		kgate_state_init(&st);
		rt = rt_new(&st, cases[i].name, cases[i].kind);
		if (cases[i].kind < 0) {
			rt->kind = KGATE_ROUTE_INGRESS;
			rt->has &= ~KGATE_RT_HAS_KIND;
		}
		l7_cnt(&rt->cnt, &rt->has, KGATE_RT_HAS_COUNTERS, 0);
		text = render(&st);
		CHECK_STR(labels_of(text, "kgate_route_requests_total", buf,
				    sizeof(buf)), cases[i].labels);
		free(text);
		kgate_state_free(&st);
	}
}

/* A stream that fails: -EIO, whatever was written before. */
TEST(test_write_fails)
{
	struct kgate_state st;
	char buf[64];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	cluster(&st);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(kgd_metrics_render(f, &st), -EIO);
		fclose(f);
	}
	kgate_state_free(&st);
}

int main(void)
{
	RUN(test_empty);
	RUN(test_cluster);
	RUN(test_service_names);
	RUN(test_route_names);
	RUN(test_write_fails);
	return tap_done();
}

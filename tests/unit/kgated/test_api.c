// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's API client against the stand-in API server: the initial list
 * of every kind, watch events of every kind, bookmarks, 410 Gone (as an
 * event and as a status), a watch cut mid-stream, the server away for a
 * while (the retries spaced by the backoff), paging, an event too long,
 * status patches, and the store handed to libkgate-k8s.
 */
#include <jansson.h>

#include "kgate_state.h"
#include "test_api.h"

#define NS_META(name) "\"metadata\":{\"name\":\"" name "\",\"namespace\":" \
		      "\"default\""
#define SVC(name, extra)						\
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\"," NS_META(name)	\
	extra "},\"spec\":{\"clusterIP\":\"10.96.0.10\",\"ports\":"	\
	"[{\"port\":80,\"targetPort\":8080}]}}"
#define ENDPOINTS							\
	"{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\"," NS_META("web")	\
	"},\"subsets\":[{\"addresses\":[{\"ip\":\"10.1.0.1\"}],"	\
	"\"ports\":[{\"port\":8080}]}]}"
#define SLICE								\
	"{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":"		\
	"\"EndpointSlice\"," NS_META("web-1") ",\"labels\":{"		\
	"\"kubernetes.io/service-name\":\"web\"}},\"addressType\":"	\
	"\"IPv4\",\"ports\":[{\"port\":8080}],\"endpoints\":[{"		\
	"\"addresses\":[\"10.1.0.1\"]}]}"
#define INGRESS								\
	"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\","	\
	NS_META("web") "},\"spec\":{\"ingressClassName\":\"kgate\","	\
	"\"defaultBackend\":{\"service\":{\"name\":\"web\",\"port\":{"	\
	"\"number\":80}}}}}"
#define INGRESSCLASS							\
	"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"		\
	"\"IngressClass\",\"metadata\":{\"name\":\"kgate\"},\"spec\":{"	\
	"\"controller\":\"kgate.io/ingress-controller\"}}"
#define GWCLASS								\
	"{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":"	\
	"\"GatewayClass\",\"metadata\":{\"name\":\"kgate\"},\"spec\":{"	\
	"\"controllerName\":\"kgate.io/gateway-controller\"}}"
#define GATEWAY								\
	"{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":"	\
	"\"Gateway\"," NS_META("gw") "},\"spec\":{\"gatewayClassName\":" \
	"\"kgate\",\"listeners\":[{\"name\":\"http\",\"port\":8080,"	\
	"\"protocol\":\"HTTP\"}]}}"
#define ROUTE								\
	"{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":"	\
	"\"HTTPRoute\"," NS_META("r") "},\"spec\":{\"parentRefs\":[{"	\
	"\"name\":\"gw\"}],\"rules\":[{\"backendRefs\":[{\"name\":"	\
	"\"web\",\"port\":80}]}]}}"
#define SECRET(name, type)						\
	"{\"apiVersion\":\"v1\",\"kind\":\"Secret\"," NS_META(name)	\
	"},\"type\":\"" type "\",\"data\":{}}"

static const char *const all_objects[] = {
	SVC("web", ""), ENDPOINTS, SLICE, INGRESS, INGRESSCLASS, GWCLASS,
	GATEWAY, ROUTE, SECRET("tls", "kubernetes.io/tls"),
};

/* One fixture: the stand-in, a client of it, what the client logged. */
struct fx {
	struct server s;
	struct kgd_api_opts opts;
	struct kgd_api *a;
	struct logbuf log;
};

static bool put(struct fx *f, const char *obj)
{
	char body[4096];

	snprintf(body, sizeof(body), "{\"object\":%s}", obj);
	return ctl(&f->s, "/_control/put", body);
}

/* The stand-in started and @objs put; false (with a SKIP) without it. */
static bool fx_server(struct fx *f, const char *const *objs, size_t n)
{
	const char *why;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (server_start(&f->s, &why)) {
		tap_skip = why;
		return false;
	}
	for (i = 0; i < n; i++)
		CHECK(put(f, objs[i]));
	kgd_api_opts_init(&f->opts);
	f->opts.log = log_cb;
	f->opts.log_data = &f->log;
	return true;
}

static bool synced(struct kgd_api *a, const void *arg)
{
	(void)arg;
	return kgd_api_synced(a);
}

/* The client opened with f->opts and listed everything. */
static void fx_open(struct fx *f)
{
	struct kgd_api_conn c;

	CHECK_INT(kgd_api_conn_url(&c, f->s.url), 0);
	CHECK_INT(kgd_api_open(&f->a, &c, &f->opts), 0);
	kgd_api_conn_free(&c);
	CHECK(run_until(f->a, synced, NULL, 5000));
}

static void fx_done(struct fx *f)
{
	size_t i;

	/* what the client said, to see why */
	for (i = 0; tap_cur_failed && i < f->log.n; i++)
		printf("# log +%lld ms: %s\n",
		       (long long)(f->log.at[i] - f->log.at[0]), f->log.text[i]);
	kgd_api_close(f->a);
	server_stop(&f->s);
	log_free(&f->log);
}

/* The stand-in's current resourceVersion. */
static char *server_rv(struct fx *f)
{
	char *body = control(&f->s, "GET", "/_control/state", NULL);
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	char *rv = strdup(json_string_value(json_object_get(j,
		"resourceVersion")) ?: "");

	json_decref(j);
	free(body);
	return rv;
}

static bool server_up(struct fx *f)
{
	char *body = control(&f->s, "GET", "/_control/state", NULL);

	free(body);
	return body != NULL;
}

struct want_obj {
	enum kgd_api_kind k;
	const char *ns, *name;
	bool present;
};

static bool has_obj(struct kgd_api *a, const void *arg)
{
	const struct want_obj *w = arg;

	return !kgd_api_get(a, w->k, w->ns, w->name) == !w->present;
}

static bool wait_obj(struct fx *f, enum kgd_api_kind k, const char *ns,
		     const char *name, bool present)
{
	struct want_obj w = { k, ns, name, present };

	return run_until(f->a, has_obj, &w, 5000);
}

/* The API requests (method, path and query) the stand-in saw. */
static json_t *requests(struct fx *f)
{
	char *body = control(&f->s, "GET", "/_control/requests", NULL);
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;

	free(body);
	return j;
}

/* Requests of @path with query @key (= @val when not NULL). */
static size_t count_requests(json_t *reqs, const char *path, const char *key,
			     const char *val)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(reqs, i, r) {
		const char *v = json_string_value(json_object_get(
			json_object_get(r, "query"), key));

		if (!strcmp(json_string_value(json_object_get(r, "path")) ?: "",
			    path) && v && (!val || !strcmp(v, val)))
			n++;
	}
	return n;
}

/* ---- tests ----------------------------------------------------------- */

/* Every kind listed into the store, with its kind and apiVersion. */
TEST(test_initial_list)
{
	static const struct { enum kgd_api_kind k; const char *ns, *name; }
	want[] = {
		{ KGD_API_SERVICES, "default", "web" },
		{ KGD_API_ENDPOINTS, "default", "web" },
		{ KGD_API_ENDPOINTSLICES, "default", "web-1" },
		{ KGD_API_INGRESSES, "default", "web" },
		{ KGD_API_INGRESSCLASSES, NULL, "kgate" },
		{ KGD_API_GATEWAYCLASSES, NULL, "kgate" },
		{ KGD_API_GATEWAYS, "default", "gw" },
		{ KGD_API_HTTPROUTES, "default", "r" },
		{ KGD_API_SECRETS, "default", "tls" },
	};
	const char *opaque = SECRET("other", "Opaque");
	struct fx f;
	char *rv;
	size_t i;

	if (!fx_server(&f, all_objects, 9))
		return;
	CHECK(put(&f, opaque));
	rv = server_rv(&f);
	fx_open(&f);
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const char *t = kgd_api_get(f.a, want[i].k, want[i].ns,
					    want[i].name);
		char kind[80];

		CHECK_INT(kgd_api_count(f.a, want[i].k), 1);
		snprintf(kind, sizeof(kind), "\"kind\":\"%s\"",
			 kgd_api_kind_name(want[i].k));
		CHECK(t && strstr(t, kind));
		CHECK_STR(kgd_api_resource_version(f.a, want[i].k), rv);
	}
	/* Only TLS Secrets are asked for. */
	CHECK(!kgd_api_get(f.a, KGD_API_SECRETS, "default", "other"));
	CHECK(kgd_api_generation(f.a) > 0);
	CHECK(kgd_api_changed_ms(f.a) > 0);
	CHECK_INT(f.log.n, 0);
	free(rv);
	fx_done(&f);
}

/* The store as documents: named api:KIND/NS/NAME, indexed as files are. */
TEST(test_docs)
{
	struct kk_docs docs;
	struct kk_index ix;
	struct kk_diag d;
	struct fx f;

	if (!fx_server(&f, all_objects, 9))
		return;
	fx_open(&f);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(kgd_api_docs(f.a, &docs, &d), 0);
	CHECK_INT(docs.n, 9);
	CHECK_STR(docs.v[0].file, "api:Service/default/web");
	CHECK_STR(docs.v[4].file, "api:IngressClass/kgate");
	CHECK_INT(kk_index_build(&ix, &docs, &d), 0);
	CHECK_INT(d.errors, 0);
	CHECK(kk_find(&ix, "", "Service", "default", "web"));
	CHECK(kk_find(&ix, "discovery.k8s.io", "EndpointSlice", "default",
		      "web-1"));
	CHECK(kk_find(&ix, "networking.k8s.io", "IngressClass", NULL,
		      "kgate"));
	CHECK(kk_find(&ix, "gateway.networking.k8s.io", "HTTPRoute",
		      "default", "r"));
	kk_index_free(&ix);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	fx_done(&f);
}

/* Translated exactly like files: the Service and its backends. */
TEST(test_translate)
{
	static const char *const objs[] = { SVC("web", ""), SLICE };
	struct kgate_state st;
	struct kk_config cfg;
	struct kk_docs docs;
	struct kk_diag d;
	struct fx f;

	if (!fx_server(&f, objs, 2))
		return;
	f.opts.kinds = 1u << KGD_API_SERVICES | 1u << KGD_API_ENDPOINTSLICES;
	fx_open(&f);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	kk_config_init(&cfg);
	CHECK_INT(kgd_api_docs(f.a, &docs, &d), 0);
	CHECK_INT(kk_translate(&docs, &cfg, &st, &d), 0);
	CHECK_INT(st.n_svcs, 1);
	if (st.n_svcs == 1) {
		CHECK_STR(st.svcs[0].name, "default/web:80");
		CHECK_INT(st.svcs[0].n_backends, 1);
	}
	kgate_state_free(&st);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	fx_done(&f);
}

struct kind_name {
	enum kgd_api_kind k;
	const char *ns, *name, *obj;
};

/* ADDED, MODIFIED and DELETED, of every kind. */
TEST(test_watch_events)
{
	static const struct kind_name add[] = {
		{ KGD_API_SERVICES, "default", "web", SVC("web", "") },
		{ KGD_API_ENDPOINTS, "default", "web", ENDPOINTS },
		{ KGD_API_ENDPOINTSLICES, "default", "web-1", SLICE },
		{ KGD_API_INGRESSES, "default", "web", INGRESS },
		{ KGD_API_INGRESSCLASSES, NULL, "kgate", INGRESSCLASS },
		{ KGD_API_GATEWAYCLASSES, NULL, "kgate", GWCLASS },
		{ KGD_API_GATEWAYS, "default", "gw", GATEWAY },
		{ KGD_API_HTTPROUTES, "default", "r", ROUTE },
		{ KGD_API_SECRETS, "default", "tls",
		  SECRET("tls", "kubernetes.io/tls") },
	};
	const char *mod = SVC("web", ",\"labels\":{\"v\":\"2\"}");
	uint64_t gen;
	struct fx f;
	size_t i;
	char del[256];

	if (!fx_server(&f, NULL, 0))
		return;
	fx_open(&f);
	gen = kgd_api_generation(f.a);
	for (i = 0; i < sizeof(add) / sizeof(*add); i++) {
		CHECK(put(&f, add[i].obj));
		CHECK(wait_obj(&f, add[i].k, add[i].ns, add[i].name, true));
		CHECK(kgd_api_generation(f.a) > gen);
		gen = kgd_api_generation(f.a);
	}
	CHECK(put(&f, mod));
	CHECK(put(&f, SECRET("other", "Opaque")));
	CHECK(put(&f, SVC("second", "")));
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "second", true));
	CHECK(strstr(kgd_api_get(f.a, KGD_API_SERVICES, "default", "web") ?:
		     "", "\"labels\":{\"v\":\"2\"}"));
	CHECK(!kgd_api_get(f.a, KGD_API_SECRETS, "default", "other"));
	for (i = 0; i < sizeof(add) / sizeof(*add); i++) {
		snprintf(del, sizeof(del), "{\"apiVersion\":\"%s\",\"kind\":"
			 "\"%s\",\"namespace\":\"%s\",\"name\":\"%s\"}",
			 kgd_api_kind_version(add[i].k),
			 kgd_api_kind_name(add[i].k),
			 add[i].ns ? add[i].ns : "", add[i].name);
		CHECK(ctl(&f.s, "/_control/delete", del));
		CHECK(wait_obj(&f, add[i].k, add[i].ns, add[i].name, false));
		CHECK_INT(kgd_api_count(f.a, add[i].k),
			  add[i].k == KGD_API_SERVICES);
	}
	CHECK_INT(f.log.n, 0);
	fx_done(&f);
}

static bool rv_is(struct kgd_api *a, const void *arg)
{
	int k;

	for (k = 0; k < KGD_API_N_KINDS; k++)
		if (strcmp(kgd_api_resource_version(a, k), arg))
			return false;
	return true;
}

/* A BOOKMARK moves every kind's resourceVersion, and changes nothing. */
TEST(test_bookmark)
{
	uint64_t gen;
	struct fx f;
	char *rv;

	if (!fx_server(&f, all_objects, 9))
		return;
	fx_open(&f);
	gen = kgd_api_generation(f.a);
	CHECK(ctl(&f.s, "/_control/bookmark", "{}"));
	rv = server_rv(&f);
	CHECK(run_until(f.a, rv_is, rv, 5000));
	CHECK_INT(kgd_api_generation(f.a), gen);
	free(rv);
	fx_done(&f);
}

/* Every kind has relisted after a 410 (and Services are listed). */
static bool all_relisted(struct kgd_api *a, const void *arg)
{
	const struct fx *f = arg;

	return log_count(&f->log, "is gone; listing again") ==
	       KGD_API_N_KINDS && kgd_api_synced(a) &&
	       kgd_api_get(a, KGD_API_SERVICES, "default", "new");
}

/*
 * The watch cut, changes made and the history compacted before it can
 * resume: 410 Gone, and a fresh list that has the changes the watch
 * never saw, deletions included.
 */
static void gone(const char *mode)
{
	char body[1024];
	json_t *reqs;
	struct fx f;

	if (!fx_server(&f, all_objects, 9))
		return;
	fx_open(&f);
	snprintf(body, sizeof(body), "{\"then\":[%s],\"delete\":[{"
		 "\"apiVersion\":\"v1\",\"kind\":\"Service\",\"namespace\":"
		 "\"default\",\"name\":\"web\"}],\"compact\":\"%s\"}",
		 SVC("new", ""), mode);
	CHECK(ctl(&f.s, "/_control/drop", body));
	CHECK(run_until(f.a, all_relisted, &f, 5000));
	CHECK(kgd_api_get(f.a, KGD_API_SERVICES, "default", "new"));
	CHECK(!kgd_api_get(f.a, KGD_API_SERVICES, "default", "web"));
	CHECK_INT(kgd_api_count(f.a, KGD_API_SERVICES), 1);
	CHECK(kgd_api_synced(f.a));
	CHECK(log_count(&f.log, "watch Service: resourceVersion ") == 1);
	CHECK(log_count(&f.log, "is gone; listing again") ==
	      KGD_API_N_KINDS);
	reqs = requests(&f);
	CHECK_INT(count_requests(reqs, "/api/v1/services", "limit", NULL), 2);
	json_decref(reqs);
	fx_done(&f);
}

TEST(test_gone_event)
{
	gone("event");
}

TEST(test_gone_status)
{
	gone("status");
}

/* A watch cut mid-stream resumes from its resourceVersion: nothing lost. */
TEST(test_drop_resume)
{
	char body[1024], *rv;
	json_t *reqs;
	struct fx f;

	if (!fx_server(&f, all_objects, 9))
		return;
	fx_open(&f);
	rv = server_rv(&f);
	snprintf(body, sizeof(body), "{\"then\":[%s]}", SVC("new", ""));
	CHECK(ctl(&f.s, "/_control/drop", body));
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "new", true));
	CHECK_INT(kgd_api_count(f.a, KGD_API_SERVICES), 2);
	reqs = requests(&f);
	/* one list, then watches from the list's version, twice */
	CHECK_INT(count_requests(reqs, "/api/v1/services", "limit", NULL), 1);
	CHECK_INT(count_requests(reqs, "/api/v1/services", "resourceVersion",
				 rv), 2);
	CHECK_INT(count_requests(reqs, "/api/v1/services",
				 "allowWatchBookmarks", "true"), 2);
	json_decref(reqs);
	CHECK(log_count(&f.log, "watch Service: ") == 1);
	free(rv);
	fx_done(&f);
}

/* Whether the log of changes names @k @ns/@name (n times at least). */
static size_t logged(struct kgd_api *a, enum kgd_api_kind k, const char *ns,
		     const char *name)
{
	const struct kgd_api_ref *v;
	size_t n, i, hits = 0;

	if (!kgd_api_changes(a, &v, &n))
		return 0;
	for (i = 0; i < n; i++)
		hits += v[i].kind == k && !strcmp(v[i].ns, ns) &&
			!strcmp(v[i].name, name);
	return hits;
}

/*
 * The log of changes: "everything" until first cleared; then each watch
 * event's object by name (deletions too, cluster scope with ns ""); a
 * relist that changed the store is "everything" again.
 */
TEST(test_changes_logged)
{
	const struct kgd_api_ref *v;
	char body[1024];
	struct fx f;
	size_t n;

	if (!fx_server(&f, all_objects, 9))
		return;
	fx_open(&f);
	CHECK(!kgd_api_changes(f.a, &v, &n));
	kgd_api_changes_clear(f.a);
	CHECK(kgd_api_changes(f.a, &v, &n));
	CHECK_INT(n, 0);
	CHECK(put(&f, SVC("new", "")));
	CHECK(put(&f, INGRESSCLASS));
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "new", true));
	CHECK(ctl(&f.s, "/_control/delete", "{\"apiVersion\":\"v1\","
		  "\"kind\":\"Service\",\"namespace\":\"default\","
		  "\"name\":\"web\"}"));
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "web", false));
	CHECK(kgd_api_changes(f.a, &v, &n));
	CHECK_INT(logged(f.a, KGD_API_SERVICES, "default", "new"), 1);
	CHECK_INT(logged(f.a, KGD_API_SERVICES, "default", "web"), 1);
	kgd_api_changes_clear(f.a);
	CHECK(kgd_api_changes(f.a, &v, &n));
	CHECK_INT(n, 0);
	snprintf(body, sizeof(body), "{\"then\":[%s],\"compact\":\"event\"}",
		 SVC("web", ""));
	CHECK(ctl(&f.s, "/_control/drop", body));
	/* web is back by the relist alone: the watch was cut, compacted */
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "web", true));
	CHECK(!kgd_api_changes(f.a, &v, &n));
	fx_done(&f);
}

/* The delays the client announced for Services, and when. */
static size_t svc_retries(const struct logbuf *l, unsigned int *delay,
			  int64_t *at, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < l->n && n < max; i++) {
		const char *p = strstr(l->text[i], "retry in ");

		if (strncmp(l->text[i], "watch Service: ", 15) || !p)
			continue;
		delay[n] = strtoul(p + 9, NULL, 10);
		at[n++] = l->at[i];
	}
	return n;
}

/*
 * The server away for 3 s: the retries back off (250 ms doubling,
 * +-20 %, each one after its delay), and once it is back the client
 * resyncs, and its backoff starts again from the bottom.
 */
TEST(test_away_backoff)
{
	unsigned int delay[16];
	int64_t at[16], end;
	size_t n, i;
	struct fx f;

	if (!fx_server(&f, all_objects, 9))
		return;
	fx_open(&f);
	end = kgd_api_now_ms() + 10000;
	CHECK(ctl(&f.s, "/_control/away", "{\"seconds\":3}"));
	/* away once a control fails, back when one gets through again */
	while (server_up(&f) && kgd_api_now_ms() < end)
		loop_once(f.a, 10);
	while (!put(&f, SVC("new", "")) && kgd_api_now_ms() < end)
		loop_once(f.a, 50);
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "new", true));
	n = svc_retries(&f.log, delay, at, 16);
	CHECK(n >= 4);
	for (i = 0; i < n && i < 5; i++) {
		unsigned int base = 250u << i;

		CHECK(delay[i] >= base * 4 / 5 && delay[i] <= base * 6 / 5);
		if (i + 1 < n)
			CHECK(at[i + 1] - at[i] >= delay[i] - 5);
	}
	/* after a success the next failure waits the least again */
	CHECK(ctl(&f.s, "/_control/drop", "{}"));
	CHECK(run_until(f.a, synced, NULL, 100));
	n = svc_retries(&f.log, delay, at, 16);
	end = kgd_api_now_ms() + 5000;
	while (svc_retries(&f.log, delay, at, 16) == n &&
	       kgd_api_now_ms() < end)
		loop_once(f.a, 20);
	i = svc_retries(&f.log, delay, at, 16);
	CHECK_INT(i, n + 1);
	CHECK(i > 0 && delay[i - 1] <= 300);
	fx_done(&f);
}

/* Paging: limit and continue, every page taken. */
TEST(test_paging)
{
	static const char *const objs[] = { SVC("a", ""), SVC("b", ""),
					    SVC("c", ""), SVC("d", ""),
					    SVC("e", "") };
	json_t *reqs;
	struct fx f;

	if (!fx_server(&f, objs, 5))
		return;
	f.opts.page_limit = 2;
	fx_open(&f);
	CHECK_INT(kgd_api_count(f.a, KGD_API_SERVICES), 5);
	CHECK(kgd_api_get(f.a, KGD_API_SERVICES, "default", "e"));
	reqs = requests(&f);
	CHECK_INT(count_requests(reqs, "/api/v1/services", "limit", "2"), 3);
	CHECK_INT(count_requests(reqs, "/api/v1/services", "continue", NULL),
		  2);
	json_decref(reqs);
	fx_done(&f);
}

/* An event over the bound stops the watch and relists. */
TEST(test_long_event)
{
	char big[3000], obj[4000];
	struct fx f;

	if (!fx_server(&f, NULL, 0))
		return;
	f.opts.max_line = 2048;
	fx_open(&f);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(obj, sizeof(obj), SVC("big", ",\"annotations\":{\"a\":"
				       "\"%s\"}"), big);
	CHECK(put(&f, obj));
	/* the list pages may be longer: the relist gets it */
	CHECK(wait_obj(&f, KGD_API_SERVICES, "default", "big", true));
	CHECK(log_count(&f.log, "watch Service: an event over 2048 bytes; "
			"retry in ") == 1);
	fx_done(&f);
}

static bool no_patches(struct kgd_api *a, const void *arg)
{
	(void)arg;
	return kgd_api_patches_pending(a) == 0;
}

/* Nothing due: the poll loop would sleep on the sockets. */
static bool idle(struct kgd_api *a, const void *arg)
{
	(void)arg;
	return kgd_api_timeout_ms(a) != 0;
}

/* The Ingresses' resourceVersion moved past @arg. */
static bool ingresses_moved(struct kgd_api *a, const void *arg)
{
	return strcmp(kgd_api_resource_version(a, KGD_API_INGRESSES), arg);
}

/*
 * The recorded patch of @path (patches of different objects go in
 * parallel: the server records them as they arrive, in any order; @i is
 * only its place in the test): its content type and body as @want.
 */
static void check_patch(json_t *patches, size_t i, const char *path,
			const char *want)
{
	json_t *w = json_loads(want, 0, NULL), *p = NULL;
	size_t k;

	(void)i;
	for (k = 0; k < json_array_size(patches); k++) {
		json_t *e = json_array_get(patches, k);
		const char *at = json_string_value(json_object_get(e, "path"));

		if (at && !strcmp(at, path))
			p = e;
	}

	CHECK_STR(json_string_value(json_object_get(p, "path")), path);
	CHECK_STR(json_string_value(json_object_get(p, "contentType")),
		  "application/merge-patch+json");
	CHECK(w && json_equal(json_object_get(p, "body"), w));
	if (!json_equal(json_object_get(p, "body"), w)) {
		char *got = json_dumps(json_object_get(p, "body"), 0);

		printf("# got %s\n", got ? got : "(null)");
		free(got);
	}
	json_decref(w);
}

#define T0 1700000000	/* 2023-11-14T22:13:20Z */

TEST(test_status_patches)
{
	static const char *const objs[] = { INGRESS, GATEWAY, ROUTE };
	const char *ips[] = { "192.0.2.1", "2001:db8::1" };
	struct kgd_api_cond gc[] = {
		{ "Accepted", "True", "Accepted", "", T0 },
		{ "Programmed", "False", "Invalid", "no listener", T0 },
	};
	struct kgd_api_cond rc[] = {
		{ "Accepted", "True", "Accepted", "", T0 },
		{ "ResolvedRefs", "True", "ResolvedRefs", "", T0 },
	};
	struct kgd_api_parent par = { "default", "gw", "http", rc, 2 };
	struct kgd_api_cond bad = { "Accepted", "Yes", "Accepted", "", 0 };
	char *body, rv[32];
	uint64_t gen;
	json_t *p;
	struct fx f;

	if (!fx_server(&f, objs, 3))
		return;
	f.opts.kinds = 1u << KGD_API_INGRESSES;
	fx_open(&f);
	CHECK(run_until(f.a, synced, NULL, 5000));
	snprintf(rv, sizeof(rv), "%s",
		 kgd_api_resource_version(f.a, KGD_API_INGRESSES));
	gen = kgd_api_generation(f.a);
	CHECK(run_until(f.a, idle, NULL, 5000));
	/* the first of two patches before either is sent is replaced */
	CHECK_INT(kgd_api_patch_ingress(f.a, "default", "web", ips, 1), 0);
	CHECK_INT(kgd_api_patch_ingress(f.a, "default", "web", ips, 2), 0);
	CHECK_INT(kgd_api_patch_gateway(f.a, "default", "gw", 3, gc, 2), 0);
	CHECK_INT(kgd_api_patch_httproute(f.a, "default", "r", 5, &par, 1),
		  0);
	CHECK_INT(kgd_api_patch_ingress(f.a, "default", "gone", ips, 1), 0);
	CHECK_INT(kgd_api_patches_pending(f.a), 4);
	/* queued while every watch is idle: the poll loop must not sleep */
	CHECK_INT(kgd_api_timeout_ms(f.a), 0);
	/* refused before anything is sent */
	CHECK_INT(kgd_api_patch_gateway(f.a, "default", "gw", 3, &bad, 1),
		  -EINVAL);
	CHECK_INT(kgd_api_patch_ingress(f.a, "default", "a/b", ips, 1),
		  -EINVAL);
	CHECK(run_until(f.a, no_patches, NULL, 5000));
	body = control(&f.s, "GET", "/_control/patches", NULL);
	p = body ? json_loads(body, 0, NULL) : NULL;
	CHECK_INT(json_array_size(p), 4);
	check_patch(p, 0, "/apis/networking.k8s.io/v1/namespaces/default/"
		    "ingresses/web/status", "{\"status\":{\"loadBalancer\":{"
		    "\"ingress\":[{\"ip\":\"192.0.2.1\"},{\"ip\":"
		    "\"2001:db8::1\"}]}}}");
	check_patch(p, 1, "/apis/gateway.networking.k8s.io/v1/namespaces/"
		    "default/gateways/gw/status", "{\"status\":{\"conditions\":"
		    "[{\"type\":\"Accepted\",\"status\":\"True\",\"reason\":"
		    "\"Accepted\",\"message\":\"\",\"observedGeneration\":3,"
		    "\"lastTransitionTime\":\"2023-11-14T22:13:20Z\"},{"
		    "\"type\":\"Programmed\",\"status\":\"False\",\"reason\":"
		    "\"Invalid\",\"message\":\"no listener\","
		    "\"observedGeneration\":3,\"lastTransitionTime\":"
		    "\"2023-11-14T22:13:20Z\"}]}}");
	check_patch(p, 2, "/apis/gateway.networking.k8s.io/v1/namespaces/"
		    "default/httproutes/r/status", "{\"status\":{\"parents\":"
		    "[{\"parentRef\":{\"group\":\"gateway.networking.k8s.io\","
		    "\"kind\":\"Gateway\",\"namespace\":\"default\",\"name\":"
		    "\"gw\",\"sectionName\":\"http\"},\"controllerName\":"
		    "\"kgate.io/gateway-controller\",\"conditions\":[{\"type\":"
		    "\"Accepted\",\"status\":\"True\",\"reason\":\"Accepted\","
		    "\"message\":\"\",\"observedGeneration\":5,"
		    "\"lastTransitionTime\":\"2023-11-14T22:13:20Z\"},{\"type\":"
		    "\"ResolvedRefs\",\"status\":\"True\",\"reason\":"
		    "\"ResolvedRefs\",\"message\":\"\",\"observedGeneration\":5,"
		    "\"lastTransitionTime\":\"2023-11-14T22:13:20Z\"}]}]}}");
	json_decref(p);
	free(body);
	/* the one of an Ingress that is not there: logged, not fatal */
	CHECK_INT(log_count(&f.log, "status patch /apis/networking.k8s.io/v1/"
			    "namespaces/default/ingresses/gone/status: HTTP "
			    "404: ingresses \"gone\" not found"), 1);
	/*
	 * The server's MODIFIED event is read, and changes nothing: the
	 * status kgated wrote is not kept, so its own patch is no change
	 * to translate.
	 */
	CHECK(run_until(f.a, ingresses_moved, rv, 5000));
	CHECK_INT(kgd_api_generation(f.a), gen);
	CHECK(!strstr(kgd_api_get(f.a, KGD_API_INGRESSES, "default", "web"),
		      "\"status\""));
	fx_done(&f);
}

/*
 * An HTTPRoute's status.parents is shared with the controllers of its
 * other parents: the store keeps their entries and not ours, and the
 * patch kgated writes (a merge patch replaces the whole list) carries
 * theirs back with its own, so nothing of another controller is lost.
 */
#define SHARED_ROUTE							\
	"{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":"	\
	"\"HTTPRoute\"," NS_META("r") "},\"spec\":{\"parentRefs\":[{"	\
	"\"name\":\"gw\"},{\"name\":\"mesh\"}]},\"status\":{\"parents\":[" \
	"{\"parentRef\":{\"name\":\"mesh\"},\"controllerName\":"	\
	"\"example.com/mesh\",\"conditions\":[]},"			\
	"{\"parentRef\":{\"name\":\"gw\"},\"controllerName\":"		\
	"\"kgate.io/gateway-controller\",\"conditions\":[]}]}}"

TEST(test_status_shared_parents)
{
	static const char *const objs[] = { SHARED_ROUTE };
	struct kgd_api_cond rc[] = {
		{ "Accepted", "True", "Accepted", "", T0 },
		{ "ResolvedRefs", "True", "ResolvedRefs", "", T0 },
	};
	struct kgd_api_parent par = { "default", "gw", NULL, rc, 2 };
	const char *text, *by0, *by1;
	json_t *o, *parents;
	char *body;
	struct fx f;

	if (!fx_server(&f, objs, 1))
		return;
	f.opts.kinds = 1u << KGD_API_HTTPROUTES;
	fx_open(&f);
	CHECK(run_until(f.a, synced, NULL, 5000));
	text = kgd_api_get(f.a, KGD_API_HTTPROUTES, "default", "r");
	CHECK(text && strstr(text, "example.com/mesh"));
	CHECK(text && !strstr(text, "kgate.io/gateway-controller"));
	CHECK_INT(kgd_api_patch_httproute(f.a, "default", "r", 1, &par, 1),
		  0);
	CHECK(run_until(f.a, no_patches, NULL, 5000));
	body = control(&f.s, "GET", "/apis/gateway.networking.k8s.io/v1/"
		       "namespaces/default/httproutes", NULL);
	o = body ? json_loads(body, 0, NULL) : NULL;
	parents = json_object_get(json_object_get(json_array_get(
		json_object_get(o, "items"), 0), "status"), "parents");
	CHECK_INT(json_array_size(parents), 2);
	by0 = json_string_value(json_object_get(json_array_get(parents, 0),
						"controllerName"));
	by1 = json_string_value(json_object_get(json_array_get(parents, 1),
						"controllerName"));
	CHECK_STR(by0 ? by0 : "", "example.com/mesh");
	CHECK_STR(by1 ? by1 : "", "kgate.io/gateway-controller");
	CHECK_INT(json_array_size(json_object_get(json_array_get(parents, 1),
						  "conditions")), 2);
	json_decref(o);
	free(body);
	fx_done(&f);
}

/* Nothing listening: the list retries with backoff, and says why. */
TEST(test_no_server)
{
	struct kgd_api_opts opts;
	struct kgd_api_conn c;
	struct logbuf log = { 0 };
	struct kgd_api *a;
	struct server s;
	const char *why;
	int64_t end;
	int port;

	/* a port that was free a moment ago */
	if (server_start(&s, &why))
		SKIP(why);
	port = s.port;
	server_stop(&s);
	snprintf(s.url, sizeof(s.url), "http://127.0.0.1:%d", port);
	kgd_api_opts_init(&opts);
	opts.kinds = 1u << KGD_API_SERVICES;
	opts.log = log_cb;
	opts.log_data = &log;
	kgd_api_conn_url(&c, s.url);
	CHECK_INT(kgd_api_open(&a, &c, &opts), 0);
	kgd_api_conn_free(&c);
	end = kgd_api_now_ms() + 5000;
	while (log.n < 2 && kgd_api_now_ms() < end)
		loop_once(a, 20);
	CHECK(log.n >= 2);
	CHECK(log.n && !strncmp(log.text[0], "list Service: Couldn't "
				"connect to server; retry in ", 47));
	CHECK(!kgd_api_synced(a));
	kgd_api_close(a);
	log_free(&log);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(test_initial_list);
	RUN(test_docs);
	RUN(test_translate);
	RUN(test_watch_events);
	RUN(test_bookmark);
	RUN(test_gone_event);
	RUN(test_gone_status);
	RUN(test_drop_resume);
	RUN(test_changes_logged);
	RUN(test_away_backoff);
	RUN(test_paging);
	RUN(test_long_event);
	RUN(test_status_patches);
	RUN(test_status_shared_parents);
	RUN(test_no_server);
	curl_global_cleanup();
	return tap_done();
}

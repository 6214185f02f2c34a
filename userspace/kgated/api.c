// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's Kubernetes API client: per kind, LIST (paged) and then WATCH
 * from the list's resourceVersion, all on one libcurl multi handle driven
 * by the caller's poll loop (curl_multi_socket_action with the socket and
 * timer callbacks, so any number of fds and no fd_set limit).
 *
 * Per kind the cycle is: list -> watch -> (stream ends) watch again from
 * the last resourceVersion -> ... ; a 410 Gone, an ERROR event with code
 * 410, or an event we cannot take (too long, not JSON) sends it back to
 * list, since events may have been lost.  Failures wait with exponential
 * backoff and jitter, reset once the server answers 200.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apiint.h"

const struct kgd_kind_desc kgd_kinds[KGD_API_N_KINDS] = {
	[KGD_API_SERVICES] = { "Service", "v1", "/api/v1", "services",
			       true, NULL },
	[KGD_API_ENDPOINTS] = { "Endpoints", "v1", "/api/v1", "endpoints",
				true, NULL },
	[KGD_API_ENDPOINTSLICES] = { "EndpointSlice", "discovery.k8s.io/v1",
				     "/apis/discovery.k8s.io/v1",
				     "endpointslices", true, NULL },
	[KGD_API_INGRESSES] = { "Ingress", "networking.k8s.io/v1",
				"/apis/networking.k8s.io/v1", "ingresses",
				true, NULL, true },
	[KGD_API_INGRESSCLASSES] = { "IngressClass", "networking.k8s.io/v1",
				     "/apis/networking.k8s.io/v1",
				     "ingressclasses", false, NULL },
	[KGD_API_GATEWAYCLASSES] = { "GatewayClass",
				     "gateway.networking.k8s.io/v1",
				     "/apis/gateway.networking.k8s.io/v1",
				     "gatewayclasses", false, NULL, true },
	[KGD_API_GATEWAYS] = { "Gateway", "gateway.networking.k8s.io/v1",
			       "/apis/gateway.networking.k8s.io/v1",
			       "gateways", true, NULL, true },
	[KGD_API_HTTPROUTES] = { "HTTPRoute", "gateway.networking.k8s.io/v1",
				 "/apis/gateway.networking.k8s.io/v1",
				 "httproutes", true, NULL, true },
	[KGD_API_SECRETS] = { "Secret", "v1", "/api/v1", "secrets", true,
			      "type=kubernetes.io/tls" },
};

enum res_state { RES_IDLE, RES_LIST, RES_WATCH };

/* One kind being listed and watched. */
struct kgd_res {
	enum kgd_api_kind kind;
	enum res_state state;
	bool need_list;		/* the next request is a LIST */
	bool synced;		/* listed once */
	int64_t due;		/* RES_IDLE: when to start */
	unsigned int backoff;	/* the last delay, 0 after a success */
	char *rv;		/* resourceVersion to watch from */
	char *cont;		/* the next page's continue token */
	struct kgd_objset set;	/* what the API server has */
	struct kgd_objset next;	/* a list being read */
	struct kgd_req *req;
};

struct sock {
	curl_socket_t fd;
	short events;
};

struct kgd_api {
	struct kgd_api_conn conn;
	struct kgd_api_opts opts;
	CURLM *m;
	struct sock *socks;
	size_t n_socks, cap_socks;
	int64_t timer_due;	/* curl's timer, -1 none */
	struct kgd_res res[KGD_API_N_KINDS];
	uint64_t gen;
	uint64_t seq;		/* of the last object text stored */
	int64_t changed;
	uint64_t rng;
	struct kgd_patch *patches;
	struct kgd_changelog log;
};

const char *kgd_api_kind_name(enum kgd_api_kind k)
{
	return k < KGD_API_N_KINDS ? kgd_kinds[k].kind : "?";
}

const char *kgd_api_kind_version(enum kgd_api_kind k)
{
	return k < KGD_API_N_KINDS ? kgd_kinds[k].api_version : "?";
}

int64_t kgd_api_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kgd_api_opts_init(struct kgd_api_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kinds = (1u << KGD_API_N_KINDS) - 1;
	o->page_limit = 500;
	o->watch_timeout_s = 300;
	o->max_line = 4u << 20;
	o->backoff_min_ms = 250;
	o->backoff_max_ms = 30000;
	o->connect_timeout_ms = 5000;
}

void kgd_api_log(struct kgd_api *a, enum kgd_api_level level,
		 const char *fmt, ...)
{
	static const char *const lv[] = { "error", "warning", "info" };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (a->opts.log)
		a->opts.log(level, msg, a->opts.log_data);
	else
		fprintf(stderr, "kgated: api: %s: %s\n", lv[level], msg);
}

const char *kgd_api_server(const struct kgd_api *a)
{
	return a->conn.server;
}

struct kgd_patch **kgd_api_patches(struct kgd_api *a)
{
	return &a->patches;
}

/* ---- backoff ----------------------------------------------------------- */

static uint32_t rnd(struct kgd_api *a)
{
	/* xorshift64*: jitter needs no more */
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return (uint32_t)((a->rng * 2685821657736338717ull) >> 32);
}

/* The next delay of @r: doubled from the last, +-20 %. */
static unsigned int backoff(struct kgd_api *a, struct kgd_res *r)
{
	unsigned int d = r->backoff ? r->backoff * 2 : a->opts.backoff_min_ms;

	if (d > a->opts.backoff_max_ms)
		d = a->opts.backoff_max_ms;
	r->backoff = d;
	return d - d / 5 + (unsigned int)((uint64_t)rnd(a) * (2 * d / 5) >>
					  32);
}

static void schedule(struct kgd_res *r, int64_t delay_ms)
{
	r->state = RES_IDLE;
	r->due = kgd_api_now_ms() + delay_ms;
}

/* @r failed (@what): retry after backoff, relisting when @relist. */
static void retry(struct kgd_api *a, struct kgd_res *r, bool relist,
		  const char *what)
{
	unsigned int d = backoff(a, r);

	if (relist)
		r->need_list = true;
	kgd_api_log(a, KGD_API_WARN, "%s %s: %s; retry in %u ms",
		    r->state == RES_LIST ? "list" : "watch",
		    kgd_kinds[r->kind].kind, what, d);
	schedule(r, d);
}

/* ---- the store ---------------------------------------------------------- */

static void changed(struct kgd_api *a)
{
	a->gen++;
	a->changed = kgd_api_now_ms();
}

static int set_str(char **p, const char *s)
{
	char *n = strdup(s);

	if (!n)
		return -ENOMEM;
	free(*p);
	*p = n;
	return 0;
}

static const char *meta_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(obj,
								 "metadata"),
						 key));
}

/*
 * The status kgated writes comes back as a MODIFIED event: without that
 * status (and the resourceVersion it moved) the text is the same, so our
 * own patch costs no sync.  An HTTPRoute's status.parents is shared by
 * the controllers of its parents: the other controllers' entries are
 * kept, for kgated writes the list back whole (a merge patch replaces a
 * list) and must not drop them.  0 or -ENOMEM.
 */
static int strip_status(json_t *obj, enum kgd_api_kind kind)
{
	json_t *parents, *p, *kept;
	const char *by;
	size_t i;

	json_object_del(json_object_get(obj, "metadata"), "resourceVersion");
	parents = json_object_get(json_object_get(obj, "status"), "parents");
	if (kind != KGD_API_HTTPROUTES || !json_array_size(parents)) {
		json_object_del(obj, "status");
		return 0;
	}
	kept = json_array();
	json_array_foreach(parents, i, p) {
		by = json_string_value(json_object_get(p, "controllerName"));
		if (kept && by && strcmp(by, KGD_API_CONTROLLER) &&
		    json_array_append(kept, p)) {
			json_decref(kept);
			kept = NULL;
		}
	}
	if (!kept)
		return -ENOMEM;
	if (!json_array_size(kept)) {
		json_decref(kept);
		json_object_del(obj, "status");
		return 0;
	}
	return json_object_set_new(obj, "status",
				   json_pack("{s:o}", "parents", kept)) ?
	       -ENOMEM : 0;
}

/*
 * Put @obj (a list item or a watch event's object) into @set: with its
 * kind and apiVersion (list items come without), without managedFields
 * (large, and nothing of ours).  1 changed, 0 same, <0 not taken.
 */
static int put_obj(struct kgd_api *a, struct kgd_res *r,
		   struct kgd_objset *set, json_t *obj)
{
	const struct kgd_kind_desc *k = &kgd_kinds[r->kind];
	const char *ns = meta_str(obj, "namespace"), *name;
	char *text;
	int c;

	name = meta_str(obj, "name");
	if (!json_is_object(obj) || !name) {
		kgd_api_log(a, KGD_API_WARN, "%s: an object without "
			    "metadata.name, ignored", k->kind);
		return -EINVAL;
	}
	json_object_set_new(obj, "kind", json_string(k->kind));
	json_object_set_new(obj, "apiVersion", json_string(k->api_version));
	json_object_del(json_object_get(obj, "metadata"), "managedFields");
	/* a Service's status is read (its LoadBalancer IPs) and kept */
	if (k->status_ours && strip_status(obj, r->kind))
		return -ENOMEM;
	/* sorted: a list item and a watch object give one text */
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return -ENOMEM;
	ns = k->namespaced && ns ? ns : "";
	c = kgd_objset_put(set, ns, name, text, ++a->seq);
	if (c > 0 && set == &r->set)
		kgd_changelog_add(&a->log, r->kind, ns, name);
	return c;
}

static int del_obj(struct kgd_api *a, struct kgd_res *r, json_t *obj)
{
	const char *ns = meta_str(obj, "namespace"), *name;
	int c;

	name = meta_str(obj, "name");
	if (!name)
		return 0;
	ns = kgd_kinds[r->kind].namespaced && ns ? ns : "";
	c = kgd_objset_del(&r->set, ns, name);
	if (c > 0)
		kgd_changelog_add(&a->log, r->kind, ns, name);
	return c;
}

/* ---- requests ----------------------------------------------------------- */

static size_t on_write(char *data, size_t size, size_t nmemb, void *p);

struct kgd_req *kgd_req_new(struct kgd_api *a, enum kgd_req_type type,
			    const char *url, size_t limit)
{
	struct kgd_req *r = calloc(1, sizeof(*r));
	const struct kgd_api_conn *c = &a->conn;
	char *auth = NULL;

	if (!r)
		return NULL;
	r->a = a;
	r->type = type;
	r->limit = limit;
	r->easy = curl_easy_init();
	r->hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (c->token && asprintf(&auth, "Authorization: Bearer %s",
				 c->token) < 0)
		auth = NULL;
	if (!r->easy || !r->hdrs || (c->token && !auth) ||
	    (auth && !curl_slist_append(r->hdrs, auth))) {
		free(auth);
		kgd_req_free(r);
		return NULL;
	}
	free(auth);
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)a->opts.connect_timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_ACCEPT_ENCODING, "");
	if (c->ca_file)
		curl_easy_setopt(r->easy, CURLOPT_CAINFO, c->ca_file);
	if (c->cert_file) {
		curl_easy_setopt(r->easy, CURLOPT_SSLCERT, c->cert_file);
		curl_easy_setopt(r->easy, CURLOPT_SSLKEY, c->key_file);
	}
	if (c->insecure) {
		curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return r;
}

int kgd_req_start(struct kgd_req *r)
{
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	return curl_multi_add_handle(r->a->m, r->easy) == CURLM_OK ? 0 :
	       -ENOMEM;
}

void kgd_req_free(struct kgd_req *r)
{
	if (!r)
		return;
	if (r->easy) {
		curl_multi_remove_handle(r->a->m, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->hdrs);
	free(r->buf);
	free(r);
}

static bool append(struct kgd_req *r, const char *data, size_t n)
{
	if (r->len + n > r->limit) {
		r->overflow = true;
		return false;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *b;

		while (cap < r->len + n + 1)
			cap *= 2;
		b = realloc(r->buf, cap);
		if (!b) {
			r->overflow = true;
			return false;
		}
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return true;
}

/* A watch event's object's resourceVersion becomes the watch's. */
static void take_rv(struct kgd_api *a, struct kgd_res *r, json_t *obj)
{
	const char *rv = meta_str(obj, "resourceVersion");

	if (rv && *rv && set_str(&r->rv, rv))
		kgd_api_log(a, KGD_API_ERR, "out of memory");
}

/* One watch event; false stops the stream (the reason in @q). */
static bool on_event(struct kgd_req *q, const char *line, size_t len)
{
	struct kgd_api *a = q->a;
	struct kgd_res *r = q->res;
	json_t *ev = json_loadb(line, len, 0, NULL), *obj;
	const char *type = json_string_value(json_object_get(ev, "type"));
	bool ok = true;
	int c = 0;

	obj = json_object_get(ev, "object");
	if (!type || !json_is_object(obj)) {
		kgd_api_log(a, KGD_API_WARN, "watch %s: an event that is not "
			    "{type, object}", kgd_kinds[r->kind].kind);
		q->bad = true;
		ok = false;
	} else if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) {
		take_rv(a, r, obj);
		c = put_obj(a, r, &r->set, obj);
	} else if (!strcmp(type, "DELETED")) {
		take_rv(a, r, obj);
		c = del_obj(a, r, obj);
	} else if (!strcmp(type, "BOOKMARK")) {
		take_rv(a, r, obj);
	} else if (!strcmp(type, "ERROR")) {
		json_int_t code = json_integer_value(json_object_get(obj,
								     "code"));
		const char *msg = json_string_value(json_object_get(obj,
								    "message"));

		if (code == 410)
			q->gone = true;
		else
			kgd_api_log(a, KGD_API_WARN, "watch %s: error %lld: %s",
				    kgd_kinds[r->kind].kind, (long long)code,
				    msg ? msg : "");
		q->bad = code != 410;
		ok = false;
	}
	if (c > 0)
		changed(a);
	json_decref(ev);
	return ok;
}

/* Complete lines of a 200 watch are events as they come. */
static bool watch_lines(struct kgd_req *q)
{
	char *start = q->buf, *nl;

	while ((nl = memchr(start, '\n', q->len - (start - q->buf)))) {
		size_t n = nl - start;

		if (n && !on_event(q, start, n))
			return false;
		start = nl + 1;
	}
	q->len -= start - q->buf;
	memmove(q->buf, start, q->len);
	if (q->buf)
		q->buf[q->len] = '\0';
	return true;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *p)
{
	struct kgd_req *q = p;
	size_t n = size * nmemb;

	if (!q->code) {
		curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->code);
		q->lines = q->type == KGD_REQ_WATCH && q->code == 200;
		if (q->lines)
			q->res->backoff = 0;	/* the server is back */
	}
	if (!append(q, data, n))
		return 0;
	if (q->lines && !watch_lines(q))
		return 0;
	return n;
}

/* ---- list and watch ----------------------------------------------------- */

static char *res_url(struct kgd_api *a, struct kgd_res *r, bool watch)
{
	const struct kgd_kind_desc *k = &kgd_kinds[r->kind];
	char *esc_ns = NULL, *esc_fs = NULL, *esc_c = NULL, *url = NULL;
	CURL *e = curl_easy_init();
	char *nspart = NULL;
	int n;

	if (!e)
		return NULL;
	if (k->namespaced && a->opts.ns)
		esc_ns = curl_easy_escape(e, a->opts.ns, 0);
	if (k->field_selector)
		esc_fs = curl_easy_escape(e, k->field_selector, 0);
	if (!watch && r->cont)
		esc_c = curl_easy_escape(e, r->cont, 0);
	if (esc_ns && asprintf(&nspart, "/namespaces/%s", esc_ns) < 0)
		nspart = NULL;
	if (watch)
		n = asprintf(&url, "%s%s%s/%s?watch=1&allowWatchBookmarks=true"
			     "&resourceVersion=%s&timeoutSeconds=%u%s%s",
			     a->conn.server, k->prefix, nspart ? nspart : "",
			     k->plural, r->rv, a->opts.watch_timeout_s,
			     esc_fs ? "&fieldSelector=" : "",
			     esc_fs ? esc_fs : "");
	else
		n = asprintf(&url, "%s%s%s/%s?limit=%u%s%s%s%s",
			     a->conn.server, k->prefix, nspart ? nspart : "",
			     k->plural, a->opts.page_limit,
			     esc_c ? "&continue=" : "", esc_c ? esc_c : "",
			     esc_fs ? "&fieldSelector=" : "",
			     esc_fs ? esc_fs : "");
	if (n < 0)
		url = NULL;
	curl_free(esc_ns);
	curl_free(esc_fs);
	curl_free(esc_c);
	free(nspart);
	curl_easy_cleanup(e);
	return url;
}

static void res_start(struct kgd_api *a, struct kgd_res *r)
{
	bool watch = !r->need_list && r->rv;
	char *url = res_url(a, r, watch);
	size_t limit = watch ? a->opts.max_line : 16 * a->opts.max_line;

	r->state = watch ? RES_WATCH : RES_LIST;
	r->req = url ? kgd_req_new(a, watch ? KGD_REQ_WATCH : KGD_REQ_LIST,
				   url, limit) : NULL;
	free(url);
	if (r->req) {
		r->req->res = r;
		/* the server ends a watch itself; this catches a dead one */
		curl_easy_setopt(r->req->easy, CURLOPT_TIMEOUT_MS,
				 watch ? (a->opts.watch_timeout_s + 30) *
				 1000L : 60000L);
		if (!kgd_req_start(r->req))
			return;
		kgd_req_free(r->req);
		r->req = NULL;
	}
	retry(a, r, false, "out of memory");
}

/* A list page arrived: take its items; the last one replaces the set. */
static void list_page(struct kgd_api *a, struct kgd_res *r, json_t *body)
{
	json_t *items = json_object_get(body, "items"), *it;
	const char *rv = meta_str(body, "resourceVersion");
	const char *cont = meta_str(body, "continue");
	size_t i;

	if (!json_is_array(items) || !rv) {
		retry(a, r, true, "a list without items or resourceVersion");
		return;
	}
	json_array_foreach(items, i, it)
		if (put_obj(a, r, &r->next, it) == -ENOMEM) {
			retry(a, r, true, "out of memory");
			return;
		}
	if (cont && *cont) {
		if (set_str(&r->cont, cont))
			retry(a, r, true, "out of memory");
		else
			schedule(r, 0);
		return;
	}
	free(r->cont);
	r->cont = NULL;
	if (set_str(&r->rv, rv)) {
		retry(a, r, true, "out of memory");
		return;
	}
	if (!r->synced || !kgd_objset_equal(&r->set, &r->next)) {
		changed(a);
		kgd_changelog_all(&a->log);
	}
	kgd_objset_free(&r->set);
	r->set = r->next;
	memset(&r->next, 0, sizeof(r->next));
	r->synced = true;
	r->need_list = false;
	r->backoff = 0;
	schedule(r, 0);
}

/* The message of a Status body, for the log. */
static void status_text(const struct kgd_req *q, char *buf, size_t len)
{
	json_t *st = q->buf ? json_loadb(q->buf, q->len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(st, "message"));

	snprintf(buf, len, "HTTP %ld%s%s", q->code, msg ? ": " : "",
		 msg ? msg : "");
	json_decref(st);
}

static void list_done(struct kgd_api *a, struct kgd_res *r,
		      struct kgd_req *q, CURLcode rc)
{
	char why[300];
	json_t *body;

	if (q->overflow) {
		snprintf(why, sizeof(why), "a page over %zu bytes", q->limit);
		retry(a, r, true, why);
	} else if (rc != CURLE_OK) {
		retry(a, r, true, curl_easy_strerror(rc));
	} else if (q->code == 410) {
		/* the continue token expired: list from the start */
		kgd_objset_free(&r->next);
		free(r->cont);
		r->cont = NULL;
		retry(a, r, true, "continue token expired (410)");
	} else if (q->code != 200) {
		status_text(q, why, sizeof(why));
		retry(a, r, true, why);
	} else if (!(body = json_loadb(q->buf ? q->buf : "", q->len, 0,
				       NULL))) {
		retry(a, r, true, "a list that is not JSON");
	} else {
		list_page(a, r, body);
		json_decref(body);
	}
	if (r->need_list && r->state == RES_IDLE && !r->cont)
		kgd_objset_free(&r->next);
}

static void watch_done(struct kgd_api *a, struct kgd_res *r,
		       struct kgd_req *q, CURLcode rc)
{
	char why[300];

	if (q->gone || q->code == 410) {
		kgd_api_log(a, KGD_API_INFO, "watch %s: resourceVersion %s "
			    "is gone; listing again", kgd_kinds[r->kind].kind,
			    r->rv);
		r->need_list = true;
		schedule(r, 0);
	} else if (q->overflow) {
		snprintf(why, sizeof(why), "an event over %zu bytes",
			 q->limit);
		retry(a, r, true, why);
	} else if (q->bad) {
		retry(a, r, false, "stream stopped");
	} else if (q->code == 200 && rc == CURLE_OK) {
		schedule(r, 0);		/* timeoutSeconds: watch on */
	} else if (q->code == 200 || q->code == 0) {
		retry(a, r, false, curl_easy_strerror(rc));
	} else {
		status_text(q, why, sizeof(why));
		retry(a, r, false, why);
	}
}

static void on_done(struct kgd_api *a, CURL *e, CURLcode rc)
{
	struct kgd_req *q;
	struct kgd_res *r;
	char *priv;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	q = (struct kgd_req *)priv;
	if (!q->code)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &q->code);
	if (q->type == KGD_REQ_PATCH) {
		kgd_patch_done(q, rc);
		return;
	}
	r = q->res;
	r->req = NULL;
	if (q->type == KGD_REQ_LIST)
		list_done(a, r, q, rc);
	else
		watch_done(a, r, q, rc);
	kgd_req_free(q);
}

/* ---- the poll loop ------------------------------------------------------ */

static int on_socket(CURL *e, curl_socket_t fd, int what, void *p, void *sp)
{
	struct kgd_api *a = p;
	size_t i;

	(void)e;
	(void)sp;
	for (i = 0; i < a->n_socks && a->socks[i].fd != fd; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < a->n_socks)
			a->socks[i] = a->socks[--a->n_socks];
		return 0;
	}
	if (i == a->n_socks) {
		if (a->n_socks == a->cap_socks) {
			size_t cap = a->cap_socks ? 2 * a->cap_socks : 16;
			struct sock *s = realloc(a->socks, cap * sizeof(*s));

			if (!s)
				return -1;
			a->socks = s;
			a->cap_socks = cap;
		}
		a->socks[a->n_socks++].fd = fd;
	}
	a->socks[i].events = (what & CURL_POLL_IN ? POLLIN : 0) |
			     (what & CURL_POLL_OUT ? POLLOUT : 0);
	return 0;
}

static int on_timer(CURLM *m, long ms, void *p)
{
	struct kgd_api *a = p;

	(void)m;
	a->timer_due = ms < 0 ? -1 : kgd_api_now_ms() + ms;
	return 0;
}

int kgd_api_open(struct kgd_api **out, const struct kgd_api_conn *conn,
		 const struct kgd_api_opts *opts)
{
	struct kgd_api *a = calloc(1, sizeof(*a));
	int i;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->opts = *opts;
	a->timer_due = -1;
	a->log.all = true;
	a->rng = ((uint64_t)kgd_api_now_ms() << 20) ^ (uint64_t)getpid() ^
		 (uintptr_t)a;
	if (!a->rng)
		a->rng = 1;
	a->conn.server = strdup(conn->server);
	a->conn.token = conn->token ? strdup(conn->token) : NULL;
	a->conn.ca_file = conn->ca_file ? strdup(conn->ca_file) : NULL;
	a->conn.cert_file = conn->cert_file ? strdup(conn->cert_file) : NULL;
	a->conn.key_file = conn->key_file ? strdup(conn->key_file) : NULL;
	a->conn.insecure = conn->insecure;
	a->m = curl_multi_init();
	if (!a->m || !a->conn.server || (conn->token && !a->conn.token) ||
	    (conn->ca_file && !a->conn.ca_file) ||
	    (conn->cert_file && !a->conn.cert_file) ||
	    (conn->key_file && !a->conn.key_file)) {
		kgd_api_close(a);
		return -ENOMEM;
	}
	curl_multi_setopt(a->m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(a->m, CURLMOPT_SOCKETDATA, a);
	curl_multi_setopt(a->m, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(a->m, CURLMOPT_TIMERDATA, a);
	for (i = 0; i < KGD_API_N_KINDS; i++) {
		a->res[i].kind = i;
		a->res[i].need_list = true;
		a->res[i].due = (opts->kinds & (1u << i)) ? 0 : -1;
	}
	*out = a;
	return 0;
}

void kgd_api_close(struct kgd_api *a)
{
	struct kgd_patch *p, *next;
	int i;

	if (!a)
		return;
	for (i = 0; i < KGD_API_N_KINDS; i++) {
		kgd_req_free(a->res[i].req);
		kgd_objset_free(&a->res[i].set);
		kgd_objset_free(&a->res[i].next);
		free(a->res[i].rv);
		free(a->res[i].cont);
	}
	for (p = a->patches; p; p = next) {
		next = p->next;
		kgd_req_free(p->req);
		free(p->path);
		free(p->body);
		free(p);
	}
	if (a->m)
		curl_multi_cleanup(a->m);
	kgd_changelog_clear(&a->log);
	free(a->log.v);
	free(a->socks);
	free(a->conn.server);
	free(a->conn.token);
	free(a->conn.ca_file);
	free(a->conn.cert_file);
	free(a->conn.key_file);
	free(a);
}

size_t kgd_api_pollfds(struct kgd_api *a, struct pollfd *fds, size_t max)
{
	size_t i;

	for (i = 0; i < a->n_socks && i < max; i++) {
		fds[i].fd = a->socks[i].fd;
		fds[i].events = a->socks[i].events;
		fds[i].revents = 0;
	}
	return a->n_socks;
}

int kgd_api_timeout_ms(struct kgd_api *a)
{
	int64_t now = kgd_api_now_ms(), due = a->timer_due;
	int i;

	/* a patch queued since the last step starts at the next one */
	if (kgd_patches_startable(a))
		return 0;

	for (i = 0; i < KGD_API_N_KINDS; i++) {
		const struct kgd_res *r = &a->res[i];

		if (r->state == RES_IDLE && r->due >= 0 &&
		    (due < 0 || r->due < due))
			due = r->due;
	}
	if (due < 0)
		return -1;
	if (due <= now)
		return 0;
	return due - now > 3600000 ? 3600000 : (int)(due - now);
}

void kgd_api_step(struct kgd_api *a, const struct pollfd *fds, size_t n)
{
	int running, left, i;
	CURLMsg *msg;
	size_t j;

	for (j = 0; j < n; j++) {
		int ev = 0;

		if (fds[j].revents & (POLLIN | POLLHUP | POLLERR))
			ev |= CURL_CSELECT_IN;
		if (fds[j].revents & POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (fds[j].revents & POLLERR)
			ev |= CURL_CSELECT_ERR;
		if (ev)
			curl_multi_socket_action(a->m, fds[j].fd, ev, &running);
	}
	if (a->timer_due >= 0 && a->timer_due <= kgd_api_now_ms()) {
		a->timer_due = -1;
		curl_multi_socket_action(a->m, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
	while ((msg = curl_multi_info_read(a->m, &left)))
		if (msg->msg == CURLMSG_DONE)
			on_done(a, msg->easy_handle, msg->data.result);
	for (i = 0; i < KGD_API_N_KINDS; i++) {
		struct kgd_res *r = &a->res[i];

		if (r->state == RES_IDLE && r->due >= 0 &&
		    r->due <= kgd_api_now_ms())
			res_start(a, r);
	}
	kgd_patches_start(a);
}

/* ---- the store, outside ------------------------------------------------- */

bool kgd_api_synced(const struct kgd_api *a)
{
	int i;

	for (i = 0; i < KGD_API_N_KINDS; i++)
		if ((a->opts.kinds & (1u << i)) && !a->res[i].synced)
			return false;
	return true;
}

uint64_t kgd_api_generation(const struct kgd_api *a)
{
	return a->gen;
}

int64_t kgd_api_changed_ms(const struct kgd_api *a)
{
	return a->changed;
}

bool kgd_api_changes(const struct kgd_api *a, const struct kgd_api_ref **v,
		     size_t *n)
{
	*v = a->log.v;
	*n = a->log.n;
	return !a->log.all;
}

void kgd_api_changes_clear(struct kgd_api *a)
{
	kgd_changelog_clear(&a->log);
}

const char *kgd_api_resource_version(const struct kgd_api *a,
				     enum kgd_api_kind k)
{
	return k < KGD_API_N_KINDS && a->res[k].rv ? a->res[k].rv : "";
}

size_t kgd_api_count(const struct kgd_api *a, enum kgd_api_kind k)
{
	return k < KGD_API_N_KINDS ? a->res[k].set.n : 0;
}

const char *kgd_api_get(const struct kgd_api *a, enum kgd_api_kind k,
			const char *ns, const char *name)
{
	const struct kgd_obj *o;

	if (k >= KGD_API_N_KINDS)
		return NULL;
	o = kgd_objset_find(&a->res[k].set, ns ? ns : "", name);
	return o ? o->text : NULL;
}

void kgd_api_doc_name(enum kgd_api_kind k, const char *ns, const char *name,
		      char *buf, size_t len)
{
	snprintf(buf, len, "api:%s/%s%s%s", kgd_kinds[k].kind, ns,
		 *ns ? "/" : "", name);
}

bool kgd_api_obj(const struct kgd_api *a, enum kgd_api_kind k, size_t i,
		 const char **ns, const char **name, const char **text,
		 uint64_t *seq)
{
	const struct kgd_obj *o;

	if (k >= KGD_API_N_KINDS || i >= a->res[k].set.n)
		return false;
	o = &a->res[k].set.v[i];
	*ns = o->ns;
	*name = o->name;
	*text = o->text;
	*seq = o->seq;
	return true;
}

bool kgd_api_find(const struct kgd_api *a, enum kgd_api_kind k,
		  const char *ns, const char *name, const char **text,
		  uint64_t *seq)
{
	const struct kgd_obj *o;

	if (k >= KGD_API_N_KINDS)
		return false;
	o = kgd_objset_find(&a->res[k].set, ns, name);
	if (!o)
		return false;
	*text = o->text;
	*seq = o->seq;
	return true;
}

int kgd_api_docs(const struct kgd_api *a, struct kk_docs *docs,
		 struct kk_diag *d)
{
	int i, err = 0;
	size_t j;

	for (i = 0; i < KGD_API_N_KINDS; i++) {
		const struct kgd_objset *s = &a->res[i].set;

		for (j = 0; j < s->n; j++) {
			const struct kgd_obj *o = &s->v[j];
			char name[600];
			int r;

			kgd_api_doc_name(i, o->ns, o->name, name, sizeof(name));
			r = kk_load_text(docs, name, o->text, strlen(o->text),
					 d);
			if (r == -ENOMEM)
				return r;
			if (r)
				err = r;
		}
	}
	return err;
}

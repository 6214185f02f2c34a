// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's API source (userspace/kgated/watch.c) against the stand-in API
 * server, driven through its operations only, as main.c drives it.
 *
 * The oracle after every load(): the view it lends equals, document by
 * document, what kgd_api_docs() makes of the same store from scratch; and
 * changes() agrees with what moved between the last two views: every
 * document that is not the very one (the same root) the previous view
 * had is named as a change's new documents, every one that went as a
 * change's old ones, and nothing else is named (or it says "all").
 */
#include <stdio.h>

#include "kgated.h"
#include "test_api.h"

#define NS_META(name) "\"metadata\":{\"name\":\"" name "\",\"namespace\":" \
		      "\"default\""
#define SVC(name)							\
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\"," NS_META(name)	\
	"},\"spec\":{\"clusterIP\":\"10.96.0.10\",\"ports\":"		\
	"[{\"port\":80,\"targetPort\":8080}]}}"
#define SLICE(ip)							\
	"{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":"		\
	"\"EndpointSlice\"," NS_META("web-1") ",\"labels\":{"		\
	"\"kubernetes.io/service-name\":\"web\"}},\"addressType\":"	\
	"\"IPv4\",\"ports\":[{\"port\":8080}],\"endpoints\":[{"		\
	"\"addresses\":[\"" ip "\"]}]}"
#define INGRESS(name)							\
	"{\"apiVersion\":\"networking.k8s.io/v1\","			\
	"\"kind\":\"Ingress\"," NS_META(name) "},\"spec\":{"		\
	"\"ingressClassName\":\"kgate\","				\
	"\"defaultBackend\":{\"service\":{\"name\":\"web\",\"port\":{"	\
	"\"number\":80}}}}}"
#define INGRESSCLASS(name)						\
	"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"		\
	"\"IngressClass\",\"metadata\":{\"name\":\"" name "\"},\"spec\":{" \
	"\"controller\":\"kgate.io/ingress-controller\"}}"
#define GATEWAY								\
	"{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":"	\
	"\"Gateway\"," NS_META("gw") "},\"spec\":{\"gatewayClassName\":" \
	"\"kgate\",\"listeners\":[{\"name\":\"http\",\"port\":8080,"	\
	"\"protocol\":\"HTTP\"}]}}"

#define DEL(ver, kind, ns, name)					\
	"{\"apiVersion\":\"" ver "\",\"kind\":\"" kind "\","		\
	"\"namespace\":\"" ns "\",\"name\":\"" name "\"}"

static const char *const base[] = {
	SVC("web"), SVC("db"), SLICE("10.1.0.1"), INGRESS("web"),
	INGRESSCLASS("kgate"), GATEWAY,
};
#define N_BASE (sizeof(base) / sizeof(*base))

/* A view's documents by file name, sorted: what the last load gave. */
struct snap_doc {
	char *file;
	const struct kk_node *root;
};

struct snap {
	struct snap_doc *v;
	size_t n;
};

/* One fixture: the stand-in, the source, its log, the caller's view. */
struct fx {
	struct server s;
	char *logtext;
	size_t loglen;
	FILE *logf;
	struct kgd_log log;
	struct kgd_source *src;
	struct kgd_api *api;
	struct kk_docs docs;		/* lent by the last load() */
	struct snap prev;		/* the view before the last load() */
	size_t said;			/* step()s that said "changed" */
};

static int cmp_snap(const void *a, const void *b)
{
	return strcmp(((const struct snap_doc *)a)->file,
		      ((const struct snap_doc *)b)->file);
}

static void snap_free(struct snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].file);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void snap_take(struct snap *s, const struct kk_docs *docs)
{
	size_t i;

	snap_free(s);
	s->v = calloc(docs->n + 1, sizeof(*s->v));
	for (i = 0; s->v && i < docs->n; i++) {
		s->v[i].file = strdup(docs->v[i].file);
		s->v[i].root = docs->v[i].root;
	}
	s->n = s->v ? docs->n : 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_snap);
}

static const struct snap_doc *snap_find(const struct snap *s,
					const char *file)
{
	struct snap_doc key = { (char *)file, NULL };

	return s->n ? bsearch(&key, s->v, s->n, sizeof(*s->v), cmp_snap) :
		      NULL;
}

/* Document @doc is the very one @s has under its name. */
static bool snap_has(const struct snap *s, const struct kk_doc *doc)
{
	const struct snap_doc *p = snap_find(s, doc->file);

	return p && p->root == doc->root;
}

static void fx_free(struct fx *f)
{
	snap_free(&f->prev);
	kk_docs_free(&f->docs);
	if (f->src)
		f->src->ops->close(f->src);
	f->src = NULL;
	server_stop(&f->s);
	if (f->logf)
		fclose(f->logf);
	f->logf = NULL;
	free(f->logtext);
	f->logtext = NULL;
}

/* What the source logged, up to now. */
static const char *fx_log(struct fx *f)
{
	fflush(f->logf);
	return f->logtext ? f->logtext : "";
}

static size_t log_has(struct fx *f, const char *s)
{
	const char *p = fx_log(f);
	size_t n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	return n;
}

static void fx_done(struct fx *f)
{
	if (tap_cur_failed && f->logf)
		printf("# the source logged:\n%s", fx_log(f));
	fx_free(f);
}

static bool put_all(struct fx *f, const char *const *objs, size_t n);

/*
 * The stand-in started with @objs and the source opened on it (not yet
 * stepped); false, with a SKIP or a failure, when it cannot be.
 */
static bool fx_open(struct fx *f, const char *const *objs, size_t n)
{
	struct kgd_api_config c = { .mode = KGD_API_URL };
	const char *why;
	char msg[256];

	memset(f, 0, sizeof(*f));
	kk_docs_init(&f->docs);
	if (server_start(&f->s, &why)) {
		tap_skip = why;
		return false;
	}
	f->logf = open_memstream(&f->logtext, &f->loglen);
	CHECK(f->logf);
	if (!f->logf) {
		server_stop(&f->s);
		return false;
	}
	kgd_log_init(&f->log, KGD_LOG_STDERR, f->logf);
	if (n)
		CHECK(put_all(f, objs, n));
	c.url = f->s.url;
	CHECK_INT(kgd_api_source_open(&f->src, &c, &f->log, msg,
				      sizeof(msg)), 0);
	if (!f->src) {
		printf("# %s\n", msg);
		fx_free(f);
		return false;
	}
	f->api = kgd_api_source_client(f->src);
	CHECK(f->api);
	return f->api != NULL;
}

/* One round of the poll loop through the source's operations. */
static void src_once(struct fx *f, int max_ms)
{
	const struct kgd_source_ops *o = f->src->ops;
	struct pollfd fds[64];
	size_t n = o->pollfds(f->src, fds, 64);
	int t = o->timeout_ms(f->src);

	if (n > 64)
		n = 64;
	if (t < 0 || t > max_ms)
		t = max_ms;
	poll(fds, n, t);
	if (o->step(f->src, fds, n) > 0)
		f->said++;
}

/* Run the loop until @cond(@f, @arg); false after @ms. */
static bool src_until(struct fx *f, bool (*cond)(struct fx *, const void *),
		      const void *arg, int ms)
{
	int64_t end = kgd_api_now_ms() + ms;

	while (!cond(f, arg)) {
		if (kgd_api_now_ms() >= end)
			return false;
		src_once(f, 20);
	}
	return true;
}

static bool is_ready(struct fx *f, const void *arg)
{
	(void)arg;
	return f->src->ops->ready(f->src);
}

/* An object the store must hold with @text in it, or not hold. */
struct want {
	enum kgd_api_kind k;
	const char *ns, *name;
	const char *text;	/* NULL: absent */
};

static bool store_is(struct fx *f, const void *arg)
{
	const struct want *w;

	for (w = arg; w->name; w++) {
		const char *t = kgd_api_get(f->api, w->k, w->ns, w->name);

		if (!t != !w->text || (t && !strstr(t, w->text)))
			return false;
	}
	return true;
}

/* Wait until the store is as @w says (ended by a NULL name). */
static bool wait_store(struct fx *f, const struct want *w)
{
	return src_until(f, store_is, w, 10000);
}

static bool put_all(struct fx *f, const char *const *objs, size_t n)
{
	size_t len = 16, i;
	char *body, *p;
	bool ok;

	for (i = 0; i < n; i++)
		len += strlen(objs[i]) + 1;
	body = malloc(len);
	if (!body)
		return false;
	p = body + sprintf(body, "{\"objects\":[");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", objs[i]);
	strcpy(p, "]}");
	ok = ctl(&f->s, "/_control/put", body);
	free(body);
	return ok;
}

static bool put(struct fx *f, const char *obj)
{
	return put_all(f, &obj, 1);
}

/* The view is what kgd_api_docs() makes of the store, one by one. */
static void check_fresh(struct fx *f, bool errors)
{
	struct kk_docs fresh;
	struct kk_diag d;
	size_t i, bad = 0;

	kk_docs_init(&fresh);
	kk_diag_init(&d);
	CHECK_INT(kgd_api_docs(f->api, &fresh, &d), errors ? -EINVAL : 0);
	CHECK_INT(!d.errors, !errors);
	CHECK_INT(f->docs.n, fresh.n);
	for (i = 0; i < f->docs.n && i < fresh.n; i++) {
		const struct kk_doc *a = &f->docs.v[i], *b = &fresh.v[i];

		if (strcmp(a->file, b->file) || a->index != b->index ||
		    !kk_node_same(a->root, b->root)) {
			if (!bad++)
				printf("# view entry %zu: %s, fresh: %s\n", i,
				       a->file, b->file);
		}
	}
	CHECK_INT(bad, 0);
	kk_diag_free(&d);
	kk_docs_free(&fresh);
}

/* Every document of @set is in @s as the very same one. */
static bool all_in(const struct snap *s, const struct kk_docs *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!snap_has(s, &set->v[i]))
			return false;
	return true;
}

/*
 * changes() against the two views: a change's old documents are the
 * previous view's, its new ones the current view's; documents that are
 * not the very same in both views are named, as many as there are.
 */
static void check_changes(struct fx *f, const struct kgd_changes *ch)
{
	size_t i, moved_in = 0, moved_out = 0, named_in = 0, named_out = 0;
	struct snap now = { 0 };

	if (ch->all)
		return;
	snap_take(&now, &f->docs);
	for (i = 0; i < ch->n; i++) {
		const struct kk_change *c = &ch->v[i];

		CHECK(c->old || c->now);
		if (c->old) {
			CHECK(all_in(&f->prev, c->old));
			named_out += c->old->n;
		}
		if (c->now) {
			CHECK(all_in(&now, c->now));
			named_in += c->now->n;
		}
	}
	for (i = 0; i < now.n; i++)
		moved_in += !snap_has(&f->prev, &(struct kk_doc){
			.file = now.v[i].file, .root = now.v[i].root });
	for (i = 0; i < f->prev.n; i++)
		moved_out += !snap_has(&now, &(struct kk_doc){
			.file = f->prev.v[i].file, .root = f->prev.v[i].root });
	CHECK_INT(named_in, moved_in);
	CHECK_INT(named_out, moved_out);
	snap_free(&now);
}

/*
 * One load(), checked: it returns @rc (-EINVAL: it says so), the view is
 * fresh, and changes() agrees with the views; *@ch is what it said.
 */
static void load_rc(struct fx *f, struct kgd_changes *ch, int rc)
{
	struct kk_diag d;

	snap_take(&f->prev, &f->docs);
	kk_diag_init(&d);
	CHECK_INT(f->src->ops->load(f->src, &f->docs, &d), rc);
	CHECK_INT(!d.errors, rc != -EINVAL);
	kk_diag_free(&d);
	check_fresh(f, rc == -EINVAL);
	f->src->ops->changes(f->src, ch);
	check_changes(f, ch);
}

static void load(struct fx *f, struct kgd_changes *ch)
{
	load_rc(f, ch, 0);
}

/* The source ready and loaded once (changes() "all"). */
static bool fx_start(struct fx *f, const char *const *objs, size_t n)
{
	struct kgd_changes ch;

	if (!fx_open(f, objs, n))
		return false;
	CHECK(src_until(f, is_ready, NULL, 10000));
	load(f, &ch);
	CHECK(ch.all);
	CHECK_INT(f->docs.n, n);
	return true;
}

/* The change whose documents are named @file, old or new; or NULL. */
static const struct kk_change *change_of(const struct kgd_changes *ch,
					 const char *file)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const struct kk_docs *d = ch->v[i].now ? ch->v[i].now :
				       ch->v[i].old;

		if (d && d->n && !strcmp(d->v[0].file, file))
			return &ch->v[i];
	}
	return NULL;
}

/* Where the view has @file; -1 when it does not. */
static long view_at(const struct kk_docs *docs, const char *file)
{
	size_t i;

	for (i = 0; i < docs->n; i++)
		if (!strcmp(docs->v[i].file, file))
			return (long)i;
	return -1;
}

/* The first address of an EndpointSlice's root, or "". */
static const char *slice_ip(const struct kk_node *root)
{
	const struct kk_node *n;

	n = kk_get(root, "endpoints");
	n = n && n->type == KK_SEQ && n->seq.n ? n->seq.v[0] : NULL;
	n = kk_get(n, "addresses");
	n = n && n->type == KK_SEQ && n->seq.n ? n->seq.v[0] : NULL;
	return n && n->type == KK_STR ? n->s : "";
}

#define SLICE_FILE "api:EndpointSlice/default/web-1"

/* ---- tests ----------------------------------------------------------- */

/* Not ready before every kind is listed; then the first load is "all". */
TEST(test_initial_list)
{
	struct kgd_changes ch;
	struct fx f;

	if (!fx_open(&f, base, N_BASE))
		return;
	/* nothing stepped yet: nothing listed */
	CHECK(!f.src->ops->ready(f.src));
	CHECK_INT(f.src->ops->changed(f.src), 0);
	CHECK(src_until(&f, is_ready, NULL, 10000));
	/* step() said so once the store was whole, and only then */
	CHECK_INT(f.said, 1);
	CHECK_INT(f.src->ops->changed(f.src), 0);
	load(&f, &ch);
	CHECK(ch.all);
	CHECK_INT(f.docs.n, N_BASE);
	CHECK(f.docs.borrowed);
	CHECK(view_at(&f.docs, "api:IngressClass/kgate") >= 0);
	CHECK(view_at(&f.docs, "api:Service/default/db") <
	      view_at(&f.docs, "api:Service/default/web"));
	fx_done(&f);
}

/* A MODIFIED EndpointSlice: one change, the view patched in place. */
TEST(test_modified_slice)
{
	static const struct want w[] = {
		{ KGD_API_ENDPOINTSLICES, "default", "web-1", "10.1.0.2" },
		{ 0 },
	};
	const struct kk_change *c;
	const struct kk_doc *before;
	struct kgd_changes ch;
	struct snap was = { 0 };
	struct fx f;
	long at;
	size_t i;

	if (!fx_start(&f, base, N_BASE))
		return;
	before = f.docs.v;
	/* in view order, not sorted: the pointers of every entry */
	was.v = calloc(f.docs.n, sizeof(*was.v));
	for (i = 0; was.v && i < f.docs.n; i++)
		was.v[i].root = f.docs.v[i].root;
	CHECK(put(&f, SLICE("10.1.0.2")));
	f.said = 0;
	CHECK(wait_store(&f, w));
	CHECK(f.said >= 1);
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 1);
	c = change_of(&ch, SLICE_FILE);
	CHECK(c && c->old && c->now);
	if (c && c->old && c->now) {
		CHECK_INT(c->old->n, 1);
		CHECK_INT(c->now->n, 1);
		CHECK_STR(slice_ip(c->old->v[0].root), "10.1.0.1");
		CHECK_STR(slice_ip(c->now->v[0].root), "10.1.0.2");
	}
	/* the same list, only the slice's entry replaced */
	CHECK(f.docs.v == before);
	at = view_at(&f.docs, SLICE_FILE);
	CHECK(at >= 0);
	CHECK_STR(at >= 0 ? slice_ip(f.docs.v[at].root) : "", "10.1.0.2");
	for (i = 0; was.v && i < f.docs.n; i++)
		if ((long)i != at)
			CHECK(f.docs.v[i].root == was.v[i].root);
	free(was.v);
	fx_done(&f);
}

/* Added and deleted, namespaced and cluster-scoped, in one batch. */
TEST(test_added_deleted)
{
	static const char *const add[] = {
		SVC("new"), INGRESSCLASS("other"), INGRESS("new"),
	};
	static const struct want w[] = {
		{ KGD_API_SERVICES, "default", "new", "\"new\"" },
		{ KGD_API_INGRESSCLASSES, NULL, "other", "\"other\"" },
		{ KGD_API_INGRESSES, "default", "new", "\"new\"" },
		{ KGD_API_SERVICES, "default", "web", NULL },
		{ KGD_API_INGRESSCLASSES, NULL, "kgate", NULL },
		{ KGD_API_INGRESSES, "default", "web", NULL },
		{ 0 },
	};
	static const char *const added[] = {
		"api:Service/default/new", "api:IngressClass/other",
		"api:Ingress/default/new",
	};
	static const char *const deleted[] = {
		"api:Service/default/web", "api:IngressClass/kgate",
		"api:Ingress/default/web",
	};
	const struct kk_change *c;
	struct kgd_changes ch;
	struct fx f;
	size_t i;

	if (!fx_start(&f, base, N_BASE))
		return;
	CHECK(put_all(&f, add, 3));
	CHECK(ctl(&f.s, "/_control/delete",
		  DEL("v1", "Service", "default", "web")));
	CHECK(ctl(&f.s, "/_control/delete",
		  DEL("networking.k8s.io/v1", "IngressClass", "", "kgate")));
	CHECK(ctl(&f.s, "/_control/delete",
		  DEL("networking.k8s.io/v1", "Ingress", "default", "web")));
	CHECK(wait_store(&f, w));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 6);
	for (i = 0; i < 3; i++) {
		c = change_of(&ch, added[i]);
		CHECK(c && !c->old && c->now);
		CHECK(view_at(&f.docs, added[i]) >= 0);
		c = change_of(&ch, deleted[i]);
		CHECK(c && c->old && !c->now);
		CHECK(view_at(&f.docs, deleted[i]) < 0);
	}
	CHECK_INT(f.docs.n, N_BASE);
	fx_done(&f);
}

/* Modified twice between two loads: one change, to the latest text. */
TEST(test_modified_twice)
{
	static const struct want w[] = {
		{ KGD_API_ENDPOINTSLICES, "default", "web-1", "10.1.0.3" },
		{ 0 },
	};
	const struct kk_change *c;
	struct kgd_changes ch;
	struct fx f;

	if (!fx_start(&f, base, N_BASE))
		return;
	CHECK(put(&f, SLICE("10.1.0.2")));
	CHECK(put(&f, SLICE("10.1.0.3")));
	CHECK(wait_store(&f, w));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 1);
	c = change_of(&ch, SLICE_FILE);
	CHECK(c && c->old && c->now);
	if (c && c->old && c->now) {
		CHECK_STR(slice_ip(c->old->v[0].root), "10.1.0.1");
		CHECK_STR(slice_ip(c->now->v[0].root), "10.1.0.3");
	}
	fx_done(&f);
}

static bool relisted(struct fx *f, const void *arg)
{
	(void)arg;
	return log_has(f, "is gone; listing again") == KGD_API_N_KINDS &&
	       f->src->ops->ready(f->src) &&
	       kgd_api_get(f->api, KGD_API_SERVICES, "default", "new");
}

/*
 * A relist after 410 Gone that adds and deletes: the view is fresh, and
 * changes() names those two alone when it names anything, not every
 * object the relist brought again as it was (the slice too, last seen
 * through a watch event and now through a list).
 */
TEST(test_relist)
{
	static const struct want w[] = {
		{ KGD_API_ENDPOINTSLICES, "default", "web-1", "10.1.0.2" },
		{ 0 },
	};
	const struct kk_change *c;
	struct kgd_changes ch;
	struct fx f;

	if (!fx_start(&f, base, N_BASE))
		return;
	CHECK(put(&f, SLICE("10.1.0.2")));
	CHECK(wait_store(&f, w));
	load(&f, &ch);
	CHECK_INT(ch.n, 1);
	CHECK(ctl(&f.s, "/_control/drop", "{\"then\":[" SVC("new") "],"
		  "\"delete\":[" DEL("v1", "Service", "default", "web") "],"
		  "\"compact\":\"event\"}"));
	CHECK(src_until(&f, relisted, NULL, 10000));
	CHECK(!kgd_api_get(f.api, KGD_API_SERVICES, "default", "web"));
	load(&f, &ch);
	CHECK(view_at(&f.docs, "api:Service/default/new") >= 0);
	CHECK(view_at(&f.docs, "api:Service/default/web") < 0);
	if (!ch.all) {
		CHECK_INT(ch.n, 2);
		c = change_of(&ch, "api:Service/default/new");
		CHECK(c && !c->old && c->now);
		c = change_of(&ch, "api:Service/default/web");
		CHECK(c && c->old && !c->now);
	}
	tap_note("relist: changes() %s, %zu named", ch.all ? "all" : "listed",
		 ch.n);
	fx_done(&f);
}

/* Services "bulk-NNNNN" @from to @to (excluded), put @per a request. */
static bool put_bulk(struct fx *f, size_t from, size_t to, size_t per)
{
	static const char fmt[] =
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"bulk-%05zu\",\"namespace\":\"default\"},"
		"\"spec\":{\"clusterIP\":\"10.97.%zu.%zu\",\"ports\":"
		"[{\"port\":80}]}}";
	char **objs = calloc(per, sizeof(*objs));
	bool ok = objs != NULL;
	size_t i, n;

	while (ok && from < to) {
		n = to - from < per ? to - from : per;
		for (i = 0; i < n; i++)
			ok &= asprintf(&objs[i], fmt, from + i,
				       (from + i) / 250, (from + i) % 250) > 0;
		ok = ok && put_all(f, (const char *const *)objs, n);
		for (i = 0; i < n; i++)
			free(objs[i]);
		memset(objs, 0, per * sizeof(*objs));
		from += n;
	}
	free(objs);
	return ok;
}

static bool svc_count(struct fx *f, const void *arg)
{
	return kgd_api_count(f->api, KGD_API_SERVICES) == *(const size_t *)arg;
}

#define BULK (KGD_API_LOG_MAX + 4)

/* Past the log's bound: the load still gives the store, and after it. */
TEST(test_log_overflow)
{
	static const struct want w[] = {
		{ KGD_API_ENDPOINTSLICES, "default", "web-1", "10.1.0.9" },
		{ 0 },
	};
	size_t want = 2 + BULK;
	const struct kk_change *c;
	struct kgd_changes ch;
	struct fx f;

	if (!fx_start(&f, base, N_BASE))
		return;
	CHECK(put_bulk(&f, 0, BULK, 1000));
	CHECK(src_until(&f, svc_count, &want, 30000));
	load(&f, &ch);
	CHECK_INT(f.docs.n, N_BASE + BULK);
	if (!ch.all)
		CHECK_INT(ch.n, BULK);
	/* and the next change is one change again */
	CHECK(put(&f, SLICE("10.1.0.9")));
	CHECK(wait_store(&f, w));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 1);
	c = change_of(&ch, SLICE_FILE);
	CHECK(c && c->now && c->now->n &&
	      !strcmp(slice_ip(c->now->v[0].root), "10.1.0.9"));
	fx_done(&f);
}

/* Nothing changed since the last load: no change, the very same view. */
TEST(test_no_change)
{
	static const struct want w[] = {
		{ KGD_API_SERVICES, "default", "new", "\"new\"" },
		{ 0 },
	};
	struct kgd_changes ch;
	struct snap was = { 0 };
	struct fx f;
	size_t i;

	if (!fx_start(&f, base, N_BASE))
		return;
	CHECK(put(&f, SVC("new")));
	CHECK(wait_store(&f, w));
	load(&f, &ch);
	CHECK_INT(ch.n, 1);
	was.v = calloc(f.docs.n, sizeof(*was.v));
	for (i = 0; was.v && i < f.docs.n; i++)
		was.v[i].root = f.docs.v[i].root;
	was.n = was.v ? f.docs.n : 0;
	f.said = 0;
	for (i = 0; i < 5; i++)
		src_once(&f, 0);
	CHECK_INT(f.said, 0);
	CHECK_INT(f.src->ops->changed(f.src), 0);
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 0);
	CHECK_INT(f.docs.n, was.n);
	for (i = 0; i < was.n && i < f.docs.n; i++)
		CHECK(f.docs.v[i].root == was.v[i].root);
	was.n = 0;
	free(was.v);
	fx_done(&f);
}

/*
 * Under the log's bound, one batch that modifies, adds between and
 * deletes among a few hundred objects: the units the log names are
 * found by binary search and moved about, the view follows.
 */
TEST(test_mixed_batch)
{
	static const struct want w[] = {
		{ KGD_API_SERVICES, "default", "bulk-00010", "10.98." },
		{ KGD_API_SERVICES, "default", "bulk-00150", "10.98." },
		{ KGD_API_SERVICES, "default", "bulk-00020", NULL },
		{ KGD_API_SERVICES, "default", "bulk-00299", NULL },
		{ KGD_API_SERVICES, "default", "bulk-00010a", "10.99." },
		{ KGD_API_SERVICES, "default", "a", "\"v\":\"2\"" },
		{ 0 },
	};
	static const char *const mod[] = {
		SVC("a"),
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"bulk-00150\",\"namespace\":\"default\"},"
		"\"spec\":{\"clusterIP\":\"10.98.0.150\",\"ports\":"
		"[{\"port\":80}]}}",
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"bulk-00010a\",\"namespace\":\"default\"},"
		"\"spec\":{\"clusterIP\":\"10.99.0.1\",\"ports\":"
		"[{\"port\":80}]}}",
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"bulk-00010\",\"namespace\":\"default\"},"
		"\"spec\":{\"clusterIP\":\"10.98.0.10\",\"ports\":"
		"[{\"port\":80}]}}",
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"a\",\"namespace\":\"default\",\"labels\":"
		"{\"v\":\"2\"}},\"spec\":{\"clusterIP\":\"10.99.0.2\","
		"\"ports\":[{\"port\":80}]}}",
	};
	size_t want = 2 + 300;
	struct kgd_changes ch;
	struct fx f;

	if (!fx_start(&f, base, N_BASE))
		return;
	CHECK(put_bulk(&f, 0, 300, 300));
	CHECK(src_until(&f, svc_count, &want, 10000));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 300);
	/*
	 * "a" sorts before every other Service: all of them move.  One
	 * watch stream carries every Service, in order: the last one seen
	 * means every one before it was.
	 */
	CHECK(put(&f, mod[1]));
	CHECK(ctl(&f.s, "/_control/delete",
		  DEL("v1", "Service", "default", "bulk-00020")));
	CHECK(put_all(&f, mod + 2, 2));
	CHECK(put(&f, mod[0]));
	CHECK(put(&f, mod[4]));		/* "a" ADDED, then MODIFIED */
	CHECK(ctl(&f.s, "/_control/delete",
		  DEL("v1", "Service", "default", "bulk-00299")));
	CHECK(wait_store(&f, w));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 6);
	CHECK_INT(f.docs.n, N_BASE + 300);
	fx_done(&f);
}

/* A Service nested @depth deep in its spec, the innermost @leaf. */
static char *deep_svc(int depth, const char *leaf)
{
	size_t len = 2 * depth + strlen(leaf) + 256;
	char *obj = malloc(len), *p;
	int i;

	if (!obj)
		return NULL;
	p = obj + sprintf(obj, "{\"apiVersion\":\"v1\",\"kind\":"
			  "\"Service\",\"metadata\":{\"name\":\"deep\","
			  "\"namespace\":\"default\"},\"spec\":{\"x\":");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	p += sprintf(p, "\"%s\"", leaf);
	for (i = 0; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}}");
	return obj;
}

/*
 * An object the translation cannot read (nested past kk's bound): the
 * load says so, and again at the next one, from the whole store; once
 * fixed, the changes name it, and the next event is patched alone.
 */
TEST(test_bad_object)
{
	static const struct want bad[] = {
		{ KGD_API_SERVICES, "default", "deep", "\"bad\"" },
		{ 0 },
	};
	static const struct want good[] = {
		{ KGD_API_SERVICES, "default", "deep", "\"good\"" },
		{ 0 },
	};
	static const struct want slice[] = {
		{ KGD_API_ENDPOINTSLICES, "default", "web-1", "10.1.0.7" },
		{ 0 },
	};
	const struct kk_change *c;
	struct kgd_changes ch;
	const struct kk_doc *before;
	struct fx f;
	char *obj;

	if (!fx_start(&f, base, N_BASE))
		return;
	obj = deep_svc(300, "bad");
	CHECK(obj && put(&f, obj));
	free(obj);
	CHECK(wait_store(&f, bad));
	load_rc(&f, &ch, -EINVAL);
	CHECK(view_at(&f.docs, "api:Service/default/deep") < 0);
	CHECK_INT(f.docs.n, N_BASE);
	/* said again, nothing else moved */
	load_rc(&f, &ch, -EINVAL);
	CHECK_INT(f.docs.n, N_BASE);
	obj = deep_svc(3, "good");
	CHECK(obj && put(&f, obj));
	free(obj);
	CHECK(wait_store(&f, good));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 1);
	c = change_of(&ch, "api:Service/default/deep");
	CHECK(c && c->now && c->now->n == 1);
	CHECK(view_at(&f.docs, "api:Service/default/deep") >= 0);
	CHECK_INT(f.docs.n, N_BASE + 1);
	before = f.docs.v;
	CHECK(put(&f, SLICE("10.1.0.7")));
	CHECK(wait_store(&f, slice));
	load(&f, &ch);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 1);
	CHECK(f.docs.v == before);
	fx_done(&f);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(test_initial_list);
	RUN(test_modified_slice);
	RUN(test_added_deleted);
	RUN(test_modified_twice);
	RUN(test_relist);
	RUN(test_log_overflow);
	RUN(test_no_change);
	RUN(test_mixed_batch);
	RUN(test_bad_object);
	curl_global_cleanup();
	return tap_done();
}

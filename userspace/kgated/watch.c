// SPDX-License-Identifier: GPL-2.0
/*
 * The Kubernetes API server as a source of manifests: the client of
 * api.c lists and watches every kind kgate reads into its store, and
 * load() hands the store to the translation exactly as files are.
 *
 * Until every kind has been listed once the store is not whole: a sync
 * then would delete every Service the API server has not yet sent, so
 * the source says it is not ready and the kernel keeps what it has.  That
 * holds after a restart and while the API server is away, so traffic
 * keeps flowing on the last state seen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <curl/curl.h>

#include "api.h"
#include "kgated.h"

/*
 * One object of the store, parsed: its documents are kept until its
 * text changes, so a watch event costs one object's parse and not the
 * whole store's, and the sync can tell which objects changed (for the
 * EndpointSlice delta).
 */
struct unit {
	enum kgd_api_kind kind;
	char *ns, *name;
	uint64_t seq;		/* the store's number of the text parsed */
	uint64_t hash;		/* of that text: a relist's same text */
	struct kk_docs *docs;	/* its own arena */
};

struct units {
	struct unit *v;
	size_t n, cap;
};

struct api_source {
	struct kgd_source src;	/* first: the operations */
	struct kgd_api_conn conn;
	struct kgd_api *api;
	const struct kgd_log *log;
	uint64_t seen;		/* the store's generation last reported */
	bool was_synced;
	struct units u;
	size_t n_bad;		/* units with errors: parsed at every load */
	/* what the last load changed; the old documents die at the next */
	struct kk_change *ch;
	size_t n_ch, cap_ch;
	struct kk_docs **retired;
	size_t n_retired, cap_retired;
	bool all;		/* the last load cannot tell */
	/*
	 * Every unit's documents, one after another, lent to the caller of
	 * load(): patched in place where one object's text changed and
	 * units are one document each (JSON objects are), else rebuilt.
	 */
	struct kk_docs view;
	bool view_ok;
	bool reshaped;		/* units came or went, or doc counts moved */
	size_t *patched;	/* units whose documents were replaced */
	size_t n_patched, cap_patched;
};

static struct api_source *of(struct kgd_source *src)
{
	return (struct api_source *)src;
}

/* ---- the parsed objects ------------------------------------------------ */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void docs_drop(struct kk_docs *docs)
{
	if (!docs)
		return;
	kk_docs_free(docs);
	free(docs);
}

static void units_free(struct units *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].ns);
		free(u->v[i].name);
		docs_drop(u->v[i].docs);
	}
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static void retired_free(struct api_source *as)
{
	size_t i;

	for (i = 0; i < as->n_retired; i++)
		docs_drop(as->retired[i]);
	as->n_retired = 0;
	as->n_ch = 0;
}

/* Grow *@v (of @size bytes each) to hold one more than @n. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? 2 * *cap : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* @old (retired: it lives until the next load) replaced by @now. */
static int note_change(struct api_source *as, struct kk_docs *old,
		       struct kk_docs *now)
{
	if (grow((void **)&as->ch, &as->cap_ch, as->n_ch, sizeof(*as->ch)) ||
	    grow((void **)&as->retired, &as->cap_retired, as->n_retired,
		 sizeof(*as->retired)))
		return -ENOMEM;
	as->ch[as->n_ch++] = (struct kk_change){ old, now };
	if (old)
		as->retired[as->n_retired++] = old;
	return 0;
}

/* @text parsed into a new documents set; a JSON error is in @d. */
static int parse(const struct unit *u, const char *text,
		 struct kk_docs **out, struct kk_diag *d)
{
	struct kk_docs *docs = malloc(sizeof(*docs));
	char name[600];
	int err;

	if (!docs)
		return -ENOMEM;
	kk_docs_init(docs);
	kgd_api_doc_name(u->kind, u->ns, u->name, name, sizeof(name));
	err = kk_load_text(docs, name, text, strlen(text), d);
	if (err == -ENOMEM) {
		docs_drop(docs);
		return err;
	}
	*out = docs;
	return 0;
}

/* The object the store has at (@k, @i); false past the end. */
struct cursor {
	enum kgd_api_kind k;
	size_t i;
	const char *ns, *name, *text;
	uint64_t seq;
};

static bool cursor_get(const struct kgd_api *api, struct cursor *c)
{
	for (; c->k < KGD_API_N_KINDS; c->k++, c->i = 0)
		if (kgd_api_obj(api, c->k, c->i, &c->ns, &c->name, &c->text,
				&c->seq))
			return true;
	return false;
}

static int cmp_unit(const struct unit *u, const struct cursor *c)
{
	int r;

	if (u->kind != c->k)
		return u->kind < c->k ? -1 : 1;
	r = strcmp(u->ns, c->ns);
	return r ? r : strcmp(u->name, c->name);
}

/* *@out made for the store's object at @c, parsed; 0 or -ENOMEM. */
static int unit_make(struct api_source *as, const struct cursor *c,
		     struct unit *out, struct kk_diag *d)
{
	struct unit u = { .kind = c->k, .seq = c->seq,
			  .hash = fnv1a(c->text) };
	size_t errors = d->errors;
	int err;

	u.ns = strdup(c->ns);
	u.name = strdup(c->name);
	err = !u.ns || !u.name ? -ENOMEM : parse(&u, c->text, &u.docs, d);
	/* parsed again at every load, to say it again, until it changes */
	if (d->errors > errors)
		u.seq = u.hash = 0;
	if (!err)
		err = note_change(as, NULL, u.docs);
	if (err) {
		free(u.ns);
		free(u.name);
		docs_drop(u.docs);
		return err;
	}
	*out = u;
	as->reshaped = true;
	return 0;
}

static int unit_new(struct api_source *as, struct units *nu,
		    const struct cursor *c, struct kk_diag *d)
{
	int err = grow((void **)&nu->v, &nu->cap, nu->n, sizeof(*nu->v));

	if (!err)
		err = unit_make(as, c, &nu->v[nu->n], d);
	if (!err)
		nu->n++;
	return err;
}

/* Unit @i's documents were replaced by a set of as many. */
static int note_patched(struct api_source *as, size_t i)
{
	if (grow((void **)&as->patched, &as->cap_patched, as->n_patched,
		 sizeof(*as->patched)))
		return -ENOMEM;
	as->patched[as->n_patched++] = i;
	return 0;
}

/* Unit @u is no longer in the store. */
static int unit_gone(struct api_source *as, struct unit *u)
{
	int err = note_change(as, u->docs, NULL);

	if (err)
		docs_drop(u->docs);
	as->reshaped = true;
	free(u->ns);
	free(u->name);
	memset(u, 0, sizeof(*u));
	return err;
}

/*
 * Unit @u, entry @at, for the store's object at @c: kept when the text
 * is the one it has, else parsed again.
 */
static int unit_reparse(struct api_source *as, struct unit *u,
			const struct cursor *c, size_t at, struct kk_diag *d)
{
	size_t errors = d->errors;
	struct kk_docs *now;
	uint64_t hash;
	int err;

	if (u->seq == c->seq)
		return 0;
	hash = fnv1a(c->text);
	if (hash != u->hash) {
		err = parse(u, c->text, &now, d);
		if (!err && now->n == u->docs->n)
			err = note_patched(as, at);
		if (!err)
			err = note_change(as, u->docs, now);
		if (err) {
			docs_drop(now);
			return err;
		}
		if (now->n != u->docs->n)
			as->reshaped = true;
		u->docs = now;
		u->hash = hash;
	}
	u->seq = c->seq;
	if (d->errors > errors)
		u->seq = u->hash = 0;
	return 0;
}

/* The store's object at @c again, as unit @u had it: kept or parsed. */
static int unit_again(struct api_source *as, struct units *nu,
		      struct unit *u, const struct cursor *c,
		      struct kk_diag *d)
{
	int err = grow((void **)&nu->v, &nu->cap, nu->n, sizeof(*nu->v));

	if (!err)
		err = unit_reparse(as, u, c, nu->n, d);
	if (err) {
		unit_gone(as, u);	/* retired, not lost */
		return err;
	}
	nu->v[nu->n++] = *u;
	memset(u, 0, sizeof(*u));
	return 0;
}

/* The units of the store now: a merge of the old ones with the store. */
static int units_update(struct api_source *as, struct kk_diag *d)
{
	struct units nu = { 0 };
	struct cursor c = { 0 };
	bool more = cursor_get(as->api, &c);
	size_t j = 0;
	int err = 0;

	while (!err && (more || j < as->u.n)) {
		int r = !more ? -1 : j == as->u.n ? 1 :
			cmp_unit(&as->u.v[j], &c);

		if (r < 0) {
			err = unit_gone(as, &as->u.v[j++]);
			continue;
		}
		err = r ? unit_new(as, &nu, &c, d) :
			  unit_again(as, &nu, &as->u.v[j++], &c, d);
		c.i++;
		more = cursor_get(as->api, &c);
	}
	/* what is left of the old ones was moved or retired: husks only */
	for (; j < as->u.n; j++)
		unit_gone(as, &as->u.v[j]);
	free(as->u.v);
	as->u = nu;
	as->n_bad = 0;
	for (j = 0; j < nu.n; j++)
		as->n_bad += !nu.v[j].seq;
	return err;
}

/* The unit of @c's object, or where it would go (*@found false). */
static size_t unit_locate(const struct units *u, const struct cursor *c,
			  bool *found)
{
	size_t lo = 0, hi = u->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_unit(&u->v[mid], c);

		if (!r) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int unit_insert(struct api_source *as, size_t at,
		       const struct cursor *c, struct kk_diag *d)
{
	struct units *u = &as->u;
	struct unit nu;
	int err = grow((void **)&u->v, &u->cap, u->n, sizeof(*u->v));

	if (!err)
		err = unit_make(as, c, &nu, d);
	if (err)
		return err;
	memmove(&u->v[at + 1], &u->v[at], (u->n - at) * sizeof(*u->v));
	u->v[at] = nu;
	u->n++;
	return 0;
}

static int unit_remove(struct api_source *as, size_t at)
{
	struct units *u = &as->u;
	int err = unit_gone(as, &u->v[at]);

	memmove(&u->v[at], &u->v[at + 1], (u->n - at - 1) * sizeof(*u->v));
	u->n--;
	return err;
}

/*
 * The units after the changes the store logged (@refs): only those
 * objects are looked at, O(log n) each, where units_update() walks the
 * whole store.  Taken while no unit has errors (those are parsed at
 * every load, to be said again).
 */
static int units_patch(struct api_source *as, const struct kgd_api_ref *refs,
		       size_t n, struct kk_diag *d)
{
	size_t i, at;
	int err = 0;

	for (i = 0; !err && i < n; i++) {
		struct cursor c = { .k = refs[i].kind, .ns = refs[i].ns,
				    .name = refs[i].name };
		bool held = kgd_api_find(as->api, c.k, c.ns, c.name, &c.text,
					 &c.seq), found;

		at = unit_locate(&as->u, &c, &found);
		if (found && held)
			err = unit_reparse(as, &as->u.v[at], &c, at, d);
		else if (found)
			err = unit_remove(as, at);
		else if (held)
			err = unit_insert(as, at, &c, d);
		if (!err && held && !as->u.v[at].seq)
			as->n_bad++;
	}
	return err;
}

static const struct kk_docs *unit_docs(const void *set, size_t i)
{
	return ((const struct units *)set)->v[i].docs;
}

/*
 * The view after units_update(): where only some objects' documents were
 * replaced by as many, and every unit is one document, unit i is entry
 * i: those entries are patched.  Else rebuilt.
 */
static int view_update(struct api_source *as)
{
	size_t i;
	int err;

	if (as->view_ok && !as->reshaped && as->view.n == as->u.n) {
		for (i = 0; i < as->n_patched; i++) {
			const struct kk_docs *ud = as->u.v[as->patched[i]].docs;

			if (ud->n != 1)
				break;
			as->view.v[as->patched[i]] = ud->v[0];
		}
		if (i == as->n_patched)
			return 0;
	}
	as->view.borrowed = false;
	err = kgd_docs_view(&as->view, as->u.n, unit_docs, &as->u);
	as->view_ok = !err;
	return err;
}

static int api_load(struct kgd_source *src, struct kk_docs *docs,
		    struct kk_diag *d)
{
	struct api_source *as = of(src);
	const struct kgd_api_ref *refs;
	size_t errors = d->errors, n_refs;
	int err;

	retired_free(as);
	as->all = !as->u.n;
	as->reshaped = false;
	as->n_patched = 0;
	if (as->u.n && !as->n_bad &&
	    kgd_api_changes(as->api, &refs, &n_refs))
		err = units_patch(as, refs, n_refs, d);
	else
		err = units_update(as, d);
	kgd_api_changes_clear(as->api);
	if (!err)
		err = view_update(as);
	if (!err) {
		kk_docs_free(docs);
		*docs = as->view;
		docs->borrowed = true;
	}
	if (err) {
		as->view_ok = false;
		/* nothing half-known is kept: the next load parses all */
		units_free(&as->u);
		retired_free(as);
		as->all = true;
		return err;
	}
	return d->errors > errors ? -EINVAL : 0;
}

static void api_changes(struct kgd_source *src, struct kgd_changes *out)
{
	struct api_source *as = of(src);

	out->all = as->all;
	out->v = as->ch;
	out->n = as->n_ch;
}

static bool api_ready(struct kgd_source *src)
{
	return kgd_api_synced(of(src)->api);
}

static int api_fd(const struct kgd_source *src)
{
	(void)src;
	return -1;
}

/* Whole, and changed since last said. */
static int api_changed(struct kgd_source *src)
{
	struct api_source *as = of(src);
	uint64_t gen = kgd_api_generation(as->api);

	if (!kgd_api_synced(as->api))
		return 0;
	if (as->was_synced && gen == as->seen)
		return 0;
	as->was_synced = true;
	as->seen = gen;
	return 1;
}

static size_t api_pollfds(struct kgd_source *src, struct pollfd *fds,
			  size_t max)
{
	return kgd_api_pollfds(of(src)->api, fds, max);
}

static int api_timeout(struct kgd_source *src)
{
	return kgd_api_timeout_ms(of(src)->api);
}

static int api_step(struct kgd_source *src, const struct pollfd *fds,
		    size_t n)
{
	kgd_api_step(of(src)->api, fds, n);
	return api_changed(src);
}

static void api_close(struct kgd_source *src)
{
	struct api_source *as = of(src);

	if (!src)
		return;
	kgd_api_close(as->api);
	kgd_api_conn_free(&as->conn);
	units_free(&as->u);
	retired_free(as);
	as->view.borrowed = false;
	kk_docs_free(&as->view);
	free(as->patched);
	free(as->ch);
	free(as->retired);
	free(as);
}

static const struct kgd_source_ops api_ops = {
	.name = "api",
	.load = api_load,
	.ready = api_ready,
	.fd = api_fd,
	.changed = api_changed,
	.pollfds = api_pollfds,
	.timeout_ms = api_timeout,
	.step = api_step,
	.changes = api_changes,
	.close = api_close,
};

static void on_log(enum kgd_api_level level, const char *msg, void *data)
{
	const struct kgd_log *log = data;
	int prio = level == KGD_API_ERR ? LOG_ERR :
		   level == KGD_API_WARN ? LOG_WARNING : LOG_INFO;

	kgd_log(log, prio, "api: %s", msg);
}

static int conn_open(struct api_source *as, const struct kgd_api_config *c,
		     const struct kgd_log *log)
{
	struct kk_diag d;
	int err;

	kk_diag_init(&d);
	switch (c->mode) {
	case KGD_API_INCLUSTER:
		err = kgd_api_conn_incluster(&as->conn, NULL, &d);
		break;
	case KGD_API_KUBECONFIG:
		err = kgd_api_conn_kubeconfig(&as->conn, c->kubeconfig ?
					      c->kubeconfig :
					      KGD_DEFAULT_KUBECONFIG,
					      c->context, &d);
		break;
	default:
		err = kgd_api_conn_url(&as->conn, c->url);
		break;
	}
	kgd_log_diag(log, &d);
	kk_diag_free(&d);
	return err;
}

int kgd_api_source_open(struct kgd_source **out,
			const struct kgd_api_config *c,
			const struct kgd_log *log, char *why, size_t whylen)
{
	struct api_source *as = calloc(1, sizeof(*as));
	struct kgd_api_opts opts;
	int err;

	if (!as) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	as->src.ops = &api_ops;
	as->log = log;
	err = conn_open(as, c, log);
	if (err) {
		snprintf(why, whylen, "no connection to the API server: %s",
			 err == -ENOMEM ? "out of memory" :
			 "the reason is logged above");
		kgd_api_conn_free(&as->conn);
		free(as);
		return err;
	}
	kgd_api_opts_init(&opts);
	opts.ns = c->ns;
	opts.log = on_log;
	opts.log_data = (void *)log;
	err = kgd_api_open(&as->api, &as->conn, &opts);
	if (err) {
		snprintf(why, whylen, "API client: %s", strerror(-err));
		kgd_api_conn_free(&as->conn);
		free(as);
		return err;
	}
	kgd_log(log, LOG_INFO, "following the API server at %s%s%s",
		as->conn.server, c->ns ? ", namespace " : "",
		c->ns ? c->ns : "");
	*out = &as->src;
	return 0;
}

struct kgd_api *kgd_api_source_client(struct kgd_source *src)
{
	return src && src->ops == &api_ops ? of(src)->api : NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Incremental translation: one EndpointSlice changed, one Service
 * translated again.  The catalogue follows the manifests' objects across
 * loads; a change names the objects that differ (a file of 100 slices
 * rewritten for one of them names that one); the Services they are for
 * are translated from a small document set of each Service and its
 * endpoints, and compared with the services last applied.
 *
 * Why that is the same as translating everything: a Service's kgate
 * services come from the Service and the slices and Endpoints for it
 * alone (service.c reads nothing else), and its frontends from the
 * Service alone, so no other Service's, and no check across Services
 * (two Services claiming one frontend), can change when only endpoints
 * did; Ingresses and routes name Services by their ports, not their
 * endpoints.  Whatever does not fit that (another kind, a slice without
 * a Service, a message to report) is left to the whole translation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "doc.h"

#define SLICE_LABEL	"kubernetes.io/service-name"
#define FIRST_BUCKETS	1024

/* One object. */
struct ent {
	struct ent *next;	/* in its bucket of objects, by key */
	struct ent *next_ep;	/* in its bucket of endpoints, by svc */
	char *key;		/* group, kind, namespace, name */
	char *svc;		/* endpoints: "NS/NAME" of their Service */
	struct kk_doc doc;	/* the object's node, as a document */
};

struct kk_cat {
	struct ent **objs, **eps;
	size_t nb, n;
	bool valid;
};

/* ---- keys ---------------------------------------------------------------- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static char *key_of(const char *group, const char *kind, const char *ns,
		    const char *name)
{
	char *k;

	if (asprintf(&k, "%s\n%s\n%s\n%s", group, kind, ns ? ns : "",
		     name) < 0)
		return NULL;
	return k;
}

static char *obj_key(const struct kk_obj *o)
{
	char g[256];

	return key_of(kk_group(o, g, sizeof(g)), o->kind, o->ns, o->name);
}

static bool is_ep(const struct kk_obj *o)
{
	return kk_is(o, "discovery.k8s.io", "EndpointSlice") ||
	       kk_is(o, "", "Endpoints");
}

/* "NS/NAME" of the Service endpoints @o are for; NULL: none. */
static char *ep_svc(const struct kk_obj *o)
{
	const char *svc = kk_is(o, "", "Endpoints") ? o->name :
			  kk_label(o, SLICE_LABEL);
	char *s;

	if (!svc || !o->ns || asprintf(&s, "%s/%s", o->ns, svc) < 0)
		return NULL;
	return s;
}

/* ---- the catalogue ------------------------------------------------------- */

static void ent_free(struct ent *e)
{
	free(e->key);
	free(e->svc);
	free(e);
}

static void cat_clear(struct kk_cat *c)
{
	struct ent *e, *next;
	size_t i;

	for (i = 0; i < c->nb; i++)
		for (e = c->objs[i]; e; e = next) {
			next = e->next;
			ent_free(e);
		}
	free(c->objs);
	free(c->eps);
	c->objs = c->eps = NULL;
	c->nb = c->n = 0;
	c->valid = false;
}

int kk_cat_new(struct kk_cat **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void kk_cat_free(struct kk_cat *c)
{
	if (!c)
		return;
	cat_clear(c);
	free(c);
}

void kk_cat_invalidate(struct kk_cat *c)
{
	if (c)
		cat_clear(c);
}

static void link_ent(struct ent **objs, struct ent **eps, size_t nb,
		     struct ent *e)
{
	size_t b = hash(e->key) & (nb - 1);

	e->next = objs[b];
	objs[b] = e;
	if (!e->svc)
		return;
	b = hash(e->svc) & (nb - 1);
	e->next_ep = eps[b];
	eps[b] = e;
}

/* Twice the buckets, before there are more objects than buckets. */
static int grow(struct kk_cat *c)
{
	size_t nb = c->nb ? 2 * c->nb : FIRST_BUCKETS, i;
	struct ent **objs = calloc(nb, sizeof(*objs));
	struct ent **eps = calloc(nb, sizeof(*eps));
	struct ent *e, *next;

	if (!objs || !eps) {
		free(objs);
		free(eps);
		return -ENOMEM;
	}
	for (i = 0; i < c->nb; i++)
		for (e = c->objs[i]; e; e = next) {
			next = e->next;
			link_ent(objs, eps, nb, e);
		}
	free(c->objs);
	free(c->eps);
	c->objs = objs;
	c->eps = eps;
	c->nb = nb;
	return 0;
}

static struct ent *find(const struct kk_cat *c, const char *key)
{
	struct ent *e;

	if (!c->nb)
		return NULL;
	for (e = c->objs[hash(key) & (c->nb - 1)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/* @o into @c: -EEXIST when its key is taken (a duplicate). */
static int cat_add(struct kk_cat *c, const struct kk_obj *o)
{
	struct ent *e;
	int err;

	if (c->n >= c->nb && grow(c))
		return -ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->key = obj_key(o);
	e->svc = is_ep(o) ? ep_svc(o) : NULL;
	e->doc = (struct kk_doc){ o->root, o->doc->file, o->doc->index };
	if (!e->key || (is_ep(o) && !e->svc)) {
		/* a slice without its label has no Service: not ours here */
		err = e->key ? -EAGAIN : -ENOMEM;
		ent_free(e);
		return err;
	}
	if (find(c, e->key)) {
		ent_free(e);
		return -EEXIST;
	}
	link_ent(c->objs, c->eps, c->nb, e);
	c->n++;
	return 0;
}

static void unlink_from(struct ent **head, struct ent *e, bool ep)
{
	struct ent **pp;

	for (pp = head; *pp; pp = ep ? &(*pp)->next_ep : &(*pp)->next)
		if (*pp == e) {
			*pp = ep ? e->next_ep : e->next;
			return;
		}
}

/* The entry of @o, the very node (not another object of its key). */
static struct ent *find_obj(const struct kk_cat *c, const struct kk_obj *o,
			    int *err)
{
	char *key = obj_key(o);
	struct ent *e;

	if (!key) {
		*err = -ENOMEM;
		return NULL;
	}
	e = find(c, key);
	free(key);
	*err = e && e->doc.root == o->root ? 0 : -EAGAIN;
	return *err ? NULL : e;
}

static int cat_del(struct kk_cat *c, const struct kk_obj *o)
{
	int err;
	struct ent *e = find_obj(c, o, &err);

	if (!e)
		return err;
	unlink_from(&c->objs[hash(e->key) & (c->nb - 1)], e, false);
	if (e->svc)
		unlink_from(&c->eps[hash(e->svc) & (c->nb - 1)], e, true);
	ent_free(e);
	c->n--;
	return 0;
}

/* Unchanged @was, now at @now (the old documents are about to go). */
static int cat_move(struct kk_cat *c, const struct kk_obj *was,
		    const struct kk_obj *now)
{
	int err;
	struct ent *e = find_obj(c, was, &err);

	if (!e)
		return err;
	e->doc = (struct kk_doc){ now->root, now->doc->file, now->doc->index };
	return 0;
}

int kk_cat_reset(struct kk_cat *c, const struct kk_docs *docs)
{
	struct kk_index ix;
	struct kk_diag d;
	size_t i;
	int err;

	cat_clear(c);
	kk_diag_init(&d);
	err = kk_index_build(&ix, docs, &d);
	if (!err && d.errors)
		err = -EINVAL;
	for (i = 0; !err && i < ix.n; i++) {
		/* endpoints without a Service are still objects of the set */
		err = cat_add(c, &ix.v[i]);
		if (err == -EAGAIN)
			err = 0;
	}
	kk_index_free(&ix);
	kk_diag_free(&d);
	if (err) {
		cat_clear(c);
		return err == -ENOMEM ? err : -EINVAL;
	}
	c->valid = true;
	return 0;
}

/* ---- what changed -------------------------------------------------------- */

static int add_svc(struct kk_delta *dl, char *svc)
{
	char **v = realloc(dl->svcs, (dl->n_svcs + 1) * sizeof(*v));

	if (!v) {
		free(svc);
		return -ENOMEM;
	}
	dl->svcs = v;
	v[dl->n_svcs++] = svc;
	return 0;
}

/* @o was added, modified or removed: its Service is translated again. */
static int changed(struct kk_delta *dl, const struct kk_obj *o)
{
	char *svc;

	if (!is_ep(o))
		return -EAGAIN;
	svc = ep_svc(o);
	if (!svc)
		return -EAGAIN;
	return add_svc(dl, svc);
}

static const struct kk_obj *same_key(const struct kk_index *ix,
				     const struct kk_obj *o)
{
	char g[256];

	if (!ix->n)
		return NULL;
	return kk_find(ix, kk_group(o, g, sizeof(g)), o->kind, o->ns,
		       o->name);
}

/* The objects of @was that @now lacks or has otherwise. */
static int take_old(struct kk_cat *c, struct kk_delta *dl,
		    const struct kk_index *was, const struct kk_index *now)
{
	const struct kk_obj *o, *m;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < was->n; i++) {
		o = &was->v[i];
		m = same_key(now, o);
		if (m && kk_node_same(o->root, m->root))
			err = cat_move(c, o, m);
		else if (!(err = changed(dl, o)))
			err = cat_del(c, o);
	}
	return err;
}

/* The objects of @now that @was lacks or had otherwise. */
static int take_new(struct kk_cat *c, struct kk_delta *dl,
		    const struct kk_index *was, const struct kk_index *now)
{
	const struct kk_obj *o, *m;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < now->n; i++) {
		o = &now->v[i];
		m = same_key(was, o);
		if (m && kk_node_same(o->root, m->root))
			continue;	/* moved by take_old() */
		err = changed(dl, o);
		if (!err)
			err = cat_add(c, o);
		if (err == -EEXIST)
			err = -EAGAIN;	/* a duplicate: the whole set says so */
	}
	return err;
}

static int index_of(struct kk_index *ix, const struct kk_docs *docs)
{
	struct kk_diag d;
	int err;

	memset(ix, 0, sizeof(*ix));
	if (!docs)
		return 0;
	kk_diag_init(&d);
	err = kk_index_build(ix, docs, &d);
	if (!err && d.errors)
		err = -EINVAL;
	kk_diag_free(&d);
	return err == -EINVAL ? -EAGAIN : err;
}

static int cmp_root(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(const struct kk_doc *const *)a)->root;
	uintptr_t y = (uintptr_t)(*(const struct kk_doc *const *)b)->root;

	return x < y ? -1 : x > y;
}

static bool same_doc(const struct kk_doc *a, const struct kk_doc *b)
{
	return a->root == b->root && a->index == b->index &&
	       (a->file == b->file || !strcmp(a->file, b->file));
}

/*
 * The documents of @ch without those on both sides, the very nodes at
 * the same place: a file read again keeps the documents of its parts
 * that did not change, and the catalogue has them already.  @old and
 * @now are views.
 */
static int drop_kept(const struct kk_change *ch, struct kk_docs *old,
		     struct kk_docs *now)
{
	size_t n = ch->old ? ch->old->n : 0, i;
	const struct kk_doc **by_root, *d, **m;
	bool *kept;
	int err = 0;

	kk_docs_init(old);
	kk_docs_init(now);
	by_root = malloc((n + 1) * sizeof(*by_root));
	kept = calloc(n + 1, sizeof(*kept));
	if (!by_root || !kept)
		err = -ENOMEM;
	for (i = 0; !err && i < n; i++)
		by_root[i] = &ch->old->v[i];
	if (!err && n)
		qsort(by_root, n, sizeof(*by_root), cmp_root);
	for (i = 0; !err && ch->now && i < ch->now->n; i++) {
		d = &ch->now->v[i];
		m = n ? bsearch(&d, by_root, n, sizeof(*by_root),
				cmp_root) : NULL;
		if (m && same_doc(*m, d))
			kept[*m - ch->old->v] = true;
		else
			err = kk_docs_add(now, d->root, d->file, d->index);
	}
	for (i = 0; !err && i < n; i++)
		if (!kept[i])
			err = kk_docs_add(old, ch->old->v[i].root,
					  ch->old->v[i].file,
					  ch->old->v[i].index);
	free(by_root);
	free(kept);
	return err;
}

static int take_change(struct kk_cat *c, struct kk_delta *dl,
		       const struct kk_change *ch)
{
	struct kk_docs old, now_docs;
	struct kk_index was, now;
	int err = drop_kept(ch, &old, &now_docs);

	if (!err)
		err = index_of(&was, ch->old ? &old : NULL);
	else
		memset(&was, 0, sizeof(was));
	if (!err)
		err = index_of(&now, ch->now ? &now_docs : NULL);
	else
		memset(&now, 0, sizeof(now));
	if (!err)
		err = take_old(c, dl, &was, &now);
	if (!err)
		err = take_new(c, dl, &was, &now);
	kk_index_free(&was);
	kk_index_free(&now);
	kk_docs_free(&old);	/* views: the nodes are the change's */
	kk_docs_free(&now_docs);
	return err;
}

/* ---- translating one Service --------------------------------------------- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void uniq_svcs(struct kk_delta *dl)
{
	size_t i, n = 0;

	if (dl->n_svcs)
		qsort(dl->svcs, dl->n_svcs, sizeof(*dl->svcs), cmp_strp);
	for (i = 0; i < dl->n_svcs; i++) {
		if (n && !strcmp(dl->svcs[n - 1], dl->svcs[i]))
			free(dl->svcs[i]);
		else
			dl->svcs[n++] = dl->svcs[i];
	}
	dl->n_svcs = n;
}

/* The Service "NS/NAME" @svc and its endpoints as documents. */
static int svc_docs(const struct kk_cat *c, const char *svc,
		    struct kk_docs *docs)
{
	const char *slash = strchr(svc, '/');
	struct ent *s, *e;
	char ns[256], *key;
	int err;

	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - svc), svc);
	key = key_of("", "Service", ns, slash + 1);
	if (!key)
		return -ENOMEM;
	s = find(c, key);
	free(key);
	if (!s)
		return -EAGAIN;	/* endpoints of no Service: noted by the set */
	err = kk_docs_add(docs, s->doc.root, s->doc.file, s->doc.index);
	for (e = c->eps[hash(svc) & (c->nb - 1)]; !err && e; e = e->next_ep)
		if (!strcmp(e->svc, svc))
			err = kk_docs_add(docs, e->doc.root, e->doc.file,
					  e->doc.index);
	return err;
}

/* @from's services onto the end of @to, marked as kgated's. */
static int take_services(struct kgate_state *to, struct kgate_state *from)
{
	struct kgate_service *v;
	size_t i;

	for (i = 0; i < from->n_svcs; i++)
		if (kgate_service_set_owner(&from->svcs[i], KK_OWNER))
			return -ENOMEM;
	v = realloc(to->svcs, (to->n_svcs + from->n_svcs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v + to->n_svcs, from->svcs, from->n_svcs * sizeof(*v));
	to->svcs = v;
	to->n_svcs += from->n_svcs;
	free(from->svcs);
	from->svcs = NULL;
	from->n_svcs = 0;
	return 0;
}

static int translate_svc(const struct kk_cat *c, const char *svc,
			 const struct kk_config *cfg, struct kgate_state *out)
{
	struct kgate_state st;
	struct kk_index ix;
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	kgate_state_init(&st);
	memset(&ix, 0, sizeof(ix));
	err = svc_docs(c, svc, &docs);
	if (!err)
		err = kk_index_build(&ix, &docs, &d);
	if (!err)
		err = kk_translate_services(&ix, cfg, &st, &d);
	/* a message belongs with the whole set's (and errors stop it) */
	if (err == -EINVAL || (!err && d.n))
		err = -EAGAIN;
	if (!err)
		err = take_services(out, &st);
	kgate_state_free(&st);
	kk_index_free(&ix);
	kk_diag_free(&d);
	kk_docs_free(&docs);	/* a view: the nodes are the catalogue's */
	return err;
}

int kk_delta_build(struct kk_cat *c, const struct kk_change *ch, size_t n,
		   const struct kk_config *cfg, struct kk_delta *out)
{
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	kgate_state_init(&out->want);
	kgate_state_init(&out->have);
	if (!c->valid)
		return -EAGAIN;
	for (i = 0; !err && i < n; i++)
		err = take_change(c, out, &ch[i]);
	if (err) {
		cat_clear(c);
		return err;
	}
	uniq_svcs(out);
	for (i = 0; !err && i < out->n_svcs; i++)
		err = translate_svc(c, out->svcs[i], cfg, &out->want);
	if (!err)
		err = kgate_state_normalise(&out->want);
	if (err)
		cat_clear(c);
	return err;
}

/* ---- against what was applied -------------------------------------------- */

/* The first service of @st named @prefix..., or st->n_svcs. */
static size_t lower_bound(const struct kgate_state *st, const char *prefix)
{
	size_t lo = 0, hi = st->n_svcs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(st->svcs[mid].name ? st->svcs[mid].name : "",
			   prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int have_add(struct kk_delta *dl, const struct kgate_state *applied,
		    size_t at)
{
	size_t n = dl->have.n_svcs + 1;
	struct kgate_service *v = realloc(dl->have.svcs, n * sizeof(*v));
	size_t *a = realloc(dl->have_at, n * sizeof(*a));

	if (v)
		dl->have.svcs = v;
	if (a)
		dl->have_at = a;
	if (!v || !a)
		return -ENOMEM;
	v[n - 1] = applied->svcs[at];
	a[n - 1] = at;
	dl->have.n_svcs = n;
	return 0;
}

static int cmp_svc_name(const void *a, const void *b)
{
	const struct kgate_service *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* The applied services of Service @svc: "NS/NAME:PORT[/PROTO]". */
static int have_svc(struct kk_delta *dl, const struct kgate_state *applied,
		    const char *svc)
{
	char prefix[KGATE_NAME_MAX + 2];
	size_t len, i;
	int err = 0;

	len = (size_t)snprintf(prefix, sizeof(prefix), "%s:", svc);
	for (i = lower_bound(applied, prefix); !err && i < applied->n_svcs &&
	     !strncmp(applied->svcs[i].name, prefix, len); i++)
		err = have_add(dl, applied, i);
	return err;
}

int kk_delta_diff(const struct kgate_state *applied, struct kk_delta *dl,
		  struct kgate_op **ops, size_t *n)
{
	size_t i;
	int err = 0;

	*ops = NULL;
	*n = 0;
	for (i = 0; !err && i < dl->n_svcs; i++)
		err = have_svc(dl, applied, dl->svcs[i]);
	if (err)
		return err;
	/* "a/b:" sorts after "a/b-c:", though "a/b" sorts before "a/b-c" */
	if (dl->have.n_svcs)
		qsort(dl->have.svcs, dl->have.n_svcs, sizeof(*dl->have.svcs),
		      cmp_svc_name);
	return kgate_diff(&dl->want, &dl->have, kk_owned, NULL, ops, n);
}

/* The applied service named exactly @name, or applied->n_svcs. */
static size_t find_svc(const struct kgate_state *applied, const char *name)
{
	size_t at = lower_bound(applied, name);

	return at < applied->n_svcs && !strcmp(applied->svcs[at].name, name) ?
	       at : applied->n_svcs;
}

/*
 * When the services wanted are those applied by the same names (a slice
 * changed, not a port), each takes its namesake's place: no copy of the
 * whole array, which at 10k Services was most of a delta's cost.  False
 * when the names differ: the merge then.
 */
static bool commit_in_place(struct kgate_state *applied, struct kk_delta *dl)
{
	size_t i, j, at;

	if (dl->want.n_svcs != dl->have.n_svcs)
		return false;
	for (i = 0; i < dl->want.n_svcs; i++) {
		at = find_svc(applied, dl->want.svcs[i].name);
		for (j = 0; j < dl->have.n_svcs && dl->have_at[j] != at; j++)
			;
		if (j == dl->have.n_svcs)
			return false;
	}
	for (i = 0; i < dl->want.n_svcs; i++) {
		at = find_svc(applied, dl->want.svcs[i].name);
		kgate_service_free(&applied->svcs[at]);
		applied->svcs[at] = dl->want.svcs[i];
	}
	dl->want.n_svcs = 0;	/* applied's now */
	dl->have.n_svcs = 0;	/* freed above */
	return true;
}

int kk_delta_commit(struct kgate_state *applied, struct kk_delta *dl)
{
	size_t n = applied->n_svcs - dl->have.n_svcs + dl->want.n_svcs;
	struct kgate_service *v;
	bool *drop;
	size_t i, j = 0, k = 0;

	if (commit_in_place(applied, dl))
		return 0;
	v = malloc((n + 1) * sizeof(*v));
	drop = calloc(applied->n_svcs + 1, sizeof(*drop));
	if (!v || !drop) {
		free(v);
		free(drop);
		return -ENOMEM;
	}
	for (i = 0; i < dl->have.n_svcs; i++)
		drop[dl->have_at[i]] = true;
	for (i = 0; i < applied->n_svcs; i++) {
		if (drop[i]) {
			kgate_service_free(&applied->svcs[i]);
			continue;
		}
		while (j < dl->want.n_svcs &&
		       cmp_svc_name(&dl->want.svcs[j], &applied->svcs[i]) < 0)
			v[k++] = dl->want.svcs[j++];
		v[k++] = applied->svcs[i];
	}
	while (j < dl->want.n_svcs)
		v[k++] = dl->want.svcs[j++];
	free(drop);
	free(applied->svcs);
	applied->svcs = v;
	applied->n_svcs = k;
	dl->want.n_svcs = 0;	/* applied's now */
	dl->have.n_svcs = 0;	/* freed above */
	return 0;
}

void kk_delta_free(struct kk_delta *dl)
{
	size_t i;

	for (i = 0; i < dl->n_svcs; i++)
		free(dl->svcs[i]);
	free(dl->svcs);
	kgate_state_free(&dl->want);
	/* shallow copies of the applied services: only the array */
	free(dl->have.svcs);
	free(dl->have_at);
	memset(dl, 0, sizeof(*dl));
}

/* ---- comparing trees ----------------------------------------------------- */

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool kk_node_same(const struct kk_node *a, const struct kk_node *b)
{
	size_t i;

	if (a == b)
		return true;	/* one tree: a document kept, not re-read */
	if (!a || !b)
		return false;
	if (a->type != b->type || !same_text(a->text, b->text))
		return false;
	if (a->type == KK_SEQ) {
		if (a->seq.n != b->seq.n)
			return false;
		for (i = 0; i < a->seq.n; i++)
			if (!kk_node_same(a->seq.v[i], b->seq.v[i]))
				return false;
	} else if (a->type == KK_MAP) {
		if (a->map.n != b->map.n)
			return false;
		for (i = 0; i < a->map.n; i++)
			if (strcmp(a->map.v[i].key, b->map.v[i].key) ||
			    !kk_node_same(a->map.v[i].value,
					  b->map.v[i].value))
				return false;
	}
	return true;
}

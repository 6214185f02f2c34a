// SPDX-License-Identifier: GPL-2.0
/*
 * The object index: every object of every document with its metadata,
 * kept in load order for translating and sorted by (group, kind,
 * namespace, name) for finding objects and duplicates in O(log n).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kk.h"

/* Kinds without a namespace, among those kgate reads. */
static bool cluster_scoped(const char *kind)
{
	return !strcmp(kind, "IngressClass") || !strcmp(kind, "GatewayClass") ||
	       !strcmp(kind, "Namespace") || !strcmp(kind, "Node");
}

static size_t group_len(const char *api_version)
{
	const char *slash = strchr(api_version, '/');

	return slash ? (size_t)(slash - api_version) : 0;
}

const char *kk_group(const struct kk_obj *o, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)group_len(o->api_version),
		 o->api_version);
	return buf;
}

bool kk_is(const struct kk_obj *o, const char *group, const char *kind)
{
	size_t g = group_len(o->api_version);

	return !strcmp(o->kind, kind) && strlen(group) == g &&
	       !strncmp(o->api_version, group, g);
}

static int cmp_key(const char *ga, size_t gla, const char *ka,
		   const char *na, const char *ma, const struct kk_obj *b)
{
	size_t glb = group_len(b->api_version);
	int c;

	c = memcmp(ga, b->api_version, gla < glb ? gla : glb);
	if (!c && gla != glb)
		c = gla < glb ? -1 : 1;
	if (!c)
		c = strcmp(ka, b->kind);
	if (!c)
		c = strcmp(na ? na : "", b->ns ? b->ns : "");
	if (!c)
		c = strcmp(ma, b->name);
	return c;
}

static int cmp_objs(const void *pa, const void *pb)
{
	const struct kk_obj *a = *(const struct kk_obj *const *)pa;
	const struct kk_obj *b = *(const struct kk_obj *const *)pb;

	return cmp_key(a->api_version, group_len(a->api_version), a->kind,
		       a->ns, a->name, b);
}

const struct kk_obj *kk_find(const struct kk_index *ix, const char *group,
			     const char *kind, const char *ns,
			     const char *name)
{
	size_t lo = 0, hi = ix->n, gl = strlen(group);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(group, gl, kind, ns, name, ix->sorted[mid]);

		if (!c)
			return ix->sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const char *meta_str(const struct kk_obj *o, const char *map,
			    const char *key)
{
	const struct kk_node *n = kk_get(kk_get(o->metadata, map), key);

	return n && n->type != KK_NULL && n->type != KK_SEQ &&
	       n->type != KK_MAP ? n->text : NULL;
}

const char *kk_label(const struct kk_obj *o, const char *key)
{
	return meta_str(o, "labels", key);
}

const char *kk_annotation(const struct kk_obj *o, const char *key)
{
	return meta_str(o, "annotations", key);
}

/* ---- building ----------------------------------------------------------- */

struct builder {
	struct kk_index *ix;
	size_t cap;
	struct kk_diag *d;
};

/* A document's position and a label for messages before it is an object. */
static void doc_error(struct kk_diag *d, const struct kk_node *n,
		      const char *field, const char *why)
{
	kk_diag_add(d, KK_ERROR, &n->pos, NULL, field, "%s", why);
}

static const char *need_meta(struct kk_diag *d, const struct kk_node *root,
			     const struct kk_node *n, const char *field)
{
	if (!n || n->type == KK_NULL) {
		doc_error(d, root, field, "missing");
		return NULL;
	}
	if (n->type != KK_STR || !*n->s) {
		kk_diag_add(d, KK_ERROR, &n->pos, NULL, field,
			    n->type == KK_STR ? "empty" : "expected a string, got %s",
			    kk_type_name(n->type));
		return NULL;
	}
	return n->s;
}

static int add_obj(struct builder *b, const struct kk_node *root,
		   const struct kk_doc *doc);

/* A List's items, each an object of its own. */
static int add_list(struct builder *b, const struct kk_node *root,
		    const struct kk_node *items, const struct kk_doc *doc)
{
	size_t i;
	int err = 0, r;

	if (items->type != KK_SEQ) {
		kk_diag_add(b->d, KK_ERROR, &items->pos, NULL, "items",
			    "expected a list, got %s",
			    kk_type_name(items->type));
		return -EINVAL;
	}
	(void)root;
	for (i = 0; i < items->seq.n; i++) {
		r = add_obj(b, items->seq.v[i], doc);
		if (r == -ENOMEM)
			return r;
		if (r)
			err = r;
	}
	return err;
}

static int add_obj(struct builder *b, const struct kk_node *root,
		   const struct kk_doc *doc)
{
	const char *api, *kind, *name, *ns = NULL;
	const struct kk_node *meta, *items;
	struct kk_obj *o;
	size_t kl;

	if (root->type != KK_MAP) {
		kk_diag_add(b->d, KK_ERROR, &root->pos, NULL, NULL,
			    "a manifest is a map, not %s",
			    kk_type_name(root->type));
		return -EINVAL;
	}
	api = need_meta(b->d, root, kk_get(root, "apiVersion"), "apiVersion");
	kind = need_meta(b->d, root, kk_get(root, "kind"), "kind");
	if (!api || !kind)
		return -EINVAL;
	kl = strlen(kind);
	items = kk_get(root, "items");
	if (kl >= 4 && !strcmp(kind + kl - 4, "List") && items)
		return add_list(b, root, items, doc);
	meta = kk_get(root, "metadata");
	if (!meta || meta->type != KK_MAP) {
		doc_error(b->d, meta ? meta : root, "metadata",
			  meta ? "expected a map" : "missing");
		return -EINVAL;
	}
	name = need_meta(b->d, root, kk_get(meta, "name"), "metadata.name");
	if (!name)
		return -EINVAL;
	if (!cluster_scoped(kind)) {
		const struct kk_node *n = kk_get(meta, "namespace");

		ns = "default";
		if (n && n->type != KK_NULL) {
			ns = need_meta(b->d, root, n, "metadata.namespace");
			if (!ns)
				return -EINVAL;
		}
	}
	if (b->ix->n == b->cap) {
		size_t ncap = b->cap ? 2 * b->cap : 64;
		struct kk_obj *v = realloc(b->ix->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->ix->v = v;
		b->cap = ncap;
	}
	o = &b->ix->v[b->ix->n];
	*o = (struct kk_obj){ api, kind, ns, name, NULL, root, meta,
			      kk_get(root, "spec"), kk_get(root, "status"),
			      doc };
	if (asprintf(&o->label, ns ? "%s %s/%s" : "%s %s%s", kind,
		     ns ? ns : "", name) < 0)
		return -ENOMEM;
	b->ix->n++;
	return 0;
}

static int find_duplicates(struct kk_index *ix, struct kk_diag *d)
{
	size_t i;
	int err = 0;

	ix->sorted = malloc((ix->n ? ix->n : 1) * sizeof(*ix->sorted));
	if (!ix->sorted)
		return -ENOMEM;
	for (i = 0; i < ix->n; i++)
		ix->sorted[i] = &ix->v[i];
	qsort(ix->sorted, ix->n, sizeof(*ix->sorted), cmp_objs);
	for (i = 1; i < ix->n; i++) {
		const struct kk_obj *a = ix->sorted[i - 1], *b = ix->sorted[i];

		if (cmp_objs(&ix->sorted[i - 1], &ix->sorted[i]))
			continue;
		/* Report the later one in load order, naming the first. */
		if (a > b) {
			const struct kk_obj *t = a;

			a = b;
			b = t;
		}
		if (a->root->pos.line)
			kk_error(d, b, NULL, NULL, "duplicate of the one at "
				 "%s:%u:%u", a->root->pos.file,
				 a->root->pos.line, a->root->pos.col);
		else
			kk_error(d, b, NULL, NULL, "duplicate of the one in %s",
				 a->root->pos.file);
		err = -EINVAL;
	}
	return err;
}

int kk_index_build(struct kk_index *ix, const struct kk_docs *docs,
		   struct kk_diag *d)
{
	struct builder b = { ix, 0, d };
	int err = 0, r;
	size_t i;

	memset(ix, 0, sizeof(*ix));
	for (i = 0; i < docs->n; i++) {
		r = add_obj(&b, docs->v[i].root, &docs->v[i]);
		if (r == -ENOMEM)
			return r;
		if (r)
			err = r;
	}
	r = find_duplicates(ix, d);
	return r ? r : err;
}

void kk_index_free(struct kk_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		free(ix->v[i].label);
	free(ix->v);
	free(ix->sorted);
	memset(ix, 0, sizeof(*ix));
}

/* ---- typed readers ------------------------------------------------------ */

static bool absent(const struct kk_node *n)
{
	return !n || n->type == KK_NULL;
}

static void wrong_type(struct kk_diag *d, const struct kk_obj *o,
		       const struct kk_node *n, const char *field,
		       const char *want)
{
	kk_error(d, o, n, field, "expected %s, got %s", want,
		 kk_type_name(n->type));
}

bool kk_str(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field, const char **out)
{
	if (absent(n))
		return false;
	if (n->type != KK_STR) {
		wrong_type(d, o, n, field, "a string");
		return false;
	}
	*out = n->s;
	return true;
}

bool kk_need_str(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *n, const char *field, const char **out)
{
	if (absent(n)) {
		kk_error(d, o, n, field, "missing");
		return false;
	}
	return kk_str(d, o, n, field, out);
}

bool kk_int(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field, int64_t min, int64_t max, int64_t *out)
{
	if (absent(n))
		return false;
	if (n->type != KK_INT) {
		wrong_type(d, o, n, field, "an integer");
		return false;
	}
	if (n->i < min || n->i > max) {
		kk_error(d, o, n, field, "%lld out of range %lld..%lld",
			 (long long)n->i, (long long)min, (long long)max);
		return false;
	}
	*out = n->i;
	return true;
}

bool kk_need_int(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *n, const char *field, int64_t min,
		 int64_t max, int64_t *out)
{
	if (absent(n)) {
		kk_error(d, o, n, field, "missing");
		return false;
	}
	return kk_int(d, o, n, field, min, max, out);
}

bool kk_bool(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	     const char *field, bool *out)
{
	if (absent(n))
		return false;
	if (n->type != KK_BOOL) {
		wrong_type(d, o, n, field, "true or false");
		return false;
	}
	*out = n->b;
	return true;
}

bool kk_seq(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field)
{
	if (absent(n))
		return false;
	if (n->type != KK_SEQ) {
		wrong_type(d, o, n, field, "a list");
		return false;
	}
	return true;
}

bool kk_map(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field)
{
	if (absent(n))
		return false;
	if (n->type != KK_MAP) {
		wrong_type(d, o, n, field, "a map");
		return false;
	}
	return true;
}

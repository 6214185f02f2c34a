// SPDX-License-Identifier: GPL-2.0
/*
 * The store of the API client: per kind, the objects by namespace and
 * name as JSON text, in a sorted array (lookups by binary search; a
 * cluster of some thousands of objects moves a few pointers per event).
 * Text rather than json_t because it is what libkgate-k8s loads, and it
 * compares cheaply when a relist brings the same objects back.
 *
 * Beside it, the log of what changed: the names of the objects a watch
 * put or deleted, so that the consumer re-reads those alone.  It is
 * bounded; past the bound, or after a relist, it says "everything".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apiint.h"

static int cmp_key(const struct kgd_obj *o, const char *ns, const char *name)
{
	int c = strcmp(o->ns, ns);

	return c ? c : strcmp(o->name, name);
}

/* The index of @ns/@name, or where it would go (*@found false). */
static size_t locate(const struct kgd_objset *s, const char *ns,
		     const char *name, bool *found)
{
	size_t lo = 0, hi = s->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(&s->v[mid], ns, name);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct kgd_obj *kgd_objset_find(const struct kgd_objset *s,
				      const char *ns, const char *name)
{
	bool found;
	size_t i = locate(s, ns, name, &found);

	return found ? &s->v[i] : NULL;
}

int kgd_objset_put(struct kgd_objset *s, const char *ns, const char *name,
		   char *text, uint64_t seq)
{
	struct kgd_obj *o;
	bool found;
	size_t i = locate(s, ns, name, &found);

	if (found) {
		o = &s->v[i];
		if (!strcmp(o->text, text)) {
			free(text);
			return 0;
		}
		free(o->text);
		o->text = text;
		o->seq = seq;
		return 1;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct kgd_obj *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			goto nomem;
		s->v = v;
		s->cap = cap;
	}
	o = &s->v[i];
	memmove(o + 1, o, (s->n - i) * sizeof(*o));
	o->ns = strdup(ns);
	o->name = strdup(name);
	o->text = text;
	o->seq = seq;
	s->n++;
	if (!o->ns || !o->name) {
		o->text = NULL;
		kgd_objset_del(s, ns, name);
		goto nomem;
	}
	return 1;
nomem:
	free(text);
	return -ENOMEM;
}

int kgd_objset_del(struct kgd_objset *s, const char *ns, const char *name)
{
	bool found;
	size_t i;

	/* The entry being undone by put() may lack its copies. */
	for (i = 0; i < s->n; i++)
		if (!s->v[i].ns || !s->v[i].name)
			break;
	if (i == s->n)
		i = locate(s, ns, name, &found);
	else
		found = true;
	if (!found)
		return 0;
	free(s->v[i].ns);
	free(s->v[i].name);
	free(s->v[i].text);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(s->v[i]));
	s->n--;
	return 1;
}

void kgd_objset_free(struct kgd_objset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].ns);
		free(s->v[i].name);
		free(s->v[i].text);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool kgd_objset_equal(const struct kgd_objset *a, const struct kgd_objset *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (cmp_key(&a->v[i], b->v[i].ns, b->v[i].name) ||
		    strcmp(a->v[i].text, b->v[i].text))
			return false;
	return true;
}

/* ---- the log of changes ---------------------------------------------- */

static void log_free(struct kgd_changelog *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].ns);
		free(l->v[i].name);
	}
	l->n = 0;
}

void kgd_changelog_all(struct kgd_changelog *l)
{
	log_free(l);
	l->all = true;
}

void kgd_changelog_add(struct kgd_changelog *l, enum kgd_api_kind k,
		       const char *ns, const char *name)
{
	struct kgd_api_ref *r;

	if (l->all)
		return;
	if (l->n == KGD_API_LOG_MAX) {
		kgd_changelog_all(l);
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;

		r = realloc(l->v, cap * sizeof(*r));
		if (!r) {
			kgd_changelog_all(l);
			return;
		}
		l->v = r;
		l->cap = cap;
	}
	r = &l->v[l->n];
	r->kind = k;
	r->ns = strdup(ns);
	r->name = strdup(name);
	if (!r->ns || !r->name) {
		free(r->ns);
		free(r->name);
		kgd_changelog_all(l);
		return;
	}
	l->n++;
}

void kgd_changelog_clear(struct kgd_changelog *l)
{
	log_free(l);
	l->all = false;
	/* a burst's array is not kept for ever */
	if (l->cap > 64) {
		free(l->v);
		l->v = NULL;
		l->cap = 0;
	}
}

// SPDX-License-Identifier: GPL-2.0
/* Diagnostics: what is wrong, or skipped, and where. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kk.h"

void kk_diag_init(struct kk_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void kk_diag_free(struct kk_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].object);
		free(d->v[i].field);
		free(d->v[i].text);
	}
	free(d->v);
	kk_diag_init(d);
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		*failed = true;
	return p;
}

static void vadd(struct kk_diag *d, enum kk_sev sev, const struct kk_pos *pos,
		 const char *object, const char *field, const char *fmt,
		 va_list ap)
{
	struct kk_msg m = { .sev = sev };
	bool failed = false;

	if (sev == KK_ERROR)
		d->errors++;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 16;
		struct kk_msg *v = realloc(d->v, ncap * sizeof(*v));

		if (!v) {
			d->lost++;
			d->errors += sev != KK_ERROR;	/* untold: fail */
			return;
		}
		d->v = v;
		d->cap = ncap;
	}
	if (pos)
		m.pos = *pos;
	m.object = dup_or_null(object, &failed);
	m.field = dup_or_null(field, &failed);
	if (vasprintf(&m.text, fmt, ap) < 0) {
		m.text = NULL;
		failed = true;
	}
	if (failed) {
		free(m.object);
		free(m.field);
		free(m.text);
		d->lost++;
		d->errors += sev != KK_ERROR;
		return;
	}
	d->v[d->n++] = m;
}

void kk_diag_add(struct kk_diag *d, enum kk_sev sev, const struct kk_pos *pos,
		 const char *object, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, sev, pos, object, field, fmt, ap);
	va_end(ap);
}

static const char *const sev_names[] = {
	[KK_ERROR] = "error",
	[KK_SKIPPED] = "skipped",
	[KK_NOTE] = "note",
};

void kk_diag_print(FILE *f, const struct kk_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct kk_msg *m = &d->v[i];

		if (m->pos.file && m->pos.line)
			fprintf(f, "%s:%u:%u: ", m->pos.file, m->pos.line,
				m->pos.col);
		else if (m->pos.file)
			fprintf(f, "%s: ", m->pos.file);
		fprintf(f, "%s: ", sev_names[m->sev]);
		if (m->object)
			fprintf(f, "%s: ", m->object);
		if (m->field)
			fprintf(f, "%s: ", m->field);
		fprintf(f, "%s\n", m->text);
	}
	if (d->lost)
		fprintf(f, "error: %zu messages lost (out of memory)\n",
			d->lost);
}

/* ---- about objects ------------------------------------------------------ */

static const struct kk_pos *obj_pos(const struct kk_obj *o,
				    const struct kk_node *n)
{
	if (n)
		return &n->pos;
	return o && o->root ? &o->root->pos : NULL;
}

void kk_error(struct kk_diag *d, const struct kk_obj *o,
	      const struct kk_node *n, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, KK_ERROR, obj_pos(o, n), o ? o->label : NULL, field, fmt, ap);
	va_end(ap);
}

void kk_skipped(struct kk_diag *d, const struct kk_obj *o, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, KK_SKIPPED, obj_pos(o, NULL), o ? o->label : NULL, NULL, fmt,
	     ap);
	va_end(ap);
}

void kk_note(struct kk_diag *d, const struct kk_obj *o,
	     const struct kk_node *n, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, KK_NOTE, obj_pos(o, n), o ? o->label : NULL, field, fmt, ap);
	va_end(ap);
}

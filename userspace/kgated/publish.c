// SPDX-License-Identifier: GPL-2.0
/*
 * The status rules' results as patches of the status subresource.  Each
 * object's last patched status is remembered as a signature (the status
 * without its times): a patch goes out only when that changes, so a
 * re-translation after the MODIFIED event our own patch brings back
 * sends nothing, and lastTransitionTime stays the time of the change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

struct sig {
	char *key;		/* "Kind/NS/NAME" */
	char *text;
};

struct kgd_publish {
	struct sig *v;
	size_t n, cap;
	struct kgd_api *api;	/* during kgd_publish() */
	int err;
};

int kgd_publish_open(struct kgd_publish **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void kgd_publish_close(struct kgd_publish *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].text);
	}
	free(p->v);
	free(p);
}

static size_t sig_find(const struct kgd_publish *p, const char *key,
		       bool *found)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->v[mid].key, key);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Is @text new for @key?  Then it is remembered: 1; 0 the same; -ENOMEM. */
static int sig_take(struct kgd_publish *p, char *key, char *text)
{
	bool found;
	size_t at = sig_find(p, key, &found);
	struct sig *v;

	if (found) {
		int same = !strcmp(p->v[at].text, text);

		free(key);
		if (same) {
			free(text);
			return 0;
		}
		free(p->v[at].text);
		p->v[at].text = text;
		return 1;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			free(key);
			free(text);
			return -ENOMEM;
		}
		p->v = v;
		p->cap = cap;
	}
	memmove(&p->v[at + 1], &p->v[at], (p->n - at) * sizeof(*p->v));
	p->v[at] = (struct sig){ key, text };
	p->n++;
	return 1;
}

static char *obj_key(const struct kk_obj *o)
{
	char *key;

	if (asprintf(&key, "%s/%s/%s", o->kind, o->ns ? o->ns : "",
		     o->name) < 0)
		return NULL;
	return key;
}

static void conds_sig(FILE *f, int64_t gen, const struct kgd_api_cond *c,
		      size_t n)
{
	size_t i;

	fprintf(f, "gen=%lld", (long long)gen);
	for (i = 0; i < n; i++)
		fprintf(f, ";%s=%s,%s,%s", c[i].type, c[i].status, c[i].reason,
			c[i].message ? c[i].message : "");
}

/* The signature of what @write gives: 1 when it must be sent. */
static int changed(struct kgd_publish *p, const struct kk_obj *o,
		   void (*write)(FILE *f, const void *arg), const void *arg)
{
	char *text = NULL, *key = obj_key(o);
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!key || !f) {
		if (f)
			fclose(f);
		free(text);
		free(key);
		return -ENOMEM;
	}
	write(f, arg);
	if (fclose(f)) {
		free(text);
		free(key);
		return -ENOMEM;
	}
	return sig_take(p, key, text);
}

/* ---- one writer per kind ---------------------------------------------- */

struct ips_arg {
	const char *const *ips;
	size_t n;
};

static void ips_sig(FILE *f, const void *arg)
{
	const struct ips_arg *a = arg;
	size_t i;

	for (i = 0; i < a->n; i++)
		fprintf(f, "%s,", a->ips[i]);
}

struct conds_arg {
	int64_t gen;
	const struct kgd_api_cond *c;
	size_t n;
};

static void conds_write(FILE *f, const void *arg)
{
	const struct conds_arg *a = arg;

	conds_sig(f, a->gen, a->c, a->n);
}

struct parents_arg {
	int64_t gen;
	const struct kgd_api_parent *p;
	size_t n;
};

static void parents_write(FILE *f, const void *arg)
{
	const struct parents_arg *a = arg;
	size_t i;

	for (i = 0; i < a->n; i++) {
		fprintf(f, "[%s/%s/%s]", a->p[i].ns, a->p[i].name,
			a->p[i].section ? a->p[i].section : "");
		conds_sig(f, a->gen, a->p[i].conds, a->p[i].n_conds);
	}
}

/* A patch refused as invalid (-EINVAL: a name the API would not have)
 * is not an error of ours to stop for. */
static int sent(int err)
{
	return err == -ENOMEM ? err : 0;
}

static int on_ingress(void *data, const struct kk_obj *o,
		      const char *const *ips, size_t n)
{
	struct kgd_publish *p = data;
	struct ips_arg a = { ips, n };
	int r = changed(p, o, ips_sig, &a);

	if (r <= 0)
		return r;
	return sent(kgd_api_patch_ingress(p->api, o->ns, o->name, ips, n));
}

static int on_gatewayclass(void *data, const struct kk_obj *o, int64_t gen,
			   const struct kgd_api_cond *c, size_t n)
{
	struct kgd_publish *p = data;
	struct conds_arg a = { gen, c, n };
	int r = changed(p, o, conds_write, &a);

	if (r <= 0)
		return r;
	return sent(kgd_api_patch_gatewayclass(p->api, o->name, gen, c, n));
}

static int on_gateway(void *data, const struct kk_obj *o, int64_t gen,
		      const struct kgd_api_cond *c, size_t n)
{
	struct kgd_publish *p = data;
	struct conds_arg a = { gen, c, n };
	int r = changed(p, o, conds_write, &a);

	if (r <= 0)
		return r;
	return sent(kgd_api_patch_gateway(p->api, o->ns, o->name, gen, c, n));
}

static int on_httproute(void *data, const struct kk_obj *o, int64_t gen,
			const struct kgd_api_parent *par, size_t n)
{
	struct kgd_publish *p = data;
	struct parents_arg a = { gen, par, n };
	int r = changed(p, o, parents_write, &a);

	if (r <= 0)
		return r;
	return sent(kgd_api_patch_httproute(p->api, o->ns, o->name, gen, par,
					    n));
}

int kgd_publish(struct kgd_publish *p, struct kgd_api *api,
		const struct kk_docs *docs, const struct kk_diag *d,
		const struct kgate_state *st, const char *const *ips,
		size_t n_ips)
{
	struct kgd_status_out out = {
		.ingress = on_ingress, .gatewayclass = on_gatewayclass,
		.gateway = on_gateway, .httproute = on_httproute, .data = p,
	};
	struct kk_diag scratch;
	struct kk_index ix;
	int err;

	/* the set was indexed once already: its messages are in @d */
	kk_diag_init(&scratch);
	err = kk_index_build(&ix, docs, &scratch);
	kk_diag_free(&scratch);
	if (err == -ENOMEM)
		return err;
	p->api = api;
	err = kgd_status_derive(&ix, d, st, ips, n_ips, &out);
	p->api = NULL;
	kk_index_free(&ix);
	return err;
}

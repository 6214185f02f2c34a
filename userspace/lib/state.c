// SPDX-License-Identifier: GPL-2.0
/* Whole configurations: reading, normalising and comparing them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgate_l7cmd.h"
#include "kgate_service.h"
#include "kgate_state.h"

void kgate_state_init(struct kgate_state *st)
{
	memset(st, 0, sizeof(*st));
}

void kgate_state_free(struct kgate_state *st)
{
	size_t i;

	for (i = 0; i < st->n_svcs; i++)
		kgate_service_free(&st->svcs[i]);
	for (i = 0; i < st->n_lis; i++)
		kgate_listener_free(&st->lis[i]);
	for (i = 0; i < st->n_rts; i++)
		kgate_route_free(&st->rts[i]);
	free(st->svcs);
	free(st->lis);
	free(st->rts);
	kgate_state_init(st);
}

int kgate_state_read(struct kgate_sock *s, struct kgate_state *st,
		     struct kgate_err *e)
{
	struct kgate_state got;
	int err;

	kgate_state_init(&got);
	err = kgate_service_dump_take(s, &got.svcs, &got.n_svcs, e);
	if (!err)
		err = kgate_listener_dump_take(s, &got.lis, &got.n_lis, e);
	if (!err)
		err = kgate_route_dump_take(s, &got.rts, &got.n_rts, e);
	if (err) {
		kgate_state_free(&got);
		return err;
	}
	kgate_state_free(st);
	*st = got;
	return 0;
}

/* ---- ordering ---------------------------------------------------------- */

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_addr(const struct kgate_addr *a, const struct kgate_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

#define CMP_NUM(x, y) do { if ((x) != (y)) return (x) < (y) ? -1 : 1; } while (0)

static int cmp_frontend(const void *pa, const void *pb)
{
	const struct kgate_frontend *a = pa, *b = pb;
	int c = cmp_addr(&a->addr, &b->addr);

	if (c)
		return c;
	CMP_NUM(a->port, b->port);
	CMP_NUM(a->proto, b->proto);
	CMP_NUM(a->kind, b->kind);
	return 0;
}

static int cmp_backend(const void *pa, const void *pb)
{
	const struct kgate_backend *a = pa, *b = pb;
	int c = cmp_addr(&a->addr, &b->addr);

	if (c)
		return c;
	CMP_NUM(a->port, b->port);
	return 0;
}

static int cmp_range(const void *pa, const void *pb)
{
	const struct kgate_range *a = pa, *b = pb;
	int c = cmp_addr(&a->addr, &b->addr);

	if (c)
		return c;
	CMP_NUM(a->plen, b->plen);
	return 0;
}

static int cmp_strp(const void *pa, const void *pb)
{
	return cmp_str(*(char *const *)pa, *(char *const *)pb);
}

static int cmp_kv(const void *pa, const void *pb)
{
	const struct kgate_kv *a = pa, *b = pb;
	int c = cmp_str(a->name, b->name);

	return c ? c : cmp_str(a->value, b->value);
}

static int cmp_svc(const void *pa, const void *pb)
{
	return cmp_str(((const struct kgate_service *)pa)->name,
		       ((const struct kgate_service *)pb)->name);
}

static int cmp_lis(const void *pa, const void *pb)
{
	return cmp_str(((const struct kgate_listener *)pa)->name,
		       ((const struct kgate_listener *)pb)->name);
}

static int cmp_rt(const void *pa, const void *pb)
{
	return cmp_str(((const struct kgate_route *)pa)->name,
		       ((const struct kgate_route *)pb)->name);
}

static void sort(void *base, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* ---- normalising ------------------------------------------------------- */

static void norm_service(struct kgate_service *svc)
{
	size_t i;

	/* The values of clear bits are the defaults already (model.h). */
	svc->has |= KGATE_SVC_HAS_SCHED | KGATE_SVC_HAS_TABLE_SIZE |
		    KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT |
		    KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY;
	svc->has &= ~KGATE_SVC_HAS_COUNTERS;
	memset(&svc->cnt, 0, sizeof(svc->cnt));
	for (i = 0; i < svc->n_backends; i++) {
		struct kgate_backend *be = &svc->backends[i];

		be->has |= KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE |
			   KGATE_BE_HAS_FLAGS;
		be->has &= ~KGATE_BE_HAS_COUNTERS;
		memset(&be->cnt, 0, sizeof(be->cnt));
	}
	sort(svc->frontends, svc->n_frontends, sizeof(*svc->frontends),
	     cmp_frontend);
	sort(svc->backends, svc->n_backends, sizeof(*svc->backends),
	     cmp_backend);
	sort(svc->ranges, svc->n_ranges, sizeof(*svc->ranges), cmp_range);
}

#define KGATE_LIM_HAS_ALL	((1U << 8) - 1)

static void norm_listener(struct kgate_listener *l)
{
	l->lim = kgate_limits_effective(&l->lim);
	l->lim.has = KGATE_LIM_HAS_ALL;
	l->has |= KGATE_LIS_HAS_MODE | KGATE_LIS_HAS_FLAGS |
		  KGATE_LIS_HAS_MAX_CONNS | KGATE_LIS_HAS_LIMITS |
		  KGATE_LIS_HAS_PORT;
	l->has &= ~KGATE_LIS_HAS_COUNTERS;
	memset(&l->cnt, 0, sizeof(l->cnt));
}

static int norm_match(struct kgate_match *m)
{
	m->has |= KGATE_MATCH_HAS_PATH_TYPE;
	if (!m->path && kgate_set_str(&m->path, "/"))
		return -ENOMEM;
	sort(m->headers.v, m->headers.n, sizeof(*m->headers.v), cmp_kv);
	sort(m->query.v, m->query.n, sizeof(*m->query.v), cmp_kv);
	return 0;
}

static int norm_route(struct kgate_route *r)
{
	size_t i, j;

	r->has |= KGATE_RT_HAS_KIND;
	r->has &= ~KGATE_RT_HAS_COUNTERS;
	memset(&r->cnt, 0, sizeof(r->cnt));
	sort(r->listeners.v, r->listeners.n, sizeof(*r->listeners.v),
	     cmp_strp);
	sort(r->hosts.v, r->hosts.n, sizeof(*r->hosts.v), cmp_strp);
	sort(r->allow, r->n_allow, sizeof(*r->allow), cmp_range);
	for (i = 0; i < r->n_rules; i++) {
		struct kgate_rule *rule = &r->rules[i];

		for (j = 0; j < rule->n_matches; j++)
			if (norm_match(&rule->matches[j]))
				return -ENOMEM;
		for (j = 0; j < rule->n_refs; j++)
			rule->refs[j].has_weight = true;
	}
	return 0;
}

int kgate_state_normalise(struct kgate_state *st)
{
	size_t i;

	for (i = 0; i < st->n_svcs; i++)
		norm_service(&st->svcs[i]);
	for (i = 0; i < st->n_lis; i++)
		norm_listener(&st->lis[i]);
	for (i = 0; i < st->n_rts; i++)
		if (norm_route(&st->rts[i]))
			return -ENOMEM;
	sort(st->svcs, st->n_svcs, sizeof(*st->svcs), cmp_svc);
	sort(st->lis, st->n_lis, sizeof(*st->lis), cmp_lis);
	sort(st->rts, st->n_rts, sizeof(*st->rts), cmp_rt);
	return 0;
}

/* ---- the difference ---------------------------------------------------- */

/* One kind of object, as kgate_diff() walks it. */
struct kind {
	enum kgate_obj_kind kind;
	uint8_t add, replace, del;
	size_t size;
	const char *(*name)(const void *obj);
	bool (*equal)(const void *a, const void *b);
	struct kgate_obj (*obj)(const void *obj);
};

static const char *svc_name(const void *o)
{
	return ((const struct kgate_service *)o)->name;
}

static bool svc_equal(const void *a, const void *b)
{
	return kgate_service_equal(a, b);
}

static struct kgate_obj svc_obj(const void *o)
{
	return (struct kgate_obj){ .kind = KGATE_OBJ_SERVICE, .svc = o };
}

static const char *lis_name(const void *o)
{
	return ((const struct kgate_listener *)o)->name;
}

static bool lis_equal(const void *a, const void *b)
{
	return kgate_listener_equal(a, b);
}

static struct kgate_obj lis_obj(const void *o)
{
	return (struct kgate_obj){ .kind = KGATE_OBJ_LISTENER, .lis = o };
}

static const char *rt_name(const void *o)
{
	return ((const struct kgate_route *)o)->name;
}

static bool rt_equal(const void *a, const void *b)
{
	return kgate_route_equal(a, b);
}

static struct kgate_obj rt_obj(const void *o)
{
	return (struct kgate_obj){ .kind = KGATE_OBJ_ROUTE, .rt = o };
}

static const struct kind svc_kind = {
	KGATE_OBJ_SERVICE, KGATE_CMD_SERVICE_ADD, KGATE_CMD_SERVICE_REPLACE,
	KGATE_CMD_SERVICE_DEL, sizeof(struct kgate_service), svc_name,
	svc_equal, svc_obj,
};

static const struct kind lis_kind = {
	KGATE_OBJ_LISTENER, KGATE_CMD_LISTENER_ADD,
	KGATE_CMD_LISTENER_REPLACE, KGATE_CMD_LISTENER_DEL,
	sizeof(struct kgate_listener), lis_name, lis_equal, lis_obj,
};

static const struct kind rt_kind = {
	KGATE_OBJ_ROUTE, KGATE_CMD_ROUTE_ADD, KGATE_CMD_ROUTE_REPLACE,
	KGATE_CMD_ROUTE_DEL, sizeof(struct kgate_route), rt_name, rt_equal,
	rt_obj,
};

struct plan {
	struct kgate_op *ops;
	size_t n, cap;
	kgate_owned_cb owned;
	void *data;
};

static int push_op(struct plan *p, uint8_t cmd, struct kgate_obj obj)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? 2 * p->cap : 16;
		struct kgate_op *n = realloc(p->ops, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->ops = n;
		p->cap = ncap;
	}
	p->ops[p->n++] = (struct kgate_op){ .cmd = cmd, .obj = obj };
	return 0;
}

/*
 * One kind over both sorted arrays: its deletions (@dels) or its additions
 * and replacements (!@dels).
 */
static int walk(struct plan *p, const struct kind *k, const void *want,
		size_t n_want, const void *have, size_t n_have, bool dels)
{
	const char *w = want, *h = have;
	size_t i = 0, j = 0;
	int c, err = 0;

	while (!err && (i < n_want || j < n_have)) {
		const void *a = w + i * k->size, *b = h + j * k->size;

		if (i == n_want)
			c = 1;
		else if (j == n_have)
			c = -1;
		else
			c = cmp_str(k->name(a), k->name(b));
		if (c < 0) {
			if (!dels)
				err = push_op(p, k->add, k->obj(a));
			i++;
		} else if (c > 0) {
			struct kgate_obj o = k->obj(b);

			if (dels && p->owned && p->owned(&o, p->data))
				err = push_op(p, k->del, o);
			j++;
		} else {
			if (!dels && !k->equal(a, b))
				err = push_op(p, k->replace, k->obj(a));
			i++;
			j++;
		}
	}
	return err;
}

int kgate_diff(const struct kgate_state *want, const struct kgate_state *have,
	       kgate_owned_cb owned, void *data, struct kgate_op **ops,
	       size_t *n)
{
	const struct {
		const struct kind *k;
		const void *want, *have;
		size_t n_want, n_have;
		bool dels;
	} steps[] = {
		{ &rt_kind, want->rts, have->rts, want->n_rts, have->n_rts,
		  true },
		{ &lis_kind, want->lis, have->lis, want->n_lis, have->n_lis,
		  true },
		{ &svc_kind, want->svcs, have->svcs, want->n_svcs,
		  have->n_svcs, true },
		{ &svc_kind, want->svcs, have->svcs, want->n_svcs,
		  have->n_svcs, false },
		{ &lis_kind, want->lis, have->lis, want->n_lis, have->n_lis,
		  false },
		{ &rt_kind, want->rts, have->rts, want->n_rts, have->n_rts,
		  false },
	};
	struct plan p = { .owned = owned, .data = data };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < sizeof(steps) / sizeof(steps[0]); i++)
		err = walk(&p, steps[i].k, steps[i].want, steps[i].n_want,
			   steps[i].have, steps[i].n_have, steps[i].dels);
	if (err) {
		free(p.ops);
		p.ops = NULL;
		p.n = 0;
	}
	*ops = p.ops;
	*n = p.n;
	return err;
}

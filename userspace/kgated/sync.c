// SPDX-License-Identifier: GPL-2.0
/*
 * One reconcile, as kgate apply --prune does it: the manifests' state,
 * the kernel's, the difference, one batch.  What matches is adopted (not
 * sent), what differs is replaced, what kgated owns (KK_OWNER) and the
 * manifests no longer have is deleted; nothing else is touched.  So a
 * restart sends nothing when nothing changed, and live connections keep
 * their services.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <linux/kgate.h>

#include "kgated.h"

int64_t kgd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void count(const struct kgate_op *ops, size_t n, size_t total,
		  struct kgd_counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->after_us = -1;
	for (i = 0; i < n; i++) {
		enum kgate_op_effect fx = kgate_op_effect(ops[i].cmd);

		if (fx == KGATE_OP_ADDS)
			c->added++;
		else if (fx == KGATE_OP_DELETES)
			c->deleted++;
		else
			c->replaced++;
	}
	c->unchanged = total - c->added - c->replaced;
}

struct refusals {
	const struct kgd_log *log;
	const struct kgate_op *ops;
	size_t n;
};

static void on_refused(size_t index, const struct kgate_err *e, void *data)
{
	struct refusals *r = data;
	char buf[512];

	kgd_log(r->log, LOG_ERR, "%s %s refused: %s",
		kgate_obj_kind_str(r->ops[index].obj.kind),
		kgate_obj_name(&r->ops[index].obj), kgate_err_str(e, buf, sizeof(buf)));
	r->n++;
}

static void log_err(const struct kgd_log *log, const char *what,
		    const struct kgate_err *e)
{
	char buf[512];

	kgd_log(log, LOG_ERR, "%s: %s", what, kgate_err_str(e, buf,
							    sizeof(buf)));
}

/*
 * kgate's socket, kept from one run to the next: opening it (a socket, a
 * bind, the family looked up) each time was a fifth of an EndpointSlice
 * change's cost in kgated.  A failed run drops it, so whatever went
 * wrong (the module reloaded, a transaction left open) goes with it.
 */
static struct kgate_sock *sock(struct kgd_sync *s)
{
	struct kgate_err e;

	if (!s->sk && kgate_open(&s->sk, &e)) {
		log_err(s->log, "kgate", &e);
		s->sk = NULL;
	}
	return s->sk;
}

static void sock_drop(struct kgd_sync *s)
{
	kgate_close(s->sk);
	s->sk = NULL;
}

/* Send @ops, the difference; @total: the objects wanted. */
static enum kgd_sync_result send_ops(struct kgd_sync *s, struct kgate_sock *sk,
				 const struct kgate_op *ops, size_t n,
				 size_t total)
{
	struct refusals r = { .log = s->log, .ops = ops };
	struct kgd_counts c;
	struct kgate_err e;

	if (n && kgate_apply(sk, ops, n, on_refused, &r, &e)) {
		if (!r.n)
			log_err(s->log, "apply", &e);
		kgd_log(s->log, LOG_ERR, "nothing applied");
		return KGD_SYNC_FAILED;
	}
	s->sent = n;
	count(ops, n, total, &c);
	if (s->change_us)
		c.after_us = kgd_now_us() - s->change_us;
	kgd_log_sync(s->log, &c);
	return KGD_SYNC_OK;
}

static size_t objects(const struct kgate_state *st)
{
	return st->n_svcs + st->n_lis + st->n_rts;
}

/* The kernel's state, or what we left there when nothing else changed. */
static int kernel_state(struct kgd_sync *s, struct kgate_sock *sk,
			struct kgate_state *have, const struct kgate_state **use)
{
	struct kgate_err e;

	if (s->applied_ok && !s->kernel_changed) {
		*use = &s->applied;
		return 0;
	}
	*use = have;
	if (kgate_state_read(sk, have, &e)) {
		log_err(s->log, "reading the kernel's state", &e);
		return -EIO;
	}
	if (kgate_state_normalise(have)) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* @want is what the kernel has of ours now. */
static void applied(struct kgd_sync *s, struct kgate_state *want)
{
	kgate_state_free(&s->applied);
	s->applied = *want;
	kgate_state_init(want);
	s->applied_ok = true;
	s->kernel_changed = false;
}

/* Send the difference between @want and the kernel. */
static enum kgd_sync_result to_kernel(struct kgd_sync *s,
				      struct kgate_state *want)
{
	enum kgd_sync_result res = KGD_SYNC_FAILED;
	const struct kgate_state *use;
	struct kgate_sock *sk = sock(s);
	struct kgate_op *ops = NULL;
	struct kgate_state have;
	size_t n = 0;

	if (!sk)
		return res;
	kgate_state_init(&have);
	if (kernel_state(s, sk, &have, &use))
		goto out;
	if (kgate_diff(want, use, kk_owned, NULL, &ops, &n)) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		goto out;
	}
	res = send_ops(s, sk, ops, n, objects(want));
out:
	free(ops);
	kgate_state_free(&have);
	return res;
}

/* The delta path's end: the difference of a few Services, sent. */
static enum kgd_sync_result delta_to_kernel(struct kgd_sync *s,
					    struct kk_delta *dl)
{
	enum kgd_sync_result res = KGD_SYNC_FAILED;
	struct kgate_op *ops = NULL;
	struct kgate_sock *sk;
	size_t n = 0;

	if (kk_delta_diff(&s->applied, dl, &ops, &n)) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		return res;
	}
	sk = sock(s);
	if (sk)
		res = send_ops(s, sk, ops, n, objects(&s->applied));
	free(ops);
	if (res == KGD_SYNC_OK && kk_delta_commit(&s->applied, dl)) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		res = KGD_SYNC_FAILED;
	}
	return res;
}

/* The addresses of @want inside addresses.own onto the link. */
static enum kgd_sync_result to_link(struct kgd_sync *s,
				    const struct kgate_state *want)
{
	struct kgd_addrs a;
	size_t added, removed;
	char why[256];
	int err;

	if (!s->link)
		return KGD_SYNC_OK;
	if (kgd_addrs_wanted(want, s->conf->own, s->conf->n_own, &a)) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		return KGD_SYNC_FAILED;
	}
	err = kgd_link_sync(s->link, &a, &added, &removed, why, sizeof(why));
	kgd_addrs_free(&a);
	if (added || removed)
		kgd_log(s->log, LOG_INFO, "link %s: %zu address%s added, %zu "
			"removed", s->conf->link, added, added == 1 ? "" : "es",
			removed);
	if (!err)
		return KGD_SYNC_OK;
	kgd_log(s->log, LOG_ERR, "link %s: %s", s->conf->link, why);
	return KGD_SYNC_FAILED;
}

/* @d as text: what was said last time is not said again. */
static char *diag_text(const struct kk_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	kk_diag_print(f, d);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static void log_diag_once(struct kgd_sync *s, const struct kk_diag *d)
{
	char *text = diag_text(d);

	if (text && s->last_diag && !strcmp(text, s->last_diag)) {
		free(text);
		return;
	}
	kgd_log_diag(s->log, d);
	free(s->last_diag);
	s->last_diag = text;
}

/* Load and translate into @want (initialised); messages in @d. */
static int translate(const struct kk_config *cfg, struct kgd_source *src,
		     struct kk_docs *docs, struct kgate_state *want,
		     struct kk_diag *d)
{
	int err = src->ops->load(src, docs, d);

	if (err == -ENOMEM)
		return err;
	if (d->errors)
		return -EINVAL;
	return kk_translate(docs, cfg, want, d);
}

/*
 * The delta path, when it can be taken: what the source re-read is
 * compared with what it had, and only EndpointSlices and Endpoints
 * changed.  -EAGAIN: the whole path instead.
 */
static int try_delta(struct kgd_sync *s, enum kgd_sync_result *res)
{
	struct kgd_changes ch = { .all = true };
	struct kk_delta dl;
	int err;

	if (s->src->ops->changes)
		s->src->ops->changes(s->src, &ch);
	/* with objects left out, a delta could bring one back */
	if (ch.all || !s->applied_ok || s->kernel_changed || !s->cat ||
	    s->left_out)
		return -EAGAIN;
	err = kk_delta_build(s->cat, ch.v, ch.n, s->cfg, &dl);
	if (!err) {
		s->retranslated = dl.n_svcs;
		kgd_log(s->log, LOG_INFO, "endpoints changed: %zu Service%s "
			"translated again", dl.n_svcs, dl.n_svcs == 1 ? "" : "s");
		*res = delta_to_kernel(s, &dl);
	}
	kk_delta_free(&dl);
	return err;
}

/* ---- objects with errors left out (API mode) ---------------------------- */

/*
 * The document name of the object a message is about: "api:KIND/NS/NAME"
 * from the label "KIND NS/NAME" (kgd_api_doc_name() names documents so),
 * or the document itself for a message without an object.
 */
static bool msg_doc(const struct kk_msg *m, char *buf, size_t len)
{
	const char *sp;

	if (!m->object) {
		if (!m->pos.file)
			return false;
		snprintf(buf, len, "%s", m->pos.file);
		return true;
	}
	sp = strchr(m->object, ' ');
	if (!sp)
		return false;
	snprintf(buf, len, "api:%.*s/%s", (int)(sp - m->object), m->object,
		 sp + 1);
	return true;
}

struct names {
	char **v;
	size_t n;
};

static bool names_has(const struct names *nm, const char *s)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (!strcmp(nm->v[i], s))
			return true;
	return false;
}

static void names_free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/* The documents of @d's errors into @nm; how many were new, or -ENOMEM. */
static int names_of_errors(const struct kk_diag *d, struct names *nm)
{
	char name[600];
	size_t i;
	int added = 0;

	for (i = 0; i < d->n; i++) {
		char **v;

		if (d->v[i].sev != KK_ERROR ||
		    !msg_doc(&d->v[i], name, sizeof(name)) ||
		    names_has(nm, name))
			continue;
		v = realloc(nm->v, (nm->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		nm->v = v;
		nm->v[nm->n] = strdup(name);
		if (!nm->v[nm->n])
			return -ENOMEM;
		nm->n++;
		added++;
	}
	return added;
}

/* @docs without the documents named in @nm: a view. */
static int docs_without(const struct kk_docs *docs, const struct names *nm,
			struct kk_docs *out)
{
	size_t i;

	kk_docs_init(out);
	out->v = malloc((docs->n + 1) * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < docs->n; i++)
		if (!names_has(nm, docs->v[i].file))
			out->v[out->n++] = docs->v[i];
	out->cap = out->n;
	return 0;
}

#define LEAVE_OUT_ROUNDS 4

/*
 * The API server's objects are each someone's: one with an error must not
 * hold back every other change in the cluster (kube-proxy and Ingress
 * controllers skip such an object too).  So in API mode the objects with
 * errors are left out and the rest translated again; leaving one out may
 * make another wrong (an Ingress of a Service left out is not: that is a
 * note), so a few rounds.  Their errors stay in @d, for the log and for
 * their status.  0 with @want, -EINVAL or -ENOMEM.
 */
static int translate_leaving_out(struct kgd_sync *s, const struct kk_docs *docs,
				 const struct kk_diag *d,
				 struct kgate_state *want)
{
	struct names nm = { 0 };
	struct kk_diag round;
	struct kk_docs rest;
	int err = names_of_errors(d, &nm), r, added;

	/* an error that names no object: nothing to leave out */
	if (err == 0)
		err = -EINVAL;
	for (r = 0; err > 0 && r < LEAVE_OUT_ROUNDS; r++) {
		err = docs_without(docs, &nm, &rest);
		if (err)
			break;
		kk_diag_init(&round);
		err = kk_translate(&rest, s->cfg, want, &round);
		if (err == -EINVAL) {
			added = names_of_errors(&round, &nm);
			err = added ? added : -EINVAL;
		}
		kk_diag_free(&round);
		kk_docs_free(&rest);
	}
	if (!err) {
		kgd_log(s->log, LOG_WARNING, "%zu object%s with errors left "
			"out, the rest applied", nm.n, nm.n == 1 ? "" : "s");
		s->left_out = nm.n;
	}
	names_free(&nm);
	return err > 0 ? -EINVAL : err;
}

/* The whole path: every object translated, the kernel read when needed. */
static enum kgd_sync_result full(struct kgd_sync *s, struct kk_docs *docs,
				 struct kk_diag *d)
{
	enum kgd_sync_result res;
	struct kgate_state want;
	int err;

	kk_cat_invalidate(s->cat);
	kgate_state_init(&want);
	s->left_out = 0;
	/* the loader's errors first: no translation of a partial set */
	err = d->errors ? -EINVAL : kk_translate(docs, s->cfg, &want, d);
	log_diag_once(s, d);
	if (err == -EINVAL && s->leave_out_invalid)
		err = translate_leaving_out(s, docs, d, &want);
	else if (!err && d->errors)
		err = -EINVAL;
	if (err == -ENOMEM) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		return KGD_SYNC_FAILED;
	}
	if (err) {
		kgd_log(s->log, LOG_ERR, "%zu error%s in the manifests: "
			"nothing applied", d->errors, d->errors == 1 ? "" : "s");
		return KGD_SYNC_INVALID;
	}
	res = to_kernel(s, &want);
	if (res == KGD_SYNC_OK)
		res = to_link(s, &want);
	if (res == KGD_SYNC_OK) {
		applied(s, &want);
		/* failing, it is only the next change that takes this path */
		if (s->cat || !kk_cat_new(&s->cat))
			(void)kk_cat_reset(s->cat, docs);
	}
	kgate_state_free(&want);
	return res;
}

enum kgd_sync_result kgd_sync_run(struct kgd_sync *s)
{
	enum kgd_sync_result res = KGD_SYNC_FAILED;
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	s->sent = s->retranslated = 0;
	s->delta = false;
	if (s->src->ops->ready && !s->src->ops->ready(s->src))
		return KGD_SYNC_WAITING;
	kk_docs_init(&docs);
	kk_diag_init(&d);
	err = s->src->ops->load(s->src, &docs, &d);
	if (err == -ENOMEM) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		kk_cat_invalidate(s->cat);
	} else if (d.errors) {
		res = full(s, &docs, &d);	/* which says them */
	} else {
		err = try_delta(s, &res);
		s->delta = !err;
		if (err == -EAGAIN)
			res = full(s, &docs, &d);
		else if (err)
			kgd_log(s->log, LOG_ERR, "out of memory");
	}
	/* the kernel may hold anything after a failure: read it next time */
	if (res == KGD_SYNC_FAILED) {
		s->applied_ok = false;
		sock_drop(s);
	}
	/* a delta changes endpoints only, which no status depends on */
	if (s->after && !s->delta && res == KGD_SYNC_OK)
		s->after(s->after_data, &docs, &d, &s->applied);
	else if (s->after && res == KGD_SYNC_INVALID)
		s->after(s->after_data, &docs, &d, NULL);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return res;
}

void kgd_sync_kernel_changed(struct kgd_sync *s)
{
	s->kernel_changed = true;
}

void kgd_sync_reset(struct kgd_sync *s)
{
	sock_drop(s);
	s->applied_ok = false;
	kk_cat_invalidate(s->cat);
}

void kgd_sync_free(struct kgd_sync *s)
{
	sock_drop(s);
	kgate_state_free(&s->applied);
	kk_cat_free(s->cat);
	s->cat = NULL;
	s->applied_ok = false;
	free(s->last_diag);
	s->last_diag = NULL;
}

bool kgd_sync_check(const struct kk_config *cfg, struct kgd_source *src,
		    FILE *f)
{
	struct kgate_state want;
	struct kk_docs docs;
	struct kk_diag d;
	bool ok;
	int err;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	kgate_state_init(&want);
	err = translate(cfg, src, &docs, &want, &d);
	kk_diag_print(f, &d);
	ok = !err && !d.errors;
	if (ok)
		fprintf(f, "kgated: manifests: %zu services, %zu listeners, "
			"%zu routes\n", want.n_svcs, want.n_lis, want.n_rts);
	else if (err == -ENOMEM)
		fprintf(f, "kgated: out of memory\n");
	else
		fprintf(f, "kgated: %zu error%s in the manifests\n", d.errors,
			d.errors == 1 ? "" : "s");
	kgate_state_free(&want);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return ok;
}

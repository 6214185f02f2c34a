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

#include <linux/kgate.h>

#include "kgated.h"

static void count(const struct kgate_op *ops, size_t n, size_t total,
		  struct kgd_counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
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

/* Send the difference between @want and the kernel. */
static enum kgd_sync_result to_kernel(struct kgd_sync *s,
				      struct kgate_state *want)
{
	enum kgd_sync_result res = KGD_SYNC_FAILED;
	struct refusals r = { .log = s->log };
	struct kgate_op *ops = NULL;
	struct kgate_state have;
	struct kgate_sock *sk;
	struct kgd_counts c;
	struct kgate_err e;
	size_t n = 0;

	kgate_state_init(&have);
	if (kgate_open(&sk, &e)) {
		log_err(s->log, "kgate", &e);
		return res;
	}
	if (kgate_state_read(sk, &have, &e)) {
		log_err(s->log, "reading the kernel's state", &e);
		goto out;
	}
	if (kgate_state_normalise(&have) ||
	    kgate_diff(want, &have, kk_owned, NULL, &ops, &n)) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		goto out;
	}
	r.ops = ops;
	if (n && kgate_apply(sk, ops, n, on_refused, &r, &e)) {
		if (!r.n)
			log_err(s->log, "apply", &e);
		kgd_log(s->log, LOG_ERR, "nothing applied");
		goto out;
	}
	s->sent = n;
	count(ops, n, want->n_svcs + want->n_lis + want->n_rts, &c);
	kgd_log_sync(s->log, &c);
	res = KGD_SYNC_OK;
out:
	free(ops);
	kgate_state_free(&have);
	kgate_close(sk);
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

/* @want is what the kernel now has of ours: kept, @want left empty. */
static void keep_applied(struct kgd_sync *s, struct kgate_state *want)
{
	if (s->have_applied)
		kgate_state_free(&s->applied);
	s->applied = *want;
	s->have_applied = true;
	kgate_state_init(want);
}

void kgd_sync_free(struct kgd_sync *s)
{
	if (s->have_applied)
		kgate_state_free(&s->applied);
	s->have_applied = false;
	free(s->last_diag);
	s->last_diag = NULL;
}

enum kgd_sync_result kgd_sync_run(struct kgd_sync *s)
{
	enum kgd_sync_result res;
	struct kgate_state want;
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	s->sent = 0;
	if (s->src->ops->ready && !s->src->ops->ready(s->src))
		return KGD_SYNC_WAITING;
	kk_docs_init(&docs);
	kk_diag_init(&d);
	kgate_state_init(&want);
	err = translate(s->cfg, s->src, &docs, &want, &d);
	log_diag_once(s, &d);
	if (err == -ENOMEM) {
		kgd_log(s->log, LOG_ERR, "out of memory");
		res = KGD_SYNC_FAILED;
	} else if (err || d.errors) {
		kgd_log(s->log, LOG_ERR, "%zu error%s in the manifests: "
			"nothing applied", d.errors, d.errors == 1 ? "" : "s");
		res = KGD_SYNC_INVALID;
	} else {
		res = to_kernel(s, &want);
		if (res == KGD_SYNC_OK)
			res = to_link(s, &want);
		if (res == KGD_SYNC_OK)
			keep_applied(s, &want);
	}
	if (s->after && res == KGD_SYNC_OK)
		s->after(s->after_data, &docs, &d, &s->applied);
	else if (s->after && res == KGD_SYNC_INVALID)
		s->after(s->after_data, &docs, &d, NULL);
	kgate_state_free(&want);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return res;
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

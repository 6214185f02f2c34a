// SPDX-License-Identifier: GPL-2.0
/* One-request kgate commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgate_msg.h"
#include "kgate_service.h"

/* Request buffer, aligned for struct nlmsghdr. */
struct req {
	uint32_t words[KGATE_REQ_MAX / 4];
};

static int put_failed(int err, struct kgate_err *e)
{
	if (err == -E2BIG)
		return kgate_err_set(e, E2BIG, "service too large for one "
				     "netlink attribute (64 KiB): too many "
				     "backends or frontends in one request");
	return kgate_err_set(e, -err, "cannot encode the request");
}

int kgate_mutate(struct kgate_sock *s, uint8_t cmd,
		 const struct kgate_service *svc, struct kgate_err *e)
{
	struct req *req = malloc(sizeof(*req));
	struct nlmsghdr *nlh;
	int err = 0;

	if (!req)
		return kgate_err_set(e, ENOMEM, "out of memory");
	nlh = kgate_msg_start(req, kgate_sock_family(s), cmd, 0, 0);
	if (svc)
		err = kgate_put_service(nlh, sizeof(*req), svc);
	if (err)
		err = put_failed(err, e);
	else
		err = kgate_transact(s, nlh, NULL, NULL, e);
	free(req);
	return err;
}

int kgate_service_add(struct kgate_sock *s, const struct kgate_service *svc,
		      struct kgate_err *e)
{
	return kgate_mutate(s, KGATE_CMD_SERVICE_ADD, svc, e);
}

int kgate_service_replace(struct kgate_sock *s,
			  const struct kgate_service *svc,
			  struct kgate_err *e)
{
	return kgate_mutate(s, KGATE_CMD_SERVICE_REPLACE, svc, e);
}

/* A service that carries only a name (the name is borrowed). */
static struct kgate_service named(const char *name)
{
	struct kgate_service svc;

	kgate_service_init(&svc);
	svc.name = (char *)name;
	return svc;
}

int kgate_service_del(struct kgate_sock *s, const char *name,
		      struct kgate_err *e)
{
	struct kgate_service svc = named(name);

	return kgate_mutate(s, KGATE_CMD_SERVICE_DEL, &svc, e);
}

static int backends(struct kgate_sock *s, uint8_t cmd, const char *service,
		    const struct kgate_backend *be, size_t n,
		    struct kgate_err *e)
{
	struct kgate_service svc = named(service);

	svc.backends = (struct kgate_backend *)be;
	svc.n_backends = n;
	return kgate_mutate(s, cmd, &svc, e);
}

int kgate_backend_add(struct kgate_sock *s, const char *service,
		      const struct kgate_backend *be, size_t n,
		      struct kgate_err *e)
{
	return backends(s, KGATE_CMD_BACKEND_ADD, service, be, n, e);
}

int kgate_backend_del(struct kgate_sock *s, const char *service,
		      const struct kgate_backend *be, size_t n,
		      struct kgate_err *e)
{
	return backends(s, KGATE_CMD_BACKEND_DEL, service, be, n, e);
}

int kgate_backend_set(struct kgate_sock *s, const char *service,
		      const struct kgate_backend *be, size_t n,
		      struct kgate_err *e)
{
	return backends(s, KGATE_CMD_BACKEND_SET, service, be, n, e);
}

int kgate_flush(struct kgate_sock *s, struct kgate_err *e)
{
	return kgate_mutate(s, KGATE_CMD_FLUSH, NULL, e);
}

int kgate_batch_begin(struct kgate_sock *s, struct kgate_err *e)
{
	return kgate_mutate(s, KGATE_CMD_BATCH_BEGIN, NULL, e);
}

int kgate_batch_abort(struct kgate_sock *s, struct kgate_err *e)
{
	return kgate_mutate(s, KGATE_CMD_BATCH_ABORT, NULL, e);
}

int kgate_batch_commit(struct kgate_sock *s, struct kgate_err *e)
{
	uint32_t buf[(KGATE_MSG_HDRLEN + MNL_ATTR_HDRLEN + 4) / 4];
	struct nlmsghdr *nlh;

	nlh = kgate_msg_start(buf, kgate_sock_family(s),
			      KGATE_CMD_BATCH_COMMIT, 0, 0);
	mnl_attr_put_u32(nlh, KGATE_A_BATCH_COUNT, kgate_sock_batch_count(s));
	return kgate_transact(s, nlh, NULL, NULL, e);
}

/*
 * Decoding of service replies, for get and dump.  The kernel sends a
 * service too big for one dump message as consecutive messages of the same
 * name, the later ones with further backends only: they are merged into
 * @pending, which is complete once the next service (or the end of the
 * dump) shows up.  Dumps collect every service before calling back, so
 * that an interrupted dump (NLM_F_DUMP_INTR) can be thrown away.
 */
struct svc_reply {
	struct kgate_service *keep;	/* get: the one result */
	struct kgate_service pending;	/* dump: the service being merged */
	struct kgate_service *all;	/* dump: the complete ones */
	size_t n;
	bool interrupted;
};

static int merge_backends(struct kgate_service *into,
			  const struct kgate_service *more,
			  struct kgate_err *e)
{
	for (size_t i = 0; i < more->n_backends; i++)
		if (kgate_service_add_backend(into, &more->backends[i]))
			return kgate_err_set(e, ENOMEM, "out of memory");
	return 0;
}

static int flush_pending(struct svc_reply *r, struct kgate_err *e)
{
	struct kgate_service *all;

	if (!r->pending.name)
		return 0;
	all = realloc(r->all, (r->n + 1) * sizeof(*all));
	if (!all)
		return kgate_err_set(e, ENOMEM, "out of memory");
	r->all = all;
	all[r->n++] = r->pending;	/* ownership moves */
	kgate_service_init(&r->pending);
	return 0;
}

static void reply_free(struct svc_reply *r)
{
	for (size_t i = 0; i < r->n; i++)
		kgate_service_free(&r->all[i]);
	free(r->all);
	kgate_service_free(&r->pending);
	r->all = NULL;
	r->n = 0;
}

static int service_reply_cb(const struct nlmsghdr *nlh, void *data,
			    struct kgate_err *e)
{
	const struct nlattr *a = kgate_msg_attr(nlh, KGATE_A_SERVICE);
	struct svc_reply *r = data;
	struct kgate_service svc;
	char why[200];
	int err;

	if (!a)
		return kgate_err_set(e, EBADMSG, "reply without service");
	err = kgate_parse_service(a, &svc, why, sizeof(why));
	if (err) {
		kgate_service_free(&svc);
		return kgate_err_set(e, EBADMSG, "malformed reply: %s", why);
	}
	if (r->keep) {
		kgate_service_free(r->keep);
		*r->keep = svc;
		return 0;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->interrupted = true;
	if (r->pending.name && !strcmp(r->pending.name, svc.name) &&
	    !svc.n_frontends) {
		err = merge_backends(&r->pending, &svc, e);
		kgate_service_free(&svc);
		return err;
	}
	err = flush_pending(r, e);
	if (err) {
		kgate_service_free(&svc);
		return err;
	}
	r->pending = svc;
	return 0;
}

/* A dump the configuration changed under is retried, a few times. */
#define DUMP_TRIES 5

/* Every service, or the one named (@name non-NULL), into @r->all. */
static int dump(struct kgate_sock *s, const char *name, struct svc_reply *r,
		struct kgate_err *e)
{
	struct kgate_service key = named(name);
	struct req *req = malloc(sizeof(*req));
	int err = 0, try;

	if (!req)
		return kgate_err_set(e, ENOMEM, "out of memory");
	for (try = 0; try < DUMP_TRIES; try++) {
		struct nlmsghdr *nlh;

		reply_free(r);
		r->interrupted = false;
		nlh = kgate_msg_start(req, kgate_sock_family(s),
				      KGATE_CMD_SERVICE_GET, NLM_F_DUMP, 0);
		if (name) {
			err = kgate_put_service(nlh, sizeof(*req), &key);
			if (err) {
				err = put_failed(err, e);
				break;
			}
		}
		err = kgate_transact(s, nlh, service_reply_cb, r, e);
		if (!err)
			err = flush_pending(r, e);
		if (err || !r->interrupted)
			break;
	}
	free(req);
	if (!err && try == DUMP_TRIES)
		err = kgate_err_set(e, EAGAIN,
				    "the configuration kept changing during the dump");
	return err;
}

/*
 * One reply, or, for a service too large for one (the kernel says
 * EMSGSIZE), a dump of that service alone, which the kernel splits.
 */
int kgate_service_get(struct kgate_sock *s, const char *name,
		      struct kgate_service *out, struct kgate_err *e)
{
	struct svc_reply r = { .keep = out };
	struct kgate_service key = named(name);
	struct req *req = malloc(sizeof(*req));
	struct nlmsghdr *nlh;
	int err;

	kgate_service_init(out);
	if (!req)
		return kgate_err_set(e, ENOMEM, "out of memory");
	nlh = kgate_msg_start(req, kgate_sock_family(s),
			      KGATE_CMD_SERVICE_GET, 0, 0);
	err = kgate_put_service(nlh, sizeof(*req), &key);
	if (err)
		err = put_failed(err, e);
	else
		err = kgate_transact(s, nlh, service_reply_cb, &r, e);
	free(req);
	if (err && e->err == EMSGSIZE && e->kernel) {
		struct svc_reply all = { 0 };

		kgate_service_init(&all.pending);
		kgate_err_clear(e);
		err = dump(s, name, &all, e);
		if (!err && all.n == 1) {
			kgate_service_free(out);
			*out = all.all[0];	/* ownership moves */
			all.n = 0;
		}
		reply_free(&all);
	}
	if (!err && !out->name)
		err = kgate_err_set(e, EBADMSG, "no service in the reply");
	return err;
}

int kgate_service_dump(struct kgate_sock *s, kgate_service_cb cb, void *data,
		       struct kgate_err *e)
{
	struct svc_reply r = { 0 };
	int err;

	kgate_service_init(&r.pending);
	err = dump(s, NULL, &r, e);
	for (size_t i = 0; !err && i < r.n; i++) {
		int ret = cb(&r.all[i], data);

		if (ret < 0)
			err = kgate_err_set(e, -ret, "stopped");
	}
	reply_free(&r);
	return err;
}

int kgate_service_dump_take(struct kgate_sock *s, struct kgate_service **all,
			    size_t *n, struct kgate_err *e)
{
	struct svc_reply r = { 0 };
	int err;

	kgate_service_init(&r.pending);
	err = dump(s, NULL, &r, e);
	*all = NULL;
	*n = 0;
	if (!err) {
		*all = r.all;	/* ownership moves */
		*n = r.n;
		r.all = NULL;
		r.n = 0;
	}
	reply_free(&r);
	return err;
}

struct nest_reply {
	uint16_t attr;
	const char *what;
	kgate_nest_parser parse;
	void *out;
};

static int nest_cb(const struct nlmsghdr *nlh, void *data,
		   struct kgate_err *e)
{
	const struct nest_reply *r = data;
	const struct nlattr *a = kgate_msg_attr(nlh, r->attr);
	char why[200];

	if (!a)
		return kgate_err_set(e, EBADMSG, "reply without %s", r->what);
	if (r->parse(a, r->out, why, sizeof(why)))
		return kgate_err_set(e, EBADMSG, "malformed reply: %s", why);
	return 0;
}

int kgate_get_nest(struct kgate_sock *s, uint8_t cmd, uint16_t attr,
		   const char *what, kgate_nest_parser parse, void *out,
		   struct kgate_err *e)
{
	struct nest_reply r = { attr, what, parse, out };
	uint32_t buf[KGATE_MSG_HDRLEN / 4 + 1];
	struct nlmsghdr *nlh;

	nlh = kgate_msg_start(buf, kgate_sock_family(s), cmd, 0, 0);
	return kgate_transact(s, nlh, nest_cb, &r, e);
}

static int parse_stats(const struct nlattr *nest, void *out, char *why,
		       size_t whylen)
{
	return kgate_parse_stats(nest, out, why, whylen);
}

int kgate_stats_get(struct kgate_sock *s, struct kgate_stats *st,
		    struct kgate_err *e)
{
	memset(st, 0, sizeof(*st));
	return kgate_get_nest(s, KGATE_CMD_STATS_GET, KGATE_A_STATS, "stats",
			      parse_stats, st, e);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Listener and route commands.  Gets and dumps share one reader, told by
 * a small table how to decode and release the object type.  A dump
 * collects every object before calling back, so that one the
 * configuration changed under (NLM_F_DUMP_INTR) can be thrown away and
 * retried.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgate_l7cmd.h"
#include "kgate_l7msg.h"
#include "kgate_msg.h"
#include "kgate_obj.h"

struct type {
	enum kgate_obj_kind kind;
	uint8_t get_cmd;
	uint16_t attr;
	const char *what;
	size_t size;
	int (*parse)(const struct nlattr *nest, void *obj, char *why,
		     size_t whylen);
	void (*release)(void *obj);
};

static int parse_lis(const struct nlattr *n, void *o, char *why, size_t len)
{
	return kgate_parse_listener(n, o, why, len);
}

static void free_lis(void *o)
{
	kgate_listener_free(o);
}

static int parse_rt(const struct nlattr *n, void *o, char *why, size_t len)
{
	return kgate_parse_route(n, o, why, len);
}

static void free_rt(void *o)
{
	kgate_route_free(o);
}

static const struct type listener_type = {
	KGATE_OBJ_LISTENER, KGATE_CMD_LISTENER_GET, KGATE_A_LISTENER,
	"listener", sizeof(struct kgate_listener), parse_lis, free_lis,
};

static const struct type route_type = {
	KGATE_OBJ_ROUTE, KGATE_CMD_ROUTE_GET, KGATE_A_ROUTE, "route",
	sizeof(struct kgate_route), parse_rt, free_rt,
};

struct reply {
	const struct type *t;
	char *all;		/* n objects of t->size bytes */
	size_t n;
	bool interrupted;
};

static void reply_free(struct reply *r)
{
	for (size_t i = 0; i < r->n; i++)
		r->t->release(r->all + i * r->t->size);
	free(r->all);
	r->all = NULL;
	r->n = 0;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data,
		    struct kgate_err *e)
{
	struct reply *r = data;
	const struct nlattr *a = kgate_msg_attr(nlh, r->t->attr);
	char why[200], *all, *obj;

	if (!a)
		return kgate_err_set(e, EBADMSG, "reply without %s",
				     r->t->what);
	all = realloc(r->all, (r->n + 1) * r->t->size);
	if (!all)
		return kgate_err_set(e, ENOMEM, "out of memory");
	r->all = all;
	obj = all + r->n++ * r->t->size;
	if (r->t->parse(a, obj, why, sizeof(why)))
		return kgate_err_set(e, EBADMSG, "malformed reply: %s", why);
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->interrupted = true;
	return 0;
}

/* A dump the configuration changed under is retried, a few times. */
#define DUMP_TRIES 5

/* The one named (@key set: a GET doit), or every object (a dump). */
static int fetch(struct kgate_sock *s, const struct type *t,
		 const struct kgate_obj *key, struct reply *r,
		 struct kgate_err *e)
{
	void *req = malloc(KGATE_REQ_MAX);
	int err = 0, try;

	if (!req)
		return kgate_err_set(e, ENOMEM, "out of memory");
	for (try = 0; try < DUMP_TRIES; try++) {
		struct nlmsghdr *nlh;

		reply_free(r);
		r->interrupted = false;
		nlh = kgate_msg_start(req, kgate_sock_family(s), t->get_cmd,
				      key ? 0 : NLM_F_DUMP, 0);
		err = key ? kgate_put_obj(nlh, KGATE_REQ_MAX, key) : 0;
		if (err) {
			err = kgate_put_failed(err, key, e);
			break;
		}
		err = kgate_transact(s, nlh, reply_cb, r, e);
		if (err || !r->interrupted)
			break;
	}
	free(req);
	if (!err && try == DUMP_TRIES)
		err = kgate_err_set(e, EAGAIN, "the configuration kept "
				    "changing during the dump");
	return err;
}

static int get_one(struct kgate_sock *s, const struct type *t,
		   const struct kgate_obj *key, void *out,
		   struct kgate_err *e)
{
	struct reply r = { .t = t };
	int err = fetch(s, t, key, &r, e);

	if (!err && r.n != 1)
		err = kgate_err_set(e, EBADMSG, "%zu %ss in the reply, "
				    "expected 1", r.n, t->what);
	if (!err) {
		t->release(out);
		memcpy(out, r.all, t->size);	/* ownership moves */
		r.n = 0;
	}
	reply_free(&r);
	return err;
}

typedef int (*any_cb)(const void *obj, void *data);

static int dump_all(struct kgate_sock *s, const struct type *t, any_cb cb,
		    void *data, struct kgate_err *e)
{
	struct reply r = { .t = t };
	int err = fetch(s, t, NULL, &r, e);

	for (size_t i = 0; !err && i < r.n; i++) {
		int ret = cb(r.all + i * t->size, data);

		if (ret < 0)
			err = kgate_err_set(e, -ret, "stopped");
	}
	reply_free(&r);
	return err;
}

static int take_all(struct kgate_sock *s, const struct type *t, void **all,
		    size_t *n, struct kgate_err *e)
{
	struct reply r = { .t = t };
	int err = fetch(s, t, NULL, &r, e);

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

/* ---- listeners -------------------------------------------------------- */

static int lis_cmd(struct kgate_sock *s, uint8_t cmd,
		   const struct kgate_listener *l, struct kgate_err *e)
{
	struct kgate_obj o = { .kind = KGATE_OBJ_LISTENER, .lis = l };

	return kgate_mutate_obj(s, cmd, &o, e);
}

int kgate_listener_add(struct kgate_sock *s, const struct kgate_listener *l,
		       struct kgate_err *e)
{
	return lis_cmd(s, KGATE_CMD_LISTENER_ADD, l, e);
}

int kgate_listener_replace(struct kgate_sock *s,
			   const struct kgate_listener *l,
			   struct kgate_err *e)
{
	return lis_cmd(s, KGATE_CMD_LISTENER_REPLACE, l, e);
}

/* A listener that carries only a name (borrowed). */
static struct kgate_listener lis_named(const char *name)
{
	struct kgate_listener l;

	kgate_listener_init(&l);
	l.name = (char *)name;
	return l;
}

int kgate_listener_del(struct kgate_sock *s, const char *name,
		       struct kgate_err *e)
{
	struct kgate_listener l = lis_named(name);

	return lis_cmd(s, KGATE_CMD_LISTENER_DEL, &l, e);
}

int kgate_listener_get(struct kgate_sock *s, const char *name,
		       struct kgate_listener *out, struct kgate_err *e)
{
	struct kgate_listener l = lis_named(name);
	struct kgate_obj key = { .kind = KGATE_OBJ_LISTENER, .lis = &l };

	kgate_listener_init(out);
	return get_one(s, &listener_type, &key, out, e);
}

struct lis_fwd {
	kgate_listener_cb cb;
	void *data;
};

static int lis_fwd(const void *obj, void *data)
{
	struct lis_fwd *f = data;

	return f->cb(obj, f->data);
}

int kgate_listener_dump(struct kgate_sock *s, kgate_listener_cb cb,
			void *data, struct kgate_err *e)
{
	struct lis_fwd f = { cb, data };

	return dump_all(s, &listener_type, lis_fwd, &f, e);
}

int kgate_listener_dump_take(struct kgate_sock *s,
			     struct kgate_listener **all, size_t *n,
			     struct kgate_err *e)
{
	return take_all(s, &listener_type, (void **)all, n, e);
}

/* ---- routes ----------------------------------------------------------- */

static int rt_cmd(struct kgate_sock *s, uint8_t cmd,
		  const struct kgate_route *r, struct kgate_err *e)
{
	struct kgate_obj o = { .kind = KGATE_OBJ_ROUTE, .rt = r };

	return kgate_mutate_obj(s, cmd, &o, e);
}

int kgate_route_add(struct kgate_sock *s, const struct kgate_route *r,
		    struct kgate_err *e)
{
	return rt_cmd(s, KGATE_CMD_ROUTE_ADD, r, e);
}

int kgate_route_replace(struct kgate_sock *s, const struct kgate_route *r,
			struct kgate_err *e)
{
	return rt_cmd(s, KGATE_CMD_ROUTE_REPLACE, r, e);
}

static struct kgate_route rt_named(const char *name)
{
	struct kgate_route r;

	kgate_route_init(&r);
	r.name = (char *)name;
	return r;
}

int kgate_route_del(struct kgate_sock *s, const char *name,
		    struct kgate_err *e)
{
	struct kgate_route r = rt_named(name);

	return rt_cmd(s, KGATE_CMD_ROUTE_DEL, &r, e);
}

int kgate_route_get(struct kgate_sock *s, const char *name,
		    struct kgate_route *out, struct kgate_err *e)
{
	struct kgate_route r = rt_named(name);
	struct kgate_obj key = { .kind = KGATE_OBJ_ROUTE, .rt = &r };

	kgate_route_init(out);
	return get_one(s, &route_type, &key, out, e);
}

struct rt_fwd {
	kgate_route_cb cb;
	void *data;
};

static int rt_fwd(const void *obj, void *data)
{
	struct rt_fwd *f = data;

	return f->cb(obj, f->data);
}

int kgate_route_dump(struct kgate_sock *s, kgate_route_cb cb, void *data,
		     struct kgate_err *e)
{
	struct rt_fwd f = { cb, data };

	return dump_all(s, &route_type, rt_fwd, &f, e);
}

int kgate_route_dump_take(struct kgate_sock *s, struct kgate_route **all,
			  size_t *n, struct kgate_err *e)
{
	return take_all(s, &route_type, (void **)all, n, e);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A client connection of the HTTP proxy: one work item runs its state
 * machine, request after request.
 *
 *   START -> HEAD -> ROUTE -> CONNECT -> SEND_HEAD -> BODY -> WAIT -> HEAD
 *
 * START is where the TLS handshake will go.  From SEND_HEAD on, the
 * response's way runs beside the request's (resp_pump()): a backend may
 * answer, 100 Continue or a final response, before the request body is
 * all sent.  A 101 turns the connection into a TUNNEL.  REPLY sends an
 * answer made by kgate; CLOSE ends the connection.
 *
 * Memory.  An idle connection holds only struct kgate_conn and its
 * socket: the request's buffers (struct kgate_req) come with the first
 * byte of a request and go when its response is done, and the page the
 * client's bytes are read into goes too unless it holds pipelined bytes.
 *
 * Bytes of a body are read into a page (one copy, from the socket) and
 * sent from it by reference (MSG_SPLICE_PAGES, or sendpage on 6.1): the
 * receiving socket's skbs point into the page, which is therefore not
 * written again while they hold it (kp_recv() takes a fresh page).
 * One buffer per direction, read only when the other side took the
 * last: TCP's windows carry the flow control to both peers.  It is a
 * page, or KP_BIG_ORDER pages once a read filled one (a body streams):
 * fewer reads and sends, and segments TCP need not split up.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "kgate.h"
#include "proxy.h"
#include "core/http.h"
#include "core/match.h"

/* Steps of the state machine per run of the work, then it yields. */
#define KC_STEPS	64
/* Sends and receives per pump call. */
#define KC_BUDGET	16
/*
 * Buffers start at the size nearly every request needs and grow to the
 * listener's limits only for the heads that need it: the module's pages
 * come zeroed (init_on_alloc), so a byte not needed is a byte cleared.
 */
#define KC_HEAD_FIRST	2048	/* a head's first buffer */
#define KC_OUT_SLACK	1024	/* a sent head beyond the bytes it copies */
/* Room for the fields kgate adds to a forwarded head, at most. */
#define KC_HEAD_EXTRA	4096
/* Room for a rewritten path beyond the request's target. */
#define KC_PATH_EXTRA	KG_MATCH_PATH_MAX

struct workqueue_struct *kgate_l7_wq;

enum kc_state {
	KC_START,	/* accepted; the TLS handshake goes here */
	KC_HEAD,	/* reading a request head */
	KC_ROUTE,
	KC_CONNECT,
	KC_SEND_HEAD,
	KC_BODY,	/* relaying the request body */
	KC_WAIT,	/* request sent; the response still coming */
	KC_REPLY,	/* sending an answer made by kgate */
	KC_TUNNEL,
	KC_CLOSE,
};

/* The response's way */
enum kr_state {
	KR_NONE,	/* not started */
	KR_HEAD,
	KR_BODY,
	KR_DONE,
};

/* Who the pending head in ->obuf goes to */
enum { KO_NONE, KO_UP, KO_CLIENT };

#define KC_F_DEAD	0	/* being closed: by the work or by a closer */

/* Bytes of one direction: [head, head + ready) checked, to send. */
struct kgate_pipe {
	struct page *page;
	u32 head;
	u32 ready;
	u32 tail;
	u8 order;			/* of ->page */
	bool big;			/* a read filled the buffer */
	bool eof;
};

#define KP_BIG_ORDER	2

struct kgate_req {
	struct kgate_l7_conf *conf;
	struct kgate_route *rt;		/* NULL: no route matched */
	const char *svc;
	struct kg_match_result res;
	struct kg_http_head h;
	struct kg_http_body b;
	struct kg_http_head rh;
	struct kg_http_body rb;
	struct kg_http_field *fields;
	struct kg_http_field *rfields;
	struct kg_match_field *mfields;
	u8 *hbuf;
	u8 *rhbuf;
	u8 *obuf;			/* heads to send, kgate's answers */
	u8 *tbuf;			/* target: normalised, then rewritten */
	u32 ocap;
	u32 tcap;
	u16 head_max;			/* the listener's limits, when it came */
	u16 fields_max;
	u32 olen;
	u32 ooff;
	u8 oto;				/* KO_* */
	u8 rstate;			/* KR_* */
	bool parsed;			/* the request head is complete */
	bool body_done;			/* the request body is all sent */
	bool rbody_done;		/* the response body is all read */
	bool retried;			/* connect retried once */
	bool reused;			/* on a pooled upstream connection */
	bool have_avoid;
	bool connected;
	bool sent;			/* the client got a byte of the answer */
	bool close;			/* close the client after the answer */
	bool tunnel;
	u16 status;
	u32 tlen;
	struct sockaddr_storage dst;
	struct sockaddr_storage avoid;
	struct kgate_pipe out;		/* from the upstream */
	u64 start_real;
	ktime_t start;
	ktime_t ttfb;
	u64 bytes_in;
	u64 bytes_out;
	unsigned long since;		/* head timeout: first byte */
};

struct kgate_conn {
	refcount_t ref;
	unsigned long flags;
	struct list_head node;		/* kgate_lsock.conns */
	struct kgate_lsock *ls;
	struct kgate_l7_cnt *cnt;	/* the listener's: CONNS_OPEN */
	struct socket *sock;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	struct work_struct work;
	/* The next deadline, or earlier: the work checks and re-arms. */
	struct timer_list timer;
	struct kgate_up *up;
	struct kgate_req *req;		/* NULL between requests */
	struct kgate_pipe in;		/* from the client */
	unsigned long since;		/* jiffies: state start, or progress */
	u32 head_ms;			/* limits of the last conf seen */
	u32 idle_ms;
	u32 nreq;
	u8 state;
	struct kg_fwd_peer peer;
};

/* Socket callbacks */

void kgate_conn_kick(struct kgate_conn *c)
{
	queue_work(kgate_l7_wq, &c->work);
}

static void conn_timer(struct timer_list *t)
{
	struct kgate_conn *c = from_timer(c, t, timer);

	queue_work(kgate_l7_wq, &c->work);
}

enum { KC_CB_DATA, KC_CB_SPACE, KC_CB_STATE };

static void conn_cb(struct sock *sk, int which)
{
	struct kgate_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c) {
		if (which == KC_CB_DATA)
			c->saved_data_ready(sk);
		else if (which == KC_CB_SPACE)
			c->saved_write_space(sk);
		else
			c->saved_state_change(sk);
		kgate_conn_kick(c);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void conn_data_ready(struct sock *sk)
{
	conn_cb(sk, KC_CB_DATA);
}

static void conn_write_space(struct sock *sk)
{
	conn_cb(sk, KC_CB_SPACE);
}

static void conn_state_change(struct sock *sk)
{
	conn_cb(sk, KC_CB_STATE);
}

static void conn_hook(struct kgate_conn *c)
{
	struct sock *sk = c->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	c->saved_data_ready = sk->sk_data_ready;
	c->saved_write_space = sk->sk_write_space;
	c->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = c;
	sk->sk_data_ready = conn_data_ready;
	sk->sk_write_space = conn_write_space;
	sk->sk_state_change = conn_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* After it, no callback queues the work. */
static void conn_unhook(struct kgate_conn *c)
{
	struct sock *sk = c->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = c->saved_data_ready;
	sk->sk_write_space = c->saved_write_space;
	sk->sk_state_change = c->saved_state_change;
	sk->sk_user_data = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
	if (c->up)
		kgate_up_detach(c->up);
}

/* Pipes */

static u8 *kp_data(const struct kgate_pipe *p)
{
	return page_address(p->page);
}

static u32 kp_size(const struct kgate_pipe *p)
{
	return PAGE_SIZE << p->order;
}

/* Pages for @p, as many as its last buffer showed it needs. */
static struct page *kp_alloc(struct kgate_pipe *p)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT;
	struct page *page = NULL;

	if (p->big)
		page = alloc_pages(gfp | __GFP_COMP | __GFP_NOWARN |
				   __GFP_NORETRY, KP_BIG_ORDER);
	p->order = page ? KP_BIG_ORDER : 0;
	return page ?: alloc_page(gfp);
}

static bool kp_empty(const struct kgate_pipe *p)
{
	return p->head == p->tail;
}

static void kp_free(struct kgate_pipe *p)
{
	if (p->page)
		put_page(p->page);
	p->page = NULL;
	p->head = 0;
	p->ready = 0;
	p->tail = 0;
}

/*
 * Read what fits after the bytes already in @p: > 0 bytes, 0 end of file,
 * -EAGAIN, -ENOBUFS (full), or an error.  An empty page still held by
 * skbs being sent is replaced rather than written.
 */
static int kp_recv(struct socket *sock, struct kgate_pipe *p)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec kv;
	int n;

	if (p->page && kp_empty(p)) {
		if (page_count(p->page) > 1)
			kp_free(p);
		p->head = 0;
		p->tail = 0;
	}
	if (!p->page) {
		p->page = kp_alloc(p);
		if (!p->page)
			return -ENOMEM;
	}
	if (p->tail >= kp_size(p))
		return -ENOBUFS;
	kv.iov_base = kp_data(p) + p->tail;
	kv.iov_len = kp_size(p) - p->tail;
	n = kernel_recvmsg(sock, &msg, &kv, 1, kv.iov_len, MSG_DONTWAIT);
	if (n > 0)
		p->tail += n;
	if (n > 0 && p->tail == kp_size(p))
		p->big = true;
	else if (n == 0)
		p->eof = true;
	return n;
}

/*
 * MSG_MORE when the next send is known to follow at once: bytes of the
 * same message wait to be read.  TCP then fills its segments instead of
 * pushing one per page, and the last send of a message pushes.
 */
static int send_flags(bool more)
{
	return MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0);
}

static bool bytes_waiting(struct socket *sock)
{
	return !skb_queue_empty_lockless(&sock->sk->sk_receive_queue);
}

/* Send the checked bytes: how many went, or -errno. */
static int kp_send(struct socket *sock, struct kgate_pipe *p, bool more)
{
	int n;

	n = kgate_send_page(sock, p->page, p->head, p->ready,
			    send_flags(more));
	if (n > 0) {
		p->head += n;
		p->ready -= n;
	}
	return n;
}

static bool sock_readable(struct socket *sock)
{
	struct sock *sk = sock->sk;

	return !skb_queue_empty_lockless(&sk->sk_receive_queue) ||
	       (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
	       READ_ONCE(sk->sk_err);
}

static int send_buf(struct socket *sock, const u8 *buf, u32 len, bool more)
{
	struct msghdr msg = { .msg_flags = send_flags(more) };
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };

	return kernel_sendmsg(sock, &msg, &kv, 1, len);
}

/* Requests */

static void req_free(struct kgate_req *r)
{
	kp_free(&r->out);
	kvfree(r->hbuf);
	kvfree(r->rhbuf);
	kvfree(r->obuf);
	kvfree(r->tbuf);
	kvfree(r->fields);
	kvfree(r->rfields);
	kvfree(r->mfields);
	kgate_l7_conf_put(r->conf);
	kfree(r);
}

static struct kgate_req *req_new(struct kgate_conn *c)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT;
	const struct kgate_l7_limits *lim;
	struct kgate_req *r;
	u32 first;

	r = kzalloc(sizeof(*r), gfp);
	if (!r)
		return NULL;
	r->conf = kgate_lsock_conf(c->ls);
	if (!r->conf) {
		kfree(r);
		return NULL;
	}
	lim = &r->conf->lim;
	c->head_ms = lim->head_timeout;
	c->idle_ms = lim->idle_timeout;
	r->head_max = clamp_t(u32, lim->head_bytes, 256, KG_HTTP_HEAD_MAX);
	r->fields_max = clamp_t(u32, lim->headers, 1, KGATE_HEADERS_MAX);
	first = min_t(u32, r->head_max, KC_HEAD_FIRST);
	r->hbuf = kvmalloc(first, gfp);
	r->fields = kvmalloc_array(r->fields_max, sizeof(*r->fields), gfp);
	if (!r->hbuf || !r->fields) {
		req_free(r);
		return NULL;
	}
	kg_http_head_init(&r->h, r->hbuf, first, r->fields, r->fields_max,
			  clamp_t(u32, lim->uri_bytes, 1, KG_HTTP_HEAD_MAX));
	kg_http_head_allow(&r->h, r->head_max);
	r->start = ktime_get();
	r->start_real = ktime_get_real_ns();
	r->since = jiffies;
	return r;
}

/* A head's buffer is full below its limit: twice the room, bytes kept. */
static int head_grow(struct kg_http_head *h, u8 **buf)
{
	u32 cap = min_t(u32, 2 * h->cap, h->max_head);
	u8 *grown;

	grown = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	if (!grown)
		return -ENOMEM;
	memcpy(grown, h->buf, h->len);
	kvfree(*buf);
	*buf = grown;
	kg_http_head_rebuf(h, grown, cap);
	return 0;
}

/* At least @cap bytes of ->obuf, whose bytes are not kept. */
static int req_obuf(struct kgate_req *r, u32 cap)
{
	if (r->ocap >= cap)
		return 0;
	kvfree(r->obuf);
	r->obuf = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	r->ocap = r->obuf ? cap : 0;
	return r->obuf ? 0 : -ENOMEM;
}

enum { KB_REQUEST, KB_RESPONSE, KB_REPLY };

/*
 * Build a head of kind KB_* from @arg into ->obuf: first in what @len
 * bytes of copied input need, then, when that was short, in the most a
 * head can take.  Its length, or -errno.
 */
static int req_build_out(struct kgate_req *r, int kind, const void *arg,
			 u32 len)
{
	bool most = false;
	int n;

	for (;;) {
		n = req_obuf(r, len + (most ? r->head_max + KC_HEAD_EXTRA :
					      KC_OUT_SLACK));
		if (n)
			return n;
		if (kind == KB_REQUEST)
			n = kg_fwd_request(arg, r->obuf, r->ocap);
		else if (kind == KB_RESPONSE)
			n = kg_fwd_response(arg, r->obuf, r->ocap);
		else
			n = kg_fwd_reply(arg, r->obuf, r->ocap);
		if (n != -ENOSPC || most)
			return n;
		most = true;
	}
}

/*
 * ->tbuf with room after the target for any rewrite or redirect of it: a
 * request's whole head, and a path of kgate's own.
 */
static int req_tbuf_most(struct kgate_req *r)
{
	u32 cap = r->tlen + r->h.len + 1 + KC_PATH_EXTRA;
	u8 *grown;

	if (r->tcap >= cap)
		return -ENOSPC;
	grown = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	if (!grown)
		return -ENOMEM;
	memcpy(grown, r->tbuf, r->tlen);
	kvfree(r->tbuf);
	r->tbuf = grown;
	r->tcap = cap;
	return 0;
}

static struct kgate_l7_cnt *req_route_cnt(const struct kgate_req *r)
{
	return r->rt ? kgate_route_cnt(r->rt) : NULL;
}

static void req_count(const struct kgate_req *r, int which, u64 n)
{
	struct kgate_l7_cnt *rc = req_route_cnt(r);

	kgate_l7_count(r->conf->cnt, which, n);
	if (rc)
		kgate_l7_count(rc, which, n);
}

static void req_count_status(const struct kgate_req *r, u16 status)
{
	if (status >= 100 && status < 600)
		req_count(r, KGATE_L7C_A_RESP_1XX + status / 100 - 1, 1);
}

static const struct kg_match_table *req_table(const struct kgate_req *r)
{
	return r->conf->table ? kg_match_table(r->conf->table) : NULL;
}

static bool head_span(const struct kg_http_head *h, struct kg_http_span s,
		      const u8 **p, u32 *len)
{
	*p = h->buf + s.off;
	*len = s.len;
	return s.len;
}

/* The Host field's whole value (port included), or none. */
static u32 req_host(const struct kgate_req *r, const u8 **host)
{
	int i = r->parsed ? kg_http_field_find(&r->h, KG_HTTP_H_HOST) : -1;

	if (i < 0) {
		*host = NULL;
		return 0;
	}
	*host = r->h.buf + r->h.fields[i].value.off;
	return r->h.fields[i].value.len;
}

static void req_log(struct kgate_conn *c, struct kgate_req *r)
{
	struct kgate_access a = {
		.time = r->start_real,
		.client = &c->peer,
		.listener = r->conf->listener,
		.route = r->rt ? kgate_route_name(r->rt) : NULL,
		.status = r->status,
		.bytes_in = r->bytes_in,
		.bytes_out = r->bytes_out,
		.upstream = r->connected ? &r->dst : NULL,
	};
	ktime_t now = ktime_get();

	if (!(r->conf->flags & KGATE_LIS_F_ACCESS_LOG))
		return;
	if (r->parsed) {
		a.host_len = req_host(r, &a.host);
		head_span(&r->h, r->h.mtoken, &a.method, &a.method_len);
		head_span(&r->h, r->h.target, &a.path, &a.path_len);
	}
	a.ttfb = r->ttfb ? ktime_us_delta(r->ttfb, r->start) : 0;
	a.duration = ktime_us_delta(now, r->start);
	kgate_access_send(c->ls->kn, r->conf->cnt, &a);
}

/* Answers and ends */

static bool req_reusable_up(const struct kgate_req *r)
{
	return r->body_done && r->rbody_done && !r->tunnel &&
	       r->rstate == KR_DONE && (r->rh.flags & KG_HTTP_F_KEEP_ALIVE) &&
	       r->rh.framing != KG_HTTP_BODY_CLOSE && kp_empty(&r->out);
}

static void conn_drop_up(struct kgate_conn *c)
{
	if (c->up) {
		kgate_up_close(c->up);
		c->up = NULL;
	}
}

/* The request is answered: log, count, and on to the next one or close. */
static void conn_done(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	bool close = r->close;

	req_count(r, KGATE_L7C_A_BYTES_IN, r->bytes_in);
	req_count(r, KGATE_L7C_A_BYTES_OUT, r->bytes_out);
	req_log(c, r);
	if (c->up) {
		if (req_reusable_up(r)) {
			kgate_pool_give(c->ls->kn, c->up);
			c->up = NULL;
		} else {
			conn_drop_up(c);
		}
	}
	c->req = NULL;
	req_free(r);
	if (close || c->in.eof) {
		c->state = KC_CLOSE;
		return;
	}
	c->nreq++;
	c->state = KC_HEAD;
	c->since = jiffies;
	/* An idle connection keeps no page, unless bytes wait in it. */
	if (kp_empty(&c->in))
		kp_free(&c->in);
}

/*
 * Answer with kgate's own response @status: closing when the framing is
 * lost (a request not parsed, or with a body not read) or asked for.
 * When the client got part of another answer already, just close.
 */
static void conn_answer_full(struct kgate_conn *c, u16 status, bool close,
			     u32 retry_after, const u8 *loc, u32 loc_len)
{
	struct kgate_req *r = c->req;
	struct kg_fwd_reply rp = {
		.status = status,
		.retry_after = retry_after,
		.location = loc,
		.location_len = loc_len,
	};
	int n;

	if (r->sent) {
		c->state = KC_CLOSE;
		return;
	}
	conn_drop_up(c);
	if (!r->parsed || !(r->h.flags & KG_HTTP_F_KEEP_ALIVE) ||
	    (!r->body_done && r->h.framing != KG_HTTP_BODY_NONE))
		close = true;
	rp.close = close;
	rp.head = r->parsed && r->h.method == KG_HTTP_M_HEAD;
	n = req_build_out(r, KB_REPLY, &rp, loc_len);
	if (n < 0) {
		c->state = KC_CLOSE;
		return;
	}
	r->olen = n;
	r->ooff = 0;
	r->oto = KO_CLIENT;
	r->status = status;
	r->close = close;
	r->rstate = KR_DONE;
	req_count_status(r, status);
	c->state = KC_REPLY;
	c->since = jiffies;
}

static void conn_answer(struct kgate_conn *c, u16 status, bool close)
{
	conn_answer_full(c, status, close, 0, NULL, 0);
}

/* Send the pending head (@more: its body follows): 0 when all of it went. */
static int out_send(struct kgate_conn *c, struct socket *sock, bool more)
{
	struct kgate_req *r = c->req;
	int n;

	while (r->ooff < r->olen) {
		n = send_buf(sock, r->obuf + r->ooff, r->olen - r->ooff, more);
		if (n < 0)
			return n;
		r->ooff += n;
		if (r->oto == KO_CLIENT) {
			r->bytes_out += n;
			r->sent = true;
		}
	}
	r->oto = KO_NONE;
	return 0;
}

static bool conn_reply(struct kgate_conn *c)
{
	int err = out_send(c, c->sock, false);

	if (err == -EAGAIN)
		return false;
	if (err) {
		c->state = KC_CLOSE;
		return true;
	}
	conn_done(c);
	return true;
}

/* HEAD: read and parse a request head */

static bool conn_head(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	size_t used, len;
	int n, rc;

	if (!r) {
		/* Idle: no buffer until a byte comes. */
		if (kp_empty(&c->in) && !sock_readable(c->sock))
			return false;
		r = req_new(c);
		if (!r) {
			c->state = KC_CLOSE;
			return true;
		}
		c->req = r;
	}
	if (kp_empty(&c->in)) {
		n = kp_recv(c->sock, &c->in);
		if (n == -EAGAIN)
			return false;
		if (n <= 0) {
			/* Nothing to answer, or nobody to answer to. */
			c->state = KC_CLOSE;
			return true;
		}
	}
	len = c->in.tail - c->in.head;
	rc = kg_http_head_feed(&r->h, kp_data(&c->in) + c->in.head, len,
			       &used);
	if (rc == KG_HTTP_MORE)
		used = len;
	c->in.head += used;
	r->bytes_in += used;
	if (rc == KG_HTTP_MORE)
		return true;
	if (rc == KG_HTTP_ROOM) {
		if (head_grow(&r->h, &r->hbuf))
			c->state = KC_CLOSE;
		return true;
	}
	if (rc < 0) {
		conn_answer(c, kg_http_status(rc), true);
		return true;
	}
	r->parsed = true;
	r->body_done = r->h.framing == KG_HTTP_BODY_NONE;
	kgate_l7_count(r->conf->cnt, KGATE_L7C_A_REQUESTS, 1);
	c->state = KC_ROUTE;
	return true;
}

/* ROUTE: match, policies, choice of a service */

/* The normalised path and the query into ->tbuf. */
static int req_target(struct kgate_req *r)
{
	const struct kg_http_head *h = &r->h;
	size_t len;
	u32 qpos;
	int rc;

	/* Halves: the target, then its rewrite (req_tbuf_most() for more). */
	r->tcap = 2 * (h->len + 1);
	r->tbuf = kvmalloc(r->tcap, GFP_KERNEL_ACCOUNT);
	r->mfields = kvmalloc_array(max_t(u32, h->nfields, 1),
				    sizeof(*r->mfields), GFP_KERNEL_ACCOUNT);
	if (!r->tbuf || !r->mfields)
		return -ENOMEM;
	if (h->form == KG_HTTP_T_ASTERISK) {
		r->tbuf[0] = '*';
		r->tlen = 1;
		return 0;
	}
	rc = kg_http_path_normalize(h->buf + h->path.off, h->path.len,
				    r->tbuf, r->tcap / 2, &len);
	if (rc)
		return rc;
	/* "/a?" keeps its '?': the query is forwarded as it came. */
	qpos = h->path.off + h->path.len;
	if (h->query.len ||
	    (qpos < h->target.off + h->target.len && h->buf[qpos] == '?')) {
		if (len + 1 + h->query.len > r->tcap / 2)
			return KG_HTTP_E_URI_TOO_LONG;
		r->tbuf[len++] = '?';
		memcpy(r->tbuf + len, h->buf + h->query.off, h->query.len);
		len += h->query.len;
	}
	r->tlen = len;
	return 0;
}

static void req_match_req(struct kgate_req *r, struct kg_match_req *mq)
{
	const struct kg_http_head *h = &r->h;
	u32 i;

	for (i = 0; i < h->nfields; i++) {
		r->mfields[i].name = (const char *)h->buf + h->fields[i].name.off;
		r->mfields[i].name_len = h->fields[i].name.len;
		r->mfields[i].value = (const char *)h->buf +
				      h->fields[i].value.off;
		r->mfields[i].value_len = h->fields[i].value.len;
	}
	mq->host = (const char *)h->buf + h->host.off;
	mq->host_len = (h->flags & KG_HTTP_F_HOST) ? h->host.len : 0;
	mq->target = (const char *)r->tbuf;
	mq->target_len = r->tlen;
	mq->method = (const char *)h->buf + h->mtoken.off;
	mq->method_len = h->mtoken.len;
	mq->fields = r->mfields;
	mq->nfields = h->nfields;
}

static u8 peer_family(const struct kgate_conn *c)
{
	return c->peer.family == 6 ? AF_INET6 : AF_INET;
}

static void conn_redirect(struct kgate_conn *c, const struct kg_match_table *t)
{
	struct kgate_req *r = c->req;
	struct kg_match_redirect_req rq = {
		.scheme = "http",
		.scheme_len = 4,
		.listener_port = r->conf->port,
		.target = (const char *)r->tbuf,
		.target_len = r->tlen,
	};
	const u8 *host;
	u32 status;
	int n;

	rq.host_len = req_host(r, &host);
	rq.host = (const char *)host;
	n = req_tbuf_most(r);
	if (n == -ENOMEM) {
		c->state = KC_CLOSE;
		return;
	}
	rq.target = (const char *)r->tbuf;
	n = kg_match_redirect(t, &r->res, &rq, (char *)r->tbuf + r->tlen,
			      r->tcap - r->tlen, &status);
	if (n < 0) {
		conn_answer(c, 500, false);
		return;
	}
	conn_answer_full(c, status, false, 0, r->tbuf + r->tlen, n);
}

/* The matched route's policies and backend: false when answered. */
static bool conn_route_rule(struct kgate_conn *c, const struct kg_match_table *t)
{
	struct kgate_req *r = c->req;
	struct kgate_ratelimit *rl;
	u32 retry;
	int idx;

	r->rt = r->conf->routes[r->res.route];
	kgate_l7_count(kgate_route_cnt(r->rt), KGATE_L7C_A_REQUESTS, 1);
	if (kg_match_is_redirect(t, r->res.rule_id)) {
		conn_redirect(c, t);
		return false;
	}
	if (!kgate_route_allows(r->rt, peer_family(c), c->peer.addr)) {
		conn_answer(c, 403, false);
		return false;
	}
	rl = kgate_route_rl(r->rt);
	retry = rl ? kgate_rl_take(rl, peer_family(c), c->peer.addr) : 0;
	if (retry) {
		conn_answer_full(c, 429, false, retry, NULL, 0);
		return false;
	}
	idx = kg_match_pick_backend(t, r->res.rule_id, get_random_u32());
	if (idx < 0) {
		conn_answer(c, idx == KG_MATCH_PICK_500 ? 500 : 404, false);
		return false;
	}
	r->svc = kgate_route_service(r->rt,
				     kg_match_backend_service(t, r->res.rule_id,
							      idx));
	return true;
}

/*
 * The body bytes that came with the head, checked before any upstream sees
 * the head: a request whose body is known to be malformed already (a bad
 * chunk size in the same segment) never reaches a backend.
 */
static bool req_body_ahead(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	struct kgate_pipe *p = &c->in;
	struct kg_http_body b;
	size_t used;
	int rc;

	if (kp_empty(p) || (r->h.framing != KG_HTTP_BODY_LENGTH &&
			    r->h.framing != KG_HTTP_BODY_CHUNKED))
		return true;
	kg_http_body_init(&b, &r->h);
	b.max_payload = r->conf->lim.body_bytes;
	rc = kg_http_body_feed(&b, kp_data(p) + p->head, p->tail - p->head,
			       &used);
	if (rc >= 0)
		return true;
	conn_answer(c, kg_http_status(rc), true);
	return false;
}

static void conn_route(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	const struct kg_match_table *t = req_table(r);
	struct kg_match_req mq;
	int rc;

	if (r->h.form == KG_HTTP_T_AUTHORITY) {
		/* CONNECT: kgate is no forward proxy. */
		conn_answer(c, 501, true);
		return;
	}
	if (r->h.framing == KG_HTTP_BODY_LENGTH && r->conf->lim.body_bytes &&
	    r->h.content_length > r->conf->lim.body_bytes) {
		conn_answer(c, 413, true);
		return;
	}
	rc = req_target(r);
	if (rc == -ENOMEM) {
		c->state = KC_CLOSE;
		return;
	}
	if (rc) {
		conn_answer(c, kg_http_status(rc), true);
		return;
	}
	req_match_req(r, &mq);
	rc = t ? kg_match_lookup(t, &mq, &r->res) : -ENOENT;
	if (rc) {
		if (!r->conf->default_backend) {
			conn_answer(c, 404, false);
			return;
		}
		r->svc = r->conf->default_backend;
	} else if (!conn_route_rule(c, t)) {
		return;
	}
	if (!req_body_ahead(c))
		return;
	c->state = KC_CONNECT;
	c->since = jiffies;
}

/* CONNECT and SEND_HEAD */

/* The head for the upstream into ->obuf; false when answered instead. */
static bool req_build(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	const struct kg_match_table *t = req_table(r);
	struct kg_fwd_req fr = {
		.h = &r->h,
		.target = r->tbuf,
		.target_len = r->tlen,
		.rule_id = KG_MATCH_NONE,
		.client = c->peer,
		.listener_port = r->conf->port,
		.trust_forwarded = r->conf->flags & KGATE_LIS_F_TRUST_FORWARDED,
	};
	const char *host;
	int n;

	fr.host_len = req_host(r, &fr.host);
	if (r->rt) {
		do {
			n = kg_match_rewrite_path(t, &r->res,
						  (const char *)r->tbuf,
						  r->tlen,
						  (char *)r->tbuf + r->tlen,
						  r->tcap - r->tlen);
		} while (n == -ENOSPC && !req_tbuf_most(r));
		if (n < 0) {
			conn_answer(c, 500, false);
			return false;
		}
		fr.target = r->tbuf + r->tlen;
		fr.target_len = n;
		if (kg_match_rewrite_host(t, r->res.rule_id, &host,
					  &fr.host_len))
			fr.host = (const u8 *)host;
		fr.t = t;
		fr.rule_id = r->res.rule_id;
	}
	n = req_build_out(r, KB_REQUEST, &fr, r->h.len + fr.target_len);
	if (n == -ENOMEM) {
		c->state = KC_CLOSE;
		return false;
	}
	if (n < 0) {
		conn_answer(c, 500, false);
		return false;
	}
	r->olen = n;
	r->ooff = 0;
	r->oto = KO_UP;
	kg_http_body_init(&r->b, &r->h);
	r->b.max_payload = r->conf->lim.body_bytes;
	return true;
}

static void conn_connected(struct kgate_conn *c)
{
	c->req->connected = true;
	if (req_build(c)) {
		c->state = KC_SEND_HEAD;
		c->since = jiffies;
	}
}

/* Connecting failed: once more elsewhere if that is safe, else 502/504. */
static void conn_connect_failed(struct kgate_conn *c, int err)
{
	struct kgate_req *r = c->req;

	conn_drop_up(c);
	if (!r->retried && kg_http_method_idempotent(r->h.method)) {
		r->retried = true;
		r->have_avoid = true;
		r->avoid = r->dst;
		c->since = jiffies;
		return;
	}
	conn_answer(c, err == -ETIMEDOUT ? 504 : 502, false);
}

static bool conn_connect(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	struct kgate_net *kn = c->ls->kn;
	int err;

	if (!c->up) {
		err = kgate_l7_pick(kn, r->svc, get_random_u32(),
				    r->have_avoid ? &r->avoid : NULL, &r->dst);
		if (err) {
			conn_answer(c, 503, false);
			return true;
		}
		c->up = kgate_pool_take(kn, &r->dst, c);
		if (c->up) {
			r->reused = true;
			req_count(r, KGATE_L7C_A_UPSTREAM_REUSES, 1);
			conn_connected(c);
			return true;
		}
		err = kgate_up_connect(kn, &r->dst, c, &c->up);
		if (err != -ENOMEM)
			req_count(r, KGATE_L7C_A_UPSTREAM_CONNECTS, 1);
		c->since = jiffies;
		if (err && err != -EINPROGRESS) {
			c->up = NULL;
			conn_connect_failed(c, err);
			return true;
		}
	}
	err = kgate_up_connected(c->up);
	if (err == -EINPROGRESS)
		return false;
	if (err)
		conn_connect_failed(c, err);
	else
		conn_connected(c);
	return true;
}

/* The relay: the request's way and the response's */

/* Ready for a response head; -ENOMEM. */
static int resp_start(struct kgate_req *r)
{
	u32 cap = min_t(u32, r->head_max, KC_HEAD_FIRST);

	if (!r->rhbuf) {
		r->rhbuf = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
		r->rfields = kvmalloc_array(r->fields_max, sizeof(*r->rfields),
					    GFP_KERNEL_ACCOUNT);
		if (!r->rhbuf || !r->rfields)
			return -ENOMEM;
	} else {
		/* A head after a 1xx: in the buffer that one grew to. */
		cap = r->rh.cap;
	}
	kg_http_head_init_response(&r->rh, r->rhbuf, cap, r->rfields,
				   r->fields_max, r->h.method);
	kg_http_head_allow(&r->rh, r->head_max);
	r->rstate = KR_HEAD;
	return 0;
}

/*
 * The upstream failed or closed before the response ended.  A request
 * sent on a pooled connection that the backend closed meanwhile (the
 * race every keep-alive pool has) goes again on a new one when nothing
 * of it is lost: idempotent, no body, no answer yet.
 */
static void conn_up_failed(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;

	if (r->reused && r->rstate == KR_HEAD && !r->sent &&
	    r->h.framing == KG_HTTP_BODY_NONE && kp_empty(&r->out) &&
	    kg_http_method_idempotent(r->h.method)) {
		conn_drop_up(c);
		r->reused = false;
		r->rstate = KR_NONE;
		c->state = KC_CONNECT;
		c->since = jiffies;
		return;
	}
	conn_answer(c, 502, true);
}

/* The request head, then its body, to the upstream. */
static int req_pump(struct kgate_conn *c, bool *moved)
{
	struct kgate_req *r = c->req;
	struct socket *up = c->up->sock;
	struct kgate_pipe *p = &c->in;
	bool more;
	int i, n, rc;
	size_t used;

	if (c->state == KC_SEND_HEAD) {
		n = out_send(c, up, !r->body_done && (!kp_empty(p) ||
						      bytes_waiting(c->sock)));
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return -EPIPE;
		*moved = true;
		c->state = r->body_done ? KC_WAIT : KC_BODY;
		/* Without memory for the response: close, as without a request. */
		if (resp_start(r))
			return -ECONNRESET;
	}
	for (i = 0; c->state == KC_BODY && i < KC_BUDGET; i++) {
		if (p->ready) {
			more = !r->body_done && bytes_waiting(c->sock);
			n = kp_send(up, p, more);
			if (n < 0)
				return n == -EAGAIN ? 0 : -EPIPE;
			r->bytes_in += n;
			*moved = true;
			continue;
		}
		if (r->body_done) {
			c->state = KC_WAIT;
			break;
		}
		if (kp_empty(p)) {
			n = kp_recv(c->sock, p);
			if (n == -EAGAIN)
				return 0;
			/* The client left in the middle of its body. */
			if (n <= 0)
				return -ECONNRESET;
			*moved = true;
		}
		rc = kg_http_body_feed(&r->b, kp_data(p) + p->head,
				       p->tail - p->head, &used);
		if (rc < 0) {
			conn_answer(c, kg_http_status(rc), true);
			return 1;
		}
		p->ready = rc == KG_HTTP_MORE ? p->tail - p->head : used;
		if (rc == KG_HTTP_DONE)
			r->body_done = true;
	}
	return 0;
}

/* The final response's head is in: what the client gets, and how. */
static void resp_final(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	const struct kg_match_table *t = req_table(r);
	struct kg_fwd_resp fp = {
		.h = &r->rh,
		.rule_id = KG_MATCH_NONE,
		.client_minor = r->h.minor,
	};
	int n;

	r->tunnel = r->rh.framing == KG_HTTP_BODY_TUNNEL;
	r->close = !(r->h.flags & KG_HTTP_F_KEEP_ALIVE) || c->in.eof ||
		   r->rh.framing == KG_HTTP_BODY_CLOSE || !r->body_done;
	if (r->rt) {
		fp.t = t;
		fp.rule_id = r->res.rule_id;
	}
	fp.close = r->close && !r->tunnel;
	n = req_build_out(r, KB_RESPONSE, &fp, r->rh.len);
	if (n < 0) {
		conn_answer(c, 502, true);
		return;
	}
	r->olen = n;
	r->ooff = 0;
	r->oto = KO_CLIENT;
	r->status = r->rh.status;
	r->ttfb = ktime_get();
	req_count_status(r, r->status);
	kg_http_body_init(&r->rb, &r->rh);
	r->rbody_done = r->rh.framing == KG_HTTP_BODY_NONE;
	r->rstate = KR_BODY;
}

/* A 1xx other than 101: relay it, then read the next head. */
static void resp_info(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	struct kg_fwd_resp fp = {
		.h = &r->rh,
		.rule_id = KG_MATCH_NONE,
		.client_minor = r->h.minor,
	};
	int n;

	n = req_build_out(r, KB_RESPONSE, &fp, r->rh.len);
	if (n < 0) {
		conn_answer(c, 502, true);
		return;
	}
	r->olen = n;
	r->ooff = 0;
	r->oto = KO_CLIENT;
	req_count_status(r, r->rh.status);
	if (resp_start(r))
		c->state = KC_CLOSE;
}

/* Feed the response's bytes to its parsers: < 0 on an error. */
static int resp_feed(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	struct kgate_pipe *p = &r->out;
	size_t used, len = p->tail - p->head;
	int rc;

	if (r->rstate == KR_HEAD) {
		rc = kg_http_head_feed(&r->rh, kp_data(p) + p->head, len,
				       &used);
		if (rc == KG_HTTP_MORE)
			used = len;
		p->head += used;
		if (rc < 0)
			return rc;
		if (rc == KG_HTTP_ROOM)
			return head_grow(&r->rh, &r->rhbuf);
		if (rc == KG_HTTP_DONE) {
			if (r->rh.flags & KG_HTTP_F_INFO)
				resp_info(c);
			else
				resp_final(c);
		}
		return 0;
	}
	if (r->tunnel) {
		p->ready = len;
		return 0;
	}
	rc = kg_http_body_feed(&r->rb, kp_data(p) + p->head, len, &used);
	if (rc < 0)
		return rc;
	p->ready = rc == KG_HTTP_MORE ? len : used;
	if (rc == KG_HTTP_DONE)
		r->rbody_done = true;
	return 0;
}

/* The upstream closed: the end of a close-delimited body, or a failure. */
static int resp_eof(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;

	if (r->rstate == KR_BODY && !r->tunnel &&
	    kg_http_body_eof(&r->rb) == KG_HTTP_DONE) {
		r->rbody_done = true;
		return 0;
	}
	return -EPIPE;
}

/* The response, head and body, to the client. */
static int resp_pump(struct kgate_conn *c, bool *moved)
{
	struct kgate_req *r = c->req;
	struct kgate_pipe *p = &r->out;
	bool more;
	int i, n, rc;

	for (i = 0; i < KC_BUDGET && r->rstate != KR_DONE; i++) {
		if (r->oto == KO_CLIENT) {
			n = out_send(c, c->sock, !r->rbody_done &&
				     (!kp_empty(p) || bytes_waiting(c->up->sock)));
			if (n < 0)
				return n == -EAGAIN ? 0 : -ECONNRESET;
			*moved = true;
			if (r->tunnel) {
				/* What either side sent after the heads. */
				c->state = KC_TUNNEL;
				c->in.ready = c->in.tail - c->in.head;
				p->ready = p->tail - p->head;
				return 0;
			}
			continue;
		}
		if (p->ready) {
			more = !r->rbody_done && bytes_waiting(c->up->sock);
			n = kp_send(c->sock, p, more);
			if (n < 0)
				return n == -EAGAIN ? 0 : -ECONNRESET;
			r->bytes_out += n;
			r->sent = true;
			*moved = true;
			continue;
		}
		if (r->rstate == KR_BODY && r->rbody_done) {
			r->rstate = KR_DONE;
			break;
		}
		if (kp_empty(p) && !p->eof) {
			n = kp_recv(c->up->sock, p);
			if (n == -EAGAIN)
				return 0;
			if (n < 0)
				return -EPIPE;
			*moved = true;
		}
		if (kp_empty(p)) {
			/* End of file: the body's end, or a failure. */
			rc = resp_eof(c);
			if (rc)
				return rc;
			continue;
		}
		if (resp_feed(c) < 0) {
			/* A response refused by the parser: 502. */
			conn_answer(c, 502, true);
			return 1;
		}
		if (c->state == KC_REPLY || c->state == KC_CLOSE)
			return 1;
	}
	return 0;
}

static bool conn_relay(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	bool moved = false;
	int rc;

	rc = req_pump(c, &moved);
	if (rc == -ECONNRESET || (rc < 0 && r->sent)) {
		c->state = KC_CLOSE;
		return true;
	}
	if (rc < 0) {
		conn_up_failed(c);
		return true;
	}
	if (rc > 0 || c->state == KC_REPLY || c->state == KC_CLOSE)
		return true;
	if (r->rstate != KR_NONE) {
		rc = resp_pump(c, &moved);
		if (rc == -ECONNRESET) {
			c->state = KC_CLOSE;
			return true;
		}
		if (rc < 0) {
			conn_up_failed(c);
			return true;
		}
		if (rc > 0 || (c->state != KC_WAIT && c->state != KC_BODY))
			return true;
	}
	if (c->state == KC_WAIT && r->rstate == KR_DONE) {
		conn_done(c);
		return true;
	}
	/* Answered before the body ended (and told to close): stop here. */
	if (c->state == KC_BODY && r->rstate == KR_DONE && !r->body_done) {
		r->close = true;
		conn_done(c);
		return true;
	}
	if (moved)
		c->since = jiffies;
	return moved;
}

/* TUNNEL: bytes both ways, until either side closes */

static int tunnel_move(struct socket *from, struct socket *to,
		       struct kgate_pipe *p, u64 *count, bool *moved)
{
	int i, n;

	for (i = 0; i < KC_BUDGET; i++) {
		if (p->ready) {
			n = kp_send(to, p, false);
			if (n == -EAGAIN)
				return 0;
			if (n < 0)
				return n;
			*count += n;
			*moved = true;
			continue;
		}
		if (p->eof)
			return -EPIPE;
		n = kp_recv(from, p);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0)
			return n ? n : -EPIPE;
		p->ready = p->tail - p->head;
		*moved = true;
	}
	return 0;
}

static bool conn_tunnel(struct kgate_conn *c)
{
	struct kgate_req *r = c->req;
	bool moved = false;

	if (tunnel_move(c->sock, c->up->sock, &c->in, &r->bytes_in, &moved) ||
	    tunnel_move(c->up->sock, c->sock, &r->out, &r->bytes_out,
			&moved)) {
		r->close = true;
		r->rstate = KR_DONE;
		conn_done(c);
		return true;
	}
	if (moved)
		c->since = jiffies;
	return moved;
}

/* Timeouts */

static unsigned long conn_deadline(const struct kgate_conn *c)
{
	const struct kgate_req *r = c->req;
	u32 ms;

	switch (c->state) {
	case KC_HEAD:
		if (r)
			return r->since + msecs_to_jiffies(c->head_ms);
		/* The first request gets the head timeout from the accept. */
		ms = c->nreq ? c->idle_ms : c->head_ms;
		break;
	case KC_CONNECT:
		ms = r->conf->lim.connect_timeout;
		break;
	case KC_SEND_HEAD:
	case KC_BODY:
	case KC_WAIT:
	case KC_TUNNEL:
		ms = r->conf->lim.response_timeout;
		break;
	default:
		/* START, REPLY: the client has the head timeout. */
		ms = c->head_ms;
		break;
	}
	return c->since + msecs_to_jiffies(ms);
}

static void conn_timeout(struct kgate_conn *c)
{
	switch (c->state) {
	case KC_HEAD:
		if (c->req)
			conn_answer(c, 408, true);
		else
			c->state = KC_CLOSE;
		break;
	case KC_CONNECT:
		conn_connect_failed(c, -ETIMEDOUT);
		break;
	case KC_SEND_HEAD:
	case KC_BODY:
	case KC_WAIT:
		conn_answer(c, 504, true);
		break;
	default:
		c->state = KC_CLOSE;
		break;
	}
}

/* The work */

static bool conn_step(struct kgate_conn *c)
{
	switch (c->state) {
	case KC_START:
		c->state = KC_HEAD;
		return true;
	case KC_HEAD:
		return conn_head(c);
	case KC_ROUTE:
		conn_route(c);
		return true;
	case KC_CONNECT:
		return conn_connect(c);
	case KC_SEND_HEAD:
	case KC_BODY:
	case KC_WAIT:
		return conn_relay(c);
	case KC_REPLY:
		return conn_reply(c);
	case KC_TUNNEL:
		return conn_tunnel(c);
	default:
		return false;
	}
}

static void conn_free(struct kgate_conn *c)
{
	kgate_l7_cnt_put(c->cnt);
	kgate_lsock_put(c->ls);
	kfree(c);
}

static void conn_put(struct kgate_conn *c)
{
	if (refcount_dec_and_test(&c->ref))
		conn_free(c);
}

/* Release everything of @c: callbacks restored, work not running. */
static void conn_release(struct kgate_conn *c)
{
	struct kgate_lsock *ls = c->ls;
	struct kgate_req *r = c->req;

	if (r) {
		/* An answer cut short still goes to the log and counters. */
		if (r->status) {
			req_count(r, KGATE_L7C_A_BYTES_IN, r->bytes_in);
			req_count(r, KGATE_L7C_A_BYTES_OUT, r->bytes_out);
			req_log(c, r);
		}
		c->req = NULL;
		req_free(r);
	}
	conn_drop_up(c);
	kp_free(&c->in);
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	sock_release(c->sock);
	c->sock = NULL;
	spin_lock_bh(&ls->lock);
	list_del_init(&c->node);
	spin_unlock_bh(&ls->lock);
	atomic_dec(&ls->n_conns);
	atomic_dec(&c->cnt->open);
}

/* The work ends its own connection. */
static void conn_end(struct kgate_conn *c)
{
	if (test_and_set_bit(KC_F_DEAD, &c->flags))
		return;
	conn_unhook(c);
	/* Only a callback or the timer could queue it again: none can now. */
	timer_shutdown_sync(&c->timer);
	cancel_work(&c->work);
	conn_release(c);
	conn_put(c);
}

static void conn_work(struct work_struct *work)
{
	struct kgate_conn *c = container_of(work, struct kgate_conn, work);
	/* The CPU's other connections wait meanwhile: two ticks at most. */
	unsigned long deadline, until = jiffies + 1;
	bool progress = true;
	int i;

	if (test_bit(KC_F_DEAD, &c->flags))
		return;
	if (time_after_eq(jiffies, conn_deadline(c)))
		conn_timeout(c);
	for (i = 1; progress && c->state != KC_CLOSE; i++) {
		progress = conn_step(c);
		if (i == KC_STEPS || time_after(jiffies, until))
			break;
	}
	if (c->state == KC_CLOSE) {
		conn_end(c);
		return;
	}
	if (progress) {
		/* Yielded with more to do: behind the others. */
		queue_work(kgate_l7_wq, &c->work);
		return;
	}
	/*
	 * A deadline that moved later leaves the timer where it was: when it
	 * fires, this sees the deadline not reached and sets it again.  So a
	 * busy connection does not touch its timer at each request.
	 */
	deadline = conn_deadline(c);
	if (time_after(deadline, jiffies))
		timer_reduce(&c->timer, deadline);
	else
		queue_work(kgate_l7_wq, &c->work);
}

/* Accepting and closing */

static void peer_set(struct kg_fwd_peer *p, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;

	memset(p, 0, sizeof(*p));
	if (ss->ss_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&s6->sin6_addr)) {
		p->family = 6;
		memcpy(p->addr, &s6->sin6_addr, 16);
		p->port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		/* A client of "::" over IPv4 is an IPv4 client. */
		p->family = 4;
		memcpy(p->addr, &s6->sin6_addr.s6_addr32[3], 4);
		p->port = ntohs(s6->sin6_port);
	} else {
		p->family = 4;
		memcpy(p->addr, &s4->sin_addr, 4);
		p->port = ntohs(s4->sin_port);
	}
}

/* Over max_conns: a 503 that says why, then close. */
static void conn_refuse(struct socket *sock, struct kgate_l7_conf *conf)
{
	struct kg_fwd_reply rp = { .status = 503, .close = true };
	u8 buf[256];
	int n;

	kgate_l7_count(conf->cnt, KGATE_L7C_A_CONNS_REFUSED, 1);
	n = kg_fwd_reply(&rp, buf, sizeof(buf));
	if (n > 0)
		send_buf(sock, buf, n, false);
	kernel_sock_shutdown(sock, SHUT_WR);
	sock_release(sock);
}

void kgate_conn_accept(struct kgate_lsock *ls, struct socket *sock)
{
	struct kgate_l7_conf *conf = kgate_lsock_conf(ls);
	struct sockaddr_storage ss = {};
	struct kgate_conn *c;

	if (!conf)
		goto err_sock;
	if (atomic_inc_return(&ls->n_conns) > conf->max_conns) {
		atomic_dec(&ls->n_conns);
		conn_refuse(sock, conf);
		kgate_l7_conf_put(conf);
		return;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c || kernel_getpeername(sock, (struct sockaddr *)&ss) < 0)
		goto err_conn;
	refcount_set(&c->ref, 1);
	c->sock = sock;
	c->state = KC_START;
	c->head_ms = conf->lim.head_timeout;
	c->idle_ms = conf->lim.idle_timeout;
	c->since = jiffies;
	peer_set(&c->peer, &ss);
	INIT_WORK(&c->work, conn_work);
	timer_setup(&c->timer, conn_timer, 0);
	tcp_sock_set_nodelay(sock->sk);

	spin_lock_bh(&ls->lock);
	if (ls->shut) {
		spin_unlock_bh(&ls->lock);
		goto err_conn;
	}
	refcount_inc(&ls->ref);
	c->ls = ls;
	list_add_tail(&c->node, &ls->conns);
	spin_unlock_bh(&ls->lock);
	c->cnt = kgate_l7_cnt_get(conf->cnt);
	atomic_inc(&c->cnt->open);
	kgate_l7_count(conf->cnt, KGATE_L7C_A_CONNS, 1);
	kgate_l7_conf_put(conf);

	conn_hook(c);
	/* Bytes that came before the callbacks: the first run reads them. */
	queue_work(kgate_l7_wq, &c->work);
	return;

err_conn:
	kfree(c);
	atomic_dec(&ls->n_conns);
	kgate_l7_conf_put(conf);
err_sock:
	sock_release(sock);
}

/* Close @c from outside its work (the listener or the namespace goes). */
static void conn_kill(struct kgate_conn *c)
{
	if (test_and_set_bit(KC_F_DEAD, &c->flags)) {
		/* Its work is ending it: wait until it has. */
		cancel_work_sync(&c->work);
		return;
	}
	conn_unhook(c);
	/* Shut first: a run of the work in progress cannot arm it again. */
	timer_shutdown_sync(&c->timer);
	cancel_work_sync(&c->work);
	conn_release(c);
	conn_put(c);
}

void kgate_conns_close(struct kgate_lsock *ls)
{
	struct kgate_conn *c;

	for (;;) {
		spin_lock_bh(&ls->lock);
		c = list_first_entry_or_null(&ls->conns, struct kgate_conn,
					     node);
		if (c) {
			list_del_init(&c->node);
			refcount_inc(&c->ref);
		}
		spin_unlock_bh(&ls->lock);
		if (!c)
			break;
		conn_kill(c);
		conn_put(c);
	}
}

int kgate_conn_module_init(void)
{
	/*
	 * Per CPU: a connection's work runs where its socket's softirq
	 * queued it, so waking it needs no other CPU (with an unbound queue,
	 * reschedule IPIs showed in the profile).  A run yields after a
	 * tick (conn_work()), as nvme-tcp's io_work does.
	 */
	kgate_l7_wq = alloc_workqueue("kgate_l7", WQ_MEM_RECLAIM, 0);
	return kgate_l7_wq ? 0 : -ENOMEM;
}

void kgate_conn_module_exit(void)
{
	destroy_workqueue(kgate_l7_wq);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest HTTP/1.1 server that serves /metrics from kgated's poll
 * loop: one request per connection, answered and closed.
 *
 * kgated polls one fd: an epoll set holding the listening socket, every
 * pending connection and a timerfd for their deadlines, so that a new
 * connection, a request arriving in pieces, a client ready for more of
 * the answer and a deadline passing all wake the loop.  Nothing blocks:
 * kgd_http_serve() takes each connection as far as it can go and leaves
 * it for the next wake-up.  At most HTTP_CONNS connections are held, each
 * with its head buffer and a deadline; while they are all taken the
 * listening socket leaves the set (new clients wait in the backlog), so a
 * slow client costs a slot for two seconds and never a busy loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

#define HTTP_CONNS	8
#define HTTP_HEAD_MAX	8192
#define HTTP_HEAD_MS	2000	/* from accept to a whole request head */
#define HTTP_SEND_MS	5000	/* from the head to the answer's last byte */
#define HTTP_BACKLOG	16

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define TEXT_TYPE	"text/plain; charset=utf-8"

enum conn_state {
	CONN_FREE,
	CONN_HEAD,	/* reading the request head */
	CONN_SEND,	/* writing the answer */
	CONN_LINGER,	/* answer sent and shut: reading until the client closes */
};

struct conn {
	int fd;
	enum conn_state state;
	int64_t deadline;		/* ms, CLOCK_MONOTONIC */
	size_t len;
	char head[HTTP_HEAD_MAX + 1];	/* + a NUL for parsing */
	char *out;			/* the whole answer, malloc'ed */
	size_t out_len, out_off;
};

struct kgd_http {
	int lfd, ep, tfd;
	bool listening;			/* lfd in the epoll set */
	struct conn c[HTTP_CONNS];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the address ---------------------------------------------------- */

#define ADDR_FORMS "expected ADDR:PORT, [ADDR6]:PORT or :PORT"

/*
 * "127.0.0.1:9788", "[::1]:9788" or ":9788" into @ss (@sl long); family
 * AF_UNSPEC with the port alone when no address was given.  0 or -EINVAL
 * with @why.
 */
static int parse_listen(const char *addr, struct sockaddr_storage *ss,
			socklen_t *sl, char *why, size_t whylen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	const char *colon, *host = addr;
	size_t hlen;
	char buf[INET6_ADDRSTRLEN];
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if (*addr == '[') {
		const char *end = strchr(addr, ']');

		if (!end || end[1] != ':') {
			snprintf(why, whylen, "\"%s\": %s", addr, ADDR_FORMS);
			return -EINVAL;
		}
		host = addr + 1;
		hlen = end - host;
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon) {
			snprintf(why, whylen, "\"%s\": no port: %s", addr,
				 ADDR_FORMS);
			return -EINVAL;
		}
		hlen = colon - addr;
		if (memchr(addr, ':', hlen)) {
			snprintf(why, whylen,
				 "\"%s\": an IPv6 address goes in brackets, as [::1]:9788",
				 addr);
			return -EINVAL;
		}
	}
	if (kgate_parse_uint(colon + 1, 65535, &port)) {
		snprintf(why, whylen, "\"%s\": port \"%s\" is not a number 0..65535",
			 addr, colon + 1);
		return -EINVAL;
	}
	if (!hlen && *addr != '[') {
		sin->sin_port = htons(port);	/* family AF_UNSPEC: any */
		return 0;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)hlen, host);
	if (hlen < sizeof(buf) && *addr == '[' &&
	    inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*sl = sizeof(*sin6);
		return 0;
	}
	if (hlen < sizeof(buf) && *addr != '[' &&
	    inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*sl = sizeof(*sin);
		return 0;
	}
	snprintf(why, whylen, "\"%s\": \"%.*s\" is not an IP%s address", addr,
		 (int)hlen, host, *addr == '[' ? "v6" : "v4");
	return -EINVAL;
}

/* Every address: IPv6 and IPv4 on one socket, or IPv4 alone without v6. */
static int any_socket(struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	uint16_t port = sin->sin_port;	/* where parse_listen() put it */
	int off = 0, fd;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = port;
		*sl = sizeof(*sin6);
		if (!setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
				sizeof(off)))
			return fd;
		close(fd);
	}
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	sin->sin_port = port;
	*sl = sizeof(*sin);
	return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int listen_on(const char *addr, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int on = 1, fd, err;

	err = parse_listen(addr, &ss, &sl, why, whylen);
	if (err)
		return err;
	if (ss.ss_family == AF_UNSPEC) {
		fd = any_socket(&ss, &sl);
	} else {
		fd = socket(ss.ss_family,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		err = -errno;
		snprintf(why, whylen, "socket for %s: %s", addr, strerror(-err));
		return err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) ||
	    listen(fd, HTTP_BACKLOG)) {
		err = -errno;
		snprintf(why, whylen, "listen on %s: %s", addr,
			 strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* ---- the server ----------------------------------------------------- */

static int ep_add(struct kgd_http *h, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int ep_mod(struct kgd_http *h, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(h->ep, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

int kgd_http_open(struct kgd_http **out, const char *addr, char *why,
		  size_t whylen)
{
	struct kgd_http *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	h->ep = h->tfd = -1;
	h->lfd = listen_on(addr, why, whylen);
	if (h->lfd < 0) {
		err = h->lfd;
		free(h);
		return err;
	}
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	err = h->ep < 0 || h->tfd < 0 ? -errno : 0;
	if (!err)
		err = ep_add(h, h->lfd, EPOLLIN);
	if (!err)
		err = ep_add(h, h->tfd, EPOLLIN);
	if (err) {
		snprintf(why, whylen, "poll set for %s: %s", addr,
			 strerror(-err));
		kgd_http_close(h);
		return err;
	}
	h->listening = true;
	*out = h;
	return 0;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->state = CONN_FREE;
}

void kgd_http_close(struct kgd_http *h)
{
	if (!h)
		return;
	for (int i = 0; i < HTTP_CONNS; i++)
		if (h->c[i].state != CONN_FREE)
			conn_close(&h->c[i]);
	if (h->tfd >= 0)
		close(h->tfd);
	if (h->ep >= 0)
		close(h->ep);
	close(h->lfd);
	free(h);
}

int kgd_http_fd(const struct kgd_http *h)
{
	return h->ep;
}

/* ---- one connection ------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Internal Server Error";
	}
}

/* The answer into c->out, and the connection on to sending it. */
static void answer(struct kgd_http *h, struct conn *c, int status,
		   const char *type, const char *body, size_t len, bool head)
{
	FILE *f = open_memstream(&c->out, &c->out_len);

	if (!f) {
		conn_close(c);
		return;
	}
	fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		"Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		status, reason(status), type, len,
		status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		fwrite(body, 1, len, f);
	if (fclose(f) || ep_mod(h, c->fd, EPOLLOUT)) {
		conn_close(c);
		return;
	}
	c->out_off = 0;
	c->state = CONN_SEND;
	c->deadline = now_ms() + HTTP_SEND_MS;
}

static void answer_text(struct kgd_http *h, struct conn *c, int status,
			const char *text, bool head)
{
	answer(h, c, status, TEXT_TYPE, text, strlen(text), head);
}

/* @cb's body, or 500 when it fails. */
static void answer_metrics(struct kgd_http *h, struct conn *c, bool head,
			   kgd_metrics_cb cb, void *data)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	int rc;

	if (!f) {
		answer_text(h, c, 500, "out of memory\n", head);
		return;
	}
	rc = cb(f, data);
	if (fclose(f) || rc)
		answer_text(h, c, 500, "metrics not available\n", head);
	else
		answer(h, c, 200, METRICS_TYPE, body, len, head);
	free(body);
}

/* "METHOD SP TARGET SP HTTP/1.x": what the request asks for. */
static void route(struct kgd_http *h, struct conn *c, kgd_metrics_cb cb,
		  void *data)
{
	char *method = c->head, *target, *version;
	bool get, head;

	c->head[c->len] = '\0';
	method[strcspn(method, "\r\n")] = '\0';
	target = strchr(method, ' ');
	version = target ? strchr(target + 1, ' ') : NULL;
	if (!version || target == method || target[1] != '/' ||
	    strncmp(version, " HTTP/1.", 8) || !strchr("01", version[8]) ||
	    version[9]) {
		answer_text(h, c, 400, "bad request\n", false);
		return;
	}
	*target++ = '\0';
	*version = '\0';
	target[strcspn(target, "?")] = '\0';
	get = !strcmp(method, "GET");
	head = !strcmp(method, "HEAD");
	if (strcmp(target, "/metrics"))
		answer_text(h, c, 404, "not found: try /metrics\n", head);
	else if (!get && !head)
		answer_text(h, c, 405, "only GET and HEAD\n", false);
	else
		answer_metrics(h, c, head, cb, data);
}

/* The end of the head ("\r\n\r\n", or "\n\n" from a lax client). */
static bool head_done(const struct conn *c, size_t from)
{
	from = from > 3 ? from - 3 : 0;
	return memmem(c->head + from, c->len - from, "\r\n\r\n", 4) ||
	       memmem(c->head + from, c->len - from, "\n\n", 2);
}

static void read_head(struct kgd_http *h, struct conn *c, kgd_metrics_cb cb,
		      void *data)
{
	while (c->state == CONN_HEAD) {
		size_t from = c->len;
		ssize_t n;

		if (c->len == HTTP_HEAD_MAX) {
			answer_text(h, c, 400, "request head over 8 KiB\n",
				    false);
			return;
		}
		n = recv(c->fd, c->head + c->len, HTTP_HEAD_MAX - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->len += n;
		if (head_done(c, from))
			route(h, c, cb, data);
	}
}

/*
 * The answer, then our side shut: the client sees the end, and what it
 * still sends is read rather than left to reset the connection under the
 * answer (a request head over the limit, a body).
 */
static void send_answer(struct kgd_http *h, struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_close(c);
			return;
		}
		c->out_off += n;
	}
	free(c->out);
	c->out = NULL;
	if (shutdown(c->fd, SHUT_WR) || ep_mod(h, c->fd, EPOLLIN)) {
		conn_close(c);
		return;
	}
	c->state = CONN_LINGER;
}

static void linger(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->head, HTTP_HEAD_MAX, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
	}
}

static void conn_step(struct kgd_http *h, struct conn *c, int64_t now,
		      kgd_metrics_cb cb, void *data)
{
	if (c->state == CONN_HEAD)
		read_head(h, c, cb, data);
	if (c->state == CONN_SEND)
		send_answer(h, c);
	if (c->state == CONN_LINGER)
		linger(c);
	if (c->state != CONN_FREE && now >= c->deadline)
		conn_close(c);
}

/* ---- the loop's side ------------------------------------------------ */

static struct conn *free_conn(struct kgd_http *h)
{
	for (int i = 0; i < HTTP_CONNS; i++)
		if (h->c[i].state == CONN_FREE)
			return &h->c[i];
	return NULL;
}

static void accept_all(struct kgd_http *h, int64_t now)
{
	struct conn *c;

	while ((c = free_conn(h))) {
		int fd = accept4(h->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0)
			return;
		if (ep_add(h, fd, EPOLLIN)) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->state = CONN_HEAD;
		c->len = 0;
		c->deadline = now + HTTP_HEAD_MS;
	}
}

/* New clients only while there is a slot for them. */
static void listen_when_room(struct kgd_http *h)
{
	bool room = free_conn(h) != NULL;
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = h->lfd };

	if (room == h->listening)
		return;
	if (!epoll_ctl(h->ep, room ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, h->lfd,
		       &ev))
		h->listening = room;
}

/* The timer at the first deadline, or stopped when no one is waiting. */
static void arm_timer(struct kgd_http *h)
{
	struct itimerspec its = { 0 };
	int64_t first = INT64_MAX;

	for (int i = 0; i < HTTP_CONNS; i++)
		if (h->c[i].state != CONN_FREE && h->c[i].deadline < first)
			first = h->c[i].deadline;
	if (first != INT64_MAX) {
		its.it_value.tv_sec = first / 1000;
		its.it_value.tv_nsec = first % 1000 * 1000000;
	}
	timerfd_settime(h->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void kgd_http_serve(struct kgd_http *h, kgd_metrics_cb cb, void *data)
{
	uint64_t ticks;
	int64_t now = now_ms();

	/*
	 * Only to clear it (EAGAIN: it had not fired): the deadlines are
	 * checked against the clock.
	 */
	if (read(h->tfd, &ticks, sizeof(ticks)) < 0)
		ticks = 0;
	accept_all(h, now);
	for (int i = 0; i < HTTP_CONNS; i++)
		if (h->c[i].state != CONN_FREE)
			conn_step(h, &h->c[i], now, cb, data);
	listen_when_room(h);
	arm_timer(h);
}

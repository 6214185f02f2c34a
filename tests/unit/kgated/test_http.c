// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's /metrics server on the host, over loopback, driven as kgated's
 * loop drives it (poll the fd, then serve): the answers a scraper sees,
 * byte for byte; a slow client neither blocks another nor makes the loop
 * spin, and is dropped at its deadline; bad addresses are refused with
 * the reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "tap.h"

#define BODY "kgate_up 1\n"

static int calls;

static int body_cb(FILE *f, void *data)
{
	calls++;
	CHECK(data == &calls);
	fputs(BODY, f);
	return 0;
}

static int failing_cb(FILE *f, void *data)
{
	(void)f;
	(void)data;
	return -EIO;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * The port the server listens on.  Its fd is an epoll set, not the
 * socket: the socket is the one fd of ours that is listening.
 */
static int server_port(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		struct sockaddr_in6 sa;
		socklen_t len = sizeof(sa), olen = sizeof(int);
		int on = 0;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) ||
		    !on || getsockname(fd, (struct sockaddr *)&sa, &len))
			continue;
		/* sin_port and sin6_port are at one place */
		return ntohs(sa.sin6_port);
	}
	return -1;
}

static struct kgd_http *open_ok(const char *addr, int *port)
{
	struct kgd_http *h = NULL;
	char why[200] = "";
	int rc = kgd_http_open(&h, addr, why, sizeof(why));

	CHECK_INT(rc, 0);
	if (rc)
		printf("# %s\n", why);
	*port = h ? server_port() : -1;
	CHECK(*port > 0);
	return h;
}

/* A connected client on 127.0.0.1 (@v6: ::1), non-blocking. */
static int client(int port, bool v6)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (v6 ? connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
		 connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* One turn of kgated's loop: wait for the fd up to @ms, then serve. */
static int turn(struct kgd_http *h, int ms, kgd_metrics_cb cb)
{
	struct pollfd p = { .fd = kgd_http_fd(h), .events = POLLIN };
	int n = poll(&p, 1, ms);

	if (n > 0)
		kgd_http_serve(h, cb, &calls);
	return n;
}

/*
 * What @fd receives until the server closes (1), or nothing more is
 * coming in @ms (0), the loop turning meanwhile.  @buf holds it, NUL
 * terminated.
 */
static int read_all(struct kgd_http *h, int fd, kgd_metrics_cb cb, char *buf,
		    size_t len, int ms)
{
	long long end = ms_now() + ms;
	size_t got = 0;

	buf[0] = '\0';
	while (ms_now() < end) {
		ssize_t n;

		turn(h, 10, cb);
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n > 0) {
			got += n;
			buf[got] = '\0';
		} else if (n == 0 || errno != EAGAIN) {
			return 1;
		}
	}
	return 0;
}

/* The whole answer to @req (@len bytes), on a connection of its own. */
static const char *exchange(struct kgd_http *h, int port, const char *req,
			    size_t len, kgd_metrics_cb cb)
{
	static char buf[65536];
	int fd = client(port, false);

	CHECK(fd >= 0);
	if (fd < 0)
		return "(no connection)";
	CHECK_INT(send(fd, req, len, 0), len);
	CHECK_INT(read_all(h, fd, cb, buf, sizeof(buf), 3000), 1);
	close(fd);
	return buf;
}

#define REQ(s) s, strlen(s)

#define OK_HEAD "HTTP/1.1 200 OK\r\n" \
	"Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n" \
	"Content-Length: 11\r\nConnection: close\r\n\r\n"

TEST(test_get)
{
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	calls = 0;
	CHECK_STR(exchange(h, port, REQ("GET /metrics HTTP/1.1\r\n"
					"Host: localhost\r\n"
					"Accept: text/plain\r\n\r\n"), body_cb),
		  OK_HEAD BODY);
	CHECK_STR(exchange(h, port, REQ("GET /metrics?x=1 HTTP/1.0\n\n"),
			   body_cb), OK_HEAD BODY);
	CHECK_INT(calls, 2);
	kgd_http_close(h);
}

/* A head that comes in pieces: each piece wakes the loop. */
TEST(test_get_in_pieces)
{
	static char buf[4096];
	struct pollfd p;
	int port, fd;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	fd = client(port, false);
	p = (struct pollfd){ .fd = kgd_http_fd(h), .events = POLLIN };
	CHECK_INT(poll(&p, 1, 1000), 1);		/* the connection */
	kgd_http_serve(h, body_cb, &calls);
	CHECK_INT(poll(&p, 1, 0), 0);			/* nothing more yet */
	CHECK_INT(send(fd, "GET /metr", 9, 0), 9);
	CHECK_INT(poll(&p, 1, 1000), 1);
	kgd_http_serve(h, body_cb, &calls);
	CHECK_INT(poll(&p, 1, 0), 0);
	CHECK_INT(recv(fd, buf, sizeof(buf), 0), -1);	/* no answer yet */
	CHECK_INT(send(fd, "ics HTTP/1.1\r\n\r\n", 16, 0), 16);
	CHECK_INT(read_all(h, fd, body_cb, buf, sizeof(buf), 3000), 1);
	CHECK_STR(buf, OK_HEAD BODY);
	close(fd);
	kgd_http_close(h);
}

TEST(test_head)
{
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	CHECK_STR(exchange(h, port, REQ("HEAD /metrics HTTP/1.1\r\n\r\n"),
			   body_cb), OK_HEAD);
	kgd_http_close(h);
}

TEST(test_not_found)
{
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	calls = 0;
	CHECK_STR(exchange(h, port, REQ("GET /other HTTP/1.1\r\n\r\n"),
			   body_cb),
		  "HTTP/1.1 404 Not Found\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 24\r\nConnection: close\r\n\r\n"
		  "not found: try /metrics\n");
	CHECK_STR(exchange(h, port, REQ("GET /metrics/x HTTP/1.1\r\n\r\n"),
			   body_cb),
		  "HTTP/1.1 404 Not Found\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 24\r\nConnection: close\r\n\r\n"
		  "not found: try /metrics\n");
	CHECK_INT(calls, 0);
	kgd_http_close(h);
}

TEST(test_method)
{
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	calls = 0;
	CHECK_STR(exchange(h, port, REQ("POST /metrics HTTP/1.1\r\n"
					"Content-Length: 3\r\n\r\nabc"),
			   body_cb),
		  "HTTP/1.1 405 Method Not Allowed\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 18\r\nAllow: GET, HEAD\r\n"
		  "Connection: close\r\n\r\nonly GET and HEAD\n");
	CHECK_INT(calls, 0);
	kgd_http_close(h);
}

#define BAD "HTTP/1.1 400 Bad Request\r\n" \
	"Content-Type: text/plain; charset=utf-8\r\n" \
	"Content-Length: 12\r\nConnection: close\r\n\r\nbad request\n"

TEST(test_bad_request)
{
	static const char *const reqs[] = {
		"garbage\r\n\r\n",
		"GET\r\n\r\n",
		" /metrics HTTP/1.1\r\n\r\n",
		"GET metrics HTTP/1.1\r\n\r\n",
		"GET /metrics\r\n\r\n",
		"GET /metrics HTTP/2.0\r\n\r\n",
		"GET /metrics HTTP/1.1 x\r\n\r\n",
		"GET /metrics HTTP/1.12\r\n\r\n",
	};
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		CHECK_STR(exchange(h, port, REQ(reqs[i]), body_cb), BAD);
	kgd_http_close(h);
}

/* A head of exactly 8 KiB is read; one byte more is refused. */
TEST(test_head_limit)
{
	static char req[9000];
	const char *start = "GET /metrics HTTP/1.1\r\nX-Pad: ";
	size_t n = strlen(start);
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	memcpy(req, start, n);
	memset(req + n, 'a', 8192 - n - 4);
	memcpy(req + 8192 - 4, "\r\n\r\n", 4);
	CHECK_STR(exchange(h, port, req, 8192, body_cb), OK_HEAD BODY);
	memset(req + n, 'a', 8193 - n - 4);
	memcpy(req + 8193 - 4, "\r\n\r\n", 4);
	CHECK_STR(exchange(h, port, req, 8193, body_cb),
		  "HTTP/1.1 400 Bad Request\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 24\r\nConnection: close\r\n\r\n"
		  "request head over 8 KiB\n");
	memset(req + n, 'a', sizeof(req) - n);
	CHECK_STR(exchange(h, port, req, sizeof(req), body_cb),
		  "HTTP/1.1 400 Bad Request\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 24\r\nConnection: close\r\n\r\n"
		  "request head over 8 KiB\n");
	kgd_http_close(h);
}

TEST(test_callback_fails)
{
	int port;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	CHECK_STR(exchange(h, port, REQ("GET /metrics HTTP/1.1\r\n\r\n"),
			   failing_cb),
		  "HTTP/1.1 500 Internal Server Error\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 22\r\nConnection: close\r\n\r\n"
		  "metrics not available\n");
	kgd_http_close(h);
}

/* A client that sends nothing: another is served, it is dropped at 2 s. */
TEST(test_silent_client)
{
	static char buf[256];
	long long start;
	int port, silent;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	start = ms_now();
	silent = client(port, false);
	CHECK(silent >= 0);
	turn(h, 100, body_cb);
	CHECK_STR(exchange(h, port, REQ("GET /metrics HTTP/1.1\r\n\r\n"),
			   body_cb), OK_HEAD BODY);
	CHECK(ms_now() - start < 1000);
	CHECK_INT(recv(silent, buf, sizeof(buf), 0), -1);	/* still open */
	CHECK_INT(errno, EAGAIN);
	CHECK_INT(read_all(h, silent, body_cb, buf, sizeof(buf), 3000), 1);
	CHECK_STR(buf, "");
	CHECK(ms_now() - start >= 1900);
	CHECK(ms_now() - start < 2500);
	close(silent);
	kgd_http_close(h);
}

/*
 * Every slot taken by silent clients: the next one waits (the loop does
 * not spin meanwhile) and is served when their deadlines free the slots.
 */
TEST(test_slots_full)
{
	static char buf[256];
	int port, silent[8], fd, wakes = 0;
	long long start, end;
	struct kgd_http *h = open_ok("127.0.0.1:0", &port);

	if (!h)
		return;
	start = ms_now();
	for (int i = 0; i < 8; i++) {
		silent[i] = client(port, false);
		CHECK(silent[i] >= 0);
	}
	while (turn(h, 10, body_cb) > 0)
		;
	fd = client(port, false);
	CHECK(fd >= 0);
	CHECK_INT(send(fd, REQ("GET /metrics HTTP/1.1\r\n\r\n"), 0), 25);
	end = start + 1500;
	while (ms_now() < end)
		wakes += turn(h, (int)(end - ms_now()), body_cb) > 0;
	CHECK(wakes < 5);
	CHECK_INT(recv(fd, buf, sizeof(buf), 0), -1);	/* not yet */
	CHECK_INT(read_all(h, fd, body_cb, buf, sizeof(buf), 2000), 1);
	CHECK_STR(buf, OK_HEAD BODY);
	CHECK(ms_now() - start >= 1900);
	for (int i = 0; i < 8; i++) {
		CHECK_INT(recv(silent[i], buf, sizeof(buf), 0), 0);
		close(silent[i]);
	}
	close(fd);
	kgd_http_close(h);
}

/* ":PORT" is every address, IPv4 and IPv6 alike; "[::1]:PORT" IPv6. */
TEST(test_addresses)
{
	int port, fd, probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct kgd_http *h;

	if (probe < 0)
		SKIP("no IPv6 here");
	close(probe);
	h = open_ok(":0", &port);
	if (!h)
		return;
	CHECK_STR(exchange(h, port, REQ("GET /metrics HTTP/1.1\r\n\r\n"),
			   body_cb), OK_HEAD BODY);
	fd = client(port, true);
	CHECK(fd >= 0);
	close(fd);
	kgd_http_close(h);
	h = open_ok("[::1]:0", &port);
	if (!h)
		return;
	fd = client(port, true);
	CHECK(fd >= 0);
	close(fd);
	fd = client(port, false);
	CHECK(fd < 0);
	close(fd);
	kgd_http_close(h);
}

static void check_refused(const char *addr, int err, const char *reason)
{
	struct kgd_http *h = (struct kgd_http *)&h;
	char why[200] = "";

	CHECK_INT(kgd_http_open(&h, addr, why, sizeof(why)), err);
	CHECK(h == NULL);
	CHECK_STR(why, reason);
}

TEST(test_bad_addresses)
{
	char addr[64], reason[128];
	int port;
	struct kgd_http *h;

	check_refused("", -EINVAL,
		      "\"\": no port: expected ADDR:PORT, [ADDR6]:PORT or :PORT");
	check_refused("127.0.0.1", -EINVAL,
		      "\"127.0.0.1\": no port: expected ADDR:PORT, [ADDR6]:PORT or :PORT");
	check_refused("127.0.0.1:", -EINVAL,
		      "\"127.0.0.1:\": port \"\" is not a number 0..65535");
	check_refused("127.0.0.1:65536", -EINVAL,
		      "\"127.0.0.1:65536\": port \"65536\" is not a number 0..65535");
	check_refused(":http", -EINVAL,
		      "\":http\": port \"http\" is not a number 0..65535");
	check_refused("::1:9788", -EINVAL,
		      "\"::1:9788\": an IPv6 address goes in brackets, as [::1]:9788");
	check_refused("[::1]", -EINVAL,
		      "\"[::1]\": expected ADDR:PORT, [ADDR6]:PORT or :PORT");
	check_refused("[::1]9788", -EINVAL,
		      "\"[::1]9788\": expected ADDR:PORT, [ADDR6]:PORT or :PORT");
	check_refused("[127.0.0.1]:9788", -EINVAL,
		      "\"[127.0.0.1]:9788\": \"127.0.0.1\" is not an IPv6 address");
	check_refused("[]:9788", -EINVAL,
		      "\"[]:9788\": \"\" is not an IPv6 address");
	check_refused("localhost:9788", -EINVAL,
		      "\"localhost:9788\": \"localhost\" is not an IPv4 address");
	check_refused("10.0.0.256:9788", -EINVAL,
		      "\"10.0.0.256:9788\": \"10.0.0.256\" is not an IPv4 address");
	check_refused("192.0.2.1:9788", -EADDRNOTAVAIL,
		      "listen on 192.0.2.1:9788: Cannot assign requested address");
	h = open_ok("127.0.0.1:0", &port);
	if (!h)
		return;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(reason, sizeof(reason),
		 "listen on %s: Address already in use", addr);
	check_refused(addr, -EADDRINUSE, reason);
	kgd_http_close(h);
	kgd_http_close(NULL);
}

int main(void)
{
	RUN(test_get);
	RUN(test_get_in_pieces);
	RUN(test_head);
	RUN(test_not_found);
	RUN(test_method);
	RUN(test_bad_request);
	RUN(test_head_limit);
	RUN(test_callback_fails);
	RUN(test_silent_client);
	RUN(test_slots_full);
	RUN(test_addresses);
	RUN(test_bad_addresses);
	return tap_done();
}

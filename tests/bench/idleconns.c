// SPDX-License-Identifier: GPL-2.0
/*
 * idleconns: hold N idle HTTP/1.1 keep-alive client connections open, for
 * the L7 benchmark's kernel-memory-per-connection figure (tests/bench/l7.sh).
 *
 *   idleconns ADDR PORT N [PATH]
 *
 * Opens N TCP connections to ADDR:PORT (IPv4), BATCH at a time, sends one
 * "GET PATH HTTP/1.1" on each (PATH defaults to /0) and reads its whole
 * response (Content-Length framing; the response must be a 200 and must
 * not close the connection), so that every connection is an idle
 * keep-alive one, past its first request, as a browser's or a client
 * pool's is.  Then prints "open N" on stdout and waits until its standard
 * input ends (or SIGTERM); then prints "closed K", K the connections the
 * other side closed meanwhile (a proxy that times idle connections out),
 * and exits 0.  Exit status 1 (with a message on stderr) if a connection
 * or its first request failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define RESP_MAX 4096
#define STEP_MS 20000	/* longest wait for one batch to make progress */

struct conn {
	int fd;
	int state;	/* 0 connecting, 1 reading, 2 done */
	size_t got;
	char buf[RESP_MAX];
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void fail(const char *what, long i)
{
	fprintf(stderr, "idleconns: connection %ld: %s: %s\n", i, what,
		errno ? strerror(errno) : "unexpected answer");
	exit(1);
}

/*
 * response_done: 1 once buf holds a whole 200 response with its body, 0 if
 * more is to come, -1 if it is not a keep-alive 200 with a Content-Length.
 */
static int response_done(const char *buf, size_t len)
{
	const char *end, *p, *le;
	long clen = -1;

	end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return len >= RESP_MAX - 1 ? -1 : 0;
	if (strncmp(buf, "HTTP/1.1 200", 12))
		return -1;
	for (p = strstr(buf, "\r\n"); p && p < end; p = le) {
		le = strstr(p + 2, "\r\n");
		if (!strncasecmp(p + 2, "Content-Length:", 15))
			clen = strtol(p + 17, NULL, 10);
		else if (!strncasecmp(p + 2, "Connection:", 11) &&
			 memmem(p + 13, (size_t)(le - p - 13), "close", 5))
			return -1;
	}
	if (clen < 0)
		return -1;
	if ((size_t)(end + 4 - buf) + (size_t)clen > RESP_MAX - 1)
		return -1;	/* keep the helper small: short bodies only */
	return len >= (size_t)(end + 4 - buf) + (size_t)clen;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct conn *cs;
	struct pollfd *pf;
	struct rlimit rl;
	char req[512];
	long n, i, base, closed = 0;
	int reqlen;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: idleconns ADDR PORT N [PATH]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "idleconns: bad address %s\n", argv[1]);
		return 2;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	n = strtol(argv[3], NULL, 10);
	if (n < 1 || n > 1000000) {
		fprintf(stderr, "idleconns: N must be 1..1000000\n");
		return 2;
	}
	reqlen = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: bench\r\n\r\n",
			  argc == 5 ? argv[4] : "/0");

	rl.rlim_cur = (rlim_t)n + 64;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl) &&
	    (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < (rlim_t)n + 16)) {
		fprintf(stderr, "idleconns: cannot have %ld descriptors\n", n + 64);
		return 1;
	}
	cs = calloc(BATCH, sizeof(*cs));
	pf = calloc((size_t)n, sizeof(*pf));
	if (!cs || !pf) {
		fprintf(stderr, "idleconns: out of memory\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	for (base = 0; base < n; base += BATCH) {
		long m = n - base < BATCH ? n - base : BATCH, left = m;
		struct pollfd bp[BATCH];

		for (i = 0; i < m; i++) {
			struct conn *c = &cs[i];

			c->state = 0;
			c->got = 0;
			c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (c->fd < 0)
				fail("socket", base + i);
			if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) &&
			    errno != EINPROGRESS)
				fail("connect", base + i);
		}
		while (left > 0) {
			int r;

			for (i = 0; i < m; i++) {
				bp[i].fd = cs[i].state == 2 ? -1 : cs[i].fd;
				bp[i].events = cs[i].state == 0 ? POLLOUT : POLLIN;
				bp[i].revents = 0;
			}
			r = poll(bp, (nfds_t)m, STEP_MS);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				errno = r ? errno : ETIMEDOUT;
				fail("no progress", base);
			}
			for (i = 0; i < m; i++) {
				struct conn *c = &cs[i];
				ssize_t k;
				int err = 0;
				socklen_t el = sizeof(err);

				if (!bp[i].revents)
					continue;
				errno = 0;
				if (c->state == 0) {
					if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) ||
					    err) {
						errno = err;
						fail("connect", base + i);
					}
					/* a short request: one write is all of it */
					if (write(c->fd, req, (size_t)reqlen) != reqlen)
						fail("write", base + i);
					c->state = 1;
					continue;
				}
				k = read(c->fd, c->buf + c->got, RESP_MAX - 1 - c->got);
				if (k < 0 && (errno == EAGAIN || errno == EINTR))
					continue;
				if (k <= 0) {
					if (!k)
						errno = ECONNRESET;
					fail("read", base + i);
				}
				c->got += (size_t)k;
				c->buf[c->got] = 0;
				switch (response_done(c->buf, c->got)) {
				case 1:
					c->state = 2;
					pf[base + i].fd = c->fd;
					pf[base + i].events = POLLIN;
					left--;
					break;
				case -1:
					errno = 0;
					fail("not a keep-alive 200 response", base + i);
				}
			}
		}
	}
	printf("open %ld\n", n);
	fflush(stdout);

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop) {
		char b[64];
		ssize_t k = read(0, b, sizeof(b));

		if (k == 0 || (k < 0 && errno != EINTR))
			break;
	}
	/*
	 * what the other side closed meanwhile: readable (EOF or an answer
	 * nobody asked for) or in error
	 */
	for (i = 0; i < n; i++)
		pf[i].revents = 0;
	if (poll(pf, (nfds_t)n, 0) > 0)
		for (i = 0; i < n; i++)
			closed += pf[i].revents != 0;
	printf("closed %ld\n", closed);
	fflush(stdout);
	return 0;
}

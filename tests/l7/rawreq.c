// SPDX-License-Identifier: GPL-2.0
/*
 * rawreq: a raw-bytes TCP client for the L7 tests.  Sends exactly the
 * bytes given, in the pieces given, and prints every byte received.
 *
 *   rawreq [-t MS] ADDR PORT ACTION...
 *
 * ADDR is an IPv4 or IPv6 address.  ACTIONs, in order:
 *   s:BYTES     send BYTES (escapes: \r \n \t \0 \\ \xHH), as one write
 *   f:FILE      send the contents of FILE
 *   w:STRING    wait until the bytes received so far contain STRING
 *               (escapes as for s:), at most MS
 *   c:N         wait until at least N bytes were received in all, at
 *               most MS
 *   p:MS        pause MS milliseconds (a slow client; not a test's wait)
 *   h           shut the write side down (FIN)
 * Then it reads until the server closes, at most MS (-t, default 3000)
 * after the last action.
 *
 * Exit status: 0 the server closed the connection (FIN or RST; "rawreq:
 * reset" on stderr for RST), 2 still open after MS (or a w: / c: that
 * timed out: "rawreq: timeout in ACTION" on stderr), 1 an error
 * (connect failed, bad arguments).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECV_CAP (64 << 20)	/* what is kept for w: matching */

static char *g_rx;
static size_t g_rxlen;
static int g_closed, g_reset;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escapes of @s into a new buffer; its length in *@len. */
static char *unescape(const char *s, size_t *len)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		exit(1);
	while (*s) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r': *o++ = '\r'; s++; break;
		case 'n': *o++ = '\n'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case '0': *o++ = '\0'; s++; break;
		case '\\': *o++ = '\\'; s++; break;
		case 'x':
			if (hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
				*o++ = (char)(hexval(s[1]) << 4 | hexval(s[2]));
				s += 3;
				break;
			}
			/* fall through */
		default:
			*o++ = '\\';
			break;
		}
	}
	*len = (size_t)(o - out);
	return out;
}

/* Read what is there, waiting at most @ms; 0 on progress or timeout. */
static void pump(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	if (g_closed)
		return;
	if (poll(&p, 1, ms < 0 ? 0 : ms) <= 0)
		return;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		g_closed = 1;
		g_reset = n < 0 && errno == ECONNRESET;
		return;
	}
	if (n < 0)
		return;
	if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
		exit(1);
	fflush(stdout);
	if (g_rxlen + (size_t)n <= RECV_CAP) {
		memcpy(g_rx + g_rxlen, buf, (size_t)n);
		g_rxlen += (size_t)n;
	}
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN) {
			/* keep reading while the server cannot take more */
			poll(&pf, 1, 10);
			pump(fd, 0);
			continue;
		}
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int connect_to(const char *addr, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(port));
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(port));
	} else {
		fprintf(stderr, "rawreq: bad address %s\n", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sizeof(ss))) {
		fprintf(stderr, "rawreq: connect %s %s: %s\n", addr, port,
			strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Wait until @done says so, at most @ms; 0 if it did. */
static int wait_until(int fd, int ms, int (*done)(const void *), const void *arg)
{
	long long end = now_ms() + ms;

	while (!done(arg)) {
		long long left = end - now_ms();

		if (left <= 0 || g_closed)
			return done(arg) ? 0 : -1;
		pump(fd, (int)left);
	}
	return 0;
}

struct needle {
	const char *s;
	size_t len;
};

static int has_needle(const void *arg)
{
	const struct needle *n = arg;

	return g_rxlen >= n->len && memmem(g_rx, g_rxlen, n->s, n->len);
}

static int has_count(const void *arg)
{
	return g_rxlen >= *(const size_t *)arg;
}

static int is_closed(const void *arg)
{
	(void)arg;
	return g_closed;
}

int main(int argc, char **argv)
{
	int ms = 3000, fd, i = 1;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 2 && !strcmp(argv[1], "-t")) {
		ms = atoi(argv[2]);
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: rawreq [-t MS] ADDR PORT ACTION...\n");
		return 1;
	}
	g_rx = malloc(RECV_CAP);
	if (!g_rx)
		return 1;
	fd = connect_to(argv[i], argv[i + 1]);
	if (fd < 0)
		return 1;
	for (i += 2; i < argc; i++) {
		const char *a = argv[i];
		size_t len;
		char *buf;

		if (!strncmp(a, "s:", 2) || !strncmp(a, "f:", 2)) {
			buf = a[0] == 's' ? unescape(a + 2, &len) :
					    read_file(a + 2, &len);
			if (send_all(fd, buf, len)) {
				fprintf(stderr, "rawreq: send in %s: %s\n",
					a[0] == 's' ? "s:" : a, strerror(errno));
				/* what the server said before is still wanted */
				while (!g_closed)
					pump(fd, ms);
				free(buf);
				return 0;
			}
			free(buf);
		} else if (!strncmp(a, "w:", 2)) {
			struct needle n;

			n.s = unescape(a + 2, &n.len);
			if (wait_until(fd, ms, has_needle, &n)) {
				fprintf(stderr, "rawreq: timeout in %s\n", a);
				return 2;
			}
		} else if (!strncmp(a, "c:", 2)) {
			size_t want = strtoull(a + 2, NULL, 10);

			if (wait_until(fd, ms, has_count, &want)) {
				fprintf(stderr, "rawreq: timeout in %s\n", a);
				return 2;
			}
		} else if (!strncmp(a, "p:", 2)) {
			long long end = now_ms() + atoi(a + 2);

			while (now_ms() < end)
				pump(fd, (int)(end - now_ms()));
		} else if (!strcmp(a, "h")) {
			shutdown(fd, SHUT_WR);
		} else {
			fprintf(stderr, "rawreq: unknown action %s\n", a);
			return 1;
		}
	}
	wait_until(fd, ms, is_closed, NULL);
	if (g_reset)
		fprintf(stderr, "rawreq: reset\n");
	return g_closed ? 0 : 2;
}

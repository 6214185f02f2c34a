// SPDX-License-Identifier: GPL-2.0
/*
 * httpd: the HTTP/1.1 backend of the L7 tests (tests/l7).  One process,
 * one epoll loop, bounded buffers; it says who it is, what it saw, and
 * logs every connection and every request it receives, so that a test can
 * prove that a request did or did not reach it.
 *
 *   httpd --name NAME --listen ADDR:PORT [--listen ...] [--log FILE]
 *   httpd --pattern N        print N bytes of the /bytes pattern and exit
 *
 * ADDR:PORT: 10.244.1.2:8080, 0.0.0.0:8080, [fd00::2]:8080, [::]:8080 (the
 * last: IPv4 and IPv6).
 *
 * Paths (the query is ignored unless said):
 *   /echo          200, a plain body of "key: value" lines: name, conn,
 *                  method, target, version, every header and trailer,
 *                  the body's length and SHA-256
 *   /upload[?rate=BYTES_PER_S]  as /echo; with rate, reads the body at
 *                  that rate (a slow reader)
 *   /status/NNN    that status (1xx, 204, 304: no body)
 *   /bytes/N       N bytes of a deterministic pattern, Content-Length
 *   /chunked/N     the same N bytes, chunked (close-delimited to HTTP/1.0)
 *   /close/N       the same N bytes, close-delimited
 *   /slow/MS       "NAME\n" after MS milliseconds
 *   /ws            WebSocket (RFC 6455) handshake, then every frame echoed
 *   /smuggle/cl-te a response with Content-Length and Transfer-Encoding
 *   /smuggle/cl-cl a response with two differing Content-Length fields
 *   anything else  200 "NAME\n"
 * A request with an X-Echo field is answered as /echo whatever its path
 * (what a rewrite or a header modifier made of it).
 * Every response has "X-Backend: NAME" and "X-Conn: N" (the connection's
 * number, from 1).  HEAD: the GET response's head, no body.  Expect:
 * 100-continue gets 100 Continue before the body is read.  Keep-alive per
 * HTTP/1.1 and HTTP/1.0; pipelined requests are answered in order.
 *
 * The log, one line each, flushed at once:
 *   conn N from ADDR:PORT
 *   req conn=N METHOD TARGET VERSION | Name: value | ... | body=LEN sha256=HEX
 *       (written when the body is complete, or "body=incomplete LEN ..."
 *       when the connection ends inside it; trailers as "| trailer N: v")
 *   bad conn=N WHY          (a request this server could not parse)
 *   ws conn=N op=OP len=LEN
 *   close conn=N requests=K
 * The head parser is lenient on purpose (LF alone ends a line): what a
 * proxy lets through must show up here, not be refused unseen.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IN_CAP		65536
#define OUT_CAP		65536
#define MAX_HDRS	256
#define MAX_LISTEN	4
#define MAX_CONNS	16384
#define LINE_MAX_LEN	8192

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
				    (w[i - 15] >> 3)) + w[i - 7] +
		       (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + K256[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->n = 0;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	while (len) {
		size_t k = 64 - s->n < len ? 64 - s->n : len;

		memcpy(s->buf + s->n, p, k);
		s->n += k;
		p += k;
		len -= k;
		if (s->n == 64) {
			sha256_block(s, s->buf);
			s->n = 0;
		}
	}
}

/* The digest as 64 hex digits into @hex (65 bytes); @s is spent. */
static void sha256_hex(struct sha256 *s, char *hex)
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (s->n < 56 ? 56 : 120) - s->n;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 8; i++)
		sprintf(hex + 8 * i, "%08x", s->h[i]);
}

/* ---- SHA-1 (FIPS 180-4), for the WebSocket accept key only ---- */

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
			  0xc3d2e1f0 };
	unsigned char blk[64];
	uint64_t bits = (uint64_t)len * 8;
	size_t total = (len + 9 + 63) / 64 * 64, off, i;

	for (off = 0; off < total; off += 64) {
		uint32_t w[80], a, b, c, d, e, f, k, t;

		for (i = 0; i < 64; i++) {
			size_t j = off + i;

			if (j < len)
				blk[i] = msg[j];
			else if (j == len)
				blk[i] = 0x80;
			else if (j >= total - 8)
				blk[i] = (unsigned char)(bits >> (8 * (total - 1 - j)));
			else
				blk[i] = 0;
		}
		for (i = 0; i < 16; i++)
			w[i] = be32(blk + 4 * i);
		for (i = 16; i < 80; i++)
			w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
		a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
		for (i = 0; i < 80; i++) {
			if (i < 20) {
				f = (b & c) | (~b & d);
				k = 0x5a827999;
			} else if (i < 40) {
				f = b ^ c ^ d;
				k = 0x6ed9eba1;
			} else if (i < 60) {
				f = (b & c) | (b & d) | (c & d);
				k = 0x8f1bbcdc;
			} else {
				f = b ^ c ^ d;
				k = 0xca62c1d6;
			}
			t = rol(a, 5) + f + e + k + w[i];
			e = d; d = c; c = rol(b, 30); b = a; a = t;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
	}
	for (i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

static void base64(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*out++ = tab[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
		*out++ = tab[in[i + 2] & 63];
	}
	if (len - i == 1) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (len - i == 2) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*out++ = tab[(in[i + 1] & 15) << 2];
		*out++ = '=';
	}
	*out = 0;
}

/* ---- the /bytes pattern: byte i depends on i and i / 64 ---- */

static char pattern_byte(uint64_t i)
{
	static const char al[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

	return al[(i + i / 64) % 62];
}

/* ---- connections ---- */

enum state { ST_HEAD, ST_BODY, ST_WAIT, ST_SEND, ST_WS };
enum body { B_NONE, B_CL, B_CHUNKED };
enum chunk { C_SIZE, C_DATA, C_DATA_END, C_TRAILER };
enum gen { G_NONE, G_PLAIN, G_CHUNKED };

struct hdr {
	const char *name, *value;
};

struct conn {
	int fd, slot;
	unsigned int id, requests;
	uint32_t events;
	enum state st;
	int eof, close_after, ws_closing;
	char in[IN_CAP];
	size_t inlen;
	/* the request head, a copy, NUL-split */
	char head[IN_CAP];
	const char *method, *target, *version;
	struct hdr hdrs[MAX_HDRS];
	int nhdrs, http10, keep, is_head;
	/* trailers (in @trail) */
	char trail[LINE_MAX_LEN];
	size_t traillen;
	/* the body */
	enum body bm;
	enum chunk cs;
	uint64_t left, blen;
	struct sha256 sha;
	uint64_t rate;		/* bytes/s, 0: as fast as it comes */
	double tokens;
	int64_t last_fill;
	int64_t wake_at;	/* ms, 0: none */
	/* the response */
	char out[OUT_CAP];
	size_t outlen, outoff;
	enum gen gen;
	uint64_t gen_off, gen_len;
	int gen_done;
};

static const char *g_name = "httpd";
static int g_log = -1;
static int g_ep;
static unsigned int g_next_id;
static struct conn *g_conns[MAX_CONNS];
static int g_hi;	/* slots in use are below it */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logf_(const char *fmt, ...)
{
	char line[IN_CAP * 2];
	va_list ap;
	int n;

	if (g_log < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(g_log, line, (size_t)n) < 0)
		perror("httpd: log");
}

/* Append printf output to @buf (capacity @cap, length *@len), bounded. */
static void bprintf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

static void set_events(struct conn *c)
{
	uint32_t ev = 0;
	struct epoll_event e;

	/* EPOLLRDHUP only with EPOLLIN: it is level-triggered too. */
	if (!c->eof && c->inlen < IN_CAP &&
	    !(c->rate && c->st == ST_BODY && c->tokens < 1))
		ev |= EPOLLIN | EPOLLRDHUP;
	if (c->outoff < c->outlen || (c->gen != G_NONE && !c->gen_done))
		ev |= EPOLLOUT;
	if (ev == c->events)
		return;
	c->events = ev;
	e.events = ev;
	e.data.ptr = c;
	epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &e);
}

static void log_request(struct conn *c, const char *fmt, ...);

static void conn_free(struct conn *c)
{
	if (c->st == ST_BODY) {
		char hex[65];

		sha256_hex(&c->sha, hex);
		log_request(c, "body=incomplete %llu sha256=%s",
			    (unsigned long long)c->blen, hex);
	}
	logf_("close conn=%u requests=%u", c->id, c->requests);
	g_conns[c->slot] = NULL;
	close(c->fd);
	free(c);
}

static const char *hdr_get(struct conn *c, const char *name)
{
	int i;

	for (i = 0; i < c->nhdrs; i++)
		if (!strcasecmp(c->hdrs[i].name, name))
			return c->hdrs[i].value;
	return NULL;
}

/* Does the comma-separated list @v contain @tok (case-insensitive)? */
static int list_has(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	while (v && *v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!strncasecmp(v, tok, n) &&
		    (v[n] == 0 || v[n] == ',' || v[n] == ' ' || v[n] == '\t'))
			return 1;
		v = strchr(v, ',');
	}
	return 0;
}

/* The value of query parameter @name in the target, or 0. */
static uint64_t query_num(const char *target, const char *name)
{
	const char *q = strchr(target, '?');
	size_t n = strlen(name);

	while (q) {
		q++;
		if (!strncmp(q, name, n) && q[n] == '=')
			return strtoull(q + n + 1, NULL, 10);
		q = strchr(q, '&');
	}
	return 0;
}

/* The target's path with the query cut off, into @out. */
static void target_path(const char *target, char *out, size_t cap)
{
	size_t n = strcspn(target, "?");

	if (n >= cap)
		n = cap - 1;
	memcpy(out, target, n);
	out[n] = 0;
}

static void respond_head(struct conn *c, int status, const char *reason,
			 const char *extra)
{
	bprintf(c->out, OUT_CAP, &c->outlen,
		"HTTP/1.1 %d %s\r\nX-Backend: %s\r\nX-Conn: %u\r\n%s%s\r\n",
		status, reason, g_name, c->id, extra ? extra : "",
		c->keep ? (c->http10 ? "Connection: keep-alive\r\n" : "") :
			  "Connection: close\r\n");
}

/* A complete response whose body is @body (NULL: none, no length). */
static void respond(struct conn *c, int status, const char *reason,
		    const char *body, size_t blen)
{
	char cl[64] = "";

	if (body)
		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", blen);
	respond_head(c, status, reason, cl);
	if (body && !c->is_head) {
		if (blen > OUT_CAP - c->outlen)
			blen = OUT_CAP - c->outlen;
		memcpy(c->out + c->outlen, body, blen);
		c->outlen += blen;
	}
}

/* A 200 whose head carries @n bytes in X-Big-I fields of 1000 at most. */
static void respond_bighead(struct conn *c, size_t n)
{
	static char extra[OUT_CAP / 2];
	size_t len = 0, k;
	int i;

	bprintf(extra, sizeof(extra), &len, "Content-Length: 0\r\n");
	for (i = 0; n && len + 1100 < sizeof(extra); i++, n -= k) {
		k = n < 1000 ? n : 1000;
		bprintf(extra, sizeof(extra), &len, "X-Big-%d: ", i);
		memset(extra + len, 'b', k);
		len += k;
		bprintf(extra, sizeof(extra), &len, "\r\n");
	}
	respond_head(c, 200, "OK", extra);
}

static void respond_echo(struct conn *c, const char *hex)
{
	char body[OUT_CAP / 2];
	size_t n = 0, t = 0;
	int i;

	bprintf(body, sizeof(body), &n,
		"name: %s\nconn: %u\nmethod: %s\ntarget: %s\nversion: %s\n",
		g_name, c->id, c->method, c->target, c->version);
	for (i = 0; i < c->nhdrs; i++)
		bprintf(body, sizeof(body), &n, "header: %s: %s\n",
			c->hdrs[i].name, c->hdrs[i].value);
	while (t < c->traillen) {
		bprintf(body, sizeof(body), &n, "trailer: %s\n", c->trail + t);
		t += strlen(c->trail + t) + 1;
	}
	bprintf(body, sizeof(body), &n, "body-length: %llu\nbody-sha256: %s\n",
		(unsigned long long)c->blen, hex);
	respond(c, 200, "OK", body, n);
}

static void respond_ws(struct conn *c)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	const char *key = hdr_get(c, "Sec-WebSocket-Key");
	unsigned char kg[256], dig[20];
	char acc[32], extra[128];
	size_t n;

	if (!key || !list_has(hdr_get(c, "Upgrade"), "websocket") ||
	    strlen(key) > 128) {
		respond(c, 400, "Bad Request", "not a websocket request\n", 24);
		c->close_after = 1;
		return;
	}
	n = (size_t)snprintf((char *)kg, sizeof(kg), "%s%s", key, guid);
	sha1(kg, n, dig);
	base64(dig, 20, acc);
	snprintf(extra, sizeof(extra), "Sec-WebSocket-Accept: %s\r\n", acc);
	bprintf(c->out, OUT_CAP, &c->outlen,
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nX-Backend: %s\r\nX-Conn: %u\r\n%s\r\n",
		g_name, c->id, extra);
	c->st = ST_WS;
}

/* What to send for the request just read (its body complete). */
static void dispatch(struct conn *c, const char *hex)
{
	char path[1024], extra[256], body[256];
	unsigned long long n;
	int code, len;

	target_path(c->target, path, sizeof(path));
	c->st = ST_SEND;
	if (!strcmp(path, "/echo") || !strcmp(path, "/upload") ||
	    hdr_get(c, "X-Echo")) {
		respond_echo(c, hex);
	} else if (sscanf(path, "/status/%3d", &code) == 1 && code >= 200 &&
		   code <= 599) {
		if (code == 204 || code == 304) {
			respond_head(c, code, "Status", NULL);
		} else {
			len = snprintf(body, sizeof(body), "%s %d\n", g_name, code);
			respond(c, code, "Status", body, (size_t)len);
		}
	} else if (sscanf(path, "/bighead/%llu", &n) == 1) {
		respond_bighead(c, (size_t)n);
	} else if (sscanf(path, "/bytes/%llu", &n) == 1) {
		snprintf(extra, sizeof(extra), "Content-Length: %llu\r\n", n);
		respond_head(c, 200, "OK", extra);
		c->gen = c->is_head ? G_NONE : G_PLAIN;
		c->gen_len = n;
	} else if (sscanf(path, "/chunked/%llu", &n) == 1) {
		if (c->http10) {
			c->keep = 0;
			respond_head(c, 200, "OK", NULL);
			c->gen = G_PLAIN;
		} else {
			respond_head(c, 200, "OK",
				     "Transfer-Encoding: chunked\r\n");
			c->gen = G_CHUNKED;
		}
		if (c->is_head)
			c->gen = G_NONE;
		c->gen_len = n;
	} else if (sscanf(path, "/close/%llu", &n) == 1) {
		c->keep = 0;
		respond_head(c, 200, "OK", NULL);
		c->gen = c->is_head ? G_NONE : G_PLAIN;
		c->gen_len = n;
	} else if (sscanf(path, "/slow/%llu", &n) == 1) {
		c->st = ST_WAIT;
		c->wake_at = now_ms() + (int64_t)n;
	} else if (!strcmp(path, "/ws")) {
		respond_ws(c);
	} else if (!strcmp(path, "/smuggle/cl-te")) {
		respond_head(c, 200, "OK",
			     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n");
		bprintf(c->out, OUT_CAP, &c->outlen, "0\r\n\r\n");
	} else if (!strcmp(path, "/smuggle/cl-cl")) {
		respond_head(c, 200, "OK",
			     "Content-Length: 5\r\nContent-Length: 6\r\n");
		bprintf(c->out, OUT_CAP, &c->outlen, "hello\n");
	} else {
		len = snprintf(body, sizeof(body), "%s\n", g_name);
		respond(c, 200, "OK", body, (size_t)len);
	}
	if (!c->keep)
		c->close_after = 1;
}

/* The request's log line, ending in " | " and @fmt's output. */
static void log_request(struct conn *c, const char *fmt, ...)
{
	char line[IN_CAP + LINE_MAX_LEN + 256];
	size_t n = 0, t = 0;
	va_list ap;
	int i;

	bprintf(line, sizeof(line), &n, "req conn=%u %s %s %s", c->id,
		c->method, c->target, c->version);
	for (i = 0; i < c->nhdrs; i++)
		bprintf(line, sizeof(line), &n, " | %s: %s", c->hdrs[i].name,
			c->hdrs[i].value);
	while (t < c->traillen) {
		bprintf(line, sizeof(line), &n, " | trailer %s", c->trail + t);
		t += strlen(c->trail + t) + 1;
	}
	bprintf(line, sizeof(line), &n, " | ");
	va_start(ap, fmt);
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	logf_("%s", line);
}

static void body_done(struct conn *c)
{
	char hex[65];

	sha256_hex(&c->sha, hex);
	c->requests++;
	log_request(c, "body=%llu sha256=%s", (unsigned long long)c->blen,
		    hex);
	dispatch(c, hex);
}

static void bad(struct conn *c, const char *why)
{
	/* A request whose body went wrong still arrived: log it. */
	if (c->st == ST_BODY)
		log_request(c, "body=bad %llu", (unsigned long long)c->blen);
	logf_("bad conn=%u %s", c->id, why);
	c->keep = 0;
	c->close_after = 1;
	c->st = ST_SEND;
	c->method = c->target = c->version = "-";
	respond(c, 400, "Bad Request", "bad request\n", 12);
}

/* Drop the first @n bytes of the input buffer. */
static void consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* Split the head (NUL-terminated, in c->head) into its parts. */
static int parse_head(struct conn *c)
{
	char *p = c->head, *line, *colon, *v, *e;
	const char *te, *cl, *conn;

	c->nhdrs = 0;
	line = strsep(&p, "\n");
	if (!line)
		return -1;
	line[strcspn(line, "\r")] = 0;
	c->method = strsep(&line, " ");
	c->target = line ? strsep(&line, " ") : NULL;
	c->version = line;
	if (!c->method || !c->target || !c->version || !*c->method)
		return -1;
	while (p && *p) {
		line = strsep(&p, "\n");
		line[strcspn(line, "\r")] = 0;
		if (!*line)
			break;
		colon = strchr(line, ':');
		if (!colon || c->nhdrs == MAX_HDRS)
			return -1;
		*colon = 0;
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		c->hdrs[c->nhdrs].name = line;
		c->hdrs[c->nhdrs++].value = v;
	}
	c->http10 = !strcmp(c->version, "HTTP/1.0");
	conn = hdr_get(c, "Connection");
	c->keep = c->http10 ? list_has(conn, "keep-alive") :
			      !list_has(conn, "close");
	c->is_head = !strcmp(c->method, "HEAD");
	te = hdr_get(c, "Transfer-Encoding");
	cl = hdr_get(c, "Content-Length");
	c->bm = B_NONE;
	c->left = 0;
	if (te && list_has(te, "chunked")) {
		c->bm = B_CHUNKED;
		c->cs = C_SIZE;
	} else if (cl) {
		char *end;

		c->left = strtoull(cl, &end, 10);
		if (*end || end == cl)
			return -1;
		c->bm = c->left ? B_CL : B_NONE;
	}
	return 0;
}

/* The end of the head in the input (bytes), or 0 if not there yet. */
static size_t head_end(const struct conn *c)
{
	size_t i;

	for (i = 0; i + 1 < c->inlen; i++) {
		if (c->in[i] != '\n')
			continue;
		if (c->in[i + 1] == '\n')
			return i + 2;
		if (c->in[i + 1] == '\r' && i + 2 < c->inlen &&
		    c->in[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static void start_request(struct conn *c)
{
	size_t end;
	const char *exp;

	/* Leading empty lines between requests are skipped. */
	while (c->inlen && (c->in[0] == '\r' || c->in[0] == '\n'))
		consume(c, 1);
	end = head_end(c);
	if (!end) {
		if (c->inlen == IN_CAP)
			bad(c, "head larger than the buffer");
		return;
	}
	memcpy(c->head, c->in, end);
	c->head[end] = 0;
	consume(c, end);
	c->traillen = 0;
	c->blen = 0;
	c->close_after = 0;
	c->gen = G_NONE;
	c->gen_off = c->gen_len = 0;
	c->gen_done = 0;
	sha256_init(&c->sha);
	if (memchr(c->head, 0, end)) {
		bad(c, "NUL in the head");
		return;
	}
	if (parse_head(c)) {
		bad(c, "malformed head");
		return;
	}
	c->rate = 0;
	if (!strncmp(c->target, "/upload", 7) &&
	    (c->target[7] == 0 || c->target[7] == '?'))
		c->rate = query_num(c->target, "rate");
	c->tokens = c->rate ? (double)c->rate / 10 : 0;
	c->last_fill = now_ms();
	exp = hdr_get(c, "Expect");
	if (exp && !strcasecmp(exp, "100-continue") && c->bm != B_NONE &&
	    !c->http10)
		bprintf(c->out, OUT_CAP, &c->outlen,
			"HTTP/1.1 100 Continue\r\n\r\n");
	c->st = ST_BODY;
	if (c->bm == B_NONE)
		body_done(c);
}

static void body_bytes(struct conn *c, size_t n)
{
	sha256_update(&c->sha, c->in, n);
	c->blen += n;
	consume(c, n);
}

/* A chunk-size or trailer line, without its line end, or NULL. */
static char *chunk_line(struct conn *c, char *buf, size_t cap, int *err)
{
	char *lf = memchr(c->in, '\n', c->inlen);
	size_t n;

	*err = 0;
	if (!lf) {
		if (c->inlen >= LINE_MAX_LEN)
			*err = 1;
		return NULL;
	}
	n = (size_t)(lf - c->in);
	if (n >= cap) {
		*err = 1;
		return NULL;
	}
	memcpy(buf, c->in, n);
	buf[n] = 0;
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = 0;
	consume(c, n + 1);
	return buf;
}

static void chunked_body(struct conn *c)
{
	char line[LINE_MAX_LEN], *end;
	int err;

	while (c->st == ST_BODY) {
		switch (c->cs) {
		case C_SIZE:
			if (!chunk_line(c, line, sizeof(line), &err)) {
				if (err)
					bad(c, "chunk line too long");
				return;
			}
			errno = 0;
			c->left = strtoull(line, &end, 16);
			if (end == line || errno ||
			    (*end && *end != ';' && *end != ' ' && *end != '\t')) {
				bad(c, "bad chunk size");
				return;
			}
			c->cs = c->left ? C_DATA : C_TRAILER;
			break;
		case C_DATA: {
			size_t n = c->inlen < c->left ? c->inlen : (size_t)c->left;

			if (!n)
				return;
			body_bytes(c, n);
			c->left -= n;
			if (!c->left)
				c->cs = C_DATA_END;
			break;
		}
		case C_DATA_END:
			if (!chunk_line(c, line, sizeof(line), &err)) {
				if (err)
					bad(c, "no CRLF after chunk data");
				return;
			}
			if (*line) {
				bad(c, "no CRLF after chunk data");
				return;
			}
			c->cs = C_SIZE;
			break;
		case C_TRAILER:
			if (!chunk_line(c, line, sizeof(line), &err)) {
				if (err)
					bad(c, "trailer line too long");
				return;
			}
			if (!*line) {
				body_done(c);
				return;
			}
			if (c->traillen + strlen(line) + 1 <= sizeof(c->trail)) {
				char *colon = strchr(line, ':');

				if (colon && colon[1] != ' ') {
					memmove(colon + 2, colon + 1,
						strlen(colon + 1) + 1);
					colon[1] = ' ';
				}
				strcpy(c->trail + c->traillen, line);
				c->traillen += strlen(line) + 1;
			}
			break;
		}
	}
}

/* WebSocket frames from the client, echoed (unmasked) to it. */
static void ws_frames(struct conn *c)
{
	while (c->inlen >= 2 && !c->ws_closing) {
		unsigned char *p = (unsigned char *)c->in;
		int op = p[0] & 15, masked = p[1] & 128;
		uint64_t len = p[1] & 127;
		size_t hl = 2, i;
		unsigned char hdr[10];

		if (len == 126) {
			if (c->inlen < 4)
				return;
			len = (uint64_t)p[2] << 8 | p[3];
			hl = 4;
		} else if (len == 127) {
			if (c->inlen < 10)
				return;
			len = 0;
			for (i = 0; i < 8; i++)
				len = len << 8 | p[2 + i];
			hl = 10;
		}
		if (masked)
			hl += 4;
		if (len > IN_CAP - 14 || len > OUT_CAP / 2) {
			logf_("bad conn=%u websocket frame too long", c->id);
			c->ws_closing = 1;
			c->close_after = 1;
			return;
		}
		if (c->inlen < hl + len)
			return;
		if (OUT_CAP - c->outlen < len + 10)
			return;	/* wait until the echo so far is sent */
		for (i = 0; masked && i < len; i++)
			p[hl + i] ^= p[hl - 4 + (i & 3)];
		logf_("ws conn=%u op=%d len=%llu", c->id, op,
		      (unsigned long long)len);
		if (op == 9)
			op = 10;
		hdr[0] = (unsigned char)(0x80 | op);
		if (len < 126) {
			hdr[1] = (unsigned char)len;
			i = 2;
		} else {
			hdr[1] = 126;
			hdr[2] = (unsigned char)(len >> 8);
			hdr[3] = (unsigned char)len;
			i = 4;
		}
		if (op != 10 || (p[0] & 15) == 9) {
			memcpy(c->out + c->outlen, hdr, i);
			memcpy(c->out + c->outlen + i, p + hl, len);
			c->outlen += i + len;
		}
		consume(c, hl + len);
		if (op == 8) {
			c->ws_closing = 1;
			c->close_after = 1;
		}
	}
}

static void process(struct conn *c)
{
	for (;;) {
		enum state before = c->st;
		size_t inlen = c->inlen;

		switch (c->st) {
		case ST_HEAD:
			if (c->outlen != c->outoff)
				return;	/* 100 Continue or so still going */
			start_request(c);
			break;
		case ST_BODY:
			if (c->bm == B_CHUNKED) {
				chunked_body(c);
			} else {
				size_t n = c->inlen < c->left ? c->inlen :
								(size_t)c->left;

				if (n)
					body_bytes(c, n);
				c->left -= n;
				if (!c->left)
					body_done(c);
			}
			break;
		case ST_WS:
			ws_frames(c);
			return;
		case ST_WAIT:
		case ST_SEND:
			return;
		}
		if (c->st == before && c->inlen == inlen)
			return;
	}
}

/* Fill the output buffer from the body generator. */
static void gen_fill(struct conn *c)
{
	if (c->gen == G_NONE || c->gen_done)
		return;
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	while (!c->gen_done && OUT_CAP - c->outlen > 8192 + 32) {
		uint64_t k = c->gen_len - c->gen_off;
		uint64_t i;

		if (k > 8192)
			k = 8192;
		if (c->gen == G_CHUNKED && k)
			bprintf(c->out, OUT_CAP, &c->outlen, "%llx\r\n",
				(unsigned long long)k);
		for (i = 0; i < k; i++)
			c->out[c->outlen++] = pattern_byte(c->gen_off + i);
		c->gen_off += k;
		if (c->gen == G_CHUNKED && k)
			bprintf(c->out, OUT_CAP, &c->outlen, "\r\n");
		if (c->gen_off == c->gen_len) {
			if (c->gen == G_CHUNKED)
				bprintf(c->out, OUT_CAP, &c->outlen,
					"0\r\n\r\n");
			c->gen_done = 1;
		}
	}
}

/* Send what can be sent; 1 if the connection is to be closed now. */
static int flush_out(struct conn *c)
{
	for (;;) {
		ssize_t n;

		gen_fill(c);
		if (c->outoff == c->outlen)
			break;
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
			 MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : 1;
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	if (c->st == ST_SEND && (c->gen == G_NONE || c->gen_done)) {
		if (c->close_after)
			return 1;
		c->st = ST_HEAD;
		c->gen = G_NONE;
	}
	if (c->st == ST_WS && c->close_after)
		return 1;
	return 0;
}

static void refill(struct conn *c)
{
	int64_t t = now_ms();

	if (!c->rate)
		return;
	c->tokens += (double)c->rate * (double)(t - c->last_fill) / 1000;
	if (c->tokens > (double)c->rate / 10 + 1)
		c->tokens = (double)c->rate / 10 + 1;
	c->last_fill = t;
	if (c->tokens < 1 && c->st == ST_BODY)
		c->wake_at = t + 1 + (int64_t)((1 - c->tokens) * 1000 /
					       (double)c->rate);
}

static int on_read(struct conn *c)
{
	size_t room = IN_CAP - c->inlen;
	ssize_t n;

	if (c->rate && c->st == ST_BODY) {
		refill(c);
		if (c->tokens < 1)
			return 0;
		if (room > (size_t)c->tokens)
			room = (size_t)c->tokens;
	}
	if (!room)
		return 0;
	n = recv(c->fd, c->in + c->inlen, room, 0);
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : 1;
	if (c->rate && c->st == ST_BODY) {
		c->tokens -= (double)n;
		refill(c);
	}
	c->inlen += (size_t)n;
	return 0;
}

/* Work on @c after an event or a timer; 1: it is to be closed. */
static int step(struct conn *c, uint32_t ev)
{
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		if (on_read(c))
			return 1;
	if (c->st == ST_WAIT && c->wake_at && now_ms() >= c->wake_at) {
		char body[128];
		int len = snprintf(body, sizeof(body), "%s\n", g_name);

		c->wake_at = 0;
		c->st = ST_SEND;
		respond(c, 200, "OK", body, (size_t)len);
		if (!c->keep)
			c->close_after = 1;
	}
	if (c->rate && c->wake_at && now_ms() >= c->wake_at) {
		c->wake_at = 0;
		refill(c);
	}
	/* Until no progress: pipelined requests are answered in turn. */
	for (;;) {
		enum state st = c->st;
		size_t inlen = c->inlen;

		process(c);
		if (flush_out(c))
			return 1;
		if (c->st == st && c->inlen == inlen)
			break;
	}
	if (c->eof && c->st != ST_SEND && c->st != ST_WAIT &&
	    c->outlen == c->outoff)
		return 1;
	if ((ev & (EPOLLHUP | EPOLLERR)) && c->eof)
		return 1;
	set_events(c);
	return 0;
}

static void peer_str(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s6->sin6_port));
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	}
}

static void on_accept(int lfd)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct epoll_event e;
		char peer[80];
		struct conn *c;
		int fd, i, one = 1;

		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK);
		if (fd < 0)
			return;
		for (i = 0; i < MAX_CONNS && g_conns[i]; i++)
			;
		c = i < MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		g_conns[i] = c;
		if (i >= g_hi)
			g_hi = i + 1;
		c->slot = i;
		c->fd = fd;
		c->id = ++g_next_id;
		c->st = ST_HEAD;
		c->method = c->target = c->version = "-";
		peer_str(&ss, peer, sizeof(peer));
		logf_("conn %u from %s", c->id, peer);
		c->events = EPOLLIN | EPOLLRDHUP;
		e.events = c->events;
		e.data.ptr = c;
		epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &e);
	}
}

static int listen_on(const char *spec)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (void *)&ss;
	struct sockaddr_in *s4 = (void *)&ss;
	char host[128];
	const char *colon;
	int fd, one = 1, zero = 0;
	long port;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = 0;
		colon = rb + 1;
		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host))
			return -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
	}
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		return -1;
	if (ss.ss_family == AF_INET6)
		s6->sin6_port = htons((uint16_t)port);
	else
		s4->sin_port = htons((uint16_t)port);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sizeof(ss)) || listen(fd, 4096)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int next_timeout(void)
{
	int64_t t = now_ms(), best = -1;
	int i;

	for (i = 0; i < g_hi; i++) {
		struct conn *c = g_conns[i];

		if (c && c->wake_at && (best < 0 || c->wake_at < best))
			best = c->wake_at;
	}
	if (best < 0)
		return -1;
	return best <= t ? 0 : (int)(best - t);
}

static void run_timers(void)
{
	int64_t t = now_ms();
	int i;

	for (i = 0; i < g_hi; i++) {
		struct conn *c = g_conns[i];

		if (c && c->wake_at && c->wake_at <= t && step(c, 0))
			conn_free(c);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: httpd --name NAME --listen ADDR:PORT "
		"[--listen ADDR:PORT]... [--log FILE]\n"
		"       httpd --pattern N\n");
	return 2;
}

int main(int argc, char **argv)
{
	int lfds[MAX_LISTEN], nl = 0, i;
	struct epoll_event e, evs[256];
	struct rlimit rl;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pattern") && i + 1 < argc) {
			unsigned long long n = strtoull(argv[i + 1], NULL, 10), k;
			char buf[65536];

			for (k = 0; k < n;) {
				size_t j, m = n - k < sizeof(buf) ? n - k : sizeof(buf);

				for (j = 0; j < m; j++)
					buf[j] = pattern_byte(k + j);
				if (fwrite(buf, 1, m, stdout) != m)
					return 1;
				k += m;
			}
			return 0;
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			g_name = argv[++i];
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			g_log = open(argv[++i], O_WRONLY | O_CREAT | O_APPEND |
				     O_CLOEXEC, 0644);
			if (g_log < 0) {
				perror("httpd: --log");
				return 1;
			}
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc &&
			   nl < MAX_LISTEN) {
			lfds[nl] = listen_on(argv[++i]);
			if (lfds[nl] < 0) {
				fprintf(stderr, "httpd: cannot listen on %s: %s\n",
					argv[i], strerror(errno));
				return 1;
			}
			nl++;
		} else {
			return usage();
		}
	}
	if (!nl)
		return usage();
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	g_ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < nl; i++) {
		e.events = EPOLLIN;
		e.data.ptr = NULL;
		e.data.u64 = (uint64_t)i;
		epoll_ctl(g_ep, EPOLL_CTL_ADD, lfds[i], &e);
	}
	for (;;) {
		int n = epoll_wait(g_ep, evs, 256, next_timeout());

		for (i = 0; i < n; i++) {
			if (evs[i].data.u64 < MAX_LISTEN) {
				on_accept(lfds[evs[i].data.u64]);
				continue;
			}
			if (step(evs[i].data.ptr, evs[i].events))
				conn_free(evs[i].data.ptr);
		}
		run_timers();
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/core/http.c, built for userspace with ASan and UBSan.
 * Prints TAP (tests/unit/tap.h); exit status non-zero if any test failed.
 *
 * Every head case is parsed whole and one byte a call, and both must give
 * the same result, reason and length (the fuzzer checks any split).  The
 * byte-by-byte parse starts in a buffer of GROW_FIRST bytes and grows on
 * KG_HTTP_ROOM, as the module does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "tap.h"

#define S(lit) (lit), sizeof(lit) - 1

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_result(cond, "http: %s", msg);
}

#define FIELDS 64

struct env {
	struct kg_http_head h;
	u8 buf[8192];
	struct kg_http_field f[FIELDS];
};

struct lim {
	unsigned int cap, fields, uri;
};

static const struct lim deflim = { 8192, FIELDS, 4096 };

#define GROW_FIRST 8

/*
 * Feed @n bytes at @s @step bytes a call (0: whole); total taken in *used.
 * Split, the head starts in GROW_FIRST bytes of the buffer, and each
 * KG_HTTP_ROOM doubles that (the bytes already in place).
 */
static int feed(struct env *e, const struct lim *l, bool response,
		unsigned int req_method, const char *s, size_t n, size_t step,
		size_t *used)
{
	unsigned int cap = step && l->cap > GROW_FIRST ? GROW_FIRST : l->cap;
	size_t off = 0, u;
	int rc = KG_HTTP_MORE;

	if (response)
		kg_http_head_init_response(&e->h, e->buf, cap, e->f,
					   l->fields, req_method);
	else
		kg_http_head_init(&e->h, e->buf, cap, e->f, l->fields,
				  l->uri);
	kg_http_head_allow(&e->h, l->cap);
	*used = 0;
	while (off < n) {
		size_t k = step && n - off > step ? step : n - off;

		rc = kg_http_head_feed(&e->h, (const u8 *)s + off, k, &u);
		*used += u;
		if (rc == KG_HTTP_ROOM) {
			/* Full below the limit, this piece not all taken. */
			if (u >= k || e->h.len != cap || cap >= l->cap)
				return -9998;
			cap = 2 * cap < l->cap ? 2 * cap : l->cap;
			kg_http_head_rebuf(&e->h, e->buf, cap);
			off += u;
			continue;
		}
		if (rc != KG_HTTP_MORE)
			break;
		if (u != k)
			return -9999;
		off += k;
	}
	return rc;
}

static struct env env, env2;

/*
 * Parse whole and byte by byte; check the two agree; leave the whole
 * parse in env.  Returns the result, *used the bytes taken.
 */
static int parse(const struct lim *l, bool response, unsigned int rm,
		 const char *s, size_t n, size_t *used, const char *name)
{
	size_t u1;
	int rc1, rc;

	rc1 = feed(&env2, l, response, rm, s, n, 1, &u1);
	rc = feed(&env, l, response, rm, s, n, 0, used);
	if (rc1 != rc || u1 != *used || env.h.why != env2.h.why ||
	    env.h.flags != env2.h.flags || env.h.nfields != env2.h.nfields ||
	    env.h.framing != env2.h.framing) {
		ok(0, "%s: split byte by byte differs (rc %d/%d used %zu/%zu)",
		   name, rc, rc1, *used, u1);
	}
	return rc;
}

static bool span_is(const struct kg_http_span *sp, const char *want)
{
	return sp->len == strlen(want) &&
	       !memcmp(env.buf + sp->off, want, sp->len);
}

static int field_flags(const char *name)
{
	unsigned int i;

	for (i = 0; i < env.h.nfields; i++)
		if (span_is(&env.h.fields[i].name, name))
			return env.h.fields[i].flags;
	return -1;
}

/* ---- good requests ------------------------------------------------------ */

static void test_get(void)
{
	static const char m[] =
		"GET /index.html?a=1&b=%2F HTTP/1.1\r\n"
		"Host: Example.COM:8080\r\n"
		"User-Agent: t\xe9st/1.0\t(x)  \r\n"
		"Accept:*/*\r\n"
		"\r\n";
	size_t used;
	int rc = parse(&deflim, false, 0, S(m), &used, "GET");
	struct kg_http_head *h = &env.h;

	ok(rc == KG_HTTP_DONE && used == sizeof(m) - 1, "GET: done, all used");
	ok(h->method == KG_HTTP_M_GET && span_is(&h->mtoken, "GET"),
	   "GET: method");
	ok(h->form == KG_HTTP_T_ORIGIN &&
	   span_is(&h->target, "/index.html?a=1&b=%2F") &&
	   span_is(&h->path, "/index.html") && span_is(&h->query, "a=1&b=%2F"),
	   "GET: target, path, query");
	ok(span_is(&h->host, "Example.COM") && h->port == 8080 &&
	   (h->flags & KG_HTTP_F_HOST), "GET: host and port");
	ok(h->minor == 1 && (h->flags & KG_HTTP_F_KEEP_ALIVE) &&
	   h->framing == KG_HTTP_BODY_NONE, "GET: 1.1, keep-alive, no body");
	ok(h->nfields == 3 && span_is(&h->fields[1].value, "t\xe9st/1.0\t(x)") &&
	   span_is(&h->fields[2].name, "Accept") &&
	   span_is(&h->fields[2].value, "*/*") &&
	   h->fields[0].id == KG_HTTP_H_HOST, "GET: fields, OWS trimmed");
	ok(h->len == sizeof(m) - 1 && !memcmp(env.buf, m, h->len),
	   "GET: the head is in the buffer");
	ok(kg_http_field_find(h, KG_HTTP_H_HOST) == 0 &&
	   kg_http_field_find(h, KG_HTTP_H_EXPECT) == -1, "GET: field_find");
}

static void test_post_pipelined(void)
{
	static const char m[] =
		"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
		"hello"
		"GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
	struct kg_http_body b;
	size_t used, u, off;
	int rc = parse(&deflim, false, 0, S(m), &used, "POST");

	ok(rc == KG_HTTP_DONE && env.h.method == KG_HTTP_M_POST &&
	   env.h.framing == KG_HTTP_BODY_LENGTH && env.h.content_length == 5 &&
	   (env.h.flags & KG_HTTP_F_CL), "POST: Content-Length 5");
	off = used;
	kg_http_body_init(&b, &env.h);
	rc = kg_http_body_feed(&b, (const u8 *)m + off, sizeof(m) - 1 - off,
			       &u);
	ok(rc == KG_HTTP_DONE && u == 5 && b.payload == 5,
	   "POST: body of 5 bytes, the rest not taken");
	off += u;
	rc = parse(&deflim, false, 0, m + off, sizeof(m) - 1 - off, &used,
		   "pipelined");
	ok(rc == KG_HTTP_DONE && off + used == sizeof(m) - 1 &&
	   span_is(&env.h.path, "/next"), "pipelined: second request after the body");
}

static void test_chunked(void)
{
	static const char m[] =
		"POST /up HTTP/1.1\r\nHost: a\r\n"
		"Transfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n";
	static const char body[] =
		"5;name=value;flag ; q=\"a \\\"b\\\" c\"\r\nhello\r\n"
		"A\r\n0123456789\r\n"
		"0;last\r\n"
		"X-Checksum: abc\r\nX-Other:\r\n\r\n"
		"GET / HTTP/1.1\r\n";
	struct kg_http_body b;
	size_t used, u, i, total = 0;
	int rc = parse(&deflim, false, 0, S(m), &used, "chunked");

	ok(rc == KG_HTTP_DONE && env.h.framing == KG_HTTP_BODY_CHUNKED &&
	   (env.h.flags & (KG_HTTP_F_TE | KG_HTTP_F_CHUNKED)) ==
	   (KG_HTTP_F_TE | KG_HTTP_F_CHUNKED),
	   "chunked: gzip then chunked over two fields");
	kg_http_body_init(&b, &env.h);
	rc = kg_http_body_feed(&b, (const u8 *)body, sizeof(body) - 1, &u);
	ok(rc == KG_HTTP_DONE && u == sizeof(body) - 1 - 16 && b.payload == 15,
	   "chunked: extensions, trailers, 15 payload bytes, ends before the next");
	kg_http_body_init(&b, &env.h);
	for (i = 0; i < sizeof(body) - 1; i++) {
		rc = kg_http_body_feed(&b, (const u8 *)body + i, 1, &u);
		total += u;
		if (rc != KG_HTTP_MORE)
			break;
	}
	ok(rc == KG_HTTP_DONE && total == sizeof(body) - 1 - 16 &&
	   b.payload == 15, "chunked: the same one byte a call");
	rc = kg_http_body_feed(&b, (const u8 *)"x", 1, &u);
	ok(rc == KG_HTTP_DONE && u == 0, "chunked: DONE stays DONE");
}

static void test_http10(void)
{
	size_t used;
	int rc;

	rc = parse(&deflim, false, 0, S("GET / HTTP/1.0\r\n\r\n"), &used,
		   "1.0");
	ok(rc == KG_HTTP_DONE && env.h.minor == 0 &&
	   !(env.h.flags & KG_HTTP_F_KEEP_ALIVE) &&
	   !(env.h.flags & KG_HTTP_F_HOST),
	   "HTTP/1.0 without Host: accepted, not persistent");
	rc = parse(&deflim, false, 0,
		   S("GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n"
		     "Keep-Alive: timeout=5\r\n\r\n"), &used, "1.0 ka");
	ok(rc == KG_HTTP_DONE && (env.h.flags & KG_HTTP_F_KEEP_ALIVE) &&
	   (field_flags("Keep-Alive") & KG_HTTP_FIELD_HOP),
	   "HTTP/1.0 with keep-alive: persistent, Keep-Alive hop-by-hop");
	rc = parse(&deflim, false, 0,
		   S("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"),
		   &used, "1.0 ka close");
	ok(rc == KG_HTTP_DONE && !(env.h.flags & KG_HTTP_F_KEEP_ALIVE),
	   "HTTP/1.0 keep-alive and close: close wins");
	rc = parse(&deflim, false, 0,
		   S("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
		   &used, "1.1 close");
	ok(rc == KG_HTTP_DONE && !(env.h.flags & KG_HTTP_F_KEEP_ALIVE) &&
	   (env.h.flags & KG_HTTP_F_CLOSE), "HTTP/1.1 close: not persistent");
	rc = parse(&deflim, false, 0,
		   S("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"), &used,
		   "1.0 expect");
	ok(rc == KG_HTTP_DONE && !(env.h.flags & KG_HTTP_F_CONTINUE),
	   "HTTP/1.0 100-continue is ignored");
	rc = parse(&deflim, false, 0, S("GET / HTTP/1.7\r\nHost: a\r\n\r\n"),
		   &used, "1.7");
	ok(rc == KG_HTTP_DONE && env.h.minor == 1, "HTTP/1.7 is taken as 1.1");
}

static void test_expect_upgrade(void)
{
	size_t used;
	int rc;

	rc = parse(&deflim, false, 0,
		   S("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n"
		     "Expect: 100-Continue\r\n\r\n"), &used, "expect");
	ok(rc == KG_HTTP_DONE && (env.h.flags & KG_HTTP_F_CONTINUE),
	   "Expect: 100-continue");
	rc = parse(&deflim, false, 0,
		   S("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: x==\r\n"
		     "Sec-WebSocket-Version: 13\r\n\r\n"), &used, "websocket");
	ok(rc == KG_HTTP_DONE && (env.h.flags & KG_HTTP_F_UPGRADE) &&
	   (field_flags("Upgrade") & KG_HTTP_FIELD_HOP) &&
	   (field_flags("Connection") & KG_HTTP_FIELD_HOP) &&
	   !(field_flags("Sec-WebSocket-Key") & KG_HTTP_FIELD_HOP),
	   "Upgrade: websocket with Connection: upgrade");
	rc = parse(&deflim, false, 0,
		   S("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"),
		   &used, "upgrade no option");
	ok(rc == KG_HTTP_DONE && !(env.h.flags & KG_HTTP_F_UPGRADE) &&
	   (env.h.flags & KG_HTTP_F_UPGRADE_FIELD),
	   "Upgrade without the Connection option is not an upgrade");
	rc = parse(&deflim, false, 0,
		   S("GET / HTTP/1.1\r\nX-A: 1\r\nConnection: x-a, , X-B\r\n"
		     "Host: a\r\nx-b: 2\r\nX-C: 3\r\nTE: trailers\r\n\r\n"),
		   &used, "connection names");
	ok(rc == KG_HTTP_DONE && (env.h.flags & KG_HTTP_F_CONN_OTHER) &&
	   (field_flags("X-A") & KG_HTTP_FIELD_HOP) &&
	   (field_flags("x-b") & KG_HTTP_FIELD_HOP) &&
	   (field_flags("TE") & KG_HTTP_FIELD_HOP) &&
	   !(field_flags("X-C") & KG_HTTP_FIELD_HOP) &&
	   !(field_flags("Host") & KG_HTTP_FIELD_HOP),
	   "fields named by Connection are hop-by-hop, before or after it");
}

static void test_forms(void)
{
	size_t used;
	int rc;

	rc = parse(&deflim, false, 0,
		   S("GET http://Example.com/p/q?x=1 HTTP/1.1\r\n"
		     "Host: example.COM:80\r\n\r\n"), &used, "absolute");
	ok(rc == KG_HTTP_DONE && env.h.form == KG_HTTP_T_ABSOLUTE &&
	   span_is(&env.h.path, "/p/q") && span_is(&env.h.query, "x=1") &&
	   span_is(&env.h.host, "example.COM"),
	   "absolute-form, Host with the default port");
	rc = parse(&deflim, false, 0,
		   S("GET https://a:8443 HTTP/1.1\r\nHost: a:8443\r\n\r\n"),
		   &used, "absolute empty path");
	ok(rc == KG_HTTP_DONE && env.h.path.len == 0 &&
	   env.h.form == KG_HTTP_T_ABSOLUTE,
	   "absolute-form https with a port and no path");
	rc = parse(&deflim, false, 0,
		   S("GET http://[2001:db8::1]:81/x HTTP/1.0\r\n\r\n"), &used,
		   "absolute 1.0");
	ok(rc == KG_HTTP_DONE && span_is(&env.h.host, "[2001:db8::1]") &&
	   env.h.port == 81, "absolute-form in HTTP/1.0 without Host: its host");
	rc = parse(&deflim, false, 0,
		   S("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), &used, "asterisk");
	ok(rc == KG_HTTP_DONE && env.h.form == KG_HTTP_T_ASTERISK &&
	   env.h.method == KG_HTTP_M_OPTIONS, "OPTIONS *");
	rc = parse(&deflim, false, 0,
		   S("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"),
		   &used, "connect");
	ok(rc == KG_HTTP_DONE && env.h.form == KG_HTTP_T_AUTHORITY &&
	   span_is(&env.h.host, "a.example") && env.h.port == 443,
	   "CONNECT host:port");
	rc = parse(&deflim, false, 0,
		   S("\r\nPURGE /x HTTP/1.1\r\nHost: a\r\n\r\n"), &used,
		   "lead + other");
	ok(rc == KG_HTTP_DONE && env.h.method == KG_HTTP_M_OTHER &&
	   span_is(&env.h.mtoken, "PURGE") && used == 32,
	   "one leading CRLF skipped; an unknown method is a token");
	rc = parse(&deflim, false, 0,
		   S("get / HTTP/1.1\r\nHost: a\r\nX-Tab:\ta\tb\t\r\n"
		     "Content-Length: 9223372036854775807\r\n\r\n"),
		   &used, "misc");
	ok(rc == KG_HTTP_DONE && env.h.method == KG_HTTP_M_OTHER &&
	   env.h.content_length == 9223372036854775807ULL &&
	   span_is(&env.h.fields[1].value, "a\tb"),
	   "lower-case method is another token; CL 2^63-1; HTAB in a value");
}

/* ---- refusals ----------------------------------------------------------- */

struct refusal {
	const char *name;
	const char *msg;
	int rc;
	unsigned int why;
};

#define H11 "GET / HTTP/1.1\r\nHost: a\r\n"
#define B400 KG_HTTP_E_BAD_REQUEST
#define B502 KG_HTTP_E_BAD_GATEWAY

static const struct refusal req_refusals[] = {
	{ "CL with TE", H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	  B400, KG_HTTP_WHY_CL_TE },
	{ "TE with CL", H11 "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
	  B400, KG_HTTP_WHY_CL_TE },
	{ "differing CL", H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
	  B400, KG_HTTP_WHY_CL_DUP },
	{ "identical CL twice", H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
	  B400, KG_HTTP_WHY_CL_DUP },
	{ "CL list", H11 "Content-Length: 5, 5\r\n\r\n", B400, KG_HTTP_WHY_CL_BAD },
	{ "CL sign +", H11 "Content-Length: +5\r\n\r\n", B400, KG_HTTP_WHY_CL_BAD },
	{ "CL sign -", H11 "Content-Length: -1\r\n\r\n", B400, KG_HTTP_WHY_CL_BAD },
	{ "CL inner space", H11 "Content-Length: 1 0\r\n\r\n", B400,
	  KG_HTTP_WHY_CL_BAD },
	{ "CL hex", H11 "Content-Length: 0x10\r\n\r\n", B400, KG_HTTP_WHY_CL_BAD },
	{ "CL empty", H11 "Content-Length: \r\n\r\n", B400, KG_HTTP_WHY_CL_BAD },
	{ "CL 2^63", H11 "Content-Length: 9223372036854775808\r\n\r\n", B400,
	  KG_HTTP_WHY_CL_BAD },
	{ "CL 2^64+1", H11 "Content-Length: 18446744073709551617\r\n\r\n", B400,
	  KG_HTTP_WHY_CL_BAD },
	{ "TE gzip only", H11 "Transfer-Encoding: gzip\r\n\r\n", B400,
	  KG_HTTP_WHY_TE_BAD },
	{ "TE chunked, gzip", H11 "Transfer-Encoding: chunked, gzip\r\n\r\n", B400,
	  KG_HTTP_WHY_TE_BAD },
	{ "TE chunked twice", H11 "Transfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", B400, KG_HTTP_WHY_TE_BAD },
	{ "TE empty", H11 "Transfer-Encoding: ,\r\n\r\n", B400, KG_HTTP_WHY_TE_BAD },
	{ "TE unknown", H11 "Transfer-Encoding: foo, chunked\r\n\r\n",
	  KG_HTTP_E_NOT_IMPLEMENTED, KG_HTTP_WHY_TE_UNKNOWN },
	{ "TE parameter", H11 "Transfer-Encoding: chunked;q=1\r\n\r\n",
	  KG_HTTP_E_NOT_IMPLEMENTED, KG_HTTP_WHY_TE_UNKNOWN },
	{ "TE junk", H11 "Transfer-Encoding: \"chunked\"\r\n\r\n", B400,
	  KG_HTTP_WHY_TE_BAD },
	{ "TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	  B400, KG_HTTP_WHY_TE_HTTP10 },
	{ "bare CR in the request line", "GET /\r HTTP/1.1\r\n\r\n", B400,
	  KG_HTTP_WHY_BARE_CR },
	{ "bare CR in a value", H11 "X: a\rb\r\n\r\n", B400, KG_HTTP_WHY_BARE_CR },
	{ "CR CR LF", H11 "X: a\r\r\n\r\n", B400, KG_HTTP_WHY_BARE_CR },
	{ "bare LF after the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_BARE_LF },
	{ "bare LF after a field", H11 "X: a\n\r\n", B400, KG_HTTP_WHY_BARE_LF },
	{ "bare LF ends the head", H11 "\n", B400, KG_HTTP_WHY_BARE_LF },
	{ "obs-fold", H11 "X: a\r\n b\r\n\r\n", B400, KG_HTTP_WHY_OBS_FOLD },
	{ "obs-fold with HTAB", H11 "X: a\r\n\tb\r\n\r\n", B400,
	  KG_HTTP_WHY_OBS_FOLD },
	{ "whitespace before the first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
	  B400, KG_HTTP_WHY_OBS_FOLD },
	{ "SP before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", B400,
	  KG_HTTP_WHY_NAME_SPACE },
	{ "HTAB before the colon", H11 "Content-Length\t: 5\r\n\r\n", B400,
	  KG_HTTP_WHY_NAME_SPACE },
	{ "name not a token", H11 "X(a): b\r\n\r\n", B400, KG_HTTP_WHY_FIELD_NAME },
	{ "empty name", H11 ": b\r\n\r\n", B400, KG_HTTP_WHY_FIELD_NAME },
	{ "no colon", H11 "NoColon\r\n\r\n", B400, KG_HTTP_WHY_FIELD_NAME },
	{ "non-ASCII name", H11 "X\xe9: b\r\n\r\n", B400, KG_HTTP_WHY_FIELD_NAME },
	{ "NUL in a value", H11 "X: a\0b\r\n\r\n", B400, KG_HTTP_WHY_FIELD_VALUE },
	{ "CTL in a value", H11 "X: a\x01\r\n\r\n", B400, KG_HTTP_WHY_FIELD_VALUE },
	{ "ESC in a value", H11 "X: \x1b[0m\r\n\r\n", B400,
	  KG_HTTP_WHY_FIELD_VALUE },
	{ "DEL in a value", H11 "X: a\x7f\r\n\r\n", B400, KG_HTTP_WHY_FIELD_VALUE },
	{ "no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_MISSING },
	{ "Host twice", H11 "Host: a\r\n\r\n", B400, KG_HTTP_WHY_HOST_DUP },
	{ "Host twice, different", H11 "Host: b\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_DUP },
	{ "Host twice in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_DUP },
	{ "Host empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host list", "GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host port too big", "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host empty port", "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host port not a number", "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host percent", "GET / HTTP/1.1\r\nHost: a%2eb\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host IPv6 unclosed", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", B400,
	  KG_HTTP_WHY_HOST_BAD },
	{ "Host IPv6 zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_BAD },
	{ "absolute host differs", "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_MISMATCH },
	{ "absolute port differs", "GET http://a:8080/ HTTP/1.1\r\nHost: a\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_MISMATCH },
	{ "absolute https vs :80", "GET https://a/ HTTP/1.1\r\nHost: a:80\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_MISMATCH },
	{ "CONNECT host differs", "CONNECT b:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_MISMATCH },
	{ "absolute-form in 1.1 without Host", "GET http://a/ HTTP/1.1\r\n\r\n",
	  B400, KG_HTTP_WHY_HOST_MISSING },
	{ "absolute userinfo", "GET http://u:p@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	  B400, KG_HTTP_WHY_TARGET },
	{ "absolute other scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "absolute no host", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_START_LINE },
	{ "two spaces before the version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
	  B400, KG_HTTP_WHY_START_LINE },
	{ "trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_START_LINE },
	{ "leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_START_LINE },
	{ "HTAB separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_METHOD },
	{ "no version", "GET /\r\nHost: a\r\n\r\n", B400, KG_HTTP_WHY_START_LINE },
	{ "two empty lines first", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_EMPTY_LINES },
	{ "LF first", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_BARE_LF },
	{ "CR first, no LF", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_BARE_CR },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", KG_HTTP_E_VERSION,
	  KG_HTTP_WHY_VERSION_MAJOR },
	{ "HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", KG_HTTP_E_VERSION,
	  KG_HTTP_WHY_VERSION_MAJOR },
	{ "http/1.1 lower case", "GET / http/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_VERSION },
	{ "HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_VERSION },
	{ "HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", B400, KG_HTTP_WHY_VERSION },
	{ "asterisk with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "authority with GET", "GET a:443 HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "CONNECT with a path", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "CONNECT without a port", "CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "bad escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "short escape", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "backslash", "GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "raw non-ASCII", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "pipe in the query", "GET /?a|b HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_TARGET },
	{ "method not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", B400,
	  KG_HTTP_WHY_METHOD },
	{ "binary first byte", "\x16\x03\x01\x02", B400, KG_HTTP_WHY_METHOD },
	{ "method too long", "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABC / HTTP/1.1\r\n\r\n",
	  KG_HTTP_E_NOT_IMPLEMENTED, KG_HTTP_WHY_METHOD_LONG },
	{ "Connection names Content-Length",
	  H11 "Connection: close, Content-Length\r\n\r\n", B400,
	  KG_HTTP_WHY_CONNECTION },
	{ "Connection names Transfer-Encoding",
	  H11 "Connection: transfer-encoding\r\n\r\n", B400,
	  KG_HTTP_WHY_CONNECTION },
	{ "Connection names Host", H11 "Connection: HOST\r\n\r\n", B400,
	  KG_HTTP_WHY_CONNECTION },
	{ "Connection not tokens", H11 "Connection: a b\r\n\r\n", B400,
	  KG_HTTP_WHY_CONNECTION },
	{ "Connection 17 options",
	  H11 "Connection: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\r\n\r\n", B400,
	  KG_HTTP_WHY_CONNECTION },
};

static const struct refusal resp_refusals[] = {
	{ "response CL with TE",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	  B502, KG_HTTP_WHY_CL_TE },
	{ "response differing CL",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	  B502, KG_HTTP_WHY_CL_DUP },
	{ "response bad CL", "HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\n", B502,
	  KG_HTTP_WHY_CL_BAD },
	{ "response TE in 1.0",
	  "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", B502,
	  KG_HTTP_WHY_TE_HTTP10 },
	{ "response TE in 204",
	  "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", B502,
	  KG_HTTP_WHY_TE_STATUS },
	{ "response TE in 100",
	  "HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n", B502,
	  KG_HTTP_WHY_TE_STATUS },
	{ "response chunked twice",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", B502,
	  KG_HTTP_WHY_TE_BAD },
	{ "status 099", "HTTP/1.1 099 X\r\n\r\n", B502, KG_HTTP_WHY_STATUS },
	{ "status 600", "HTTP/1.1 600 X\r\n\r\n", B502, KG_HTTP_WHY_STATUS },
	{ "status 2x0", "HTTP/1.1 2x0 X\r\n\r\n", B502, KG_HTTP_WHY_STATUS },
	{ "status 4 digits", "HTTP/1.1 2000 X\r\n\r\n", B502, KG_HTTP_WHY_STATUS },
	{ "status short", "HTTP/1.1 20\r\n\r\n", B502, KG_HTTP_WHY_STATUS },
	{ "status HTTP/2", "HTTP/2 200 OK\r\n\r\n", B502, KG_HTTP_WHY_VERSION },
	{ "status HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", B502,
	  KG_HTTP_WHY_VERSION_MAJOR },
	{ "status two spaces", "HTTP/1.1  200 OK\r\n\r\n", B502,
	  KG_HTTP_WHY_STATUS },
	{ "reason CTL", "HTTP/1.1 200 O\x01K\r\n\r\n", B502, KG_HTTP_WHY_REASON },
	{ "response bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", B502,
	  KG_HTTP_WHY_BARE_LF },
	{ "response bare CR", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", B502,
	  KG_HTTP_WHY_BARE_CR },
	{ "response obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", B502,
	  KG_HTTP_WHY_OBS_FOLD },
	{ "response space before colon",
	  "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", B502,
	  KG_HTTP_WHY_NAME_SPACE },
	{ "response NUL", "HTTP/1.1 200 OK\r\nX: \0\r\n\r\n", B502,
	  KG_HTTP_WHY_FIELD_VALUE },
	{ "response leading CRLF", "\r\nHTTP/1.1 200 OK\r\n\r\n", B502,
	  KG_HTTP_WHY_VERSION },
	{ "response Connection naming CL",
	  "HTTP/1.1 200 OK\r\nConnection: content-length\r\n\r\n", B502,
	  KG_HTTP_WHY_CONNECTION },
};

static void run_refusals(const struct refusal *t, size_t n, bool response)
{
	size_t i, used, len;
	int rc;

	for (i = 0; i < n; i++) {
		/* the NUL cases carry their NUL: measure up to the last CRLF */
		len = strlen(t[i].msg);
		if (strstr(t[i].name, "NUL"))
			len += 1 + strlen(t[i].msg + len + 1);
		rc = parse(&deflim, response, KG_HTTP_M_GET, t[i].msg, len,
			   &used, t[i].name);
		ok(rc == t[i].rc && env.h.why == t[i].why,
		   "refused: %s: %d (%s)%s%s", t[i].name, kg_http_status(rc),
		   kg_http_why_str(env.h.why),
		   rc == t[i].rc && env.h.why == t[i].why ? "" : ", expected ",
		   rc == t[i].rc && env.h.why == t[i].why ? "" :
		   kg_http_why_str(t[i].why));
	}
}

static void test_sticky(void)
{
	size_t used;
	int rc;

	rc = parse(&deflim, false, 0, S("GET / HTTP/1.1\nHost: a\r\n\r\n"),
		   &used, "sticky");
	ok(rc == B400 && used == 15, "an error counts the bytes up to the one deciding it");
	rc = kg_http_head_feed(&env.h, (const u8 *)"x", 1, &used);
	ok(rc == B400 && used == 0, "an error is sticky");
}

/* ---- limits -------------------------------------------------------------- */

static void test_limits(void)
{
	static const char m[] =
		"GET /0123456789abcdef HTTP/1.1\r\nHost: a\r\n"
		"A: 1\r\nB: 2\r\n\r\n";
	struct lim l = deflim;
	size_t used;
	int rc;

	l.uri = 17;
	rc = parse(&l, false, 0, S(m), &used, "uri 17");
	ok(rc == KG_HTTP_DONE, "limits: target of max_uri bytes accepted");
	l.uri = 16;
	rc = parse(&l, false, 0, S(m), &used, "uri 16");
	ok(rc == KG_HTTP_E_URI_TOO_LONG && env.h.why == KG_HTTP_WHY_URI_LONG &&
	   used == 21, "limits: one byte more is 414, at that byte");
	l = deflim;
	l.cap = 10;
	rc = parse(&l, false, 0, S(m), &used, "cap in uri");
	ok(rc == KG_HTTP_E_URI_TOO_LONG,
	   "limits: the buffer full inside the target is 414");
	l.cap = sizeof(m) - 2;
	rc = parse(&l, false, 0, S(m), &used, "cap");
	ok(rc == KG_HTTP_E_FIELDS_TOO_LARGE &&
	   env.h.why == KG_HTTP_WHY_HEAD_LARGE,
	   "limits: head one byte over the buffer is 431");
	l.cap = sizeof(m) - 1;
	rc = parse(&l, false, 0, S(m), &used, "cap exact");
	ok(rc == KG_HTTP_DONE, "limits: head of exactly the buffer accepted");
	l = deflim;
	l.fields = 2;
	rc = parse(&l, false, 0, S(m), &used, "fields 2");
	ok(rc == KG_HTTP_E_FIELDS_TOO_LARGE &&
	   env.h.why == KG_HTTP_WHY_FIELDS_MANY, "limits: 3 fields over 2 is 431");
	l.fields = 3;
	rc = parse(&l, false, 0, S(m), &used, "fields 3");
	ok(rc == KG_HTTP_DONE && env.h.nfields == 3,
	   "limits: 3 fields of 3 accepted");
	l = deflim;
	l.cap = 40;
	rc = parse(&l, true, KG_HTTP_M_GET,
		   S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX: yyyyyyyy\r\n\r\n"),
		   &used, "resp cap");
	ok(rc == B502 && env.h.why == KG_HTTP_WHY_HEAD_LARGE,
	   "limits: a response head too large is 502");
}

/* A head outgrowing its first buffer asks for room, only below the limit. */
static void test_room(void)
{
	static const char m[] = "GET /abc HTTP/1.1\r\nHost: a\r\n\r\n";
	const size_t n = sizeof(m) - 1;
	const u8 *p = (const u8 *)m;
	struct kg_http_field f[4];
	struct kg_http_head h;
	size_t used, u2;
	u8 buf[64];
	int rc;

	kg_http_head_init(&h, buf, 8, f, 4, 64);
	rc = kg_http_head_feed(&h, p, n, &used);
	ok(rc < 0, "room: without allow, the first buffer is the limit");

	kg_http_head_init(&h, buf, 8, f, 4, 64);
	kg_http_head_allow(&h, 64);
	rc = kg_http_head_feed(&h, p, n, &used);
	ok(rc == KG_HTTP_ROOM && used == 8 && h.len == 8,
	   "room: a full first buffer takes its 8 bytes and asks for more");
	rc = kg_http_head_feed(&h, p + used, n - used, &u2);
	ok(rc == KG_HTTP_ROOM && u2 == 0,
	   "room: asked again, nothing taken, until the buffer grows");
	kg_http_head_rebuf(&h, buf, 64);
	rc = kg_http_head_feed(&h, p + used, n - used, &u2);
	ok(rc == KG_HTTP_DONE && u2 == n - used && h.len == n &&
	   h.path.len == 4 && !memcmp(buf + h.path.off, "/abc", 4) &&
	   h.nfields == 1, "room: grown, the head ends as if fed whole");

	kg_http_head_init(&h, buf, 8, f, 4, 64);
	kg_http_head_allow(&h, 16);
	rc = kg_http_head_feed(&h, p, n, &used);
	kg_http_head_rebuf(&h, buf, 16);
	rc = kg_http_head_feed(&h, p + used, n - used, &u2);
	ok(rc == KG_HTTP_E_FIELDS_TOO_LARGE && h.why == KG_HTTP_WHY_HEAD_LARGE &&
	   used + u2 == 17, "room: at the limit, a larger head is 431 as before");
}

/* ---- responses ------------------------------------------------------------ */

struct resp_case {
	const char *name;
	const char *msg;
	unsigned int req_method;
	unsigned int framing;
	bool keep_alive;
	u64 length;
};

static const struct resp_case resp_cases[] = {
	{ "200 with Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_LENGTH, true, 12 },
	{ "200 chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_CHUNKED, true, 0 },
	{ "200 gzip, not chunked: close-delimited",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_CLOSE, false, 0 },
	{ "200 chunked, gzip: close-delimited",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_CLOSE, false, 0 },
	{ "200 without length: close-delimited", "HTTP/1.1 200 OK\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_CLOSE, false, 0 },
	{ "200 Content-Length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	  KG_HTTP_M_POST, KG_HTTP_BODY_NONE, true, 0 },
	{ "204", "HTTP/1.1 204 No Content\r\n\r\n", KG_HTTP_M_DELETE,
	  KG_HTTP_BODY_NONE, true, 0 },
	{ "204 with Content-Length 0",
	  "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", KG_HTTP_M_GET,
	  KG_HTTP_BODY_NONE, true, 0 },
	{ "304 with Content-Length",
	  "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_NONE, true, 100 },
	{ "304 chunked", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_NONE, true, 0 },
	{ "HEAD with Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
	  KG_HTTP_M_HEAD, KG_HTTP_BODY_NONE, true, 100 },
	{ "HEAD chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	  KG_HTTP_M_HEAD, KG_HTTP_BODY_NONE, true, 0 },
	{ "HEAD without length", "HTTP/1.1 200 OK\r\n\r\n", KG_HTTP_M_HEAD,
	  KG_HTTP_BODY_NONE, true, 0 },
	{ "101 Switching Protocols",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	  "Connection: Upgrade\r\n\r\n", KG_HTTP_M_GET, KG_HTTP_BODY_TUNNEL,
	  false, 0 },
	{ "CONNECT 200", "HTTP/1.1 200 Connection established\r\n\r\n",
	  KG_HTTP_M_CONNECT, KG_HTTP_BODY_TUNNEL, false, 0 },
	{ "CONNECT 407 with length",
	  "HTTP/1.1 407 Auth\r\nContent-Length: 3\r\n\r\n", KG_HTTP_M_CONNECT,
	  KG_HTTP_BODY_LENGTH, true, 3 },
	{ "1.0 with Content-Length", "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_LENGTH, false, 3 },
	{ "1.0 with keep-alive",
	  "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_LENGTH, true, 3 },
	{ "1.1 close", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_LENGTH, false, 3 },
	{ "no reason, no SP", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_NONE, true, 0 },
	{ "empty reason", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_NONE, true, 0 },
	{ "reason with obs-text", "HTTP/1.1 200 \xc3\x9c\tok\r\nContent-Length: 0\r\n\r\n",
	  KG_HTTP_M_GET, KG_HTTP_BODY_NONE, true, 0 },
};

static void test_responses(void)
{
	size_t i, used;
	int rc;

	for (i = 0; i < sizeof(resp_cases) / sizeof(resp_cases[0]); i++) {
		const struct resp_case *c = &resp_cases[i];

		rc = parse(&deflim, true, c->req_method, c->msg, strlen(c->msg),
			   &used, c->name);
		ok(rc == KG_HTTP_DONE && env.h.framing == c->framing &&
		   !!(env.h.flags & KG_HTTP_F_KEEP_ALIVE) == c->keep_alive &&
		   env.h.content_length == c->length && used == strlen(c->msg),
		   "response: %s (framing %u, keep-alive %d)", c->name,
		   env.h.framing, !!(env.h.flags & KG_HTTP_F_KEEP_ALIVE));
	}
}

static void test_informational(void)
{
	static const char m[] =
		"HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
		"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
	struct kg_http_body b;
	size_t used, off = 0, u;
	int rc;

	rc = parse(&deflim, true, KG_HTTP_M_PUT, S(m), &used, "100");
	ok(rc == KG_HTTP_DONE && env.h.status == 100 &&
	   (env.h.flags & KG_HTTP_F_INFO) && env.h.framing == KG_HTTP_BODY_NONE &&
	   span_is(&env.h.reason, "Continue"),
	   "response: 100 Continue, another head follows");
	off += used;
	rc = parse(&deflim, true, KG_HTTP_M_PUT, m + off, sizeof(m) - 1 - off,
		   &used, "103");
	ok(rc == KG_HTTP_DONE && env.h.status == 103 &&
	   (env.h.flags & KG_HTTP_F_INFO), "response: then 103 Early Hints");
	off += used;
	rc = parse(&deflim, true, KG_HTTP_M_PUT, m + off, sizeof(m) - 1 - off,
		   &used, "201");
	ok(rc == KG_HTTP_DONE && env.h.status == 201 &&
	   !(env.h.flags & KG_HTTP_F_INFO) &&
	   env.h.framing == KG_HTTP_BODY_LENGTH, "response: then the final 201");
	off += used;
	kg_http_body_init(&b, &env.h);
	rc = kg_http_body_feed(&b, (const u8 *)m + off, sizeof(m) - 1 - off, &u);
	ok(rc == KG_HTTP_DONE && u == 2, "response: and its 2 bytes");
}

static void test_close_delimited(void)
{
	struct kg_http_body b;
	size_t u;
	int rc;

	kg_http_body_init_framing(&b, KG_HTTP_BODY_CLOSE, 0, true);
	rc = kg_http_body_feed(&b, (const u8 *)"abc", 3, &u);
	ok(rc == KG_HTTP_MORE && u == 3 && b.payload == 3,
	   "close-delimited: takes everything");
	ok(kg_http_body_eof(&b) == KG_HTTP_DONE,
	   "close-delimited: the close ends it");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_LENGTH, 10, true);
	rc = kg_http_body_feed(&b, (const u8 *)"abc", 3, &u);
	ok(rc == KG_HTTP_MORE && kg_http_body_eof(&b) == B502 &&
	   b.why == KG_HTTP_WHY_TRUNCATED,
	   "Content-Length: a close before the end is 502");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	rc = kg_http_body_feed(&b, (const u8 *)"3\r\nab", 5, &u);
	ok(rc == KG_HTTP_MORE && kg_http_body_eof(&b) == B400,
	   "chunked request: a close inside is 400");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_NONE, 0, false);
	rc = kg_http_body_feed(&b, (const u8 *)"abc", 3, &u);
	ok(rc == KG_HTTP_DONE && u == 0 && kg_http_body_eof(&b) == KG_HTTP_DONE,
	   "no body: DONE at once");
}

/* ---- bodies --------------------------------------------------------------- */

struct body_case {
	const char *name;
	const char *body;
	int rc;
	unsigned int why;
	u64 payload;
	int used;		/* -1: all */
};

static const struct body_case chunk_cases[] = {
	{ "one chunk", "5\r\nhello\r\n0\r\n\r\n", KG_HTTP_DONE, 0, 5, -1 },
	{ "upper and lower hex", "a\r\n0123456789\r\nB\r\n0123456789a\r\n0\r\n\r\n",
	  KG_HTTP_DONE, 0, 21, -1 },
	{ "leading zeros", "0005\r\nhello\r\n000\r\n\r\n", KG_HTTP_DONE, 0, 5, -1 },
	{ "BWS before ';'", "5 \t;a = b ; c\r\nhello\r\n0\r\n\r\n", KG_HTTP_DONE, 0,
	  5, -1 },
	{ "quoted extension", "5;a=\"x;y\\\"z\"\r\nhello\r\n0\r\n\r\n", KG_HTTP_DONE,
	  0, 5, -1 },
	{ "trailers", "0\r\nA: 1\r\nB-2:\r\nC:x y\r\n\r\n", KG_HTTP_DONE, 0, 0,
	  -1 },
	{ "stops at the message's end", "0\r\n\r\nGET", KG_HTTP_DONE, 0, 0, 5 },
	{ "space after the size", "5 \r\nhello\r\n0\r\n\r\n", B400,
	  KG_HTTP_WHY_CHUNK_SIZE, 0, 3 },
	{ "no size", "\r\n", B400, KG_HTTP_WHY_CHUNK_SIZE, 0, 1 },
	{ "not hex", "g\r\n", B400, KG_HTTP_WHY_CHUNK_SIZE, 0, 1 },
	{ "signed", "-5\r\n", B400, KG_HTTP_WHY_CHUNK_SIZE, 0, 1 },
	{ "0x prefix", "0x5\r\n", B400, KG_HTTP_WHY_CHUNK_SIZE, 0, 2 },
	{ "size 2^63", "8000000000000000\r\n", B400, KG_HTTP_WHY_CHUNK_SIZE, 0, 16 },
	{ "size 2^64", "10000000000000000\r\n", B400, KG_HTTP_WHY_CHUNK_SIZE, 0, 17 },
	{ "size 2^63-1", "7fffffffffffffff\r\nab", KG_HTTP_MORE, 0, 2, -1 },
	{ "bare LF after the size", "5\nhello\r\n0\r\n\r\n", B400,
	  KG_HTTP_WHY_BARE_LF, 0, 2 },
	{ "bare CR after the size", "5\rhello\r\n", B400, KG_HTTP_WHY_BARE_CR, 0,
	  3 },
	{ "data longer than the size", "5\r\nhelloX\r\n0\r\n\r\n", B400,
	  KG_HTTP_WHY_CHUNK_END, 5, 9 },
	{ "LF only after data", "5\r\nhello\n0\r\n\r\n", B400,
	  KG_HTTP_WHY_CHUNK_END, 5, 9 },
	{ "CR only after data", "5\r\nhello\r0\r\n\r\n", B400,
	  KG_HTTP_WHY_CHUNK_END, 5, 10 },
	{ "extension without a name", "5;=x\r\n", B400, KG_HTTP_WHY_CHUNK_EXT, 0,
	  3 },
	{ "extension with an empty value", "5;a=\r\n", B400,
	  KG_HTTP_WHY_CHUNK_EXT, 0, 5 },
	{ "extension name with a space", "5;a b\r\n", B400,
	  KG_HTTP_WHY_CHUNK_EXT, 0, 5 },
	{ "whitespace before the CR", "5;a \r\n", B400, KG_HTTP_WHY_CHUNK_EXT, 0,
	  5 },
	{ "CTL in an extension", "5;a=\"\x01\"\r\n", B400, KG_HTTP_WHY_CHUNK_EXT,
	  0, 6 },
	{ "bare LF in an extension", "5;a\n", B400, KG_HTTP_WHY_BARE_LF, 0, 4 },
	{ "trailer obs-fold", "0\r\nA: 1\r\n b\r\n\r\n", B400,
	  KG_HTTP_WHY_TRAILER, 0, 10 },
	{ "trailer space before the colon", "0\r\nA : 1\r\n\r\n", B400,
	  KG_HTTP_WHY_TRAILER, 0, 5 },
	{ "trailer NUL", "0\r\nA: \x00\r\n\r\n", B400, KG_HTTP_WHY_TRAILER, 0,
	  7 },
	{ "trailer bare LF", "0\r\nA: 1\n\r\n", B400, KG_HTTP_WHY_BARE_LF, 0, 8 },
	{ "trailer bare CR", "0\r\nA: 1\rx\r\n\r\n", B400, KG_HTTP_WHY_BARE_CR, 0,
	  9 },
	{ "last CRLF bare LF", "0\r\n\n", B400, KG_HTTP_WHY_BARE_LF, 0, 4 },
	{ "last CRLF bare CR", "0\r\n\rx", B400, KG_HTTP_WHY_BARE_CR, 0, 5 },
	{ "trailer without a colon", "0\r\nAB\r\n\r\n", B400, KG_HTTP_WHY_TRAILER,
	  0, 6 },
};

static void run_chunk_cases(void)
{
	size_t i, j, u, used, len, total;
	struct kg_http_body b, b1;
	int rc, rc1;

	for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
		const struct body_case *c = &chunk_cases[i];

		len = strlen(c->body);
		if (strstr(c->name, "NUL"))
			len += 1 + strlen(c->body + len + 1);
		kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
		rc = kg_http_body_feed(&b, (const u8 *)c->body, len, &used);
		kg_http_body_init_framing(&b1, KG_HTTP_BODY_CHUNKED, 0, false);
		total = 0;
		rc1 = KG_HTTP_MORE;
		for (j = 0; j < len && rc1 == KG_HTTP_MORE; j++) {
			rc1 = kg_http_body_feed(&b1, (const u8 *)c->body + j, 1,
						&u);
			total += u;
		}
		ok(rc == c->rc && b.why == c->why && b.payload == c->payload &&
		   used == (c->used < 0 ? len : (size_t)c->used) &&
		   rc1 == rc && total == used && b1.payload == b.payload,
		   "chunked: %s: %d %s, used %zu", c->name, rc,
		   kg_http_why_str(b.why), used);
	}
}

static void test_body_limits(void)
{
	struct kg_http_body b;
	size_t u, i;
	int rc;

	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	b.max_payload = 8;
	rc = kg_http_body_feed(&b, (const u8 *)S("5\r\nhello\r\n4\r\n"), &u);
	ok(rc == KG_HTTP_E_BODY_TOO_LARGE && b.why == KG_HTTP_WHY_BODY_LARGE &&
	   u == 13, "chunked: payload over max_payload is 413 at the size line");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_LENGTH, 9, false);
	b.max_payload = 8;
	rc = kg_http_body_feed(&b, (const u8 *)"x", 1, &u);
	ok(rc == KG_HTTP_E_BODY_TOO_LARGE, "Content-Length over max_payload is 413");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	b.max_chunk_line = 8;
	rc = kg_http_body_feed(&b, (const u8 *)S("5;abcdefgh\r\n"), &u);
	ok(rc == B400 && b.why == KG_HTTP_WHY_CHUNK_LONG && u == 9,
	   "chunked: a chunk line over max_chunk_line is refused");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	b.max_chunk_line = 8;
	rc = kg_http_body_feed(&b, (const u8 *)S("5;abcdef\r\nhello\r\n0\r\n\r\n"),
			       &u);
	ok(rc == KG_HTTP_DONE, "chunked: a chunk line of max_chunk_line accepted");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	b.max_ext = 100;
	rc = KG_HTTP_MORE;
	for (i = 0; i < 100 && rc == KG_HTTP_MORE; i++)
		rc = kg_http_body_feed(&b, (const u8 *)S("1;abcdefgh\r\nx\r\n"),
				       &u);
	ok(rc == B400 && b.why == KG_HTTP_WHY_CHUNK_LONG && i == 13,
	   "chunked: extensions over max_ext per message are refused");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	b.max_trailer = 16;
	rc = kg_http_body_feed(&b, (const u8 *)S("0\r\nA: 0123456789\r\n\r\n"),
			       &u);
	ok(rc == KG_HTTP_E_FIELDS_TOO_LARGE &&
	   b.why == KG_HTTP_WHY_TRAILER_LARGE,
	   "chunked: trailer section over max_trailer is 431");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	b.max_trailer_fields = 2;
	rc = kg_http_body_feed(&b, (const u8 *)S("0\r\nA:\r\nB:\r\nC:\r\n\r\n"),
			       &u);
	ok(rc == KG_HTTP_E_FIELDS_TOO_LARGE,
	   "chunked: more trailer fields than max_trailer_fields is 431");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, true);
	rc = kg_http_body_feed(&b, (const u8 *)S("z\r\n"), &u);
	ok(rc == B502, "chunked response: errors are 502");
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	rc = kg_http_body_feed(&b, (const u8 *)S("1\r\nx\r\n7fffffffffffffff\r\n"),
			       &u);
	ok(rc == B400 && b.why == KG_HTTP_WHY_CHUNK_SIZE,
	   "chunked: a total payload over 2^63-1 is refused");
}

/* ---- paths --------------------------------------------------------------- */

static const struct {
	const char *in;
	const char *out;	/* NULL: refused with 400 */
} paths[] = {
	{ "/a/./b/../c", "/a/c" },
	{ "/", "/" },
	{ "", "/" },
	{ "?q=1", "/" },
	{ "/..", "/" },
	{ "/../../x", "/x" },
	{ "/a/b/..", "/a/" },
	{ "/a/b/../", "/a/" },
	{ "/a/.", "/a/" },
	{ "/.", "/" },
	{ "/./", "/" },
	{ "/a//b", "/a//b" },
	{ "/a//../b", "/a/b" },
	{ "/a/b/c/./../../g", "/a/g" },
	{ "/mid/content=5/../6", "/mid/6" },
	{ "/a/.../b", "/a/.../b" },
	{ "/a/..b/.c", "/a/..b/.c" },
	{ "/%7euser/%41%62%2D%5f%2E", "/~user/Ab-_." },
	{ "/%e2%82%ac", "/%E2%82%AC" },
	{ "/a%20b", "/a%20b" },
	{ "/%c3%a9%3a", "/%C3%A9%3A" },
	{ "/%2e%2e/x", "/x" },
	{ "/a/%2E/b", "/a/b" },
	{ "/a/.%2e/b", "/b" },
	{ "/a?x=/../&y=%2f", "/a" },
	{ "/a;b/c;d=1", "/a;b/c;d=1" },
	{ "/@:!$&'()*+,=", "/@:!$&'()*+,=" },
	{ "/a%2fb", NULL },
	{ "/a%2Fb", NULL },
	{ "/a%5cb", NULL },
	{ "/a%5Cb", NULL },
	{ "/%00", NULL },
	{ "/%0a", NULL },
	{ "/%7F", NULL },
	{ "/%zz", NULL },
	{ "/%4", NULL },
	{ "/%", NULL },
	{ "/..;/x", NULL },
	{ "/.;x", NULL },
	{ "/a/%2e%2e;/x", NULL },
	{ "/a\\b", NULL },
	{ "/a b", NULL },
	{ "/a#b", NULL },
	{ "/\xc3\xa9", NULL },
	{ "x/y", NULL },
	{ "*", NULL },
};

static void test_paths(void)
{
	u8 out[256];
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *in = paths[i].in, *want = paths[i].out;
		rc = kg_http_path_normalize((const u8 *)in, strlen(in), out,
					    sizeof(out), &n);
		if (want)
			ok(rc == 0 && n == strlen(want) && !memcmp(out, want, n),
			   "path: \"%s\" -> \"%.*s\"", in, rc ? 0 : (int)n,
			   (const char *)out);
		else
			ok(rc == KG_HTTP_E_BAD_REQUEST, "path: \"%s\" refused (%d)",
			   in, rc);
	}
	rc = kg_http_path_normalize((const u8 *)"/abc", 4, out, 3, &n);
	ok(rc == KG_HTTP_E_URI_TOO_LONG, "path: output buffer too small");
	rc = kg_http_path_normalize((const u8 *)"", 0, out, 1, &n);
	ok(rc == 0 && n == 1 && out[0] == '/', "path: empty fits len + 1");
	rc = kg_http_path_normalize((const u8 *)"/%4a", 4, out, 2, &n);
	ok(rc == 0 && n == 2 && !memcmp(out, "/J", 2),
	   "path: decoding shrinks, the output never exceeds len + 1");
}

int main(void)
{
	test_get();
	test_post_pipelined();
	test_chunked();
	test_http10();
	test_expect_upgrade();
	test_forms();
	run_refusals(req_refusals, sizeof(req_refusals) / sizeof(req_refusals[0]),
		     false);
	run_refusals(resp_refusals,
		     sizeof(resp_refusals) / sizeof(resp_refusals[0]), true);
	test_sticky();
	test_limits();
	test_room();
	test_responses();
	test_informational();
	test_close_delimited();
	run_chunk_cases();
	test_body_limits();
	test_paths();
	return tap_done();
}

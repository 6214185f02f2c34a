// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/core/fwd.c, built for userspace with ASan and UBSan.
 * Prints TAP (tests/unit/tap.h); exit status non-zero if any test failed.
 *
 * Each case parses real request or response bytes with kg_http_head_feed(),
 * builds the head to send with fwd.c, compares it with the exact bytes
 * expected, and parses the result again as a head: it must be complete,
 * take every byte, and have the fields expected.  Every output is also
 * built into every smaller buffer, from 0 bytes up: -ENOSPC, and not a
 * byte written past the buffer (a canary follows it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwd.h"
#include "http.h"
#include "match.h"
#include "tap.h"

#define S(lit) (const u8 *)(lit), sizeof(lit) - 1

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_result(cond, "fwd: %s", msg);
}

/* ---- parsing ------------------------------------------------------------ */

#define FIELDS 64

struct env {
	struct kg_http_head h;
	u8 buf[8192];
	struct kg_http_field f[FIELDS];
};

/* in: the input head; re: the output parsed again */
static struct env in, re;

static int parse_into(struct env *e, bool response, unsigned int rm,
		      const u8 *s, size_t n, size_t *used)
{
	if (response)
		kg_http_head_init_response(&e->h, e->buf, sizeof(e->buf), e->f,
					   FIELDS, rm);
	else
		kg_http_head_init(&e->h, e->buf, sizeof(e->buf), e->f, FIELDS,
				  4096);
	return kg_http_head_feed(&e->h, s, n, used);
}

/* The input head: it must parse whole. */
static const struct kg_http_head *req(const char *s)
{
	size_t used;

	if (parse_into(&in, false, 0, (const u8 *)s, strlen(s), &used) !=
	    KG_HTTP_DONE || used != strlen(s)) {
		printf("# input request does not parse: %s\n", s);
		abort();
	}
	return &in.h;
}

static const struct kg_http_head *resp(const char *s, unsigned int rm)
{
	size_t used;

	if (parse_into(&in, true, rm, (const u8 *)s, strlen(s), &used) !=
	    KG_HTTP_DONE || used != strlen(s)) {
		printf("# input response does not parse: %s\n", s);
		abort();
	}
	return &in.h;
}

/* The output parsed again: a whole head of exactly @n bytes. */
static bool reparse(const u8 *out, int n, bool response, unsigned int rm)
{
	size_t used;

	if (n <= 0)
		return false;
	return parse_into(&re, response, rm, out, n, &used) == KG_HTTP_DONE &&
	       used == (size_t)n;
}

/* The @idx-th value of field @name of the output, NUL-terminated, or NULL. */
static const char *rfield(const char *name, unsigned int idx)
{
	static char v[1024];
	unsigned int i;

	for (i = 0; i < re.h.nfields; i++) {
		const struct kg_http_field *f = &re.h.fields[i];

		if (f->name.len != strlen(name) ||
		    strncasecmp((const char *)re.buf + f->name.off, name,
				f->name.len))
			continue;
		if (idx--)
			continue;
		memcpy(v, re.buf + f->value.off, f->value.len);
		v[f->value.len] = 0;
		return v;
	}
	return NULL;
}

static unsigned int rcount(const char *name)
{
	unsigned int n = 0;

	while (rfield(name, n))
		n++;
	return n;
}

/* Fields of the output that the parser marks hop-by-hop. */
static unsigned int rhop(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < re.h.nfields; i++)
		n += !!(re.h.fields[i].flags & KG_HTTP_FIELD_HOP);
	return n;
}

static bool rfield_is(const char *name, unsigned int idx, const char *want)
{
	const char *v = rfield(name, idx);

	return v && !strcmp(v, want);
}

/* ---- output checks ------------------------------------------------------ */

#define OUTMAX	4096
#define CANARY	64

static u8 out[OUTMAX + CANARY];

/* What a sweep builds: fills @o (@cap bytes), returns the result. */
typedef int (*build_fn)(const void *arg, u8 *o, u32 cap);

static bool same(int n, const u8 *o, const char *want)
{
	if (n != (int)strlen(want) || memcmp(o, want, n)) {
		printf("# got %d: \"", n);
		if (n > 0)
			fwrite(o, 1, n, stdout);
		printf("\"\n# want %zu: \"%s\"\n", strlen(want), want);
		return false;
	}
	return true;
}

/*
 * Build into every buffer of 0 .. @full - 1 bytes (-ENOSPC, canary kept),
 * then into @full bytes exactly (the whole result, canary kept).
 */
static bool sweep(build_fn fn, const void *arg, int full)
{
	u8 *o;
	u32 cap, i;
	int rc;

	if (full <= 0 || full > OUTMAX)
		return false;
	for (cap = 0; cap <= (u32)full; cap++) {
		o = out + OUTMAX - cap;	/* the canary right after o[cap - 1] */
		memset(out, 0xa5, sizeof(out));
		rc = fn(arg, o, cap);
		for (i = 0; i < CANARY; i++)
			if (o[cap + i] != 0xa5)
				return false;
		if (cap < (u32)full ? rc != -ENOSPC : rc != full)
			return false;
	}
	/* leave the whole result at out[] for the checks that follow */
	return fn(arg, out, OUTMAX) == full;
}

static int build_req(const void *arg, u8 *o, u32 cap)
{
	return kg_fwd_request(arg, o, cap);
}

static int build_resp(const void *arg, u8 *o, u32 cap)
{
	return kg_fwd_response(arg, o, cap);
}

static int build_reply(const void *arg, u8 *o, u32 cap)
{
	return kg_fwd_reply(arg, o, cap);
}

static int build_addr(const void *arg, u8 *o, u32 cap)
{
	return kg_fwd_addr(arg, (char *)o, cap);
}

/* Build @r whole: exact bytes, a sweep of every smaller buffer. */
static int do_req(const struct kg_fwd_req *r, const char *want,
		  const char *name)
{
	int n = kg_fwd_request(r, out, OUTMAX);

	ok(same(n, out, want), "%s: the bytes", name);
	ok(sweep(build_req, r, n), "%s: -ENOSPC below %d bytes, nothing past the buffer",
	   name, n);
	ok(reparse(out, n, false, 0), "%s: parses again as a whole request", name);
	return n;
}

static int do_resp(const struct kg_fwd_resp *r, const char *want,
		   unsigned int rm, const char *name)
{
	int n = kg_fwd_response(r, out, OUTMAX);

	ok(same(n, out, want), "%s: the bytes", name);
	ok(sweep(build_resp, r, n), "%s: -ENOSPC below %d bytes, nothing past the buffer",
	   name, n);
	ok(reparse(out, n, true, rm), "%s: parses again as a whole response", name);
	return n;
}

/* ---- requests ----------------------------------------------------------- */

static const struct kg_fwd_peer client4 = {
	.family = 4, .addr = { 10, 0, 0, 1 }, .port = 40000,
};

/* A request for @h sending its own target and Host. */
static struct kg_fwd_req fwd_req(const struct kg_http_head *h)
{
	struct kg_fwd_req r = {
		.h = h,
		.target = h->buf + h->target.off,
		.target_len = h->target.len,
		.rule_id = KG_MATCH_NONE,
		.client = client4,
		.listener_port = 80,
	};
	int i = kg_http_field_find(h, KG_HTTP_H_HOST);

	if (i >= 0) {
		r.host = h->buf + h->fields[i].value.off;
		r.host_len = h->fields[i].value.len;
	}
	return r;
}

static void test_get11(void)
{
	struct kg_fwd_req r = fwd_req(req("GET /a?b=1 HTTP/1.1\r\n"
					  "Host: example.com\r\n"
					  "User-Agent: t/1\r\n"
					  "Accept: */*\r\n\r\n"));

	do_req(&r, "GET /a?b=1 HTTP/1.1\r\n"
	       "Host: example.com\r\n"
	       "User-Agent: t/1\r\n"
	       "Accept: */*\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: example.com\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n", "GET 1.1");
	ok(re.h.minor == 1 && re.h.method == KG_HTTP_M_GET &&
	   (re.h.flags & KG_HTTP_F_KEEP_ALIVE) && !rcount("Connection") &&
	   rfield_is("Host", 0, "example.com") && re.h.nfields == 8,
	   "GET 1.1: persistent without Connection, Host first of 8 fields");
}

static void test_get10(void)
{
	struct kg_fwd_req r = fwd_req(req("GET / HTTP/1.0\r\n"
					  "Accept: x\r\n\r\n"));

	do_req(&r, "GET / HTTP/1.0\r\n"
	       "Accept: x\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n"
	       "Connection: keep-alive\r\n\r\n", "GET 1.0 without Host");
	ok(re.h.minor == 0 && (re.h.flags & KG_HTTP_F_KEEP_ALIVE) &&
	   !rcount("Host") && !rcount("X-Forwarded-Host"),
	   "GET 1.0: keep-alive asked, no Host, no X-Forwarded-Host");

	r = fwd_req(req("GET /x HTTP/1.0\r\nHost: a.b\r\nConnection: close\r\n\r\n"));
	do_req(&r, "GET /x HTTP/1.0\r\n"
	       "Host: a.b\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a.b\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n"
	       "Connection: keep-alive\r\n\r\n", "GET 1.0 with close");
	ok(!(re.h.flags & KG_HTTP_F_CLOSE) && rcount("Connection") == 1,
	   "GET 1.0: the client's close is not sent upstream");

	/* absolute form without Host: the target's authority is the Host */
	req("GET http://a.example:8080/x?q HTTP/1.0\r\n\r\n");
	r = fwd_req(&in.h);
	r.target = (const u8 *)"/x?q";
	r.target_len = 4;
	r.host = (const u8 *)"a.example:8080";
	r.host_len = 14;
	do_req(&r, "GET /x?q HTTP/1.0\r\n"
	       "Host: a.example:8080\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a.example:8080\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n"
	       "Connection: keep-alive\r\n\r\n", "absolute form 1.0");
}

static void test_hop(void)
{
	struct kg_fwd_req r = fwd_req(req("POST /up HTTP/1.1\r\n"
					  "Host: a\r\n"
					  "Connection: keep-alive, X-Secret\r\n"
					  "Keep-Alive: timeout=5\r\n"
					  "Proxy-Connection: keep-alive\r\n"
					  "TE: trailers\r\n"
					  "Upgrade: h2c\r\n"
					  "X-Secret: 1\r\n"
					  "Transfer-Encoding: chunked\r\n"
					  "x-secret: 2\r\n"
					  "X-Kept: 3\r\n\r\n"));

	do_req(&r, "POST /up HTTP/1.1\r\n"
	       "Host: a\r\n"
	       "Transfer-Encoding: chunked\r\n"
	       "X-Kept: 3\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n",
	       "hop-by-hop fields and one named in Connection");
	ok(!rhop() && !rcount("X-Secret") && !rcount("Upgrade") &&
	   re.h.framing == KG_HTTP_BODY_CHUNKED,
	   "hop-by-hop: none left, Upgrade without the option dropped, chunked kept");

	r = fwd_req(req("PUT /c HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
			"Expect: 100-continue\r\n\r\n"));
	do_req(&r, "PUT /c HTTP/1.1\r\n"
	       "Host: a\r\n"
	       "Content-Length: 5\r\n"
	       "Expect: 100-continue\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n", "Content-Length and Expect kept");
	ok(re.h.content_length == 5 && (re.h.flags & KG_HTTP_F_CONTINUE),
	   "Content-Length and Expect: the upstream sees both");
}

static const char forwarded_req[] =
	"GET / HTTP/1.1\r\n"
	"Host: shop.example\r\n"
	"X-Forwarded-For: 1.1.1.1, 2.2.2.2\r\n"
	"X-Real-IP: 1.1.1.1\r\n"
	"X-Forwarded-Proto: https\r\n"
	"Accept: */*\r\n"
	"X-Forwarded-For:\r\n"
	"X-Forwarded-Host: front.example\r\n"
	"x-forwarded-for: 3.3.3.3\r\n"
	"X-Forwarded-Port: 443\r\n\r\n";

static void test_forwarded(void)
{
	struct kg_fwd_req r = fwd_req(req(forwarded_req));

	do_req(&r, "GET / HTTP/1.1\r\n"
	       "Host: shop.example\r\n"
	       "Accept: */*\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: shop.example\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n",
	       "untrusted: the client's X-Forwarded-* and X-Real-IP replaced");
	ok(rcount("X-Forwarded-For") == 1 && rcount("X-Real-IP") == 1,
	   "untrusted: one of each");

	r.trust_forwarded = true;
	do_req(&r, "GET / HTTP/1.1\r\n"
	       "Host: shop.example\r\n"
	       "X-Real-IP: 1.1.1.1\r\n"
	       "X-Forwarded-Proto: https\r\n"
	       "Accept: */*\r\n"
	       "X-Forwarded-Host: front.example\r\n"
	       "X-Forwarded-Port: 443\r\n"
	       "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.1\r\n\r\n",
	       "trusted: X-Forwarded-For appended, the others kept");
	ok(rcount("X-Forwarded-For") == 1 &&
	   rfield_is("X-Forwarded-For", 0, "1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.1"),
	   "trusted: one X-Forwarded-For line, the client's values first");

	/* trusted, the client sent none: kgate's own */
	r = fwd_req(req("GET / HTTP/1.1\r\nHost: h:8443\r\n\r\n"));
	r.trust_forwarded = true;
	r.https = true;
	r.listener_port = 8443;
	do_req(&r, "GET / HTTP/1.1\r\n"
	       "Host: h:8443\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: h:8443\r\n"
	       "X-Forwarded-Port: 8443\r\n"
	       "X-Forwarded-Proto: https\r\n\r\n",
	       "trusted without client fields, https on 8443");

	/* a forwarding field named in Connection is hop-by-hop, even trusted */
	r = fwd_req(req("GET / HTTP/1.1\r\nHost: h\r\n"
			"Connection: X-Forwarded-For, x-real-ip\r\n"
			"X-Forwarded-For: 9.9.9.9\r\nX-Real-IP: 9.9.9.9\r\n\r\n"));
	r.trust_forwarded = true;
	do_req(&r, "GET / HTTP/1.1\r\n"
	       "Host: h\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: h\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n",
	       "trusted: forwarding fields named in Connection are dropped");
}

static void test_host_rewrite(void)
{
	struct kg_fwd_req r = fwd_req(req("GET /p HTTP/1.1\r\n"
					  "Host: Example.COM:8080\r\n"
					  "Accept: x\r\n\r\n"));

	r.host = (const u8 *)"backend.svc:9090";
	r.host_len = 16;
	r.target = (const u8 *)"/v2/p?x=%41";
	r.target_len = 11;
	do_req(&r, "GET /v2/p?x=%41 HTTP/1.1\r\n"
	       "Host: backend.svc:9090\r\n"
	       "Accept: x\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: Example.COM:8080\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n", "Host and target rewritten");
	ok(rcount("Host") == 1 && rfield_is("Host", 0, "backend.svc:9090") &&
	   re.h.port == 9090,
	   "Host rewrite: one Host, the new one, X-Forwarded-Host as received");
}

static void test_upgrade_req(void)
{
	struct kg_fwd_req r = fwd_req(req("GET /ws HTTP/1.1\r\n"
					  "Host: a\r\n"
					  "Connection: Upgrade\r\n"
					  "Upgrade: websocket\r\n"
					  "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n"
					  "Sec-WebSocket-Version: 13\r\n\r\n"));

	do_req(&r, "GET /ws HTTP/1.1\r\n"
	       "Host: a\r\n"
	       "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n"
	       "Sec-WebSocket-Version: 13\r\n"
	       "X-Real-IP: 10.0.0.1\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a\r\n"
	       "X-Forwarded-Port: 80\r\n"
	       "X-Forwarded-Proto: http\r\n"
	       "Connection: upgrade\r\n"
	       "Upgrade: websocket\r\n\r\n", "upgrade request");
	ok((re.h.flags & KG_HTTP_F_UPGRADE) && rhop() == 2 &&
	   rfield_is("Upgrade", 0, "websocket"),
	   "upgrade request: asks for it again, only kgate's Connection and Upgrade");
}

static void test_bad_req(void)
{
	struct kg_fwd_req r = fwd_req(req("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
	struct kg_fwd_req x;
	size_t used;

	x = r;
	x.client.family = 0;
	ok(kg_fwd_request(&x, out, OUTMAX) == -EINVAL, "family 0: -EINVAL");
	x = r;
	x.target = (const u8 *)"/a b";
	x.target_len = 4;
	ok(kg_fwd_request(&x, out, OUTMAX) == -EINVAL, "SP in the target: -EINVAL");
	x.target_len = 0;
	ok(kg_fwd_request(&x, out, OUTMAX) == -EINVAL, "empty target: -EINVAL");
	x = r;
	x.host = (const u8 *)"a\r\nX: y";
	x.host_len = 7;
	ok(kg_fwd_request(&x, out, OUTMAX) == -EINVAL, "CRLF in the host: -EINVAL");
	x.host_len = 0;
	ok(kg_fwd_request(&x, out, OUTMAX) == -EINVAL, "1.1 without a host: -EINVAL");
	parse_into(&in, false, 0, S("GET / HTTP/1.1\r\nHost: a\r\n"), &used);
	ok(kg_fwd_request(&r, out, OUTMAX) == -EINVAL, "an incomplete head: -EINVAL");
	resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", KG_HTTP_M_GET);
	ok(kg_fwd_request(&r, out, OUTMAX) == -EINVAL, "a response head: -EINVAL");
}

/* ---- addresses ---------------------------------------------------------- */

static struct kg_fwd_peer peer6(const char *hex32)
{
	struct kg_fwd_peer p = { .family = 6 };
	unsigned int i, v;

	for (i = 0; i < 16; i++) {
		sscanf(hex32 + 2 * i, "%2x", &v);
		p.addr[i] = v;
	}
	return p;
}

static void test_addr(void)
{
	static const struct {
		const char *hex, *want;
	} v6[] = {
		{ "fd000000000000000000000000000002", "fd00::2" },
		{ "00000000000000000000000000000001", "::1" },
		{ "00000000000000000000000000000000", "::" },
		{ "20010db8000000000001000000000001", "2001:db8::1:0:0:1" },
		{ "20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1" },
		{ "20010000000000010000000000000001", "2001:0:0:1::1" },
		{ "00010000000000000000000000000000", "1::" },
		{ "ff0200000000000000000001ff000001", "ff02::1:ff00:1" },
		{ "00000000000000000000ffff01020304", "::ffff:102:304" },
		{ "20010db8000000000000000000000001", "2001:db8::1" },
		{ "20010DB8AAAABBBBCCCCDDDDEEEE0001", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1" },
		{ "11112222333344445555666677778888", "1111:2222:3333:4444:5555:6666:7777:8888" },
		{ "000a00b00c0000000000000000000000", "a:b0:c00::" },
	};
	struct kg_fwd_peer p = { .family = 4, .addr = { 192, 168, 0, 255 } };
	char buf[64];
	unsigned int i;
	int n;

	n = kg_fwd_addr(&p, buf, sizeof(buf));
	ok(same(n, (u8 *)buf, "192.168.0.255"), "IPv4 192.168.0.255");
	ok(sweep(build_addr, &p, n), "IPv4: -ENOSPC below %d bytes", n);
	p.addr[0] = p.addr[1] = p.addr[2] = p.addr[3] = 0;
	n = kg_fwd_addr(&p, buf, sizeof(buf));
	ok(same(n, (u8 *)buf, "0.0.0.0"), "IPv4 0.0.0.0");
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		p = peer6(v6[i].hex);
		n = kg_fwd_addr(&p, buf, sizeof(buf));
		ok(same(n, (u8 *)buf, v6[i].want) && n <= KG_FWD_ADDR_MAX &&
		   sweep(build_addr, &p, n), "IPv6 %s (RFC 5952)", v6[i].want);
	}
	p.family = 5;
	ok(kg_fwd_addr(&p, buf, sizeof(buf)) == -EINVAL, "family 5: -EINVAL");
}

/*
 * Every pattern of zero and non-zero groups against glibc's inet_ntop(),
 * which compresses as RFC 5952 says, but for ::/96 and ::ffff:0:0/96 that
 * it writes with a dotted quad at the end.
 */
static void test_addr_ntop(void)
{
	static const u8 zero[12], mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const u16 vals[] = { 1, 0xabcd, 0x0f00 };
	char mine[64], theirs[INET6_ADDRSTRLEN];
	unsigned int mask, v, g, tried = 0, bad = 0;
	struct kg_fwd_peer p = { .family = 6 };
	int n;

	for (mask = 0; mask < 256; mask++) {
		for (v = 0; v < 3; v++) {
			for (g = 0; g < 8; g++) {
				u16 x = mask & 1u << g ? vals[(v + g) % 3] : 0;

				p.addr[2 * g] = x >> 8;
				p.addr[2 * g + 1] = x & 0xff;
			}
			if (!memcmp(p.addr, zero, 12) || !memcmp(p.addr, mapped, 12))
				continue;
			tried++;
			n = kg_fwd_addr(&p, mine, sizeof(mine));
			inet_ntop(AF_INET6, p.addr, theirs, sizeof(theirs));
			if (n != (int)strlen(theirs) || memcmp(mine, theirs, n)) {
				if (!bad++)
					printf("# %.*s, inet_ntop %s\n", n, mine, theirs);
			}
		}
	}
	ok(!bad && tried > 700, "IPv6: %u zero-group patterns as inet_ntop() writes them",
	   tried);
}

static void test_req_ipv6(void)
{
	struct kg_fwd_req r = fwd_req(req("GET / HTTP/1.1\r\nHost: [fd00::1]:8080\r\n"
					  "X-Forwarded-For: 2001:db8::7\r\n\r\n"));

	r.client = peer6("fd000000000000000000000000000002");
	r.trust_forwarded = true;
	r.listener_port = 8080;
	do_req(&r, "GET / HTTP/1.1\r\n"
	       "Host: [fd00::1]:8080\r\n"
	       "X-Real-IP: fd00::2\r\n"
	       "X-Forwarded-For: 2001:db8::7, fd00::2\r\n"
	       "X-Forwarded-Host: [fd00::1]:8080\r\n"
	       "X-Forwarded-Port: 8080\r\n"
	       "X-Forwarded-Proto: http\r\n\r\n", "IPv6 client, trusted");
}

/* ---- header modifiers --------------------------------------------------- */

static void *tbuf;

/* One HTTPRoute, one rule (PathPrefix "/"), with these modifiers. */
static const struct kg_match_table *modtable(const struct kg_match_hdrmod_in *rq,
					     const struct kg_match_hdrmod_in *rs,
					     u32 *rule_id)
{
	static const struct kg_match_backend_in be = { 1, 1 };
	struct kg_match_rule_in rule = {
		.backends = &be, .nbackends = 1,
		.req_headers = rq, .resp_headers = rs,
	};
	struct kg_match_route_in route = {
		.kind = KG_ROUTE_HTTP, .name = { "ns/r", 4 }, .order = 1,
		.rules = &rule, .nrules = 1,
	};
	struct kg_match_table_in tin = {
		.routes = &route, .nroutes = 1,
		.default_backend = KG_MATCH_NONE,
	};
	struct kg_match_req mq = {
		.target = "/", .target_len = 1, .method = "GET", .method_len = 3,
	};
	struct kg_match_result res;
	struct kg_match_err err;
	size_t size;

	free(tbuf);
	if (kg_match_size(&tin, &size, &err) || !(tbuf = malloc(size)) ||
	    kg_match_build(&tin, tbuf, size, &err) ||
	    kg_match_lookup(kg_match_table(tbuf), &mq, &res)) {
		printf("# table does not build\n");
		abort();
	}
	*rule_id = res.rule_id;
	return kg_match_table(tbuf);
}

#define KV(n, v) { { (n), sizeof(n) - 1 }, { (v), sizeof(v) - 1 } }
#define MS(n) { (n), sizeof(n) - 1 }

static const struct kg_match_kv_in req_set[] = {
	KV("X-Set", "s"), KV("Connection", "close"),
	KV("X-Forwarded-Proto", "custom"),
};
static const struct kg_match_kv_in req_add[] = {
	KV("X-Add", "a1"), KV("Host", "evil"), KV("x-add", "a2"),
};
static const struct kg_mstr req_rm[] = {
	MS("X-Gone"), MS("Content-Length"), MS("x-real-ip"), MS("Upgrade"),
};
static const struct kg_match_hdrmod_in req_mod = {
	req_set, 3, req_add, 3, req_rm, 4,
};
static const struct kg_match_kv_in resp_set[] = {
	KV("Server", "kgate-test"), KV("Transfer-Encoding", "gzip"),
};
static const struct kg_match_kv_in resp_add[] = {
	KV("X-Resp", "r"), KV("Keep-Alive", "timeout=1"),
};
static const struct kg_mstr resp_rm[] = {
	MS("x-powered-by"), MS("CONTENT-LENGTH"),
};
static const struct kg_match_hdrmod_in resp_mod = {
	resp_set, 2, resp_add, 2, resp_rm, 2,
};

static void test_req_modifier(void)
{
	struct kg_fwd_req r = fwd_req(req("POST /p HTTP/1.1\r\n"
					  "Host: a\r\n"
					  "x-set: old\r\n"
					  "X-Gone: g\r\n"
					  "X-Add: c\r\n"
					  "Content-Length: 2\r\n"
					  "X-SET: old2\r\n"
					  "X-Real-IP: 6.6.6.6\r\n\r\n"));

	r.t = modtable(&req_mod, &resp_mod, &r.rule_id);
	do_req(&r, "POST /p HTTP/1.1\r\n"
	       "Host: a\r\n"
	       "X-Add: c\r\n"
	       "Content-Length: 2\r\n"
	       "X-Set: s\r\n"
	       "X-Forwarded-Proto: custom\r\n"
	       "X-Add: a1\r\n"
	       "x-add: a2\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a\r\n"
	       "X-Forwarded-Port: 80\r\n\r\n",
	       "request modifier: set, add, remove; protected names ignored");
	ok(rcount("X-Set") == 1 && rcount("X-Add") == 3 && !rcount("X-Gone") &&
	   !rcount("X-Real-IP") && rcount("X-Forwarded-Proto") == 1 &&
	   rfield_is("Host", 0, "a") && rcount("Host") == 1 &&
	   re.h.content_length == 2 && !rcount("Connection"),
	   "request modifier: set replaces every line, add appends, remove drops");

	/* trusted: the modifier acts on the client's kept fields too */
	r.trust_forwarded = true;
	do_req(&r, "POST /p HTTP/1.1\r\n"
	       "Host: a\r\n"
	       "X-Add: c\r\n"
	       "Content-Length: 2\r\n"
	       "X-Set: s\r\n"
	       "X-Forwarded-Proto: custom\r\n"
	       "X-Add: a1\r\n"
	       "x-add: a2\r\n"
	       "X-Forwarded-For: 10.0.0.1\r\n"
	       "X-Forwarded-Host: a\r\n"
	       "X-Forwarded-Port: 80\r\n\r\n",
	       "request modifier, trusted: the client's X-Real-IP removed too");

	/* the rule id KG_MATCH_NONE: no modifier */
	r.rule_id = KG_MATCH_NONE;
	r.trust_forwarded = false;
	ok(reparse(out, kg_fwd_request(&r, out, OUTMAX), false, 0) &&
	   rcount("X-Set") == 2 && rcount("X-Gone") == 1,
	   "KG_MATCH_NONE: no modifier");
}

static void test_resp_modifier(void)
{
	static const char up[] = "HTTP/1.1 200 OK\r\n"
				 "Server: nginx\r\n"
				 "X-Powered-By: php\r\n"
				 "Content-Length: 5\r\n"
				 "Connection: keep-alive\r\n"
				 "Keep-Alive: timeout=5\r\n"
				 "server: again\r\n\r\n";
	struct kg_fwd_resp r = { .h = resp(up, KG_HTTP_M_GET), .client_minor = 1 };

	r.t = modtable(&req_mod, &resp_mod, &r.rule_id);
	do_resp(&r, "HTTP/1.1 200 OK\r\n"
		"Content-Length: 5\r\n"
		"Server: kgate-test\r\n"
		"X-Resp: r\r\n\r\n", KG_HTTP_M_GET,
		"response modifier: set, add, remove; protected names ignored");
	ok(rcount("Server") == 1 && !rcount("X-Powered-By") &&
	   re.h.content_length == 5 && !rhop() &&
	   (re.h.flags & KG_HTTP_F_KEEP_ALIVE),
	   "response modifier: framing kept, no hop-by-hop field");

	r.close = true;
	do_resp(&r, "HTTP/1.1 200 OK\r\n"
		"Content-Length: 5\r\n"
		"Server: kgate-test\r\n"
		"X-Resp: r\r\n"
		"Connection: close\r\n\r\n", KG_HTTP_M_GET, "response with close");
	ok(re.h.flags & KG_HTTP_F_CLOSE, "response with close: the client sees close");

	r.close = false;
	r.client_minor = 0;
	r.t = NULL;
	do_resp(&r, "HTTP/1.1 200 OK\r\n"
		"Server: nginx\r\n"
		"X-Powered-By: php\r\n"
		"Content-Length: 5\r\n"
		"server: again\r\n"
		"Connection: keep-alive\r\n\r\n", KG_HTTP_M_GET,
		"response to an HTTP/1.0 client kept alive, no modifier");

	r.h = resp("HTTP/1.0 204\r\nDate: x\r\n\r\n", KG_HTTP_M_GET);
	r.client_minor = 1;
	do_resp(&r, "HTTP/1.1 204 \r\nDate: x\r\n\r\n", KG_HTTP_M_GET,
		"HTTP/1.0 upstream, empty reason");
	ok(re.h.status == 204 && re.h.minor == 1 && !re.h.reason.len,
	   "HTTP/1.0 upstream: sent as HTTP/1.1, the empty reason kept");

	r.h = resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		   KG_HTTP_M_GET);
	do_resp(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		KG_HTTP_M_GET, "chunked response relayed as chunked");
	ok(re.h.framing == KG_HTTP_BODY_CHUNKED, "chunked response: framing kept");
}

static void test_resp_upgrade(void)
{
	struct kg_fwd_resp r = {
		.h = resp("HTTP/1.1 101 Switching Protocols\r\n"
			  "Upgrade: websocket\r\n"
			  "Connection: Upgrade\r\n"
			  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
			  KG_HTTP_M_GET),
		.client_minor = 1,
		.close = true,
	};

	r.t = modtable(&req_mod, &resp_mod, &r.rule_id);
	do_resp(&r, "HTTP/1.1 101 Switching Protocols\r\n"
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		"Server: kgate-test\r\n"
		"X-Resp: r\r\n"
		"Connection: upgrade\r\n"
		"Upgrade: websocket\r\n\r\n", KG_HTTP_M_GET, "101 upgrade");
	ok(re.h.framing == KG_HTTP_BODY_TUNNEL && rhop() == 2 &&
	   (re.h.flags & KG_HTTP_F_UPGRADE_OPT) && !(re.h.flags & KG_HTTP_F_CLOSE),
	   "101: a tunnel, Connection: upgrade and Upgrade, no close");

	r.h = resp("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\n",
		   KG_HTTP_M_GET);
	ok(kg_fwd_response(&r, out, OUTMAX) == -EINVAL, "101 without Upgrade: -EINVAL");
	r.h = req("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	ok(kg_fwd_response(&r, out, OUTMAX) == -EINVAL, "a request head: -EINVAL");
}

static void test_resp_info(void)
{
	struct kg_fwd_resp r = {
		.h = resp("HTTP/1.1 100 Continue\r\n"
			  "X-Info: 1\r\n"
			  "Connection: keep-alive\r\n\r\n", KG_HTTP_M_POST),
		.client_minor = 0,
		.close = true,
	};

	r.t = modtable(&req_mod, &resp_mod, &r.rule_id);
	do_resp(&r, "HTTP/1.1 100 Continue\r\nX-Info: 1\r\n\r\n", KG_HTTP_M_POST,
		"100 Continue relayed");
	ok(re.h.status == 100 && (re.h.flags & KG_HTTP_F_INFO),
	   "100 Continue: an interim response, no Connection, no modifier");

	r.h = resp("HTTP/1.1 103 Early Hints\r\n"
		   "Link: </s.css>; rel=preload\r\n"
		   "Server: x\r\n\r\n", KG_HTTP_M_GET);
	do_resp(&r, "HTTP/1.1 103 Early Hints\r\n"
		"Link: </s.css>; rel=preload\r\n"
		"Server: x\r\n\r\n", KG_HTTP_M_GET, "103 Early Hints relayed");
}

/* ---- replies ------------------------------------------------------------ */

static void test_replies(void)
{
	static const u16 codes[] = {
		301, 302, 303, 307, 308, 400, 403, 404, 408, 413, 414, 421,
		429, 431, 500, 501, 502, 503, 504, 505,
	};
	static const u16 bad[] = { 0, 99, 101, 200, 204, 299, 304, 306, 418, 600 };
	struct kg_fwd_reply y = { 0 };
	char want[512], body[128];
	unsigned int i, good = 0, refused = 0;
	int n;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *reason = kg_fwd_reason(codes[i]);
		size_t used;

		y.status = codes[i];
		n = kg_fwd_reply(&y, out, OUTMAX);
		if (!reason)
			continue;
		snprintf(body, sizeof(body), "%u %s\n", codes[i], reason);
		snprintf(want, sizeof(want),
			 "HTTP/1.1 %u %s\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 codes[i], reason, strlen(body), body);
		if (!same(n, out, want) || !sweep(build_reply, &y, n))
			continue;
		if (parse_into(&re, true, KG_HTTP_M_GET, out, n, &used) !=
		    KG_HTTP_DONE || re.h.framing != KG_HTTP_BODY_LENGTH ||
		    re.h.content_length != strlen(body) ||
		    used + strlen(body) != (size_t)n || re.h.status != codes[i])
			continue;
		good++;
	}
	ok(good == sizeof(codes) / sizeof(codes[0]),
	   "replies: each of the %zu statuses, exact bytes, body of Content-Length",
	   sizeof(codes) / sizeof(codes[0]));

	ok(!strcmp(kg_fwd_reason(404), "Not Found") &&
	   !strcmp(kg_fwd_reason(413), "Content Too Large") &&
	   !strcmp(kg_fwd_reason(429), "Too Many Requests") &&
	   !strcmp(kg_fwd_reason(431), "Request Header Fields Too Large") &&
	   !strcmp(kg_fwd_reason(200), "OK") && !kg_fwd_reason(418) &&
	   !kg_fwd_reason(0) && !kg_fwd_reason(999),
	   "reasons: RFC 9110's and RFC 6585's, NULL otherwise");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		y.status = bad[i];
		refused += kg_fwd_reply(&y, out, OUTMAX) == -EINVAL;
	}
	ok(refused == sizeof(bad) / sizeof(bad[0]),
	   "replies: 1xx but 100, 2xx, 304, unknown statuses are -EINVAL");

	y = (struct kg_fwd_reply){ .status = 100, .close = true, .retry_after = 3 };
	n = kg_fwd_reply(&y, out, OUTMAX);
	ok(same(n, out, "HTTP/1.1 100 Continue\r\n\r\n") && sweep(build_reply, &y, n) &&
	   reparse(out, n, true, KG_HTTP_M_POST) && (re.h.flags & KG_HTTP_F_INFO),
	   "100 Continue: the status line and CRLF only");

	y = (struct kg_fwd_reply){
		.status = 308, .location = (const u8 *)"https://a.example/x?y=1",
		.location_len = 23,
	};
	n = kg_fwd_reply(&y, out, OUTMAX);
	ok(same(n, out, "HTTP/1.1 308 Permanent Redirect\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 23\r\n"
		"Location: https://a.example/x?y=1\r\n\r\n"
		"308 Permanent Redirect\n") && sweep(build_reply, &y, n),
	   "308 with Location");
	n -= 23;
	ok(reparse(out, n, true, KG_HTTP_M_GET) &&
	   rfield_is("Location", 0, "https://a.example/x?y=1"),
	   "308: parses, Location as given");

	y.head = true;
	y.close = true;
	n = kg_fwd_reply(&y, out, OUTMAX);
	ok(same(n, out, "HTTP/1.1 308 Permanent Redirect\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 23\r\n"
		"Connection: close\r\n"
		"Location: https://a.example/x?y=1\r\n\r\n") &&
	   sweep(build_reply, &y, n) && reparse(out, n, true, KG_HTTP_M_HEAD) &&
	   re.h.framing == KG_HTTP_BODY_NONE && (re.h.flags & KG_HTTP_F_CLOSE),
	   "308 to HEAD with close: no body, Content-Length still given");

	y = (struct kg_fwd_reply){ .status = 429, .close = true, .retry_after = 30 };
	n = kg_fwd_reply(&y, out, OUTMAX);
	ok(same(n, out, "HTTP/1.1 429 Too Many Requests\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 22\r\n"
		"Connection: close\r\n"
		"Retry-After: 30\r\n\r\n"
		"429 Too Many Requests\n") && sweep(build_reply, &y, n),
	   "429 with Retry-After and close");

	y = (struct kg_fwd_reply){ .status = 503, .retry_after = 4000000000u };
	n = kg_fwd_reply(&y, out, OUTMAX);
	ok(same(n, out, "HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 24\r\n"
		"Retry-After: 4000000000\r\n\r\n"
		"503 Service Unavailable\n") && sweep(build_reply, &y, n),
	   "503 with a large Retry-After");

	y = (struct kg_fwd_reply){
		.status = 302, .location = (const u8 *)"/a\r\nSet-Cookie: x",
		.location_len = 17,
	};
	ok(kg_fwd_reply(&y, out, OUTMAX) == -EINVAL, "a Location with CRLF: -EINVAL");
	y.location_len = 0;
	n = kg_fwd_reply(&y, out, OUTMAX);
	ok(n > 0 && reparse(out, n - 10, true, KG_HTTP_M_GET) && !rcount("Location"),
	   "a Location of length 0: none written");
}

int main(void)
{
	test_get11();
	test_get10();
	test_hop();
	test_forwarded();
	test_host_rewrite();
	test_upgrade_req();
	test_bad_req();
	test_addr();
	test_addr_ntop();
	test_req_ipv6();
	test_req_modifier();
	test_resp_modifier();
	test_resp_upgrade();
	test_resp_info();
	test_replies();
	free(tbuf);
	return tap_done();
}

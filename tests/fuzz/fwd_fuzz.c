// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/fwd.c.
 *
 * Input layout (PREFIX bytes, then a head):
 *   [0]      mode % 3: 0 a request, 1 a response, 2 a reply of kgate's;
 *   [1]      flags: bit 0 trust_forwarded, 1 https, 2 IPv6 client,
 *            3 Host rewritten, 4 header modifiers, 5 close, 6 an HTTP/1.0
 *            client, 7 the response answers HEAD (else GET);
 *   [2..3]   a buffer size, taken modulo (the result's length + 8);
 *   [4..5]   the listener port (reply: the status);
 *   [6..21]  the client's address (reply: [6..9] Retry-After);
 *   [22]     the modifier's set, add and remove counts (2 bits each);
 *   [23..34] its entries: a name (low nibble) and a value (high nibble)
 *            of the pools below;
 *   then the bytes of a request or response head (reply: the Location).
 *
 * A request or response head that parses is rewritten by fwd.c into a
 * large buffer; the result must be a whole head again (DONE, every byte
 * taken), with the method, version, status and body framing of the
 * input, and without a hop-by-hop field other than kgate's own Connection
 * and Upgrade lines.  A reply must parse with its body as long as its
 * Content-Length.  The same is then built into a buffer of exactly the
 * chosen size (malloc'ed, so that ASan sees any write past it): -ENOSPC
 * when it is smaller than the result, else the same bytes.  Besides, the
 * address is compared with inet_ntop() where both follow RFC 5952.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwd.h"
#include "http.h"
#include "match.h"

#define PREFIX		35
#define HEAD_CAP	16384
#define FIELDS_MAX	100
#define OUT_CAP		65536
#define RE_FIELDS	256

static const char *const names[16] = {
	"X-Set", "x-add", "Host", "Content-Length", "Transfer-Encoding",
	"Connection", "Keep-Alive", "TE", "Upgrade", "Proxy-Connection",
	"X-Forwarded-For", "x-real-ip", "X-Forwarded-Host", "Accept",
	"Expect", "Server",
};

static const char *const values[16] = {
	"", "v", " padded ", "\tt", "close", "upgrade", "chunked", "5",
	"a, b", "keep-alive", "x y", "websocket", "100-continue", "\xff obs",
	"1.2.3.4", "%",
};

static void fail(const char *what)
{
	fprintf(stderr, "fwd_fuzz: %s\n", what);
	abort();
}

static u8 hbuf[HEAD_CAP];
static struct kg_http_field hfields[FIELDS_MAX];
static u8 rbuf[KG_HTTP_HEAD_MAX];
static struct kg_http_field rfields[RE_FIELDS];
static u8 big[OUT_CAP];
static u8 target[HEAD_CAP + 2];

/* ---- the modifier table ------------------------------------------------- */

static u64 tmem[4096];
static struct kg_match_kv_in kv[3][4];
static struct kg_mstr rmv[4];

static struct kg_mstr ms(const char *s)
{
	struct kg_mstr m = { s, (u32)strlen(s) };

	return m;
}

/* One HTTPRoute rule with the same modifier both ways; its rule id. */
static const struct kg_match_table *modtable(const u8 *d, u32 *rule_id)
{
	static const struct kg_match_backend_in be = { 1, 1 };
	struct kg_match_hdrmod_in hm;
	struct kg_match_rule_in rule = {
		.backends = &be, .nbackends = 1,
		.req_headers = &hm, .resp_headers = &hm,
	};
	struct kg_match_route_in route = {
		.kind = KG_ROUTE_HTTP, .name = { "ns/f", 4 }, .order = 1,
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
	unsigned int n[3], op, i, e = 0;

	for (op = 0; op < 3; op++) {
		n[op] = (d[22] >> (2 * op)) & 3;
		for (i = 0; i < n[op]; i++, e++) {
			kv[op][i].name = ms(names[d[23 + e] & 15]);
			kv[op][i].value = ms(values[d[23 + e] >> 4]);
			rmv[i] = kv[op][i].name;
		}
	}
	hm = (struct kg_match_hdrmod_in){ kv[0], n[0], kv[1], n[1], rmv, n[2] };
	if (kg_match_build(&tin, tmem, sizeof(tmem), NULL) ||
	    kg_match_lookup(kg_match_table(tmem), &mq, &res))
		fail("the modifier table does not build");
	*rule_id = res.rule_id;
	return kg_match_table(tmem);
}

/* ---- checks ------------------------------------------------------------- */

static struct kg_http_head re;

static void reparse(const u8 *out, int n, bool response, unsigned int rmeth)
{
	size_t used;

	if (n <= 0 || n > KG_HTTP_HEAD_MAX)
		fail("result length");
	if (response)
		kg_http_head_init_response(&re, rbuf, sizeof(rbuf), rfields,
					   RE_FIELDS, rmeth);
	else
		kg_http_head_init(&re, rbuf, sizeof(rbuf), rfields, RE_FIELDS,
				  KG_HTTP_HEAD_MAX);
	if (kg_http_head_feed(&re, out, n, &used) != KG_HTTP_DONE)
		fail("the result does not parse");
	if (used != (size_t)n)
		fail("the result is not one whole head");
}

static bool value_is(const struct kg_http_field *f, const char *v)
{
	return f->value.len == strlen(v) &&
	       !memcmp(rbuf + f->value.off, v, f->value.len);
}

/*
 * Hop-by-hop fields of the result: only one Connection of kgate's, with
 * @conn (NULL: none), and Upgrade lines only with @upgrade.
 */
static void check_hop(const char *conn, bool upgrade)
{
	unsigned int i, nconn = 0;

	for (i = 0; i < re.nfields; i++) {
		const struct kg_http_field *f = &re.fields[i];

		if (!(f->flags & KG_HTTP_FIELD_HOP))
			continue;
		if (f->id == KG_HTTP_H_UPGRADE && upgrade)
			continue;
		if (f->id == KG_HTTP_H_CONNECTION && conn && value_is(f, conn)) {
			nconn++;
			continue;
		}
		fail("a hop-by-hop field that is not kgate's");
	}
	if (nconn > 1)
		fail("Connection twice");
}

/* The same build into exactly @cap bytes: -ENOSPC, or the same bytes. */
typedef int (*build_fn)(const void *arg, u8 *o, u32 cap);

static void check_cap(build_fn fn, const void *arg, const u8 *d, int full)
{
	u32 cap = (d[2] | d[3] << 8) % ((u32)full + 8);
	u8 *o = malloc(cap ? cap : 1);
	int rc;

	if (!o)
		abort();
	rc = fn(arg, o, cap);
	if (cap < (u32)full ? rc != -ENOSPC :
	    rc != full || memcmp(o, big, full))
		fail("a smaller buffer: not -ENOSPC, or other bytes");
	free(o);
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

/* ---- addresses ---------------------------------------------------------- */

static void check_addr(const struct kg_fwd_peer *p)
{
	char mine[64], theirs[INET6_ADDRSTRLEN];
	static const u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const u8 zero[12];
	int n;

	n = kg_fwd_addr(p, mine, sizeof(mine));
	if (n <= 0 || n > KG_FWD_ADDR_MAX)
		fail("address length");
	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, theirs,
		       sizeof(theirs)))
		fail("inet_ntop");
	/* glibc writes these two with a dotted quad at the end */
	if (p->family == 6 && (!memcmp(p->addr, v4mapped, 12) ||
			       !memcmp(p->addr, zero, 12)))
		return;
	if ((size_t)n != strlen(theirs) || memcmp(mine, theirs, n))
		fail("the address differs from inet_ntop()");
}

/* ---- the three modes ---------------------------------------------------- */

/* The target a proxy sends: the normalised path and the query. */
static int fwd_target(const struct kg_http_head *h, u32 *len)
{
	const u8 *t = h->buf + h->target.off;
	size_t n, i;

	if (h->form == KG_HTTP_T_ASTERISK || h->form == KG_HTTP_T_AUTHORITY) {
		memcpy(target, t, h->target.len);
		*len = h->target.len;
		return 0;
	}
	if (kg_http_path_normalize(h->buf + h->path.off, h->path.len, target,
				   sizeof(target) - 1, &n))
		return -1;
	for (i = 0; i < h->target.len && t[i] != '?'; i++)
		;
	if (i < h->target.len) {
		if (n + 1 + h->query.len > sizeof(target))
			return -1;
		target[n++] = '?';
		memcpy(target + n, h->buf + h->query.off, h->query.len);
		n += h->query.len;
	}
	*len = n;
	return 0;
}

static void fuzz_request(const u8 *d, const u8 *head, size_t n)
{
	static const char rewrite[] = "backend.ns.svc:8080";
	struct kg_http_head h;
	struct kg_fwd_req r = { .h = &h, .rule_id = KG_MATCH_NONE };
	size_t used;
	int i, full;

	kg_http_head_init(&h, hbuf, sizeof(hbuf), hfields, FIELDS_MAX, 8192);
	if (kg_http_head_feed(&h, head, n, &used) != KG_HTTP_DONE)
		return;
	if (fwd_target(&h, &r.target_len))
		return;
	r.target = target;
	i = kg_http_field_find(&h, KG_HTTP_H_HOST);
	if ((d[1] & 8) && h.form != KG_HTTP_T_AUTHORITY) {
		r.host = (const u8 *)rewrite;
		r.host_len = sizeof(rewrite) - 1;
	} else if (i >= 0) {
		r.host = h.buf + h.fields[i].value.off;
		r.host_len = h.fields[i].value.len;
	}
	r.trust_forwarded = d[1] & 1;
	r.https = d[1] & 2;
	r.client.family = d[1] & 4 ? 6 : 4;
	memcpy(r.client.addr, d + 6, 16);
	r.listener_port = d[4] | d[5] << 8;
	if (d[1] & 16)
		r.t = modtable(d, &r.rule_id);
	check_addr(&r.client);

	full = kg_fwd_request(&r, big, sizeof(big));
	if (full <= 0)
		fail("a parsed request is refused");
	reparse(big, full, false, 0);
	if (re.method != h.method || re.minor != h.minor ||
	    re.mtoken.len != h.mtoken.len ||
	    memcmp(rbuf, hbuf, h.mtoken.len))
		fail("request: method or version changed");
	if (re.framing != h.framing || re.content_length != h.content_length)
		fail("request: body framing changed");
	if ((re.flags & KG_HTTP_F_UPGRADE) != (h.flags & KG_HTTP_F_UPGRADE))
		fail("request: upgrade asked or not asked");
	if (!h.minor && !(re.flags & KG_HTTP_F_KEEP_ALIVE))
		fail("request: HTTP/1.0 upstream connection not kept");
	check_hop(h.flags & KG_HTTP_F_UPGRADE ? "upgrade" :
		  h.minor ? NULL : "keep-alive", h.flags & KG_HTTP_F_UPGRADE);
	check_cap(build_req, &r, d, full);
}

static void fuzz_response(const u8 *d, const u8 *head, size_t n)
{
	unsigned int rmeth = d[1] & 128 ? KG_HTTP_M_HEAD : KG_HTTP_M_GET;
	struct kg_http_head h;
	struct kg_fwd_resp r = { .h = &h, .rule_id = KG_MATCH_NONE };
	const char *conn;
	size_t used;
	int full;

	kg_http_head_init_response(&h, hbuf, sizeof(hbuf), hfields,
				   FIELDS_MAX, rmeth);
	if (kg_http_head_feed(&h, head, n, &used) != KG_HTTP_DONE)
		return;
	r.close = d[1] & 32;
	r.client_minor = d[1] & 64 ? 0 : 1;
	if (d[1] & 16)
		r.t = modtable(d, &r.rule_id);

	full = kg_fwd_response(&r, big, sizeof(big));
	if (h.status == 101 && !(h.flags & KG_HTTP_F_UPGRADE_FIELD)) {
		if (full != -EINVAL)
			fail("a 101 without Upgrade is not -EINVAL");
		return;
	}
	if (full <= 0)
		fail("a parsed response is refused");
	reparse(big, full, true, rmeth);
	if (re.status != h.status || re.minor != 1 ||
	    re.reason.len != h.reason.len ||
	    memcmp(rbuf + re.reason.off, hbuf + h.reason.off, h.reason.len))
		fail("response: status line changed");
	if (re.framing != h.framing || re.content_length != h.content_length)
		fail("response: body framing changed");
	if (h.status == 101)
		conn = "upgrade";
	else if (h.flags & KG_HTTP_F_INFO)
		conn = NULL;
	else if (r.close)
		conn = "close";
	else
		conn = r.client_minor ? NULL : "keep-alive";
	check_hop(conn, h.status == 101);
	if (conn && kg_http_field_find(&re, KG_HTTP_H_CONNECTION) < 0)
		fail("response: no Connection");
	check_cap(build_resp, &r, d, full);
}

static void fuzz_reply(const u8 *d, const u8 *loc, size_t n)
{
	struct kg_fwd_reply y = {
		.status = d[4] | d[5] << 8,
		.close = d[1] & 32,
		.head = d[1] & 128,
		.retry_after = d[6] | d[7] << 8 | d[8] << 16 | (u32)d[9] << 24,
		.location = d[1] & 8 ? loc : NULL,
		.location_len = n,
	};
	const char *reason = kg_fwd_reason(y.status);
	size_t used, i, body;
	bool loc_ok = true;
	int full;

	for (i = 0; y.location && i < n; i++)
		if (loc[i] <= ' ' || loc[i] == 0x7f)
			loc_ok = false;
	full = kg_fwd_reply(&y, big, sizeof(big));
	if (!reason || (y.status != 100 && y.status < 300) ||
	    y.status == 304 || (y.status != 100 && !loc_ok)) {
		if (full != -EINVAL)
			fail("reply: not -EINVAL");
		return;
	}
	if (full <= 0)
		fail("reply: refused");
	kg_http_head_init_response(&re, rbuf, sizeof(rbuf), rfields, RE_FIELDS,
				   y.head ? KG_HTTP_M_HEAD : KG_HTTP_M_GET);
	if (kg_http_head_feed(&re, big, full, &used) != KG_HTTP_DONE ||
	    re.status != y.status)
		fail("reply: does not parse");
	body = full - used;
	if (y.status == 100 ? body || !(re.flags & KG_HTTP_F_INFO) :
	    re.content_length != (y.head ? strlen(reason) + 5 : body) ||
	    (y.head && body))
		fail("reply: body and Content-Length differ");
	if (y.status != 100 && !(re.flags & KG_HTTP_F_CLOSE) != !y.close)
		fail("reply: close");
	check_hop(y.status != 100 && y.close ? "close" : NULL, false);
	check_cap(build_reply, &y, d, full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const u8 *head = data + PREFIX;
	size_t n = size - PREFIX;

	if (size < PREFIX || n > HEAD_CAP)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_request(data, head, n);
		break;
	case 1:
		fuzz_response(data, head, n);
		break;
	default:
		fuzz_reply(data, head, n);
		break;
	}
	return 0;
}

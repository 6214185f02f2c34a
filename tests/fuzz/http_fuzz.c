// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/http.c.
 *
 * Input layout: u8 config, u8 seed, then the bytes of a connection.
 *   config bits 0-1: head buffer 64, 512, 4096 or 16384 bytes;
 *   bits 2-3: at most 1, 4, 16 or 100 fields;
 *   bits 4-5: request-target at most 4, 32, 256 or 8192 bytes;
 *   bit 6: small body limits (chunk line, extensions, trailer, payload);
 *   bit 7: random pieces of up to 64 bytes rather than up to 8.
 *   seed: the request method the responses answer (seed % 10), and the
 *   seed of the random splits.
 *
 * The bytes are parsed as a stream of requests (head, body, next head:
 * up to 4 messages), as a stream of responses (1xx heads included), as a
 * chunked body alone, and as a path to normalise.  Each stream is parsed
 * fed whole, one byte a call, in two pieces at every boundary (inputs up
 * to 512 bytes; 64 boundaries otherwise) and in random pieces; every way
 * must give the same transcript: each parser's result, reason, bytes
 * taken, and every field of a complete head.  Checked besides:
 *   - a complete head is the input's bytes (after a skipped empty line),
 *     its spans inside it, its fields within max_fields, names tokens,
 *     values without CTLs or edge whitespace; never CL with TE;
 *   - a normalised path starts with '/', is at most one byte longer,
 *     holds no "." or ".." segment, and normalises to itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define MSGS 4
#define FIELDS_MAX 100

struct msg_rec {
	int hrc;
	size_t hused;
	u8 why, method, form, minor, framing;
	u16 status, flags, nfields, port, len;
	struct kg_http_span mtoken, target, path, query, host, reason;
	u64 content_length;
	struct kg_http_field fields[FIELDS_MAX];
	int brc;
	size_t bused;
	u8 bwhy;
	u64 payload;
	int eof;
};

struct rec {
	unsigned int n;
	struct msg_rec m[MSGS];
};

struct cfg {
	u16 cap, fields, uri;
	bool small;
	unsigned int req_method;
	unsigned int piece;
	u32 seed;
};

/* Where the pieces of the input end: the splitter. */
struct splitter {
	const u8 *data;
	size_t n, off;		/* bytes handed out so far */
	int kind;		/* 0 whole, 1 bytes, 2 at @at, 3 random */
	size_t at;
	u32 rnd;
	unsigned int piece;
};

static void fail(const char *what)
{
	fprintf(stderr, "http_fuzz: %s\n", what);
	abort();
}

static size_t next_piece(struct splitter *s)
{
	size_t left = s->n - s->off, k;

	switch (s->kind) {
	case 0:
		k = left;
		break;
	case 1:
		k = 1;
		break;
	case 2:
		k = s->off < s->at ? s->at - s->off : left;
		break;
	default:
		s->rnd ^= s->rnd << 13;
		s->rnd ^= s->rnd >> 17;
		s->rnd ^= s->rnd << 5;
		k = 1 + s->rnd % s->piece;
		break;
	}
	return k < left ? k : left;
}

static u8 *hbuf;
static struct kg_http_field *hfields;

/*
 * The whole session parses heads in hbuf, of the limit's size; the split
 * ones start in FIRST_CAP bytes and grow on KG_HTTP_ROOM, as the module
 * does, each buffer of exactly its size so that ASan sees any overrun.
 */
#define FIRST_CAP 16
static u8 *gbuf;

static void head_start(struct kg_http_head *h, const struct cfg *c,
		       bool response, bool grow)
{
	u8 *buf = hbuf;
	u16 cap = c->cap;

	free(gbuf);
	gbuf = NULL;
	if (grow && cap > FIRST_CAP) {
		cap = FIRST_CAP;
		buf = gbuf = malloc(cap);
		if (!buf)
			abort();
	}
	if (response)
		kg_http_head_init_response(h, buf, cap, hfields, c->fields,
					   c->req_method);
	else
		kg_http_head_init(h, buf, cap, hfields, c->fields, c->uri);
	kg_http_head_allow(h, c->cap);
}

static void head_grow(struct kg_http_head *h, const struct cfg *c)
{
	u32 cap = 2u * h->cap < c->cap ? 2u * h->cap : c->cap;
	u8 *buf;

	if (h->cap >= c->cap || h->len != h->cap)
		fail("head: ROOM with room left");
	buf = malloc(cap);
	if (!buf)
		abort();
	memcpy(buf, h->buf, h->len);
	kg_http_head_rebuf(h, buf, cap);
	free(gbuf);
	gbuf = buf;
}

static void check_span(const struct kg_http_head *h,
		       const struct kg_http_span *sp)
{
	if ((size_t)sp->off + sp->len > h->len)
		fail("span outside the head");
}

static bool is_tchar(u8 c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void check_path(const u8 *in, size_t len)
{
	u8 out[16385], again[16386];
	size_t n, n2, i;
	int rc;

	rc = kg_http_path_normalize(in, len, out, sizeof(out), &n);
	if (rc) {
		if (rc != KG_HTTP_E_BAD_REQUEST && rc != KG_HTTP_E_URI_TOO_LONG)
			fail("path: odd result");
		return;
	}
	if (!n || out[0] != '/' || n > len + 1)
		fail("path: bad shape");
	for (i = 0; i < n; i++) {
		size_t e = i + 1, sl;

		if (out[i] != '/')
			continue;
		while (e < n && out[e] != '/')
			e++;
		sl = e - i - 1;
		if ((sl == 1 && out[i + 1] == '.') ||
		    (sl == 2 && out[i + 1] == '.' && out[i + 2] == '.'))
			fail("path: a dot-segment is left");
	}
	rc = kg_http_path_normalize(out, n, again, sizeof(again), &n2);
	if (rc || n2 != n || memcmp(out, again, n))
		fail("path: normalising twice changes it");
}

static void check_head(const struct kg_http_head *h, const struct cfg *c,
		       const u8 *in, size_t used)
{
	unsigned int i;
	size_t lead;

	if (h->len > c->cap || h->nfields > c->fields || used < h->len ||
	    used - h->len > 2)
		fail("head: sizes");
	lead = used - h->len;
	if (memcmp(h->buf, in + lead, h->len))
		fail("head: the buffer is not the input");
	if ((h->flags & KG_HTTP_F_CL) && (h->flags & KG_HTTP_F_TE))
		fail("head: CL with TE accepted");
	if (h->framing == KG_HTTP_BODY_LENGTH && !h->content_length)
		fail("head: length framing of 0");
	check_span(h, &h->mtoken);
	check_span(h, &h->target);
	check_span(h, &h->path);
	check_span(h, &h->query);
	check_span(h, &h->host);
	check_span(h, &h->reason);
	for (i = 0; i < h->nfields; i++) {
		const struct kg_http_field *f = &h->fields[i];
		const u8 *v = h->buf + f->value.off;
		size_t k;

		check_span(h, &f->name);
		check_span(h, &f->value);
		if (!f->name.len)
			fail("head: empty name");
		for (k = 0; k < f->name.len; k++)
			if (!is_tchar(h->buf[f->name.off + k]))
				fail("head: name not a token");
		for (k = 0; k < f->value.len; k++)
			if ((v[k] < 0x20 && v[k] != '\t') || v[k] == 0x7f)
				fail("head: CTL in a value");
		if (f->value.len && (v[0] == ' ' || v[0] == '\t' ||
				     v[f->value.len - 1] == ' ' ||
				     v[f->value.len - 1] == '\t'))
			fail("head: value not trimmed");
	}
	if (!h->response) {
		if (h->form == KG_HTTP_T_ORIGIN &&
		    (!h->path.len || h->buf[h->path.off] != '/'))
			fail("head: origin-form without '/'");
		if (h->minor && !(h->flags & KG_HTTP_F_HOST))
			fail("head: 1.1 without Host");
		if (h->form == KG_HTTP_T_ORIGIN ||
		    h->form == KG_HTTP_T_ABSOLUTE)
			check_path(h->buf + h->path.off, h->path.len);
	} else if (h->status < 100 || h->status > 599) {
		fail("head: status");
	}
}

static void record_head(struct msg_rec *m, const struct kg_http_head *h)
{
	m->why = h->why;
	if (m->hrc != KG_HTTP_DONE)
		return;
	m->method = h->method;
	m->form = h->form;
	m->minor = h->minor;
	m->framing = h->framing;
	m->status = h->status;
	m->flags = h->flags;
	m->nfields = h->nfields;
	m->port = h->port;
	m->len = h->len;
	m->mtoken = h->mtoken;
	m->target = h->target;
	m->path = h->path;
	m->query = h->query;
	m->host = h->host;
	m->reason = h->reason;
	m->content_length = h->content_length;
	memcpy(m->fields, h->fields, h->nfields * sizeof(*h->fields));
}

/*
 * Parse the stream of @s as requests or responses into @r, the pieces of
 * the splitter carried over from one parser to the next as a proxy does.
 */
static void session(struct splitter *s, const struct cfg *c, bool response,
		    struct rec *r, bool check)
{
	const u8 *piece = NULL;
	size_t plen = 0, used;
	struct kg_http_head h;
	struct kg_http_body b;
	const u8 *start;
	unsigned int k;
	int rc;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < MSGS; k++) {
		struct msg_rec *m = &r->m[k];

		r->n = k + 1;
		head_start(&h, c, response, !check);
		start = s->data + (s->off - plen);
		rc = KG_HTTP_MORE;
		for (;;) {
			if (!plen) {
				if (s->off == s->n)
					break;
				plen = next_piece(s);
				piece = s->data + s->off;
				s->off += plen;
			}
			rc = kg_http_head_feed(&h, piece, plen, &used);
			m->hused += used;
			if (used > plen || (rc == KG_HTTP_MORE && used != plen) ||
			    (rc == KG_HTTP_ROOM && used == plen))
				fail("head: used out of range");
			piece += used;
			plen -= used;
			if (rc == KG_HTTP_ROOM) {
				head_grow(&h, c);
				continue;
			}
			if (rc != KG_HTTP_MORE)
				break;
		}
		m->hrc = rc;
		record_head(m, &h);
		if (rc != KG_HTTP_DONE)
			return;
		if (check)
			check_head(&h, c, start, m->hused);

		kg_http_body_init(&b, &h);
		if (c->small) {
			b.max_chunk_line = 16;
			b.max_ext = 32;
			b.max_trailer = 32;
			b.max_trailer_fields = 2;
			if (!response)
				b.max_payload = 64;
		}
		rc = KG_HTTP_MORE;
		for (;;) {
			rc = kg_http_body_feed(&b, piece, plen, &used);
			m->bused += used;
			if (used > plen || (rc == KG_HTTP_MORE && used != plen))
				fail("body: used out of range");
			piece += used;
			plen -= used;
			if (rc != KG_HTTP_MORE)
				break;
			if (s->off == s->n)
				break;
			plen = next_piece(s);
			piece = s->data + s->off;
			s->off += plen;
		}
		if (rc == KG_HTTP_MORE)
			m->eof = kg_http_body_eof(&b);
		m->brc = rc;
		m->bwhy = b.why;
		m->payload = b.payload;
		if (rc != KG_HTTP_DONE)
			return;
		if (h.framing == KG_HTTP_BODY_TUNNEL)
			return;
		if (!plen && s->off == s->n)
			return;
	}
}

/* The input as a chunked body alone: a transcript of three numbers. */
struct chunk_rec {
	int rc;
	size_t used;
	u8 why;
	u64 payload;
};

static void chunked(struct splitter *s, const struct cfg *c,
		    struct chunk_rec *r)
{
	struct kg_http_body b;
	size_t k, used;
	int rc = KG_HTTP_MORE;

	memset(r, 0, sizeof(*r));
	kg_http_body_init_framing(&b, KG_HTTP_BODY_CHUNKED, 0, false);
	if (c->small) {
		b.max_chunk_line = 16;
		b.max_ext = 32;
		b.max_trailer = 32;
		b.max_trailer_fields = 2;
		b.max_payload = 64;
	}
	while (s->off < s->n) {
		k = next_piece(s);
		rc = kg_http_body_feed(&b, s->data + s->off, k, &used);
		s->off += k;
		r->used += used;
		if (rc != KG_HTTP_MORE)
			break;
	}
	r->rc = rc;
	r->why = b.why;
	r->payload = b.payload;
}

static void splitter_init(struct splitter *s, const u8 *d, size_t n, int kind,
			  size_t at, const struct cfg *c)
{
	memset(s, 0, sizeof(*s));
	s->data = d;
	s->n = n;
	s->kind = kind;
	s->at = at;
	s->rnd = c->seed;
	s->piece = c->piece;
}

static struct rec want, got;

static void compare_sessions(const u8 *d, size_t n, const struct cfg *c,
			     bool response)
{
	struct splitter s;
	size_t at, step;

	splitter_init(&s, d, n, 0, 0, c);
	session(&s, c, response, &want, true);
	splitter_init(&s, d, n, 1, 0, c);
	session(&s, c, response, &got, false);
	if (memcmp(&want, &got, sizeof(want)))
		fail("one byte a call differs from whole");
	step = n <= 512 ? 1 : n / 64;
	for (at = 1; at < n; at += step) {
		splitter_init(&s, d, n, 2, at, c);
		session(&s, c, response, &got, false);
		if (memcmp(&want, &got, sizeof(want)))
			fail("two pieces differ from whole");
	}
	splitter_init(&s, d, n, 3, 0, c);
	session(&s, c, response, &got, false);
	if (memcmp(&want, &got, sizeof(want)))
		fail("random pieces differ from whole");
}

static void compare_chunked(const u8 *d, size_t n, const struct cfg *c)
{
	struct chunk_rec w, g;
	struct splitter s;
	size_t at, step;

	splitter_init(&s, d, n, 0, 0, c);
	chunked(&s, c, &w);
	if (w.used > n || (w.rc == KG_HTTP_MORE && w.used != n))
		fail("chunked: used");
	splitter_init(&s, d, n, 1, 0, c);
	chunked(&s, c, &g);
	if (memcmp(&w, &g, sizeof(w)))
		fail("chunked: one byte a call differs");
	step = n <= 512 ? 1 : n / 64;
	for (at = 1; at < n; at += step) {
		splitter_init(&s, d, n, 2, at, c);
		chunked(&s, c, &g);
		if (memcmp(&w, &g, sizeof(w)))
			fail("chunked: two pieces differ");
	}
	splitter_init(&s, d, n, 3, 0, c);
	chunked(&s, c, &g);
	if (memcmp(&w, &g, sizeof(w)))
		fail("chunked: random pieces differ");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u16 caps[] = { 64, 512, 4096, 16384 };
	static const u16 nfields[] = { 1, 4, 16, FIELDS_MAX };
	static const u16 uris[] = { 4, 32, 256, 8192 };
	u8 conf = size > 0 ? data[0] : 0, seed = size > 1 ? data[1] : 0;
	const u8 *d = data + (size < 2 ? size : 2);
	size_t n = size < 2 ? 0 : size - 2;
	struct cfg c;

	c.cap = caps[conf & 3];
	c.fields = nfields[(conf >> 2) & 3];
	c.uri = uris[(conf >> 4) & 3];
	c.small = conf & 0x40;
	c.piece = conf & 0x80 ? 64 : 8;
	c.req_method = seed % 10;
	c.seed = (seed + 1) * 2654435761u;

	/* exactly the sizes given, so that ASan sees any overrun */
	hbuf = malloc(c.cap);
	hfields = malloc(c.fields * sizeof(*hfields));
	if (!hbuf || !hfields)
		abort();

	compare_sessions(d, n, &c, false);
	compare_sessions(d, n, &c, true);
	compare_chunked(d, n, &c);
	check_path(d, n);

	free(gbuf);
	gbuf = NULL;
	free(hfields);
	free(hbuf);
	return 0;
}

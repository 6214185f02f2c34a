// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/match.c.
 *
 * The input describes a route table (up to 8 routes of either kind, their
 * hostnames, rules, matches with paths, methods, headers and parameters,
 * backends and filters), drawn from small sets of labels and path
 * elements so that hosts and paths collide, with invalid values now and
 * then, then requests.  Checked on every input:
 *   - kg_match_size() and kg_match_build() agree on accepting the table,
 *     and a build into a buffer of exactly that size writes nothing past
 *     it;
 *   - every request gets from kg_match_lookup() the same (route, rule,
 *     match, matched length), or the same "no match", as a slow reference
 *     here: a scan of every (route hostname, match) pair applying the
 *     rules and the precedence of match.h directly;
 *   - the rewrite, redirect and backend functions stay in their bounds
 *     and never pick a backend of weight 0.
 *
 * Input: a byte stream read by take(), missing bytes read as 0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

#define F_ROUTES	8
#define F_HOSTS		3
#define F_RULES		3
#define F_MATCHES	3
#define F_KV		3
#define F_BE		3

struct reader {
	const uint8_t *p;
	size_t left;
};

static unsigned int take(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static const char *const host_set[] = {
	"a.com", "b.a.com", "c.b.a.com", "*.a.com", "*.b.a.com", "*.com",
	"x.org", "*.x.org", "A.com", "*.*.a.com", "b.*.com", "1.2.3.4",
};
static const char *const req_host_set[] = {
	"a.com", "b.a.com", "c.b.a.com", "d.c.b.a.com", "B.A.com:80", "x.org",
	"y.x.org", "z.y.x.org", "com", ".a.com", "a.com.", "[::1]:8080",
	"c.B.a.com:", "", "q.com", "d.a.com",
};
static const char *const seg_set[] = { "a", "b", "ab", "c", "", "x.y" };
static const char *const method_set[] = { "", "GET", "POST", "get" };
static const char *const hname_set[] = { "x-a", "X-A", "x-b", "x c" };
static const char *const hval_set[] = { "1", "2", "", "1 " };
static const char *const qname_set[] = { "a", "b", "A", "a&" };
static const char *const qval_set[] = { "1", "2", "", "x" };
static const char *const name_set[] = { "ns/a", "ns/b", "ns/c", "" };

/* Storage for one input's table. */
static struct kg_match_route_in routes[F_ROUTES];
static struct kg_match_rule_in rules[F_ROUTES][F_RULES];
static struct kg_match_match_in matches[F_ROUTES][F_RULES][F_MATCHES];
static struct kg_match_kv_in hdrs[F_ROUTES][F_RULES][F_MATCHES][F_KV];
static struct kg_match_kv_in qs[F_ROUTES][F_RULES][F_MATCHES][F_KV];
static struct kg_match_backend_in bes[F_ROUTES][F_RULES][F_BE];
static struct kg_match_rewrite_in rws[F_ROUTES][F_RULES];
static struct kg_match_redirect_in rds[F_ROUTES][F_RULES];
static struct kg_mstr hostnames[F_ROUTES][F_HOSTS];
static char paths[F_ROUTES][F_RULES][F_MATCHES][32];

static struct kg_mstr ms(const char *s)
{
	struct kg_mstr m = { s, (u32)strlen(s) };

	return m;
}

static void fail(const char *what)
{
	fprintf(stderr, "match_fuzz: %s\n", what);
	abort();
}

/* A path of 1..3 elements from seg_set, "/" alone, or a trailing "/". */
static void make_path(struct reader *r, char *out, size_t cap)
{
	unsigned int b = take(r), n = b % 4, i;
	size_t len = 0;

	out[0] = 0;
	for (i = 0; i < n; i++)
		len += snprintf(out + len, cap - len, "/%s",
				seg_set[take(r) % 6]);
	if (!n || b & 0x10)
		snprintf(out + len, cap - len, "/");
	if ((b & 0xe0) == 0xe0)
		out[0] = 'z';	/* not starting with "/": refused */
}

static void make_table(struct reader *r, struct kg_match_table_in *in)
{
	unsigned int nr = take(r) % (F_ROUTES + 1), i, j, k, l;

	memset(routes, 0, sizeof(routes));
	memset(rules, 0, sizeof(rules));
	memset(matches, 0, sizeof(matches));
	for (i = 0; i < nr; i++) {
		struct kg_match_route_in *ro = &routes[i];
		unsigned int b = take(r);

		ro->kind = b & 1 ? KG_ROUTE_HTTP : KG_ROUTE_INGRESS;
		ro->name = ms(name_set[(b >> 1) % 3 + ((b & 0xf8) == 0xf8)]);
		ro->order = take(r) % 3;
		ro->nhostnames = take(r) % (F_HOSTS + 1);
		ro->hostnames = hostnames[i];
		for (j = 0; j < ro->nhostnames; j++) {
			unsigned int h = take(r);

			hostnames[i][j] = ms(host_set[h & 0x80 ? h % 12 : h % 8]);
		}
		if ((b & 0x70) == 0x70)
			ro->rewrite_target = ms(b & 0x80 ? "/$1" : "/rt");
		ro->nrules = take(r) % (F_RULES + 1);
		ro->rules = rules[i];
		for (j = 0; j < ro->nrules; j++) {
			struct kg_match_rule_in *ru = &rules[i][j];
			unsigned int c = take(r);

			ru->nmatches = c % (F_MATCHES + 1);
			ru->matches = matches[i][j];
			for (k = 0; k < ru->nmatches; k++) {
				struct kg_match_match_in *m = &matches[i][j][k];
				unsigned int d = take(r);

				m->path_type = d % 3;
				make_path(r, paths[i][j][k], sizeof(paths[i][j][k]));
				m->path = ms(paths[i][j][k]);
				if (ro->kind != KG_ROUTE_HTTP && !(d & 0x80))
					continue;
				m->method = ms(method_set[(d >> 2) % 3 +
						   ((d & 0x60) == 0x60)]);
				m->nheaders = take(r) % (F_KV + 1);
				m->headers = hdrs[i][j][k];
				for (l = 0; l < m->nheaders; l++) {
					unsigned int e = take(r);

					hdrs[i][j][k][l].name =
						ms(hname_set[e % 3 + ((e & 0xf0) == 0xf0)]);
					hdrs[i][j][k][l].value =
						ms(hval_set[(e >> 2) % 4]);
				}
				m->nquery = take(r) % (F_KV + 1);
				m->query = qs[i][j][k];
				for (l = 0; l < m->nquery; l++) {
					unsigned int e = take(r);

					qs[i][j][k][l].name =
						ms(qname_set[e % 3 + ((e & 0xf0) == 0xf0)]);
					qs[i][j][k][l].value =
						ms(qval_set[(e >> 2) % 4]);
				}
			}
			ru->nbackends = (c >> 2) % (F_BE + 1);
			ru->backends = bes[i][j];
			for (k = 0; k < ru->nbackends; k++) {
				bes[i][j][k].service = i * 16 + j * 4 + k;
				bes[i][j][k].weight = take(r) % 4;
			}
			if (ro->kind == KG_ROUTE_HTTP && (c & 0x40)) {
				rws[i][j].hostname = ms(c & 0x80 ? "rw.com" : "");
				rws[i][j].path.type = (c >> 4) % 3;
				rws[i][j].path.value = ms(c & 0x20 ? "/new/" : "");
				ru->rewrite = &rws[i][j];
			} else if (ro->kind == KG_ROUTE_HTTP && (c & 0x80)) {
				rds[i][j].scheme = ms(c & 0x20 ? "https" : "");
				rds[i][j].hostname = ms(c & 0x10 ? "r.com" : "");
				rds[i][j].port = c & 0x10 ? 8443 : 0;
				rds[i][j].path.type = (c & 0x30) == 0x30 ?
						      KG_PATHMOD_PREFIX : 0;
				rds[i][j].path.value = ms("/p");
				rds[i][j].status = 301;
				ru->redirect = &rds[i][j];
			}
		}
	}
	in->routes = routes;
	in->nroutes = nr;
	in->default_backend = KG_MATCH_NONE;
}

/* ---- the reference: a scan applying match.h's rules directly ----------- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool eq_nocase(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i;

	if (al != bl)
		return false;
	for (i = 0; i < al; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool eq(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && !memcmp(a, b, al);
}

/* Host without its port: after the last ':' only digits, IPv6 bracketed. */
static size_t ref_strip(const char *h, size_t len)
{
	size_t i;

	if (len && h[0] == '[') {
		const char *e = memchr(h, ']', len);

		return e ? (size_t)(e - h) + 1 : len;
	}
	for (i = len; i > 0 && h[i - 1] >= '0' && h[i - 1] <= '9'; i--)
		;
	return i > 0 && h[i - 1] == ':' ? i - 1 : len;
}

/*
 * How specifically a hostname matches: 0 exact, 1 wildcard (@slen the
 * suffix's length), 2 no hostname; -1: no match.
 */
static int ref_host(const struct kg_match_route_in *ro, const struct kg_mstr *hn,
		    const char *h, size_t hl, size_t *slen)
{
	const char *s;
	size_t sl, x;

	*slen = 0;
	if (!hn)
		return 2;
	if (hn->s[0] != '*')
		return eq_nocase(hn->s, hn->len, h, hl) ? 0 : -1;
	s = hn->s + 2;
	sl = hn->len - 2;
	if (hl < sl + 2 || !eq_nocase(h + hl - sl, sl, s, sl) ||
	    h[hl - sl - 1] != '.')
		return -1;
	x = hl - sl - 1;	/* the labels the wildcard stands for */
	if (ro->kind == KG_ROUTE_INGRESS && memchr(h, '.', x))
		return -1;
	*slen = sl;
	return 1;
}

static bool ref_query_has(const char *q, size_t ql, const struct kg_match_kv_in *kv)
{
	size_t i = 0;

	while (i <= ql) {
		size_t st = i, e;

		while (i < ql && q[i] != '&')
			i++;
		for (e = st; e < i && q[e] != '='; e++)
			;
		if (e == i ? eq(q + st, i - st, kv->name.s, kv->name.len) &&
			     !kv->value.len :
		    eq(q + st, e - st, kv->name.s, kv->name.len) &&
		    eq(q + e + 1, i - e - 1, kv->value.s, kv->value.len))
			return true;
		i++;
	}
	return false;
}

struct cand {
	bool valid;
	int hclass;
	size_t slen, normlen, rawlen;
	bool exact, method;
	unsigned int nhdr, nq, route, rule, match;
};

/* Does a beat b? */
static bool better(const struct cand *a, const struct cand *b)
{
	int c;

	if (!b->valid)
		return true;
#define BY(x, op) do { if (a->x != b->x) return a->x op b->x; } while (0)
	BY(hclass, <);
	BY(slen, >);
	BY(normlen, >);
	BY(exact, >);
	BY(rawlen, >);
	BY(method, >);
	BY(nhdr, >);
	BY(nq, >);
	if (routes[a->route].order != routes[b->route].order)
		return routes[a->route].order < routes[b->route].order;
	c = memcmp(routes[a->route].name.s, routes[b->route].name.s,
		   routes[a->route].name.len < routes[b->route].name.len ?
		   routes[a->route].name.len : routes[b->route].name.len);
	if (c)
		return c < 0;
	if (routes[a->route].name.len != routes[b->route].name.len)
		return routes[a->route].name.len < routes[b->route].name.len;
	BY(route, <);
	BY(rule, <);
	BY(match, <);
#undef BY
	return false;
}

static void ref_lookup(const struct kg_match_table_in *in,
		       const struct kg_match_req *rq, struct cand *best)
{
	static const struct kg_match_match_in deflt = {
		.path_type = KG_PATH_PREFIX, .path = { "/", 1 },
	};
	size_t hl = ref_strip(rq->host, rq->host_len), plen;
	const char *q = "";
	size_t ql = 0;
	unsigned int i, j, k, hi, a, b;

	best->valid = false;
	for (plen = 0; plen < rq->target_len && rq->target[plen] != '?'; plen++)
		;
	if (plen < rq->target_len) {
		q = rq->target + plen + 1;
		ql = rq->target_len - plen - 1;
	}
	if (!plen || rq->target[0] != '/')
		return;
	for (i = 0; i < in->nroutes; i++) {
		const struct kg_match_route_in *ro = &in->routes[i];

		for (hi = 0; hi < (ro->nhostnames ? ro->nhostnames : 1); hi++) {
			struct cand c = { .valid = true, .route = i };

			c.hclass = ref_host(ro, ro->nhostnames ? &ro->hostnames[hi] :
					    NULL, rq->host, hl, &c.slen);
			if (c.hclass < 0 || (c.hclass < 2 && !hl))
				continue;
			for (j = 0; j < ro->nrules; j++)
				for (k = 0; k < (ro->rules[j].nmatches ?
						 ro->rules[j].nmatches : 1); k++) {
					const struct kg_match_match_in *m =
						ro->rules[j].nmatches ?
						&ro->rules[j].matches[k] : &deflt;
					const char *p = m->path.s;
					size_t L = m->path.len;
					bool ok = true;

					c.rule = j;
					c.match = k;
					c.exact = m->path_type == KG_PATH_EXACT;
					c.rawlen = L;
					if (c.exact) {
						if (!eq(p, L, rq->target, plen))
							continue;
					} else {
						if (p[L - 1] == '/')
							L--;
						if (L > plen || memcmp(p, rq->target, L) ||
						    (L < plen && rq->target[L] != '/'))
							continue;
					}
					c.normlen = L;
					c.method = m->method.len;
					if (m->method.len &&
					    !eq(m->method.s, m->method.len,
						rq->method, rq->method_len))
						continue;
					c.nhdr = 0;
					for (a = 0; a < m->nheaders; a++) {
						const struct kg_match_kv_in *h = &m->headers[a];
						bool found = false;

						for (b = 0; b < a; b++)
							if (eq_nocase(m->headers[b].name.s,
								      m->headers[b].name.len,
								      h->name.s, h->name.len))
								break;
						if (b < a)
							continue;
						c.nhdr++;
						for (b = 0; b < rq->nfields; b++)
							if (eq_nocase(h->name.s, h->name.len,
								      rq->fields[b].name,
								      rq->fields[b].name_len) &&
							    eq(h->value.s, h->value.len,
							       rq->fields[b].value,
							       rq->fields[b].value_len))
								found = true;
						ok &= found;
					}
					c.nq = 0;
					for (a = 0; a < m->nquery; a++) {
						for (b = 0; b < a; b++)
							if (eq(m->query[b].name.s,
							       m->query[b].name.len,
							       m->query[a].name.s,
							       m->query[a].name.len))
								break;
						if (b < a)
							continue;
						c.nq++;
						ok &= ref_query_has(q, ql, &m->query[a]);
					}
					if (ok && better(&c, best))
						*best = c;
				}
		}
	}
}

/* ---- requests ------------------------------------------------------------ */

static void check_request(struct reader *r, const struct kg_match_table_in *in,
			  const struct kg_match_table *t)
{
	static const struct kg_match_field fset[] = {
		{ "x-a", 3, "1", 1 }, { "X-A", 3, "2", 1 }, { "x-b", 3, "1", 1 },
		{ "x-b", 3, "", 0 }, { "x-c", 3, "1", 1 }, { "X-B", 3, "2", 1 },
	};
	struct kg_match_field fields[4];
	struct kg_match_result res;
	struct cand best;
	char target[64], out[96];
	unsigned int b = take(r), nf = b % 5, i;
	const char *host = req_host_set[take(r) % 16];
	size_t len;
	int rc, n;
	u32 status;

	make_path(r, target, 40);
	if (b & 0x80)
		target[0] = '/';
	len = strlen(target);
	if (b & 0x20) {
		unsigned int qb = take(r);

		len += snprintf(target + len, sizeof(target) - len, "?%s=%s%s%s",
				qname_set[qb % 3], qval_set[(qb >> 2) % 4],
				qb & 0x40 ? "&b=2" : "", qb & 0x80 ? "&a" : "");
	}
	for (i = 0; i < nf; i++)
		fields[i] = fset[take(r) % 6];
	{
		struct kg_match_req rq = {
			.host = host, .host_len = (u32)strlen(host),
			.target = target, .target_len = (u32)len,
			.method = method_set[(b >> 3) % 4],
			.method_len = (u32)strlen(method_set[(b >> 3) % 4]),
			.fields = fields, .nfields = nf,
		};

		rc = kg_match_lookup(t, &rq, &res);
		ref_lookup(in, &rq, &best);
		if (rc != (best.valid ? 0 : -ENOENT)) {
			fprintf(stderr, "host %s target %s: lookup %d, reference %s (route %u rule %u match %u)\n",
				host, target, rc, best.valid ? "match" : "none",
				best.route, best.rule, best.match);
			fail("lookup and reference disagree on a match");
		}
		if (rc)
			return;
		if (res.route != best.route || res.rule != best.rule ||
		    res.match != best.match || res.matched_len != best.normlen) {
			fprintf(stderr, "host %s target %s: lookup %u/%u/%u len %u, reference %u/%u/%u len %zu\n",
				host, target, res.route, res.rule, res.match,
				res.matched_len, best.route, best.rule,
				best.match, best.normlen);
			fail("lookup and reference chose different rules");
		}
	}
	n = kg_match_rewrite_path(t, &res, target, (u32)len, out, take(r) % 96);
	if (n < -ENOSPC || n > 96)
		fail("rewrite out of bounds");
	{
		struct kg_match_redirect_req rr = { "http", 4, host, strlen(host),
						    8080, target, (u32)len };

		n = kg_match_redirect(t, &res, &rr, out, take(r) % 96, &status);
		if (n > 96 || (n < 0 && n != -ENOSPC && n != -ENOENT))
			fail("redirect out of bounds");
	}
	n = kg_match_pick_backend(t, res.rule_id, take(r) * 0x01010101u);
	if (n >= 0) {
		const struct kg_match_rule_in *ru =
			&in->routes[res.route].rules[res.rule];

		if ((u32)n >= ru->nbackends || !ru->backends[n].weight ||
		    kg_match_backend_service(t, res.rule_id, n) !=
		    ru->backends[n].service)
			fail("picked a bad backend");
	} else if (n != KG_MATCH_PICK_404 && n != KG_MATCH_PICK_500) {
		fail("bad pick result");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct kg_match_table_in in;
	struct kg_match_err err;
	size_t need = 0;
	uint8_t *buf;
	int rc, rc2, i;

	make_table(&r, &in);
	rc = kg_match_size(&in, &need, &err);
	if (rc && (rc != -EINVAL || !err.msg))
		fail("refusal without -EINVAL and a message");
	buf = malloc(need + 64 + 8);
	if (!buf)
		abort();
	memset(buf, 0x5a, need + 64 + 8);
	rc2 = kg_match_build(&in, buf, rc ? 0 : need, &err);
	if (rc2 != rc)
		fail("kg_match_size and kg_match_build disagree");
	for (i = 0; i < 64; i++)
		if (buf[need + i] != 0x5a)
			fail("build wrote past its size");
	if (!rc)
		for (i = 0; i < 16 && (r.left || !i); i++)
			check_request(&r, &in, kg_match_table(buf));
	free(buf);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The route matcher: see match.h for the model, the precedence and the
 * cost.  Shared by the module and the userspace tests and fuzzer.
 *
 * The compiled table, in one block: a header, then arrays of routes, rules,
 * matches, key-value pairs (match headers and parameters, header
 * modifiers), backends, entries (one per route hostname and match, sorted),
 * host groups and path keys, then the string pool.  Every reference is an
 * offset or an index, never a pointer.
 */
#include "match.h"

#define KG_MATCH_MAGIC		0x6b676d74U	/* "kgmt" */

/* Host group kinds, in the order a lookup tries them. */
enum {
	KG_HK_EXACT,
	KG_HK_WILD,	/* every wildcard: one more label */
	KG_HK_DEEP,	/* HTTPRoute wildcards again: more labels */
	KG_HK_ANY,	/* routes without hostnames */
	KG_HK_NR,
};

#define KG_MSG_CAPTURE \
	"rewrite-target with a capture group ($1): regex paths are not supported"

#define KG_RULE_REDIRECT	0x1
#define KG_RULE_REWRITE		0x2

struct kg_mref {
	u32 off;
	u32 len;
};

struct kg_mroute {
	u64 order;
	struct kg_mref name;
	u32 kind;
	u32 pad;
};

struct kg_mpmod {
	u32 type;
	struct kg_mref value;
};

struct kg_mrule {
	u32 route;
	u32 index;
	u32 first_be;
	u32 nbe;
	u32 total;
	u32 flags;
	u32 hdr_first[2][3];
	u32 hdr_n[2][3];
	struct kg_mref rd_scheme;
	struct kg_mref rd_host;
	u32 rd_port;
	u32 rd_status;
	struct kg_mpmod rd_path;
	struct kg_mref rw_host;
	struct kg_mpmod rw_path;
};

struct kg_mmatch {
	u32 rule;		/* rule id */
	u32 index;		/* in the rule */
	struct kg_mref path;
	u32 normlen;		/* the path key: Exact all, Prefix without "/" */
	u32 exact;
	struct kg_mref method;
	u32 first_hdr;
	u32 nhdr;
	u32 first_q;
	u32 nq;
};

struct kg_mkv {
	struct kg_mref name;
	struct kg_mref value;
};

struct kg_mbe {
	u32 service;
	u32 weight;
	u32 cum;		/* the weights up to and including this one */
};

struct kg_mentry {
	u32 match;
	u32 hoff;
	u32 hlen;
	u32 hkind;
};

struct kg_mhost {
	struct kg_mref key;
	u32 first_pkey;
	u32 npkeys;
};

struct kg_mpkey {
	struct kg_mref key;
	u32 exact;
	u32 first;		/* entries, in precedence order */
	u32 count;
};

struct kg_match_table {
	u32 magic;
	u32 size;
	u32 nroutes, nrules, nmatches, nkv, nbe, nentries, nhosts, npkeys;
	u32 off_routes, off_rules, off_matches, off_kv, off_be, off_entries;
	u32 off_hosts, off_pkeys, off_str;
	u32 host_first[KG_HK_NR];
	u32 host_n[KG_HK_NR];
	u32 default_backend;
};

/* ---- small helpers (no libc) ------------------------------------------ */

static char kg_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool kg_eq(const char *a, u32 alen, const char *b, u32 blen)
{
	u32 i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool kg_eq_nocase(const char *a, u32 alen, const char *b, u32 blen)
{
	u32 i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (kg_lower(a[i]) != kg_lower(b[i]))
			return false;
	return true;
}

/* Bytewise order, a prefix first; @b lowercased if @lower. */
static int kg_bcmp(const char *a, u32 alen, const char *b, u32 blen,
		   bool lower)
{
	u32 i;

	for (i = 0; i < alen && i < blen; i++) {
		u8 x = a[i], y = lower ? kg_lower(b[i]) : b[i];

		if (x != y)
			return x < y ? -1 : 1;
	}
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

static void kg_copy(char *dst, const char *src, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		dst[i] = src[i];
}

static bool kg_is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return true;
	}
	return false;
}

static bool kg_token_valid(const struct kg_mstr *s, u32 max)
{
	u32 i;

	if (!s->len || s->len > max || !s->s)
		return false;
	for (i = 0; i < s->len; i++)
		if (!kg_is_tchar(s->s[i]))
			return false;
	return true;
}

/* A field value: no CTL but tab, no DEL. */
static bool kg_value_valid(const struct kg_mstr *s)
{
	u32 i;

	if (s->len > KG_MATCH_VALUE_MAX || (s->len && !s->s))
		return false;
	for (i = 0; i < s->len; i++) {
		u8 c = s->s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* A query parameter name or value: none of CTL, space, '&', '#', '='. */
static bool kg_param_valid(const struct kg_mstr *s, bool name)
{
	u32 i;

	if ((name && !s->len) || s->len > KG_MATCH_VALUE_MAX ||
	    (s->len && !s->s))
		return false;
	for (i = 0; i < s->len; i++) {
		u8 c = s->s[i];

		if (c <= 0x20 || c == 0x7f || c == '&' || c == '#' ||
		    (name && c == '='))
			return false;
	}
	return true;
}

/* The host of a Host field: without ":port", brackets kept for IPv6. */
static u32 kg_host_strip(const char *h, u32 len)
{
	u32 i;

	if (len && h[0] == '[') {
		for (i = 1; i < len; i++)
			if (h[i] == ']')
				return i + 1;
		return len;
	}
	for (i = len; i > 0; i--) {
		if (h[i - 1] == ':')
			return i - 1;
		if (h[i - 1] < '0' || h[i - 1] > '9')
			break;
	}
	return len;
}

/* ---- validation --------------------------------------------------------- */

/*
 * A hostname: RFC 1123 labels of lowercase letters, digits and '-', not an
 * IP address, optionally after a "*." wildcard label if @wild_ok.  NULL if
 * valid, else why not; @wild says whether it is a wildcard.
 */
static const char *kg_host_check(const struct kg_mstr *h, bool wild_ok,
				 bool *wild)
{
	const char *s = h->s;
	u32 len = h->len, i, label = 0;
	bool digits = true;

	*wild = false;
	if (!len || !s)
		return "empty hostname";
	if (len > KG_MATCH_NAME_MAX)
		return "hostname longer than 253 bytes";
	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		if (!wild_ok)
			return "wildcard hostname not allowed here";
		*wild = true;
		s += 2;
		len -= 2;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '*')
			return "a wildcard must be exactly one leading label \"*.\"";
	if (!len)
		return "invalid hostname";
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (!label || s[i - 1] == '-')
				return "invalid hostname: empty label or '-' at a label's end";
			label = 0;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			return "invalid hostname: must be lowercase";
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '-')
			return "invalid hostname: a character not in [a-z0-9.-]";
		if (c == '-' && !label)
			return "invalid hostname: '-' at a label's start";
		if (++label > 63)
			return "invalid hostname: label longer than 63 bytes";
		if (c < '0' || c > '9')
			digits = false;
	}
	if (digits && !*wild)
		return "an IP address is not a hostname";
	return NULL;
}

static bool kg_contains(const char *s, u32 len, const char *pat)
{
	u32 n, i;

	for (n = 0; pat[n]; n++)
		;
	for (i = 0; i + n <= len; i++)
		if (kg_eq_nocase(s + i, n, pat, n))
			return true;
	return false;
}

static bool kg_ends(const char *s, u32 len, const char *pat)
{
	u32 n;

	for (n = 0; pat[n]; n++)
		;
	return len >= n && kg_eq(s + len - n, n, pat, n);
}

/* A rule path (or a path modifier's value): NULL if valid, else why not. */
static const char *kg_path_check(const struct kg_mstr *p, bool gateway)
{
	u32 i;

	if (!p->len || !p->s)
		return "empty path";
	if (p->s[0] != '/')
		return "path does not start with \"/\"";
	if (p->len > KG_MATCH_PATH_MAX)
		return "path longer than 4096 bytes";
	for (i = 0; i < p->len; i++) {
		u8 c = p->s[i];

		if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#')
			return "invalid character in path (CTL, space, non-ASCII, '?', '#')";
		if (gateway && !kg_is_tchar(c) && c != '/' && c != '(' &&
		    c != ')' && c != ',' && c != ';' && c != '=' && c != ':' &&
		    c != '@')
			return "invalid character in path";
	}
	if (gateway && (kg_contains(p->s, p->len, "//") ||
			kg_contains(p->s, p->len, "/./") ||
			kg_contains(p->s, p->len, "/../") ||
			kg_contains(p->s, p->len, "%2f") ||
			kg_ends(p->s, p->len, "/.") ||
			kg_ends(p->s, p->len, "/..")))
		return "path with \"//\", a dot-segment or \"%2F\"";
	return NULL;
}

/* Characters that make ingress-nginx read a path as a regex. */
static bool kg_path_is_regex(const struct kg_mstr *p)
{
	u32 i;

	for (i = 0; i < p->len; i++)
		switch (p->s[i]) {
		case '(': case ')': case '[': case ']': case '{': case '}':
		case '*': case '+': case '|': case '^': case '$': case '\\':
			return true;
		}
	return false;
}

/* ---- the build ----------------------------------------------------------- */

struct kg_mbuild {
	const struct kg_match_table_in *in;
	struct kg_match_table *t;	/* NULL: count only */
	struct kg_match_err *err;
	u64 nrules, nmatches, nkv, nbe, nentries, nstr;
	u32 route;			/* the route being compiled */
	struct kg_mref target;		/* its rewrite-target */
};

static inline void *kg_at(const struct kg_match_table *t, u32 off)
{
	return (char *)t + off;
}

/* The array @name of @t, of @type. */
#define KG_TBL(t, type, name)	((type *)kg_at_##name(t))
#define KG_CTBL(t, type, name)	((const type *)kg_at_##name(t))
#define KG_AT(name)							\
static inline void *kg_at_##name(const struct kg_match_table *t)	\
{									\
	return kg_at(t, t->off_##name);					\
}

KG_AT(routes)
KG_AT(rules)
KG_AT(matches)
KG_AT(kv)
KG_AT(be)
KG_AT(entries)
KG_AT(hosts)
KG_AT(pkeys)
KG_AT(str)
#undef KG_AT

static int kg_fail(struct kg_mbuild *b, const char *msg, u32 rule, u32 match,
		   u32 item)
{
	if (b->err) {
		b->err->msg = msg;
		b->err->route = b->route;
		b->err->rule = rule;
		b->err->match = match;
		b->err->item = item;
	}
	return -EINVAL;
}

static struct kg_mref kg_put(struct kg_mbuild *b, const char *s, u32 len)
{
	struct kg_mref r = { (u32)b->nstr, len };

	if (b->t)
		kg_copy(KG_TBL(b->t, char, str) + b->nstr, s, len);
	b->nstr += len;
	return r;
}

static void kg_put_kv(struct kg_mbuild *b, const struct kg_mstr *name,
		      const struct kg_mstr *value)
{
	struct kg_mref n = kg_put(b, name->s, name->len);
	struct kg_mref v = { (u32)b->nstr, 0 };

	if (value)
		v = kg_put(b, value->s, value->len);
	if (b->t) {
		struct kg_mkv *kv = KG_TBL(b->t, struct kg_mkv, kv) + b->nkv;

		kv->name = n;
		kv->value = v;
	}
	b->nkv++;
}

/* A match's headers (@hdr) or parameters: valid, and the first of a name. */
static int kg_build_kvs(struct kg_mbuild *b, const struct kg_match_kv_in *kv,
			u32 n, bool hdr, u32 rule, u32 match, u32 *first,
			u32 *count)
{
	u32 i, j;

	if (n > KG_MATCH_KV_MAX)
		return kg_fail(b, hdr ? "more than 16 header matches" :
			       "more than 16 query parameter matches",
			       rule, match, KG_MATCH_NONE);
	if (n && !kv)
		return kg_fail(b, "missing header or parameter array", rule,
			       match, KG_MATCH_NONE);
	*first = (u32)b->nkv;
	*count = 0;
	for (i = 0; i < n; i++) {
		if (hdr ? !kg_token_valid(&kv[i].name, KG_MATCH_FIELD_MAX) :
		    !kg_param_valid(&kv[i].name, true) ||
		    kv[i].name.len > KG_MATCH_FIELD_MAX)
			return kg_fail(b, hdr ? "invalid header name" :
				       "invalid query parameter name",
				       rule, match, i);
		if (hdr ? !kg_value_valid(&kv[i].value) :
		    !kg_param_valid(&kv[i].value, false))
			return kg_fail(b, hdr ? "invalid header value" :
				       "invalid query parameter value",
				       rule, match, i);
		for (j = 0; j < i; j++)
			if (hdr ? kg_eq_nocase(kv[j].name.s, kv[j].name.len,
					       kv[i].name.s, kv[i].name.len) :
			    kg_eq(kv[j].name.s, kv[j].name.len,
				  kv[i].name.s, kv[i].name.len))
				break;
		if (j < i)
			continue;	/* only the first of a name counts */
		kg_put_kv(b, &kv[i].name, &kv[i].value);
		(*count)++;
	}
	return 0;
}

static int kg_build_match(struct kg_mbuild *b, const struct kg_match_route_in *ro,
			  const struct kg_match_match_in *mi, u32 rule, u32 match,
			  u32 rule_id)
{
	bool gw = ro->kind == KG_ROUTE_HTTP;
	struct kg_mmatch m = { .rule = rule_id, .index = match };
	const char *why;
	int rc;

	if (mi->path_type > KG_PATH_IMPL)
		return kg_fail(b, "unknown path type", rule, match,
			       KG_MATCH_NONE);
	if (gw && mi->path_type == KG_PATH_IMPL)
		return kg_fail(b, "ImplementationSpecific is an Ingress path type",
			       rule, match, KG_MATCH_NONE);
	why = kg_path_check(&mi->path, gw);
	if (why)
		return kg_fail(b, why, rule, match, KG_MATCH_NONE);
	if (ro->rewrite_target.len && kg_path_is_regex(&mi->path))
		return kg_fail(b, "regex path with rewrite-target: regex paths are not supported",
			       rule, match, KG_MATCH_NONE);
	if (!gw && (mi->method.len || mi->nheaders || mi->nquery))
		return kg_fail(b, "an Ingress path matches no method, header or parameter",
			       rule, match, KG_MATCH_NONE);
	if (mi->method.len &&
	    !kg_token_valid(&mi->method, KG_MATCH_METHOD_MAX))
		return kg_fail(b, "invalid method", rule, match, KG_MATCH_NONE);

	m.path = kg_put(b, mi->path.s, mi->path.len);
	m.exact = mi->path_type == KG_PATH_EXACT;
	m.normlen = mi->path.len;
	if (!m.exact && mi->path.s[mi->path.len - 1] == '/')
		m.normlen--;
	m.method = kg_put(b, mi->method.s, mi->method.len);
	rc = kg_build_kvs(b, mi->headers, mi->nheaders, true, rule, match,
			  &m.first_hdr, &m.nhdr);
	if (rc)
		return rc;
	rc = kg_build_kvs(b, mi->query, mi->nquery, false, rule, match,
			  &m.first_q, &m.nq);
	if (rc)
		return rc;
	if (b->t)
		KG_TBL(b->t, struct kg_mmatch, matches)[b->nmatches] = m;
	b->nmatches++;
	return 0;
}

static int kg_build_hdrmod(struct kg_mbuild *b, struct kg_mrule *r, u32 dir,
			   const struct kg_match_hdrmod_in *hm, u32 rule)
{
	const struct kg_match_kv_in *lists[2] = { hm->set, hm->add };
	u32 counts[2] = { hm->nset, hm->nadd };
	u32 op, i;

	for (op = 0; op < 2; op++) {
		if (counts[op] > KG_MATCH_KV_MAX || (counts[op] && !lists[op]))
			return kg_fail(b, "more than 16 header set or add entries",
				       rule, KG_MATCH_NONE, KG_MATCH_NONE);
		r->hdr_first[dir][op] = (u32)b->nkv;
		r->hdr_n[dir][op] = counts[op];
		for (i = 0; i < counts[op]; i++) {
			if (!kg_token_valid(&lists[op][i].name,
					    KG_MATCH_FIELD_MAX))
				return kg_fail(b, "invalid header name in a modifier",
					       rule, KG_MATCH_NONE, i);
			if (!kg_value_valid(&lists[op][i].value))
				return kg_fail(b, "invalid header value in a modifier",
					       rule, KG_MATCH_NONE, i);
			kg_put_kv(b, &lists[op][i].name, &lists[op][i].value);
		}
	}
	if (hm->nremove > KG_MATCH_KV_MAX || (hm->nremove && !hm->remove))
		return kg_fail(b, "more than 16 header remove entries", rule,
			       KG_MATCH_NONE, KG_MATCH_NONE);
	r->hdr_first[dir][KG_HDR_REMOVE] = (u32)b->nkv;
	r->hdr_n[dir][KG_HDR_REMOVE] = hm->nremove;
	for (i = 0; i < hm->nremove; i++) {
		if (!kg_token_valid(&hm->remove[i], KG_MATCH_FIELD_MAX))
			return kg_fail(b, "invalid header name in a modifier",
				       rule, KG_MATCH_NONE, i);
		kg_put_kv(b, &hm->remove[i], NULL);
	}
	return 0;
}

static int kg_build_pathmod(struct kg_mbuild *b, struct kg_mpmod *pm,
			    const struct kg_match_pathmod_in *in,
			    const struct kg_match_rule_in *ri, u32 rule)
{
	const char *why;
	u32 i;

	if (in->type > KG_PATHMOD_PREFIX)
		return kg_fail(b, "unknown path modifier", rule, KG_MATCH_NONE,
			       KG_MATCH_NONE);
	if (in->type == KG_PATHMOD_NONE)
		return 0;
	if (in->type == KG_PATHMOD_FULL || in->value.len) {
		why = kg_path_check(&in->value, false);
		if (why)
			return kg_fail(b, why, rule, KG_MATCH_NONE,
				       KG_MATCH_NONE);
	}
	for (i = 0; in->type == KG_PATHMOD_PREFIX && i < ri->nmatches; i++)
		if (ri->matches[i].path_type != KG_PATH_PREFIX)
			return kg_fail(b, "ReplacePrefixMatch needs PathPrefix matches only",
				       rule, i, KG_MATCH_NONE);
	pm->type = in->type;
	pm->value = kg_put(b, in->value.s, in->value.len);
	return 0;
}

static int kg_build_filters(struct kg_mbuild *b, struct kg_mrule *r,
			    const struct kg_match_rule_in *ri, u32 rule)
{
	const struct kg_match_redirect_in *rd = ri->redirect;
	const struct kg_match_rewrite_in *rw = ri->rewrite;
	const char *why;
	bool wild;
	int rc;

	if (ri->req_headers) {
		rc = kg_build_hdrmod(b, r, KG_HDR_REQUEST, ri->req_headers, rule);
		if (rc)
			return rc;
	}
	if (ri->resp_headers) {
		rc = kg_build_hdrmod(b, r, KG_HDR_RESPONSE, ri->resp_headers,
				     rule);
		if (rc)
			return rc;
	}
	if (rd) {
		if (rd->scheme.len &&
		    !kg_eq(rd->scheme.s, rd->scheme.len, "http", 4) &&
		    !kg_eq(rd->scheme.s, rd->scheme.len, "https", 5))
			return kg_fail(b, "redirect scheme is not http or https",
				       rule, KG_MATCH_NONE, KG_MATCH_NONE);
		if (rd->hostname.len) {
			why = kg_host_check(&rd->hostname, false, &wild);
			if (why)
				return kg_fail(b, why, rule, KG_MATCH_NONE,
					       KG_MATCH_NONE);
		}
		if (rd->port > 65535)
			return kg_fail(b, "redirect port out of range", rule,
				       KG_MATCH_NONE, KG_MATCH_NONE);
		if (rd->status && rd->status != 301 && rd->status != 302 &&
		    rd->status != 303 && rd->status != 307 && rd->status != 308)
			return kg_fail(b, "redirect status is not 301, 302, 303, 307 or 308",
				       rule, KG_MATCH_NONE, KG_MATCH_NONE);
		rc = kg_build_pathmod(b, &r->rd_path, &rd->path, ri, rule);
		if (rc)
			return rc;
		r->flags |= KG_RULE_REDIRECT;
		r->rd_scheme = kg_put(b, rd->scheme.s, rd->scheme.len);
		r->rd_host = kg_put(b, rd->hostname.s, rd->hostname.len);
		r->rd_port = rd->port;
		r->rd_status = rd->status ? rd->status : 302;
	}
	if (rw) {
		if (rw->hostname.len) {
			why = kg_host_check(&rw->hostname, false, &wild);
			if (why)
				return kg_fail(b, why, rule, KG_MATCH_NONE,
					       KG_MATCH_NONE);
		}
		rc = kg_build_pathmod(b, &r->rw_path, &rw->path, ri, rule);
		if (rc)
			return rc;
		r->flags |= KG_RULE_REWRITE;
		r->rw_host = kg_put(b, rw->hostname.s, rw->hostname.len);
	}
	return 0;
}

static int kg_build_rule(struct kg_mbuild *b, const struct kg_match_route_in *ro,
			 const struct kg_match_rule_in *ri, u32 rule)
{
	static const struct kg_match_match_in deflt = {
		.path_type = KG_PATH_PREFIX, .path = { "/", 1 },
	};
	bool gw = ro->kind == KG_ROUTE_HTTP;
	struct kg_mrule r = { .route = b->route, .index = rule };
	u32 rule_id = (u32)b->nrules, i;
	int rc;

	if (ri->nmatches > KG_MATCH_MATCHES_MAX ||
	    (ri->nmatches && !ri->matches))
		return kg_fail(b, "more than 64 matches", rule, KG_MATCH_NONE,
			       KG_MATCH_NONE);
	if (!gw && !ri->nmatches)
		return kg_fail(b, "empty path: an Ingress rule needs a path",
			       rule, KG_MATCH_NONE, KG_MATCH_NONE);
	if (ri->nbackends > KG_MATCH_BACKENDS_MAX ||
	    (ri->nbackends && !ri->backends))
		return kg_fail(b, "more than 16 backends", rule, KG_MATCH_NONE,
			       KG_MATCH_NONE);
	if (!gw && (ri->req_headers || ri->resp_headers || ri->redirect ||
		    ri->rewrite))
		return kg_fail(b, "filters are for HTTPRoute rules only", rule,
			       KG_MATCH_NONE, KG_MATCH_NONE);
	if (ri->redirect && ri->rewrite)
		return kg_fail(b, "RequestRedirect and URLRewrite cannot be combined",
			       rule, KG_MATCH_NONE, KG_MATCH_NONE);

	for (i = 0; i < ri->nmatches; i++) {
		rc = kg_build_match(b, ro, &ri->matches[i], rule, i, rule_id);
		if (rc)
			return rc;
	}
	if (!ri->nmatches) {
		rc = kg_build_match(b, ro, &deflt, rule, 0, rule_id);
		if (rc)
			return rc;
	}

	r.first_be = (u32)b->nbe;
	r.nbe = ri->nbackends;
	for (i = 0; i < ri->nbackends; i++) {
		const struct kg_match_backend_in *be = &ri->backends[i];

		if (be->weight > KG_MATCH_WEIGHT_MAX)
			return kg_fail(b, "backend weight out of range (0..1000000)",
				       rule, KG_MATCH_NONE, i);
		if (be->service == KG_MATCH_NONE)
			return kg_fail(b, "backend without a service", rule,
				       KG_MATCH_NONE, i);
		r.total += be->weight;
		if (b->t) {
			struct kg_mbe *m = KG_TBL(b->t, struct kg_mbe, be) +
					   b->nbe;

			m->service = be->service;
			m->weight = be->weight;
			m->cum = r.total;
		}
		b->nbe++;
	}

	rc = kg_build_filters(b, &r, ri, rule);
	if (rc)
		return rc;
	if (ro->rewrite_target.len) {
		r.flags |= KG_RULE_REWRITE;
		r.rw_path.type = KG_PATHMOD_FULL;
		r.rw_path.value = b->target;
	}
	if (b->t)
		KG_TBL(b->t, struct kg_mrule, rules)[rule_id] = r;
	b->nrules++;
	return 0;
}

static void kg_put_entry(struct kg_mbuild *b, u32 match, u32 hoff, u32 hlen,
			 u32 kind)
{
	if (b->t) {
		struct kg_mentry *e = KG_TBL(b->t, struct kg_mentry, entries) +
				      b->nentries;

		e->match = match;
		e->hoff = hoff;
		e->hlen = hlen;
		e->hkind = kind;
	}
	b->nentries++;
}

static int kg_build_route(struct kg_mbuild *b, const struct kg_match_route_in *ro)
{
	u32 i, j, first_match, nm, hoff;
	struct kg_mroute r;
	const char *why;
	bool wild;
	int rc;

	if (ro->kind > KG_ROUTE_HTTP)
		return kg_fail(b, "unknown route kind", KG_MATCH_NONE,
			       KG_MATCH_NONE, KG_MATCH_NONE);
	if (!ro->name.len || ro->name.len > KG_MATCH_NAME_MAX || !ro->name.s)
		return kg_fail(b, "route name empty or longer than 253 bytes",
			       KG_MATCH_NONE, KG_MATCH_NONE, KG_MATCH_NONE);
	for (i = 0; i < ro->name.len; i++)
		if (ro->name.s[i] <= ' ' || ro->name.s[i] > '~')
			return kg_fail(b, "route name not printable ASCII without space",
				       KG_MATCH_NONE, KG_MATCH_NONE,
				       KG_MATCH_NONE);
	if (ro->nhostnames > KG_MATCH_HOSTNAMES_MAX ||
	    (ro->nhostnames && !ro->hostnames))
		return kg_fail(b, "more than 64 hostnames", KG_MATCH_NONE,
			       KG_MATCH_NONE, KG_MATCH_NONE);
	if (ro->nrules > KG_MATCH_RULES_MAX || (ro->nrules && !ro->rules))
		return kg_fail(b, "more than 1024 rules", KG_MATCH_NONE,
			       KG_MATCH_NONE, KG_MATCH_NONE);
	for (i = 0; i < ro->nhostnames; i++) {
		why = kg_host_check(&ro->hostnames[i], true, &wild);
		if (why)
			return kg_fail(b, why, KG_MATCH_NONE, KG_MATCH_NONE, i);
	}
	if (ro->rewrite_target.len) {
		const struct kg_mstr *rt = &ro->rewrite_target;

		if (ro->kind != KG_ROUTE_INGRESS)
			return kg_fail(b, "rewrite-target is for Ingress routes only",
				       KG_MATCH_NONE, KG_MATCH_NONE,
				       KG_MATCH_NONE);
		for (i = 0; i + 1 < rt->len; i++)
			if (rt->s[i] == '$' && rt->s[i + 1] >= '0' &&
			    rt->s[i + 1] <= '9')
				break;
		if (i + 1 < rt->len)
			return kg_fail(b, KG_MSG_CAPTURE, KG_MATCH_NONE,
				       KG_MATCH_NONE, KG_MATCH_NONE);
		why = kg_path_check(rt, false);
		if (why)
			return kg_fail(b, why, KG_MATCH_NONE, KG_MATCH_NONE,
				       KG_MATCH_NONE);
	}

	/* Hostnames first and together: entries find them by offset. */
	hoff = (u32)b->nstr;
	for (i = 0; i < ro->nhostnames; i++)
		kg_put(b, ro->hostnames[i].s, ro->hostnames[i].len);
	r.order = ro->order;
	r.name = kg_put(b, ro->name.s, ro->name.len);
	r.kind = ro->kind;
	r.pad = 0;
	b->target = kg_put(b, ro->rewrite_target.s, ro->rewrite_target.len);
	if (b->t)
		KG_TBL(b->t, struct kg_mroute, routes)[b->route] = r;

	first_match = (u32)b->nmatches;
	for (i = 0; i < ro->nrules; i++) {
		rc = kg_build_rule(b, ro, &ro->rules[i], i);
		if (rc)
			return rc;
	}
	nm = (u32)b->nmatches - first_match;
	if (!ro->nhostnames)
		for (j = 0; j < nm; j++)
			kg_put_entry(b, first_match + j, 0, 0, KG_HK_ANY);
	for (i = 0; i < ro->nhostnames; i++) {
		u32 len = ro->hostnames[i].len;
		bool w = ro->hostnames[i].s[0] == '*';

		for (j = 0; j < nm; j++) {
			if (!w) {
				kg_put_entry(b, first_match + j, hoff, len,
					     KG_HK_EXACT);
				continue;
			}
			kg_put_entry(b, first_match + j, hoff + 2, len - 2,
				     KG_HK_WILD);
			if (ro->kind == KG_ROUTE_HTTP)
				kg_put_entry(b, first_match + j, hoff + 2,
					     len - 2, KG_HK_DEEP);
		}
		hoff += len;
	}
	return 0;
}

/* Walk the input: count (b->t NULL) or write. */
static int kg_build_walk(struct kg_mbuild *b)
{
	const struct kg_match_table_in *in = b->in;
	int rc;

	b->route = KG_MATCH_NONE;
	if (in->nroutes > KG_MATCH_ROUTES_MAX || (in->nroutes && !in->routes))
		return kg_fail(b, "more than 65536 routes", KG_MATCH_NONE,
			       KG_MATCH_NONE, KG_MATCH_NONE);
	for (b->route = 0; b->route < in->nroutes; b->route++) {
		rc = kg_build_route(b, &in->routes[b->route]);
		if (rc)
			return rc;
		kg_cond_resched();
	}
	return 0;
}

static u64 kg_align8(u64 x)
{
	return (x + 7) & ~7ULL;
}

/* Lay the table out in @t (which may be a local copy) from the counts. */
static int kg_layout(struct kg_mbuild *b, struct kg_match_table *t)
{
	u64 off = kg_align8(sizeof(*t));

	b->route = KG_MATCH_NONE;
	t->magic = KG_MATCH_MAGIC;
	t->nroutes = b->in->nroutes;
	t->nrules = (u32)b->nrules;
	t->nmatches = (u32)b->nmatches;
	t->nkv = (u32)b->nkv;
	t->nbe = (u32)b->nbe;
	t->nentries = (u32)b->nentries;
#define KG_LAY(name, n, type)					\
	do {							\
		t->off_##name = off > 0xffffffffULL ? 0 : (u32)off;	\
		off = kg_align8(off + (u64)(n) * sizeof(type));	\
	} while (0)
	KG_LAY(routes, b->in->nroutes, struct kg_mroute);
	KG_LAY(rules, b->nrules, struct kg_mrule);
	KG_LAY(matches, b->nmatches, struct kg_mmatch);
	KG_LAY(kv, b->nkv, struct kg_mkv);
	KG_LAY(be, b->nbe, struct kg_mbe);
	KG_LAY(entries, b->nentries, struct kg_mentry);
	KG_LAY(hosts, b->nentries, struct kg_mhost);
	KG_LAY(pkeys, b->nentries, struct kg_mpkey);
	KG_LAY(str, b->nstr, char);
#undef KG_LAY
	if (off > KG_MATCH_SIZE_MAX) {
		if (b->err) {
			b->err->msg = "compiled route table above 1 GiB";
			b->err->route = KG_MATCH_NONE;
			b->err->rule = KG_MATCH_NONE;
			b->err->match = KG_MATCH_NONE;
			b->err->item = KG_MATCH_NONE;
		}
		return -E2BIG;
	}
	t->size = (u32)off;
	return 0;
}

int kg_match_size(const struct kg_match_table_in *in, size_t *size,
		  struct kg_match_err *err)
{
	struct kg_mbuild b = { .in = in, .err = err };
	struct kg_match_table t = { 0 };
	int rc;

	rc = kg_build_walk(&b);
	if (!rc)
		rc = kg_layout(&b, &t);
	if (!rc)
		*size = t.size;
	return rc;
}

/* Precedence 2-7 of match.h between two matches of one path key. */
static int kg_prec_cmp(const struct kg_match_table *t,
		       const struct kg_mmatch *a, const struct kg_mmatch *b)
{
	const struct kg_mrule *rules = KG_CTBL(t, struct kg_mrule, rules);
	const struct kg_mroute *routes = KG_CTBL(t, struct kg_mroute, routes);
	const char *str = KG_CTBL(t, char, str);
	const struct kg_mrule *ra = &rules[a->rule], *rb = &rules[b->rule];
	const struct kg_mroute *oa = &routes[ra->route], *ob = &routes[rb->route];
	int c;

	if (a->path.len != b->path.len)
		return a->path.len > b->path.len ? -1 : 1;
	if (!a->method.len != !b->method.len)
		return a->method.len ? -1 : 1;
	if (a->nhdr != b->nhdr)
		return a->nhdr > b->nhdr ? -1 : 1;
	if (a->nq != b->nq)
		return a->nq > b->nq ? -1 : 1;
	if (oa->order != ob->order)
		return oa->order < ob->order ? -1 : 1;
	c = kg_bcmp(str + oa->name.off, oa->name.len, str + ob->name.off,
		    ob->name.len, false);
	if (c)
		return c;
	if (ra->route != rb->route)
		return ra->route < rb->route ? -1 : 1;
	if (ra->index != rb->index)
		return ra->index < rb->index ? -1 : 1;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return 0;
}

/* The entry order: host group, then path key, then precedence. */
static int kg_entry_cmp(const struct kg_match_table *t,
			const struct kg_mentry *a, const struct kg_mentry *b)
{
	const struct kg_mmatch *m = KG_CTBL(t, struct kg_mmatch, matches);
	const char *str = KG_CTBL(t, char, str);
	const struct kg_mmatch *ma = &m[a->match], *mb = &m[b->match];
	int c;

	if (a->hkind != b->hkind)
		return a->hkind < b->hkind ? -1 : 1;
	c = kg_bcmp(str + a->hoff, a->hlen, str + b->hoff, b->hlen, false);
	if (c)
		return c;
	if (ma->exact != mb->exact)
		return ma->exact ? -1 : 1;
	c = kg_bcmp(str + ma->path.off, ma->normlen, str + mb->path.off,
		    mb->normlen, false);
	if (c)
		return c;
	return kg_prec_cmp(t, ma, mb);
}

static void kg_entry_swap(struct kg_mentry *e, u32 i, u32 j)
{
	struct kg_mentry x = e[i];

	e[i] = e[j];
	e[j] = x;
}

static void kg_sift_down(const struct kg_match_table *t, struct kg_mentry *e,
			 u32 root, u32 n)
{
	u32 child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && kg_entry_cmp(t, &e[child], &e[child + 1]) < 0)
			child++;
		if (kg_entry_cmp(t, &e[root], &e[child]) >= 0)
			return;
		kg_entry_swap(e, root, child);
		root = child;
	}
}

static void kg_sort_entries(struct kg_match_table *t)
{
	struct kg_mentry *e = KG_TBL(t, struct kg_mentry, entries);
	u32 n = t->nentries, i;

	for (i = n / 2; i-- > 0;)
		kg_sift_down(t, e, i, n);
	for (i = n; i-- > 1;) {
		kg_entry_swap(e, 0, i);
		kg_sift_down(t, e, 0, i);
		if (!(i & 0xfff))
			kg_cond_resched();
	}
}

/* Host groups and path keys from the runs of the sorted entries. */
static void kg_index(struct kg_match_table *t)
{
	const struct kg_mmatch *m = KG_CTBL(t, struct kg_mmatch, matches);
	const struct kg_mentry *e = KG_CTBL(t, struct kg_mentry, entries);
	struct kg_mhost *h = KG_TBL(t, struct kg_mhost, hosts);
	struct kg_mpkey *p = KG_TBL(t, struct kg_mpkey, pkeys);
	const char *str = KG_CTBL(t, char, str);
	u32 i, k;

	for (k = 0; k < KG_HK_NR; k++)
		t->host_first[k] = 0;
	t->nhosts = 0;
	t->npkeys = 0;
	for (i = 0; i < t->nentries; i++) {
		const struct kg_mmatch *mi = &m[e[i].match];
		bool new_host = !i || e[i].hkind != e[i - 1].hkind ||
			kg_bcmp(str + e[i].hoff, e[i].hlen,
				str + e[i - 1].hoff, e[i - 1].hlen, false);

		if (new_host) {
			if (!t->host_n[e[i].hkind])
				t->host_first[e[i].hkind] = t->nhosts;
			t->host_n[e[i].hkind]++;
			h[t->nhosts].key.off = e[i].hoff;
			h[t->nhosts].key.len = e[i].hlen;
			h[t->nhosts].first_pkey = t->npkeys;
			h[t->nhosts].npkeys = 0;
			t->nhosts++;
		}
		if (new_host || mi->exact != m[e[i - 1].match].exact ||
		    kg_bcmp(str + mi->path.off, mi->normlen,
			    str + m[e[i - 1].match].path.off,
			    m[e[i - 1].match].normlen, false)) {
			p[t->npkeys].key.off = mi->path.off;
			p[t->npkeys].key.len = mi->normlen;
			p[t->npkeys].exact = mi->exact;
			p[t->npkeys].first = i;
			p[t->npkeys].count = 0;
			h[t->nhosts - 1].npkeys++;
			t->npkeys++;
		}
		p[t->npkeys - 1].count++;
	}
}

int kg_match_build(const struct kg_match_table_in *in, void *buf, size_t size,
		   struct kg_match_err *err)
{
	struct kg_mbuild b = { .in = in, .err = err };
	struct kg_match_table lay = { 0 }, *t = buf;
	u32 k;
	int rc;

	rc = kg_build_walk(&b);
	if (!rc)
		rc = kg_layout(&b, &lay);
	if (rc)
		return rc;
	if (size < lay.size)
		return -ENOSPC;
	*t = lay;
	for (k = 0; k < KG_HK_NR; k++)
		t->host_n[k] = 0;
	t->default_backend = in->default_backend;
	b = (struct kg_mbuild){ .in = in, .t = t, .err = err };
	rc = kg_build_walk(&b);
	if (rc) {
		t->magic = 0;
		return rc;
	}
	kg_sort_entries(t);
	kg_index(t);
	return 0;
}

/* ---- lookup -------------------------------------------------------------- */

struct kg_mreq {
	const struct kg_match_req *req;
	const char *path;
	u32 plen;
	const char *query;
	u32 qlen;
	struct kg_match_result *res;
};

/* The host group of @kind and key @h (lowercased), or KG_MATCH_NONE. */
static u32 kg_find_host(const struct kg_match_table *t, u32 kind,
			const char *h, u32 len, u32 *probes)
{
	const struct kg_mhost *hosts = KG_CTBL(t, struct kg_mhost, hosts);
	const char *str = KG_CTBL(t, char, str);
	u32 lo = t->host_first[kind], hi = lo + t->host_n[kind];

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = kg_bcmp(str + hosts[mid].key.off, hosts[mid].key.len,
				h, len, true);

		(*probes)++;
		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return KG_MATCH_NONE;
}

static const struct kg_mpkey *kg_find_pkey(const struct kg_match_table *t,
					   const struct kg_mhost *h, u32 exact,
					   const char *path, u32 len,
					   u32 *probes)
{
	const struct kg_mpkey *p = KG_CTBL(t, struct kg_mpkey, pkeys);
	const char *str = KG_CTBL(t, char, str);
	u32 lo = h->first_pkey, hi = lo + h->npkeys;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c;

		(*probes)++;
		if (p[mid].exact != exact)
			c = p[mid].exact ? -1 : 1;
		else
			c = kg_bcmp(str + p[mid].key.off, p[mid].key.len,
				    path, len, false);
		if (!c)
			return &p[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Does the query have parameter @name with value @val (any occurrence)? */
static bool kg_query_has(const char *q, u32 qlen, const char *name, u32 nlen,
			 const char *val, u32 vlen)
{
	u32 i = 0;

	while (i <= qlen) {
		u32 start = i, eq = KG_MATCH_NONE;

		while (i < qlen && q[i] != '&') {
			if (q[i] == '=' && eq == KG_MATCH_NONE)
				eq = i;
			i++;
		}
		if (eq == KG_MATCH_NONE) {
			if (kg_eq(q + start, i - start, name, nlen) && !vlen)
				return true;
		} else if (kg_eq(q + start, eq - start, name, nlen) &&
			   kg_eq(q + eq + 1, i - eq - 1, val, vlen)) {
			return true;
		}
		i++;
	}
	return false;
}

static bool kg_cand_ok(const struct kg_match_table *t,
		       const struct kg_mmatch *m, const struct kg_mreq *mr)
{
	const struct kg_mkv *kv = KG_CTBL(t, struct kg_mkv, kv);
	const char *str = KG_CTBL(t, char, str);
	const struct kg_match_req *req = mr->req;
	u32 i, j;

	if (m->method.len && !kg_eq(str + m->method.off, m->method.len,
				    req->method, req->method_len))
		return false;
	for (i = 0; i < m->nhdr; i++) {
		const struct kg_mkv *h = &kv[m->first_hdr + i];

		for (j = 0; j < req->nfields; j++) {
			const struct kg_match_field *f = &req->fields[j];

			if (kg_eq_nocase(str + h->name.off, h->name.len,
					 f->name, f->name_len) &&
			    kg_eq(str + h->value.off, h->value.len, f->value,
				  f->value_len))
				break;
		}
		if (j == req->nfields)
			return false;
	}
	for (i = 0; i < m->nq; i++) {
		const struct kg_mkv *q = &kv[m->first_q + i];

		if (!kg_query_has(mr->query, mr->qlen, str + q->name.off,
				  q->name.len, str + q->value.off,
				  q->value.len))
			return false;
	}
	return true;
}

static bool kg_try_pkey(const struct kg_match_table *t,
			const struct kg_mpkey *pk, struct kg_mreq *mr)
{
	const struct kg_mentry *e = KG_CTBL(t, struct kg_mentry, entries);
	const struct kg_mmatch *m = KG_CTBL(t, struct kg_mmatch, matches);
	const struct kg_mrule *rules = KG_CTBL(t, struct kg_mrule, rules);
	u32 i;

	if (!pk)
		return false;
	for (i = 0; i < pk->count; i++) {
		const struct kg_mmatch *mm = &m[e[pk->first + i].match];

		mr->res->probes++;
		if (!kg_cand_ok(t, mm, mr))
			continue;
		mr->res->route = rules[mm->rule].route;
		mr->res->rule = rules[mm->rule].index;
		mr->res->match = mm->index;
		mr->res->rule_id = mm->rule;
		mr->res->matched_len = mm->normlen;
		return true;
	}
	return false;
}

static bool kg_try_group(const struct kg_match_table *t, u32 group,
			 struct kg_mreq *mr)
{
	const struct kg_mhost *h;
	u32 *probes = &mr->res->probes;
	u32 len;

	if (group == KG_MATCH_NONE)
		return false;
	h = &KG_CTBL(t, struct kg_mhost, hosts)[group];
	if (kg_try_pkey(t, kg_find_pkey(t, h, 1, mr->path, mr->plen, probes),
			mr))
		return true;
	for (len = mr->plen + 1; len-- > 0;) {
		if (len != mr->plen && mr->path[len] != '/')
			continue;
		if (kg_try_pkey(t, kg_find_pkey(t, h, 0, mr->path, len, probes),
				mr))
			return true;
	}
	return false;
}

int kg_match_lookup(const struct kg_match_table *t,
		    const struct kg_match_req *req,
		    struct kg_match_result *res)
{
	struct kg_mreq mr = { .req = req, .res = res, .query = "" };
	const char *host = req->host;
	u32 hlen = kg_host_strip(req->host, req->host_len), i, dots = 0;

	res->probes = 0;
	mr.path = req->target;
	for (mr.plen = 0; mr.plen < req->target_len; mr.plen++)
		if (req->target[mr.plen] == '?')
			break;
	if (mr.plen < req->target_len) {
		mr.query = req->target + mr.plen + 1;
		mr.qlen = req->target_len - mr.plen - 1;
	}
	if (!mr.plen || mr.path[0] != '/')
		return -ENOENT;

	if (hlen) {
		if (kg_try_group(t, kg_find_host(t, KG_HK_EXACT, host, hlen,
						 &res->probes), &mr))
			return 0;
		/* Wildcards: the host minus its first label, then deeper. */
		for (i = 0; i + 1 < hlen; i++) {
			if (host[i] != '.')
				continue;
			if (i && kg_try_group(t, kg_find_host(t, dots ?
							      KG_HK_DEEP :
							      KG_HK_WILD,
							      host + i + 1,
							      hlen - i - 1,
							      &res->probes),
					      &mr))
				return 0;
			dots++;
		}
	}
	if (t->host_n[KG_HK_ANY] &&
	    kg_try_group(t, t->host_first[KG_HK_ANY], &mr))
		return 0;
	return -ENOENT;
}

u32 kg_match_default_backend(const struct kg_match_table *t)
{
	return t->default_backend;
}

/* ---- filters ------------------------------------------------------------- */

struct kg_mout {
	char *p;
	u32 cap;
	u32 len;
	bool over;
};

static void kg_emit(struct kg_mout *o, const char *s, u32 n)
{
	if (o->over || n > o->cap - o->len) {
		o->over = true;
		return;
	}
	kg_copy(o->p + o->len, s, n);
	o->len += n;
}

static void kg_emit_u32(struct kg_mout *o, u32 v)
{
	char d[10];
	u32 n = 0;

	do {
		d[sizeof(d) - 1 - n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	kg_emit(o, d + sizeof(d) - n, n);
}

int kg_match_replace_path(u32 type, const char *val, u32 val_len,
			  u32 matched_len, const char *target, u32 target_len,
			  char *out, u32 cap)
{
	struct kg_mout o = { out, cap, 0, false };
	u32 plen, start;

	for (plen = 0; plen < target_len; plen++)
		if (target[plen] == '?')
			break;
	if (type == KG_PATHMOD_FULL) {
		kg_emit(&o, val, val_len);
		if (!val_len)
			kg_emit(&o, "/", 1);
	} else if (type == KG_PATHMOD_PREFIX) {
		if (matched_len > plen)
			matched_len = plen;
		/* The rest starts with "/": do not double the separator. */
		if (matched_len < plen && val_len && val[val_len - 1] == '/')
			val_len--;
		kg_emit(&o, val, val_len);
		kg_emit(&o, target + matched_len, plen - matched_len);
		if (!val_len && matched_len == plen)
			kg_emit(&o, "/", 1);
	} else {
		kg_emit(&o, target, plen);
	}
	start = plen;
	kg_emit(&o, target + start, target_len - start);
	return o.over ? -ENOSPC : (int)o.len;
}

static const struct kg_mrule *kg_rule(const struct kg_match_table *t,
				      u32 rule_id)
{
	return &KG_CTBL(t, struct kg_mrule, rules)[rule_id];
}

int kg_match_rewrite_path(const struct kg_match_table *t,
			  const struct kg_match_result *res,
			  const char *target, u32 target_len,
			  char *out, u32 cap)
{
	const struct kg_mrule *r = kg_rule(t, res->rule_id);
	const char *str = KG_CTBL(t, char, str);
	u32 type = r->flags & KG_RULE_REWRITE ? r->rw_path.type :
		   KG_PATHMOD_NONE;

	return kg_match_replace_path(type, str + r->rw_path.value.off,
				     r->rw_path.value.len, res->matched_len,
				     target, target_len, out, cap);
}

bool kg_match_rewrite_host(const struct kg_match_table *t, u32 rule_id,
			   const char **host, u32 *len)
{
	const struct kg_mrule *r = kg_rule(t, rule_id);

	if (!(r->flags & KG_RULE_REWRITE) || !r->rw_host.len)
		return false;
	*host = KG_CTBL(t, char, str) + r->rw_host.off;
	*len = r->rw_host.len;
	return true;
}

bool kg_match_is_redirect(const struct kg_match_table *t, u32 rule_id)
{
	return kg_rule(t, rule_id)->flags & KG_RULE_REDIRECT;
}

int kg_match_redirect(const struct kg_match_table *t,
		      const struct kg_match_result *res,
		      const struct kg_match_redirect_req *rq,
		      char *out, u32 cap, u32 *status)
{
	const struct kg_mrule *r = kg_rule(t, res->rule_id);
	const char *str = KG_CTBL(t, char, str);
	struct kg_mout o = { out, cap, 0, false };
	const char *scheme = rq->scheme, *host = rq->host;
	u32 slen = rq->scheme_len, hlen, port, dflt = 0;
	int n;

	if (!(r->flags & KG_RULE_REDIRECT))
		return -ENOENT;
	hlen = kg_host_strip(rq->host, rq->host_len);
	if (r->rd_scheme.len) {
		scheme = str + r->rd_scheme.off;
		slen = r->rd_scheme.len;
	}
	if (r->rd_host.len) {
		host = str + r->rd_host.off;
		hlen = r->rd_host.len;
	}
	if (kg_eq(scheme, slen, "http", 4))
		dflt = 80;
	else if (kg_eq(scheme, slen, "https", 5))
		dflt = 443;
	if (r->rd_port)
		port = r->rd_port;
	else if (r->rd_scheme.len)
		port = dflt;
	else
		port = rq->listener_port;

	kg_emit(&o, scheme, slen);
	kg_emit(&o, "://", 3);
	kg_emit(&o, host, hlen);
	if (port && port != dflt) {
		kg_emit(&o, ":", 1);
		kg_emit_u32(&o, port);
	}
	if (o.over)
		return -ENOSPC;
	n = kg_match_replace_path(r->rd_path.type, str + r->rd_path.value.off,
				  r->rd_path.value.len, res->matched_len,
				  rq->target, rq->target_len, out + o.len,
				  cap - o.len);
	if (n < 0)
		return n;
	*status = r->rd_status;
	return (int)o.len + n;
}

int kg_match_pick_backend(const struct kg_match_table *t, u32 rule_id,
			  u32 hash)
{
	const struct kg_mrule *r = kg_rule(t, rule_id);
	const struct kg_mbe *be = KG_CTBL(t, struct kg_mbe, be) + r->first_be;
	u32 x, i;

	if (!r->nbe)
		return KG_MATCH_PICK_404;
	if (!r->total)
		return KG_MATCH_PICK_500;
	/* Scale the hash to 0..total-1: each backend owns weight/total of it. */
	x = (u32)(((u64)hash * r->total) >> 32);
	for (i = 0; i < r->nbe; i++)
		if (be[i].cum > x)
			return (int)i;
	return KG_MATCH_PICK_500;	/* not reached */
}

u32 kg_match_backend_service(const struct kg_match_table *t, u32 rule_id,
			     u32 index)
{
	const struct kg_mrule *r = kg_rule(t, rule_id);

	if (index >= r->nbe)
		return KG_MATCH_NONE;
	return KG_CTBL(t, struct kg_mbe, be)[r->first_be + index].service;
}

u32 kg_match_hdr_count(const struct kg_match_table *t, u32 rule_id,
		       u32 dir, u32 op)
{
	if (dir > KG_HDR_RESPONSE || op > KG_HDR_REMOVE)
		return 0;
	return kg_rule(t, rule_id)->hdr_n[dir][op];
}

void kg_match_hdr_get(const struct kg_match_table *t, u32 rule_id, u32 dir,
		      u32 op, u32 i, const char **name, u32 *name_len,
		      const char **value, u32 *value_len)
{
	const struct kg_mrule *r = kg_rule(t, rule_id);
	const struct kg_mkv *kv = KG_CTBL(t, struct kg_mkv, kv) +
				  r->hdr_first[dir][op] + i;
	const char *str = KG_CTBL(t, char, str);

	*name = str + kv->name.off;
	*name_len = kv->name.len;
	*value = str + kv->value.off;
	*value_len = kv->value.len;
}

bool kg_match_hdr_drop(const struct kg_match_table *t, u32 rule_id, u32 dir,
		       const char *name, u32 name_len)
{
	static const u32 ops[2] = { KG_HDR_SET, KG_HDR_REMOVE };
	const struct kg_mrule *r = kg_rule(t, rule_id);
	const struct kg_mkv *kv = KG_CTBL(t, struct kg_mkv, kv);
	const char *str = KG_CTBL(t, char, str);
	u32 k, i;

	if (dir > KG_HDR_RESPONSE)
		return false;
	for (k = 0; k < 2; k++)
		for (i = 0; i < r->hdr_n[dir][ops[k]]; i++) {
			const struct kg_mkv *e = &kv[r->hdr_first[dir][ops[k]] + i];

			if (kg_eq_nocase(str + e->name.off, e->name.len, name,
					 name_len))
				return true;
		}
	return false;
}

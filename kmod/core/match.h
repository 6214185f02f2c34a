/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The route matcher of the HTTP reverse proxy: Kubernetes Ingress and
 * Gateway API HTTPRoute semantics, compiled into one flat table per
 * listener, then looked up once per request.
 *
 * Input: plain structs (struct kg_match_table_in below) that the netlink
 * parser fills.  kg_match_size() validates them and says how many bytes the
 * compiled table needs; kg_match_build() validates again and compiles into
 * a caller-provided buffer of that size (aligned for a u64: kmalloc and
 * malloc memory is).  The table holds copies of every string and only
 * offsets into itself: the input may be freed after the build, and the
 * table may be copied or moved as a block.  No allocation, no recursion, no
 * global state; a built table is read-only, so lookups need no lock.
 *
 * Model.  A route (an Ingress, after the netlink layer has split it by
 * host, or an HTTPRoute) has hostnames, or none (any host), and rules.  A
 * rule has matches (Ingress: each path is a rule with one match) and
 * backends, and optionally filters.  An HTTPRoute rule without matches
 * gets the spec's default: PathPrefix "/".
 *
 * Matching, per (route hostname, match):
 *   - host: compared case-insensitively, any ":port" of the Host field
 *     ignored.  "foo.com" matches only "foo.com".  An Ingress "*.foo.com"
 *     matches one more label ("bar.foo.com", not "baz.bar.foo.com", not
 *     "foo.com"); an HTTPRoute "*.foo.com" matches one or more labels
 *     ("bar.foo.com" and "baz.bar.foo.com", not "foo.com").  A route
 *     without hostnames matches every host, and a request without Host.
 *   - path (the request target up to '?', compared case-sensitively, as
 *     sent: normalising dot-segments and percent-encoding is the HTTP
 *     layer's job; a path not starting with "/" matches nothing):
 *     Exact is string equality.  Prefix (Ingress Prefix, HTTPRoute
 *     PathPrefix, Ingress ImplementationSpecific) is element-wise: rule
 *     "/foo" (or "/foo/": one trailing "/" is ignored) matches "/foo",
 *     "/foo/", "/foo/bar", not "/foobar"; rule "/" matches every path.
 *   - method: exact, case-sensitive; headers: name case-insensitive, value
 *     exact, any field line of that name may match; query parameters
 *     (after '?', split on '&', "name" alone has the value ""): name and
 *     value exact, not percent-decoded, any occurrence may match.  A
 *     match's repeated header (or parameter) names count once, the first
 *     one is used (as the spec says).
 *
 * Precedence: of all (route hostname, match) pairs that match a request,
 * the first in this order wins (the same order for Ingress, HTTPRoute and a
 * mix of both on one listener):
 *   1. hostname: exact, then wildcards by the length of the matching
 *      suffix, longest first (an Ingress and an HTTPRoute "*.foo.com" tie),
 *      then routes without hostnames;
 *   2. path: the longest, where an Exact path counts its length and a
 *      Prefix its length without the trailing "/"; at equal length Exact
 *      before Prefix, then the Prefix with more characters ("/foo/" before
 *      "/foo").  This is the Ingress rule (longest, then Exact), and equals
 *      the Gateway API's (Exact, then the longest PathPrefix): an Exact
 *      path that matches is at least as long as any Prefix that does;
 *   3. a method match before none;
 *   4. more header matches first;
 *   5. more query parameter matches first;
 *   6. the older route (smaller @order), then the route name, bytewise
 *      ("namespace/name"), then the route's index in the input;
 *   7. within a route, the rule's index, then the match's index.
 * A rule that does not match does not take part: a request to an exact
 * host whose routes have no matching path goes on to the wildcard and
 * host-less routes.  No match at all: kg_match_lookup() says -ENOENT, and
 * the caller sends the listener's default backend, or 404.
 *
 * Structure and cost (n = (hostname, match) pairs, d = '/' in the path,
 * l = labels in the host, c = candidates of one path, i.e. the pairs of
 * one host and one path key, which differ in method, headers, query):
 *   - host groups: three sorted arrays of (kind, host key) (exact
 *     hostnames, wildcard suffixes, and the HTTPRoute wildcard suffixes
 *     again for deeper hosts), plus the group of host-less routes;
 *   - per group, a sorted array of (Exact or Prefix, path key); each key
 *     owns a run of candidates already in precedence order 2-7.
 * A lookup binary-searches at most 1 + l + 1 groups, in each the Exact key
 * and then a Prefix key at each element boundary from the longest down,
 * and evaluates method, headers and query on the candidates of a key until
 * one matches: O((l + 2) * (d + 2) * log n + c) comparisons.  The first
 * group with a matching candidate ends the lookup.  Build: O(n log n)
 * (heapsort, in place).
 */
#ifndef _KGATE_CORE_MATCH_H
#define _KGATE_CORE_MATCH_H

#include "port.h"

/* "No index", in struct kg_match_err and as a service index. */
#define KG_MATCH_NONE		0xffffffffU

/* Limits of the input (the Gateway API's own where it has them). */
#define KG_MATCH_ROUTES_MAX	65536	/* per table */
#define KG_MATCH_HOSTNAMES_MAX	64	/* per route */
#define KG_MATCH_RULES_MAX	1024	/* per route (Ingress paths) */
#define KG_MATCH_MATCHES_MAX	64	/* per rule */
#define KG_MATCH_KV_MAX		16	/* headers, params, set/add/remove */
#define KG_MATCH_BACKENDS_MAX	16	/* per rule */
#define KG_MATCH_WEIGHT_MAX	1000000	/* a backendRef's weight */
#define KG_MATCH_NAME_MAX	253	/* route names, hostnames */
#define KG_MATCH_PATH_MAX	4096	/* paths, rewrite targets */
#define KG_MATCH_FIELD_MAX	256	/* header and parameter names */
#define KG_MATCH_VALUE_MAX	4096	/* header and parameter values */
#define KG_MATCH_METHOD_MAX	32
#define KG_MATCH_SIZE_MAX	0x40000000U	/* compiled table, bytes */

enum kg_route_kind {
	KG_ROUTE_INGRESS,
	KG_ROUTE_HTTP,		/* Gateway API HTTPRoute */
};

enum kg_path_type {
	KG_PATH_PREFIX,		/* Ingress Prefix, HTTPRoute PathPrefix */
	KG_PATH_EXACT,
	KG_PATH_IMPL,		/* Ingress ImplementationSpecific: as Prefix */
};

enum kg_pathmod_type {
	KG_PATHMOD_NONE,
	KG_PATHMOD_FULL,	/* ReplaceFullPath */
	KG_PATHMOD_PREFIX,	/* ReplacePrefixMatch */
};

/* A string of the input: @len bytes at @s, no NUL needed. */
struct kg_mstr {
	const char *s;
	u32 len;
};

struct kg_match_kv_in {
	struct kg_mstr name;
	struct kg_mstr value;
};

struct kg_match_match_in {
	u32 path_type;			/* enum kg_path_type */
	struct kg_mstr path;
	struct kg_mstr method;		/* len 0: any method */
	const struct kg_match_kv_in *headers;
	u32 nheaders;
	const struct kg_match_kv_in *query;
	u32 nquery;
};

struct kg_match_backend_in {
	u32 service;			/* the caller's service index */
	u32 weight;			/* 0..KG_MATCH_WEIGHT_MAX */
};

/* RequestHeaderModifier / ResponseHeaderModifier. */
struct kg_match_hdrmod_in {
	const struct kg_match_kv_in *set;
	u32 nset;
	const struct kg_match_kv_in *add;
	u32 nadd;
	const struct kg_mstr *remove;
	u32 nremove;
};

struct kg_match_pathmod_in {
	u32 type;			/* enum kg_pathmod_type */
	struct kg_mstr value;		/* FULL: a path; PREFIX: "" or a path */
};

struct kg_match_redirect_in {
	struct kg_mstr scheme;		/* "http", "https", or "": the request's */
	struct kg_mstr hostname;	/* "": the request's */
	u32 port;			/* 0: see kg_match_redirect() */
	struct kg_match_pathmod_in path;
	u32 status;			/* 301, 302, 303, 307, 308; 0: 302 */
};

struct kg_match_rewrite_in {
	struct kg_mstr hostname;	/* "": unchanged */
	struct kg_match_pathmod_in path;
};

struct kg_match_rule_in {
	const struct kg_match_match_in *matches;
	u32 nmatches;
	const struct kg_match_backend_in *backends;
	u32 nbackends;
	/* Filters, HTTPRoute only; NULL: absent. */
	const struct kg_match_hdrmod_in *req_headers;
	const struct kg_match_hdrmod_in *resp_headers;
	const struct kg_match_redirect_in *redirect;
	const struct kg_match_rewrite_in *rewrite;
};

struct kg_match_route_in {
	u32 kind;			/* enum kg_route_kind */
	struct kg_mstr name;		/* "namespace/name", printable, no space */
	u64 order;			/* creation order: smaller is older */
	const struct kg_mstr *hostnames;
	u32 nhostnames;
	const struct kg_match_rule_in *rules;
	u32 nrules;
	/*
	 * Ingress only: ingress-nginx's rewrite-target annotation, a fixed
	 * path that replaces the whole path of every request of the route
	 * (the query is kept).  Capture groups ("$1") need regex paths, which
	 * kgate does not do: both are refused.  len 0: none.
	 */
	struct kg_mstr rewrite_target;
};

struct kg_match_table_in {
	const struct kg_match_route_in *routes;
	u32 nroutes;
	u32 default_backend;		/* service index, or KG_MATCH_NONE */
};

/*
 * Why the input was refused: a fixed message, and the indexes of the
 * route, rule (in the route), match (in the rule) and item (hostname,
 * header, parameter, backend, modifier entry) it names, KG_MATCH_NONE
 * where that does not apply.
 */
struct kg_match_err {
	const char *msg;
	u32 route;
	u32 rule;
	u32 match;
	u32 item;
};

struct kg_match_table;

/*
 * Validate @in and store in @size the bytes kg_match_build() needs.  0, or
 * -EINVAL (invalid input), -E2BIG (table above KG_MATCH_SIZE_MAX), with
 * @err filled (if not NULL).
 */
int kg_match_size(const struct kg_match_table_in *in, size_t *size,
		  struct kg_match_err *err);

/*
 * Compile @in into @buf (@size bytes, at least what kg_match_size() said;
 * u64-aligned).  0, or the errors of kg_match_size(), or -ENOSPC.  The
 * table is then kg_match_table(@buf).
 */
int kg_match_build(const struct kg_match_table_in *in, void *buf, size_t size,
		   struct kg_match_err *err);

static inline const struct kg_match_table *kg_match_table(const void *buf)
{
	return buf;
}

/* A request field line, as the HTTP parser has it. */
struct kg_match_field {
	const char *name;
	u32 name_len;
	const char *value;
	u32 value_len;
};

struct kg_match_req {
	const char *host;		/* the Host field (":port" is ignored) */
	u32 host_len;			/* 0: no Host */
	const char *target;		/* origin-form: path, then "?query" */
	u32 target_len;
	const char *method;
	u32 method_len;
	const struct kg_match_field *fields;
	u32 nfields;
};

struct kg_match_result {
	u32 route;		/* index in the input's routes */
	u32 rule;		/* index in that route's rules */
	u32 match;		/* index in the rule's matches (0: implicit) */
	u32 rule_id;		/* the rule, for the functions below */
	u32 matched_len;	/* path bytes the match covered (see below) */
	u32 probes;		/* binary-search steps + candidates tried */
};

/*
 * The rule for @req: 0 and @res filled, or -ENOENT (no route matches: the
 * default backend, else 404).  @res->matched_len is the path's length for
 * Exact, the Prefix's length without its trailing "/" (0 for "/").
 */
int kg_match_lookup(const struct kg_match_table *t,
		    const struct kg_match_req *req,
		    struct kg_match_result *res);

/* The listener's default backend (a service index) or KG_MATCH_NONE. */
u32 kg_match_default_backend(const struct kg_match_table *t);

/*
 * Apply a path modifier to @target (path and "?query"; the query is kept)
 * into @out (@cap bytes, no NUL written): FULL replaces the path with
 * @val, PREFIX replaces the first @matched_len bytes of the path (an
 * element-wise prefix) with @val, as the Gateway API's table says (a
 * trailing "/" of @val is dropped when the rest of the path follows, an
 * empty result is "/"); NONE copies.  The new length, or -ENOSPC.
 */
int kg_match_replace_path(u32 type, const char *val, u32 val_len,
			  u32 matched_len, const char *target, u32 target_len,
			  char *out, u32 cap);

/*
 * The path to forward for the rule of @res: its URLRewrite path modifier
 * or its route's rewrite-target, else @target unchanged.  As above.
 */
int kg_match_rewrite_path(const struct kg_match_table *t,
			  const struct kg_match_result *res,
			  const char *target, u32 target_len,
			  char *out, u32 cap);

/* The URLRewrite hostname of @rule_id: true and @host, @len set, or false. */
bool kg_match_rewrite_host(const struct kg_match_table *t, u32 rule_id,
			   const char **host, u32 *len);

/* True if @rule_id answers with a RequestRedirect. */
bool kg_match_is_redirect(const struct kg_match_table *t, u32 rule_id);

/* What kg_match_redirect() needs of the request and the listener. */
struct kg_match_redirect_req {
	const char *scheme;		/* "http" or "https" */
	u32 scheme_len;
	const char *host;		/* the Host field (":port" is dropped) */
	u32 host_len;
	u32 listener_port;
	const char *target;		/* path and "?query" */
	u32 target_len;
};

/*
 * The Location of the redirect of @res's rule into @out (@cap bytes, no NUL
 * written), "scheme://host[:port]path[?query]", and its status in @status.
 * Scheme and host: the filter's, else the request's.  Port: the filter's;
 * else 80 / 443 if the filter names a scheme; else the listener's; left out
 * when it is the scheme's default (http 80, https 443).  Path: the filter's
 * modifier applied as kg_match_replace_path() does.  The length, -ENOENT
 * (the rule has no redirect) or -ENOSPC.
 */
int kg_match_redirect(const struct kg_match_table *t,
		      const struct kg_match_result *res,
		      const struct kg_match_redirect_req *rq,
		      char *out, u32 cap, u32 *status);

/* kg_match_pick_backend() when there is no backend to send to. */
#define KG_MATCH_PICK_404	(-1)	/* the rule has no backends */
#define KG_MATCH_PICK_500	(-2)	/* every weight is 0 */

/*
 * A backend of @rule_id for a request hash, in proportion to the weights:
 * the index in the rule's backends (its service from
 * kg_match_backend_service()), or KG_MATCH_PICK_404 / _500.  A backend of
 * weight 0 is never chosen.
 */
int kg_match_pick_backend(const struct kg_match_table *t, u32 rule_id,
			  u32 hash);
u32 kg_match_backend_service(const struct kg_match_table *t, u32 rule_id,
			     u32 index);

/* Header modifiers: @dir and @op of the functions below. */
enum kg_hdr_dir { KG_HDR_REQUEST, KG_HDR_RESPONSE };
enum kg_hdr_op { KG_HDR_SET, KG_HDR_ADD, KG_HDR_REMOVE };

/*
 * Applying a modifier: drop each field line for which kg_match_hdr_drop()
 * says true (its name is in set or remove), then append the set entries,
 * then the add entries (an add appends to existing values, as the spec's
 * example does, as one more field line of that name).
 */
u32 kg_match_hdr_count(const struct kg_match_table *t, u32 rule_id,
		       u32 dir, u32 op);
void kg_match_hdr_get(const struct kg_match_table *t, u32 rule_id, u32 dir,
		      u32 op, u32 i, const char **name, u32 *name_len,
		      const char **value, u32 *value_len);
bool kg_match_hdr_drop(const struct kg_match_table *t, u32 rule_id, u32 dir,
		       const char *name, u32 name_len);

#endif /* _KGATE_CORE_MATCH_H */

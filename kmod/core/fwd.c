// SPDX-License-Identifier: GPL-2.0
/*
 * The heads the proxy sends (see fwd.h): written through a bounded output
 * that stops at the first piece that does not fit, so that no function has
 * to compute a length before writing, and none can write past @cap.
 */
#include "fwd.h"

/* Results are ints: longer output is -ENOSPC, whatever @cap says. */
#define KG_FWD_OUT_MAX		0x7fffffffU

struct kg_fwd_out {
	u8 *p;
	u32 cap;
	u32 len;
	bool over;
};

static void kg_fwd_out_init(struct kg_fwd_out *o, u8 *out, u32 cap)
{
	o->p = out;
	o->cap = cap < KG_FWD_OUT_MAX ? cap : KG_FWD_OUT_MAX;
	o->len = 0;
	o->over = false;
}

static int kg_fwd_out_end(const struct kg_fwd_out *o)
{
	return o->over ? -ENOSPC : (int)o->len;
}

static void kg_put(struct kg_fwd_out *o, const void *s, u32 n)
{
	const u8 *src = s;
	u32 i;

	if (o->over || n > o->cap - o->len) {
		o->over = true;
		return;
	}
	for (i = 0; i < n; i++)
		o->p[o->len + i] = src[i];
	o->len += n;
}

static u32 kg_strlen(const char *s)
{
	u32 n = 0;

	while (s[n])
		n++;
	return n;
}

static void kg_puts(struct kg_fwd_out *o, const char *s)
{
	kg_put(o, s, kg_strlen(s));
}

static void kg_put_u32(struct kg_fwd_out *o, u32 v)
{
	char d[10];
	u32 n = 0;

	do {
		d[sizeof(d) - 1 - n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	kg_put(o, d + sizeof(d) - n, n);
}

static void kg_put_span(struct kg_fwd_out *o, const struct kg_http_head *h,
			const struct kg_http_span *sp)
{
	kg_put(o, h->buf + sp->off, sp->len);
}

/* "name: value" CRLF */
static void kg_put_field(struct kg_fwd_out *o, const void *name, u32 name_len,
			 const void *value, u32 value_len)
{
	kg_put(o, name, name_len);
	kg_put(o, ": ", 2);
	kg_put(o, value, value_len);
	kg_put(o, "\r\n", 2);
}

/* A field of a parsed head, as it came. */
static void kg_put_hfield(struct kg_fwd_out *o, const struct kg_http_head *h,
			  const struct kg_http_field *f)
{
	kg_put_field(o, h->buf + f->name.off, f->name.len,
		     h->buf + f->value.off, f->value.len);
}

static u8 kg_fwd_lower(u8 c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* @p[0..@len) equals the lower-case @lit, ignoring ASCII case. */
static bool kg_fwd_ci_eq(const u8 *p, u32 len, const char *lit)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (!lit[i] || kg_fwd_lower(p[i]) != (u8)lit[i])
			return false;
	return !lit[len];
}

/* No SP, control character or DEL: safe inside a start line or a value. */
static bool kg_fwd_vchars(const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] == 0x7f)
			return false;
	return true;
}

/* ---- header modifiers ---------------------------------------------------- */

/*
 * Names a modifier may not touch: kgate writes them itself, and changing
 * them on the way would change the routing or the framing of the message,
 * or the connection's own hop-by-hop fields.
 */
static const char *const kg_fwd_protected[] = {
	"host", "content-length", "transfer-encoding", "connection",
	"keep-alive", "proxy-connection", "te", "upgrade", NULL,
};

static bool kg_fwd_is_protected(const u8 *name, u32 len)
{
	u32 i;

	for (i = 0; kg_fwd_protected[i]; i++)
		if (kg_fwd_ci_eq(name, len, kg_fwd_protected[i]))
			return true;
	return false;
}

struct kg_fwd_mod {
	const struct kg_match_table *t;	/* NULL: no modifier */
	u32 rule_id;
	u32 dir;			/* enum kg_hdr_dir */
};

static void kg_fwd_mod_init(struct kg_fwd_mod *m,
			    const struct kg_match_table *t, u32 rule_id,
			    u32 dir)
{
	m->t = rule_id == KG_MATCH_NONE ? NULL : t;
	m->rule_id = rule_id;
	m->dir = dir;
}

/* Does the modifier drop (set or remove) the fields named @name? */
static bool kg_fwd_mod_drops(const struct kg_fwd_mod *m, const u8 *name,
			     u32 len)
{
	if (!m->t || kg_fwd_is_protected(name, len))
		return false;
	return kg_match_hdr_drop(m->t, m->rule_id, m->dir, (const char *)name,
				 len);
}

/* The set entries, then the add entries. */
static void kg_fwd_mod_put(struct kg_fwd_out *o, const struct kg_fwd_mod *m)
{
	static const u32 ops[2] = { KG_HDR_SET, KG_HDR_ADD };
	const char *name, *value;
	u32 k, i, n, nlen, vlen;

	if (!m->t)
		return;
	for (k = 0; k < 2; k++) {
		n = kg_match_hdr_count(m->t, m->rule_id, m->dir, ops[k]);
		for (i = 0; i < n; i++) {
			kg_match_hdr_get(m->t, m->rule_id, m->dir, ops[k], i,
					 &name, &nlen, &value, &vlen);
			if (kg_fwd_is_protected((const u8 *)name, nlen))
				continue;
			kg_put_field(o, name, nlen, value, vlen);
		}
	}
}

/* The Upgrade lines of @h, after "Connection: upgrade". */
static void kg_fwd_put_upgrade(struct kg_fwd_out *o,
			       const struct kg_http_head *h)
{
	u32 i;

	kg_puts(o, "Connection: upgrade\r\n");
	for (i = 0; i < h->nfields; i++)
		if (h->fields[i].id == KG_HTTP_H_UPGRADE)
			kg_put_hfield(o, h, &h->fields[i]);
}

/* ---- addresses ----------------------------------------------------------- */

static void kg_put_hex16(struct kg_fwd_out *o, u32 v)
{
	static const char hex[] = "0123456789abcdef";
	char d[4];
	u32 n = 0;

	do {
		d[sizeof(d) - 1 - n++] = hex[v & 0xf];
		v >>= 4;
	} while (v);
	kg_put(o, d + sizeof(d) - n, n);
}

/* RFC 5952 section 4: the first longest run of two or more zero groups. */
static void kg_fwd_zero_run(const u16 *g, u32 *start, u32 *len)
{
	u32 i, j;

	*start = 8;
	*len = 0;
	for (i = 0; i < 8; i = j + 1) {
		for (j = i; j < 8 && !g[j]; j++)
			;
		if (j - i >= 2 && j - i > *len) {
			*start = i;
			*len = j - i;
		}
	}
}

static void kg_fwd_put_addr6(struct kg_fwd_out *o, const u8 *a)
{
	u32 i, zs, zl;
	u16 g[8];

	for (i = 0; i < 8; i++)
		g[i] = a[2 * i] << 8 | a[2 * i + 1];
	kg_fwd_zero_run(g, &zs, &zl);
	for (i = 0; i < 8; i++) {
		if (i == zs) {
			kg_put(o, "::", 2);
			i += zl - 1;
			continue;
		}
		/* "::" already separates the group after the run */
		if (i && i != zs + zl)
			kg_put(o, ":", 1);
		kg_put_hex16(o, g[i]);
	}
}

static int kg_fwd_put_addr(struct kg_fwd_out *o, const struct kg_fwd_peer *p)
{
	u32 i;

	if (p->family == 4) {
		for (i = 0; i < 4; i++) {
			if (i)
				kg_put(o, ".", 1);
			kg_put_u32(o, p->addr[i]);
		}
		return 0;
	}
	if (p->family != 6)
		return -EINVAL;
	kg_fwd_put_addr6(o, p->addr);
	return 0;
}

int kg_fwd_addr(const struct kg_fwd_peer *p, char *out, u32 cap)
{
	struct kg_fwd_out o;
	int rc;

	kg_fwd_out_init(&o, (u8 *)out, cap);
	rc = kg_fwd_put_addr(&o, p);
	return rc ? rc : kg_fwd_out_end(&o);
}

/* ---- requests ------------------------------------------------------------ */

/* The forwarding fields, in the order kgate writes them. */
enum {
	KG_XF_REAL_IP,
	KG_XF_FOR,
	KG_XF_HOST,
	KG_XF_PORT,
	KG_XF_PROTO,
	KG_XF_NR,
};

static const char *const kg_xf_names[KG_XF_NR] = {
	[KG_XF_REAL_IP] = "X-Real-IP",
	[KG_XF_FOR] = "X-Forwarded-For",
	[KG_XF_HOST] = "X-Forwarded-Host",
	[KG_XF_PORT] = "X-Forwarded-Port",
	[KG_XF_PROTO] = "X-Forwarded-Proto",
};

static const char *const kg_xf_lower[KG_XF_NR] = {
	[KG_XF_REAL_IP] = "x-real-ip",
	[KG_XF_FOR] = "x-forwarded-for",
	[KG_XF_HOST] = "x-forwarded-host",
	[KG_XF_PORT] = "x-forwarded-port",
	[KG_XF_PROTO] = "x-forwarded-proto",
};

/* Which forwarding field @f is, or KG_XF_NR. */
static u32 kg_xf_kind(const struct kg_http_head *h,
		      const struct kg_http_field *f)
{
	u32 k;

	if (f->id != KG_HTTP_H_OTHER)
		return KG_XF_NR;
	for (k = 0; k < KG_XF_NR; k++)
		if (kg_fwd_ci_eq(h->buf + f->name.off, f->name.len,
				 kg_xf_lower[k]))
			return k;
	return KG_XF_NR;
}

struct kg_fwd_rctx {
	const struct kg_fwd_req *r;
	const struct kg_http_head *h;
	struct kg_fwd_mod mod;
	bool client_has[KG_XF_NR];	/* a forwarded (not hop) field of the client */
};

/* Is the client's field @f sent on? (X-Forwarded-For never as such.) */
static bool kg_fwd_req_keeps(const struct kg_fwd_rctx *c,
			     const struct kg_http_field *f)
{
	const struct kg_http_head *h = c->h;
	u32 kind;

	if ((f->flags & KG_HTTP_FIELD_HOP) || f->id == KG_HTTP_H_HOST)
		return false;
	kind = kg_xf_kind(h, f);
	if (kind == KG_XF_FOR || (kind != KG_XF_NR && !c->r->trust_forwarded))
		return false;
	return !kg_fwd_mod_drops(&c->mod, h->buf + f->name.off, f->name.len);
}

/* The request's Host as received: the field, else the target's authority. */
static bool kg_fwd_host_received(const struct kg_http_head *h,
				 const u8 **p, u32 *len)
{
	int i = kg_http_field_find(h, KG_HTTP_H_HOST);
	u32 s, e, end;

	if (i >= 0) {
		*p = h->buf + h->fields[i].value.off;
		*len = h->fields[i].value.len;
		return true;
	}
	if (!(h->flags & KG_HTTP_F_HOST))
		return false;
	/* absolute or authority form: ->host points into the target */
	s = h->host.off;
	end = h->target.off + h->target.len;
	for (e = s; e < end && h->buf[e] != '/' && h->buf[e] != '?'; e++)
		;
	*p = h->buf + s;
	*len = e - s;
	return true;
}

/* kgate's X-Forwarded-For: the client's own values first when trusted. */
static void kg_fwd_put_xff(struct kg_fwd_out *o, const struct kg_fwd_rctx *c)
{
	const struct kg_http_head *h = c->h;
	u32 i;

	kg_puts(o, "X-Forwarded-For: ");
	for (i = 0; c->r->trust_forwarded && i < h->nfields; i++) {
		const struct kg_http_field *f = &h->fields[i];

		if ((f->flags & KG_HTTP_FIELD_HOP) || !f->value.len ||
		    kg_xf_kind(h, f) != KG_XF_FOR)
			continue;
		kg_put_span(o, h, &f->value);
		kg_put(o, ", ", 2);
	}
	kg_fwd_put_addr(o, &c->r->client);
	kg_put(o, "\r\n", 2);
}

static void kg_fwd_put_xf(struct kg_fwd_out *o, const struct kg_fwd_rctx *c,
			  u32 kind)
{
	const struct kg_fwd_req *r = c->r;
	const char *name = kg_xf_names[kind];
	const u8 *v;
	u32 vlen;

	if (kg_fwd_mod_drops(&c->mod, (const u8 *)name, kg_strlen(name)))
		return;
	if (kind != KG_XF_FOR && r->trust_forwarded && c->client_has[kind])
		return;
	if (kind == KG_XF_FOR) {
		kg_fwd_put_xff(o, c);
		return;
	}
	if (kind == KG_XF_HOST) {
		if (kg_fwd_host_received(c->h, &v, &vlen))
			kg_put_field(o, name, kg_strlen(name), v, vlen);
		return;
	}
	kg_puts(o, name);
	kg_put(o, ": ", 2);
	if (kind == KG_XF_REAL_IP)
		kg_fwd_put_addr(o, &r->client);
	else if (kind == KG_XF_PORT)
		kg_put_u32(o, r->listener_port);
	else
		kg_puts(o, r->https ? "https" : "http");
	kg_put(o, "\r\n", 2);
}

static int kg_fwd_req_check(const struct kg_fwd_req *r)
{
	const struct kg_http_head *h = r->h;

	if (!h || h->response || h->rc != KG_HTTP_DONE)
		return -EINVAL;
	if (r->client.family != 4 && r->client.family != 6)
		return -EINVAL;
	if (!r->target_len || !kg_fwd_vchars(r->target, r->target_len))
		return -EINVAL;
	if (!kg_fwd_vchars(r->host, r->host_len) ||
	    (h->minor && !r->host_len))
		return -EINVAL;
	return 0;
}

int kg_fwd_request(const struct kg_fwd_req *r, u8 *out, u32 cap)
{
	const struct kg_http_head *h = r->h;
	struct kg_fwd_rctx c = { .r = r, .h = h };
	struct kg_fwd_out o;
	u32 i, kind;
	int rc;

	rc = kg_fwd_req_check(r);
	if (rc)
		return rc;
	kg_fwd_mod_init(&c.mod, r->t, r->rule_id, KG_HDR_REQUEST);
	for (i = 0; i < h->nfields; i++) {
		kind = kg_xf_kind(h, &h->fields[i]);
		if (kind != KG_XF_NR && !(h->fields[i].flags & KG_HTTP_FIELD_HOP))
			c.client_has[kind] = true;
	}

	kg_fwd_out_init(&o, out, cap);
	kg_put_span(&o, h, &h->mtoken);
	kg_put(&o, " ", 1);
	kg_put(&o, r->target, r->target_len);
	kg_puts(&o, h->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
	if (r->host_len)
		kg_put_field(&o, "Host", 4, r->host, r->host_len);
	for (i = 0; i < h->nfields; i++)
		if (kg_fwd_req_keeps(&c, &h->fields[i]))
			kg_put_hfield(&o, h, &h->fields[i]);
	kg_fwd_mod_put(&o, &c.mod);
	for (kind = 0; kind < KG_XF_NR; kind++)
		kg_fwd_put_xf(&o, &c, kind);
	if (h->flags & KG_HTTP_F_UPGRADE)
		kg_fwd_put_upgrade(&o, h);
	else if (!h->minor)
		kg_puts(&o, "Connection: keep-alive\r\n");
	kg_put(&o, "\r\n", 2);
	return kg_fwd_out_end(&o);
}

/* ---- responses ----------------------------------------------------------- */

static void kg_put_status(struct kg_fwd_out *o, u32 status)
{
	char d[3] = { '0' + status / 100, '0' + status / 10 % 10,
		      '0' + status % 10 };

	kg_put(o, d, 3);
}

int kg_fwd_response(const struct kg_fwd_resp *r, u8 *out, u32 cap)
{
	const struct kg_http_head *h = r->h;
	bool info, upgrade;
	struct kg_fwd_mod mod;
	struct kg_fwd_out o;
	u32 i;

	if (!h || !h->response || h->rc != KG_HTTP_DONE)
		return -EINVAL;
	info = h->flags & KG_HTTP_F_INFO;
	upgrade = h->status == 101;
	if (upgrade && !(h->flags & KG_HTTP_F_UPGRADE_FIELD))
		return -EINVAL;
	/* an interim response is relayed without the modifier */
	kg_fwd_mod_init(&mod, info ? NULL : r->t, r->rule_id, KG_HDR_RESPONSE);

	kg_fwd_out_init(&o, out, cap);
	kg_puts(&o, "HTTP/1.1 ");
	kg_put_status(&o, h->status);
	kg_put(&o, " ", 1);
	kg_put_span(&o, h, &h->reason);
	kg_put(&o, "\r\n", 2);
	for (i = 0; i < h->nfields; i++) {
		const struct kg_http_field *f = &h->fields[i];

		if ((f->flags & KG_HTTP_FIELD_HOP) ||
		    kg_fwd_mod_drops(&mod, h->buf + f->name.off, f->name.len))
			continue;
		kg_put_hfield(&o, h, f);
	}
	kg_fwd_mod_put(&o, &mod);
	if (upgrade)
		kg_fwd_put_upgrade(&o, h);
	else if (!info && r->close)
		kg_puts(&o, "Connection: close\r\n");
	else if (!info && !r->client_minor)
		kg_puts(&o, "Connection: keep-alive\r\n");
	kg_put(&o, "\r\n", 2);
	return kg_fwd_out_end(&o);
}

/* ---- kgate's own replies ------------------------------------------------- */

struct kg_fwd_status {
	u16 code;
	const char *reason;
};

/* RFC 9110 section 15, and RFC 6585's 428, 429, 431 and 511. */
static const struct kg_fwd_status kg_fwd_statuses[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 203, "Non-Authoritative Information" },
	{ 204, "No Content" },
	{ 205, "Reset Content" },
	{ 206, "Partial Content" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 305, "Use Proxy" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 421, "Misdirected Request" },
	{ 422, "Unprocessable Content" },
	{ 426, "Upgrade Required" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
	{ 511, "Network Authentication Required" },
	{ 0, NULL },
};

const char *kg_fwd_reason(u16 status)
{
	u32 i;

	for (i = 0; kg_fwd_statuses[i].code; i++)
		if (kg_fwd_statuses[i].code == status)
			return kg_fwd_statuses[i].reason;
	return NULL;
}

int kg_fwd_reply(const struct kg_fwd_reply *r, u8 *out, u32 cap)
{
	const char *reason = kg_fwd_reason(r->status);
	struct kg_fwd_out o;
	u32 rlen;

	if (!reason || (r->status != 100 && r->status < 300) ||
	    r->status == 304)
		return -EINVAL;
	kg_fwd_out_init(&o, out, cap);
	if (r->status == 100) {
		kg_puts(&o, "HTTP/1.1 100 Continue\r\n\r\n");
		return kg_fwd_out_end(&o);
	}
	if (r->location && !kg_fwd_vchars(r->location, r->location_len))
		return -EINVAL;
	rlen = kg_strlen(reason);
	kg_puts(&o, "HTTP/1.1 ");
	kg_put_status(&o, r->status);
	kg_put(&o, " ", 1);
	kg_put(&o, reason, rlen);
	kg_puts(&o, "\r\nContent-Type: text/plain\r\nContent-Length: ");
	/* the body: "CODE REASON\n" */
	kg_put_u32(&o, 3 + 1 + rlen + 1);
	kg_put(&o, "\r\n", 2);
	if (r->close)
		kg_puts(&o, "Connection: close\r\n");
	if (r->retry_after) {
		kg_puts(&o, "Retry-After: ");
		kg_put_u32(&o, r->retry_after);
		kg_put(&o, "\r\n", 2);
	}
	if (r->location && r->location_len)
		kg_put_field(&o, "Location", 8, r->location, r->location_len);
	kg_put(&o, "\r\n", 2);
	if (!r->head) {
		kg_put_status(&o, r->status);
		kg_put(&o, " ", 1);
		kg_put(&o, reason, rlen);
		kg_put(&o, "\n", 1);
	}
	return kg_fwd_out_end(&o);
}

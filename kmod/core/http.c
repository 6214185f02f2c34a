// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP/1.1 message parser of http.h: heads copied into the caller's
 * buffer byte by byte and checked a line at a time, bodies checked by a
 * byte-wise state machine.  Every decision is taken at a byte, from the
 * bytes before it: that is what makes the result independent of how the
 * input was split.
 */
#include "http.h"

#define KG_HTTP_LEN_MAX		0x7fffffffffffffffULL
/* Connection options other than close, keep-alive and upgrade. */
#define KG_HTTP_CONN_OPTS_MAX	16

static const char *const kg_http_whys[KG_HTTP_WHY_NUM] = {
	[KG_HTTP_WHY_NONE] = "no error",
	[KG_HTTP_WHY_BARE_CR] = "bare CR",
	[KG_HTTP_WHY_BARE_LF] = "bare LF",
	[KG_HTTP_WHY_EMPTY_LINES] = "more than one empty line before the request",
	[KG_HTTP_WHY_START_LINE] = "malformed start line",
	[KG_HTTP_WHY_METHOD] = "method is not a token",
	[KG_HTTP_WHY_METHOD_LONG] = "method too long",
	[KG_HTTP_WHY_TARGET] = "malformed request-target",
	[KG_HTTP_WHY_URI_LONG] = "request-target too long",
	[KG_HTTP_WHY_VERSION] = "malformed HTTP version",
	[KG_HTTP_WHY_VERSION_MAJOR] = "HTTP version not 1.x",
	[KG_HTTP_WHY_STATUS] = "status code not 100..599",
	[KG_HTTP_WHY_REASON] = "control character in the reason phrase",
	[KG_HTTP_WHY_HEAD_LARGE] = "head too large",
	[KG_HTTP_WHY_FIELDS_MANY] = "too many fields",
	[KG_HTTP_WHY_OBS_FOLD] = "line folding or leading whitespace",
	[KG_HTTP_WHY_FIELD_NAME] = "invalid field name",
	[KG_HTTP_WHY_NAME_SPACE] = "whitespace before the colon",
	[KG_HTTP_WHY_FIELD_VALUE] = "invalid character in a field value",
	[KG_HTTP_WHY_HOST_MISSING] = "no Host",
	[KG_HTTP_WHY_HOST_DUP] = "Host twice",
	[KG_HTTP_WHY_HOST_BAD] = "invalid host",
	[KG_HTTP_WHY_HOST_MISMATCH] = "request-target host differs from Host",
	[KG_HTTP_WHY_CL_BAD] = "invalid Content-Length",
	[KG_HTTP_WHY_CL_DUP] = "Content-Length twice",
	[KG_HTTP_WHY_CL_TE] = "Content-Length with Transfer-Encoding",
	[KG_HTTP_WHY_TE_BAD] = "Transfer-Encoding without chunked last",
	[KG_HTTP_WHY_TE_UNKNOWN] = "unknown transfer coding",
	[KG_HTTP_WHY_TE_HTTP10] = "Transfer-Encoding in HTTP/1.0",
	[KG_HTTP_WHY_TE_STATUS] = "Transfer-Encoding in a 1xx or 204",
	[KG_HTTP_WHY_CONNECTION] = "invalid Connection option",
	[KG_HTTP_WHY_CHUNK_SIZE] = "invalid chunk size",
	[KG_HTTP_WHY_CHUNK_EXT] = "invalid chunk extension",
	[KG_HTTP_WHY_CHUNK_LONG] = "chunk line or extensions too long",
	[KG_HTTP_WHY_CHUNK_END] = "no CRLF after chunk data",
	[KG_HTTP_WHY_TRAILER] = "invalid trailer field",
	[KG_HTTP_WHY_TRAILER_LARGE] = "trailer section too large",
	[KG_HTTP_WHY_BODY_LARGE] = "body too large",
	[KG_HTTP_WHY_TRUNCATED] = "message truncated",
	[KG_HTTP_WHY_PATH] = "path refused",
};

const char *kg_http_why_str(unsigned int why)
{
	if (why >= KG_HTTP_WHY_NUM)
		return "unknown";
	return kg_http_whys[why];
}

/* ---- characters ---------------------------------------------------- */

static bool kg_is_alpha(u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool kg_is_digit(u8 c)
{
	return c >= '0' && c <= '9';
}

static int kg_hexval(u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static u8 kg_lower(u8 c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool kg_is_ws(u8 c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 section 5.6.2 */
static bool kg_is_tchar(u8 c)
{
	if (kg_is_alpha(c) || kg_is_digit(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return true;
	}
	return false;
}

/* RFC 3986 section 2.3 */
static bool kg_is_unreserved(u8 c)
{
	return kg_is_alpha(c) || kg_is_digit(c) || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

/* RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ':', '@' */
static bool kg_is_pchar(u8 c)
{
	if (kg_is_unreserved(c))
		return true;
	switch (c) {
	case '!': case '$': case '&': case '\'': case '(': case ')':
	case '*': case '+': case ',': case ';': case '=': case ':':
	case '@':
		return true;
	}
	return false;
}

/* field-vchar, SP or HTAB (RFC 9110 section 5.5) */
static bool kg_is_value_char(u8 c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

/* @p[0..@len) equals the lower-case @lit, ignoring ASCII case. */
static bool kg_ci_eq(const u8 *p, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!lit[i] || kg_lower(p[i]) != (u8)lit[i])
			return false;
	return !lit[len];
}

static bool kg_ci_eq2(const u8 *a, const u8 *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (kg_lower(a[i]) != kg_lower(b[i]))
			return false;
	return true;
}

static bool kg_eq(const u8 *p, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!lit[i] || p[i] != (u8)lit[i])
			return false;
	return !lit[len];
}

/*
 * The next element of a comma-separated list (RFC 9110 section 5.6.1) in
 * @p[*@pos..@end), without its OWS; empty elements are skipped.  False at
 * the end of the list.
 */
static bool kg_list_next(const u8 *p, size_t *pos, size_t end,
			 size_t *off, size_t *len)
{
	size_t i = *pos, s, e;

	while (i < end && (kg_is_ws(p[i]) || p[i] == ','))
		i++;
	if (i == end) {
		*pos = end;
		return false;
	}
	s = i;
	while (i < end && p[i] != ',')
		i++;
	e = i;
	while (e > s && kg_is_ws(p[e - 1]))
		e--;
	*off = s;
	*len = e - s;
	*pos = i;
	return true;
}

static bool kg_is_token(const u8 *p, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!kg_is_tchar(p[i]))
			return false;
	return true;
}

/* ---- head ------------------------------------------------------------ */

enum {
	KG_H_START,		/* nothing of the start line yet */
	KG_H_LEAD_LF,		/* CR of an empty line before the request */
	KG_H_LINE,		/* inside a line */
	KG_H_CR,		/* after a CR: LF must follow */
	KG_H_END,		/* DONE or an error: ->rc */
};

static const char *const kg_http_methods[KG_HTTP_M_PATCH + 1] = {
	[KG_HTTP_M_GET] = "GET",
	[KG_HTTP_M_HEAD] = "HEAD",
	[KG_HTTP_M_POST] = "POST",
	[KG_HTTP_M_PUT] = "PUT",
	[KG_HTTP_M_DELETE] = "DELETE",
	[KG_HTTP_M_CONNECT] = "CONNECT",
	[KG_HTTP_M_OPTIONS] = "OPTIONS",
	[KG_HTTP_M_TRACE] = "TRACE",
	[KG_HTTP_M_PATCH] = "PATCH",
};

static const char *const kg_http_field_names[KG_HTTP_H_NUM] = {
	[KG_HTTP_H_HOST] = "host",
	[KG_HTTP_H_CONTENT_LENGTH] = "content-length",
	[KG_HTTP_H_TRANSFER_ENCODING] = "transfer-encoding",
	[KG_HTTP_H_CONNECTION] = "connection",
	[KG_HTTP_H_KEEP_ALIVE] = "keep-alive",
	[KG_HTTP_H_PROXY_CONNECTION] = "proxy-connection",
	[KG_HTTP_H_TE] = "te",
	[KG_HTTP_H_UPGRADE] = "upgrade",
	[KG_HTTP_H_EXPECT] = "expect",
};

static u8 kg_http_field_id(const u8 *name, size_t len)
{
	unsigned int i;

	for (i = 1; i < KG_HTTP_H_NUM; i++)
		if (kg_ci_eq(name, len, kg_http_field_names[i]))
			return i;
	return KG_HTTP_H_OTHER;
}

static void kg_http_init(struct kg_http_head *h, u8 *buf, u16 cap,
			 struct kg_http_field *fields, u16 max_fields)
{
	u8 *p = (u8 *)h;
	size_t i;

	for (i = 0; i < sizeof(*h); i++)
		p[i] = 0;
	h->buf = buf;
	h->cap = cap;
	h->max_head = cap;
	h->fields = fields;
	h->max_fields = max_fields;
	h->state = KG_H_START;
}

void kg_http_head_init(struct kg_http_head *h, u8 *buf, u16 cap,
		       struct kg_http_field *fields, u16 max_fields,
		       u16 max_uri)
{
	kg_http_init(h, buf, cap, fields, max_fields);
	h->max_uri = max_uri;
}

void kg_http_head_init_response(struct kg_http_head *h, u8 *buf, u16 cap,
				struct kg_http_field *fields, u16 max_fields,
				unsigned int req_method)
{
	kg_http_init(h, buf, cap, fields, max_fields);
	h->response = true;
	h->req_method = req_method;
}

void kg_http_head_allow(struct kg_http_head *h, u16 max_head)
{
	if (max_head > h->cap)
		h->max_head = max_head;
}

void kg_http_head_rebuf(struct kg_http_head *h, u8 *buf, u16 cap)
{
	h->buf = buf;
	h->cap = cap;
	if (h->max_head < cap)
		h->max_head = cap;
}

/* End @h with the error for @why; in a response every error is 502. */
static int kg_http_fail(struct kg_http_head *h, unsigned int why)
{
	int rc = KG_HTTP_E_BAD_REQUEST;

	if (h->response) {
		rc = KG_HTTP_E_BAD_GATEWAY;
	} else {
		switch (why) {
		case KG_HTTP_WHY_URI_LONG:
			rc = KG_HTTP_E_URI_TOO_LONG;
			break;
		case KG_HTTP_WHY_HEAD_LARGE:
		case KG_HTTP_WHY_FIELDS_MANY:
			rc = KG_HTTP_E_FIELDS_TOO_LARGE;
			break;
		case KG_HTTP_WHY_METHOD_LONG:
		case KG_HTTP_WHY_TE_UNKNOWN:
			rc = KG_HTTP_E_NOT_IMPLEMENTED;
			break;
		case KG_HTTP_WHY_VERSION_MAJOR:
			rc = KG_HTTP_E_VERSION;
			break;
		}
	}
	h->why = why;
	h->rc = rc;
	h->state = KG_H_END;
	return rc;
}

/* HTTP-version at @p[0..@len): sets ->minor, or fails. */
static int kg_http_version(struct kg_http_head *h, const u8 *p, size_t len)
{
	if (len != 8 || !kg_eq(p, 5, "HTTP/") || !kg_is_digit(p[5]) ||
	    p[6] != '.' || !kg_is_digit(p[7]))
		return kg_http_fail(h, KG_HTTP_WHY_VERSION);
	if (p[5] != '1')
		return kg_http_fail(h, KG_HTTP_WHY_VERSION_MAJOR);
	h->minor = p[7] == '0' ? 0 : 1;
	return KG_HTTP_MORE;
}

/*
 * uri-host [":" port] at @h->buf[@off..@off+@len): the host part into
 * @host, the port into @port (0 if none; @need_port: it must be there).
 * 0 or -1.
 */
static int kg_http_authority(const u8 *p, size_t off, size_t len,
			     struct kg_http_span *host, u16 *port,
			     bool need_port)
{
	size_t i = off, end = off + len, hend;
	u32 v = 0;

	if (!len)
		return -1;
	if (p[i] == '[') {
		i++;
		while (i < end && p[i] != ']') {
			if (kg_hexval(p[i]) < 0 && p[i] != ':' && p[i] != '.')
				return -1;
			i++;
		}
		if (i == end || i == off + 1)
			return -1;
		i++;
	} else {
		while (i < end && p[i] != ':') {
			if (!kg_is_unreserved(p[i]))
				return -1;
			i++;
		}
		if (i == off)
			return -1;
	}
	hend = i;
	*port = 0;
	if (i < end) {
		size_t digits = end - i - 1;

		if (p[i] != ':' || !digits || digits > 5)
			return -1;
		for (i++; i < end; i++) {
			if (!kg_is_digit(p[i]))
				return -1;
			v = v * 10 + (p[i] - '0');
		}
		if (v > 65535)
			return -1;
		*port = v;
	} else if (need_port) {
		return -1;
	}
	host->off = off;
	host->len = hend - off;
	return 0;
}

/* path-abempty [ "?" query ] characters, escapes checked. */
static bool kg_http_pq_valid(const u8 *p, size_t off, size_t len)
{
	size_t i;

	for (i = off; i < off + len; i++) {
		if (p[i] == '%') {
			if (off + len - i < 3 || kg_hexval(p[i + 1]) < 0 ||
			    kg_hexval(p[i + 2]) < 0)
				return false;
			i += 2;
		} else if (!kg_is_pchar(p[i]) && p[i] != '/' && p[i] != '?') {
			return false;
		}
	}
	return true;
}

/* Split @p[@off..@off+@len) (valid) into ->path and ->query. */
static void kg_http_split_pq(struct kg_http_head *h, size_t off, size_t len)
{
	size_t i;

	for (i = off; i < off + len && h->buf[i] != '?'; i++)
		;
	h->path.off = off;
	h->path.len = i - off;
	if (i < off + len) {
		h->query.off = i + 1;
		h->query.len = off + len - i - 1;
	} else {
		h->query.off = off + len;
	}
}

static int kg_http_target(struct kg_http_head *h, size_t off, size_t len)
{
	const u8 *p = h->buf;
	size_t i, s;

	h->target.off = off;
	h->target.len = len;
	if (h->method == KG_HTTP_M_CONNECT) {
		h->form = KG_HTTP_T_AUTHORITY;
		if (kg_http_authority(p, off, len, &h->thost, &h->tport, true))
			return kg_http_fail(h, KG_HTTP_WHY_TARGET);
		h->path.off = off + len;
		h->query.off = off + len;
		return KG_HTTP_MORE;
	}
	if (len == 1 && p[off] == '*') {
		if (h->method != KG_HTTP_M_OPTIONS)
			return kg_http_fail(h, KG_HTTP_WHY_TARGET);
		h->form = KG_HTTP_T_ASTERISK;
		h->path.off = off + len;
		h->query.off = off + len;
		return KG_HTTP_MORE;
	}
	if (p[off] == '/') {
		if (!kg_http_pq_valid(p, off, len))
			return kg_http_fail(h, KG_HTTP_WHY_TARGET);
		h->form = KG_HTTP_T_ORIGIN;
		kg_http_split_pq(h, off, len);
		return KG_HTTP_MORE;
	}
	if (len > 7 && kg_ci_eq(p + off, 7, "http://"))
		s = off + 7;
	else if (len > 8 && kg_ci_eq(p + off, 8, "https://"))
		s = off + 8;
	else
		return kg_http_fail(h, KG_HTTP_WHY_TARGET);
	h->form = KG_HTTP_T_ABSOLUTE;
	for (i = s; i < off + len && p[i] != '/' && p[i] != '?'; i++)
		;
	/* no userinfo: '@' is not a host character, so this refuses it */
	if (kg_http_authority(p, s, i - s, &h->thost, &h->tport, false))
		return kg_http_fail(h, KG_HTTP_WHY_TARGET);
	if (!kg_http_pq_valid(p, i, off + len - i))
		return kg_http_fail(h, KG_HTTP_WHY_TARGET);
	kg_http_split_pq(h, i, off + len - i);
	return KG_HTTP_MORE;
}

static int kg_http_request_line(struct kg_http_head *h, size_t end)
{
	const u8 *p = h->buf;
	size_t sp1, sp2, i;
	int rc;

	for (sp1 = 0; sp1 < end && p[sp1] != ' '; sp1++)
		;
	for (sp2 = sp1 + 1; sp2 < end && p[sp2] != ' '; sp2++)
		;
	if (sp2 >= end || !sp1 || sp2 == sp1 + 1)
		return kg_http_fail(h, KG_HTTP_WHY_START_LINE);
	for (i = sp2 + 1; i < end; i++)
		if (p[i] == ' ')
			return kg_http_fail(h, KG_HTTP_WHY_START_LINE);
	/* the method's bytes were checked as they came */
	h->mtoken.len = sp1;
	for (i = KG_HTTP_M_GET; i <= KG_HTTP_M_PATCH; i++)
		if (kg_eq(p, sp1, kg_http_methods[i]))
			h->method = i;
	rc = kg_http_version(h, p + sp2 + 1, end - sp2 - 1);
	if (rc)
		return rc;
	return kg_http_target(h, sp1 + 1, sp2 - sp1 - 1);
}

static int kg_http_status_line(struct kg_http_head *h, size_t end)
{
	const u8 *p = h->buf;
	size_t i;
	int rc;

	if (end < 8 || (end > 8 && p[8] != ' '))
		return kg_http_fail(h, KG_HTTP_WHY_VERSION);
	rc = kg_http_version(h, p, 8);
	if (rc)
		return rc;
	if (end < 12 || !kg_is_digit(p[9]) || !kg_is_digit(p[10]) || !kg_is_digit(p[11]))
		return kg_http_fail(h, KG_HTTP_WHY_STATUS);
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (h->status < 100 || h->status > 599)
		return kg_http_fail(h, KG_HTTP_WHY_STATUS);
	/* the SP before an empty reason may be missing */
	if (end > 12 && p[12] != ' ')
		return kg_http_fail(h, KG_HTTP_WHY_STATUS);
	h->reason.off = end > 12 ? 13 : 12;
	h->reason.len = end > 12 ? end - 13 : 0;
	for (i = h->reason.off; i < end; i++)
		if (!kg_is_value_char(p[i]))
			return kg_http_fail(h, KG_HTTP_WHY_REASON);
	return KG_HTTP_MORE;
}

static int kg_http_content_length(struct kg_http_head *h,
				  const struct kg_http_field *f)
{
	const u8 *p = h->buf + f->value.off;
	u64 v = 0;
	size_t i;

	if (h->flags & KG_HTTP_F_CL)
		return kg_http_fail(h, KG_HTTP_WHY_CL_DUP);
	if (!f->value.len)
		return kg_http_fail(h, KG_HTTP_WHY_CL_BAD);
	for (i = 0; i < f->value.len; i++) {
		if (!kg_is_digit(p[i]) ||
		    v > (KG_HTTP_LEN_MAX - (p[i] - '0')) / 10)
			return kg_http_fail(h, KG_HTTP_WHY_CL_BAD);
		v = v * 10 + (p[i] - '0');
	}
	h->content_length = v;
	h->flags |= KG_HTTP_F_CL;
	return KG_HTTP_MORE;
}

static bool kg_http_coding_known(const u8 *p, size_t len)
{
	return kg_ci_eq(p, len, "gzip") || kg_ci_eq(p, len, "x-gzip") ||
	       kg_ci_eq(p, len, "deflate") || kg_ci_eq(p, len, "compress") ||
	       kg_ci_eq(p, len, "x-compress");
}

static int kg_http_transfer_encoding(struct kg_http_head *h,
				     const struct kg_http_field *f)
{
	size_t pos = f->value.off, end = pos + f->value.len, off, len, i;
	const u8 *p = h->buf;

	h->flags |= KG_HTTP_F_TE;
	while (kg_list_next(p, &pos, end, &off, &len)) {
		for (i = off; i < off + len && kg_is_tchar(p[i]); i++)
			;
		if (i == off)
			return kg_http_fail(h, KG_HTTP_WHY_TE_BAD);
		if (i < off + len)	/* a parameter, or junk */
			return kg_http_fail(h, kg_is_ws(p[i]) || p[i] == ';' ?
					    KG_HTTP_WHY_TE_UNKNOWN :
					    KG_HTTP_WHY_TE_BAD);
		if (h->te_n < 0xffff)
			h->te_n++;
		if (kg_ci_eq(p + off, len, "chunked")) {
			if (h->te_chunked)
				return kg_http_fail(h, KG_HTTP_WHY_TE_BAD);
			h->te_chunked = 1;
			h->flags |= KG_HTTP_F_CHUNKED;
			continue;
		}
		if (!h->response) {
			if (h->te_chunked)
				return kg_http_fail(h, KG_HTTP_WHY_TE_BAD);
			if (!kg_http_coding_known(p + off, len))
				return kg_http_fail(h, KG_HTTP_WHY_TE_UNKNOWN);
		}
		h->flags &= ~KG_HTTP_F_CHUNKED;
	}
	return KG_HTTP_MORE;
}

static int kg_http_connection(struct kg_http_head *h,
			      const struct kg_http_field *f)
{
	size_t pos = f->value.off, end = pos + f->value.len, off, len;
	const u8 *p = h->buf;
	u8 id;

	while (kg_list_next(p, &pos, end, &off, &len)) {
		if (!kg_is_token(p + off, len))
			return kg_http_fail(h, KG_HTTP_WHY_CONNECTION);
		if (kg_ci_eq(p + off, len, "close")) {
			h->flags |= KG_HTTP_F_CLOSE;
		} else if (kg_ci_eq(p + off, len, "keep-alive")) {
			h->flags |= KG_HTTP_F_KA_OPTION;
		} else if (kg_ci_eq(p + off, len, "upgrade")) {
			h->flags |= KG_HTTP_F_UPGRADE_OPT;
		} else {
			id = kg_http_field_id(p + off, len);
			if (id == KG_HTTP_H_HOST ||
			    id == KG_HTTP_H_CONTENT_LENGTH ||
			    id == KG_HTTP_H_TRANSFER_ENCODING ||
			    h->conn_opts >= KG_HTTP_CONN_OPTS_MAX)
				return kg_http_fail(h, KG_HTTP_WHY_CONNECTION);
			h->conn_opts++;
			h->flags |= KG_HTTP_F_CONN_OTHER;
		}
	}
	return KG_HTTP_MORE;
}

static int kg_http_field_line(struct kg_http_head *h, size_t start,
			      size_t end)
{
	const u8 *p = h->buf;
	struct kg_http_field *f;
	size_t i, vs, ve, colon;

	if (kg_is_ws(p[start]))
		return kg_http_fail(h, KG_HTTP_WHY_OBS_FOLD);
	for (i = start; i < end && kg_is_tchar(p[i]); i++)
		;
	if (i == end || p[i] != ':' || i == start)
		return kg_http_fail(h, i < end && kg_is_ws(p[i]) && i > start ?
				    KG_HTTP_WHY_NAME_SPACE :
				    KG_HTTP_WHY_FIELD_NAME);
	colon = i;
	for (vs = i + 1; vs < end && kg_is_ws(p[vs]); vs++)
		;
	for (ve = end; ve > vs && kg_is_ws(p[ve - 1]); ve--)
		;
	for (i = vs; i < ve; i++)
		if (!kg_is_value_char(p[i]))
			return kg_http_fail(h, KG_HTTP_WHY_FIELD_VALUE);
	if (h->nfields >= h->max_fields)
		return kg_http_fail(h, KG_HTTP_WHY_FIELDS_MANY);
	f = &h->fields[h->nfields++];
	f->name.off = start;
	f->name.len = colon - start;
	f->value.off = vs;
	f->value.len = ve - vs;
	f->id = kg_http_field_id(p + start, f->name.len);
	f->flags = 0;

	switch (f->id) {
	case KG_HTTP_H_HOST:
		if (h->response)
			break;
		if (h->flags & KG_HTTP_F_HOST)
			return kg_http_fail(h, KG_HTTP_WHY_HOST_DUP);
		if (kg_http_authority(p, vs, ve - vs, &h->host, &h->port,
				      false))
			return kg_http_fail(h, KG_HTTP_WHY_HOST_BAD);
		h->flags |= KG_HTTP_F_HOST;
		break;
	case KG_HTTP_H_CONTENT_LENGTH:
		return kg_http_content_length(h, f);
	case KG_HTTP_H_TRANSFER_ENCODING:
		return kg_http_transfer_encoding(h, f);
	case KG_HTTP_H_CONNECTION:
		return kg_http_connection(h, f);
	case KG_HTTP_H_UPGRADE:
		h->flags |= KG_HTTP_F_UPGRADE_FIELD;
		break;
	case KG_HTTP_H_EXPECT:
		if (kg_ci_eq(p + vs, ve - vs, "100-continue"))
			h->flags |= KG_HTTP_F_CONTINUE;
		break;
	}
	return KG_HTTP_MORE;
}

/* Mark the hop-by-hop fields, those Connection names included. */
static void kg_http_mark_hop(struct kg_http_head *h)
{
	size_t pos, end, off, len;
	unsigned int i, j;

	for (i = 0; i < h->nfields; i++) {
		switch (h->fields[i].id) {
		case KG_HTTP_H_CONNECTION:
		case KG_HTTP_H_KEEP_ALIVE:
		case KG_HTTP_H_PROXY_CONNECTION:
		case KG_HTTP_H_TE:
		case KG_HTTP_H_UPGRADE:
			h->fields[i].flags |= KG_HTTP_FIELD_HOP;
			break;
		}
	}
	if (!(h->flags & KG_HTTP_F_CONN_OTHER))
		return;
	/* at most KG_HTTP_CONN_OPTS_MAX options, each a pass */
	for (i = 0; i < h->nfields; i++) {
		if (h->fields[i].id != KG_HTTP_H_CONNECTION)
			continue;
		pos = h->fields[i].value.off;
		end = pos + h->fields[i].value.len;
		while (kg_list_next(h->buf, &pos, end, &off, &len)) {
			for (j = 0; j < h->nfields; j++) {
				struct kg_http_field *f = &h->fields[j];

				if (f->name.len == len &&
				    kg_ci_eq2(h->buf + f->name.off,
					      h->buf + off, len))
					f->flags |= KG_HTTP_FIELD_HOP;
			}
		}
	}
}

static bool kg_http_persistent(const struct kg_http_head *h)
{
	if (h->flags & KG_HTTP_F_CLOSE)
		return false;
	return h->minor || (h->flags & KG_HTTP_F_KA_OPTION);
}

static int kg_http_finish_request(struct kg_http_head *h)
{
	u16 hport, tport, dport;

	if (h->minor && !(h->flags & KG_HTTP_F_HOST))
		return kg_http_fail(h, KG_HTTP_WHY_HOST_MISSING);
	if (h->flags & KG_HTTP_F_TE) {
		if (!h->minor)
			return kg_http_fail(h, KG_HTTP_WHY_TE_HTTP10);
		if (h->flags & KG_HTTP_F_CL)
			return kg_http_fail(h, KG_HTTP_WHY_CL_TE);
		if (!(h->flags & KG_HTTP_F_CHUNKED))
			return kg_http_fail(h, KG_HTTP_WHY_TE_BAD);
	}
	if (h->form == KG_HTTP_T_ABSOLUTE || h->form == KG_HTTP_T_AUTHORITY) {
		if (!(h->flags & KG_HTTP_F_HOST)) {
			/* HTTP/1.0 without Host: the target's host */
			h->host = h->thost;
			h->port = h->tport;
			h->flags |= KG_HTTP_F_HOST;
		} else {
			/* absent ports: the scheme's, or (CONNECT) any */
			hport = h->port;
			tport = h->tport;
			if (h->form == KG_HTTP_T_ABSOLUTE) {
				dport = h->buf[h->target.off + 4] == ':' ?
					80 : 443;
				hport = hport ? hport : dport;
				tport = tport ? tport : dport;
			} else if (!hport) {
				hport = tport;
			}
			if (h->host.len != h->thost.len ||
			    !kg_ci_eq2(h->buf + h->host.off,
				       h->buf + h->thost.off, h->host.len) ||
			    hport != tport)
				return kg_http_fail(h,
						    KG_HTTP_WHY_HOST_MISMATCH);
		}
	}
	if (h->flags & KG_HTTP_F_CHUNKED)
		h->framing = KG_HTTP_BODY_CHUNKED;
	else if (h->content_length)
		h->framing = KG_HTTP_BODY_LENGTH;
	else
		h->framing = KG_HTTP_BODY_NONE;
	if (h->minor && (h->flags & KG_HTTP_F_UPGRADE_FIELD) &&
	    (h->flags & KG_HTTP_F_UPGRADE_OPT))
		h->flags |= KG_HTTP_F_UPGRADE;
	if (!h->minor)
		h->flags &= ~KG_HTTP_F_CONTINUE;
	return KG_HTTP_DONE;
}

static int kg_http_finish_response(struct kg_http_head *h)
{
	unsigned int s = h->status;

	if (h->flags & KG_HTTP_F_TE) {
		if (!h->minor)
			return kg_http_fail(h, KG_HTTP_WHY_TE_HTTP10);
		if (s < 200 || s == 204)
			return kg_http_fail(h, KG_HTTP_WHY_TE_STATUS);
		if (h->flags & KG_HTTP_F_CL)
			return kg_http_fail(h, KG_HTTP_WHY_CL_TE);
	}
	h->flags &= ~KG_HTTP_F_CONTINUE;
	if (s == 101) {
		h->framing = KG_HTTP_BODY_TUNNEL;
	} else if (s < 200) {
		h->framing = KG_HTTP_BODY_NONE;
		h->flags |= KG_HTTP_F_INFO;
	} else if (h->req_method == KG_HTTP_M_CONNECT && s < 300) {
		h->framing = KG_HTTP_BODY_TUNNEL;
	} else if (h->req_method == KG_HTTP_M_HEAD || s == 204 || s == 304) {
		h->framing = KG_HTTP_BODY_NONE;
	} else if (h->flags & KG_HTTP_F_TE) {
		h->framing = h->flags & KG_HTTP_F_CHUNKED ?
			     KG_HTTP_BODY_CHUNKED : KG_HTTP_BODY_CLOSE;
	} else if (h->flags & KG_HTTP_F_CL) {
		h->framing = h->content_length ? KG_HTTP_BODY_LENGTH :
						 KG_HTTP_BODY_NONE;
	} else {
		h->framing = KG_HTTP_BODY_CLOSE;
	}
	return KG_HTTP_DONE;
}

/* The empty line: the head is complete. */
static int kg_http_finish(struct kg_http_head *h)
{
	int rc;

	rc = h->response ? kg_http_finish_response(h) :
			   kg_http_finish_request(h);
	if (rc != KG_HTTP_DONE)
		return rc;
	kg_http_mark_hop(h);
	if (kg_http_persistent(h) && h->framing != KG_HTTP_BODY_CLOSE &&
	    h->framing != KG_HTTP_BODY_TUNNEL)
		h->flags |= KG_HTTP_F_KEEP_ALIVE;
	h->rc = KG_HTTP_DONE;
	h->state = KG_H_END;
	return KG_HTTP_DONE;
}

/* A whole line ended at ->len (its CRLF included). */
static int kg_http_line(struct kg_http_head *h)
{
	size_t start = h->line, end = h->len - 2;

	if (!start)
		return h->response ? kg_http_status_line(h, end) :
				     kg_http_request_line(h, end);
	if (start == end)
		return kg_http_finish(h);
	return kg_http_field_line(h, start, end);
}

/* A byte of the request line before its CR: early 400, 501 and 414. */
static int kg_http_request_byte(struct kg_http_head *h, u8 c)
{
	if (c == ' ') {
		h->sp++;
		return KG_HTTP_MORE;
	}
	if (!h->sp) {
		if (!kg_is_tchar(c))
			return kg_http_fail(h, KG_HTTP_WHY_METHOD);
		if (h->len > KG_HTTP_METHOD_MAX)
			return kg_http_fail(h, KG_HTTP_WHY_METHOD_LONG);
	} else if (h->sp == 1) {
		if (++h->tlen > h->max_uri)
			return kg_http_fail(h, KG_HTTP_WHY_URI_LONG);
	}
	return KG_HTTP_MORE;
}

int kg_http_head_feed(struct kg_http_head *h, const u8 *buf, size_t len,
		      size_t *used)
{
	size_t i;
	int rc;
	u8 c;

	*used = 0;
	if (h->state == KG_H_END)
		return h->rc;
	for (i = 0; i < len; i++) {
		c = buf[i];
		*used = i + 1;
		if (h->state == KG_H_LEAD_LF) {
			if (c != '\n')
				return kg_http_fail(h, KG_HTTP_WHY_BARE_CR);
			h->lead++;
			h->state = KG_H_START;
			continue;
		}
		if (h->state == KG_H_START && !h->response) {
			if (c == '\r') {
				if (h->lead)
					return kg_http_fail(h, KG_HTTP_WHY_EMPTY_LINES);
				h->state = KG_H_LEAD_LF;
				continue;
			}
		}
		if (h->state == KG_H_CR) {
			if (c != '\n')
				return kg_http_fail(h, KG_HTTP_WHY_BARE_CR);
		} else if (c == '\n') {
			return kg_http_fail(h, KG_HTTP_WHY_BARE_LF);
		}
		if (h->len >= h->cap) {
			if (h->cap < h->max_head) {
				/* Nothing of this byte is taken yet. */
				*used = i;
				return KG_HTTP_ROOM;
			}
			if (!h->response && !h->line && h->sp == 1)
				return kg_http_fail(h, KG_HTTP_WHY_URI_LONG);
			return kg_http_fail(h, KG_HTTP_WHY_HEAD_LARGE);
		}
		h->buf[h->len++] = c;
		if (c == '\r') {
			h->state = KG_H_CR;
			continue;
		}
		h->state = KG_H_LINE;
		if (c == '\n') {
			rc = kg_http_line(h);
			if (rc != KG_HTTP_MORE)
				return rc;
			h->line = h->len;
			continue;
		}
		if (!h->line && !h->response) {
			rc = kg_http_request_byte(h, c);
			if (rc != KG_HTTP_MORE)
				return rc;
		}
	}
	return KG_HTTP_MORE;
}

int kg_http_field_find(const struct kg_http_head *h, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < h->nfields; i++)
		if (h->fields[i].id == id)
			return i;
	return -1;
}

/* ---- body ------------------------------------------------------------ */

enum {
	KG_B_DONE,
	KG_B_ERR,
	KG_B_LENGTH,		/* Content-Length countdown */
	KG_B_CLOSE,		/* until the peer closes */
	KG_B_SIZE0,		/* the first hex digit of a chunk-size */
	KG_B_SIZE,		/* more hex digits */
	KG_B_SIZE_WS,		/* BWS after the size: ';' must follow */
	KG_B_EXT_PRE,		/* BWS after ';' */
	KG_B_EXT_NAME,
	KG_B_EXT_POST_NAME,	/* BWS after a name: '=' or ';' */
	KG_B_EXT_PRE_VAL,	/* BWS after '=' */
	KG_B_EXT_VAL,		/* a token value */
	KG_B_EXT_QUOTED,	/* inside a quoted-string */
	KG_B_EXT_QESC,		/* after a backslash in it */
	KG_B_EXT_AFTER_VAL,	/* after a closing quote */
	KG_B_EXT_POST_VAL,	/* BWS after a value: ';' must follow */
	KG_B_SIZE_LF,		/* CR of the chunk line seen */
	KG_B_DATA,
	KG_B_DATA_CR,
	KG_B_DATA_LF,
	KG_B_TR_START,		/* start of a trailer line */
	KG_B_TR_NAME,
	KG_B_TR_VALUE,
	KG_B_TR_LF,
	KG_B_TR_END_LF,		/* CR of the last empty line seen */
};

void kg_http_body_init_framing(struct kg_http_body *b, unsigned int framing,
			       u64 length, bool response)
{
	u8 *p = (u8 *)b;
	size_t i;

	for (i = 0; i < sizeof(*b); i++)
		p[i] = 0;
	b->max_chunk_line = KG_HTTP_CHUNK_LINE_MAX;
	b->max_ext = KG_HTTP_EXT_MAX;
	b->max_trailer = KG_HTTP_TRAILER_MAX;
	b->max_trailer_fields = KG_HTTP_TRAILER_FIELDS;
	b->response = response;
	b->framing = framing;
	switch (framing) {
	case KG_HTTP_BODY_LENGTH:
		b->left = length;
		b->state = length ? KG_B_LENGTH : KG_B_DONE;
		break;
	case KG_HTTP_BODY_CHUNKED:
		b->state = KG_B_SIZE0;
		break;
	case KG_HTTP_BODY_CLOSE:
		b->state = KG_B_CLOSE;
		break;
	default:
		b->state = KG_B_DONE;
		break;
	}
	b->rc = b->state == KG_B_DONE ? KG_HTTP_DONE : KG_HTTP_MORE;
}

void kg_http_body_init(struct kg_http_body *b, const struct kg_http_head *h)
{
	kg_http_body_init_framing(b, h->framing, h->content_length,
				  h->response);
}

static int kg_http_body_fail(struct kg_http_body *b, unsigned int why)
{
	int rc = KG_HTTP_E_BAD_REQUEST;

	if (b->response)
		rc = KG_HTTP_E_BAD_GATEWAY;
	else if (why == KG_HTTP_WHY_BODY_LARGE)
		rc = KG_HTTP_E_BODY_TOO_LARGE;
	else if (why == KG_HTTP_WHY_TRAILER_LARGE)
		rc = KG_HTTP_E_FIELDS_TOO_LARGE;
	b->why = why;
	b->rc = rc;
	b->state = KG_B_ERR;
	return rc;
}

/* The end of a chunk-size line: start its data, or the trailer. */
static int kg_http_chunk_start(struct kg_http_body *b)
{
	if (!b->left) {
		b->state = KG_B_TR_START;
		b->line = 0;
		return KG_HTTP_MORE;
	}
	if (b->left > KG_HTTP_LEN_MAX - b->payload)
		return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_SIZE);
	if (b->max_payload && b->payload + b->left > b->max_payload)
		return kg_http_body_fail(b, KG_HTTP_WHY_BODY_LARGE);
	b->state = KG_B_DATA;
	return KG_HTTP_MORE;
}

/* One byte of a chunk-size line (before its CR) or of its CR. */
static int kg_http_chunk_line_byte(struct kg_http_body *b, u8 c)
{
	int v;

	if (c == '\n')
		return kg_http_body_fail(b, KG_HTTP_WHY_BARE_LF);
	/* counters compared before they grow: they never wrap */
	if (c != '\r') {
		if (b->line >= b->max_chunk_line)
			return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_LONG);
		b->line++;
		if (b->state >= KG_B_EXT_PRE && b->state <= KG_B_EXT_POST_VAL) {
			if (b->ext >= b->max_ext)
				return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_LONG);
			b->ext++;
		}
	}

	switch (b->state) {
	case KG_B_SIZE0:
	case KG_B_SIZE:
		v = kg_hexval(c);
		if (v >= 0) {
			if (b->left > KG_HTTP_LEN_MAX >> 4)
				return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_SIZE);
			b->left = b->left << 4 | v;
			b->state = KG_B_SIZE;
			return KG_HTTP_MORE;
		}
		if (b->state == KG_B_SIZE0)
			return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_SIZE);
		if (c == '\r')
			b->state = KG_B_SIZE_LF;
		else if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (kg_is_ws(c))
			b->state = KG_B_SIZE_WS;
		else
			return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_SIZE);
		return KG_HTTP_MORE;
	case KG_B_SIZE_WS:
		if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (!kg_is_ws(c))
			return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_SIZE);
		return KG_HTTP_MORE;
	case KG_B_EXT_PRE:
		if (kg_is_tchar(c))
			b->state = KG_B_EXT_NAME;
		else if (!kg_is_ws(c))
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_NAME:
		if (c == '=')
			b->state = KG_B_EXT_PRE_VAL;
		else if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (kg_is_ws(c))
			b->state = KG_B_EXT_POST_NAME;
		else if (c == '\r')
			b->state = KG_B_SIZE_LF;
		else if (!kg_is_tchar(c))
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_POST_NAME:
		if (c == '=')
			b->state = KG_B_EXT_PRE_VAL;
		else if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (!kg_is_ws(c))
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_PRE_VAL:
		if (c == '"')
			b->state = KG_B_EXT_QUOTED;
		else if (kg_is_tchar(c))
			b->state = KG_B_EXT_VAL;
		else if (!kg_is_ws(c))
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_VAL:
		if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (kg_is_ws(c))
			b->state = KG_B_EXT_POST_VAL;
		else if (c == '\r')
			b->state = KG_B_SIZE_LF;
		else if (!kg_is_tchar(c))
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_QUOTED:
		if (c == '"')
			b->state = KG_B_EXT_AFTER_VAL;
		else if (c == '\\')
			b->state = KG_B_EXT_QESC;
		else if (!kg_is_value_char(c))
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_QESC:
		if (!kg_is_value_char(c))
			break;
		b->state = KG_B_EXT_QUOTED;
		return KG_HTTP_MORE;
	case KG_B_EXT_AFTER_VAL:
		if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (kg_is_ws(c))
			b->state = KG_B_EXT_POST_VAL;
		else if (c == '\r')
			b->state = KG_B_SIZE_LF;
		else
			break;
		return KG_HTTP_MORE;
	case KG_B_EXT_POST_VAL:
		if (c == ';')
			b->state = KG_B_EXT_PRE;
		else if (!kg_is_ws(c))
			break;
		return KG_HTTP_MORE;
	}
	return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_EXT);
}

/* One byte of the trailer section. */
static int kg_http_trailer_byte(struct kg_http_body *b, u8 c, bool *done)
{
	if (b->trailer >= b->max_trailer)
		return kg_http_body_fail(b, KG_HTTP_WHY_TRAILER_LARGE);
	b->trailer++;
	switch (b->state) {
	case KG_B_TR_START:
		if (c == '\r') {
			b->state = KG_B_TR_END_LF;
		} else if (kg_is_tchar(c)) {
			if (b->tfields >= b->max_trailer_fields)
				return kg_http_body_fail(b, KG_HTTP_WHY_TRAILER_LARGE);
			b->tfields++;
			b->state = KG_B_TR_NAME;
		} else {
			return kg_http_body_fail(b, c == '\n' ?
						 KG_HTTP_WHY_BARE_LF :
						 KG_HTTP_WHY_TRAILER);
		}
		return KG_HTTP_MORE;
	case KG_B_TR_NAME:
		if (c == ':')
			b->state = KG_B_TR_VALUE;
		else if (!kg_is_tchar(c))
			return kg_http_body_fail(b, c == '\n' ?
						 KG_HTTP_WHY_BARE_LF :
						 KG_HTTP_WHY_TRAILER);
		return KG_HTTP_MORE;
	case KG_B_TR_VALUE:
		if (c == '\r')
			b->state = KG_B_TR_LF;
		else if (!kg_is_value_char(c))
			return kg_http_body_fail(b, c == '\n' ?
						 KG_HTTP_WHY_BARE_LF :
						 KG_HTTP_WHY_TRAILER);
		return KG_HTTP_MORE;
	case KG_B_TR_LF:
		if (c != '\n')
			return kg_http_body_fail(b, KG_HTTP_WHY_BARE_CR);
		b->state = KG_B_TR_START;
		return KG_HTTP_MORE;
	default:	/* KG_B_TR_END_LF */
		if (c != '\n')
			return kg_http_body_fail(b, KG_HTTP_WHY_BARE_CR);
		b->state = KG_B_DONE;
		*done = true;
		return KG_HTTP_MORE;
	}
}

int kg_http_body_feed(struct kg_http_body *b, const u8 *buf, size_t len,
		      size_t *used)
{
	bool done = false;
	size_t i = 0;
	u64 n;
	int rc;
	u8 c;

	*used = 0;
	if (b->state == KG_B_DONE || b->state == KG_B_ERR)
		return b->rc;
	if (b->state == KG_B_CLOSE) {
		/* saturates rather than wraps */
		b->payload = len > ~0ULL - b->payload ? ~0ULL : b->payload + len;
		*used = len;
		return KG_HTTP_MORE;
	}
	if (b->state == KG_B_LENGTH) {
		/* payload + left is the Content-Length: no overflow */
		if (b->max_payload && b->payload + b->left > b->max_payload)
			return kg_http_body_fail(b, KG_HTTP_WHY_BODY_LARGE);
		n = len < b->left ? len : b->left;
		b->left -= n;
		b->payload += n;
		*used = n;
		if (b->left)
			return KG_HTTP_MORE;
		b->state = KG_B_DONE;
		b->rc = KG_HTTP_DONE;
		return KG_HTTP_DONE;
	}
	while (i < len) {
		c = buf[i];
		if (b->state == KG_B_DATA) {
			n = len - i < b->left ? len - i : b->left;
			b->left -= n;
			b->payload += n;
			i += n;
			if (!b->left)
				b->state = KG_B_DATA_CR;
			continue;
		}
		i++;
		*used = i;
		switch (b->state) {
		case KG_B_DATA_CR:
			if (c != '\r')
				return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_END);
			b->state = KG_B_DATA_LF;
			break;
		case KG_B_DATA_LF:
			if (c != '\n')
				return kg_http_body_fail(b, KG_HTTP_WHY_CHUNK_END);
			b->state = KG_B_SIZE0;
			b->line = 0;
			break;
		case KG_B_SIZE_LF:
			if (c != '\n')
				return kg_http_body_fail(b, KG_HTTP_WHY_BARE_CR);
			rc = kg_http_chunk_start(b);
			if (rc)
				return rc;
			break;
		case KG_B_TR_START:
		case KG_B_TR_NAME:
		case KG_B_TR_VALUE:
		case KG_B_TR_LF:
		case KG_B_TR_END_LF:
			rc = kg_http_trailer_byte(b, c, &done);
			if (rc)
				return rc;
			if (done) {
				b->rc = KG_HTTP_DONE;
				return KG_HTTP_DONE;
			}
			break;
		default:
			rc = kg_http_chunk_line_byte(b, c);
			if (rc)
				return rc;
			break;
		}
	}
	*used = len;
	return KG_HTTP_MORE;
}

int kg_http_body_eof(struct kg_http_body *b)
{
	if (b->state == KG_B_CLOSE) {
		b->state = KG_B_DONE;
		b->rc = KG_HTTP_DONE;
	}
	if (b->state == KG_B_DONE || b->state == KG_B_ERR)
		return b->rc;
	return kg_http_body_fail(b, KG_HTTP_WHY_TRUNCATED);
}

/* ---- paths ----------------------------------------------------------- */

static const char kg_hex_upper[] = "0123456789ABCDEF";

int kg_http_path_normalize(const u8 *in, size_t len, u8 *out, size_t outcap,
			   size_t *outlen)
{
	size_t i = 0, o = 0, mark, seg, n;
	int hi, lo;
	bool last;
	u8 c;

	*outlen = 0;
	if (len && in[0] != '/' && in[0] != '?')
		return KG_HTTP_E_BAD_REQUEST;
	while (i < len && in[i] != '?') {
		i++;			/* the '/' */
		mark = o;
		if (o >= outcap)
			return KG_HTTP_E_URI_TOO_LONG;
		out[o++] = '/';
		seg = o;
		while (i < len && in[i] != '/' && in[i] != '?') {
			c = in[i];
			if (c == '%') {
				if (len - i < 3)
					return KG_HTTP_E_BAD_REQUEST;
				hi = kg_hexval(in[i + 1]);
				lo = kg_hexval(in[i + 2]);
				if (hi < 0 || lo < 0)
					return KG_HTTP_E_BAD_REQUEST;
				c = hi << 4 | lo;
				if (c == '/' || c == '\\' || c < 0x20 ||
				    c == 0x7f)
					return KG_HTTP_E_BAD_REQUEST;
				i += 3;
				if (!kg_is_unreserved(c)) {
					if (outcap - o < 3)
						return KG_HTTP_E_URI_TOO_LONG;
					out[o++] = '%';
					out[o++] = kg_hex_upper[hi];
					out[o++] = kg_hex_upper[lo];
					continue;
				}
			} else if (kg_is_pchar(c)) {
				i++;
			} else {
				return KG_HTTP_E_BAD_REQUEST;
			}
			if (o >= outcap)
				return KG_HTTP_E_URI_TOO_LONG;
			out[o++] = c;
		}
		n = o - seg;
		last = i >= len || in[i] == '?';
		if ((n == 1 && out[seg] == '.') ||
		    (n == 2 && out[seg] == '.' && out[seg + 1] == '.')) {
			o = mark;
			if (n == 2) {
				while (o && out[o - 1] != '/')
					o--;
				if (o)
					o--;
			}
			if (last)
				out[o++] = '/';	/* o < mark + 1 <= outcap */
		} else if ((n >= 2 && out[seg] == '.' && out[seg + 1] == ';') ||
			   (n >= 3 && out[seg] == '.' && out[seg + 1] == '.' &&
			    out[seg + 2] == ';')) {
			return KG_HTTP_E_BAD_REQUEST;
		}
	}
	if (!o) {
		if (!outcap)
			return KG_HTTP_E_URI_TOO_LONG;
		out[o++] = '/';
	}
	*outlen = o;
	return 0;
}

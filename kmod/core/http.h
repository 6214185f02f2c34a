/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An incremental, strict HTTP/1.1 message parser (RFC 9110, RFC 9112) for
 * the in-kernel reverse proxy, without kernel headers: the same code runs in
 * the module, in the unit tests and in the fuzzer.
 *
 * Use: the caller owns every byte of state.  A head parser (struct
 * kg_http_head) copies the request or response head into a buffer the
 * caller gives it, one bounded buffer per connection, and after
 * KG_HTTP_DONE describes it as offsets into that buffer.  Bytes come in
 * pieces as the socket delivers them: kg_http_head_feed() and
 * kg_http_body_feed() take any split of a message, down to one byte a
 * call, and give exactly the result of the message fed whole (the fuzzer
 * checks it).  No allocation, no recursion, no loop without a bound; the
 * work is linear in the bytes fed, plus at most one pass per Connection
 * option over the fields when the head is complete.
 *
 * Results: KG_HTTP_MORE (0, feed more), KG_HTTP_DONE (1, the head or the
 * message is complete: *used bytes of this call belong to it, the rest is
 * the body or the next message), KG_HTTP_ROOM (2, a head only: its buffer
 * is full below the head's limit, so that a caller can start small and
 * grow with kg_http_head_rebuf()), or an error, the negative of the status
 * the proxy answers with (kg_http_status()): 400, 413, 414, 431, 501, 505
 * for a request, always 502 for a response.  The reason is in ->why
 * (kg_http_why_str() for logs).  Errors are sticky: a parser that failed
 * returns the same error again.  On an error *used counts the bytes up to
 * and including the one that decided it.
 *
 * Choices where the RFCs leave room (the README quotes them):
 * - Line ends are CRLF only.  A bare LF or a bare CR anywhere in a head,
 *   chunk line or trailer is refused (400, or 502 in a response).
 * - One empty line (CRLF) before a request line is skipped (RFC 9112
 *   section 2.2: "at least one"), a second one is refused; none before a
 *   status line.
 * - Request line: exactly one SP between its three parts.  A target longer
 *   than max_uri is 414 (also when the head buffer fills up inside it).
 *   Target characters are those RFC 3986 allows (no '#', no '\', no
 *   '{', '|', '"', ...), every '%' followed by two hex digits.  Origin
 *   form with any method; absolute form "http://" or "https://" with an
 *   authority and no userinfo, whose host and port must equal Host's
 *   (the port of the scheme when absent); "*" only with OPTIONS;
 *   authority form "host:port" only, and always, with CONNECT.
 * - Versions: HTTP/1.0 and HTTP/1.1; HTTP/1.x with a higher minor is
 *   taken as 1.1 (RFC 9110 section 6.2); another major is 505; anything
 *   else 400.  A method longer than KG_HTTP_METHOD_MAX is 501.
 * - Host: exactly one in HTTP/1.1, at most one in HTTP/1.0, never empty:
 *   a reg-name of ALPHA DIGIT "-" "." "_" "~" (no percent-encoding, no
 *   sub-delims), or an IPv6 literal in brackets (no zone, no IPvFuture),
 *   and an optional port of 1 to 5 digits up to 65535 (not "host:").
 * - Content-Length: 1*DIGIT up to 2^63 - 1; a second Content-Length field
 *   or a list, even of equal values (RFC 9110 section 8.6 allows either),
 *   is refused, and so is Content-Length with Transfer-Encoding (request
 *   and response).
 * - Transfer-Encoding: a list of codings, empty elements skipped, at
 *   least one; chunked at most once.  Request: chunked must be last (else
 *   400), the codings known are chunked, gzip, x-gzip, deflate, compress,
 *   x-compress, others and any parameter are 501; HTTP/1.0 is 400.
 *   Response: chunked last is chunked framing, otherwise the body is
 *   close-delimited (RFC 9112 section 6.3); refused in HTTP/1.0 and in
 *   1xx and 204 responses.
 * - Connection: a list of tokens.  close, keep-alive and upgrade are
 *   flags; every field named by another option is marked hop-by-hop
 *   (KG_HTTP_FIELD_HOP), with Connection, Keep-Alive, Proxy-Connection, TE
 *   and Upgrade themselves.  Transfer-Encoding is not marked: the proxy
 *   relays the chunked body as it came.  A Connection option naming Host,
 *   Content-Length or Transfer-Encoding is refused (400): removing one of
 *   those on the way would change the message's framing or route.
 * - Upgrade counts (KG_HTTP_F_UPGRADE) only in HTTP/1.1 with the upgrade
 *   option in Connection, Expect: 100-continue only in HTTP/1.1; other
 *   expectations are ignored.
 * - Persistence: HTTP/1.1 unless "close"; HTTP/1.0 only with "keep-alive"
 *   and without "close"; a close-delimited or tunnel response never.
 * - Field lines: a token, ':' at once (no whitespace before it), the value
 *   without leading and trailing SP/HTAB, of VCHAR, obs-text, SP and HTAB
 *   only (no NUL, no other CTL, no DEL).  A line starting with SP or HTAB
 *   (obs-fold, or whitespace before the first field) is refused.
 * - Bodies: chunk-size of hex digits, no whitespace after it unless a ';'
 *   follows, up to 2^63 - 1; extensions parsed (token names, token or
 *   quoted-string values, BWS around ';' and '=') and bounded per chunk
 *   line and per message; trailer fields under the field line rules,
 *   bounded in bytes and count.  Payload bytes are counted, with an
 *   optional limit (413 for requests).
 * - Paths (kg_http_path_normalize()): percent-encoded unreserved
 *   characters are decoded, other escapes get upper-case hex, dot-segments
 *   are removed (RFC 3986 sections 6.2.2 and 5.2.4, never above "/").
 *   An encoded "/" (%2F), "\" (%5C), NUL or other control character
 *   (%00-%1F, %7F), a raw character outside RFC 3986's pchar, a broken
 *   escape, and a segment "." or ".." followed by ';' (a path parameter
 *   some servers strip) are refused with 400 rather than guessed: path
 *   confusion through encoded separators never reaches a match.  The proxy
 *   forwards the normalised path, with the query as it came.
 */
#ifndef _KGATE_CORE_HTTP_H
#define _KGATE_CORE_HTTP_H

#include "port.h"

/* Results of the feed functions; errors are -(HTTP status). */
#define KG_HTTP_MORE			0
#define KG_HTTP_DONE			1
#define KG_HTTP_ROOM			2
#define KG_HTTP_E_BAD_REQUEST		(-400)
#define KG_HTTP_E_BODY_TOO_LARGE	(-413)
#define KG_HTTP_E_URI_TOO_LONG		(-414)
#define KG_HTTP_E_FIELDS_TOO_LARGE	(-431)
#define KG_HTTP_E_NOT_IMPLEMENTED	(-501)
#define KG_HTTP_E_BAD_GATEWAY		(-502)
#define KG_HTTP_E_VERSION		(-505)

/* The status code the proxy answers an error result with. */
static inline int kg_http_status(int rc)
{
	return rc < 0 ? -rc : 0;
}

/* Why a message was refused: ->why of a head or body parser. */
enum kg_http_why {
	KG_HTTP_WHY_NONE,
	KG_HTTP_WHY_BARE_CR,		/* CR not followed by LF */
	KG_HTTP_WHY_BARE_LF,		/* LF not preceded by CR */
	KG_HTTP_WHY_EMPTY_LINES,	/* more than one CRLF before a request */
	KG_HTTP_WHY_START_LINE,		/* request or status line malformed */
	KG_HTTP_WHY_METHOD,		/* method not a token */
	KG_HTTP_WHY_METHOD_LONG,	/* method longer than KG_HTTP_METHOD_MAX */
	KG_HTTP_WHY_TARGET,		/* request-target malformed or wrong form */
	KG_HTTP_WHY_URI_LONG,		/* request-target longer than max_uri */
	KG_HTTP_WHY_VERSION,		/* HTTP-version malformed */
	KG_HTTP_WHY_VERSION_MAJOR,	/* not HTTP/1.x */
	KG_HTTP_WHY_STATUS,		/* status code not 100..599 */
	KG_HTTP_WHY_REASON,		/* reason phrase with a control char */
	KG_HTTP_WHY_HEAD_LARGE,		/* head longer than the buffer */
	KG_HTTP_WHY_FIELDS_MANY,	/* more fields than max_fields */
	KG_HTTP_WHY_OBS_FOLD,		/* field line starting with SP or HTAB */
	KG_HTTP_WHY_FIELD_NAME,		/* field name empty or not a token */
	KG_HTTP_WHY_NAME_SPACE,		/* whitespace between name and colon */
	KG_HTTP_WHY_FIELD_VALUE,	/* NUL, CTL or DEL in a field value */
	KG_HTTP_WHY_HOST_MISSING,	/* HTTP/1.1 request without Host */
	KG_HTTP_WHY_HOST_DUP,		/* Host twice */
	KG_HTTP_WHY_HOST_BAD,		/* Host (or target authority) invalid */
	KG_HTTP_WHY_HOST_MISMATCH,	/* absolute-form host differs from Host */
	KG_HTTP_WHY_CL_BAD,		/* Content-Length not 1*DIGIT < 2^63 */
	KG_HTTP_WHY_CL_DUP,		/* Content-Length twice */
	KG_HTTP_WHY_CL_TE,		/* Content-Length and Transfer-Encoding */
	KG_HTTP_WHY_TE_BAD,		/* empty, chunked twice, or not last */
	KG_HTTP_WHY_TE_UNKNOWN,		/* a coding (or parameter) not known */
	KG_HTTP_WHY_TE_HTTP10,		/* Transfer-Encoding in HTTP/1.0 */
	KG_HTTP_WHY_TE_STATUS,		/* Transfer-Encoding in 1xx or 204 */
	KG_HTTP_WHY_CONNECTION,		/* bad Connection option */
	KG_HTTP_WHY_CHUNK_SIZE,		/* chunk-size malformed or too big */
	KG_HTTP_WHY_CHUNK_EXT,		/* chunk extension malformed */
	KG_HTTP_WHY_CHUNK_LONG,		/* chunk line or extensions too long */
	KG_HTTP_WHY_CHUNK_END,		/* no CRLF after chunk data */
	KG_HTTP_WHY_TRAILER,		/* trailer field malformed */
	KG_HTTP_WHY_TRAILER_LARGE,	/* trailer section too large */
	KG_HTTP_WHY_BODY_LARGE,		/* more payload than max_payload */
	KG_HTTP_WHY_TRUNCATED,		/* connection closed inside a body */
	KG_HTTP_WHY_PATH,		/* path refused by normalisation */
	KG_HTTP_WHY_NUM
};

const char *kg_http_why_str(unsigned int why);

/* Methods; any other token is KG_HTTP_M_OTHER (the bytes are in the head). */
enum kg_http_method {
	KG_HTTP_M_OTHER,
	KG_HTTP_M_GET,
	KG_HTTP_M_HEAD,
	KG_HTTP_M_POST,
	KG_HTTP_M_PUT,
	KG_HTTP_M_DELETE,
	KG_HTTP_M_CONNECT,
	KG_HTTP_M_OPTIONS,
	KG_HTTP_M_TRACE,
	KG_HTTP_M_PATCH,
};

/* RFC 9110 section 9.2.2: safe to retry on another backend. */
static inline bool kg_http_method_idempotent(unsigned int m)
{
	return m == KG_HTTP_M_GET || m == KG_HTTP_M_HEAD ||
	       m == KG_HTTP_M_PUT || m == KG_HTTP_M_DELETE ||
	       m == KG_HTTP_M_OPTIONS || m == KG_HTTP_M_TRACE;
}

enum kg_http_target_form {
	KG_HTTP_T_ORIGIN,		/* /path?query */
	KG_HTTP_T_ABSOLUTE,		/* http://authority/path?query */
	KG_HTTP_T_AUTHORITY,		/* host:port (CONNECT) */
	KG_HTTP_T_ASTERISK,		/* * (OPTIONS) */
};

/* How the message's body ends (RFC 9112 section 6.3). */
enum kg_http_framing {
	KG_HTTP_BODY_NONE,		/* no body: the message ends with the head */
	KG_HTTP_BODY_LENGTH,		/* content_length bytes */
	KG_HTTP_BODY_CHUNKED,		/* chunked coding, last */
	KG_HTTP_BODY_CLOSE,		/* response: until the upstream closes */
	KG_HTTP_BODY_TUNNEL,		/* 101, or 2xx to CONNECT: bytes both ways */
};

/* Fields the parser knows by name (->id of a field). */
enum kg_http_field_id {
	KG_HTTP_H_OTHER,
	KG_HTTP_H_HOST,
	KG_HTTP_H_CONTENT_LENGTH,
	KG_HTTP_H_TRANSFER_ENCODING,
	KG_HTTP_H_CONNECTION,
	KG_HTTP_H_KEEP_ALIVE,
	KG_HTTP_H_PROXY_CONNECTION,
	KG_HTTP_H_TE,
	KG_HTTP_H_UPGRADE,
	KG_HTTP_H_EXPECT,
	KG_HTTP_H_NUM
};

/* ->flags of a field */
#define KG_HTTP_FIELD_HOP	0x01	/* hop-by-hop: not forwarded as is */

/* A span of the head buffer. */
struct kg_http_span {
	u16 off;
	u16 len;
};

struct kg_http_field {
	struct kg_http_span name;
	struct kg_http_span value;	/* without leading/trailing SP, HTAB */
	u8 id;				/* enum kg_http_field_id */
	u8 flags;			/* KG_HTTP_FIELD_* */
};

/* ->flags of a head */
#define KG_HTTP_F_KEEP_ALIVE	0x0001	/* connection persists after it */
#define KG_HTTP_F_CLOSE		0x0002	/* Connection: close */
#define KG_HTTP_F_KA_OPTION	0x0004	/* Connection: keep-alive */
#define KG_HTTP_F_UPGRADE_OPT	0x0008	/* Connection: upgrade */
#define KG_HTTP_F_UPGRADE_FIELD	0x0010	/* an Upgrade field */
#define KG_HTTP_F_UPGRADE	0x0020	/* 1.1, Upgrade and the option: asked */
#define KG_HTTP_F_CONTINUE	0x0040	/* Expect: 100-continue (1.1) */
#define KG_HTTP_F_CL		0x0080	/* Content-Length present */
#define KG_HTTP_F_TE		0x0100	/* Transfer-Encoding present */
#define KG_HTTP_F_CHUNKED	0x0200	/* chunked is the last coding */
#define KG_HTTP_F_HOST		0x0400	/* Host present (->host, ->port) */
#define KG_HTTP_F_INFO		0x0800	/* 1xx but 101: another head follows */
#define KG_HTTP_F_CONN_OTHER	0x1000	/* Connection names other fields */

/* Largest head buffer: offsets are u16. */
#define KG_HTTP_HEAD_MAX	65535
/* Longest method accepted (RFC 9112 section 3: longer is 501). */
#define KG_HTTP_METHOD_MAX	32

struct kg_http_head {
	/* Set by kg_http_head_init(): the caller's buffer and limits. */
	u8 *buf;			/* the head is copied here */
	struct kg_http_field *fields;	/* max_fields entries */
	u16 cap;			/* bytes of buf */
	u16 max_head;			/* the largest head: cap, or more */
	u16 max_fields;
	u16 max_uri;			/* longest request-target */
	bool response;			/* parse a status line, not a request */
	u8 req_method;			/* response: the request's method */

	/* Results, valid after KG_HTTP_DONE (offsets into buf). */
	u8 why;				/* enum kg_http_why after an error */
	u8 method;			/* enum kg_http_method */
	u8 form;			/* enum kg_http_target_form */
	u8 minor;			/* HTTP/1.minor: 0 or 1 */
	u8 framing;			/* enum kg_http_framing */
	u16 status;			/* response: 100..599 */
	u16 flags;			/* KG_HTTP_F_* */
	u16 nfields;
	u16 port;			/* Host's port, 0 if none */
	u16 len;			/* bytes of the head in buf */
	struct kg_http_span mtoken;	/* the method */
	struct kg_http_span target;	/* the whole request-target */
	struct kg_http_span path;	/* its path (empty: "/" implied) */
	struct kg_http_span query;	/* after '?', without it */
	struct kg_http_span host;	/* Host's host part, without the port */
	struct kg_http_span reason;	/* response: the reason phrase */
	u64 content_length;

	/* Parser state. */
	int rc;				/* sticky result once not MORE */
	u16 line;			/* offset of the line being read */
	u16 sp;				/* request line: spaces seen */
	u16 tlen;			/* request line: target bytes seen */
	u8 state;
	u8 lead;			/* empty lines skipped */
	u8 te_chunked;			/* chunked seen among the codings */
	u8 conn_opts;			/* other Connection options seen */
	u16 te_n;			/* transfer codings seen (saturating) */
	u16 tport;			/* absolute-form authority's port */
	struct kg_http_span thost;	/* absolute-form authority's host */
};

/*
 * Ready @h to parse one request head into @buf of @cap bytes (at most
 * KG_HTTP_HEAD_MAX: the largest head, else 431) with at most @max_fields
 * fields (else 431) and a request-target of at most @max_uri bytes (else
 * 414).  Call it again for each request.
 */
void kg_http_head_init(struct kg_http_head *h, u8 *buf, u16 cap,
		       struct kg_http_field *fields, u16 max_fields,
		       u16 max_uri);

/* The same for a response to a request of method @req_method. */
void kg_http_head_init_response(struct kg_http_head *h, u8 *buf, u16 cap,
				struct kg_http_field *fields, u16 max_fields,
				unsigned int req_method);

/*
 * Let the head grow to @max_head bytes (at most KG_HTTP_HEAD_MAX) in
 * buffers larger than the first: when the buffer is full below it, feed
 * returns KG_HTTP_ROOM.  A proxy so spends a small buffer on a small head.
 */
void kg_http_head_allow(struct kg_http_head *h, u16 max_head);

/*
 * Go on in @buf of @cap bytes (more than before), which holds a copy of
 * the ->len bytes of the old buffer; the old one is no longer used.
 */
void kg_http_head_rebuf(struct kg_http_head *h, u8 *buf, u16 cap);

/*
 * Feed @len bytes at @buf.  KG_HTTP_MORE: all of them were taken, feed
 * more; KG_HTTP_DONE: the head ends after *@used bytes of these;
 * KG_HTTP_ROOM: *@used bytes were taken, the buffer is full, feed the
 * rest after kg_http_head_rebuf(); else an error (see above).
 */
int kg_http_head_feed(struct kg_http_head *h, const u8 *buf, size_t len,
		      size_t *used);

/* The index of the first field with @id after DONE, or -1. */
int kg_http_field_find(const struct kg_http_head *h, unsigned int id);

struct kg_http_body {
	/* Limits, set by kg_http_body_init() to defaults; may be changed. */
	u64 max_payload;	/* data bytes (0: no limit), else 413 */
	u32 max_chunk_line;	/* bytes of one chunk-size line, CRLF excluded */
	u32 max_ext;		/* bytes of chunk extensions in the message */
	u32 max_trailer;	/* bytes of the trailer section */
	u16 max_trailer_fields;
	bool response;		/* errors are 502 */

	/* Results */
	u8 framing;		/* enum kg_http_framing */
	u8 why;
	u64 payload;		/* data bytes seen so far */

	/* State */
	int rc;
	u8 state;
	u64 left;		/* bytes of the body or of the chunk left */
	u32 line;		/* bytes of the current chunk or trailer line */
	u32 ext;		/* extension bytes so far */
	u32 trailer;		/* trailer bytes so far */
	u16 tfields;		/* trailer fields so far */
};

#define KG_HTTP_CHUNK_LINE_MAX	1024
#define KG_HTTP_EXT_MAX		4096
#define KG_HTTP_TRAILER_MAX	8192
#define KG_HTTP_TRAILER_FIELDS	32

/* Ready @b for the body of the message whose head @h parsed (DONE). */
void kg_http_body_init(struct kg_http_body *b, const struct kg_http_head *h);

/*
 * Ready @b for a body of framing @framing (enum kg_http_framing) and, for
 * KG_HTTP_BODY_LENGTH, @length bytes.
 */
void kg_http_body_init_framing(struct kg_http_body *b, unsigned int framing,
			       u64 length, bool response);

/*
 * Feed @len body bytes at @buf: KG_HTTP_MORE (all taken), KG_HTTP_DONE (the
 * message ends after *@used of them), or an error.  The bytes are only
 * checked, never changed: the proxy relays them as they are.  A body of
 * framing NONE or TUNNEL is DONE at once with *@used = 0.
 */
int kg_http_body_feed(struct kg_http_body *b, const u8 *buf, size_t len,
		      size_t *used);

/*
 * The peer closed: KG_HTTP_DONE if that ends the message (close-delimited,
 * or already complete), else an error (a truncated message).
 */
int kg_http_body_eof(struct kg_http_body *b);

/*
 * Normalise the path of a request-target for matching and forwarding (see
 * the choices above): @in[0..@len) is a path starting with '/' (or empty:
 * "/"), up to an optional '?' where it stops.  The result, never longer
 * than @len + 1 bytes, goes to @out[0..*@outlen); 0, or
 * KG_HTTP_E_BAD_REQUEST (refused), or KG_HTTP_E_URI_TOO_LONG (@outcap too
 * small).
 */
int kg_http_path_normalize(const u8 *in, size_t len, u8 *out, size_t outcap,
			   size_t *outlen);

#endif /* _KGATE_CORE_HTTP_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The heads the reverse proxy sends: a client's request rewritten for the
 * upstream, an upstream's response rewritten for the client, and kgate's
 * own short replies (redirects, errors, 100 Continue).  Pure C without
 * kernel headers, like http.c and match.c: the same code runs in the
 * module, the unit tests and the fuzzer.
 *
 * Every function writes into the caller's buffer @out of @cap bytes and
 * never past it, writes no NUL, never allocates, and works in time linear
 * in its input (the head's bytes and fields, the modifier's entries).  The
 * result is the length written, or a negative errno: -ENOSPC when @cap is
 * too small (the bytes in @out are then meaningless), -EINVAL for an input
 * the function refuses (said per function).
 *
 * Field names and values of a parsed head are copied bytewise from its
 * buffer (the parser's spans): the upstream sees the client's spelling.
 *
 * Header modifiers (Gateway API RequestHeaderModifier and
 * ResponseHeaderModifier, from kg_match_hdr_*()): every field line whose
 * name (case-insensitively) is in the modifier's set or remove lists is
 * dropped, then the set entries are appended, then the add entries, each
 * as one field line "name: value".  Some names are kgate's to write, and a
 * modifier entry naming one of them is ignored: Host, Content-Length,
 * Transfer-Encoding (routing and framing), and the hop-by-hop Connection,
 * Keep-Alive, Proxy-Connection, TE and Upgrade.  The forwarding fields
 * kgate adds to a request (X-Forwarded-*, X-Real-IP) are part of the
 * request the modifier acts on: a set or remove of one of them replaces or
 * drops kgate's line too.
 */
#ifndef _KGATE_CORE_FWD_H
#define _KGATE_CORE_FWD_H

#include "port.h"
#include "http.h"
#include "match.h"

/* Longest kg_fwd_addr() result: "ffff:ffff:...:ffff" (no NUL). */
#define KG_FWD_ADDR_MAX		39

/* A peer address: family 4 or 6, address in network byte order. */
struct kg_fwd_peer {
	u8 family;		/* 4 or 6 */
	u8 addr[16];		/* IPv4: first 4 bytes */
	u16 port;
};

struct kg_fwd_req {
	const struct kg_http_head *h;	/* parsed request head (its buffer) */
	const u8 *target;		/* to send: normalised / rewritten path + "?query" */
	u32 target_len;
	const u8 *host;			/* Host to send (rewrite or the request's, port incl.) */
	u32 host_len;			/* 0: no Host (HTTP/1.0 without one) */
	const struct kg_match_table *t;	/* request header modifier; NULL: none */
	u32 rule_id;			/* KG_MATCH_NONE: none */
	struct kg_fwd_peer client;
	u16 listener_port;
	bool https;			/* scheme kgate saw (false until TLS) */
	bool trust_forwarded;		/* keep/append the client's X-Forwarded-* */
};

/*
 * The head to send upstream into @out (@cap bytes): "METHOD TARGET HTTP/1.x" with the
 * client's minor version; every field of @h except hop-by-hop ones (KG_HTTP_FIELD_HOP,
 * and Host, which is rewritten from ->host); the request header modifier of rule_id applied
 * (kg_match_hdr_drop / _count / _get); X-Forwarded-For (client addr; appended to the client's
 * own values, comma separated, only when trust_forwarded, else the client's dropped),
 * X-Forwarded-Proto (http/https), X-Forwarded-Host (the request's Host), X-Forwarded-Port
 * (listener_port), X-Real-IP (client addr) — for the last four the client's own are kept when
 * trusted, replaced otherwise; "Connection: upgrade" + the Upgrade field when the request
 * asked for an upgrade (KG_HTTP_F_UPGRADE), else nothing for HTTP/1.1 (persistent by default)
 * and "Connection: keep-alive" for HTTP/1.0.  No Via.  Transfer-Encoding / Content-Length kept
 * as they came (the body is relayed as it came).  Ends with CRLF CRLF.
 * Returns the length, or -ENOSPC (or -EINVAL, below): negative errnos, as match.c.
 *
 * In detail, the order of the lines is: the request line; "Host: ->host"
 * (the first field, as RFC 9112 section 3.2 asks); the client's fields in
 * their order, minus those dropped; the modifier's set, then add entries;
 * X-Real-IP, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Port,
 * X-Forwarded-Proto (ingress-nginx's order); then Connection (and the
 * client's Upgrade lines).  With trust_forwarded the client's
 * X-Forwarded-For lines are joined into kgate's one line ("<values>,
 * <addr>", in their order, empty ones skipped), and for each of the other
 * four a client's own field, if any, stays in place instead of kgate's.
 * X-Forwarded-Host is the Host field's value as received; for an
 * absolute-form request without a Host field, the target's authority;
 * left out when the request has neither.
 *
 * -EINVAL: @h is not a completely parsed request head, the client's
 * family is not 4 or 6, the target is empty or holds a byte that is SP,
 * a control character or DEL, ->host holds one of those, or ->host_len is
 * 0 for an HTTP/1.1 request (which must have a Host).
 */
int kg_fwd_request(const struct kg_fwd_req *r, u8 *out, u32 cap);

struct kg_fwd_resp {
	const struct kg_http_head *h;	/* parsed response head */
	const struct kg_match_table *t;	/* response header modifier; NULL: none */
	u32 rule_id;			/* KG_MATCH_NONE: none */
	u8 client_minor;		/* the client's HTTP/1.minor */
	bool close;			/* kgate closes the client connection after it */
};

/*
 * The response head for the client: status line "HTTP/1.1 CODE REASON" (HTTP/1.1 always,
 * as servers do; the reason as the upstream gave it), fields minus hop-by-hop, the response
 * header modifier applied, then "Connection: close" when @close, "Connection: keep-alive"
 * for an HTTP/1.0 client that keeps it, "Connection: upgrade" + Upgrade for a 101.
 * Length or negative errno.
 *
 * In detail: the status line always has the SP before the reason, even
 * an empty one (RFC 9112 section 4).  A 1xx other than 101 (KG_HTTP_F_INFO,
 * e.g. 100 Continue) is relayed as it is: the status line and the fields
 * minus hop-by-hop, without the modifier and without Connection (@close
 * and @client_minor then do not matter: the final response carries them).
 * A 101 gets the modifier, then "Connection: upgrade" and the upstream's
 * Upgrade lines, never "Connection: close" (the tunnel ends the
 * connection anyway).  Content-Length and Transfer-Encoding are kept: the
 * caller must not relay a chunked response to an HTTP/1.0 client as such
 * (RFC 9112 section 6.1), it decides the framing.
 * -EINVAL: @h is not a completely parsed response head, or it is a 101
 * without an Upgrade field (the proxy answers 502).
 */
int kg_fwd_response(const struct kg_fwd_resp *r, u8 *out, u32 cap);

struct kg_fwd_reply {
	u16 status;			/* 3xx redirect, 4xx, 5xx, or 100 (continue) */
	bool close;			/* "Connection: close" */
	bool head;			/* answer to HEAD: no body (Content-Length still given) */
	u32 retry_after;		/* seconds, 0: none (429, 503) */
	const u8 *location;		/* redirect target, NULL: none */
	u32 location_len;
};

/*
 * A whole short response made by kgate: "HTTP/1.1 CODE REASON", "Content-Type:
 * text/plain", "Content-Length", "Connection: close" if @close, "Retry-After" and
 * "Location" if given, and the body "CODE REASON\n".  100 Continue: the status line and
 * CRLF only.  Length or negative errno (-ENOSPC, -EINVAL for an unknown status).
 *
 * In detail: the statuses taken are 100 and every 3xx, 4xx and 5xx that
 * kg_fwd_reason() knows except 304 (which has no body); the others are
 * -EINVAL.  Retry-After is written for any status when not 0.  A location
 * holding SP, a control character or DEL is -EINVAL (no header
 * injection); NULL or a length of 0 writes no Location.  For 100 every
 * other member is ignored.
 */
int kg_fwd_reply(const struct kg_fwd_reply *r, u8 *out, u32 cap);

/* The reason phrase of @status (RFC 9110's), or NULL. */
const char *kg_fwd_reason(u16 status);

/* Format an address for X-Forwarded-For / X-Real-IP: "1.2.3.4" or "fd00::1"
 * (RFC 5952 compressed, no brackets).  Length or negative errno.
 *
 * No NUL is written: at most KG_FWD_ADDR_MAX bytes.  An IPv4-mapped
 * address is written as IPv6 ("::ffff:102:304").  -EINVAL: a family other
 * than 4 or 6; -ENOSPC.
 */
int kg_fwd_addr(const struct kg_fwd_peer *p, char *out, u32 cap);

#endif /* _KGATE_CORE_FWD_H */

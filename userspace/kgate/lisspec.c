// SPDX-License-Identifier: GPL-2.0
/*
 * Listener syntax: "ADDR:PORT SPEC..." after the name, and the unit
 * suffixes of sizes and durations.  Values are checked for syntax and
 * the width of their wire type; ranges are the kernel's to judge.
 */
#include <errno.h>
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

int args_size(struct args *a, const char *kw, uint64_t max, bool unlimited,
	      uint64_t *out)
{
	const char *s;
	int err;

	if (args_value(a, kw, &s))
		return -1;
	if (unlimited && !strcmp(s, "unlimited")) {
		*out = 0;
		return 0;
	}
	err = kgate_parse_size(s, max, out);
	if (err == -ERANGE)
		return args_fail(a, "%s \"%s\": too large", kw, s);
	if (err)
		return args_fail(a, "%s \"%s\": expected a size: N, Nk or "
				 "Nm%s", kw, s, unlimited ? " or unlimited" :
				 "");
	return 0;
}

int args_ms(struct args *a, const char *kw, uint64_t max, uint32_t *out)
{
	uint64_t v;
	const char *s;
	int err;

	if (args_value(a, kw, &s))
		return -1;
	err = kgate_parse_ms(s, max, &v);
	if (err == -ERANGE)
		return args_fail(a, "%s \"%s\": too long", kw, s);
	if (err)
		return args_fail(a, "%s \"%s\": expected a duration: N (ms), "
				 "Nms, Ns or Nm", kw, s);
	*out = (uint32_t)v;
	return 0;
}

static int once(struct args *a, uint32_t *has, uint32_t bit, const char *kw)
{
	if (*has & bit)
		return args_fail(a, "\"%s\" given twice", kw);
	*has |= bit;
	return 0;
}

/* A size limit of 32 bits. */
static int size32(struct args *a, const char *kw, uint32_t *v)
{
	uint64_t n;

	if (args_size(a, kw, UINT32_MAX, false, &n))
		return -1;
	*v = (uint32_t)n;
	return 0;
}

struct limit_word {
	const char *kw;
	uint32_t bit;
	size_t off;		/* of the field in struct kgate_limits */
	enum { LIM_SIZE, LIM_COUNT, LIM_MS } type;
};

#define LIM(kw, bit, field, type) \
	{ kw, bit, offsetof(struct kgate_limits, field), type }

static const struct limit_word limit_words[] = {
	LIM("head-bytes", KGATE_LIM_HAS_HEAD_BYTES, head_bytes, LIM_SIZE),
	LIM("headers", KGATE_LIM_HAS_HEADERS, headers, LIM_COUNT),
	LIM("uri-bytes", KGATE_LIM_HAS_URI_BYTES, uri_bytes, LIM_SIZE),
	LIM("head-timeout", KGATE_LIM_HAS_HEAD_TIMEOUT, head_timeout, LIM_MS),
	LIM("idle-timeout", KGATE_LIM_HAS_IDLE_TIMEOUT, idle_timeout, LIM_MS),
	LIM("connect-timeout", KGATE_LIM_HAS_CONNECT_TIMEOUT,
	    connect_timeout, LIM_MS),
	LIM("response-timeout", KGATE_LIM_HAS_RESPONSE_TIMEOUT,
	    response_timeout, LIM_MS),
	{ NULL, 0, 0, LIM_SIZE },
};

/* A limit keyword; 1 when @tok was one, 0 if not, -1 on error. */
static int limit(struct args *a, const char *tok, struct kgate_limits *lim)
{
	const struct limit_word *w;
	uint32_t *field;

	if (!strcmp(tok, "body-bytes"))
		return once(a, &lim->has, KGATE_LIM_HAS_BODY_BYTES, tok) ?:
		       args_size(a, tok, UINT64_MAX, true, &lim->body_bytes) ?:
		       1;
	for (w = limit_words; w->kw; w++)
		if (!strcmp(tok, w->kw))
			break;
	if (!w->kw)
		return 0;
	if (once(a, &lim->has, w->bit, tok))
		return -1;
	field = (uint32_t *)((char *)lim + w->off);
	switch (w->type) {
	case LIM_SIZE:
		return size32(a, tok, field) ?: 1;
	case LIM_COUNT:
		return args_u32(a, tok, field) ?: 1;
	default:
		return args_ms(a, tok, UINT32_MAX, field) ?: 1;
	}
}

/* trust-forwarded, access-log and their no- forms. */
static int flag(struct args *a, const char *tok, struct kgate_listener *l,
		uint32_t *given)
{
	static const struct {
		const char *kw;
		uint32_t bit;
	} flags[] = {
		{ "trust-forwarded", KGATE_LIS_F_TRUST_FORWARDED },
		{ "access-log", KGATE_LIS_F_ACCESS_LOG },
	};
	bool no = !strncmp(tok, "no-", 3);
	const char *kw = no ? tok + 3 : tok;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (strcmp(kw, flags[i].kw))
			continue;
		if (*given & flags[i].bit)
			return args_fail(a, "\"%s\" or \"no-%s\" given twice",
					 kw, kw);
		*given |= flags[i].bit;
		l->has |= KGATE_LIS_HAS_FLAGS;
		if (no)
			l->flags &= ~flags[i].bit;
		else
			l->flags |= flags[i].bit;
		return 1;
	}
	return 0;
}

static int option(struct args *a, const char *tok, struct kgate_listener *l,
		  uint32_t *given)
{
	const char *v;
	int r;

	if (!strcmp(tok, "mode"))
		return once(a, &l->has, KGATE_LIS_HAS_MODE, tok) ?:
		       args_keyword(a, tok, kgate_mode_names, &l->mode) ?: 1;
	if (!strcmp(tok, "max-conns"))
		return once(a, &l->has, KGATE_LIS_HAS_MAX_CONNS, tok) ?:
		       args_u32(a, tok, &l->max_conns) ?: 1;
	if (!strcmp(tok, "owner")) {
		if (l->owner)
			return args_fail(a, "\"%s\" given twice", tok);
		if (args_value(a, tok, &v))
			return -1;
		if (kgate_set_str(&l->owner, v))
			return args_fail(a, "out of memory");
		return 1;
	}
	if (!strcmp(tok, "default-backend")) {
		if (l->default_backend)
			return args_fail(a, "\"%s\" given twice", tok);
		if (args_value(a, tok, &v))
			return -1;
		if (kgate_set_str(&l->default_backend, v))
			return args_fail(a, "out of memory");
		return 1;
	}
	r = flag(a, tok, l, given);
	return r ? r : limit(a, tok, &l->lim);
}

int spec_listener(struct args *a, struct kgate_listener *l)
{
	struct kgate_endpoint ep;
	uint32_t given = 0;
	const char *tok;
	int r;

	if (!args_more(a))
		return args_fail(a, "missing listener ADDR:PORT after \"%s\"",
				 l->name);
	if (args_endpoint(a, "listener", 0, &ep))
		return -1;
	l->addr = ep.addr;
	l->port = ep.port;
	l->has |= KGATE_LIS_HAS_PORT;
	while ((tok = args_next(a))) {
		r = option(a, tok, l, &given);
		if (r < 0)
			return -1;
		if (!r)
			return args_fail(a, "unknown listener option \"%s\"",
					 tok);
	}
	return 0;
}

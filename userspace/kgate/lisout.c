// SPDX-License-Identifier: GPL-2.0
/* Listeners as text (the command syntax), as save lines and as JSON. */
#include <inttypes.h>

#include <linux/kgate.h>

#include "cli.h"

static const char *mode_str(uint8_t mode, char *buf, size_t len)
{
	const char *name = kgate_name_of(kgate_mode_names, mode);

	if (name)
		return name;
	snprintf(buf, len, "%u", mode);
	return buf;
}

static const char *body_str(uint64_t v, char *buf, size_t len)
{
	if (!v)
		return "unlimited";
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

void print_l7_counters_text(FILE *f, const struct kgate_l7_counters *c)
{
	fprintf(f, "    conns %" PRIu64 " open %" PRIu32 " refused %" PRIu64
		" requests %" PRIu64, c->conns, c->conns_open,
		c->conns_refused, c->requests);
	for (int i = 0; i < 5; i++)
		fprintf(f, " %dxx %" PRIu64, i + 1, c->resp[i]);
	fprintf(f, " bytes-in %" PRIu64 " bytes-out %" PRIu64
		" upstream-connects %" PRIu64 " upstream-reuses %" PRIu64
		" log-dropped %" PRIu64 "\n", c->bytes_in, c->bytes_out,
		c->upstream_connects, c->upstream_reuses, c->log_dropped);
}

void print_l7_counters_json(struct kgate_json *j,
			    const struct kgate_l7_counters *c)
{
	static const char *const resp[5] = { "1xx", "2xx", "3xx", "4xx",
					     "5xx" };

	kgate_json_key(j, "counters");
	kgate_json_obj_open(j);
	kgate_json_kv_uint(j, "conns", c->conns);
	kgate_json_kv_uint(j, "open", c->conns_open);
	kgate_json_kv_uint(j, "refused", c->conns_refused);
	kgate_json_kv_uint(j, "requests", c->requests);
	for (int i = 0; i < 5; i++)
		kgate_json_kv_uint(j, resp[i], c->resp[i]);
	kgate_json_kv_uint(j, "bytes_in", c->bytes_in);
	kgate_json_kv_uint(j, "bytes_out", c->bytes_out);
	kgate_json_kv_uint(j, "upstream_connects", c->upstream_connects);
	kgate_json_kv_uint(j, "upstream_reuses", c->upstream_reuses);
	kgate_json_kv_uint(j, "log_dropped", c->log_dropped);
	kgate_json_obj_close(j);
}

/* Flags the syntax has no word for, as a number (refused when read). */
static void other_flags(FILE *f, uint32_t flags)
{
	if (flags & ~KGATE_LIS_F_ALL)
		fprintf(f, " flags 0x%" PRIx32, flags & ~KGATE_LIS_F_ALL);
}

void print_listener_text(FILE *f, const struct kgate_listener *l, bool stats)
{
	struct kgate_limits lim = kgate_limits_effective(&l->lim);
	char ep[KGATE_ENDPOINT_STRLEN], m[8], b[24], t[4][24];

	fprintf(f, "listener %s %s %s", l->name ? l->name : "?",
		kgate_endpoint_str(&l->addr, l->port, ep, sizeof(ep)),
		mode_str(l->mode, m, sizeof(m)));
	if (l->default_backend)
		fprintf(f, " default-backend %s", l->default_backend);
	fprintf(f, " max-conns %" PRIu32, l->max_conns);
	if (l->flags & KGATE_LIS_F_TRUST_FORWARDED)
		fputs(" trust-forwarded", f);
	if (l->flags & KGATE_LIS_F_ACCESS_LOG)
		fputs(" access-log", f);
	other_flags(f, l->flags);
	if (l->owner)
		fprintf(f, " owner %s", l->owner);
	fprintf(f, "\n    head-bytes %" PRIu32 " headers %" PRIu32
		" uri-bytes %" PRIu32 " body-bytes %s\n", lim.head_bytes,
		lim.headers, lim.uri_bytes,
		body_str(lim.body_bytes, b, sizeof(b)));
	fprintf(f, "    head-timeout %s idle-timeout %s connect-timeout %s "
		"response-timeout %s\n",
		kgate_ms_str(lim.head_timeout, t[0], sizeof(t[0])),
		kgate_ms_str(lim.idle_timeout, t[1], sizeof(t[1])),
		kgate_ms_str(lim.connect_timeout, t[2], sizeof(t[2])),
		kgate_ms_str(lim.response_timeout, t[3], sizeof(t[3])));
	if (stats && (l->has & KGATE_LIS_HAS_COUNTERS))
		print_l7_counters_text(f, &l->cnt);
}

static void save_ms(FILE *f, const struct kgate_limits *lim, uint32_t bit,
		    const char *kw, uint32_t v)
{
	char t[24];

	if (lim->has & bit)
		fprintf(f, " %s %s", kw, kgate_ms_str(v, t, sizeof(t)));
}

static void save_u32(FILE *f, uint32_t has, uint32_t bit, const char *kw,
		     uint32_t v)
{
	if (has & bit)
		fprintf(f, " %s %" PRIu32, kw, v);
}

void print_listener_save(FILE *f, const struct kgate_listener *l)
{
	const struct kgate_limits *lim = &l->lim;
	char ep[KGATE_ENDPOINT_STRLEN], m[8], b[24];

	fprintf(f, "listener replace %s %s", l->name ? l->name : "?",
		kgate_endpoint_str(&l->addr, l->port, ep, sizeof(ep)));
	if (l->owner)
		fprintf(f, " owner %s", l->owner);
	if (l->has & KGATE_LIS_HAS_MODE)
		fprintf(f, " mode %s", mode_str(l->mode, m, sizeof(m)));
	if (l->default_backend)
		fprintf(f, " default-backend %s", l->default_backend);
	save_u32(f, l->has, KGATE_LIS_HAS_MAX_CONNS, "max-conns",
		 l->max_conns);
	if (l->has & KGATE_LIS_HAS_FLAGS) {
		fputs(l->flags & KGATE_LIS_F_TRUST_FORWARDED ?
		      " trust-forwarded" : " no-trust-forwarded", f);
		fputs(l->flags & KGATE_LIS_F_ACCESS_LOG ? " access-log" :
		      " no-access-log", f);
		other_flags(f, l->flags);
	}
	save_u32(f, lim->has, KGATE_LIM_HAS_HEAD_BYTES, "head-bytes",
		 lim->head_bytes);
	save_u32(f, lim->has, KGATE_LIM_HAS_HEADERS, "headers", lim->headers);
	save_u32(f, lim->has, KGATE_LIM_HAS_URI_BYTES, "uri-bytes",
		 lim->uri_bytes);
	if (lim->has & KGATE_LIM_HAS_BODY_BYTES)
		fprintf(f, " body-bytes %s",
			body_str(lim->body_bytes, b, sizeof(b)));
	save_ms(f, lim, KGATE_LIM_HAS_HEAD_TIMEOUT, "head-timeout",
		lim->head_timeout);
	save_ms(f, lim, KGATE_LIM_HAS_IDLE_TIMEOUT, "idle-timeout",
		lim->idle_timeout);
	save_ms(f, lim, KGATE_LIM_HAS_CONNECT_TIMEOUT, "connect-timeout",
		lim->connect_timeout);
	save_ms(f, lim, KGATE_LIM_HAS_RESPONSE_TIMEOUT, "response-timeout",
		lim->response_timeout);
	fputc('\n', f);
}

void print_listener_json(struct kgate_json *j,
			 const struct kgate_listener *l, bool stats)
{
	struct kgate_limits lim = kgate_limits_effective(&l->lim);
	const char *mode = kgate_name_of(kgate_mode_names, l->mode);
	char addr[KGATE_ENDPOINT_STRLEN];

	kgate_json_obj_open(j);
	kgate_json_kv_str(j, "name", l->name ? l->name : "");
	kgate_json_kv_str(j, "addr", kgate_addr_str(&l->addr, addr,
						    sizeof(addr)));
	kgate_json_kv_uint(j, "port", l->port);
	if (mode)
		kgate_json_kv_str(j, "mode", mode);
	else
		kgate_json_kv_uint(j, "mode", l->mode);
	kgate_json_key(j, "default_backend");
	if (l->default_backend)
		kgate_json_str(j, l->default_backend);
	else
		kgate_json_null(j);
	kgate_json_kv_uint(j, "max_conns", l->max_conns);
	kgate_json_kv_bool(j, "trust_forwarded",
			   l->flags & KGATE_LIS_F_TRUST_FORWARDED);
	kgate_json_kv_bool(j, "access_log", l->flags & KGATE_LIS_F_ACCESS_LOG);
	kgate_json_key(j, "owner");
	if (l->owner)
		kgate_json_str(j, l->owner);
	else
		kgate_json_null(j);
	kgate_json_key(j, "limits");
	kgate_json_obj_open(j);
	kgate_json_kv_uint(j, "head_bytes", lim.head_bytes);
	kgate_json_kv_uint(j, "headers", lim.headers);
	kgate_json_kv_uint(j, "uri_bytes", lim.uri_bytes);
	kgate_json_kv_uint(j, "body_bytes", lim.body_bytes);
	kgate_json_kv_uint(j, "head_timeout_ms", lim.head_timeout);
	kgate_json_kv_uint(j, "idle_timeout_ms", lim.idle_timeout);
	kgate_json_kv_uint(j, "connect_timeout_ms", lim.connect_timeout);
	kgate_json_kv_uint(j, "response_timeout_ms", lim.response_timeout);
	kgate_json_obj_close(j);
	if (stats && (l->has & KGATE_LIS_HAS_COUNTERS))
		print_l7_counters_json(j, &l->cnt);
	kgate_json_obj_close(j);
}

// SPDX-License-Identifier: GPL-2.0
/* An access-log record as JSON, for kgate -j monitor access. */
#include "cli.h"

void print_access_json(struct kgate_json *j, const struct kgate_access *a)
{
	char addr[KGATE_ENDPOINT_STRLEN], when[40];

	kgate_json_obj_open(j);
	kgate_json_kv_str(j, "time", kgate_clf_time(a->time_ns, when,
						    sizeof(when)));
	kgate_json_kv_uint(j, "time_ns", a->time_ns);
	kgate_json_key(j, "client");
	if (a->has & KGATE_ACC_HAS_CLIENT)
		kgate_json_str(j, kgate_addr_str(&a->client, addr,
						 sizeof(addr)));
	else
		kgate_json_null(j);
	kgate_json_kv_uint(j, "client_port", a->client_port);
#define OPT_STR(key, s)					\
	do {						\
		kgate_json_key(j, key);			\
		if (s)					\
			kgate_json_str(j, s);		\
		else					\
			kgate_json_null(j);		\
	} while (0)
	OPT_STR("listener", a->listener);
	OPT_STR("route", a->route);
	OPT_STR("host", a->host);
	OPT_STR("method", a->method);
	OPT_STR("path", a->path);
#undef OPT_STR
	kgate_json_key(j, "status");
	if (a->has & KGATE_ACC_HAS_STATUS)
		kgate_json_uint(j, a->status);
	else
		kgate_json_null(j);
	kgate_json_kv_uint(j, "bytes_in", a->bytes_in);
	kgate_json_kv_uint(j, "bytes_out", a->bytes_out);
	kgate_json_key(j, "upstream");
	if (a->has & KGATE_ACC_HAS_UPSTREAM)
		kgate_json_str(j, kgate_endpoint_str(&a->upstream,
						     a->upstream_port, addr,
						     sizeof(addr)));
	else
		kgate_json_null(j);
	kgate_json_kv_uint(j, "ttfb_us", a->ttfb_us);
	kgate_json_kv_uint(j, "duration_us", a->duration_us);
	kgate_json_obj_close(j);
}

// SPDX-License-Identifier: GPL-2.0
/* Attribute names from extended ACK offsets, using the kgate.h layout. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/kgate.h>

#include "kgate_attrpath.h"
#include "kgate_msg.h"

struct schema;

struct attr_desc {
	const char *name;
	const struct schema *nested;	/* layout of the payload, or NULL */
	bool list;			/* payload is KGATE_A_LIST_ITEM entries
					 * each laid out by @nested
					 */
};

struct schema {
	const struct attr_desc *attrs;
	unsigned int max;
};

#define SCHEMA(tbl) { tbl, sizeof(tbl) / sizeof(tbl[0]) - 1 }

static const struct attr_desc counter_attrs[] = {
	[KGATE_CNT_A_CONNS] = { "conns" },
	[KGATE_CNT_A_PACKETS] = { "packets" },
	[KGATE_CNT_A_BYTES] = { "bytes" },
	[KGATE_CNT_A_PAD] = { "pad" },
};
static const struct schema counter_schema = SCHEMA(counter_attrs);

static const struct attr_desc frontend_attrs[] = {
	[KGATE_FE_A_ADDR] = { "addr" },
	[KGATE_FE_A_PORT] = { "port" },
	[KGATE_FE_A_PROTO] = { "proto" },
	[KGATE_FE_A_KIND] = { "kind" },
};
static const struct schema frontend_schema = SCHEMA(frontend_attrs);

static const struct attr_desc backend_attrs[] = {
	[KGATE_BE_A_ADDR] = { "addr" },
	[KGATE_BE_A_PORT] = { "port" },
	[KGATE_BE_A_WEIGHT] = { "weight" },
	[KGATE_BE_A_STATE] = { "state" },
	[KGATE_BE_A_FLAGS] = { "flags" },
	[KGATE_BE_A_COUNTERS] = { "counters", &counter_schema },
};
static const struct schema backend_schema = SCHEMA(backend_attrs);

static const struct attr_desc range_attrs[] = {
	[KGATE_RANGE_A_ADDR] = { "addr" },
	[KGATE_RANGE_A_PLEN] = { "plen" },
};
static const struct schema range_schema = SCHEMA(range_attrs);

static const struct attr_desc service_attrs[] = {
	[KGATE_SVC_A_NAME] = { "name" },
	[KGATE_SVC_A_SCHED] = { "sched" },
	[KGATE_SVC_A_TABLE_SIZE] = { "table_size" },
	[KGATE_SVC_A_AFFINITY] = { "affinity" },
	[KGATE_SVC_A_AFFINITY_TIMEOUT] = { "affinity_timeout" },
	[KGATE_SVC_A_EXT_POLICY] = { "ext_policy" },
	[KGATE_SVC_A_INT_POLICY] = { "int_policy" },
	[KGATE_SVC_A_SOURCE_RANGES] = { "source_ranges", &range_schema, true },
	[KGATE_SVC_A_FRONTENDS] = { "frontends", &frontend_schema, true },
	[KGATE_SVC_A_BACKENDS] = { "backends", &backend_schema, true },
	[KGATE_SVC_A_COUNTERS] = { "counters", &counter_schema },
	[KGATE_SVC_A_PAD] = { "pad" },
	[KGATE_SVC_A_OWNER] = { "owner" },
};
static const struct schema service_schema = SCHEMA(service_attrs);

static const struct attr_desc stats_attrs[] = {
	[KGATE_STATS_A_SERVICES] = { "services" },
	[KGATE_STATS_A_FRONTENDS] = { "frontends" },
	[KGATE_STATS_A_BACKENDS] = { "backends" },
	[KGATE_STATS_A_MAX_SERVICES] = { "max_services" },
	[KGATE_STATS_A_MAX_BACKENDS] = { "max_backends" },
	[KGATE_STATS_A_COMMITS] = { "commits" },
	[KGATE_STATS_A_GENERATION] = { "generation" },
	[KGATE_STATS_A_BATCHES_OPEN] = { "batches_open" },
	[KGATE_STATS_A_PAD] = { "pad" },
	[KGATE_STATS_A_NAT_HOOKS] = { "nat_hooks" },
	[KGATE_STATS_A_FLOW_WALKS] = { "flow_walks" },
	[KGATE_STATS_A_AFFINITY_CLIENTS] = { "affinity_clients" },
	[KGATE_STATS_A_AFFINITY_DROPPED] = { "affinity_dropped" },
	[KGATE_STATS_A_MAX_AFFINITY] = { "max_affinity" },
	[KGATE_STATS_A_LISTENERS] = { "listeners" },
	[KGATE_STATS_A_ROUTES] = { "routes" },
	[KGATE_STATS_A_UPSTREAM_IDLE] = { "upstream_idle" },
	[KGATE_STATS_A_UPSTREAM_NO_ROOM] = { "upstream_no_room" },
};
static const struct schema stats_schema = SCHEMA(stats_attrs);

static const struct attr_desc l7_counter_attrs[] = {
	[KGATE_L7C_A_CONNS] = { "conns" },
	[KGATE_L7C_A_CONNS_OPEN] = { "conns_open" },
	[KGATE_L7C_A_CONNS_REFUSED] = { "conns_refused" },
	[KGATE_L7C_A_REQUESTS] = { "requests" },
	[KGATE_L7C_A_RESP_1XX] = { "resp_1xx" },
	[KGATE_L7C_A_RESP_2XX] = { "resp_2xx" },
	[KGATE_L7C_A_RESP_3XX] = { "resp_3xx" },
	[KGATE_L7C_A_RESP_4XX] = { "resp_4xx" },
	[KGATE_L7C_A_RESP_5XX] = { "resp_5xx" },
	[KGATE_L7C_A_BYTES_IN] = { "bytes_in" },
	[KGATE_L7C_A_BYTES_OUT] = { "bytes_out" },
	[KGATE_L7C_A_UPSTREAM_CONNECTS] = { "upstream_connects" },
	[KGATE_L7C_A_UPSTREAM_REUSES] = { "upstream_reuses" },
	[KGATE_L7C_A_LOG_DROPPED] = { "log_dropped" },
	[KGATE_L7C_A_PAD] = { "pad" },
};
static const struct schema l7_counter_schema = SCHEMA(l7_counter_attrs);

static const struct attr_desc limit_attrs[] = {
	[KGATE_LIM_A_HEAD_BYTES] = { "head_bytes" },
	[KGATE_LIM_A_HEADERS] = { "headers" },
	[KGATE_LIM_A_URI_BYTES] = { "uri_bytes" },
	[KGATE_LIM_A_BODY_BYTES] = { "body_bytes" },
	[KGATE_LIM_A_HEAD_TIMEOUT] = { "head_timeout" },
	[KGATE_LIM_A_IDLE_TIMEOUT] = { "idle_timeout" },
	[KGATE_LIM_A_CONNECT_TIMEOUT] = { "connect_timeout" },
	[KGATE_LIM_A_RESPONSE_TIMEOUT] = { "response_timeout" },
	[KGATE_LIM_A_PAD] = { "pad" },
};
static const struct schema limit_schema = SCHEMA(limit_attrs);

static const struct attr_desc listener_attrs[] = {
	[KGATE_LIS_A_NAME] = { "name" },
	[KGATE_LIS_A_ADDR] = { "addr" },
	[KGATE_LIS_A_PORT] = { "port" },
	[KGATE_LIS_A_MODE] = { "mode" },
	[KGATE_LIS_A_DEFAULT_BACKEND] = { "default_backend" },
	[KGATE_LIS_A_FLAGS] = { "flags" },
	[KGATE_LIS_A_MAX_CONNS] = { "max_conns" },
	[KGATE_LIS_A_LIMITS] = { "limits", &limit_schema },
	[KGATE_LIS_A_COUNTERS] = { "counters", &l7_counter_schema },
	[KGATE_LIS_A_PAD] = { "pad" },
	[KGATE_LIS_A_OWNER] = { "owner" },
};
static const struct schema listener_schema = SCHEMA(listener_attrs);

static const struct attr_desc kv_attrs[] = {
	[KGATE_KV_A_NAME] = { "name" },
	[KGATE_KV_A_VALUE] = { "value" },
};
static const struct schema kv_schema = SCHEMA(kv_attrs);

static const struct attr_desc match_attrs[] = {
	[KGATE_MATCH_A_PATH_TYPE] = { "path_type" },
	[KGATE_MATCH_A_PATH] = { "path" },
	[KGATE_MATCH_A_METHOD] = { "method" },
	[KGATE_MATCH_A_HEADERS] = { "headers", &kv_schema, true },
	[KGATE_MATCH_A_QUERY] = { "query", &kv_schema, true },
};
static const struct schema match_schema = SCHEMA(match_attrs);

static const struct attr_desc ref_attrs[] = {
	[KGATE_REF_A_SERVICE] = { "service" },
	[KGATE_REF_A_WEIGHT] = { "weight" },
};
static const struct schema ref_schema = SCHEMA(ref_attrs);

/* A list of strings: entries without a layout of their own. */
static const struct attr_desc str_item_attrs[] = {
	[KGATE_A_LIST_ITEM] = { "item" },
};
static const struct schema str_list_schema = SCHEMA(str_item_attrs);

static const struct attr_desc hdrmod_attrs[] = {
	[KGATE_HDRMOD_A_SET] = { "set", &kv_schema, true },
	[KGATE_HDRMOD_A_ADD] = { "add", &kv_schema, true },
	[KGATE_HDRMOD_A_REMOVE] = { "remove", &str_list_schema, true },
};
static const struct schema hdrmod_schema = SCHEMA(hdrmod_attrs);

static const struct attr_desc redirect_attrs[] = {
	[KGATE_REDIR_A_SCHEME] = { "scheme" },
	[KGATE_REDIR_A_HOSTNAME] = { "hostname" },
	[KGATE_REDIR_A_PORT] = { "port" },
	[KGATE_REDIR_A_PATH_TYPE] = { "path_type" },
	[KGATE_REDIR_A_PATH] = { "path" },
	[KGATE_REDIR_A_STATUS] = { "status" },
};
static const struct schema redirect_schema = SCHEMA(redirect_attrs);

static const struct attr_desc rewrite_attrs[] = {
	[KGATE_REWR_A_HOSTNAME] = { "hostname" },
	[KGATE_REWR_A_PATH_TYPE] = { "path_type" },
	[KGATE_REWR_A_PATH] = { "path" },
};
static const struct schema rewrite_schema = SCHEMA(rewrite_attrs);

static const struct attr_desc rule_attrs[] = {
	[KGATE_RULE_A_MATCHES] = { "matches", &match_schema, true },
	[KGATE_RULE_A_BACKENDS] = { "backends", &ref_schema, true },
	[KGATE_RULE_A_REQ_HEADERS] = { "req_headers", &hdrmod_schema },
	[KGATE_RULE_A_RESP_HEADERS] = { "resp_headers", &hdrmod_schema },
	[KGATE_RULE_A_REDIRECT] = { "redirect", &redirect_schema },
	[KGATE_RULE_A_REWRITE] = { "rewrite", &rewrite_schema },
};
static const struct schema rule_schema = SCHEMA(rule_attrs);

static const struct attr_desc route_attrs[] = {
	[KGATE_RT_A_NAME] = { "name" },
	[KGATE_RT_A_KIND] = { "kind" },
	[KGATE_RT_A_LISTENERS] = { "listeners", &str_list_schema, true },
	[KGATE_RT_A_HOSTNAMES] = { "hostnames", &str_list_schema, true },
	[KGATE_RT_A_RULES] = { "rules", &rule_schema, true },
	[KGATE_RT_A_REWRITE_TARGET] = { "rewrite_target" },
	[KGATE_RT_A_RATE] = { "rate" },
	[KGATE_RT_A_BURST] = { "burst" },
	[KGATE_RT_A_ALLOW] = { "allow", &range_schema, true },
	[KGATE_RT_A_COUNTERS] = { "counters", &l7_counter_schema },
	[KGATE_RT_A_PAD] = { "pad" },
	[KGATE_RT_A_OWNER] = { "owner" },
};
static const struct schema route_schema = SCHEMA(route_attrs);

static const struct attr_desc top_attrs[] = {
	[KGATE_A_SERVICE] = { "service", &service_schema },
	[KGATE_A_STATS] = { "stats", &stats_schema },
	[KGATE_A_GENERATION] = { "generation" },
	[KGATE_A_PAD] = { "pad" },
	[KGATE_A_NODE] = { "node" },
	[KGATE_A_LISTENER] = { "listener", &listener_schema },
	[KGATE_A_ROUTE] = { "route", &route_schema },
	[KGATE_A_CERT] = { "cert" },
};
static const struct schema top_schema = SCHEMA(top_attrs);

/* Growing path text with truncation safety. */
struct path {
	char *buf;
	size_t len, used;
};

static void path_add(struct path *p, const char *fmt, const char *s,
		     unsigned int n)
{
	int w;

	if (p->used >= p->len)
		return;
	w = s ? snprintf(p->buf + p->used, p->len - p->used, fmt, s) :
		snprintf(p->buf + p->used, p->len - p->used, fmt, n);
	if (w > 0)
		p->used += (size_t)w;
}

static void path_name(struct path *p, const struct schema *s, uint16_t type)
{
	const char *dot = p->used ? "." : "";

	path_add(p, "%s", dot, 0);
	if (s && type <= s->max && s->attrs[type].name)
		path_add(p, "%s", s->attrs[type].name, 0);
	else
		path_add(p, "attr%u", NULL, type);
}

/*
 * Where the walk ended: the layout of the children of the attribute
 * reached, so that a missing child can be named.
 */
struct ctx {
	const struct schema *children;
	bool items;	/* children are list entries */
};

/*
 * Find the attribute containing @off among those in [@p, @end) laid out by
 * @ctx, append its name, and descend.  Offsets are from @base.
 */
static int walk(const char *base, const char *p, const char *end,
		uint32_t off, struct ctx *ctx, struct path *path)
{
	unsigned int index = 0;

	while (p + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const struct nlattr *)p;
		uint32_t start = (uint32_t)(p - base);
		uint16_t type = mnl_attr_get_type(a);
		const struct attr_desc *d = NULL;

		if (a->nla_len < sizeof(*a) || p + a->nla_len > end)
			return -ENOENT;
		if (off >= start && off < start + a->nla_len) {
			if (ctx->items) {
				path_add(path, "[%u]", NULL, index);
				ctx->items = false;	/* entries' layout */
			} else {
				path_name(path, ctx->children, type);
				if (ctx->children && type <= ctx->children->max)
					d = &ctx->children->attrs[type];
				ctx->children = d ? d->nested : NULL;
				ctx->items = d && d->list;
			}
			if (off < start + MNL_ATTR_HDRLEN || !ctx->children)
				return 0;
			walk(base, p + MNL_ATTR_HDRLEN, p + a->nla_len, off,
			     ctx, path);
			return 0;
		}
		index++;
		p += MNL_ALIGN(a->nla_len);
	}
	return -ENOENT;
}

static int path_at(const struct nlmsghdr *req, uint32_t offset,
		   struct ctx *ctx, struct path *path)
{
	const char *base = (const char *)req;

	ctx->children = &top_schema;
	ctx->items = false;
	if (req->nlmsg_len < KGATE_MSG_HDRLEN || offset >= req->nlmsg_len)
		return -ENOENT;
	return walk(base, base + KGATE_MSG_HDRLEN, base + req->nlmsg_len,
		    offset, ctx, path);
}

int kgate_attr_path(const struct nlmsghdr *req, uint32_t offset, char *buf,
		    size_t len)
{
	struct path path = { buf, len, 0 };
	struct ctx ctx;
	int err;

	if (len)
		buf[0] = '\0';
	err = path_at(req, offset, &ctx, &path);
	if (err && len)
		buf[0] = '\0';
	return err;
}

int kgate_attr_missing_path(const struct nlmsghdr *req, uint32_t nest_offset,
			    uint16_t type, char *buf, size_t len)
{
	struct path path = { buf, len, 0 };
	struct ctx ctx = { &top_schema, false };

	if (len)
		buf[0] = '\0';
	if (nest_offset && path_at(req, nest_offset, &ctx, &path)) {
		if (len)
			buf[0] = '\0';
		return -ENOENT;
	}
	if (ctx.items)
		path_add(&path, "%s", "[]", 0);
	else
		path_name(&path, ctx.children, type);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libkgate l7encode.c / l7decode.c: listeners and routes round trip with
 * every attribute of the ABI, counters and access records decode from
 * hand-built nests, and malformed input is refused with a reason naming
 * the attribute.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "kgate_attrpath.h"
#include "kgate_l7msg.h"
#include "kgate_monitor.h"
#include "kgate_msg.h"
#include "kgate_obj.h"
#include "kgate_parse.h"
#include "tap.h"

static uint32_t buf[(KGATE_MSG_HDRLEN + 70000) / 4];
static char why[200];

static struct kgate_addr addr(const char *s)
{
	struct kgate_addr a;

	kgate_parse_addr(s, &a);
	return a;
}

static void full_listener(struct kgate_listener *l)
{
	kgate_listener_init(l);
	kgate_set_str(&l->name, "web");
	l->addr = addr("fd00::1");
	l->port = 8443;
	l->mode = KGATE_MODE_TLS_PASSTHROUGH;
	kgate_set_str(&l->default_backend, "default/web:80");
	l->flags = KGATE_LIS_F_TRUST_FORWARDED | KGATE_LIS_F_ACCESS_LOG;
	l->max_conns = 1000;
	l->lim = (struct kgate_limits){
		.head_bytes = 2048, .headers = 50, .uri_bytes = 1024,
		.body_bytes = 5ULL << 32, .head_timeout = 1500,
		.idle_timeout = 2500, .connect_timeout = 3500,
		.response_timeout = 4500, .has = 0xff,
	};
	l->has = KGATE_LIS_HAS_MODE | KGATE_LIS_HAS_FLAGS |
		 KGATE_LIS_HAS_MAX_CONNS | KGATE_LIS_HAS_LIMITS |
		 KGATE_LIS_HAS_PORT;
}

static void full_rule(struct kgate_rule *rule)
{
	struct kgate_match *m = kgate_rule_new_match(rule);

	m->path_type = KGATE_PATH_EXACT;
	m->has = KGATE_MATCH_HAS_PATH_TYPE;
	kgate_set_str(&m->path, "/api");
	kgate_set_str(&m->method, "POST");
	kgate_kv_list_add(&m->headers, "x-env", "canary");
	kgate_kv_list_add(&m->headers, "x-b", "");
	kgate_kv_list_add(&m->query, "v", "2");
	m = kgate_rule_new_match(rule);		/* defaults only */
	kgate_rule_add_ref(rule, "default/api:80", true, 9);
	kgate_rule_add_ref(rule, "default/canary:80", false, 0);
	kgate_kv_list_add(&rule->req.set, "x-a", "1");
	kgate_kv_list_add(&rule->req.add, "x-b", "2");
	kgate_str_list_add(&rule->req.remove, "cookie");
	kgate_kv_list_add(&rule->resp.set, "x-c", "3");
	kgate_str_list_add(&rule->resp.remove, "server");
	kgate_set_str(&rule->redirect.scheme, "https");
	kgate_set_str(&rule->redirect.hostname, "example.com");
	kgate_set_str(&rule->redirect.path, "/new");
	rule->redirect.port = 8443;
	rule->redirect.path_type = KGATE_PATHMOD_PREFIX;
	rule->redirect.status = 308;
	rule->redirect.has = KGATE_REDIR_HAS_PORT | KGATE_REDIR_HAS_PATH_TYPE |
			     KGATE_REDIR_HAS_STATUS;
	kgate_set_str(&rule->rewrite.hostname, "internal");
	kgate_set_str(&rule->rewrite.path, "/v2");
	rule->rewrite.path_type = KGATE_PATHMOD_FULL;
	rule->rewrite.has = KGATE_REWR_HAS_PATH_TYPE;
	rule->has = KGATE_RULE_HAS_REQ_HEADERS | KGATE_RULE_HAS_RESP_HEADERS |
		    KGATE_RULE_HAS_REDIRECT | KGATE_RULE_HAS_REWRITE;
}

static void full_route(struct kgate_route *r)
{
	struct kgate_range p1 = { addr("10.0.0.0"), 8 };
	struct kgate_range p2 = { addr("fd00::"), 8 };

	kgate_route_init(r);
	kgate_set_str(&r->name, "default/shop");
	r->kind = KGATE_ROUTE_HTTPROUTE;
	kgate_str_list_add(&r->listeners, "web");
	kgate_str_list_add(&r->listeners, "web6");
	kgate_str_list_add(&r->hosts, "shop.example.com");
	kgate_str_list_add(&r->hosts, "*.shop.example.com");
	kgate_set_str(&r->rewrite_target, "/app");
	r->rate = 100;
	r->burst = 250;
	kgate_route_add_allow(r, &p1);
	kgate_route_add_allow(r, &p2);
	r->has = KGATE_RT_HAS_KIND | KGATE_RT_HAS_RATE | KGATE_RT_HAS_BURST;
	full_rule(kgate_route_new_rule(r));
	kgate_route_new_rule(r);		/* an empty rule */
}

static struct nlmsghdr *encode(const struct kgate_obj *o, uint8_t cmd)
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42, cmd, 0, 7);

	CHECK_INT(kgate_put_obj(nlh, sizeof(buf), o), 0);
	return nlh;
}

TEST(test_listener_round_trip)
{
	struct kgate_listener l, back;
	struct kgate_obj o = { .kind = KGATE_OBJ_LISTENER, .lis = &l };
	const struct nlattr *a;

	full_listener(&l);
	a = kgate_msg_attr(encode(&o, KGATE_CMD_LISTENER_ADD),
			   KGATE_A_LISTENER);
	CHECK(a != NULL);
	CHECK_INT(kgate_parse_listener(a, &back, why, sizeof(why)), 0);
	CHECK(kgate_listener_equal(&l, &back));
	CHECK_STR(back.name, "web");
	CHECK_INT(back.addr.family, AF_INET6);
	CHECK_INT(back.port, 8443);
	CHECK_INT(back.mode, KGATE_MODE_TLS_PASSTHROUGH);
	CHECK_STR(back.default_backend, "default/web:80");
	CHECK_INT(back.flags, KGATE_LIS_F_ALL);
	CHECK_INT(back.max_conns, 1000);
	CHECK_INT(back.lim.body_bytes, 5ULL << 32);
	CHECK_INT(back.lim.response_timeout, 4500);
	CHECK_INT(back.lim.has, 0xff);
	/* the comparison notices a change */
	back.lim.idle_timeout++;
	CHECK(!kgate_listener_equal(&l, &back));
	kgate_listener_free(&back);
	kgate_listener_free(&l);
}

TEST(test_listener_minimal)
{
	struct kgate_listener l, back;
	struct kgate_obj o = { .kind = KGATE_OBJ_LISTENER, .lis = &l };
	const struct nlattr *a;

	kgate_listener_init(&l);
	kgate_set_str(&l.name, "del-me");
	a = kgate_msg_attr(encode(&o, KGATE_CMD_LISTENER_DEL),
			   KGATE_A_LISTENER);
	/* only the name: one string attribute in the nest */
	CHECK_INT(mnl_attr_get_payload_len(a), MNL_ATTR_HDRLEN + 8);
	CHECK_INT(kgate_parse_listener(a, &back, why, sizeof(why)), 0);
	CHECK_INT(back.has, 0);
	CHECK_INT(back.addr.family, 0);
	CHECK_INT(back.max_conns, KGATE_CONNS_DEFAULT);
	CHECK_INT(back.lim.head_bytes, 16384);
	CHECK(kgate_listener_equal(&l, &back));
	kgate_listener_free(&back);
	kgate_listener_free(&l);
}

TEST(test_route_round_trip)
{
	struct kgate_route r, back;
	struct kgate_obj o = { .kind = KGATE_OBJ_ROUTE, .rt = &r };
	const struct kgate_rule *rule;
	const struct nlattr *a;

	full_route(&r);
	a = kgate_msg_attr(encode(&o, KGATE_CMD_ROUTE_ADD), KGATE_A_ROUTE);
	CHECK(a != NULL);
	CHECK_INT(kgate_parse_route(a, &back, why, sizeof(why)), 0);
	CHECK(kgate_route_equal(&r, &back));
	CHECK_STR(back.name, "default/shop");
	CHECK_INT(back.kind, KGATE_ROUTE_HTTPROUTE);
	CHECK_INT(back.listeners.n, 2);
	CHECK_STR(back.hosts.v[1], "*.shop.example.com");
	CHECK_STR(back.rewrite_target, "/app");
	CHECK_INT(back.rate, 100);
	CHECK_INT(back.burst, 250);
	CHECK_INT(back.n_allow, 2);
	CHECK_INT(back.allow[1].plen, 8);
	CHECK_INT(back.n_rules, 2);
	if (back.n_rules == 2) {
		rule = &back.rules[0];
		CHECK_INT(rule->n_matches, 2);
		CHECK_INT(rule->matches[0].path_type, KGATE_PATH_EXACT);
		CHECK_STR(rule->matches[0].method, "POST");
		CHECK_STR(rule->matches[0].headers.v[1].name, "x-b");
		CHECK_STR(rule->matches[0].headers.v[1].value, "");
		CHECK_STR(rule->matches[0].query.v[0].value, "2");
		CHECK(rule->matches[1].path == NULL);
		CHECK_INT(rule->matches[1].path_type, KGATE_PATH_PREFIX);
		CHECK_INT(rule->n_refs, 2);
		CHECK_INT(rule->refs[0].weight, 9);
		CHECK(!rule->refs[1].has_weight);
		CHECK_INT(rule->refs[1].weight, 1);
		CHECK_STR(rule->req.remove.v[0], "cookie");
		CHECK_STR(rule->resp.set.v[0].name, "x-c");
		CHECK_INT(rule->redirect.status, 308);
		CHECK_INT(rule->redirect.port, 8443);
		CHECK_INT(rule->redirect.path_type, KGATE_PATHMOD_PREFIX);
		CHECK_STR(rule->rewrite.path, "/v2");
		CHECK_INT(back.rules[1].has, 0);
		CHECK_INT(back.rules[1].n_matches, 0);
	}
	/* the comparison notices a change deep down */
	kgate_set_str(&back.rules[0].matches[0].query.v[0].value, "3");
	CHECK(!kgate_route_equal(&r, &back));
	kgate_route_free(&back);
	kgate_route_free(&r);
}

/* A KGATE_A_LISTENER nest built by hand, with @extra appended. */
static const struct nlattr *lis_nest(void (*extra)(struct nlmsghdr *))
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42,
					       KGATE_CMD_LISTENER_GET, 0, 1);
	struct nlattr *nest = mnl_attr_nest_start(nlh, KGATE_A_LISTENER);

	mnl_attr_put_strz(nlh, KGATE_LIS_A_NAME, "web");
	if (extra)
		extra(nlh);
	mnl_attr_nest_end(nlh, nest);
	return kgate_msg_attr(nlh, KGATE_A_LISTENER);
}

static void all_counters(struct nlmsghdr *nlh)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, KGATE_LIS_A_COUNTERS);

	for (uint16_t t = KGATE_L7C_A_CONNS; t < KGATE_L7C_A_PAD; t++) {
		if (t == KGATE_L7C_A_CONNS_OPEN)
			mnl_attr_put_u32(nlh, t, 1000 + t);
		else
			mnl_attr_put_u64(nlh, t, (1ULL << 40) + t);
	}
	mnl_attr_put(nlh, KGATE_L7C_A_PAD, 0, NULL);
	mnl_attr_nest_end(nlh, c);
}

TEST(test_counters)
{
	const struct nlattr *a = lis_nest(all_counters);
	struct kgate_listener l;
	const struct kgate_l7_counters *c = &l.cnt;
	uint64_t base = 1ULL << 40;

	CHECK_INT(kgate_parse_listener(a, &l, why, sizeof(why)), 0);
	CHECK(l.has & KGATE_LIS_HAS_COUNTERS);
	CHECK_INT(c->conns, base + KGATE_L7C_A_CONNS);
	CHECK_INT(c->conns_open, 1000 + KGATE_L7C_A_CONNS_OPEN);
	CHECK_INT(c->conns_refused, base + KGATE_L7C_A_CONNS_REFUSED);
	CHECK_INT(c->requests, base + KGATE_L7C_A_REQUESTS);
	for (int i = 0; i < 5; i++)
		CHECK_INT(c->resp[i], base + KGATE_L7C_A_RESP_1XX + i);
	CHECK_INT(c->bytes_in, base + KGATE_L7C_A_BYTES_IN);
	CHECK_INT(c->bytes_out, base + KGATE_L7C_A_BYTES_OUT);
	CHECK_INT(c->upstream_connects, base + KGATE_L7C_A_UPSTREAM_CONNECTS);
	CHECK_INT(c->upstream_reuses, base + KGATE_L7C_A_UPSTREAM_REUSES);
	CHECK_INT(c->log_dropped, base + KGATE_L7C_A_LOG_DROPPED);
	kgate_listener_free(&l);
}

static void short_counter(struct nlmsghdr *nlh)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, KGATE_LIS_A_COUNTERS);

	mnl_attr_put_u32(nlh, KGATE_L7C_A_REQUESTS, 5);
	mnl_attr_nest_end(nlh, c);
}

static void short_port(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KGATE_LIS_A_PORT, 80);
}

static void twice_name(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, KGATE_LIS_A_NAME, "again");
}

static void bad_limit(struct nlmsghdr *nlh)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, KGATE_LIS_A_LIMITS);

	mnl_attr_put_u32(nlh, KGATE_LIM_A_BODY_BYTES, 5);
	mnl_attr_nest_end(nlh, c);
}

static void limit_twice(struct nlmsghdr *nlh)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, KGATE_LIS_A_LIMITS);

	mnl_attr_put_u32(nlh, KGATE_LIM_A_HEADERS, 5);
	mnl_attr_put_u32(nlh, KGATE_LIM_A_HEADERS, 6);
	mnl_attr_nest_end(nlh, c);
}

static void unknown_attr(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KGATE_LIS_A_MAX + 5, 1);
	mnl_attr_put(nlh, KGATE_LIS_A_PAD, 0, NULL);
}

TEST(test_listener_strict)
{
	struct kgate_listener l;

	CHECK_INT(kgate_parse_listener(lis_nest(short_counter), &l, why,
				       sizeof(why)), -EINVAL);
	CHECK_STR(why, "listener.counters.requests: length 4, expected 8");
	kgate_listener_free(&l);
	CHECK_INT(kgate_parse_listener(lis_nest(short_port), &l, why,
				       sizeof(why)), -EINVAL);
	CHECK_STR(why, "listener.port: length 4, expected 2");
	kgate_listener_free(&l);
	CHECK_INT(kgate_parse_listener(lis_nest(twice_name), &l, why,
				       sizeof(why)), -EINVAL);
	CHECK_STR(why, "listener.name: attribute repeated");
	kgate_listener_free(&l);
	CHECK_INT(kgate_parse_listener(lis_nest(bad_limit), &l, why,
				       sizeof(why)), -EINVAL);
	CHECK_STR(why, "listener.limits.body_bytes: length 4, expected 8");
	kgate_listener_free(&l);
	CHECK_INT(kgate_parse_listener(lis_nest(limit_twice), &l, why,
				       sizeof(why)), -EINVAL);
	CHECK_STR(why, "listener.limits.headers: attribute repeated");
	kgate_listener_free(&l);
	/* newer attributes and padding are skipped */
	CHECK_INT(kgate_parse_listener(lis_nest(unknown_attr), &l, why,
				       sizeof(why)), 0);
	kgate_listener_free(&l);
}

static const struct nlattr *route_nest(void (*fill)(struct nlmsghdr *))
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42,
					       KGATE_CMD_ROUTE_GET, 0, 1);
	struct nlattr *nest = mnl_attr_nest_start(nlh, KGATE_A_ROUTE);

	fill(nlh);
	mnl_attr_nest_end(nlh, nest);
	return kgate_msg_attr(nlh, KGATE_A_ROUTE);
}

static void rt_no_name(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, KGATE_RT_A_KIND, 1);
}

static void rt_bad_item(struct nlmsghdr *nlh)
{
	struct nlattr *l;

	mnl_attr_put_strz(nlh, KGATE_RT_A_NAME, "r");
	l = mnl_attr_nest_start(nlh, KGATE_RT_A_HOSTNAMES);
	mnl_attr_put_strz(nlh, KGATE_A_LIST_ITEM, "a.example");
	mnl_attr_put_strz(nlh, 2, "b.example");
	mnl_attr_nest_end(nlh, l);
}

/* A rule whose second match has a header without a value. */
static void rt_deep(struct nlmsghdr *nlh)
{
	struct nlattr *rules, *rule, *ms, *m, *hs, *h;

	mnl_attr_put_strz(nlh, KGATE_RT_A_NAME, "r");
	rules = mnl_attr_nest_start(nlh, KGATE_RT_A_RULES);
	rule = mnl_attr_nest_start(nlh, KGATE_A_LIST_ITEM);
	ms = mnl_attr_nest_start(nlh, KGATE_RULE_A_MATCHES);
	m = mnl_attr_nest_start(nlh, KGATE_A_LIST_ITEM);
	mnl_attr_nest_end(nlh, m);
	m = mnl_attr_nest_start(nlh, KGATE_A_LIST_ITEM);
	hs = mnl_attr_nest_start(nlh, KGATE_MATCH_A_HEADERS);
	h = mnl_attr_nest_start(nlh, KGATE_A_LIST_ITEM);
	mnl_attr_put_strz(nlh, KGATE_KV_A_NAME, "x");
	mnl_attr_nest_end(nlh, h);
	mnl_attr_nest_end(nlh, hs);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, ms);
	mnl_attr_nest_end(nlh, rule);
	mnl_attr_nest_end(nlh, rules);
}

static void rt_unterminated(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, KGATE_RT_A_NAME, 3, "abc");
}

TEST(test_route_strict)
{
	struct kgate_route r;

	CHECK_INT(kgate_parse_route(route_nest(rt_no_name), &r, why,
				    sizeof(why)), -EINVAL);
	CHECK_STR(why, "route: missing name");
	kgate_route_free(&r);
	CHECK_INT(kgate_parse_route(route_nest(rt_bad_item), &r, why,
				    sizeof(why)), -EINVAL);
	CHECK_STR(why, "route.hostnames: entry of type 2, expected 1");
	kgate_route_free(&r);
	CHECK_INT(kgate_parse_route(route_nest(rt_deep), &r, why,
				    sizeof(why)), -EINVAL);
	CHECK_STR(why, "route.rules[0].matches[1].headers[0]: missing value");
	kgate_route_free(&r);
	CHECK_INT(kgate_parse_route(route_nest(rt_unterminated), &r, why,
				    sizeof(why)), -EINVAL);
	CHECK_STR(why, "route.name: not a NUL-terminated string");
	kgate_route_free(&r);
}

/* A listener's and a route's owner: encoded when set, decoded, compared. */
TEST(test_l7_owner_round_trip)
{
	struct kgate_listener l, lback;
	struct kgate_route r, rback;
	struct kgate_obj lo = { .kind = KGATE_OBJ_LISTENER, .lis = &l };
	struct kgate_obj ro = { .kind = KGATE_OBJ_ROUTE, .rt = &r };
	const struct nlattr *a;

	full_listener(&l);
	CHECK_INT(kgate_set_str(&l.owner, "kgated"), 0);
	a = kgate_msg_attr(encode(&lo, KGATE_CMD_LISTENER_REPLACE),
			   KGATE_A_LISTENER);
	CHECK_INT(kgate_parse_listener(a, &lback, why, sizeof(why)), 0);
	CHECK_STR(lback.owner, "kgated");
	CHECK(kgate_listener_equal(&l, &lback));
	free(lback.owner);
	lback.owner = NULL;
	CHECK(!kgate_listener_equal(&l, &lback));
	kgate_listener_free(&lback);
	free(l.owner);
	l.owner = NULL;
	a = kgate_msg_attr(encode(&lo, KGATE_CMD_LISTENER_REPLACE),
			   KGATE_A_LISTENER);
	CHECK_INT(kgate_parse_listener(a, &lback, why, sizeof(why)), 0);
	CHECK(lback.owner == NULL);
	kgate_listener_free(&lback);
	kgate_listener_free(&l);

	full_route(&r);
	CHECK_INT(kgate_set_str(&r.owner, "kgate-apply"), 0);
	a = kgate_msg_attr(encode(&ro, KGATE_CMD_ROUTE_ADD), KGATE_A_ROUTE);
	CHECK_INT(kgate_parse_route(a, &rback, why, sizeof(why)), 0);
	CHECK_STR(rback.owner, "kgate-apply");
	CHECK(kgate_route_equal(&r, &rback));
	CHECK_INT(kgate_set_str(&rback.owner, "someone-else"), 0);
	CHECK(!kgate_route_equal(&r, &rback));
	kgate_route_free(&rback);
	kgate_route_free(&r);
}

static void owner_twice(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, KGATE_LIS_A_OWNER, "a");
	mnl_attr_put_strz(nlh, KGATE_LIS_A_OWNER, "b");
}

static void rt_owner_unterminated(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, KGATE_RT_A_NAME, "r");
	mnl_attr_put(nlh, KGATE_RT_A_OWNER, 3, "abc");
}

TEST(test_l7_owner_strict)
{
	struct kgate_listener l;
	struct kgate_route r;

	CHECK_INT(kgate_parse_listener(lis_nest(owner_twice), &l, why,
				       sizeof(why)), -EINVAL);
	CHECK_STR(why, "listener.owner: attribute repeated");
	kgate_listener_free(&l);
	CHECK_INT(kgate_parse_route(route_nest(rt_owner_unterminated), &r, why,
				    sizeof(why)), -EINVAL);
	CHECK_STR(why, "route.owner: not a NUL-terminated string");
	kgate_route_free(&r);
}

/* An ACCESS event with every attribute; @upstream: the upstream too. */
static struct nlmsghdr *access_msg(bool upstream)
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_ACCESS,
					       0, 0);
	struct kgate_addr c = addr("192.0.2.7"), u = addr("fd00::9");
	struct nlattr *n = mnl_attr_nest_start(nlh, KGATE_A_ACCESS);

	mnl_attr_put_u64(nlh, KGATE_ACC_A_TIME, 1795937719123456789ULL);
	mnl_attr_put(nlh, KGATE_ACC_A_CLIENT_ADDR, 4, c.bytes);
	mnl_attr_put_u16(nlh, KGATE_ACC_A_CLIENT_PORT, 40000);
	mnl_attr_put_strz(nlh, KGATE_ACC_A_LISTENER, "web");
	if (upstream)
		mnl_attr_put_strz(nlh, KGATE_ACC_A_ROUTE, "default/shop");
	mnl_attr_put_strz(nlh, KGATE_ACC_A_HOST, "shop.example.com");
	mnl_attr_put_strz(nlh, KGATE_ACC_A_METHOD, "GET");
	mnl_attr_put_strz(nlh, KGATE_ACC_A_PATH, "/a b\"c");
	mnl_attr_put_u16(nlh, KGATE_ACC_A_STATUS, upstream ? 200 : 404);
	mnl_attr_put_u64(nlh, KGATE_ACC_A_BYTES_IN, 321);
	mnl_attr_put_u64(nlh, KGATE_ACC_A_BYTES_OUT, 1234);
	if (upstream) {
		mnl_attr_put(nlh, KGATE_ACC_A_UPSTREAM_ADDR, 16, u.bytes);
		mnl_attr_put_u16(nlh, KGATE_ACC_A_UPSTREAM_PORT, 8080);
	}
	mnl_attr_put_u32(nlh, KGATE_ACC_A_TTFB, 150);
	mnl_attr_put_u32(nlh, KGATE_ACC_A_DURATION, 900);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

TEST(test_access_event)
{
	struct kgate_event ev;
	const struct kgate_access *a = &ev.acc;

	kgate_event_parse(access_msg(true), &ev);
	CHECK_INT(ev.type, KGATE_EV_ACCESS);
	CHECK_INT(a->time_ns, 1795937719123456789ULL);
	CHECK_INT(a->client.family, AF_INET);
	CHECK_INT(a->client_port, 40000);
	CHECK_STR(a->listener, "web");
	CHECK_STR(a->route, "default/shop");
	CHECK_STR(a->host, "shop.example.com");
	CHECK_STR(a->method, "GET");
	CHECK_STR(a->path, "/a b\"c");
	CHECK_INT(a->status, 200);
	CHECK_INT(a->bytes_in, 321);
	CHECK_INT(a->bytes_out, 1234);
	CHECK_INT(a->upstream.family, AF_INET6);
	CHECK_INT(a->upstream_port, 8080);
	CHECK_INT(a->ttfb_us, 150);
	CHECK_INT(a->duration_us, 900);
	CHECK_INT(a->has, KGATE_ACC_HAS_CLIENT | KGATE_ACC_HAS_UPSTREAM |
		  KGATE_ACC_HAS_STATUS);
	kgate_event_free(&ev);
	kgate_event_parse(access_msg(false), &ev);
	CHECK_INT(ev.type, KGATE_EV_ACCESS);
	CHECK(ev.acc.route == NULL);
	CHECK(!(ev.acc.has & KGATE_ACC_HAS_UPSTREAM));
	kgate_event_free(&ev);
}

TEST(test_l7_events)
{
	struct kgate_route r;
	struct kgate_obj o = { .kind = KGATE_OBJ_ROUTE, .rt = &r };
	struct kgate_event ev;
	struct nlmsghdr *nlh;

	full_route(&r);
	kgate_event_parse(encode(&o, KGATE_CMD_ROUTE_REPLACE), &ev);
	CHECK_INT(ev.type, KGATE_EV_ROUTE);
	CHECK_INT(ev.cmd, KGATE_CMD_ROUTE_REPLACE);
	CHECK(kgate_route_equal(&r, &ev.rt));
	kgate_event_free(&ev);
	kgate_route_free(&r);
	/* a listener event without its nest is bad, not a crash */
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_LISTENER_DEL, 0, 0);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_BAD);
	CHECK_STR(ev.why, "missing listener");
	kgate_event_free(&ev);
}

TEST(test_too_big)
{
	struct kgate_route r;
	struct kgate_obj o = { .kind = KGATE_OBJ_ROUTE, .rt = &r };
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_ROUTE_ADD,
					       0, 1);
	uint32_t len = nlh->nlmsg_len;
	char host[300];
	struct kgate_err e;

	kgate_route_init(&r);
	kgate_set_str(&r.name, "big");
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (int i = 0; i < 220; i++)	/* 66880 bytes */
		kgate_str_list_add(&r.hosts, host);
	CHECK_INT(kgate_put_obj(nlh, sizeof(buf), &o), -E2BIG);
	CHECK_INT(nlh->nlmsg_len, len);		/* left as it was */
	CHECK_INT(kgate_put_failed(-E2BIG, &o, &e), -E2BIG);
	CHECK(!strncmp(e.msg, "route too large", 15));
	/* a buffer too small: EMSGSIZE, nothing written */
	CHECK_INT(kgate_put_obj(nlh, len + 64, &o), -EMSGSIZE);
	CHECK_INT(nlh->nlmsg_len, len);
	kgate_route_free(&r);
}

/* An extack offset inside a route is named down to the list entry. */
TEST(test_attr_path)
{
	struct kgate_route r;
	struct kgate_obj o = { .kind = KGATE_OBJ_ROUTE, .rt = &r };
	const struct nlattr *a, *rules, *rule = NULL, *x, *hosts = NULL;
	struct nlmsghdr *nlh;
	char path[128];
	int i = 0;

	full_route(&r);
	nlh = encode(&o, KGATE_CMD_ROUTE_ADD);
	a = kgate_msg_attr(nlh, KGATE_A_ROUTE);
	mnl_attr_for_each_nested(x, a) {
		if (mnl_attr_get_type(x) == KGATE_RT_A_HOSTNAMES)
			hosts = x;
		if (mnl_attr_get_type(x) == KGATE_RT_A_RULES)
			rules = x, rule = mnl_attr_get_payload(rules);
	}
	CHECK(hosts && rule);
	if (!hosts || !rule)
		return;
	mnl_attr_for_each_nested(x, hosts)
		if (i++ == 1)
			break;
	CHECK_INT(kgate_attr_path(nlh, (uint32_t)((char *)x - (char *)nlh),
				  path, sizeof(path)), 0);
	CHECK_STR(path, "route.hostnames[1]");
	mnl_attr_for_each_nested(x, rule)
		if (mnl_attr_get_type(x) == KGATE_RULE_A_REDIRECT)
			break;
	x = (const struct nlattr *)((const char *)mnl_attr_get_payload(x));
	while (mnl_attr_get_type(x) != KGATE_REDIR_A_PORT)
		x = (const struct nlattr *)((const char *)x +
					    MNL_ALIGN(x->nla_len));
	CHECK_INT(kgate_attr_path(nlh, (uint32_t)((char *)x - (char *)nlh),
				  path, sizeof(path)), 0);
	CHECK_STR(path, "route.rules[0].redirect.port");
	kgate_route_free(&r);
}

int main(void)
{
	RUN(test_listener_round_trip);
	RUN(test_listener_minimal);
	RUN(test_route_round_trip);
	RUN(test_counters);
	RUN(test_listener_strict);
	RUN(test_route_strict);
	RUN(test_l7_owner_round_trip);
	RUN(test_l7_owner_strict);
	RUN(test_access_event);
	RUN(test_l7_events);
	RUN(test_too_big);
	RUN(test_attr_path);
	return tap_done();
}

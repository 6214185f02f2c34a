// SPDX-License-Identifier: GPL-2.0
/*
 * The kgate CLI for listeners and routes: every word of the syntax, the
 * usage errors and their text, units of sizes and durations, the text,
 * save and JSON output (save read back gives the same object), the
 * combined log format of access records, and the help words.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/kgate.h>

#include "cli.h"
#include "tap.h"

static char why[256];
static struct cli_cmd cmd;

/* Parse a command line given as one string; returns 0 or -1. */
static int parse(const char *line)
{
	static char copy[2048];
	char *argv[256], *p;
	int argc = 0;

	cli_cmd_free(&cmd);
	snprintf(copy, sizeof(copy), "%s", line);
	for (p = strtok(copy, " "); p && argc < 256; p = strtok(NULL, " "))
		argv[argc++] = p;
	why[0] = '\0';
	return cli_parse_mutation(argc, argv, &cmd, why, sizeof(why));
}

static const char *err_of(const char *line)
{
	return parse(line) ? why : "ok";
}

static char *mem;
static size_t memlen;

static FILE *open_mem(void)
{
	free(mem);
	mem = NULL;
	return open_memstream(&mem, &memlen);
}

static const char *close_mem(FILE *f)
{
	fclose(f);
	return mem;
}

TEST(test_units)
{
	uint64_t v;
	char b[24];

	CHECK_INT(kgate_parse_ms("500", UINT32_MAX, &v), 0);
	CHECK_INT(v, 500);
	CHECK_INT(kgate_parse_ms("500ms", UINT32_MAX, &v), 0);
	CHECK_INT(v, 500);
	CHECK_INT(kgate_parse_ms("5s", UINT32_MAX, &v), 0);
	CHECK_INT(v, 5000);
	CHECK_INT(kgate_parse_ms("2m", UINT32_MAX, &v), 0);
	CHECK_INT(v, 120000);
	CHECK_INT(kgate_parse_ms("0", UINT32_MAX, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(kgate_parse_ms("1h", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("s", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("-5s", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("1.5s", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("5 s", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("5S", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_ms("4294967295", UINT32_MAX, &v), 0);
	CHECK_INT(kgate_parse_ms("4294967296", UINT32_MAX, &v), -ERANGE);
	CHECK_INT(kgate_parse_ms("71582m", UINT32_MAX, &v), 0);
	CHECK_INT(kgate_parse_ms("71583m", UINT32_MAX, &v), -ERANGE);
	CHECK_INT(kgate_parse_ms("99999999999999999999999s", UINT32_MAX, &v),
		  -ERANGE);
	CHECK_INT(kgate_parse_size("16k", UINT32_MAX, &v), 0);
	CHECK_INT(v, 16384);
	CHECK_INT(kgate_parse_size("1m", UINT64_MAX, &v), 0);
	CHECK_INT(v, 1048576);
	CHECK_INT(kgate_parse_size("1234", UINT32_MAX, &v), 0);
	CHECK_INT(v, 1234);
	CHECK_INT(kgate_parse_size("1K", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_size("1g", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(kgate_parse_size("4096m", UINT32_MAX, &v), -ERANGE);
	CHECK_INT(kgate_parse_size("4095m", UINT32_MAX, &v), 0);
	CHECK_STR(kgate_ms_str(60000, b, sizeof(b)), "60s");
	CHECK_STR(kgate_ms_str(1500, b, sizeof(b)), "1500ms");
	CHECK_STR(kgate_ms_str(0, b, sizeof(b)), "0ms");
	CHECK_STR(kgate_ms_str(120000, b, sizeof(b)), "120s");
}

TEST(test_listener_add_full)
{
	const struct kgate_listener *l = &cmd.lis;
	char ep[KGATE_ENDPOINT_STRLEN];

	CHECK_INT(parse("listener add web [::]:80 mode http "
			"default-backend default/web:80 max-conns 500 "
			"trust-forwarded access-log head-bytes 8k headers 64 "
			"uri-bytes 2048 body-bytes 10m head-timeout 30s "
			"idle-timeout 500ms connect-timeout 2000 "
			"response-timeout 2m"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_LISTENER_ADD);
	CHECK_INT(cmd.obj, KGATE_OBJ_LISTENER);
	CHECK_STR(l->name, "web");
	CHECK_STR(kgate_endpoint_str(&l->addr, l->port, ep, sizeof(ep)),
		  "[::]:80");
	CHECK_INT(l->mode, KGATE_MODE_HTTP);
	CHECK_STR(l->default_backend, "default/web:80");
	CHECK_INT(l->max_conns, 500);
	CHECK_INT(l->flags, KGATE_LIS_F_TRUST_FORWARDED |
		  KGATE_LIS_F_ACCESS_LOG);
	CHECK_INT(l->has, KGATE_LIS_HAS_PORT | KGATE_LIS_HAS_MODE |
		  KGATE_LIS_HAS_MAX_CONNS | KGATE_LIS_HAS_FLAGS);
	CHECK_INT(l->lim.has, 0xff);
	CHECK_INT(l->lim.head_bytes, 8192);
	CHECK_INT(l->lim.headers, 64);
	CHECK_INT(l->lim.uri_bytes, 2048);
	CHECK_INT(l->lim.body_bytes, 10 * 1048576);
	CHECK_INT(l->lim.head_timeout, 30000);
	CHECK_INT(l->lim.idle_timeout, 500);
	CHECK_INT(l->lim.connect_timeout, 2000);
	CHECK_INT(l->lim.response_timeout, 120000);
}

TEST(test_listener_other)
{
	const struct kgate_listener *l = &cmd.lis;

	CHECK_INT(parse("listener replace a 198.18.0.1:8080"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_LISTENER_REPLACE);
	CHECK_INT(l->has, KGATE_LIS_HAS_PORT);	/* defaults: the kernel's */
	CHECK_INT(l->lim.has, 0);
	CHECK_INT(l->addr.family, AF_INET);
	CHECK_INT(parse("listener add a 0.0.0.0:80 no-trust-forwarded "
			"no-access-log body-bytes unlimited"), 0);
	CHECK_INT(l->has & KGATE_LIS_HAS_FLAGS, KGATE_LIS_HAS_FLAGS);
	CHECK_INT(l->flags, 0);
	CHECK_INT(l->lim.body_bytes, 0);
	CHECK_INT(l->lim.has, KGATE_LIM_HAS_BODY_BYTES);
	CHECK_INT(parse("listener add a [fd00::1]:80 mode tls-terminate"), 0);
	CHECK_INT(l->mode, KGATE_MODE_TLS_TERMINATE);
	CHECK_INT(parse("listener add a 1.2.3.4:80 mode tls-passthrough"), 0);
	CHECK_INT(l->mode, KGATE_MODE_TLS_PASSTHROUGH);
	CHECK_INT(parse("listener del web"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_LISTENER_DEL);
	CHECK_STR(l->name, "web");
	CHECK_INT(l->addr.family, 0);
	CHECK_INT(parse("listener delete web"), 0);
	/* ranges are the kernel's: passed on */
	CHECK_STR(err_of("listener add a 1.2.3.4:80 head-bytes 0 headers 0 "
			 "max-conns 0 head-timeout 0"), "ok");
}

TEST(test_listener_errors)
{
	CHECK_STR(err_of("listener"), "missing verb after \"listener\" (add, "
		  "replace, del, show or save)");
	CHECK_STR(err_of("listener move a"), "unknown verb \"listener move\" "
		  "(add, replace, del, show or save)");
	CHECK_STR(err_of("listener add"), "missing listener NAME");
	CHECK_STR(err_of("listener add web"),
		  "missing listener ADDR:PORT after \"web\"");
	CHECK_STR(err_of("listener add web 1.2.3.4"),
		  "listener \"1.2.3.4\": missing \":PORT\"");
	CHECK_STR(err_of("listener add web fd00::1:80"),
		  "listener \"fd00::1:80\": an IPv6 address needs brackets, as "
		  "in [fd00::1]:80");
	CHECK_STR(err_of("listener add web 1.2.3.4:99999"),
		  "listener \"1.2.3.4:99999\": invalid port \"99999\"");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 mode https"),
		  "mode \"https\": expected http, tls-terminate or "
		  "tls-passthrough");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 mode"),
		  "missing value after \"mode\"");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 max-conns many"),
		  "max-conns \"many\": not a number");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 max-conns 1 "
			 "max-conns 2"), "\"max-conns\" given twice");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 access-log "
			 "no-access-log"),
		  "\"access-log\" or \"no-access-log\" given twice");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 head-bytes 16q"),
		  "head-bytes \"16q\": expected a size: N, Nk or Nm");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 head-bytes unlimited"),
		  "head-bytes \"unlimited\": expected a size: N, Nk or Nm");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 body-bytes lots"),
		  "body-bytes \"lots\": expected a size: N, Nk or Nm or "
		  "unlimited");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 uri-bytes 5000m"),
		  "uri-bytes \"5000m\": too large");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 idle-timeout 5h"),
		  "idle-timeout \"5h\": expected a duration: N (ms), Nms, Ns "
		  "or Nm");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 head-timeout "
			 "99999999s"), "head-timeout \"99999999s\": too long");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 headers 1 headers 2"),
		  "\"headers\" given twice");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 default-backend a "
			 "default-backend b"),
		  "\"default-backend\" given twice");
	CHECK_STR(err_of("listener add web 1.2.3.4:80 tls"),
		  "unknown listener option \"tls\"");
	CHECK_STR(err_of("listener del"), "missing listener NAME");
	CHECK_STR(err_of("listener del a b"), "unexpected argument \"b\"");
	CHECK_STR(err_of("listener show"), "\"listener show\" does not change "
		  "anything and cannot be batched");
}

static const char *example = "route add default/shop listener web host "
	"shop.example.com rule match prefix /api backend default/api:80@9 "
	"backend default/api-canary:80@1 rule match exact / backend "
	"default/web:80";

TEST(test_route_example)
{
	const struct kgate_route *r = &cmd.rt;

	CHECK_INT(parse(example), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_ROUTE_ADD);
	CHECK_INT(cmd.obj, KGATE_OBJ_ROUTE);
	CHECK_STR(r->name, "default/shop");
	CHECK_INT(r->has, 0);
	CHECK_INT(r->listeners.n, 1);
	CHECK_STR(r->listeners.v[0], "web");
	CHECK_INT(r->hosts.n, 1);
	CHECK_INT(r->n_rules, 2);
	if (r->n_rules != 2)
		return;
	CHECK_INT(r->rules[0].n_matches, 1);
	CHECK_INT(r->rules[0].matches[0].path_type, KGATE_PATH_PREFIX);
	CHECK_INT(r->rules[0].matches[0].has, KGATE_MATCH_HAS_PATH_TYPE);
	CHECK_STR(r->rules[0].matches[0].path, "/api");
	CHECK_INT(r->rules[0].n_refs, 2);
	CHECK_STR(r->rules[0].refs[0].service, "default/api:80");
	CHECK_INT(r->rules[0].refs[0].weight, 9);
	CHECK(r->rules[0].refs[0].has_weight);
	CHECK_INT(r->rules[0].refs[1].weight, 1);
	CHECK_INT(r->rules[1].matches[0].path_type, KGATE_PATH_EXACT);
	CHECK(!r->rules[1].refs[0].has_weight);
	CHECK_INT(r->rules[1].has, 0);
}

TEST(test_route_every_word)
{
	const struct kgate_route *r = &cmd.rt;
	const struct kgate_rule *rule;
	const struct kgate_match *m;

	CHECK_INT(parse("route replace ns/r kind httproute listener a "
			"host a.example host *.b.example listener b "
			"rewrite-target /x rate 10 burst 20 allow 10.0.0.0/8 "
			"allow fd00::/8 "
			"rule match impl /p method GET header x-a=1 "
			"header x-b= query q=v=w match /q "
			"backend s1@0 backend s2@1000000 "
			"request-header set a=1 request-header add b=2 "
			"request-header remove c response-header set d=4 "
			"response-header add e=5 response-header remove f "
			"redirect scheme https hostname h.example port 8443 "
			"path prefix /n status 301 "
			"rewrite hostname i.example path full /f "
			"rule"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_ROUTE_REPLACE);
	CHECK_INT(r->has, KGATE_RT_HAS_KIND | KGATE_RT_HAS_RATE |
		  KGATE_RT_HAS_BURST);
	CHECK_INT(r->kind, KGATE_ROUTE_HTTPROUTE);
	CHECK_INT(r->listeners.n, 2);
	CHECK_STR(r->listeners.v[1], "b");
	CHECK_STR(r->hosts.v[1], "*.b.example");
	CHECK_STR(r->rewrite_target, "/x");
	CHECK_INT(r->rate, 10);
	CHECK_INT(r->burst, 20);
	CHECK_INT(r->n_allow, 2);
	CHECK_INT(r->allow[1].addr.family, AF_INET6);
	CHECK_INT(r->n_rules, 2);
	if (r->n_rules != 2)
		return;
	rule = &r->rules[0];
	CHECK_INT(rule->n_matches, 2);
	m = &rule->matches[0];
	CHECK_INT(m->path_type, KGATE_PATH_IMPL);
	CHECK_STR(m->method, "GET");
	CHECK_INT(m->headers.n, 2);
	CHECK_STR(m->headers.v[1].value, "");
	CHECK_STR(m->query.v[0].name, "q");
	CHECK_STR(m->query.v[0].value, "v=w");
	CHECK_INT(rule->matches[1].has, 0);	/* no type: the kernel's */
	CHECK_STR(rule->matches[1].path, "/q");
	CHECK_INT(rule->refs[0].weight, 0);
	CHECK_INT(rule->refs[1].weight, 1000000);
	CHECK_STR(rule->req.set.v[0].name, "a");
	CHECK_STR(rule->req.add.v[0].value, "2");
	CHECK_STR(rule->req.remove.v[0], "c");
	CHECK_STR(rule->resp.set.v[0].name, "d");
	CHECK_STR(rule->resp.add.v[0].name, "e");
	CHECK_STR(rule->resp.remove.v[0], "f");
	CHECK_INT(rule->has, KGATE_RULE_HAS_REQ_HEADERS |
		  KGATE_RULE_HAS_RESP_HEADERS | KGATE_RULE_HAS_REDIRECT |
		  KGATE_RULE_HAS_REWRITE);
	CHECK_STR(rule->redirect.scheme, "https");
	CHECK_STR(rule->redirect.hostname, "h.example");
	CHECK_INT(rule->redirect.port, 8443);
	CHECK_INT(rule->redirect.path_type, KGATE_PATHMOD_PREFIX);
	CHECK_STR(rule->redirect.path, "/n");
	CHECK_INT(rule->redirect.status, 301);
	CHECK_INT(rule->redirect.has, KGATE_REDIR_HAS_PORT |
		  KGATE_REDIR_HAS_PATH_TYPE | KGATE_REDIR_HAS_STATUS);
	CHECK_STR(rule->rewrite.hostname, "i.example");
	CHECK_INT(rule->rewrite.path_type, KGATE_PATHMOD_FULL);
	CHECK_STR(rule->rewrite.path, "/f");
	/* "rule" alone: a rule with nothing, PathPrefix / to 404 */
	CHECK_INT(r->rules[1].n_matches + r->rules[1].n_refs, 0);
	CHECK_INT(r->rules[1].has, 0);
	/* meaning is the kernel's: no listener, no rule, odd values */
	CHECK_STR(err_of("route add r"), "ok");
	CHECK_STR(err_of("route add r listener l rule match api "
			 "backend s@2000000 redirect status 304"), "ok");
	CHECK_STR(err_of("route add r listener l rewrite-target /$1 rule"),
		  "ok");
	CHECK_INT(parse("route del ns/r"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_ROUTE_DEL);
	CHECK_STR(cmd.rt.name, "ns/r");
}

TEST(test_route_errors)
{
	CHECK_STR(err_of("route"), "missing verb after \"route\" (add, "
		  "replace, del, show or save)");
	CHECK_STR(err_of("route add"), "missing route NAME");
	CHECK_STR(err_of("route add r listener"),
		  "missing value after \"listener\"");
	CHECK_STR(err_of("route add r kind gateway"),
		  "kind \"gateway\": expected ingress or httproute");
	CHECK_STR(err_of("route add r kind ingress kind ingress"),
		  "\"kind\" given twice");
	CHECK_STR(err_of("route add r rewrite-target /a rewrite-target /b"),
		  "\"rewrite-target\" given twice");
	CHECK_STR(err_of("route add r rate fast"),
		  "rate \"fast\": not a number");
	CHECK_STR(err_of("route add r rate 1 rate 2"),
		  "\"rate\" given twice");
	CHECK_STR(err_of("route add r burst 5"),
		  "\"burst\" must follow \"rate N\"");
	CHECK_STR(err_of("route add r rate 5 burst"),
		  "missing value after \"burst\"");
	CHECK_STR(err_of("route add r allow 10.0.0.0/33x"),
		  "allow \"10.0.0.0/33x\": invalid prefix length \"33x\"");
	CHECK_STR(err_of("route add r allow example.com"),
		  "allow \"example.com\": invalid address \"example.com\"");
	CHECK_STR(err_of("route add r host"), "missing value after \"host\"");
	CHECK_STR(err_of("route add r match /a"),
		  "unknown route option \"match\"");
	CHECK_STR(err_of("route add r rule match"),
		  "missing PATH after \"match\"");
	CHECK_STR(err_of("route add r rule match exact"),
		  "missing PATH after \"match\"");
	CHECK_STR(err_of("route add r rule match exact rule"),
		  "missing PATH after \"match\"");
	CHECK_STR(err_of("route add r rule method GET"),
		  "\"method\" must follow \"match PATH\"");
	CHECK_STR(err_of("route add r rule header a=b"),
		  "\"header\" must follow \"match PATH\"");
	CHECK_STR(err_of("route add r rule backend s query a=b"),
		  "\"query\" must follow \"match PATH\"");
	CHECK_STR(err_of("route add r rule match /a method GET method PUT"),
		  "\"method\" given twice");
	CHECK_STR(err_of("route add r rule match /a header novalue"),
		  "header \"novalue\": expected NAME=VALUE");
	CHECK_STR(err_of("route add r rule match /a query =v"),
		  "query \"=v\": expected NAME=VALUE");
	CHECK_STR(err_of("route add r rule backend"),
		  "missing value after \"backend\"");
	CHECK_STR(err_of("route add r rule backend @3"),
		  "backend \"@3\": expected SERVICE[@WEIGHT]");
	CHECK_STR(err_of("route add r rule backend s@x"),
		  "backend \"s@x\": weight \"x\" is not a number");
	CHECK_STR(err_of("route add r rule backend s@"),
		  "backend \"s@\": weight \"\" is not a number");
	CHECK_STR(err_of("route add r rule backend s@99999999999"),
		  "backend \"s@99999999999\": weight \"99999999999\" is not a "
		  "number");
	CHECK_STR(err_of("route add r rule request-header put a=b"),
		  "request-header \"put\": expected set, add or remove");
	CHECK_STR(err_of("route add r rule response-header set ab"),
		  "set \"ab\": expected NAME=VALUE");
	CHECK_STR(err_of("route add r rule request-header remove"),
		  "missing value after \"remove\"");
	CHECK_STR(err_of("route add r rule redirect scheme ftp"),
		  "scheme \"ftp\": expected http or https");
	CHECK_STR(err_of("route add r rule redirect port 70000"),
		  "port \"70000\": too large (max 65535)");
	CHECK_STR(err_of("route add r rule redirect status 1 status 2"),
		  "\"status\" given twice");
	CHECK_STR(err_of("route add r rule redirect path exact /a"),
		  "path \"exact\": expected full or prefix");
	CHECK_STR(err_of("route add r rule redirect path full"),
		  "missing value after \"full\"");
	CHECK_STR(err_of("route add r rule redirect redirect"),
		  "\"redirect\" given twice in one rule");
	CHECK_STR(err_of("route add r rule rewrite hostname a hostname b"),
		  "\"hostname\" given twice");
	CHECK_STR(err_of("route add r rule rewrite status 301"),
		  "unknown rule word \"status\" (match, backend, "
		  "request-header, response-header, redirect or rewrite)");
	CHECK_STR(err_of("route add r rule frob"),
		  "unknown rule word \"frob\" (match, backend, request-header, "
		  "response-header, redirect or rewrite)");
	CHECK_STR(err_of("route add r host a rule backend s host b"),
		  "unknown rule word \"host\" (match, backend, request-header, "
		  "response-header, redirect or rewrite)");
	CHECK_STR(err_of("route del r x"), "unexpected argument \"x\"");
	CHECK_STR(err_of("route save"), "\"route save\" does not change "
		  "anything and cannot be batched");
}

/* The example of l7-cli.md, as the kernel would report it. */
static void kernel_route(struct kgate_route *r)
{
	CHECK_INT(parse(example), 0);
	*r = cmd.rt;			/* ownership moves */
	kgate_route_init(&cmd.rt);
	r->kind = KGATE_ROUTE_INGRESS;
	r->has |= KGATE_RT_HAS_KIND;
}

static void kernel_listener(struct kgate_listener *l)
{
	CHECK_INT(parse("listener add web [::]:80 default-backend "
			"default/web:80"), 0);
	*l = cmd.lis;
	kgate_listener_init(&cmd.lis);
	l->has |= KGATE_LIS_HAS_MODE | KGATE_LIS_HAS_MAX_CONNS |
		  KGATE_LIS_HAS_FLAGS | KGATE_LIS_HAS_LIMITS;
	kgate_limits_init(&l->lim);
	l->lim.has = 0xff;
}

TEST(test_listener_text)
{
	struct kgate_listener l;
	FILE *f;

	kernel_listener(&l);
	f = open_mem();
	print_listener_text(f, &l, false);
	CHECK_STR(close_mem(f),
		  "listener web [::]:80 http default-backend default/web:80 "
		  "max-conns 65536\n"
		  "    head-bytes 16384 headers 100 uri-bytes 8192 "
		  "body-bytes 1048576\n"
		  "    head-timeout 60s idle-timeout 75s connect-timeout 5s "
		  "response-timeout 60s\n");
	l.has |= KGATE_LIS_HAS_COUNTERS;
	l.cnt = (struct kgate_l7_counters){ 1, 2, 3, 4, { 5, 6, 7, 8, 9 },
					    10, 11, 12, 13, 14 };
	l.flags = KGATE_LIS_F_ALL;
	l.lim.body_bytes = 0;
	l.lim.idle_timeout = 1500;
	f = open_mem();
	print_listener_text(f, &l, true);
	CHECK_STR(close_mem(f),
		  "listener web [::]:80 http default-backend default/web:80 "
		  "max-conns 65536 trust-forwarded access-log\n"
		  "    head-bytes 16384 headers 100 uri-bytes 8192 "
		  "body-bytes unlimited\n"
		  "    head-timeout 60s idle-timeout 1500ms connect-timeout 5s "
		  "response-timeout 60s\n"
		  "    conns 1 open 2 refused 3 requests 4 1xx 5 2xx 6 3xx 7 "
		  "4xx 8 5xx 9 bytes-in 10 bytes-out 11 upstream-connects 12 "
		  "upstream-reuses 13 log-dropped 14\n");
	kgate_listener_free(&l);
}

TEST(test_route_text)
{
	struct kgate_route r;
	FILE *f;

	kernel_route(&r);
	f = open_mem();
	print_route_text(f, &r, false);
	CHECK_STR(close_mem(f),
		  "route default/shop ingress listeners web hosts "
		  "shop.example.com\n"
		  "    rule 0: match prefix /api -> default/api:80@9 "
		  "default/api-canary:80@1\n"
		  "    rule 1: match exact / -> default/web:80\n");
	kgate_route_free(&r);
	CHECK_INT(parse("route add r listener a listener b rate 10 allow "
			"10.0.0.0/8 rule match /x method GET header a=b "
			"request-header remove c redirect scheme https "
			"status 301 rule"), 0);
	f = open_mem();
	print_route_text(f, &cmd.rt, false);
	CHECK_STR(close_mem(f),
		  "route r ingress listeners a,b rate 10 burst 50 allow "
		  "10.0.0.0/8\n"
		  "    rule 0: match prefix /x method GET header a=b -> "
		  "request-header remove c redirect scheme https status 301\n"
		  "    rule 1: match prefix / -> 404\n");
}

/* The owner: the last word of the first line, and a JSON string. */
TEST(test_l7_owner_output)
{
	struct kgate_listener l;
	struct kgate_route r;
	struct kgate_json j;
	FILE *f;

	kernel_listener(&l);
	CHECK_INT(kgate_set_str(&l.owner, "kgated"), 0);
	f = open_mem();
	print_listener_text(f, &l, false);
	CHECK(strstr(close_mem(f), "max-conns 65536 owner kgated\n"
		     "    head-bytes ") != NULL);
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_listener_json(&j, &l, false);
	CHECK(strstr(close_mem(f), "\"access_log\":false,"
		     "\"owner\":\"kgated\",\"limits\"") != NULL);
	kgate_listener_free(&l);

	kernel_route(&r);
	CHECK_INT(kgate_set_str(&r.owner, "kgate-apply"), 0);
	f = open_mem();
	print_route_text(f, &r, false);
	CHECK(strstr(close_mem(f), "hosts shop.example.com owner "
		     "kgate-apply\n    rule 0: ") != NULL);
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_route_json(&j, &r, false);
	CHECK(strstr(close_mem(f), "\"owner\":\"kgate-apply\",\"allow\"")
	      != NULL);
	kgate_route_free(&r);
}

/* save, read back by the batch parser, gives the same object */
TEST(test_save_round_trip)
{
	static const char *const lines[] = {
		"listener add web [fd00::1]:8080 mode http default-backend "
		"d/w:80 max-conns 10 trust-forwarded no-access-log "
		"head-bytes 2k headers 5 uri-bytes 100 body-bytes unlimited "
		"head-timeout 1500 idle-timeout 2s connect-timeout 1m "
		"response-timeout 10ms",
		"listener add a 0.0.0.0:80",
		"route add r listener l kind httproute host h rewrite-target "
		"/x rate 1 burst 3 allow 10.0.0.0/8 rule match exact /a "
		"method PUT header a=1 query b=2 match /b backend s@2 backend "
		"t request-header set a=1 request-header add b=2 "
		"request-header remove c response-header set d=4 "
		"response-header remove e redirect scheme http hostname h "
		"port 81 path full /c status 307 rewrite hostname i path "
		"prefix /d rule backend u",
		"route add r listener l rule match prefix / redirect",
	};
	struct kgate_listener l;
	struct kgate_route r;
	char line[2048];
	FILE *f;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		bool rt = lines[i][0] == 'r';

		CHECK_INT(parse(lines[i]), 0);
		f = open_mem();
		if (rt)
			print_route_save(f, &cmd.rt);
		else
			print_listener_save(f, &cmd.lis);
		snprintf(line, sizeof(line), "%s", close_mem(f));
		CHECK(!strncmp(line, rt ? "route replace " :
			       "listener replace ", rt ? 14 : 17));
		line[strcspn(line, "\n")] = '\0';
		if (rt) {
			r = cmd.rt;
			kgate_route_init(&cmd.rt);
		} else {
			l = cmd.lis;
			kgate_listener_init(&cmd.lis);
		}
		if (parse(line)) {
			tap_note("%s: %s", line, why);
			CHECK(!"the save line parses");
		} else if (rt) {
			CHECK(kgate_route_equal(&r, &cmd.rt));
			CHECK_INT(cmd.cmd, KGATE_CMD_ROUTE_REPLACE);
		} else {
			CHECK(kgate_listener_equal(&l, &cmd.lis));
		}
		if (rt)
			kgate_route_free(&r);
		else
			kgate_listener_free(&l);
	}
}

TEST(test_listener_json)
{
	struct kgate_listener l;
	struct kgate_json j;
	FILE *f;

	kernel_listener(&l);
	l.has |= KGATE_LIS_HAS_COUNTERS;
	l.cnt.requests = 7;
	l.cnt.resp[1] = 6;
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_listener_json(&j, &l, true);
	CHECK_STR(close_mem(f),
		  "{\"name\":\"web\",\"addr\":\"::\",\"port\":80,"
		  "\"mode\":\"http\",\"default_backend\":\"default/web:80\","
		  "\"max_conns\":65536,\"trust_forwarded\":false,"
		  "\"access_log\":false,\"owner\":null,"
		  "\"limits\":{\"head_bytes\":16384,"
		  "\"headers\":100,\"uri_bytes\":8192,\"body_bytes\":1048576,"
		  "\"head_timeout_ms\":60000,\"idle_timeout_ms\":75000,"
		  "\"connect_timeout_ms\":5000,"
		  "\"response_timeout_ms\":60000},\"counters\":{\"conns\":0,"
		  "\"open\":0,\"refused\":0,\"requests\":7,\"1xx\":0,"
		  "\"2xx\":6,\"3xx\":0,\"4xx\":0,\"5xx\":0,\"bytes_in\":0,"
		  "\"bytes_out\":0,\"upstream_connects\":0,"
		  "\"upstream_reuses\":0,\"log_dropped\":0}}");
	/* no default backend: null; no -s: no counters */
	free(l.default_backend);
	l.default_backend = NULL;
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_listener_json(&j, &l, false);
	CHECK(strstr(close_mem(f), "\"default_backend\":null,") != NULL);
	CHECK(strstr(mem, "counters") == NULL);
	kgate_listener_free(&l);
}

TEST(test_route_json)
{
	struct kgate_json j;
	FILE *f;

	CHECK_INT(parse("route add r listener l host h rate 2 allow "
			"10.0.0.0/8 rule match exact /a method GET header "
			"x=1 query q=2 backend s@9 request-header set a=1 "
			"request-header remove b redirect scheme https status "
			"301 rule rewrite path prefix /p"), 0);
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_route_json(&j, &cmd.rt, false);
	CHECK_STR(close_mem(f),
		  "{\"name\":\"r\",\"kind\":\"ingress\",\"listeners\":[\"l\"],"
		  "\"hosts\":[\"h\"],\"rewrite_target\":null,\"rate\":2,"
		  "\"burst\":10,\"owner\":null,\"allow\":[\"10.0.0.0/8\"],"
		  "\"rules\":["
		  "{\"matches\":[{\"type\":\"exact\",\"path\":\"/a\","
		  "\"method\":\"GET\",\"headers\":{\"x\":\"1\"},"
		  "\"query\":{\"q\":\"2\"}}],\"backends\":[{\"service\":\"s\","
		  "\"weight\":9}],\"request_headers\":{\"set\":{\"a\":\"1\"},"
		  "\"add\":{},\"remove\":[\"b\"]},\"response_headers\":"
		  "{\"set\":{},\"add\":{},\"remove\":[]},\"redirect\":"
		  "{\"scheme\":\"https\",\"hostname\":null,\"port\":null,"
		  "\"path_type\":null,\"path\":null,\"status\":301},"
		  "\"rewrite\":null},"
		  "{\"matches\":[],\"backends\":[],\"request_headers\":"
		  "{\"set\":{},\"add\":{},\"remove\":[]},\"response_headers\":"
		  "{\"set\":{},\"add\":{},\"remove\":[]},\"redirect\":null,"
		  "\"rewrite\":{\"hostname\":null,\"path_type\":\"prefix\","
		  "\"path\":\"/p\"}}]}");
}

static void sample_access(struct kgate_access *a, bool upstream)
{
	kgate_access_init(a);
	/* 2026-12-01 11:35:19 UTC */
	a->time_ns = 1796124919ULL * 1000000000ULL + 999999999ULL;
	kgate_parse_addr("2001:db8::7", &a->client);
	a->client_port = 50000;
	a->has = KGATE_ACC_HAS_CLIENT | KGATE_ACC_HAS_STATUS;
	kgate_set_str(&a->listener, "web");
	kgate_set_str(&a->host, "shop.example.com");
	kgate_set_str(&a->method, "GET");
	kgate_set_str(&a->path, "/path?q=\"x y\"\\\x01");
	a->status = 200;
	a->bytes_in = 77;
	a->bytes_out = 1234;
	a->ttfb_us = 150;
	a->duration_us = 900;
	if (upstream) {
		kgate_set_str(&a->route, "default/shop");
		kgate_parse_addr("10.244.1.5", &a->upstream);
		a->upstream_port = 8080;
		a->has |= KGATE_ACC_HAS_UPSTREAM;
	}
}

TEST(test_access_log)
{
	struct kgate_access a;
	struct kgate_json j;
	char when[40];
	FILE *f;

	CHECK_STR(kgate_clf_time(0, when, sizeof(when)),
		  "01/Jan/1970:00:00:00 +0000");
	sample_access(&a, true);
	f = open_mem();
	kgate_access_print(f, &a);
	CHECK_STR(close_mem(f),
		  "2001:db8::7 - - [01/Dec/2026:11:35:19 +0000] "
		  "\"GET /path?q=\\x22x\\x20y\\x22\\x5C\\x01 HTTP/1.1\" 200 1234 "
		  "\"-\" \"-\" host=shop.example.com listener=web "
		  "route=default/shop upstream=10.244.1.5:8080 ttfb=150us "
		  "time=900us in=77\n");
	kgate_access_free(&a);
	/* answered by kgate itself, no route */
	sample_access(&a, false);
	free(a.host);
	a.host = NULL;
	a.status = 404;
	f = open_mem();
	kgate_access_print(f, &a);
	CHECK(strstr(close_mem(f), "\" 404 1234 \"-\" \"-\" host=- "
		     "listener=web route=- upstream=- ttfb=") != NULL);
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_access_json(&j, &a);
	CHECK_STR(close_mem(f),
		  "{\"time\":\"01/Dec/2026:11:35:19 +0000\","
		  "\"time_ns\":1796124919999999999,\"client\":\"2001:db8::7\","
		  "\"client_port\":50000,\"listener\":\"web\",\"route\":null,"
		  "\"host\":null,\"method\":\"GET\",\"path\":"
		  "\"/path?q=\\\"x y\\\"\\\\\\u0001\",\"status\":404,"
		  "\"bytes_in\":77,\"bytes_out\":1234,\"upstream\":null,"
		  "\"ttfb_us\":150,\"duration_us\":900}");
	kgate_access_free(&a);
}

/* ---- through cli_main(): help, usage errors, show over a fake source */

static char out[16384], err[4096];

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int run(const char *args)
{
	char line[512], *argv[64], *p;
	int argc = 0, ret, so, se;
	FILE *o = tmpfile(), *e = tmpfile();

	snprintf(line, sizeof(line), "kgate %s", args);
	for (p = strtok(line, " "); p && argc < 63; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(o), 1);
	dup2(fileno(e), 2);
	ret = cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	return ret;
}

TEST(test_help)
{
	static const char *const lis[] = {
		"listener help", "listener add help", "listener del -h",
		"listener show help", "listener save --help",
	};
	static const char *const rt[] = {
		"route help", "route add help", "route replace -h",
		"route show help",
	};
	size_t i;

	for (i = 0; i < sizeof(lis) / sizeof(lis[0]); i++) {
		CHECK_INT(run(lis[i]), CLI_OK);
		CHECK(!strncmp(out, "Usage: kgate listener add|replace NAME "
			       "ADDR:PORT", 48));
		CHECK_STR(err, "");
	}
	for (i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		CHECK_INT(run(rt[i]), CLI_OK);
		CHECK(!strncmp(out, "Usage: kgate route add|replace NAME "
			       "listener", 44));
		CHECK_STR(err, "");
	}
	CHECK_INT(run("help"), CLI_OK);
	CHECK(strstr(out, "  kgate listener add|replace NAME ADDR:PORT") != NULL);
	CHECK(strstr(out, "  kgate route add|replace NAME listener") != NULL);
	CHECK(strstr(out, "  kgate monitor access") != NULL);
	CHECK_INT(run("monitor help"), CLI_OK);
}

TEST(test_usage_exit)
{
	CHECK_INT(run("listener add web 1.2.3.4:80 mode https"), CLI_USAGE);
	CHECK_STR(out, "");
	CHECK_STR(err, "kgate: mode \"https\": expected http, tls-terminate "
		  "or tls-passthrough\n");
	CHECK_INT(run("route add r rule bogus"), CLI_USAGE);
	CHECK(strstr(err, "\"bogus\"") != NULL);
	CHECK_INT(run("listener show a b"), CLI_USAGE);
	CHECK_STR(err, "kgate: unexpected argument \"b\"; usage: kgate "
		  "listener show [NAME]\n");
	CHECK_INT(run("-j route save"), CLI_USAGE);
	CHECK_STR(err, "kgate: \"route save\" writes commands for \"kgate "
		  "batch\"; it has no JSON form\n");
	CHECK_INT(run("monitor access now"), CLI_USAGE);
	CHECK_STR(err, "kgate: unexpected argument \"access\"\n");
}

/* A source with the example route and listener, or a failure. */
static int fake(void *ctx, const struct l7_query *q, kgate_listener_cb lcb,
		kgate_route_cb rcb, void *data, struct kgate_err *e)
{
	struct kgate_listener l;
	struct kgate_route r;

	if (ctx)
		return kgate_err_set(e, ENOENT, "no such %s",
				     q->route ? "route" : "listener");
	if (q->route) {
		kernel_route(&r);
		rcb(&r, data);
		kgate_route_free(&r);
	} else {
		kernel_listener(&l);
		lcb(&l, data);
		kgate_listener_free(&l);
	}
	return 0;
}

TEST(test_show_run)
{
	struct cli cli = { 0 };
	struct l7_query q = { .route = true };
	FILE *f = open_mem();

	CHECK_INT(l7_show_run(&cli, &q, fake, NULL, f), CLI_OK);
	CHECK(!strncmp(close_mem(f), "route default/shop ingress", 26));
	cli.json = true;
	f = open_mem();
	CHECK_INT(l7_show_run(&cli, &q, fake, NULL, f), CLI_OK);
	close_mem(f);
	CHECK(!strncmp(mem, "[{\"name\":\"default/shop\"", 23));
	CHECK(mem[memlen - 2] == ']' && mem[memlen - 1] == '\n');
	q.save = true;
	q.route = false;
	f = open_mem();
	CHECK_INT(l7_show_run(&cli, &q, fake, NULL, f), CLI_OK);
	CHECK_STR(close_mem(f), "listener replace web [::]:80 mode http "
		  "default-backend default/web:80 max-conns 65536 "
		  "no-trust-forwarded no-access-log head-bytes 16384 "
		  "headers 100 uri-bytes 8192 body-bytes 1048576 "
		  "head-timeout 60s idle-timeout 75s connect-timeout 5s "
		  "response-timeout 60s\n");
	/* a failure prints nothing on the output */
	f = open_mem();
	CHECK_INT(l7_show_run(&cli, &q, fake, (void *)1, f), CLI_FAIL);
	CHECK_STR(close_mem(f), "");
}

TEST(test_batch_lines)
{
	const char *text =
		"# L7\n"
		"listener replace web [::]:80 max-conns 10\n"
		"route replace r listener web rule backend s@2\n"
		"route add bad rule match\n"
		"listener del old\n";
	struct batch_file bf;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *errs = open_mem();

	CHECK_INT(batch_read(in, "f", &bf, errs), 1);
	fclose(in);
	CHECK_STR(close_mem(errs), "kgate: f:4: missing PATH after "
		  "\"match\"\n");
	CHECK_INT(bf.n, 3);
	if (bf.n == 3) {
		CHECK_INT(bf.lines[0].line, 2);
		CHECK_INT(bf.lines[0].cmd.cmd, KGATE_CMD_LISTENER_REPLACE);
		CHECK_INT(bf.lines[0].cmd.lis.max_conns, 10);
		CHECK_INT(bf.lines[1].cmd.cmd, KGATE_CMD_ROUTE_REPLACE);
		CHECK_INT(cli_cmd_obj(&bf.lines[1].cmd).kind,
			  KGATE_OBJ_ROUTE);
		CHECK(cli_cmd_obj(&bf.lines[1].cmd).rt == &bf.lines[1].cmd.rt);
		CHECK_INT(bf.lines[1].cmd.rt.rules[0].refs[0].weight, 2);
		CHECK_INT(bf.lines[2].line, 5);
		CHECK_INT(bf.lines[2].cmd.cmd, KGATE_CMD_LISTENER_DEL);
	}
	batch_free(&bf);
}

/* Quoted words: what "route save" writes, "kgate batch" reads the same. */
TEST(test_batch_quotes)
{
	const char *text =
		"route replace r listener l rule match / header "
		"'x-a=a  b' query \"q=1 \\\"2\\\"\" backend s "
		"request-header set x-b=c\\ d request-header add "
		"x-c=\"#\"\n"
		"route add bad listener l rule backend \"s\n";
	struct batch_file bf, again;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *errs = open_mem(), *out;
	const struct kgate_rule *rule;
	char *saved;

	CHECK_INT(batch_read(in, "f", &bf, errs), 1);
	fclose(in);
	CHECK_STR(close_mem(errs), "kgate: f:2: a quote is not closed\n");
	CHECK_INT(bf.n, 1);
	if (bf.n != 1)
		return;
	rule = &bf.lines[0].cmd.rt.rules[0];
	CHECK_STR(rule->matches[0].headers.v[0].value, "a  b");
	CHECK_STR(rule->matches[0].query.v[0].value, "1 \"2\"");
	CHECK_STR(rule->req.set.v[0].value, "c d");
	CHECK_STR(rule->req.add.v[0].value, "#");
	out = open_mem();
	print_route_save(out, &bf.lines[0].cmd.rt);
	saved = strdup(close_mem(out));
	CHECK_STR(saved, "route replace r listener l rule match / header "
		  "x-a=\"a  b\" query q=\"1 \\\"2\\\"\" backend s "
		  "request-header set x-b=\"c d\" request-header add "
		  "x-c=\"#\"\n");
	in = fmemopen(saved, strlen(saved), "r");
	errs = open_mem();
	CHECK_INT(batch_read(in, "g", &again, errs), 0);
	fclose(in);
	CHECK_STR(close_mem(errs), "");
	CHECK(again.n == 1 && kgate_route_equal(&bf.lines[0].cmd.rt,
						&again.lines[0].cmd.rt));
	batch_free(&again);
	batch_free(&bf);
	free(saved);
}

int main(void)
{
	RUN(test_units);
	RUN(test_listener_add_full);
	RUN(test_listener_other);
	RUN(test_listener_errors);
	RUN(test_route_example);
	RUN(test_route_every_word);
	RUN(test_route_errors);
	RUN(test_listener_text);
	RUN(test_route_text);
	RUN(test_l7_owner_output);
	RUN(test_save_round_trip);
	RUN(test_batch_quotes);
	RUN(test_listener_json);
	RUN(test_route_json);
	RUN(test_access_log);
	RUN(test_help);
	RUN(test_usage_exit);
	RUN(test_show_run);
	RUN(test_batch_lines);
	cli_cmd_free(&cmd);
	free(mem);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/* The kgate CLI: command syntax to object model, usage errors, batches. */
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
	static char copy[1024];
	char *argv[128], *p;
	int argc = 0;

	cli_cmd_free(&cmd);
	snprintf(copy, sizeof(copy), "%s", line);
	for (p = strtok(copy, " "); p && argc < 128; p = strtok(NULL, " "))
		argv[argc++] = p;
	why[0] = '\0';
	return cli_parse_mutation(argc, argv, &cmd, why, sizeof(why));
}

/* The usage error of @line, or "ok". */
static const char *err_of(const char *line)
{
	return parse(line) ? why : "ok";
}

static const char *ep_str(const struct kgate_addr *a, uint16_t port)
{
	static char buf[KGATE_ENDPOINT_STRLEN];

	return kgate_endpoint_str(a, port, buf, sizeof(buf));
}

TEST(test_service_add_full)
{
	const struct kgate_service *s = &cmd.svc;

	CHECK_INT(parse("service add default/web:http "
			"cluster 10.96.0.10:80 external 203.0.113.1:80/udp "
			"loadbalancer [2001:db8::1]:443/sctp "
			"nodeport 30080 nodeport [::]:30081/udp "
			"backend 10.244.1.5:8080 weight 5 state serving local "
			"backend [fd00::5]:8080 "
			"scheduler rr table-size 1009 affinity clientip "
			"timeout 60 external-policy local internal-policy local "
			"source-range 192.168.0.0/16 source-range fd00::/8"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_SERVICE_ADD);
	CHECK(cmd.has_svc);
	CHECK_STR(s->name, "default/web:http");
	CHECK_INT(s->n_frontends, 5);
	if (s->n_frontends == 5) {
		CHECK_INT(s->frontends[0].kind, KGATE_FE_CLUSTER);
		CHECK_STR(ep_str(&s->frontends[0].addr, s->frontends[0].port),
			  "10.96.0.10:80");
		CHECK_INT(s->frontends[0].proto, IPPROTO_TCP);
		CHECK_INT(s->frontends[1].kind, KGATE_FE_EXTERNAL);
		CHECK_INT(s->frontends[1].proto, IPPROTO_UDP);
		CHECK_INT(s->frontends[2].kind, KGATE_FE_LOADBALANCER);
		CHECK_INT(s->frontends[2].proto, IPPROTO_SCTP);
		CHECK_STR(ep_str(&s->frontends[2].addr, s->frontends[2].port),
			  "[2001:db8::1]:443");
		CHECK_INT(s->frontends[3].kind, KGATE_FE_NODEPORT);
		CHECK_STR(ep_str(&s->frontends[3].addr, s->frontends[3].port),
			  "0.0.0.0:30080");
		CHECK_STR(ep_str(&s->frontends[4].addr, s->frontends[4].port),
			  "[::]:30081");
	}
	CHECK_INT(s->n_backends, 2);
	if (s->n_backends == 2) {
		CHECK_INT(s->backends[0].has, KGATE_BE_HAS_WEIGHT |
			  KGATE_BE_HAS_STATE | KGATE_BE_HAS_FLAGS);
		CHECK_INT(s->backends[0].weight, 5);
		CHECK_INT(s->backends[0].state, KGATE_BE_SERVING);
		CHECK_INT(s->backends[0].flags, KGATE_BE_F_LOCAL);
		CHECK_INT(s->backends[1].has, 0);
		CHECK_INT(s->backends[1].addr.family, AF_INET6);
	}
	CHECK_INT(s->has, KGATE_SVC_HAS_SCHED | KGATE_SVC_HAS_TABLE_SIZE |
		  KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT |
		  KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY);
	CHECK_INT(s->sched, KGATE_SCHED_RR);
	CHECK_INT(s->table_size, 1009);
	CHECK_INT(s->affinity, KGATE_AFFINITY_CLIENTIP);
	CHECK_INT(s->timeout, 60);
	CHECK_INT(s->ext_policy, KGATE_POLICY_LOCAL);
	CHECK_INT(s->int_policy, KGATE_POLICY_LOCAL);
	CHECK_INT(s->n_ranges, 2);
	CHECK_INT(s->ranges[1].plen, 8);
}

TEST(test_service_other_verbs)
{
	CHECK_INT(parse("service replace a cluster 10.0.0.1:80"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_SERVICE_REPLACE);
	CHECK_INT(cmd.svc.has, 0);	/* defaults are the kernel's */
	CHECK_INT(parse("service del a"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_SERVICE_DEL);
	CHECK_STR(cmd.svc.name, "a");
	CHECK_INT(cmd.svc.n_frontends, 0);
	CHECK_INT(parse("service delete a"), 0);
	CHECK_INT(parse("flush"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_FLUSH);
	CHECK(!cmd.has_svc);
	/* what the kernel judges is passed on: no frontend, long names */
	CHECK_STR(err_of("service add a"), "ok");
	CHECK_STR(err_of("service add a cluster 10.0.0.1:0 timeout 0"), "ok");
	CHECK_STR(err_of("service add a cluster 10.0.0.1:80 "
			 "backend [fd00::1]:80 table-size 4"), "ok");
}

TEST(test_backend_verbs)
{
	const struct kgate_backend *b = cmd.svc.backends;

	CHECK_INT(parse("backend add web 10.0.0.1:80 weight 0 state "
			"terminating local"), 0);
	b = cmd.svc.backends;
	CHECK_INT(cmd.cmd, KGATE_CMD_BACKEND_ADD);
	CHECK_STR(cmd.svc.name, "web");
	CHECK_INT(cmd.svc.n_backends, 1);
	CHECK_INT(b[0].weight, 0);
	CHECK_INT(b[0].state, KGATE_BE_TERMINATING);
	CHECK_INT(b[0].flags, KGATE_BE_F_LOCAL);

	CHECK_INT(parse("backend add web [fd00::1]:80"), 0);
	CHECK_INT(cmd.svc.backends[0].has, 0);

	CHECK_INT(parse("backend set web 10.0.0.1:80 nolocal"), 0);
	b = cmd.svc.backends;
	CHECK_INT(cmd.cmd, KGATE_CMD_BACKEND_SET);
	CHECK_INT(b[0].has, KGATE_BE_HAS_FLAGS);
	CHECK_INT(b[0].flags, 0);

	CHECK_INT(parse("backend set web 10.0.0.1:80 weight 7"), 0);
	CHECK_INT(cmd.svc.backends[0].has, KGATE_BE_HAS_WEIGHT);

	CHECK_INT(parse("backend del web 10.0.0.1:80"), 0);
	CHECK_INT(cmd.cmd, KGATE_CMD_BACKEND_DEL);
	CHECK_INT(cmd.svc.backends[0].has, 0);
}

TEST(test_usage_errors)
{
	CHECK_STR(err_of("service add"), "missing service NAME");
	CHECK_STR(err_of("service"), "missing verb after \"service\" (add, "
		  "replace, del, show or save)");
	CHECK_STR(err_of("service frob x"), "unknown verb \"service frob\" "
		  "(add, replace, del, show or save)");
	CHECK_STR(err_of("service add a cluster"),
		  "missing value after \"cluster\"");
	CHECK_STR(err_of("service add a cluster 10.0.0.1:99999"),
		  "cluster \"10.0.0.1:99999\": invalid port \"99999\"");
	CHECK_STR(err_of("service add a cluster fd00::1:80"),
		  "cluster \"fd00::1:80\": an IPv6 address needs brackets, as "
		  "in [fd00::1]:80");
	CHECK_STR(err_of("service add a nodeport 30080/icmp"),
		  "nodeport \"30080/icmp\": unknown protocol \"icmp\" "
		  "(expected tcp, udp or sctp)");
	CHECK_STR(err_of("service add a backend 10.0.0.1:80/udp"),
		  "backend \"10.0.0.1:80/udp\": invalid port \"80/udp\"");
	CHECK_STR(err_of("service add a scheduler wrr"),
		  "scheduler \"wrr\": expected maglev or rr");
	CHECK_STR(err_of("service add a affinity sticky"),
		  "affinity \"sticky\": expected none or clientip");
	CHECK_STR(err_of("service add a external-policy node"),
		  "external-policy \"node\": expected cluster or local");
	CHECK_STR(err_of("service add a timeout 1h"),
		  "timeout \"1h\": not a number");
	CHECK_STR(err_of("service add a table-size 4294967296"),
		  "table-size \"4294967296\": too large (max 4294967295)");
	CHECK_STR(err_of("service add a scheduler rr scheduler maglev"),
		  "\"scheduler\" given twice");
	CHECK_STR(err_of("service add a weight 3"),
		  "\"weight\" must follow a backend");
	CHECK_STR(err_of("service add a backend 10.0.0.1:80 weight 1 "
			 "weight 2"), "\"weight\" given twice");
	CHECK_STR(err_of("service add a backend 10.0.0.1:80 state up"),
		  "state \"up\": expected ready, serving or terminating");
	CHECK_STR(err_of("service add a backend 10.0.0.1:80 local nolocal"),
		  "\"local\" or \"nolocal\" given twice");
	CHECK_STR(err_of("service add a nolocal"),
		  "\"nolocal\" must follow a backend");
	CHECK_STR(err_of("service add a source-range 10.0.0.0/x"),
		  "source-range \"10.0.0.0/x\": invalid prefix length \"x\"");
	CHECK_STR(err_of("service add a port 80"), "unknown option \"port\"");
	CHECK_STR(err_of("service del a b"), "unexpected argument \"b\"");
	CHECK_STR(err_of("service show"), "\"service show\" does not change "
		  "anything and cannot be batched");
	CHECK_STR(err_of("service save"), "\"service save\" does not change "
		  "anything and cannot be batched");
	CHECK_STR(err_of("backend add web"), "missing backend ADDR:PORT");
	CHECK_STR(err_of("backend add"), "missing SERVICE NAME");
	CHECK_STR(err_of("backend del web 10.0.0.1:80 weight 1"),
		  "unknown option \"weight\"");
	CHECK_STR(err_of("backend set web 10.0.0.1:80"),
		  "nothing to set (weight, state, local or nolocal)");
	CHECK_STR(err_of("backend set web 10.0.0.1:80 local nolocal"),
		  "\"local\" or \"nolocal\" given twice");
	CHECK_STR(err_of("backend move web"), "unknown verb \"backend move\" "
		  "(add, del or set)");
	CHECK_STR(err_of("flush now"), "unexpected argument \"now\"");
	CHECK_STR(err_of("stats"),
		  "\"stats\" does not change anything and cannot be batched");
	CHECK_STR(err_of("gateway add x"),
		  "unknown object \"gateway\"; try \"kgate help\"");
}

/* Protocols as Kubernetes writes them, wherever the CLI takes one. */
TEST(test_proto_upper_case)
{
	const struct kgate_frontend *fe;

	CHECK_INT(parse("service add a cluster 10.96.0.10:53/UDP "
			"nodeport 30053/SCTP loadbalancer [2001:db8::1]:80/TCP "
			"external 203.0.113.1:53/udp"), 0);
	fe = cmd.svc.frontends;
	CHECK_INT(cmd.svc.n_frontends, 4);
	if (cmd.svc.n_frontends == 4) {
		CHECK_INT(fe[0].proto, IPPROTO_UDP);
		CHECK_INT(fe[1].proto, IPPROTO_SCTP);
		CHECK_INT(fe[2].proto, IPPROTO_TCP);
		CHECK_INT(fe[3].proto, IPPROTO_UDP);
	}
	CHECK_STR(err_of("service add a cluster 10.96.0.10:53/ICMP"),
		  "cluster \"10.96.0.10:53/ICMP\": unknown protocol \"ICMP\" "
		  "(expected tcp, udp or sctp)");
}

/* nolocal, the default said out loud, wherever a backend is described. */
TEST(test_nolocal)
{
	CHECK_INT(parse("service add a cluster 10.0.0.1:80 "
			"backend 10.1.0.1:80 nolocal backend 10.1.0.2:80 local"),
		  0);
	CHECK_INT(cmd.svc.n_backends, 2);
	if (cmd.svc.n_backends == 2) {
		CHECK_INT(cmd.svc.backends[0].has, KGATE_BE_HAS_FLAGS);
		CHECK_INT(cmd.svc.backends[0].flags, 0);
		CHECK_INT(cmd.svc.backends[1].flags, KGATE_BE_F_LOCAL);
	}
	CHECK_INT(parse("backend add web 10.0.0.1:80 nolocal"), 0);
	CHECK_INT(cmd.svc.backends[0].has, KGATE_BE_HAS_FLAGS);
	CHECK_INT(cmd.svc.backends[0].flags, 0);
}

static const char *read_batch(const char *text, struct batch_file *bf,
			      int *errors)
{
	static char *out;
	static size_t outlen;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *err;

	free(out);
	out = NULL;
	err = open_memstream(&out, &outlen);
	*errors = batch_read(in, "cfg.batch", bf, err);
	fclose(in);
	fclose(err);
	return out;
}

TEST(test_batch_read)
{
	struct batch_file bf;
	int errors;
	const char *out;

	out = read_batch("# services\n"
			 "\n"
			 "service add a cluster 10.0.0.1:80\n"
			 "   \t# indented comment\n"
			 "backend add a 10.1.0.1:80 weight 2\n"
			 "  service   del   b  \n"
			 "flush", &bf, &errors);
	CHECK_INT(errors, 0);
	CHECK_STR(out, "");
	CHECK_INT(bf.n, 4);
	if (bf.n == 4) {
		CHECK_INT(bf.lines[0].line, 3);
		CHECK_INT(bf.lines[0].cmd.cmd, KGATE_CMD_SERVICE_ADD);
		CHECK_INT(bf.lines[1].line, 5);
		CHECK_INT(bf.lines[1].cmd.svc.backends[0].weight, 2);
		CHECK_INT(bf.lines[2].line, 6);
		CHECK_STR(bf.lines[2].cmd.svc.name, "b");
		CHECK_INT(bf.lines[3].line, 7);
		CHECK_INT(bf.lines[3].cmd.cmd, KGATE_CMD_FLUSH);
	}
	batch_free(&bf);

	out = read_batch("service add a cluster 10.0.0.1:80\n"
			 "service add b cluster 10.0.0.1:http\n"
			 "service show\n"
			 "kgate flush\n"
			 "backend add a 10.0.0.2:80\n", &bf, &errors);
	CHECK_INT(errors, 3);
	CHECK_STR(out, "kgate: cfg.batch:2: cluster \"10.0.0.1:http\": "
		  "invalid port \"http\"\n"
		  "kgate: cfg.batch:3: \"service show\" does not change "
		  "anything and cannot be batched\n"
		  "kgate: cfg.batch:4: unknown object \"kgate\"; try \"kgate "
		  "help\"\n");
	CHECK_INT(bf.n, 2);
	batch_free(&bf);
}

/* A failed commit as libkgate reports it; @pos 0 and @seq 0: no cookie. */
static struct kgate_err commit_err(uint32_t pos, uint32_t seq, int err,
				   const char *msg)
{
	struct kgate_err e;

	kgate_err_clear(&e);
	e.err = err;
	e.kernel = true;
	e.has_ref = pos || seq;
	e.ref_pos = pos;
	e.ref_seq = seq;
	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	return e;
}

TEST(test_commit_reason)
{
	struct kgate_err e;

	e = commit_err(2, 40, EEXIST, "cmd 2 seq 40: backend exists");
	CHECK_INT(kgate_err_ref_prefix(&e), strlen("cmd 2 seq 40: "));
	/* Only the prefix the cookie names is left out. */
	e = commit_err(2, 41, EEXIST, "cmd 2 seq 40: backend exists");
	CHECK_INT(kgate_err_ref_prefix(&e), 0);
	e = commit_err(0, 0, EEXIST, "cmd 2 seq 40: backend exists");
	CHECK_INT(kgate_err_ref_prefix(&e), 0);
	e = commit_err(3, 7, ECANCELED,
		       "batch aborted: message seq 7 was refused (errno 22)");
	CHECK_INT(kgate_err_ref_prefix(&e), 0);
	e = commit_err(3, 7, ENOMEM, "");
	CHECK_INT(kgate_err_ref_prefix(&e), 0);
}

/* What print_refusal() writes on stderr for @e. */
static const char *refusal(const char *context, const struct kgate_err *e)
{
	static char buf[600];
	FILE *f = tmpfile();
	int saved;
	size_t n;

	if (!f)
		return "(no tmpfile)";
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(f), 2);
	print_refusal(context, e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

TEST(test_commit_refusal)
{
	struct kgate_err e;

	e = commit_err(2, 4, EEXIST, "cmd 2 seq 4: exists: service b/x:80");
	CHECK_STR(refusal("line 4", &e),
		  "kgate: line 4: exists: service b/x:80 (EEXIST)\n");
	e = commit_err(2, 4, ECANCELED,
		       "batch aborted: message seq 4 was refused (errno 22)");
	CHECK_STR(refusal("line 4", &e),
		  "kgate: line 4: batch aborted: message seq 4 was refused "
		  "(errno 22) (ECANCELED)\n");
	e = commit_err(0, 0, ENOENT, "cmd 2 seq 4: no service b/x:80");
	CHECK_STR(refusal("commit", &e),
		  "kgate: commit: cmd 2 seq 4: no service b/x:80 (ENOENT)\n");
}

int main(void)
{
	RUN(test_service_add_full);
	RUN(test_service_other_verbs);
	RUN(test_backend_verbs);
	RUN(test_usage_errors);
	RUN(test_proto_upper_case);
	RUN(test_nolocal);
	RUN(test_batch_read);
	RUN(test_commit_reason);
	RUN(test_commit_refusal);
	cli_cmd_free(&cmd);
	return tap_done();
}

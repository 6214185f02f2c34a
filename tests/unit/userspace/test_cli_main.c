// SPDX-License-Identifier: GPL-2.0
/*
 * The kgate CLI as a whole: global options, network namespaces, help
 * words, service show by frontend, service save read back by batch, and
 * output only after a successful dump.  No kernel: services come from a
 * fake source.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/kgate.h>

#include "cli.h"
#include "tap.h"

/* ---- stdout and stderr of a call, through temporary files ------------ */
static char out[16384], err[4096];

struct capture {
	FILE *o, *e;
	int saved_out, saved_err;
};

static void capture_start(struct capture *c)
{
	fflush(stdout);
	fflush(stderr);
	c->o = tmpfile();
	c->e = tmpfile();
	c->saved_out = dup(1);
	c->saved_err = dup(2);
	dup2(fileno(c->o), 1);
	dup2(fileno(c->e), 2);
}

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void capture_end(struct capture *c)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, 1);
	dup2(c->saved_err, 2);
	close(c->saved_out);
	close(c->saved_err);
	slurp(c->o, out, sizeof(out));
	slurp(c->e, err, sizeof(err));
}

/* Split @line at blanks into @argv (at most 63 words); returns argc. */
static int words(char *line, char **argv)
{
	int argc = 0;
	char *p;

	for (p = strtok(line, " "); p && argc < 63; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return argc;
}

/* cli_main() on "kgate ARGS", output captured; returns the exit status. */
static int run(const char *args)
{
	char line[512], *argv[64];
	struct capture c;
	int argc, ret;

	snprintf(line, sizeof(line), "kgate %s", args);
	argc = words(line, argv);
	capture_start(&c);
	ret = cli_main(argc, argv);
	capture_end(&c);
	return ret;
}

/* ---- options ----------------------------------------------------------- */
static struct cli opts;
static char why[256];

static int opt(const char *args)
{
	static char line[512];
	static char *argv[64];

	memset(&opts, 0, sizeof(opts));
	why[0] = '\0';
	snprintf(line, sizeof(line), "kgate %s", args);
	return cli_options(words(line, argv), argv, &opts, why, sizeof(why));
}

TEST(test_options)
{
	CHECK_INT(opt("service show"), 1);
	CHECK(!opts.json && !opts.pretty && !opts.stats && !opts.netns);
	CHECK_INT(opt("-j -s service show"), 3);
	CHECK(opts.json && opts.stats && !opts.pretty);
	CHECK_INT(opt("-js service"), 2);
	CHECK(opts.json && opts.stats);
	CHECK_INT(opt("-p stats"), 2);
	CHECK(opts.json && opts.pretty);
	CHECK_INT(opt("--json --stats --pretty service"), 4);
	CHECK(opts.json && opts.stats && opts.pretty);
	CHECK_INT(opt("--help"), 2);
	CHECK(opts.help);
	CHECK_INT(opt("-h"), 2);
	CHECK(opts.help);
	CHECK_INT(opt("-V"), 2);
	CHECK(opts.version);
	CHECK_INT(opt("--version"), 2);
	CHECK(opts.version);
	CHECK_INT(opt("-n blue service show"), 3);
	CHECK_STR(opts.netns, "blue");
	CHECK_INT(opt("-nblue stats"), 2);
	CHECK_STR(opts.netns, "blue");
	CHECK_INT(opt("--netns blue stats"), 3);
	CHECK_STR(opts.netns, "blue");
	CHECK_INT(opt("--netns=red -j stats"), 3);
	CHECK_STR(opts.netns, "red");
	CHECK(opts.json);
	CHECK_INT(opt("-jn blue stats"), 3);
	CHECK(opts.json);
	CHECK_STR(opts.netns, "blue");
	/* "--" ends the options; after OBJECT they are the command's */
	CHECK_INT(opt("-j -- service show"), 3);
	CHECK(opts.json);
	CHECK_INT(opt("-- -j"), 2);
	CHECK(!opts.json);
	CHECK_INT(opt("service show -j"), 1);
	CHECK(!opts.json);
	CHECK_INT(opt(""), 1);
	/* errors */
	CHECK_INT(opt("-x service"), -1);
	CHECK_STR(why, "unknown option \"-x\"; try \"kgate help\"");
	CHECK_INT(opt("-jx service"), -1);
	CHECK_STR(why, "unknown option \"-x\"; try \"kgate help\"");
	CHECK_INT(opt("--frob service"), -1);
	CHECK_STR(why, "unknown option \"--frob\"; try \"kgate help\"");
	CHECK_INT(opt("-n"), -1);
	CHECK_STR(why, "missing NETNS after \"-n\"");
	CHECK_INT(opt("--netns"), -1);
	CHECK_STR(why, "missing NETNS after \"--netns\"");
	CHECK_INT(opt("--netns= stats"), -1);
	CHECK_STR(why, "empty network namespace name after \"--netns=\"");
	CHECK_INT(opt("--json=1 stats"), -1);
}

TEST(test_version)
{
	CHECK_INT(run("-V"), CLI_OK);
	CHECK_STR(out, "kgate " KGATE_VERSION "\n");
	CHECK_STR(err, "");
	CHECK_INT(run("--version service show"), CLI_OK);
	CHECK_STR(out, "kgate 0.1.0\n");
	CHECK_INT(run("--frob"), CLI_USAGE);
	CHECK_STR(out, "");
	CHECK_STR(err, "kgate: unknown option \"--frob\"; try \"kgate help\"\n");
	CHECK_INT(run("--help"), CLI_OK);
	CHECK(strstr(out, "-n, --netns NETNS") != NULL);
	CHECK(strstr(out, "-V, --version") != NULL);
	CHECK(strstr(out, "kgate service save") != NULL);
	CHECK_INT(run("-- help"), CLI_OK);
	CHECK(!strncmp(out, "Usage: kgate [OPTIONS]", 22));
}

TEST(test_netns)
{
	CHECK_INT(cli_enter_netns("kgate-unit-no-such-netns", why,
				  sizeof(why)), -1);
	CHECK_STR(why, "cannot enter netns kgate-unit-no-such-netns: No such "
		  "file or directory");
	CHECK_INT(cli_enter_netns("/nonexistent/ns", why, sizeof(why)), -1);
	CHECK_STR(why, "cannot enter netns /nonexistent/ns: No such file or "
		  "directory");
	/* a file that is no network namespace */
	CHECK_INT(cli_enter_netns("/proc/self/ns/uts", why, sizeof(why)), -1);
	CHECK(!strncmp(why, "cannot enter netns /proc/self/ns/uts: ", 38));
	/* before the command: nothing runs, nothing on stdout */
	CHECK_INT(run("-n kgate-unit-no-such-netns service show"), CLI_FAIL);
	CHECK_STR(out, "");
	CHECK_STR(err, "kgate: cannot enter netns kgate-unit-no-such-netns: "
		  "No such file or directory\n");
	CHECK_INT(run("--netns kgate-unit-no-such-netns -j stats"), CLI_FAIL);
	CHECK_STR(out, "");
	/* usage errors first, help without a namespace */
	CHECK_INT(run("-n kgate-unit-no-such-netns gateway"), CLI_USAGE);
	CHECK_INT(run("-n kgate-unit-no-such-netns help"), CLI_OK);
	/* our own namespace, where we are allowed to enter it */
	if (cli_enter_netns("/proc/self/ns/net", why, sizeof(why)))
		CHECK_STR(why, "cannot enter netns /proc/self/ns/net: "
			  "Operation not permitted");
}

/* "help" in place of a verb's arguments prints the usage, changes nothing */
TEST(test_help_words)
{
	static const char *const service[] = {
		"service help", "service add help", "service replace help",
		"service del help", "service show help", "service save help",
		"service add -h", "service del --help", "service list help",
	};
	static const char *const backend[] = {
		"backend help", "backend add help", "backend del help",
		"backend set help", "backend set -h",
	};
	size_t i;

	for (i = 0; i < sizeof(service) / sizeof(service[0]); i++) {
		CHECK_INT(run(service[i]), CLI_OK);
		CHECK(!strncmp(out, "Usage: kgate service add|replace NAME", 37));
		CHECK_STR(err, "");
	}
	for (i = 0; i < sizeof(backend) / sizeof(backend[0]); i++) {
		CHECK_INT(run(backend[i]), CLI_OK);
		CHECK(!strncmp(out, "Usage: kgate backend add SERVICE", 32));
		CHECK_STR(err, "");
	}
	CHECK_INT(run("batch help"), CLI_OK);
	CHECK(!strncmp(out, "Usage: kgate batch -f", 21));
	CHECK_INT(run("stats help"), CLI_OK);
	CHECK(!strncmp(out, "Usage: kgate [OPTIONS]", 22));
	/* the help word anywhere else is an argument like any other */
	CHECK(!wants_help(4, (char *[]){ "service", "add", "a", "help",
					 NULL }));
	CHECK(wants_help(3, (char *[]){ "service", "add", "help", NULL }));
	CHECK(wants_help(2, (char *[]){ "backend", "-h", NULL }));
	CHECK(!wants_help(2, (char *[]){ "service", "show", NULL }));
}

/* ---- fake services ------------------------------------------------------ */
static void fe(struct kgate_service *svc, uint8_t kind, const char *ep,
	       unsigned int flags)
{
	struct kgate_frontend f = { .kind = kind };
	struct kgate_endpoint e;

	if (kgate_parse_endpoint(ep, KGATE_EP_PROTO | flags, &e, NULL, 0))
		printf("# bad endpoint %s\n", ep);
	f.addr = e.addr;
	f.port = e.port;
	f.proto = e.proto;
	kgate_service_add_frontend(svc, &f);
}

static void be(struct kgate_service *svc, const char *ep, uint32_t weight,
	       uint8_t state, uint32_t flags)
{
	struct kgate_backend b;
	struct kgate_endpoint e;

	kgate_backend_init(&b);
	if (kgate_parse_endpoint(ep, 0, &e, NULL, 0))
		printf("# bad endpoint %s\n", ep);
	b.addr = e.addr;
	b.port = e.port;
	b.weight = weight;
	b.state = state;
	b.flags = flags;
	/* as decoded from the kernel: every attribute present */
	b.has = KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE | KGATE_BE_HAS_FLAGS |
		KGATE_BE_HAS_COUNTERS;
	b.cnt = (struct kgate_counters){ 5, 50, 5000 };
	kgate_service_add_backend(svc, &b);
}

static void range(struct kgate_service *svc, const char *pfx)
{
	struct kgate_range r;

	if (kgate_parse_prefix(pfx, &r, NULL, 0))
		printf("# bad prefix %s\n", pfx);
	kgate_service_add_range(svc, &r);
}

#define N_FAKE 4
static struct kgate_service fake[N_FAKE];

/* Services as a dump returns them: every option present. */
static void fake_init(void)
{
	struct kgate_service *s;
	size_t i;

	for (i = 0; i < N_FAKE; i++) {
		s = &fake[i];
		kgate_service_init(s);
		s->has = KGATE_SVC_HAS_SCHED | KGATE_SVC_HAS_TABLE_SIZE |
			 KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT |
			 KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY |
			 KGATE_SVC_HAS_COUNTERS;
		s->cnt = (struct kgate_counters){ 7, 70, 7000 };
	}
	s = &fake[0];
	kgate_service_set_name(s, "default/web:http");
	fe(s, KGATE_FE_CLUSTER, "10.96.0.10:80", 0);
	fe(s, KGATE_FE_CLUSTER, "[fd00::10]:80", 0);
	fe(s, KGATE_FE_NODEPORT, "30080", KGATE_EP_OPT_ADDR);
	fe(s, KGATE_FE_NODEPORT, "[::]:30080", KGATE_EP_OPT_ADDR);
	be(s, "10.244.1.5:8080", 1, KGATE_BE_READY, 0);
	be(s, "[fd00::5]:8080", 3, KGATE_BE_TERMINATING, KGATE_BE_F_LOCAL);

	s = &fake[1];
	kgate_service_set_name(s, "kube-system/dns:dns");
	s->sched = KGATE_SCHED_RR;
	s->affinity = KGATE_AFFINITY_CLIENTIP;
	s->timeout = 60;
	fe(s, KGATE_FE_CLUSTER, "10.96.0.53:53/udp", 0);
	be(s, "10.244.2.2:53", 0, KGATE_BE_SERVING, 0);

	s = &fake[2];
	kgate_service_set_name(s, "kube-system/dns:dns-tcp");
	s->table_size = 1009;
	fe(s, KGATE_FE_CLUSTER, "10.96.0.53:53/tcp", 0);

	s = &fake[3];
	kgate_service_set_name(s, "shop/api:https");
	s->ext_policy = KGATE_POLICY_LOCAL;
	s->int_policy = KGATE_POLICY_LOCAL;
	fe(s, KGATE_FE_LOADBALANCER, "[2001:db8::1]:443/sctp", 0);
	fe(s, KGATE_FE_EXTERNAL, "203.0.113.7:443", 0);
	fe(s, KGATE_FE_NODEPORT, "192.168.1.10:31443", KGATE_EP_OPT_ADDR);
	range(s, "192.168.0.0/16");
	range(s, "fd00::/8");
	be(s, "10.244.3.3:8443", 4294967295U, KGATE_BE_READY,
	   KGATE_BE_F_LOCAL);
}

static void fake_free(void)
{
	size_t i;

	for (i = 0; i < N_FAKE; i++)
		kgate_service_free(&fake[i]);
}

/* A source: the services of fake[], by name or all; fails after @fail_at. */
struct source {
	int fail_at;		/* -1: never */
	size_t calls;
};

static int fake_source(void *ctx, const struct show_query *q,
		       kgate_service_cb cb, void *data, struct kgate_err *e)
{
	struct source *src = ctx;
	size_t i;

	for (i = 0; i < N_FAKE; i++) {
		if ((int)i == src->fail_at)
			return kgate_err_set(e, EIO, "dump interrupted");
		if (q->name && strcmp(q->name, fake[i].name))
			continue;
		src->calls++;
		cb(&fake[i], data);
	}
	if (src->fail_at == N_FAKE)
		return kgate_err_set(e, EIO, "dump interrupted");
	if (q->name && !src->calls)
		return kgate_err_set(e, ENOENT, "no such service");
	return 0;
}

/* show_run() over fake[] with "show|save ARGS"; output into out / err. */
static int show(const struct cli *cli, bool save, const char *args,
		int fail_at)
{
	struct source src = { .fail_at = fail_at };
	struct show_query q = { .save = save };
	char line[256], *argv[64];
	struct capture c;
	FILE *f;
	int argc, ret;

	snprintf(line, sizeof(line), "%s", args);
	argc = words(line, argv);
	if (show_parse(argc, argv, &q, why, sizeof(why))) {
		snprintf(out, sizeof(out), "usage: %s", why);
		return CLI_USAGE;
	}
	capture_start(&c);
	f = fdopen(dup(1), "w");
	ret = show_run(cli, &q, fake_source, &src, f);
	fclose(f);
	capture_end(&c);
	return ret;
}

/* ---- show by frontend --------------------------------------------------- */
static const char *query(const char *args)
{
	static char res[512];
	struct show_query q = { 0 };
	char line[256], *argv[64];
	size_t i, used = 0;

	snprintf(line, sizeof(line), "%s", args);
	if (show_parse(words(line, argv), argv, &q, why, sizeof(why))) {
		snprintf(res, sizeof(res), "usage: %s", why);
		return res;
	}
	res[0] = '\0';
	for (i = 0; i < N_FAKE; i++)
		if (show_match(&q, &fake[i]))
			used += (size_t)snprintf(res + used, sizeof(res) - used,
						 "%s%s", used ? " " : "",
						 fake[i].name);
	return res;
}

TEST(test_show_parse)
{
	struct show_query q = { 0 };
	char *argv[4] = { NULL };

	CHECK_INT(show_parse(0, argv, &q, why, sizeof(why)), 0);
	CHECK(!q.name && !q.by_frontend);
	argv[0] = "default/web:http";
	CHECK_INT(show_parse(1, argv, &q, why, sizeof(why)), 0);
	CHECK_STR(q.name, "default/web:http");
	CHECK(!q.by_frontend);
	/* a service may be called like a kind */
	argv[0] = "cluster";
	CHECK_INT(show_parse(1, argv, &q, why, sizeof(why)), 0);
	CHECK_STR(q.name, "cluster");
	q.save = true;
	argv[1] = "10.96.0.10:80/UDP";
	CHECK_INT(show_parse(2, argv, &q, why, sizeof(why)), 0);
	CHECK(q.save && q.by_frontend && !q.name);
	CHECK(!q.any_kind && !q.any_addr && !q.any_proto);
	CHECK_INT(q.fe.kind, KGATE_FE_CLUSTER);
	CHECK_INT(q.fe.proto, IPPROTO_UDP);
	CHECK_INT(q.fe.port, 80);
	CHECK_STR(q.desc, "cluster 10.96.0.10:80/UDP");
}

TEST(test_show_match)
{
	fake_init();
	CHECK_STR(query("cluster 10.96.0.10:80"), "default/web:http");
	CHECK_STR(query("cluster [fd00::10]:80"), "default/web:http");
	CHECK_STR(query("cluster [fd00::10]:80/tcp"), "default/web:http");
	CHECK_STR(query("cluster [fd00::10]:80/udp"), "");
	CHECK_STR(query("cluster 10.96.0.10:81"), "");
	CHECK_STR(query("external 10.96.0.10:80"), "");
	/* no protocol: any; a protocol, after a slash or as a word */
	CHECK_STR(query("cluster 10.96.0.53:53"),
		  "kube-system/dns:dns kube-system/dns:dns-tcp");
	CHECK_STR(query("cluster 10.96.0.53:53/udp"), "kube-system/dns:dns");
	CHECK_STR(query("cluster 10.96.0.53:53 UDP"), "kube-system/dns:dns");
	CHECK_STR(query("cluster 10.96.0.53:53 tcp"),
		  "kube-system/dns:dns-tcp");
	CHECK_STR(query("loadbalancer [2001:db8::1]:443/SCTP"),
		  "shop/api:https");
	CHECK_STR(query("loadbalancer [2001:db8::1]:443/tcp"), "");
	CHECK_STR(query("external 203.0.113.7:443"), "shop/api:https");
	/* nodeport PORT: on any address; with one, on that one */
	CHECK_STR(query("nodeport 30080"), "default/web:http");
	CHECK_STR(query("nodeport 31443/tcp"), "shop/api:https");
	CHECK_STR(query("nodeport [::]:30080"), "default/web:http");
	CHECK_STR(query("nodeport 0.0.0.0:31443"), "");
	CHECK_STR(query("nodeport 192.168.1.10:31443"), "shop/api:https");
	CHECK_STR(query("nodeport 30081"), "");
	/* vip: any kind */
	CHECK_STR(query("vip 203.0.113.7:443"), "shop/api:https");
	CHECK_STR(query("vip 10.96.0.53:53/tcp"), "kube-system/dns:dns-tcp");
	CHECK_STR(query("vip 0.0.0.0:30080"), "default/web:http");
	/* usage errors */
	CHECK_STR(query("pod 10.0.0.1:80"), "usage: unknown frontend kind "
		  "\"pod\" (expected cluster, external, loadbalancer, nodeport "
		  "or vip)");
	CHECK_STR(query("cluster 10.0.0.1"), "usage: cluster \"10.0.0.1\": "
		  "missing \":PORT\"");
	CHECK_STR(query("vip 30080"), "usage: vip \"30080\": missing "
		  "\":PORT\"");
	CHECK_STR(query("cluster 10.0.0.1:80/udp tcp"), "usage: protocol "
		  "given twice (\"tcp\" after \"10.0.0.1:80/udp\")");
	CHECK_STR(query("cluster 10.0.0.1:80 icmp"), "usage: unknown protocol"
		  " \"icmp\" (expected tcp, udp or sctp)");
	CHECK_STR(query("cluster 10.0.0.1:80 tcp x"), "usage: unexpected "
		  "argument \"x\"");
	fake_free();
}

TEST(test_show_run_by_frontend)
{
	struct cli cli = { 0 };

	fake_init();
	CHECK_INT(show(&cli, false, "cluster 10.96.0.53:53 UDP", -1), CLI_OK);
	CHECK_STR(out, "service kube-system/dns:dns scheduler rr affinity "
		  "clientip timeout 60 external-policy cluster internal-policy "
		  "cluster\n"
		  "    cluster 10.96.0.53:53/udp\n"
		  "    backend 10.244.2.2:53 weight 0 serving\n");
	CHECK_STR(err, "");
	cli.json = true;
	CHECK_INT(show(&cli, false, "cluster 10.96.0.53:53", -1), CLI_OK);
	CHECK(!strncmp(out, "[{\"name\":\"kube-system/dns:dns\",", 31));
	CHECK(strstr(out, "},{\"name\":\"kube-system/dns:dns-tcp\",") != NULL);
	CHECK(strstr(out, "web") == NULL);
	CHECK_INT(out[strlen(out) - 2], ']');
	/* no service owns it: nothing on stdout, the reason on stderr */
	CHECK_INT(show(&cli, false, "cluster 10.96.0.10:81/udp", -1),
		  CLI_FAIL);
	CHECK_STR(out, "");
	CHECK_STR(err, "kgate: no service has frontend cluster "
		  "10.96.0.10:81/udp\n");
	cli.json = false;
	CHECK_INT(show(&cli, false, "nodeport 30081 sctp", -1), CLI_FAIL);
	CHECK_STR(err, "kgate: no service has frontend nodeport 30081 sctp\n");
	/* by name, and all of them */
	CHECK_INT(show(&cli, false, "shop/api:https", -1), CLI_OK);
	CHECK(!strncmp(out, "service shop/api:https ", 23));
	CHECK(strstr(out, "\nservice ") == NULL);
	CHECK_INT(show(&cli, false, "", -1), CLI_OK);
	CHECK(strstr(out, "service default/web:http ") == out);
	CHECK(strstr(out, "\nservice shop/api:https ") != NULL);
	fake_free();
}

/* A dump that fails prints nothing on stdout, in text and JSON. */
TEST(test_show_failed_dump)
{
	struct cli cli = { 0 };
	int at;

	fake_init();
	for (at = 0; at <= N_FAKE; at++) {
		cli.json = false;
		CHECK_INT(show(&cli, false, "", at), CLI_FAIL);
		CHECK_STR(out, "");
		CHECK_STR(err, "kgate: dump interrupted (EIO)\n");
		cli.json = true;
		CHECK_INT(show(&cli, false, "", at), CLI_FAIL);
		CHECK_STR(out, "");
		CHECK_STR(err, "kgate: dump interrupted (EIO)\n");
		cli.pretty = true;
		CHECK_INT(show(&cli, false, "vip 10.96.0.10:80", at),
			  CLI_FAIL);
		CHECK_STR(out, "");
		cli.pretty = false;
		CHECK_INT(show(&cli, true, "", at), CLI_FAIL);
		CHECK_STR(out, "");
	}
	cli.json = true;
	CHECK_INT(show(&cli, false, "nobody", -1), CLI_FAIL);
	CHECK_STR(out, "");
	CHECK_STR(err, "kgate: no such service (ENOENT)\n");
	fake_free();
}

static int empty_source(void *ctx, const struct show_query *q,
			kgate_service_cb cb, void *data, struct kgate_err *e)
{
	(void)ctx;
	(void)q;
	(void)cb;
	(void)data;
	(void)e;
	return 0;
}

/* No service at all is no failure: [] in JSON, nothing in text. */
TEST(test_show_empty)
{
	struct cli cli = { .json = true };
	struct show_query q = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_INT(show_run(&cli, &q, empty_source, NULL, f), CLI_OK);
	cli.json = false;
	CHECK_INT(show_run(&cli, &q, empty_source, NULL, f), CLI_OK);
	q.save = true;
	CHECK_INT(show_run(&cli, &q, empty_source, NULL, f), CLI_OK);
	fclose(f);
	CHECK_STR(buf, "[]\n");
	free(buf);
}

/* ---- service save, read back by batch ---------------------------------- */
TEST(test_save_text)
{
	struct cli cli = { 0 };

	fake_init();
	CHECK_INT(show(&cli, true, "kube-system/dns:dns", -1), CLI_OK);
	CHECK_STR(out, "service replace kube-system/dns:dns scheduler rr "
		  "table-size 0 affinity clientip timeout 60 external-policy "
		  "cluster internal-policy cluster cluster 10.96.0.53:53/udp "
		  "backend 10.244.2.2:53 weight 0 state serving nolocal\n");
	CHECK_INT(show(&cli, true, "loadbalancer [2001:db8::1]:443", -1),
		  CLI_OK);
	CHECK_STR(out, "service replace shop/api:https scheduler maglev "
		  "table-size 0 affinity none timeout 10800 external-policy "
		  "local internal-policy local "
		  "loadbalancer [2001:db8::1]:443/sctp "
		  "external 203.0.113.7:443/tcp "
		  "nodeport 192.168.1.10:31443/tcp "
		  "source-range 192.168.0.0/16 source-range fd00::/8 "
		  "backend 10.244.3.3:8443 weight 4294967295 state ready "
		  "local\n");
	/* counters (-s) are not configuration */
	cli.stats = true;
	CHECK_INT(show(&cli, true, "", -1), CLI_OK);
	CHECK(strstr(out, "conns") == NULL);
	fake_free();
}

static int svc_equal_but_counters(const struct kgate_service *saved,
				  const struct kgate_service *orig)
{
	struct kgate_service o = *orig;
	struct kgate_backend bes[8];
	size_t i;

	o.has &= ~KGATE_SVC_HAS_COUNTERS;
	for (i = 0; i < o.n_backends && i < 8; i++) {
		bes[i] = orig->backends[i];
		bes[i].has &= ~KGATE_BE_HAS_COUNTERS;
	}
	o.backends = bes;
	return kgate_service_equal(saved, &o);
}

TEST(test_save_round_trip)
{
	struct cli cli = { 0 };
	struct batch_file bf;
	size_t i;
	FILE *f;
	int errors;

	fake_init();
	CHECK_INT(show(&cli, true, "", -1), CLI_OK);
	CHECK_STR(err, "");
	f = fmemopen(out, strlen(out), "r");
	errors = batch_read(f, "saved", &bf, stderr);
	fclose(f);
	CHECK_INT(errors, 0);
	CHECK_INT(bf.n, N_FAKE);
	for (i = 0; i < bf.n && i < N_FAKE; i++) {
		CHECK_INT(bf.lines[i].line, i + 1);
		CHECK_INT(bf.lines[i].cmd.cmd, KGATE_CMD_SERVICE_REPLACE);
		CHECK(bf.lines[i].cmd.has_svc);
		CHECK(svc_equal_but_counters(&bf.lines[i].cmd.svc, &fake[i]));
		if (!svc_equal_but_counters(&bf.lines[i].cmd.svc, &fake[i]))
			printf("# line %zu differs\n", i + 1);
	}
	batch_free(&bf);

	/* a model with fewer attributes saves just those */
	kgate_service_free(&fake[2]);
	kgate_service_set_name(&fake[2], "bare");
	fe(&fake[2], KGATE_FE_CLUSTER, "10.0.0.1:80", 0);
	kgate_service_add_backend(&fake[2], &(struct kgate_backend){
		.addr = fake[2].frontends[0].addr, .port = 8080 });
	CHECK_INT(show(&cli, true, "bare", -1), CLI_OK);
	CHECK_STR(out, "service replace bare cluster 10.0.0.1:80/tcp "
		  "backend 10.0.0.1:8080\n");
	f = fmemopen(out, strlen(out), "r");
	CHECK_INT(batch_read(f, "saved", &bf, stderr), 0);
	fclose(f);
	CHECK_INT(bf.n, 1);
	if (bf.n == 1)
		CHECK(kgate_service_equal(&bf.lines[0].cmd.svc, &fake[2]));
	batch_free(&bf);
	fake_free();
}

TEST(test_save_usage)
{
	CHECK_INT(run("-j service save"), CLI_USAGE);
	CHECK_STR(out, "");
	CHECK_STR(err, "kgate: \"service save\" writes commands for \"kgate "
		  "batch\"; it has no JSON form\n");
	CHECK_INT(run("service show pod 10.0.0.1:80"), CLI_USAGE);
	CHECK_STR(out, "");
	CHECK(strstr(err, "unknown frontend kind \"pod\"") != NULL);
	CHECK(strstr(err, "usage: kgate service show [NAME | KIND "
		     "ADDR:PORT[/PROTO] [PROTO]]") != NULL);
}

int main(void)
{
	RUN(test_options);
	RUN(test_version);
	RUN(test_netns);
	RUN(test_help_words);
	RUN(test_show_parse);
	RUN(test_show_match);
	RUN(test_show_run_by_frontend);
	RUN(test_show_failed_dump);
	RUN(test_show_empty);
	RUN(test_save_text);
	RUN(test_save_round_trip);
	RUN(test_save_usage);
	return tap_done();
}

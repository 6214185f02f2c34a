// SPDX-License-Identifier: GPL-2.0
/*
 * kgated.yaml on the host: the defaults, every key, and for each wrong
 * value the one message a user reads (file:line:col, the key's path, the
 * reason); unknown keys are errors at their own position; a configuration
 * with an error keeps nothing of it.  The shipped default file parses to
 * the defaults.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "kgated.h"
#include "tap.h"

#ifndef KGD_SHIPPED
#define KGD_SHIPPED "userspace/kgated/kgated.yaml"
#endif

struct parsed {
	struct kgd_config cfg;
	struct kk_docs docs;
	struct kk_diag d;
	char *msgs;
	int err;
};

/* Parse @text as "kgated.yaml"; the messages in p->msgs. */
static void parse(struct parsed *p, const char *text)
{
	size_t len = 0;
	FILE *f;

	kk_docs_init(&p->docs);
	kk_diag_init(&p->d);
	p->err = kk_load_text(&p->docs, "kgated.yaml", text, strlen(text),
			      &p->d);
	if (!p->err)
		p->err = kgd_config_parse(&p->cfg, &p->docs, &p->d);
	else
		kgd_config_init(&p->cfg);
	f = open_memstream(&p->msgs, &len);
	kk_diag_print(f, &p->d);
	fclose(f);
}

static void done(struct parsed *p)
{
	kgd_config_free(&p->cfg);
	kk_diag_free(&p->d);
	kk_docs_free(&p->docs);
	free(p->msgs);
}

/* @text is refused with exactly the message @want (one line). */
static void refused(const char *text, const char *want)
{
	struct parsed p;

	parse(&p, text);
	CHECK_INT(p.err, -EINVAL);
	CHECK_STR(p.msgs, want);
	/* nothing of a refused file is kept */
	CHECK_INT(p.cfg.ingress_port, 80);
	CHECK(!p.cfg.link);
	done(&p);
}

static void check_defaults(const struct kgd_config *c)
{
	CHECK(!c->node_name);
	CHECK_INT(c->n_manifests, 1);
	CHECK_STR(c->manifests[0], "/etc/kgate/manifests");
	CHECK_INT(c->ingress_addr.family, 0);
	CHECK_INT(c->ingress_port, 80);
	CHECK_INT(c->api.mode, KGD_API_OFF);
	CHECK(c->api.status);
	CHECK_INT(c->api.n_status_addrs, 0);
	CHECK(!c->ingress_default_class);
	CHECK(!c->link);
	CHECK_INT(c->n_own, 0);
	CHECK(!c->metrics_addr);
	CHECK_INT(c->debounce_ms, 200);
	CHECK_INT(c->log, KGD_LOG_AUTO);
}

TEST(test_empty_file_is_every_default)
{
	struct parsed p;

	parse(&p, "");
	CHECK_INT(p.err, 0);
	CHECK_STR(p.msgs, "");
	check_defaults(&p.cfg);
	done(&p);
	parse(&p, "# only comments\n");
	CHECK_INT(p.err, 0);
	check_defaults(&p.cfg);
	done(&p);
}

TEST(test_every_key)
{
	char buf[64];
	struct parsed p;

	parse(&p, "nodeName: node-1\n"
		  "manifests: [/srv/a, /srv/b.yaml]\n"
		  "ingress: {port: 8080, address: 198.18.0.1, "
		  "defaultClass: true}\n"
		  "addresses:\n"
		  "  link: kgate0\n"
		  "  own: [198.18.100.0/24, 'fd00:100::/64']\n"
		  "metrics: {address: '127.0.0.1:9788'}\n"
		  "reload: {debounceMs: 50}\n"
		  "log: stderr\n");
	CHECK_INT(p.err, 0);
	CHECK_STR(p.msgs, "");
	CHECK_STR(p.cfg.node_name, "node-1");
	CHECK_INT(p.cfg.n_manifests, 2);
	CHECK_STR(p.cfg.manifests[0], "/srv/a");
	CHECK_STR(p.cfg.manifests[1], "/srv/b.yaml");
	CHECK_STR(kgate_addr_str(&p.cfg.ingress_addr, buf, sizeof(buf)),
		  "198.18.0.1");
	CHECK_INT(p.cfg.ingress_port, 8080);
	CHECK(p.cfg.ingress_default_class);
	CHECK_STR(p.cfg.link, "kgate0");
	CHECK_INT(p.cfg.n_own, 2);
	CHECK_STR(kgate_prefix_str(&p.cfg.own[0], buf, sizeof(buf)),
		  "198.18.100.0/24");
	CHECK_STR(kgate_prefix_str(&p.cfg.own[1], buf, sizeof(buf)),
		  "fd00:100::/64");
	CHECK_STR(p.cfg.metrics_addr, "127.0.0.1:9788");
	CHECK_INT(p.cfg.debounce_ms, 50);
	CHECK_INT(p.cfg.log, KGD_LOG_STDERR);
	done(&p);
}

TEST(test_empty_strings_and_nulls_are_defaults)
{
	struct parsed p;

	parse(&p, "nodeName: ''\ningress: {address: ''}\n"
		  "addresses: {link: '', own: []}\nmetrics: {address: ''}\n"
		  "reload: ~\nlog: journal\n");
	CHECK_INT(p.err, 0);
	CHECK_STR(p.msgs, "");
	CHECK(!p.cfg.node_name);
	CHECK_INT(p.cfg.ingress_addr.family, 0);
	CHECK(!p.cfg.link);
	CHECK(!p.cfg.metrics_addr);
	CHECK_INT(p.cfg.debounce_ms, 200);
	CHECK_INT(p.cfg.log, KGD_LOG_JOURNAL);
	done(&p);
}

TEST(test_kk_config)
{
	struct kk_config kc;
	struct parsed p;

	parse(&p, "ingress: {port: 81, defaultClass: true}\n");
	kgd_config_kk(&p.cfg, "host-a", &kc);
	CHECK_STR(kc.node_name, "host-a");
	CHECK_INT(kc.ingress_port, 81);
	CHECK(kc.ingress_default_class);
	done(&p);
	parse(&p, "nodeName: n2\n");
	kgd_config_kk(&p.cfg, "host-a", &kc);
	CHECK_STR(kc.node_name, "n2");
	done(&p);
}

TEST(test_unknown_keys)
{
	refused("nodeName: a\nmanifest: [/x]\n",
		"kgated.yaml:2:1: error: manifest: unknown key (expected "
		"nodeName, manifests, ingress, addresses, metrics, reload, "
		"log or api)\n");
	refused("ingress:\n  prot: 81\n",
		"kgated.yaml:2:3: error: ingress.prot: unknown key (expected "
		"port, address or defaultClass)\n");
	refused("addresses: {link: k0, owned: []}\n",
		"kgated.yaml:1:23: error: addresses.owned: unknown key "
		"(expected link or own)\n");
	refused("metrics: {addr: x}\n",
		"kgated.yaml:1:11: error: metrics.addr: unknown key (expected "
		"address)\n");
	refused("reload: {debounce: 5}\n",
		"kgated.yaml:1:10: error: reload.debounce: unknown key "
		"(expected debounceMs)\n");
}

TEST(test_wrong_types)
{
	refused("nodeName: [a]\n",
		"kgated.yaml:1:11: error: nodeName: expected a string, got "
		"a list\n");
	refused("manifests: /etc/x\n",
		"kgated.yaml:1:12: error: manifests: expected a list, got "
		"a string\n");
	refused("manifests: [/a, 5]\n",
		"kgated.yaml:1:17: error: manifests[1]: expected a string, "
		"got an integer\n");
	refused("ingress: 80\n",
		"kgated.yaml:1:10: error: ingress: expected a map, got an "
		"integer\n");
	refused("ingress: {port: '80'}\n",
		"kgated.yaml:1:17: error: ingress.port: expected an integer, "
		"got a string\n");
	refused("ingress: {defaultClass: yes}\n",
		"kgated.yaml:1:25: error: ingress.defaultClass: expected true "
		"or false, got a string\n");
	refused("addresses: {link: k0, own: 10.0.0.0/8}\n",
		"kgated.yaml:1:28: error: addresses.own: expected a list, got "
		"a string\n");
	refused("reload: {debounceMs: 1.5}\n",
		"kgated.yaml:1:22: error: reload.debounceMs: expected an "
		"integer, got a number\n");
	refused("log: 1\n",
		"kgated.yaml:1:6: error: log: expected a string, got an "
		"integer\n");
	refused("- a\n",
		"kgated.yaml:1:1: error: expected a map, got a list\n");
}

TEST(test_wrong_values)
{
	refused("ingress: {port: 70000}\n",
		"kgated.yaml:1:17: error: ingress.port: 70000 out of range "
		"1..65535\n");
	refused("ingress: {port: 0}\n",
		"kgated.yaml:1:17: error: ingress.port: 0 out of range "
		"1..65535\n");
	refused("ingress: {address: nowhere}\n",
		"kgated.yaml:1:20: error: ingress.address: \"nowhere\" is not "
		"an IP address\n");
	refused("manifests: []\n",
		"kgated.yaml:1:12: error: manifests: empty; expected at least "
		"one file or directory\n");
	refused("manifests: ['']\n",
		"kgated.yaml:1:13: error: manifests[0]: empty; expected a "
		"file or directory\n");
	refused("reload: {debounceMs: -1}\n",
		"kgated.yaml:1:22: error: reload.debounceMs: -1 out of range "
		"0..60000\n");
	refused("log: syslog\n",
		"kgated.yaml:1:6: error: log: \"syslog\" is not auto, journal "
		"or stderr\n");
}

TEST(test_addresses_values)
{
	refused("addresses: {link: kgate0, own: [198.18.100.7]}\n",
		"kgated.yaml:1:33: error: addresses.own[0]: \"198.18.100.7\" "
		"is not a CIDR (ADDR/LEN)\n");
	refused("addresses: {link: kgate0, own: [198.18.100.7/24]}\n",
		"kgated.yaml:1:33: error: addresses.own[0]: "
		"\"198.18.100.7/24\" has host bits set\n");
	refused("addresses: {link: kgate0, own: [10.0.0.0/33]}\n",
		"kgated.yaml:1:33: error: addresses.own[0]: prefix length 33 "
		"out of range 0..32\n");
	refused("addresses: {link: kgate0, own: [nope/8]}\n",
		"kgated.yaml:1:33: error: addresses.own[0]: invalid address "
		"\"nope\"\n");
	refused("addresses: {own: [10.0.0.0/8]}\n",
		"kgated.yaml:1:18: error: addresses.own: needs "
		"addresses.link, the link to put them on\n");
	refused("addresses: {link: a-very-long-link-name}\n",
		"kgated.yaml:1:19: error: addresses.link: "
		"\"a-very-long-link-name\" is not a link name (1 to 15 "
		"characters, no '/', ':' or blank)\n");
	refused("addresses: {link: 'a/b'}\n",
		"kgated.yaml:1:19: error: addresses.link: \"a/b\" is not a "
		"link name (1 to 15 characters, no '/', ':' or blank)\n");
}

TEST(test_every_error_reported)
{
	struct parsed p;

	parse(&p, "ingress: {port: 0, prot: 1}\nlog: x\n");
	CHECK_INT(p.err, -EINVAL);
	CHECK_INT(p.d.errors, 3);
	done(&p);
}

TEST(test_api_keys)
{
	struct parsed p;

	parse(&p, "api:\n  server: http://127.0.0.1:8001\n"
		  "  namespace: web\n  status: false\n"
		  "  statusAddresses: [192.0.2.7, \"2001:db8::7\"]\n");
	CHECK_INT(p.err, 0);
	CHECK_STR(p.msgs, "");
	CHECK_INT(p.cfg.api.mode, KGD_API_URL);
	CHECK_STR(p.cfg.api.url, "http://127.0.0.1:8001");
	CHECK_STR(p.cfg.api.ns, "web");
	CHECK(!p.cfg.api.status);
	CHECK_INT(p.cfg.api.n_status_addrs, 2);
	CHECK_INT(p.cfg.api.status_addrs[1].family, AF_INET6);
	done(&p);
	parse(&p, "api: {server: kubeconfig, kubeconfig: /k, context: c}\n");
	CHECK_INT(p.err, 0);
	CHECK_INT(p.cfg.api.mode, KGD_API_KUBECONFIG);
	CHECK_STR(p.cfg.api.kubeconfig, "/k");
	CHECK_STR(p.cfg.api.context, "c");
	done(&p);
	parse(&p, "api: {server: in-cluster}\n");
	CHECK_INT(p.cfg.api.mode, KGD_API_INCLUSTER);
	done(&p);
}

TEST(test_api_refused)
{
	refused("api:\n  server: ftp://x\n",
		"kgated.yaml:2:11: error: api.server: \"ftp://x\" is not \"\", "
		"in-cluster, kubeconfig or an http:// or https:// URL\n");
	refused("api:\n  statusAddresses: [192.0.2.300]\n",
		"kgated.yaml:2:21: error: api.statusAddresses[0]: "
		"\"192.0.2.300\" is not an IP address\n");
	refused("api:\n  kubeconfig: /k\n",
		"kgated.yaml:2:15: error: api.kubeconfig: needs api.server: "
		"kubeconfig\n");
	refused("api:\n  sever: x\n",
		"kgated.yaml:2:3: error: api.sever: unknown key (expected "
		"server, kubeconfig, context, namespace, status or "
		"statusAddresses)\n");
	refused("api:\n  status: maybe\n",
		"kgated.yaml:2:11: error: api.status: expected true or false, "
		"got a string\n");
}

TEST(test_two_documents)
{
	refused("log: auto\n---\nlog: stderr\n",
		"kgated.yaml:3:1: error: a second document; expected one\n");
}

TEST(test_missing_file)
{
	struct kgd_config cfg;
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	err = kgd_config_load(&cfg, "/nonexistent/kgated.yaml", &docs, &d);
	CHECK_INT(err, -EINVAL);
	CHECK_INT(d.errors, 1);
	CHECK(d.n == 1 && strstr(d.v[0].text, "No such file"));
	CHECK_INT(cfg.ingress_port, 80);
	kgd_config_free(&cfg);
	kk_diag_free(&d);
	kk_docs_free(&docs);
}

/* The file shipped documents every key with its default value. */
TEST(test_shipped_file)
{
	struct kgd_config cfg;
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	err = kgd_config_load(&cfg, KGD_SHIPPED, &docs, &d);
	CHECK_INT(err, 0);
	CHECK_INT(d.n, 0);
	check_defaults(&cfg);
	kgd_config_free(&cfg);
	kk_diag_free(&d);
	kk_docs_free(&docs);
}

int main(void)
{
	RUN(test_empty_file_is_every_default);
	RUN(test_every_key);
	RUN(test_empty_strings_and_nulls_are_defaults);
	RUN(test_kk_config);
	RUN(test_unknown_keys);
	RUN(test_wrong_types);
	RUN(test_wrong_values);
	RUN(test_addresses_values);
	RUN(test_every_error_reported);
	RUN(test_api_keys);
	RUN(test_api_refused);
	RUN(test_two_documents);
	RUN(test_missing_file);
	RUN(test_shipped_file);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Where the API server is: in-cluster (the variables and the service
 * account's files), kubeconfig files (contexts, clusters, users, files
 * and -data fields, relative names), a URL; and every refusal with the
 * line a user sees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "tap.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *path_of(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* A whole file, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);

	if (!f) {
		free(buf);
		return NULL;
	}
	if (fread(buf, 1, 4095, f) == 0)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

/* The messages of @d as kk_diag_print() says them, to be freed. */
static char *msgs(const struct kk_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	kk_diag_print(m, d);
	fclose(m);
	return text;
}

/* Load kubeconfig @text (as file "kc"); the return and the messages. */
static int load(struct kgd_api_conn *c, const char *text, const char *ctx,
		char **out)
{
	struct kk_diag d;
	int r;

	write_file("kc", text);
	kk_diag_init(&d);
	r = kgd_api_conn_kubeconfig(c, path_of("kc"), ctx, &d);
	*out = msgs(&d);
	kk_diag_free(&d);
	return r;
}

/* The one message of a refused kubeconfig, without the directory. */
static void refused(const char *text, const char *ctx, const char *want)
{
	struct kgd_api_conn c;
	size_t n = strlen(dir);
	char *m, *p;

	CHECK(load(&c, text, ctx, &m) < 0);
	/* "DIR/kc:..." as "kc:..." */
	while (m && (p = strstr(m, dir)))
		memmove(p, p + n + 1, strlen(p + n + 1) + 1);
	CHECK_STR(m, want);
	CHECK(!c.server && !c.token);
	free(m);
}

#define HEAD "apiVersion: v1\nkind: Config\n"
#define CTX(name, cluster, user)					\
	"- name: " name "\n  context:\n    cluster: " cluster		\
	"\n    user: " user "\n"

TEST(test_kubeconfig_token)
{
	static const char text[] = HEAD
		"current-context: dev\n"
		"contexts:\n"
		CTX("prod", "p", "admin")
		"- name: dev\n  context:\n    cluster: d\n    user: me\n"
		"    namespace: team\n"
		"clusters:\n"
		"- name: d\n  cluster:\n    server: https://10.0.0.1:6443/\n"
		"    certificate-authority: ca.pem\n"
		"    insecure-skip-tls-verify: true\n"
		"- name: p\n  cluster:\n    server: https://prod:6443\n"
		"users:\n"
		"- name: me\n  user:\n    token: sekret\n"
		"- name: admin\n  user:\n    tokenFile: /nonexistent/t\n";
	struct kgd_api_conn c;
	char *m;

	CHECK_INT(load(&c, text, NULL, &m), 0);
	CHECK_STR(m, "");
	CHECK_STR(c.server, "https://10.0.0.1:6443");
	CHECK_STR(c.token, "sekret");
	CHECK_STR(c.ca_file, path_of("ca.pem"));
	CHECK_STR(c.ns, "team");
	CHECK(c.insecure);
	CHECK(!c.cert_file && !c.key_file);
	kgd_api_conn_free(&c);
	free(m);
}

/* -data fields into private files, gone after kgd_api_conn_free(). */
TEST(test_kubeconfig_data)
{
	/* "CA\n", "CERT\n", "KEY\n" */
	static const char text[] = HEAD
		"current-context: x\n"
		"contexts:\n" CTX("x", "c", "u")
		"clusters:\n"
		"- name: c\n  cluster:\n    server: https://k:443\n"
		"    certificate-authority-data: Q0EK\n"
		"users:\n"
		"- name: u\n  user:\n"
		"    client-certificate-data: Q0VSVAo=\n"
		"    client-key-data: S0VZCg==\n";
	struct kgd_api_conn c;
	char *m, *ca, *cert, *key, *t;
	struct stat st;

	CHECK_INT(load(&c, text, NULL, &m), 0);
	CHECK_STR(m, "");
	CHECK(!c.token && !c.insecure);
	ca = strdup(c.ca_file ? c.ca_file : "");
	cert = strdup(c.cert_file ? c.cert_file : "");
	key = strdup(c.key_file ? c.key_file : "");
	t = slurp(ca);
	CHECK_STR(t, "CA\n");
	free(t);
	t = slurp(cert);
	CHECK_STR(t, "CERT\n");
	free(t);
	t = slurp(key);
	CHECK_STR(t, "KEY\n");
	free(t);
	/* a key is for us alone */
	CHECK(stat(key, &st) == 0 && (st.st_mode & 077) == 0);
	kgd_api_conn_free(&c);
	CHECK(access(ca, F_OK) && access(cert, F_OK) && access(key, F_OK));
	free(ca);
	free(cert);
	free(key);
	free(m);
}

/* --context picks another; file names relative to the kubeconfig. */
TEST(test_kubeconfig_context)
{
	static const char text[] = HEAD
		"current-context: a\n"
		"contexts:\n" CTX("a", "c", "u") CTX("b", "c", "v")
		"clusters:\n"
		"- name: c\n  cluster:\n    server: http://127.0.0.1:8001\n"
		"users:\n"
		"- name: u\n  user:\n    token: t1\n"
		"- name: v\n  user:\n    tokenFile: tok\n"
		"    client-certificate: sub/c.pem\n"
		"    client-key: /abs/k.pem\n";
	struct kgd_api_conn c;
	char want[300], *m;

	write_file("tok", "from-file\n");
	CHECK_INT(load(&c, text, "b", &m), 0);
	CHECK_STR(m, "");
	CHECK_STR(c.server, "http://127.0.0.1:8001");
	CHECK_STR(c.token, "from-file");
	snprintf(want, sizeof(want), "%s/sub/c.pem", dir);
	CHECK_STR(c.cert_file, want);
	CHECK_STR(c.key_file, "/abs/k.pem");
	CHECK(!c.ca_file && !c.ns);
	kgd_api_conn_free(&c);
	free(m);
}

TEST(test_kubeconfig_refused)
{
	refused(HEAD "contexts: []\n", NULL,
		"kc:1:1: error: kubeconfig: current-context: missing\n");
	refused(HEAD "current-context: x\ncontexts: []\n", NULL,
		"kc:3:18: error: kubeconfig: current-context: no context "
		"named \"x\" in contexts\n");
	refused(HEAD "current-context: x\ncontexts: {}\n", NULL,
		"kc:4:11: error: kubeconfig: contexts: expected a list, got "
		"a map\nkc:3:18: error: kubeconfig: current-context: no "
		"context named \"x\" in contexts\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters: []\n", "x",
		"kc:7:14: error: kubeconfig: contexts[0].context.cluster: no "
		"cluster named \"c\" in clusters\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-"
		"verify: true\n", NULL,
		"kc:12:5: error: kubeconfig: clusters[0].cluster.server: "
		"missing\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters:\n- name: c\n  cluster:\n    server: 10.0.0.1\n",
		NULL, "kc:12:13: error: kubeconfig: clusters[0].cluster."
		"server: expected an https:// or http:// URL, got "
		"\"10.0.0.1\"\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters:\n- name: c\n  cluster:\n    server: https://k\n"
		"    certificate-authority-data: '#!'\n", NULL,
		"kc:13:33: error: kubeconfig: clusters[0].cluster."
		"certificate-authority-data: not valid base64\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters:\n- name: c\n  cluster:\n    server: https://k\n"
		"users:\n- name: u\n  user:\n    exec:\n      command: aws\n",
		NULL, "kc:17:7: error: kubeconfig: users[0].user.exec: not "
		"supported: use a token or a client certificate\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters:\n- name: c\n  cluster:\n    server: https://k\n"
		"users:\n- name: u\n  user:\n    client-certificate: c.pem\n",
		NULL, "kc:16:5: error: kubeconfig: users[0].user: a client "
		"certificate needs both client-certificate and client-key\n");
	refused(HEAD "current-context: x\ncontexts:\n" CTX("x", "c", "u")
		"clusters:\n- name: c\n  cluster:\n    server: https://k\n"
		"users: []\n", NULL,
		"kc:8:11: error: kubeconfig: contexts[0].context.user: no "
		"user named \"u\" in users\n");
	refused(HEAD "current-context: [x]\n", NULL,
		"kc:3:18: error: kubeconfig: current-context: expected a "
		"string, got a list\n");
}

TEST(test_kubeconfig_missing_file)
{
	struct kgd_api_conn c;
	struct kk_diag d;

	kk_diag_init(&d);
	CHECK(kgd_api_conn_kubeconfig(&c, "/nonexistent/kc", NULL, &d) < 0);
	CHECK_INT(d.errors, 1);
	CHECK(!c.server);
	kk_diag_free(&d);
}

static void sa_files(const char *ns)
{
	mkdir(path_of("sa"), 0700);
	write_file("sa/token", "tok-123\n");
	write_file("sa/ca.crt", "PEM\n");
	if (ns)
		write_file("sa/namespace", ns);
	else
		unlink(path_of("sa/namespace"));
}

TEST(test_incluster)
{
	struct kgd_api_conn c;
	struct kk_diag d;
	char ca[300];

	sa_files("kgate-system");
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	kk_diag_init(&d);
	CHECK_INT(kgd_api_conn_incluster(&c, path_of("sa"), &d), 0);
	CHECK_INT(d.n, 0);
	CHECK_STR(c.server, "https://10.96.0.1:443");
	CHECK_STR(c.token, "tok-123");
	snprintf(ca, sizeof(ca), "%s/sa/ca.crt", dir);
	CHECK_STR(c.ca_file, ca);
	CHECK_STR(c.ns, "kgate-system");
	kgd_api_conn_free(&c);
	/* IPv6 in brackets; no namespace file is no namespace */
	sa_files(NULL);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	CHECK_INT(kgd_api_conn_incluster(&c, path_of("sa"), &d), 0);
	CHECK_STR(c.server, "https://[fd00::1]:443");
	CHECK(!c.ns);
	CHECK_INT(d.n, 0);
	kgd_api_conn_free(&c);
	kk_diag_free(&d);
}

TEST(test_incluster_refused)
{
	struct kgd_api_conn c;
	struct kk_diag d;
	char want[300], *m;

	unsetenv("KUBERNETES_SERVICE_HOST");
	kk_diag_init(&d);
	CHECK_INT(kgd_api_conn_incluster(&c, path_of("sa"), &d), -ENOENT);
	m = msgs(&d);
	CHECK_STR(m, "error: not in a cluster: KUBERNETES_SERVICE_HOST and "
		  "KUBERNETES_SERVICE_PORT are not set\n");
	free(m);
	kk_diag_free(&d);

	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	unlink(path_of("sa/token"));
	kk_diag_init(&d);
	CHECK_INT(kgd_api_conn_incluster(&c, path_of("sa"), &d), -ENOENT);
	m = msgs(&d);
	snprintf(want, sizeof(want), "error: %s/sa/token: No such file or "
		 "directory\n", dir);
	CHECK_STR(m, want);
	CHECK(!c.server);
	free(m);
	kk_diag_free(&d);
}

TEST(test_url)
{
	struct kgd_api_conn c;

	CHECK_INT(kgd_api_conn_url(&c, "http://127.0.0.1:8001//"), 0);
	CHECK_STR(c.server, "http://127.0.0.1:8001");
	CHECK(!c.token && !c.ca_file && !c.insecure);
	kgd_api_conn_free(&c);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/kgd-conn-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	/* -data files go under TMPDIR: into ours, to be checked */
	setenv("TMPDIR", dir, 1);
	RUN(test_kubeconfig_token);
	RUN(test_kubeconfig_data);
	RUN(test_kubeconfig_context);
	RUN(test_kubeconfig_refused);
	RUN(test_kubeconfig_missing_file);
	RUN(test_incluster);
	RUN(test_incluster_refused);
	RUN(test_url);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return tap_done();
}

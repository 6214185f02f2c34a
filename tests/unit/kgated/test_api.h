/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the API client's tests: the stand-in API server
 * (tests/k8s/apiserver.py) started on a free port and stopped, its
 * control endpoints, a log that keeps what the client said and when, and
 * the poll loop run until a condition holds or a deadline passes.
 */
#ifndef KGATED_TEST_API_H
#define KGATED_TEST_API_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api.h"
#include "tap.h"

#define PYTHON "/usr/bin/python3"

struct server {
	pid_t pid;
	int port;
	char url[64];
};

/* The top of the tree, from this file's (absolute) name. */
static inline void top_dir(char *buf, size_t len)
{
	const char *f = __FILE__, *p = strstr(f, "/tests/unit/kgated/");

	snprintf(buf, len, "%.*s", p ? (int)(p - f) : 1, p ? f : ".");
}

/* Start the stand-in; 0, or -1 with @why (python3 missing: a SKIP). */
static inline int server_start(struct server *s, const char **why)
{
	char top[512], script[600], line[128];
	struct pollfd pfd;
	size_t n = 0;
	int fds[2];

	memset(s, 0, sizeof(*s));
	if (access(PYTHON, X_OK)) {
		*why = "no " PYTHON " for the stand-in API server";
		return -1;
	}
	top_dir(top, sizeof(top));
	snprintf(script, sizeof(script), "%s/tests/k8s/apiserver.py", top);
	if (pipe2(fds, O_CLOEXEC)) {
		*why = "pipe failed";
		return -1;
	}
	s->pid = fork();
	if (s->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* gone with us, even when we crash; no hold on our output */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		dup2(null, 2);
		execl(PYTHON, PYTHON, script, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	/* "listening on 127.0.0.1:PORT\n", within 10 s */
	while (n < sizeof(line) - 1 && !memchr(line, '\n', n) &&
	       poll(&pfd, 1, 10000) == 1) {
		ssize_t r = read(fds[0], line + n, sizeof(line) - 1 - n);

		if (r <= 0)
			break;
		n += r;
	}
	close(fds[0]);
	line[n] = '\0';
	if (sscanf(line, "listening on 127.0.0.1:%d", &s->port) != 1) {
		*why = "the stand-in API server did not start";
		if (s->pid > 0) {
			kill(s->pid, SIGTERM);
			waitpid(s->pid, NULL, 0);
		}
		s->pid = 0;
		return -1;
	}
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	return 0;
}

static inline void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

struct membuf {
	char *p;
	size_t n;
};

static size_t membuf_write(char *d, size_t size, size_t n, void *p)
{
	struct membuf *m = p;
	char *q = realloc(m->p, m->n + size * n + 1);

	if (!q)
		return 0;
	memcpy(q + m->n, d, size * n);
	m->p = q;
	m->n += size * n;
	m->p[m->n] = '\0';
	return size * n;
}

/*
 * A request to the stand-in (blocking: a test's own, not the client's);
 * its body, to be freed, or NULL when it did not answer 200.
 */
static inline char *control(const struct server *s, const char *method,
			    const char *path, const char *body)
{
	struct membuf m = { NULL, 0 };
	CURL *e = curl_easy_init();
	char url[256];
	long code = 0;

	snprintf(url, sizeof(url), "%s%s", s->url, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(e);
	if (code != 200) {
		free(m.p);
		return NULL;
	}
	return m.p ? m.p : strdup("");
}

/* POST a control; true when it answered 200. */
static inline bool ctl(const struct server *s, const char *path,
		       const char *body)
{
	char *r = control(s, "POST", path, body);

	free(r);
	return r != NULL;
}

/* What the client logged, with the time of each line. */
struct logbuf {
	char *text[256];
	int64_t at[256];
	size_t n;
};

static inline void log_cb(enum kgd_api_level level, const char *msg,
			  void *data)
{
	struct logbuf *l = data;

	(void)level;
	if (l->n < 256) {
		l->at[l->n] = kgd_api_now_ms();
		l->text[l->n++] = strdup(msg);
	}
}

static inline void log_free(struct logbuf *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->text[i]);
	l->n = 0;
}

/* Lines containing @s. */
static inline size_t log_count(const struct logbuf *l, const char *s)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += strstr(l->text[i], s) != NULL;
	return n;
}

/* One round of the poll loop, waiting at most @max_ms. */
static inline void loop_once(struct kgd_api *a, int max_ms)
{
	struct pollfd fds[64];
	size_t n = kgd_api_pollfds(a, fds, 64);
	int t = kgd_api_timeout_ms(a);

	if (n > 64)
		n = 64;
	if (t < 0 || t > max_ms)
		t = max_ms;
	poll(fds, n, t);
	kgd_api_step(a, fds, n);
}

/* Run @a until @cond(@a, @arg) holds; false after @ms. */
static inline bool run_until(struct kgd_api *a,
			     bool (*cond)(struct kgd_api *, const void *),
			     const void *arg, int ms)
{
	int64_t end = kgd_api_now_ms() + ms;

	while (!cond(a, arg)) {
		if (kgd_api_now_ms() >= end)
			return false;
		loop_once(a, 20);
	}
	return true;
}

#endif

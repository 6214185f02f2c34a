// SPDX-License-Identifier: GPL-2.0
/*
 * The Kubernetes API server as a source of manifests: the client of
 * api.c lists and watches every kind kgate reads into its store, and
 * load() hands the store to the translation exactly as files are.
 *
 * Until every kind has been listed once the store is not whole: a sync
 * then would delete every Service the API server has not yet sent, so
 * the source says it is not ready and the kernel keeps what it has.  That
 * holds after a restart and while the API server is away, so traffic
 * keeps flowing on the last state seen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <curl/curl.h>

#include "api.h"
#include "kgated.h"

struct api_source {
	struct kgd_source src;	/* first: the operations */
	struct kgd_api_conn conn;
	struct kgd_api *api;
	const struct kgd_log *log;
	uint64_t seen;		/* the store's generation last reported */
	bool was_synced;
};

static struct api_source *of(struct kgd_source *src)
{
	return (struct api_source *)src;
}

static int api_load(struct kgd_source *src, struct kk_docs *docs,
		    struct kk_diag *d)
{
	return kgd_api_docs(of(src)->api, docs, d);
}

static bool api_ready(struct kgd_source *src)
{
	return kgd_api_synced(of(src)->api);
}

static int api_fd(const struct kgd_source *src)
{
	(void)src;
	return -1;
}

/* Whole, and changed since last said. */
static int api_changed(struct kgd_source *src)
{
	struct api_source *as = of(src);
	uint64_t gen = kgd_api_generation(as->api);

	if (!kgd_api_synced(as->api))
		return 0;
	if (as->was_synced && gen == as->seen)
		return 0;
	as->was_synced = true;
	as->seen = gen;
	return 1;
}

static size_t api_pollfds(struct kgd_source *src, struct pollfd *fds,
			  size_t max)
{
	return kgd_api_pollfds(of(src)->api, fds, max);
}

static int api_timeout(struct kgd_source *src)
{
	return kgd_api_timeout_ms(of(src)->api);
}

static int api_step(struct kgd_source *src, const struct pollfd *fds,
		    size_t n)
{
	kgd_api_step(of(src)->api, fds, n);
	return api_changed(src);
}

static void api_close(struct kgd_source *src)
{
	struct api_source *as = of(src);

	if (!src)
		return;
	kgd_api_close(as->api);
	kgd_api_conn_free(&as->conn);
	free(as);
}

static const struct kgd_source_ops api_ops = {
	.name = "api",
	.load = api_load,
	.ready = api_ready,
	.fd = api_fd,
	.changed = api_changed,
	.pollfds = api_pollfds,
	.timeout_ms = api_timeout,
	.step = api_step,
	.close = api_close,
};

static void on_log(enum kgd_api_level level, const char *msg, void *data)
{
	const struct kgd_log *log = data;
	int prio = level == KGD_API_ERR ? LOG_ERR :
		   level == KGD_API_WARN ? LOG_WARNING : LOG_INFO;

	kgd_log(log, prio, "api: %s", msg);
}

static int conn_open(struct api_source *as, const struct kgd_api_config *c,
		     const struct kgd_log *log)
{
	struct kk_diag d;
	int err;

	kk_diag_init(&d);
	switch (c->mode) {
	case KGD_API_INCLUSTER:
		err = kgd_api_conn_incluster(&as->conn, NULL, &d);
		break;
	case KGD_API_KUBECONFIG:
		err = kgd_api_conn_kubeconfig(&as->conn, c->kubeconfig ?
					      c->kubeconfig :
					      KGD_DEFAULT_KUBECONFIG,
					      c->context, &d);
		break;
	default:
		err = kgd_api_conn_url(&as->conn, c->url);
		break;
	}
	kgd_log_diag(log, &d);
	kk_diag_free(&d);
	return err;
}

int kgd_api_source_open(struct kgd_source **out,
			const struct kgd_api_config *c,
			const struct kgd_log *log, char *why, size_t whylen)
{
	struct api_source *as = calloc(1, sizeof(*as));
	struct kgd_api_opts opts;
	int err;

	if (!as) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	as->src.ops = &api_ops;
	as->log = log;
	err = conn_open(as, c, log);
	if (err) {
		snprintf(why, whylen, "no connection to the API server: %s",
			 err == -ENOMEM ? "out of memory" :
			 "the reason is logged above");
		kgd_api_conn_free(&as->conn);
		free(as);
		return err;
	}
	kgd_api_opts_init(&opts);
	opts.ns = c->ns;
	opts.log = on_log;
	opts.log_data = (void *)log;
	err = kgd_api_open(&as->api, &as->conn, &opts);
	if (err) {
		snprintf(why, whylen, "API client: %s", strerror(-err));
		kgd_api_conn_free(&as->conn);
		free(as);
		return err;
	}
	kgd_log(log, LOG_INFO, "following the API server at %s%s%s",
		as->conn.server, c->ns ? ", namespace " : "",
		c->ns ? c->ns : "");
	*out = &as->src;
	return 0;
}

struct kgd_api *kgd_api_source_client(struct kgd_source *src)
{
	return src && src->ops == &api_ops ? of(src)->api : NULL;
}

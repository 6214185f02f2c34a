/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgated's Kubernetes API client: list and watch the kinds kgate
 * translates, keep them in a store, hand the store to libkgate-k8s as
 * documents, and write status back.  Non-blocking, driven from the
 * daemon's poll loop through one libcurl multi handle.
 *
 * How the main loop uses it:
 *
 *	struct kgd_api_conn conn;
 *	struct kgd_api_opts opts;
 *	struct kgd_api *api;
 *
 *	kgd_api_conn_kubeconfig(&conn, path, NULL, &d)    (or _incluster,
 *							      or _url)
 *	kgd_api_opts_init(&opts); opts.log = ...;
 *	kgd_api_open(&api, &conn, &opts)        (starts listing every kind)
 *	for (;;) {
 *		n = own fds;
 *		k = kgd_api_pollfds(api, fds + n, MAX - n);
 *		timeout = min(own, kgd_api_timeout_ms(api));
 *		poll(fds, n + k, timeout);
 *		kgd_api_step(api, fds + n, k);
 *		if (kgd_api_synced(api) &&
 *		    kgd_api_generation(api) != applied &&
 *		    now - kgd_api_changed_ms(api) >= quiet window) {
 *			applied = kgd_api_generation(api);
 *			kgd_api_docs(api, &docs, &diag);
 *			kk_translate(&docs, &cfg, &state, &diag); ...
 *			kgd_api_patch_*(api, ...) for status
 *		}
 *	}
 *	kgd_api_close(api); kgd_api_conn_free(&conn);
 *
 * Call curl_global_init(CURL_GLOBAL_DEFAULT) once in main() before
 * kgd_api_open() (libcurl's rule: not thread-safe, so not done here).
 * Link with libcurl (GnuTLS flavour: libcurl4-gnutls-dev), jansson,
 * GnuTLS and libkgate-k8s.  conn->ns (in-cluster) is only information:
 * set opts.ns to it to watch a single namespace.
 *
 * Status patches are sent once: one that fails is logged and dropped, so
 * the main loop writes status again after its next translation (and
 * after kgd_api_synced() turns true again following an outage).
 *
 * Times are CLOCK_MONOTONIC milliseconds (kgd_api_now_ms()).  Nothing
 * here is fatal after kgd_api_open(): errors are given to opts.log, and
 * the client retries with backoff (250 ms doubling to 30 s, +-20 %).
 */
#ifndef KGATED_API_H
#define KGATED_API_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kk.h"

/* ---- connection ------------------------------------------------------- */

/* Where the API server is and how to authenticate to it. */
struct kgd_api_conn {
	char *server;		/* "https://10.96.0.1:443", "http://..." */
	char *token;		/* bearer token, or NULL */
	char *ca_file;		/* PEM file of the CA, or NULL: system's */
	char *cert_file;	/* client certificate (PEM), or NULL */
	char *key_file;		/* its key (PEM), or NULL */
	char *ns;		/* the pod's namespace (in-cluster), or NULL */
	bool insecure;		/* insecure-skip-tls-verify */
	/* files we wrote from *-data fields, removed by kgd_api_conn_free */
	char *tmp[3];
};

/*
 * In-cluster: KUBERNETES_SERVICE_HOST and _PORT, the service account's
 * token, ca.crt and namespace under @sa_dir (NULL: the standard
 * /var/run/secrets/kubernetes.io/serviceaccount).  0, or -ENOENT / -EINVAL
 * / -ENOMEM with the reason in @d.
 */
int kgd_api_conn_incluster(struct kgd_api_conn *c, const char *sa_dir,
			   struct kk_diag *d);
/*
 * A kubeconfig file: context @context (NULL: current-context), its
 * cluster's server, certificate-authority(-data), insecure-skip-tls-
 * verify, its user's token (or tokenFile), client-certificate(-data) and
 * client-key(-data).  Relative file names are relative to the
 * kubeconfig's directory.  *-data fields are decoded into private
 * temporary files (libcurl's GnuTLS backend takes no blobs).  0 or
 * -EINVAL / -ENOENT / -ENOMEM with the reason in @d (file:line:col).
 */
int kgd_api_conn_kubeconfig(struct kgd_api_conn *c, const char *path,
			    const char *context, struct kk_diag *d);
/* A plain URL, no authentication ("http://127.0.0.1:8001"). */
int kgd_api_conn_url(struct kgd_api_conn *c, const char *url);
void kgd_api_conn_free(struct kgd_api_conn *c);

/* ---- the kinds watched ------------------------------------------------ */

enum kgd_api_kind {
	KGD_API_SERVICES,
	KGD_API_ENDPOINTS,
	KGD_API_ENDPOINTSLICES,
	KGD_API_INGRESSES,
	KGD_API_INGRESSCLASSES,
	KGD_API_GATEWAYCLASSES,
	KGD_API_GATEWAYS,
	KGD_API_HTTPROUTES,
	KGD_API_SECRETS,	/* type kubernetes.io/tls only */
	KGD_API_N_KINDS,
};

/* "Service", "EndpointSlice", ...; and its apiVersion. */
const char *kgd_api_kind_name(enum kgd_api_kind k);
const char *kgd_api_kind_version(enum kgd_api_kind k);

/* ---- the client ------------------------------------------------------- */

enum kgd_api_level { KGD_API_ERR, KGD_API_WARN, KGD_API_INFO };

typedef void (*kgd_api_log_cb)(enum kgd_api_level level, const char *msg,
			       void *data);

struct kgd_api_opts {
	unsigned int kinds;		/* bit (1 << kind) per kind: all */
	const char *ns;			/* watch one namespace; NULL: all */
	unsigned int page_limit;	/* LIST ?limit=: 500 */
	unsigned int watch_timeout_s;	/* WATCH ?timeoutSeconds=: 300 */
	size_t max_line;		/* a watch event, a list page: 4 MiB */
	unsigned int backoff_min_ms;	/* 250 */
	unsigned int backoff_max_ms;	/* 30000 */
	unsigned int connect_timeout_ms; /* 5000 */
	kgd_api_log_cb log;		/* NULL: stderr */
	void *log_data;
};

void kgd_api_opts_init(struct kgd_api_opts *o);

struct kgd_api;

/* A client of @conn (copied); it starts listing at once.  0 or -ENOMEM. */
int kgd_api_open(struct kgd_api **out, const struct kgd_api_conn *conn,
		 const struct kgd_api_opts *opts);
void kgd_api_close(struct kgd_api *a);

/*
 * The sockets to poll: up to @max into @fds (events set, revents 0).
 * Returns how many there are, which may exceed @max (give more room).
 */
size_t kgd_api_pollfds(struct kgd_api *a, struct pollfd *fds, size_t max);
/* Milliseconds until kgd_api_step() is due: -1 none, 0 now. */
int kgd_api_timeout_ms(struct kgd_api *a);
/*
 * After poll(): the @n entries kgd_api_pollfds() gave, with revents.
 * Moves every transfer on, applies list pages and watch events to the
 * store, starts what is due.  Never blocks.
 */
void kgd_api_step(struct kgd_api *a, const struct pollfd *fds, size_t n);

int64_t kgd_api_now_ms(void);

/* ---- the store -------------------------------------------------------- */

/* Every kind watched has been listed once (the store is whole). */
bool kgd_api_synced(const struct kgd_api *a);
/* Bumped by every change to the store; 0 before the first. */
uint64_t kgd_api_generation(const struct kgd_api *a);
/* When the store last changed (kgd_api_now_ms()); 0 never. */
int64_t kgd_api_changed_ms(const struct kgd_api *a);
/* The resourceVersion the watch of @k resumes from; "" before a list. */
const char *kgd_api_resource_version(const struct kgd_api *a,
				     enum kgd_api_kind k);
/* Objects of @k held; and one as JSON text (@ns NULL: cluster scope). */
size_t kgd_api_count(const struct kgd_api *a, enum kgd_api_kind k);
const char *kgd_api_get(const struct kgd_api *a, enum kgd_api_kind k,
			const char *ns, const char *name);
/*
 * The document name of an object, "api:KIND/NS/NAME" ("api:KIND/NAME"
 * for cluster scope, @ns ""): what its messages name as their file.
 */
void kgd_api_doc_name(enum kgd_api_kind k, const char *ns, const char *name,
		      char *buf, size_t len);
/*
 * Object @i (below kgd_api_count()) of @k, in namespace and name order:
 * its namespace ("" for cluster scope), name and JSON text, valid until
 * the next kgd_api_step(), and a number that is new whenever the text is
 * (a relist may bring the same text back under a new number).
 */
bool kgd_api_obj(const struct kgd_api *a, enum kgd_api_kind k, size_t i,
		 const char **ns, const char **name, const char **text,
		 uint64_t *seq);
/* The same of @ns ("" for cluster scope) / @name; false: not held. */
bool kgd_api_find(const struct kgd_api *a, enum kgd_api_kind k,
		  const char *ns, const char *name, const char **text,
		  uint64_t *seq);
/*
 * The objects put or deleted since kgd_api_changes_clear(), oldest first
 * (one may come more than once): true, with *@v and *@n, valid until the
 * next kgd_api_step().  False when that is not known (before the first
 * clear, after a relist that changed a kind, past KGD_API_LOG_MAX
 * changes, out of memory): then every object may have changed.  Lets a
 * consumer look at a watch event's object alone, not the whole store.
 */
struct kgd_api_ref {
	enum kgd_api_kind kind;
	char *ns, *name;		/* ns "" for cluster scope */
};

#define KGD_API_LOG_MAX	4096

bool kgd_api_changes(const struct kgd_api *a, const struct kgd_api_ref **v,
		     size_t *n);
void kgd_api_changes_clear(struct kgd_api *a);
/*
 * Every object held into @docs (initialised by the caller), one JSON
 * document each named "api:KIND/NS/NAME" ("api:KIND/NAME" for cluster
 * scope), kinds in enum order, objects by namespace and name: the same
 * input kk_translate() takes from files.  0, -EINVAL (in @d), -ENOMEM.
 */
int kgd_api_docs(const struct kgd_api *a, struct kk_docs *docs,
		 struct kk_diag *d);

/* ---- status write-back ------------------------------------------------ */

/* One condition; @status "True" / "False" / "Unknown". */
struct kgd_api_cond {
	const char *type;		/* "Accepted", "Programmed", ... */
	const char *status;
	const char *reason;
	const char *message;
	int64_t since;			/* lastTransitionTime, Unix seconds:
					 * keep it while the status holds
					 */
};

/* One parent of an HTTPRoute: the Gateway and its listener (or NULL). */
struct kgd_api_parent {
	const char *ns, *name, *section;
	const struct kgd_api_cond *conds;
	size_t n_conds;
};

#define KGD_API_CONTROLLER "kgate.io/gateway-controller"

/*
 * Queue a merge patch (application/merge-patch+json) of the status
 * subresource; sent as soon as possible by the same multi handle.  A
 * second patch of one object before the first is sent replaces it.
 * Failures go to opts.log.  0 or -ENOMEM / -EINVAL.
 *
 * Ingress: status.loadBalancer.ingress = [{ip}...].
 * Gateway, GatewayClass: status.conditions, each with observedGeneration
 * @generation.
 * HTTPRoute: status.parents = [{parentRef, controllerName, conditions}].
 */
int kgd_api_patch_ingress(struct kgd_api *a, const char *ns,
			  const char *name, const char *const *ips, size_t n);
int kgd_api_patch_gateway(struct kgd_api *a, const char *ns, const char *name,
			  int64_t generation, const struct kgd_api_cond *conds,
			  size_t n);
/* GatewayClass (cluster scope): status.conditions. */
int kgd_api_patch_gatewayclass(struct kgd_api *a, const char *name,
			       int64_t generation,
			       const struct kgd_api_cond *conds, size_t n);
int kgd_api_patch_httproute(struct kgd_api *a, const char *ns,
			    const char *name, int64_t generation,
			    const struct kgd_api_parent *parents, size_t n);
/* Status patches queued or in flight. */
size_t kgd_api_patches_pending(const struct kgd_api *a);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgated: keeps the kernel in step with Kubernetes manifests.
 *
 *   config.c    the configuration file (kgated.yaml)
 *   source.c    where manifests come from: files and directories,
 *               followed with inotify (the API server is another source)
 *   debounce.c  one reconcile per settled change
 *   addrsel.c   which addresses belong on the link
 *   link.c      the dummy link and its addresses (libnl-route-3)
 *   log.c       the journal or standard error
 *   sync.c      one reconcile: manifests, kernel, difference, apply
 *   scrape.c    the kernel's counters for GET /metrics (metrics.c)
 *   main.c      arguments, the poll loop, signals
 */
#ifndef KGATED_H
#define KGATED_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kk.h"
#include "libkgate.h"

#define KGD_DEFAULT_CONFIG	"/etc/kgate/kgated.yaml"
#define KGD_DEFAULT_MANIFESTS	"/etc/kgate/manifests"

/* ---- configuration ----------------------------------------------------- */

enum kgd_log_mode {
	KGD_LOG_AUTO,		/* the journal when JOURNAL_STREAM is set */
	KGD_LOG_JOURNAL,
	KGD_LOG_STDERR,
};

/* api: the Kubernetes API server instead of manifest files. */
enum kgd_api_mode {
	KGD_API_OFF,		/* follow the manifests */
	KGD_API_INCLUSTER,	/* the pod's service account */
	KGD_API_KUBECONFIG,	/* api.kubeconfig */
	KGD_API_URL,		/* api.server, no authentication */
};

#define KGD_DEFAULT_KUBECONFIG	"/etc/kgate/kubeconfig"

struct kgd_api_config {
	enum kgd_api_mode mode;
	char *url;			/* KGD_API_URL */
	char *kubeconfig;		/* NULL: KGD_DEFAULT_KUBECONFIG */
	char *context;			/* NULL: current-context */
	char *ns;			/* NULL: every namespace */
	bool status;			/* write status back */
	struct kgate_addr *status_addrs; /* Ingress status; n 0: derived */
	size_t n_status_addrs;
};

struct kgd_config {
	char *node_name;		/* NULL: the host name */
	char **manifests;		/* files and directories */
	size_t n_manifests;
	struct kgate_addr ingress_addr;	/* family 0: every address */
	uint16_t ingress_port;
	bool ingress_default_class;
	char *link;			/* NULL: no link, no addresses */
	struct kgate_range *own;	/* CIDRs whose addresses go on it */
	size_t n_own;
	char *metrics_addr;		/* NULL: no metrics */
	unsigned int debounce_ms;
	enum kgd_log_mode log;
	struct kgd_api_config api;
};

/* The defaults of every key. 0 or -ENOMEM. */
int kgd_config_init(struct kgd_config *cfg);
void kgd_config_free(struct kgd_config *cfg);
/*
 * Read @cfg (initialised here) from the documents in @docs: one map, or
 * an empty document for every default.  Every problem goes to @d with its
 * position.  0, -EINVAL (in @d: @cfg then holds the defaults) or -ENOMEM.
 */
int kgd_config_parse(struct kgd_config *cfg, const struct kk_docs *docs,
		     struct kk_diag *d);
/*
 * kgd_config_parse() of the file @path, loaded into @docs (initialised by
 * the caller, who frees it after printing @d: messages point into it).
 */
int kgd_config_load(struct kgd_config *cfg, const char *path,
		    struct kk_docs *docs, struct kk_diag *d);
/* The library's translation settings: @node is the fallback node name. */
void kgd_config_kk(const struct kgd_config *cfg, const char *node,
		   struct kk_config *out);

/* ---- where manifests come from ---------------------------------------- */

struct kgd_source;

/*
 * What changed between the last two load()s, unit by unit (a unit: what
 * a source reads and replaces as one; a file here, an object of the API
 * server there).  A change's old documents are those the previous load()
 * gave for the unit (NULL: a new unit), its now documents those of the
 * last (NULL: the unit went); both stay valid until the next load().
 * Units not named are unchanged: the last load() gave the very documents
 * (the same nodes) the one before did.  @all: the list says nothing
 * (the first load, or a source that cannot tell): everything may differ.
 */
struct kgd_changes {
	bool all;
	const struct kk_change *v;
	size_t n;
};

/*
 * A source of manifests.  load() gives the manifests as they are now;
 * fd() is polled for POLLIN (-1: nothing to poll), and then changed()
 * says whether the manifests may differ from those last loaded.  The
 * files-and-directories source is the first; the API server's will
 * follow the same operations.
 *
 * load() may fill @docs as a view: documents whose nodes are the
 * source's (docs->arena NULL), valid until the next load() or close();
 * kk_docs_free() then frees the list alone.  changes() (optional: NULL
 * is "all") tells the caller, after a load(), which units it re-read, so
 * that an EndpointSlice change translates one Service again and not all
 * of them (sync.c, k8s/delta.c).  An API source would name each object
 * whose resourceVersion moved, with the documents of its last two
 * versions; one it cannot follow (a relist) says "all".
 */
struct kgd_source_ops {
	const char *name;
	int (*load)(struct kgd_source *src, struct kk_docs *docs,
		    struct kk_diag *d);
	int (*fd)(const struct kgd_source *src);
	/* 1: something changed, 0: nothing relevant, negative errno */
	int (*changed)(struct kgd_source *src);
	/*
	 * Optional.  ready(): false while the source cannot give the whole
	 * set (the API server's before every kind is listed): no sync then,
	 * the kernel keeps what it has.  A source with several sockets and
	 * timers gives them with pollfds() (up to @max, returning how many
	 * there are), says when it is due with timeout_ms() (-1 never, 0
	 * now) and takes them back with their revents in step(), which
	 * returns as changed() does; fd() is then -1.
	 */
	bool (*ready)(struct kgd_source *src);
	size_t (*pollfds)(struct kgd_source *src, struct pollfd *fds,
			  size_t max);
	int (*timeout_ms)(struct kgd_source *src);
	int (*step)(struct kgd_source *src, const struct pollfd *fds,
		    size_t n);
	void (*changes)(struct kgd_source *src, struct kgd_changes *out);
	void (*close)(struct kgd_source *src);
};

struct kgd_source {
	const struct kgd_source_ops *ops;
};

/*
 * Files and directories (@paths, copied), followed with inotify: in a
 * directory its *.yaml, *.yml and *.json files that are not hidden; a
 * file by its name in its directory, so that an editor's rename over it
 * counts.  0, or a negative errno with @why filled in.
 */
int kgd_dir_source_open(struct kgd_source **out, char *const *paths,
			size_t n, char *why, size_t whylen);
/* How many times a files source listed a directory: for the tests. */
unsigned long kgd_dir_source_listings(const struct kgd_source *src);

/*
 * @n documents sets one after another into @out, as a view (nodes not
 * copied, out->arena NULL): @get(@set, i) gives set i.  0 or -ENOMEM.
 */
int kgd_docs_view(struct kk_docs *out, size_t n,
		  const struct kk_docs *(*get)(const void *set, size_t i),
		  const void *set);

struct kgd_log;
struct kgd_api;

/*
 * The Kubernetes API server (api.h) as @c says: in-cluster, a kubeconfig
 * or a URL.  Messages go to @log, which must outlive the source.  0, or
 * a negative errno with @why filled in.
 */
int kgd_api_source_open(struct kgd_source **out,
			const struct kgd_api_config *c,
			const struct kgd_log *log, char *why, size_t whylen);
/* The API client of an API source, for status; NULL for other sources. */
struct kgd_api *kgd_api_source_client(struct kgd_source *src);

/* ---- debounce ---------------------------------------------------------- */

/*
 * Changes come in bursts (an editor writes, renames, deletes its swap
 * file; kubectl writes several files).  A change after @delay ms without
 * any is applied at once (the leading edge: one slice changed reaches
 * the kernel without waiting); the changes that follow it within @delay
 * are the rest of a burst, and one reconcile follows once none came for
 * @delay ms, but no later than @max ms after the first of them, so that
 * a steady trickle cannot postpone it for ever.  (A file is only read
 * once it is complete: source.c.)  Times are milliseconds of
 * CLOCK_MONOTONIC.
 */
struct kgd_debounce {
	uint64_t delay, max;
	uint64_t first, due;	/* of the burst pending */
	uint64_t last;		/* the last change (when seen) */
	bool pending;
	bool leading;		/* the pending one is a leading edge */
	bool seen;		/* a change since init */
};

void kgd_debounce_init(struct kgd_debounce *db, uint64_t delay_ms);
/* A change at @now. */
void kgd_debounce_poke(struct kgd_debounce *db, uint64_t now);
/* Something to do within @ms at the latest (a retry): not postponed. */
void kgd_debounce_within(struct kgd_debounce *db, uint64_t now, uint64_t ms);
/* Is the reconcile due at @now?  If so, the burst is consumed. */
bool kgd_debounce_take(struct kgd_debounce *db, uint64_t now);
/* When it is due (when pending). */
uint64_t kgd_debounce_due(const struct kgd_debounce *db);

/* ---- addresses --------------------------------------------------------- */

struct kgd_addrs {
	struct kgate_addr *v;
	size_t n;
};

void kgd_addrs_free(struct kgd_addrs *a);
bool kgd_addr_in(const struct kgate_addr *a, const struct kgate_range *r);
bool kgd_addr_in_any(const struct kgate_addr *a, const struct kgate_range *own,
		     size_t n_own);
/*
 * The addresses of @st that belong on the link: LoadBalancer frontends
 * and listener addresses inside one of @own, each once, sorted.
 * 0 or -ENOMEM.
 */
int kgd_addrs_wanted(const struct kgate_state *st,
		     const struct kgate_range *own, size_t n_own,
		     struct kgd_addrs *out);

/*
 * The addresses Ingress status names (status.loadBalancer.ingress):
 * api.statusAddresses, else ingress.address when set, else the node's
 * global addresses.  Sorted, each once.  0 or a negative errno.
 */
int kgd_addrs_status(const struct kgd_config *c, struct kgd_addrs *out);

/* ---- the link ---------------------------------------------------------- */

struct kgd_link;

/*
 * The dummy link @name, made (and set up) if missing.  The addresses on it
 * inside @own are kgated's, whoever put them there (a kgated before a
 * restart): the others are left alone.
 */
int kgd_link_open(struct kgd_link **out, const char *name,
		  const struct kgate_range *own, size_t n_own, char *why,
		  size_t whylen);
/*
 * Make kgated's addresses on the link @want: add the missing, remove the
 * others.  Counts what it did; 0 or a negative errno (@why): what could
 * be done was.
 */
int kgd_link_sync(struct kgd_link *l, const struct kgd_addrs *want,
		  size_t *added, size_t *removed, char *why, size_t whylen);
/* Remove kgated's addresses, delete the link if kgated made it, free. */
void kgd_link_close(struct kgd_link *l);

/* ---- logs -------------------------------------------------------------- */

struct kgd_log {
	bool journal;
	FILE *err;		/* when not the journal */
};

/* Resolve @mode (auto: JOURNAL_STREAM in the environment). */
void kgd_log_init(struct kgd_log *l, enum kgd_log_mode mode, FILE *err);
/* One message, PRIORITY @prio (LOG_ERR, LOG_WARNING, LOG_INFO ...). */
void kgd_log(const struct kgd_log *l, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Every message of @d, one each, with its file, line, object and field. */
void kgd_log_diag(const struct kgd_log *l, const struct kk_diag *d);

struct kgd_counts {
	size_t added, replaced, deleted, unchanged;
	int64_t after_us;	/* from the change seen to the commit; -1 */
};

/*
 * What a sync sent, with KGATE_ADDED / _REPLACED / _DELETED, and how long
 * after the change that caused it (", 4.2 ms after the change",
 * KGATE_AFTER_US) when known.
 */
void kgd_log_sync(const struct kgd_log *l, const struct kgd_counts *c);

/* ---- reconcile --------------------------------------------------------- */

/* CLOCK_MONOTONIC in microseconds. */
int64_t kgd_now_us(void);

enum kgd_sync_result {
	KGD_SYNC_OK,		/* the kernel is as the manifests say */
	KGD_SYNC_INVALID,	/* manifest errors: nothing applied */
	KGD_SYNC_FAILED,	/* the kernel could not be read or refused */
	KGD_SYNC_WAITING,	/* the source is not ready: nothing done */
};

struct kgd_sync {
	const struct kk_config *cfg;
	struct kgd_source *src;
	const struct kgd_log *log;
	struct kgd_link *link;		/* or NULL */
	const struct kgd_config *conf;
	char *last_diag;		/* not repeated while the same */
	size_t sent;			/* operations the last run applied */
	/*
	 * When the change this run follows was seen (CLOCK_MONOTONIC, us;
	 * 0 unknown): set by the caller, for the log's "after the change".
	 */
	int64_t change_us;
	struct kgate_sock *sk;		/* kept between runs, or NULL */
	/*
	 * What the last successful sync left in the kernel of ours: the
	 * manifests' state, normalised (valid when applied_ok).  The next
	 * sync diffs against it instead of reading the kernel, unless
	 * kernel_changed: then the kernel is read as on the first sync.
	 */
	struct kgate_state applied;
	bool applied_ok;
	bool kernel_changed;
	struct kk_cat *cat;		/* the manifests' objects, for deltas */
	bool delta;			/* the last run took the delta path */
	size_t retranslated;		/* Services it translated again */
	/*
	 * Optional, after each sync that translated everything: the
	 * documents, the messages and the state applied (NULL when the
	 * manifests had errors and nothing was).  For status write-back.
	 */
	/*
	 * API mode: objects with errors are left out and the rest applied
	 * (files: a set with an error applies nothing).  How many were.
	 */
	bool leave_out_invalid;
	size_t left_out;
	void (*after)(void *data, const struct kk_docs *docs,
		      const struct kk_diag *d, const struct kgate_state *st);
	void *after_data;
};

/*
 * One reconcile: load, translate, read the kernel, diff with prune of
 * what is KK_OWNER's, apply in one batch, then the link's addresses.
 * With applied_ok and !kernel_changed, the kernel is not read: the
 * difference is with s->applied; and when the source says only
 * EndpointSlices or Endpoints changed, only their Services are
 * translated again and compared (the delta path).
 */
enum kgd_sync_result kgd_sync_run(struct kgd_sync *s);
/*
 * The kernel's objects changed, by someone else (its events, or none to
 * tell): the next sync reads them.
 */
void kgd_sync_kernel_changed(struct kgd_sync *s);
/* The next sync takes the whole path: reads and translates everything. */
void kgd_sync_reset(struct kgd_sync *s);
/* What a kgd_sync holds (not its borrowed pointers). */
void kgd_sync_free(struct kgd_sync *s);
/*
 * --check: load and translate, print every diagnostic to @f; true when
 * there was no error.
 */
bool kgd_sync_check(const struct kk_config *cfg, struct kgd_source *src,
		    FILE *f);
/* GET /metrics: the kernel's state with counters; a kgd_metrics_cb. */
int kgd_scrape(FILE *f, void *data);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * kgated [-c FILE] [--check]: the daemon.  One poll loop, no threads:
 * signals (signalfd), manifest changes (the source's fd), the debounce
 * timer (timerfd), the kernel's events (their own socket) and, when
 * configured, the metrics endpoint.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <systemd/sd-daemon.h>

#include "kgated.h"
#include "metrics.h"
#include "status.h"

/* A kernel that cannot be read or refuses: tried again, less and less. */
#define RETRY_FIRST_MS	1000
#define RETRY_MAX_MS	30000

struct kgd {
	const char *config_path;
	struct kgd_config conf;
	struct kk_config kcfg;
	char host[256];
	struct kgd_log log;
	struct kgd_source *src;
	struct kgd_link *link;
	struct kgd_http *http;
	struct kgate_sock *events;
	struct kgd_debounce db;
	struct kgd_sync sync;
	struct kgd_publish *publish;	/* API mode with api.status */
	int sigfd, timerfd;
	uint64_t retry_ms;
	int64_t woke_us;	/* when poll() last returned */
	bool events_warned;	/* said once, not at every reconcile */
	bool ready;		/* READY=1 sent: the first sync was done */
	bool stop;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kgated [-c FILE] [--check]\n"
		"  -c, --config FILE  the configuration (default %s)\n"
		"  --check            check the configuration and the "
		"manifests, apply nothing\n", KGD_DEFAULT_CONFIG);
}

/* The configuration of @path into @conf, its messages logged. */
static int read_config(struct kgd *k, struct kgd_config *conf, bool first)
{
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	err = kgd_config_load(conf, k->config_path, &docs, &d);
	if (first)
		kgd_log_init(&k->log, conf->log, stderr);
	kgd_log_diag(&k->log, &d);
	if (err)
		kgd_log(&k->log, LOG_ERR, "%s: %s", k->config_path,
			err == -ENOMEM ? "out of memory" :
			"configuration not taken");
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return err;
}

/* ---- the pieces a configuration asks for ---------------------------- */

static void open_link(struct kgd *k)
{
	char why[256];

	if (k->link || !k->conf.link)
		return;
	if (kgd_link_open(&k->link, k->conf.link, k->conf.own, k->conf.n_own,
			  why, sizeof(why)))
		kgd_log(&k->log, LOG_ERR, "link %s: %s", k->conf.link, why);
}

static void open_metrics(struct kgd *k)
{
	char why[256];

	if (k->http || !k->conf.metrics_addr)
		return;
	if (kgd_http_open(&k->http, k->conf.metrics_addr, why, sizeof(why)))
		kgd_log(&k->log, LOG_ERR, "metrics on %s: %s",
			k->conf.metrics_addr, why);
	else
		kgd_log(&k->log, LOG_INFO, "metrics on http://%s/metrics",
			k->conf.metrics_addr);
}

/* Events need the module: tried again before every reconcile. */
static void open_events(struct kgd *k)
{
	struct kgate_err e;
	char buf[300];

	if (k->events)
		return;
	if (!kgate_events_open(&k->events, &e)) {
		k->events_warned = false;
		return;
	}
	k->events = NULL;
	if (!k->events_warned)
		kgd_log(&k->log, LOG_WARNING, "kernel events: %s",
			kgate_err_str(&e, buf, sizeof(buf)));
	k->events_warned = true;
}

static int open_source(struct kgd *k)
{
	bool api = k->conf.api.mode != KGD_API_OFF;
	char why[256];
	int err;

	if (api)
		err = kgd_api_source_open(&k->src, &k->conf.api, &k->log, why,
					  sizeof(why));
	else
		err = kgd_dir_source_open(&k->src, k->conf.manifests,
					  k->conf.n_manifests, why,
					  sizeof(why));
	if (err) {
		k->src = NULL;
		kgd_log(&k->log, LOG_ERR, "%s: %s", api ? "api" : "manifests",
			why);
	}
	return err;
}

/* ---- status (API mode) ------------------------------------------------ */

static void after_sync(void *data, const struct kk_docs *docs,
		       const struct kk_diag *d, const struct kgate_state *st)
{
	struct kgd *k = data;
	struct kgd_api *api = kgd_api_source_client(k->src);
	char text[KGD_STATUS_IPS][INET6_ADDRSTRLEN];
	const char *ips[KGD_STATUS_IPS];
	struct kgd_addrs a;
	size_t i, n;
	int err;

	if (!api || !k->publish)
		return;
	err = kgd_addrs_status(&k->conf, &a);
	if (err) {
		kgd_log(&k->log, LOG_WARNING, "status addresses: %s",
			strerror(-err));
		return;
	}
	n = a.n < KGD_STATUS_IPS ? a.n : KGD_STATUS_IPS;
	for (i = 0; i < n; i++)
		ips[i] = kgate_addr_str(&a.v[i], text[i], sizeof(text[i]));
	kgd_addrs_free(&a);
	if (kgd_publish(k->publish, api, docs, d, st, ips, n))
		kgd_log(&k->log, LOG_ERR, "status: out of memory");
}

static void open_publish(struct kgd *k)
{
	bool want = k->conf.api.mode != KGD_API_OFF && k->conf.api.status;

	if (!want) {
		kgd_publish_close(k->publish);
		k->publish = NULL;
	} else if (!k->publish && kgd_publish_open(&k->publish)) {
		kgd_log(&k->log, LOG_ERR, "status: out of memory");
	}
}

/* Everything that follows from k->conf, after it changed. */
static void wire(struct kgd *k)
{
	if (gethostname(k->host, sizeof(k->host) - 1))
		k->host[0] = '\0';
	kgd_config_kk(&k->conf, k->host[0] ? k->host : NULL, &k->kcfg);
	kgd_debounce_init(&k->db, k->conf.debounce_ms);
	k->sync.cfg = &k->kcfg;
	k->sync.src = k->src;
	k->sync.log = &k->log;
	k->sync.link = k->link;
	k->sync.conf = &k->conf;
	open_publish(k);
	k->sync.leave_out_invalid = k->conf.api.mode != KGD_API_OFF;
	k->sync.after = after_sync;
	k->sync.after_data = k;
}

/* ---- reconcile -------------------------------------------------------- */

static void arm_timer(struct kgd *k)
{
	uint64_t due = kgd_debounce_due(&k->db);
	struct itimerspec its = { 0 };

	if (!k->db.pending)
		return;
	/* 0 would disarm: "now" is the first millisecond instead */
	its.it_value.tv_sec = (time_t)(due / 1000);
	its.it_value.tv_nsec = (long)(due % 1000) * 1000000 + 1;
	if (timerfd_settime(k->timerfd, TFD_TIMER_ABSTIME, &its, NULL))
		kgd_log(&k->log, LOG_ERR, "timerfd: %s", strerror(errno));
}

/*
 * A change: a sync is due, the debounce says when.  Due now, it is run at
 * the end of this wake-up (loop()): through the timer it would wait for
 * the next tick in some VMs.
 */
static void poke(struct kgd *k)
{
	uint64_t now = now_ms();

	/* the first change of the batch, from the wake-up that read it */
	if (!k->sync.change_us)
		k->sync.change_us = k->woke_us;
	kgd_debounce_poke(&k->db, now);
	if (kgd_debounce_due(&k->db) > now)
		arm_timer(k);
}

static int ignore_event(const struct kgate_event *ev, void *data)
{
	(void)ev;
	(void)data;
	return 0;
}

static void reconcile(struct kgd *k)
{
	struct kgate_err e;
	enum kgd_sync_result r;

	open_events(k);
	/* without events, a change by someone else would go unseen */
	if (!k->events)
		kgd_sync_kernel_changed(&k->sync);
	open_link(k);
	k->sync.link = k->link;
	r = kgd_sync_run(&k->sync);
	if (r == KGD_SYNC_OK || r == KGD_SYNC_INVALID)
		k->sync.change_us = 0;
	if (r != KGD_SYNC_WAITING && !k->ready) {
		sd_notify(0, "READY=1\nSTATUS=following the manifests");
		k->ready = true;
	}
	/*
	 * The events of our own batch are queued by now (the kernel sends
	 * them before it acknowledges the commit): not a change to follow.
	 */
	if (k->sync.sent && k->events)
		(void)kgate_events_drain(k->events, ignore_event, NULL, &e);
	if (r != KGD_SYNC_FAILED) {
		k->retry_ms = RETRY_FIRST_MS;
		return;
	}
	kgd_debounce_within(&k->db, now_ms(), k->retry_ms);
	arm_timer(k);
	k->retry_ms = k->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS :
			k->retry_ms * 2;
}

/* A sync, if one is due; else the timer armed for when it is. */
static void on_due(struct kgd *k)
{
	if (kgd_debounce_take(&k->db, now_ms()))
		reconcile(k);
	else
		arm_timer(k);
}

static void on_timer(struct kgd *k)
{
	uint64_t ticks;

	if (read(k->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		kgd_log(&k->log, LOG_ERR, "timerfd: %s", strerror(errno));
	on_due(k);
}

static void on_source(struct kgd *k)
{
	int r = k->src->ops->changed(k->src);

	if (r < 0)
		kgd_log(&k->log, LOG_ERR, "manifests: following changes: %s",
			strerror(-r));
	if (r)
		poke(k);
}

/* A source with several sockets: its entries follow ours in @p. */
static void on_source_step(struct kgd *k, const struct pollfd *p, size_t n)
{
	int r = k->src->ops->step(k->src, p, n);

	if (r)
		poke(k);
}

/* Changes to the kernel's objects, by anyone but us: converge back. */
static int on_event(const struct kgate_event *ev, void *data)
{
	bool *changed = data;

	switch (ev->type) {
	case KGATE_EV_SERVICE:
	case KGATE_EV_LISTENER:
	case KGATE_EV_ROUTE:
	case KGATE_EV_FLUSH:
	case KGATE_EV_LOST:
		*changed = true;
		break;
	default:
		break;
	}
	return 0;
}

static void on_events(struct kgd *k)
{
	bool changed = false;
	struct kgate_err e;
	char buf[300];

	if (kgate_events_drain(k->events, on_event, &changed, &e)) {
		kgd_log(&k->log, LOG_WARNING, "kernel events: %s",
			kgate_err_str(&e, buf, sizeof(buf)));
		/* a module unloaded: opened again at the next reconcile */
		kgate_close(k->events);
		k->events = NULL;
		changed = true;
	}
	if (!changed)
		return;
	kgd_sync_kernel_changed(&k->sync);
	poke(k);
}

/* ---- SIGHUP ----------------------------------------------------------- */

static bool same_own(const struct kgd_config *a, const struct kgd_config *b)
{
	return a->n_own == b->n_own &&
	       !memcmp(a->own, b->own, a->n_own * sizeof(*a->own));
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Take @conf: what it changes is closed and opened again. */
static void take_config(struct kgd *k, struct kgd_config *conf)
{
	if (!same_str(k->conf.link, conf->link) || !same_own(&k->conf, conf)) {
		kgd_link_close(k->link);
		k->link = NULL;
	}
	if (!same_str(k->conf.metrics_addr, conf->metrics_addr)) {
		kgd_http_close(k->http);
		k->http = NULL;
	}
	kgd_config_free(&k->conf);
	k->conf = *conf;
	kgd_log_init(&k->log, k->conf.log, stderr);
	k->src->ops->close(k->src);
	k->src = NULL;
}

static void reload(struct kgd *k)
{
	struct kgd_config conf;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)now_ms() * 1000);
	kgd_log(&k->log, LOG_INFO, "reloading %s", k->config_path);
	if (!read_config(k, &conf, false)) {
		take_config(k, &conf);
		if (open_source(k))
			k->stop = true;
		open_metrics(k);
	} else {
		kgd_config_free(&conf);
	}
	if (k->stop)
		return;
	wire(k);
	k->ready = false;
	kgd_sync_reset(&k->sync);
	reconcile(k);
}

static void on_signal(struct kgd *k)
{
	struct signalfd_siginfo si;

	while (read(k->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(k);
			continue;
		}
		kgd_log(&k->log, LOG_INFO, "%s: stopping",
			strsignal((int)si.ssi_signo));
		k->stop = true;
	}
}

/* ---- the loop --------------------------------------------------------- */

enum { FD_SIG, FD_SRC, FD_TIMER, FD_EVENTS, FD_HTTP, N_FDS };

/* Our fds, then the source's (the API client's sockets). */
struct fds {
	struct pollfd *p;
	size_t n, cap;
};

static void fill(const struct kgd *k, struct pollfd *p)
{
	int fds[N_FDS] = {
		[FD_SIG] = k->sigfd,
		[FD_SRC] = k->src ? k->src->ops->fd(k->src) : -1,
		[FD_TIMER] = k->timerfd,
		[FD_EVENTS] = k->events ? kgate_sock_fd(k->events) : -1,
		[FD_HTTP] = k->http ? kgd_http_fd(k->http) : -1,
	};
	int i;

	for (i = 0; i < N_FDS; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
}

/* Room for the source's entries after ours; false on ENOMEM. */
static bool fill_source(struct kgd *k, struct fds *f)
{
	const struct kgd_source_ops *ops = k->src ? k->src->ops : NULL;
	struct pollfd *v;
	size_t n;

	f->n = 0;
	if (!ops || !ops->pollfds)
		return true;
	for (;;) {
		n = ops->pollfds(k->src, f->p + N_FDS, f->cap - N_FDS);
		if (n <= f->cap - N_FDS)
			break;
		v = realloc(f->p, (N_FDS + n) * sizeof(*v));
		if (!v)
			return false;
		f->p = v;
		f->cap = N_FDS + n;
	}
	f->n = n;
	return true;
}

static int source_timeout(struct kgd *k)
{
	if (!k->src || !k->src->ops->timeout_ms)
		return -1;
	return k->src->ops->timeout_ms(k->src);
}

static int loop(struct kgd *k)
{
	struct fds f = { .p = calloc(N_FDS + 8, sizeof(struct pollfd)),
			 .cap = N_FDS + 8 };
	struct pollfd *p;
	int err = 0;

	if (!f.p) {
		kgd_log(&k->log, LOG_ERR, "out of memory");
		return 1;
	}
	while (!k->stop) {
		/* a change read in the last wake-up, due at once (poke()) */
		if (k->db.pending && kgd_debounce_due(&k->db) <= now_ms())
			on_due(k);
		if (!fill_source(k, &f)) {
			kgd_log(&k->log, LOG_ERR, "out of memory");
			err = 1;
			break;
		}
		p = f.p;
		fill(k, p);
		if (poll(p, N_FDS + f.n, source_timeout(k)) < 0) {
			if (errno == EINTR)
				continue;
			kgd_log(&k->log, LOG_ERR, "poll: %s", strerror(errno));
			err = 1;
			break;
		}
		k->woke_us = kgd_now_us();
		if (p[FD_SIG].revents)
			on_signal(k);
		if (k->stop)
			break;
		if (p[FD_SRC].revents && k->src)
			on_source(k);
		if (k->src && k->src->ops->step)
			on_source_step(k, p + N_FDS, f.n);
		if (p[FD_EVENTS].revents && k->events)
			on_events(k);
		if (p[FD_HTTP].revents && k->http)
			kgd_http_serve(k->http, kgd_scrape, NULL);
		if (p[FD_TIMER].revents)
			on_timer(k);
	}
	free(f.p);
	return err;
}

static int open_fds(struct kgd *k)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* a scraper that hangs up must not stop the daemon */
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	k->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (k->sigfd < 0)
		return -errno;
	k->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	return k->timerfd < 0 ? -errno : 0;
}

static void close_all(struct kgd *k)
{
	kgd_link_close(k->link);
	kgd_http_close(k->http);
	if (k->events)
		kgate_close(k->events);
	if (k->src)
		k->src->ops->close(k->src);
	if (k->sigfd >= 0)
		close(k->sigfd);
	if (k->timerfd >= 0)
		close(k->timerfd);
	kgd_sync_free(&k->sync);
	kgd_publish_close(k->publish);
	kgd_config_free(&k->conf);
}

static int run(struct kgd *k)
{
	int err = open_fds(k);

	if (err) {
		kgd_log(&k->log, LOG_ERR, "signals and timers: %s",
			strerror(-err));
		return 1;
	}
	if (open_source(k))
		return 1;
	open_metrics(k);
	wire(k);
	reconcile(k);
	err = loop(k);
	sd_notify(0, "STOPPING=1");
	return err;
}

static int check(struct kgd *k)
{
	bool ok;

	if (k->conf.api.mode != KGD_API_OFF) {
		fprintf(stderr, "kgated: %s: configuration valid; the objects "
			"come from the API server and are checked as they "
			"arrive\n", k->config_path);
		return 0;
	}
	if (open_source(k))
		return 1;
	wire(k);
	ok = kgd_sync_check(&k->kcfg, k->src, stderr);
	return ok ? 0 : 1;
}

static int parse_args(struct kgd *k, int argc, char **argv, bool *check_only)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "-c") || !strcmp(a, "--config")) &&
		    i + 1 < argc) {
			k->config_path = argv[++i];
		} else if (!strcmp(a, "--check")) {
			*check_only = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "kgated: \"%s\" is not understood%s\n",
				a, a[0] == '-' && a[1] == 'c' ?
				" (or lacks its value)" : "");
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kgd k = { .config_path = KGD_DEFAULT_CONFIG, .sigfd = -1,
			 .timerfd = -1, .retry_ms = RETRY_FIRST_MS };
	bool check_only = false;
	int ret;

	ret = parse_args(&k, argc, argv, &check_only);
	if (ret)
		return ret;
	if (read_config(&k, &k.conf, true)) {
		kgd_config_free(&k.conf);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "kgated: libcurl could not start\n");
		kgd_config_free(&k.conf);
		return 1;
	}
	ret = check_only ? check(&k) : run(&k);
	curl_global_cleanup();
	close_all(&k);
	return ret;
}

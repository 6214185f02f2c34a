// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's counters in the Prometheus text exposition format 0.0.4.
 *
 * Every family is written whole (its # HELP and # TYPE once, then all its
 * samples), as the format requires, so objects are walked once per
 * family, in the state's order.  A family with no sample is left out.
 * Labels carry the Kubernetes names kgate's names are made of, so that
 * the series join with kube-state-metrics and the like; a name kgate's
 * translator did not make is carried whole, so that no two objects ever
 * share a series.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <linux/kgate.h>

#include "metrics.h"

struct label {
	const char *key;
	const char *val;
	size_t len;
};

/* At most: namespace, route, kind, host, parent, and one of the family. */
#define LABELS_MAX	8

struct prom {
	FILE *f;
	int err;		/* sticky: -EIO once a write failed */
	bool started;		/* the current family's header is out */
	const char *name, *help, *type;
};

static void out(struct prom *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void out(struct prom *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(p->f, fmt, ap) < 0)
		p->err = -EIO;
	va_end(ap);
}

static void family(struct prom *p, const char *name, const char *type,
		   const char *help)
{
	p->name = name;
	p->type = type;
	p->help = help;
	p->started = false;
}

/* Backslash, double quote and newline escaped, as the format says. */
static void put_value(struct prom *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len && !p->err; i++) {
		if (s[i] == '\\')
			out(p, "\\\\");
		else if (s[i] == '"')
			out(p, "\\\"");
		else if (s[i] == '\n')
			out(p, "\\n");
		else if (fputc(s[i], p->f) == EOF)
			p->err = -EIO;
	}
}

static void sample(struct prom *p, const struct label *l, size_t n,
		   uint64_t v)
{
	if (!p->started) {
		out(p, "# HELP %s %s\n# TYPE %s %s\n", p->name, p->help,
		    p->name, p->type);
		p->started = true;
	}
	out(p, "%s", p->name);
	for (size_t i = 0; i < n; i++) {
		out(p, "%s%s=\"", i ? "," : "{", l[i].key);
		put_value(p, l[i].val, l[i].len);
		out(p, "\"%s", i + 1 == n ? "}" : "");
	}
	out(p, " %" PRIu64 "\n", v);
}

static struct label lab(const char *key, const char *val)
{
	return (struct label){ .key = key, .val = val, .len = strlen(val) };
}

static struct label lab_n(const char *key, const char *val, size_t len)
{
	return (struct label){ .key = key, .val = val, .len = len };
}

/* ---- services and backends ---------------------------------------------- */

static bool all_digits(const char *s, size_t len)
{
	if (!len || len > 5)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * "NS/NAME:PORT", "NS/NAME:PORT/udp" or "NS/NAME:PORT/sctp" (as
 * kk_service_name() makes them) into namespace, service, port and
 * protocol (as a Service's spec spells it); any other name: namespace "",
 * service the whole name, port and protocol "".  @l has 4 entries.
 */
static void svc_labels(const char *name, struct label *l)
{
	const char *slash = strchr(name, '/'), *rest, *end, *colon = NULL;
	const char *proto = "TCP";

	l[0] = lab("namespace", "");
	l[1] = lab("service", name);
	l[2] = lab("port", "");
	l[3] = lab("protocol", "");
	if (!slash || slash == name)
		return;
	rest = slash + 1;
	end = strrchr(rest, '/');
	if (end) {
		if (!strcmp(end, "/udp"))
			proto = "UDP";
		else if (!strcmp(end, "/sctp"))
			proto = "SCTP";
		else
			return;
	} else {
		end = rest + strlen(rest);
	}
	for (const char *c = rest; c < end; c++)
		if (*c == ':')
			colon = c;
	if (!colon || colon == rest || !all_digits(colon + 1, end - colon - 1))
		return;
	l[0] = lab_n("namespace", name, slash - name);
	l[1] = lab_n("service", rest, colon - rest);
	l[2] = lab_n("port", colon + 1, end - colon - 1);
	l[3] = lab("protocol", proto);
}

enum cnt_field { CNT_CONNS, CNT_PACKETS, CNT_BYTES };

static uint64_t cnt_get(const struct kgate_counters *c, enum cnt_field fld)
{
	switch (fld) {
	case CNT_CONNS:
		return c->conns;
	case CNT_PACKETS:
		return c->packets;
	default:
		return c->bytes;
	}
}

static const struct {
	const char *svc, *be, *help;
} cnt_families[] = {
	[CNT_CONNS] = { "kgate_service_connections_total",
			"kgate_backend_connections_total",
			"New connections sent to the backends." },
	[CNT_PACKETS] = { "kgate_service_packets_total",
			  "kgate_backend_packets_total",
			  "Packets forwarded, both directions." },
	[CNT_BYTES] = { "kgate_service_bytes_total",
			"kgate_backend_bytes_total",
			"Bytes forwarded, both directions, IP headers included." },
};

static void svc_counters(struct prom *p, const struct kgate_state *st,
			 enum cnt_field fld)
{
	struct label l[4];

	family(p, cnt_families[fld].svc, "counter", cnt_families[fld].help);
	for (size_t i = 0; i < st->n_svcs; i++) {
		const struct kgate_service *svc = &st->svcs[i];

		if (!svc->name || !(svc->has & KGATE_SVC_HAS_COUNTERS))
			continue;
		svc_labels(svc->name, l);
		sample(p, l, 4, cnt_get(&svc->cnt, fld));
	}
}

static const char *const be_states[__KGATE_BE_STATE_MAX] = {
	[KGATE_BE_READY] = "ready",
	[KGATE_BE_SERVING] = "serving",
	[KGATE_BE_TERMINATING] = "terminating",
};

/* Every state, 0 included, so that a state emptied shows as 0. */
static void svc_backends(struct prom *p, const struct kgate_state *st)
{
	struct label l[5];

	family(p, "kgate_service_backends", "gauge",
	       "Backends of the service, by endpoint condition.");
	for (size_t i = 0; i < st->n_svcs; i++) {
		const struct kgate_service *svc = &st->svcs[i];
		uint64_t n[__KGATE_BE_STATE_MAX] = { 0 };

		if (!svc->name)
			continue;
		for (size_t j = 0; j < svc->n_backends; j++)
			if (svc->backends[j].state < __KGATE_BE_STATE_MAX)
				n[svc->backends[j].state]++;
		svc_labels(svc->name, l);
		for (int s = 0; s < __KGATE_BE_STATE_MAX; s++) {
			l[4] = lab("state", be_states[s]);
			sample(p, l, 5, n[s]);
		}
	}
}

static void be_counters(struct prom *p, const struct kgate_state *st,
			enum cnt_field fld)
{
	char ep[KGATE_ENDPOINT_STRLEN];
	struct label l[5];

	family(p, cnt_families[fld].be, "counter", cnt_families[fld].help);
	for (size_t i = 0; i < st->n_svcs; i++) {
		const struct kgate_service *svc = &st->svcs[i];

		if (!svc->name)
			continue;
		svc_labels(svc->name, l);
		for (size_t j = 0; j < svc->n_backends; j++) {
			const struct kgate_backend *be = &svc->backends[j];

			if (!(be->has & KGATE_BE_HAS_COUNTERS))
				continue;
			kgate_endpoint_str(&be->addr, be->port, ep,
					   sizeof(ep));
			l[4] = lab("endpoint", ep);
			sample(p, l, 5, cnt_get(&be->cnt, fld));
		}
	}
}

/* ---- listeners and routes ----------------------------------------------- */

enum l7_field {
	L7_CONNS, L7_OPEN, L7_REFUSED, L7_REQUESTS, L7_RESP, L7_BYTES_IN,
	L7_BYTES_OUT, L7_UP_CONNECTS, L7_UP_REUSES, L7_LOG_DROPPED,
};

struct l7_family {
	enum l7_field fld;
	const char *suffix, *type, *help;
	bool route;		/* routes have it too */
};

static const struct l7_family l7_families[] = {
	{ L7_CONNS, "connections_total", "counter",
	  "Client connections accepted.", false },
	{ L7_OPEN, "connections_open", "gauge",
	  "Client connections open now.", false },
	{ L7_REFUSED, "connections_refused_total", "counter",
	  "Client connections refused over the listener's maximum.", false },
	{ L7_REQUESTS, "requests_total", "counter", "HTTP requests.", true },
	{ L7_RESP, "responses_total", "counter",
	  "HTTP responses, by status class.", true },
	{ L7_BYTES_IN, "received_bytes_total", "counter",
	  "Bytes received from clients, heads included.", true },
	{ L7_BYTES_OUT, "sent_bytes_total", "counter",
	  "Bytes sent to clients, heads included.", true },
	{ L7_UP_CONNECTS, "upstream_connects_total", "counter",
	  "New connections to backends.", true },
	{ L7_UP_REUSES, "upstream_reuses_total", "counter",
	  "Requests sent on a pooled backend connection.", true },
	{ L7_LOG_DROPPED, "access_log_dropped_total", "counter",
	  "Access-log records not sent.", false },
};

static uint64_t l7_get(const struct kgate_l7_counters *c, enum l7_field fld)
{
	switch (fld) {
	case L7_CONNS:
		return c->conns;
	case L7_OPEN:
		return c->conns_open;
	case L7_REFUSED:
		return c->conns_refused;
	case L7_REQUESTS:
		return c->requests;
	case L7_BYTES_IN:
		return c->bytes_in;
	case L7_BYTES_OUT:
		return c->bytes_out;
	case L7_UP_CONNECTS:
		return c->upstream_connects;
	case L7_UP_REUSES:
		return c->upstream_reuses;
	case L7_LOG_DROPPED:
		return c->log_dropped;
	default:
		return 0;
	}
}

/* One object's samples of family @fam: five for the response classes. */
static void l7_samples(struct prom *p, const struct l7_family *fam,
		       const struct kgate_l7_counters *c, struct label *l,
		       size_t n)
{
	static const char *const classes[5] = {
		"1xx", "2xx", "3xx", "4xx", "5xx"
	};

	if (fam->fld != L7_RESP) {
		sample(p, l, n, l7_get(c, fam->fld));
		return;
	}
	for (int i = 0; i < 5; i++) {
		l[n] = lab("class", classes[i]);
		sample(p, l, n + 1, c->resp[i]);
	}
}

static void lis_family(struct prom *p, const struct kgate_state *st,
		       const struct l7_family *fam)
{
	char name[96];
	struct label l[2];

	snprintf(name, sizeof(name), "kgate_listener_%s", fam->suffix);
	family(p, name, fam->type, fam->help);
	for (size_t i = 0; i < st->n_lis; i++) {
		const struct kgate_listener *lis = &st->lis[i];

		if (!lis->name || !(lis->has & KGATE_LIS_HAS_COUNTERS))
			continue;
		l[0] = lab("listener", lis->name);
		l7_samples(p, fam, &lis->cnt, l, 1);
	}
}

/*
 * A route's name into namespace, route, kind, host and parent.  An
 * Ingress's routes are "NS/NAME/HOST" ("-": no host, as ""); an
 * HTTPRoute's "NS/NAME", or "NS/NAME/GW/LISTENER" (the Gateway
 * "GWNS/GW/LISTENER" when in another namespace) when its parents differ
 * in hostnames: that part is the parent label, without which those
 * routes would share a series.  Any other name: namespace "", route the
 * whole name.  @l has 5 entries.
 */
static void rt_labels(const struct kgate_route *rt, struct label *l)
{
	const char *name = rt->name, *slash = strchr(name, '/'), *obj, *more;
	bool ingress = !(rt->has & KGATE_RT_HAS_KIND) ||
		       rt->kind == KGATE_ROUTE_INGRESS;

	l[0] = lab("namespace", "");
	l[1] = lab("route", name);
	l[2] = lab("kind", ingress ? "Ingress" :
		   rt->kind == KGATE_ROUTE_HTTPROUTE ? "HTTPRoute" : "");
	l[3] = lab("host", "");
	l[4] = lab("parent", "");
	if (!slash || slash == name || (!ingress && !l[2].len))
		return;
	obj = slash + 1;
	more = strchr(obj, '/');
	if (more == obj || !*obj || (more && !more[1]) || (ingress && !more))
		return;
	l[0] = lab_n("namespace", name, slash - name);
	if (!more) {
		l[1] = lab("route", obj);
		return;
	}
	l[1] = lab_n("route", obj, more - obj);
	if (!ingress)
		l[4] = lab("parent", more + 1);
	else if (strcmp(more + 1, "-"))
		l[3] = lab("host", more + 1);
}

static void rt_family(struct prom *p, const struct kgate_state *st,
		      const struct l7_family *fam)
{
	char name[96];
	struct label l[6];

	snprintf(name, sizeof(name), "kgate_route_%s", fam->suffix);
	family(p, name, fam->type, fam->help);
	for (size_t i = 0; i < st->n_rts; i++) {
		const struct kgate_route *rt = &st->rts[i];

		if (!rt->name || !(rt->has & KGATE_RT_HAS_COUNTERS))
			continue;
		rt_labels(rt, l);
		l7_samples(p, fam, &rt->cnt, l, 5);
	}
}

int kgd_metrics_render(FILE *f, const struct kgate_state *st)
{
	struct prom p = { .f = f };
	size_t n_l7 = sizeof(l7_families) / sizeof(l7_families[0]);

	family(&p, "kgate_up", "gauge", "1: kgated answered the scrape.");
	sample(&p, NULL, 0, 1);
	for (int fld = CNT_CONNS; fld <= CNT_BYTES; fld++)
		svc_counters(&p, st, fld);
	svc_backends(&p, st);
	for (int fld = CNT_CONNS; fld <= CNT_BYTES; fld++)
		be_counters(&p, st, fld);
	for (size_t i = 0; i < n_l7; i++)
		lis_family(&p, st, &l7_families[i]);
	for (size_t i = 0; i < n_l7; i++)
		if (l7_families[i].route)
			rt_family(&p, st, &l7_families[i]);
	if (fflush(f) || ferror(f))
		p.err = -EIO;
	return p.err;
}

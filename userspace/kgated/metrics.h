/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgated's Prometheus metrics: the kernel's counters as the text
 * exposition format, served over HTTP at /metrics from kgated's poll loop.
 */
#ifndef KGATED_METRICS_H
#define KGATED_METRICS_H

#include <stdio.h>

#include "libkgate.h"

/*
 * Write every metric of @st (read with counters: kgate_state_read() on
 * services, listeners and routes) to @f in the Prometheus text format
 * 0.0.4, with Kubernetes names as labels.  0, or -EIO when @f fails.
 */
int kgd_metrics_render(FILE *f, const struct kgate_state *st);

struct kgd_http;

/*
 * Listen on @addr ("127.0.0.1:9788", "[::1]:9788", ":9788" for every
 * address), non-blocking.  0, or a negative errno with @why filled in.
 */
int kgd_http_open(struct kgd_http **out, const char *addr, char *why,
		  size_t whylen);
void kgd_http_close(struct kgd_http *h);
/* The fd to poll for POLLIN (new connections and requests). */
int kgd_http_fd(const struct kgd_http *h);
/* Called for GET /metrics: write the body to @f; 0 or a negative errno. */
typedef int (*kgd_metrics_cb)(FILE *f, void *data);
/*
 * Accept and answer what is ready, without blocking for long: each
 * connection gets one response and is closed.  GET or HEAD /metrics: 200
 * with @cb's body; another path: 404; another method: 405; a request
 * head over 8 KiB or not complete within 2 s: 400 / closed.
 */
void kgd_http_serve(struct kgd_http *h, kgd_metrics_cb cb, void *data);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * control-plane: kgate's side of the control-plane benchmark
 * (tests/bench/control-plane.sh), requests sent by one running process
 * over a raw generic netlink socket.
 *
 *   control-plane apply [-n SERVICES]
 *   control-plane flush [-n SERVICES]
 *   control-plane set [-n SERVICES] [-r REPEATS] [-k FIRST] [-p PORT]
 *
 * apply  The namespace must be empty.  One transaction: BATCH_BEGIN, then
 *        SERVICES SERVICE_ADDs (bench/svc-I:80, frontend 198.18.I/256.I%256
 *        port 80, backends 198.19.I/256.I%256 ports 8080 and 8081) queued
 *        and sent in chunks without NLM_F_ACK, then BATCH_COMMIT, waiting
 *        for its ack.  Checks the counts the kernel reports afterwards.
 *        Prints "apply SECONDS" (BEGIN to the COMMIT's ack).
 * flush  With SERVICES services present: one FLUSH, waiting for its ack;
 *        checks that the namespace is empty.  Prints "flush SECONDS".
 * set    With SERVICES services present: REPEATS BACKEND_SETs, one request
 *        each, waiting for its ack.  Request K (K = FIRST .. FIRST +
 *        REPEATS - 1) sets the weight of backend 198.19.X.Y:PORT (default
 *        8080) of service number (K * 7919) mod SERVICES to 2 + K % 100:
 *        always a change, the services start with weight 1.  Prints
 *        "set SECONDS" per request.
 *
 * Timing is CLOCK_MONOTONIC around the requests only (no process start).
 * Progress and errors go to stderr.  Exit status: 0; 1 if the kernel
 * refused a request or did not hold what was expected; 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kgate_test.h"

/* The addresses below are IPv4 only, one per service. */
#define MAX_SERVICES	65536L

struct opts {
	const char *mode;
	long n;
	long reps;
	long first;
	long port;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s apply [-n SERVICES]\n"
		"       %s flush [-n SERVICES]\n"
		"       %s set [-n SERVICES] [-r REPEATS] [-k FIRST] [-p PORT]\n",
		prog, prog, prog);
	return 2;
}

/* A decimal number in [lo, hi], or -1. */
static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	return v;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .n = 10000, .reps = 100, .first = 0, .port = 8080 };
	if (argc < 2)
		return -1;
	o->mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "n:r:k:p:")) != -1) {
		switch (opt) {
		case 'n':
			o->n = number(optarg, 1, MAX_SERVICES);
			break;
		case 'r':
			o->reps = number(optarg, 1, 1000000);
			break;
		case 'k':
			o->first = number(optarg, 0, 1000000000);
			break;
		case 'p':
			o->port = number(optarg, 1, 65535);
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || o->n < 0 || o->reps < 0 || o->first < 0 ||
	    o->port < 0)
		return -1;
	return 0;
}

/* The namespace holds n services with 2 backends each (n may be 0). */
static int expect_count(struct kt_sock *s, long n, const char *when)
{
	struct kt_stats st;
	struct kt_err e;

	if (kt_stats(s, &st, &e)) {
		fprintf(stderr, "control-plane: STATS_GET %s: %s, extack \"%s\"\n",
			when, strerror(e.err), e.msg);
		return 1;
	}
	if (st.services != (uint32_t)n || st.backends != (uint32_t)(2 * n)) {
		fprintf(stderr, "control-plane: %s: expected %ld services and %ld backends, the kernel has %u and %u\n",
			when, n, 2 * n, st.services, st.backends);
		return 1;
	}
	return 0;
}

static int do_apply(struct kt_sock *s, const struct opts *o)
{
	struct kt_err e;
	double t0, t;
	int r;

	if (expect_count(s, 0, "before the batch"))
		return 1;
	t0 = now_s();
	r = kt_add_many(s, o->n, "bench", 2, false, &e);
	t = now_s() - t0;
	if (r) {
		fprintf(stderr, "control-plane: batch of %ld services: %s, extack \"%s\"\n",
			o->n, strerror(r), e.msg);
		return 1;
	}
	if (expect_count(s, o->n, "after the batch"))
		return 1;
	printf("apply %.6f\n", t);
	return 0;
}

static int do_flush(struct kt_sock *s, const struct opts *o)
{
	struct kt_err e;
	double t0, t;

	if (expect_count(s, o->n, "before FLUSH"))
		return 1;
	t0 = now_s();
	if (kt_cmd(s, KGATE_CMD_FLUSH, &e)) {
		fprintf(stderr, "control-plane: FLUSH: %s, extack \"%s\"\n",
			strerror(e.err), e.msg);
		return 1;
	}
	t = now_s() - t0;
	if (expect_count(s, 0, "after FLUSH"))
		return 1;
	printf("flush %.6f\n", t);
	return 0;
}

static int do_set(struct kt_sock *s, const struct opts *o)
{
	struct kt_msg m;
	int ret = 0;

	if (expect_count(s, o->n, "before BACKEND_SET"))
		return 1;
	if (kt_msg_init(&m, s, 0, 0))
		return 1;
	for (long i = 0; i < o->reps && !ret; i++) {
		long k = o->first + i;
		long idx = (k * 7919L) % o->n;
		char name[64], ba[32];
		struct kt_svc svc;
		struct kt_be be;
		struct kt_err e;
		double t0, t;

		snprintf(name, sizeof(name), "bench/svc-%ld:80", idx);
		snprintf(ba, sizeof(ba), "198.19.%ld.%ld", idx >> 8, idx & 255);
		be = (struct kt_be)KT_BE_FULL(ba, o->port, 2 + k % 100,
					      KT_UNSET, KT_UNSET);
		kt_svc_init(&svc, name);
		svc.be = &be;
		svc.n_be = 1;
		kt_msg_reset(&m, s, KGATE_CMD_BACKEND_SET, 0);
		kt_msg_put_svc(&m, &svc, NULL, 0);
		t0 = now_s();
		if (kt_send(s, &m, &e, NULL, NULL)) {
			fprintf(stderr, "control-plane: BACKEND_SET %s %s:%ld: %s, extack \"%s\"\n",
				name, ba, o->port, strerror(e.err), e.msg);
			ret = 1;
			break;
		}
		t = now_s() - t0;
		printf("set %.6f\n", t);
	}
	kt_msg_free(&m);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct kt_sock s;
	int r;

	if (parse(argc, argv, &o))
		return usage(argv[0]);
	if (strcmp(o.mode, "apply") && strcmp(o.mode, "flush") &&
	    strcmp(o.mode, "set"))
		return usage(argv[0]);
	r = kt_open(&s);
	if (r) {
		fprintf(stderr, "control-plane: kgate family: %s\n",
			strerror(-r));
		return 1;
	}
	if (!strcmp(o.mode, "apply"))
		r = do_apply(&s, &o);
	else if (!strcmp(o.mode, "flush"))
		r = do_flush(&s, &o);
	else
		r = do_set(&s, &o);
	kt_close(&s);
	return r;
}

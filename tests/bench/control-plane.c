// SPDX-License-Identifier: GPL-2.0
/*
 * control-plane: how fast the kernel takes configuration.
 *
 *   control-plane [-n SERVICES] [-r REPEATS] [-a]
 *
 * -a: only step 1 (the services are left in place for the caller).
 *
 * 1. Add SERVICES (default 10000) services with 2 backends each in one
 *    batch, through the raw netlink helper with pipelined sends (BEGIN,
 *    the ADDs in chunks of up to 256 messages per sendmsg, COMMIT), once
 *    with an ack per message and once without (only COMMIT's).
 *    Goal: < 1 s.
 * 2. With those services present, change one backend's weight
 *    (BACKEND_SET, one message, waiting for its ack) REPEATS times
 *    (default 100) on services spread over the table; report the median
 *    and the spread.  Goal: < 1 ms.
 *
 * Prints the figures and whether the goals were met; exits 0 unless the
 * kernel refused something (the goals are not pass/fail).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kgate_test.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = 10000;
	int reps = 100, opt, r;
	int add_only = 0;
	struct kt_sock s;
	struct kt_stats st;
	struct kt_err e;
	struct kt_msg m;
	double t0, t_add, *lat;

	while ((opt = getopt(argc, argv, "n:r:a")) != -1) {
		switch (opt) {
		case 'a':
			add_only = 1;
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n SERVICES] [-r REPEATS] [-a]\n",
				argv[0]);
			return 2;
		}
	}
	if (n < 1 || reps < 1)
		return 2;
	lat = calloc(reps, sizeof(*lat));
	if (!lat)
		return 1;
	r = kt_open(&s);
	if (r) {
		fprintf(stderr, "control-plane: kgate family: %s\n",
			strerror(-r));
		return 1;
	}
	if (kt_cmd(&s, KGATE_CMD_FLUSH, &e)) {
		fprintf(stderr, "control-plane: FLUSH: %s\n", e.msg);
		return 1;
	}

	printf("# control-plane: adding %ld services x 2 backends in one batch\n",
	       n);
	fflush(stdout);
	for (int acks = 1; acks >= 0; acks--) {
		if (kt_cmd(&s, KGATE_CMD_FLUSH, &e)) {
			fprintf(stderr, "control-plane: FLUSH: %s\n", e.msg);
			return 1;
		}
		t0 = now_s();
		r = kt_add_many(&s, n, "bench", 2, acks, &e);
		t_add = now_s() - t0;
		if (r) {
			fprintf(stderr, "control-plane: batch: %s, extack \"%s\"\n",
				strerror(r), e.msg);
			return 1;
		}
		printf("control-plane: add %ld services x 2 backends, one batch, C library pipelined, %s: %.3f s (goal < 1 s: %s)\n",
		       n, acks ? "an ack per message" : "no acks but COMMIT's",
		       t_add, t_add < 1.0 ? "met" : "NOT met");
	}
	if (kt_stats(&s, &st, &e) || st.services != (uint32_t)n ||
	    st.backends != (uint32_t)(2 * n)) {
		fprintf(stderr, "control-plane: expected %ld services, the kernel has %u\n",
			n, st.services);
		return 1;
	}
	fflush(stdout);
	if (add_only) {
		kt_close(&s);
		free(lat);
		return 0;
	}

	printf("# control-plane: BACKEND_SET weight x %d with %ld services\n",
	       reps, n);
	if (kt_msg_init(&m, &s, 0, 0))
		return 1;
	for (int i = 0; i < reps; i++) {
		long idx = (long)((i * 7919L) % n);
		char name[96], ba[48];
		struct kt_be be;
		struct kt_svc svc;

		snprintf(name, sizeof(name), "bench/svc-%ld:80", idx);
		if (idx < 65536)
			snprintf(ba, sizeof(ba), "198.19.%ld.%ld",
				 (idx >> 8) & 255, idx & 255);
		else
			snprintf(ba, sizeof(ba), "2001:db8:2:%lx::%lx",
				 idx >> 16, idx & 0xffff);
		be = (struct kt_be)KT_BE_FULL(ba, 8080, 2 + i % 100, KT_UNSET,
					      KT_UNSET);
		kt_svc_init(&svc, name);
		svc.be = &be;
		svc.n_be = 1;
		kt_msg_reset(&m, &s, KGATE_CMD_BACKEND_SET, 0);
		kt_msg_put_svc(&m, &svc, NULL, 0);
		t0 = now_s();	/* send and wait for the ack */
		r = kt_send(&s, &m, &e, NULL, NULL);
		lat[i] = now_s() - t0;
		if (r) {
			fprintf(stderr, "control-plane: BACKEND_SET %s %s: %s, extack \"%s\"\n",
				name, ba, strerror(r), e.msg);
			return 1;
		}
	}
	qsort(lat, reps, sizeof(*lat), cmp_double);
	{
		double med = lat[reps / 2];

		printf("control-plane: change one backend weight with %ld services: median %.3f ms (min %.3f, max %.3f, n=%d) (goal < 1 ms: %s)\n",
		       n, med * 1e3, lat[0] * 1e3, lat[reps - 1] * 1e3, reps,
		       med < 1e-3 ? "met" : "NOT met");
	}
	kt_msg_free(&m);
	kt_cmd(&s, KGATE_CMD_FLUSH, NULL);
	kt_close(&s);
	free(lat);
	return 0;
}

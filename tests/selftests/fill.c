// SPDX-License-Identifier: GPL-2.0
/*
 * fill: helper of the shell tests (not a test itself).
 *
 *   fill add N [PREFIX]   add N services (1 frontend, 2 backends each) in
 *                         one batch, pipelined; names PREFIX/svc-I:80
 *   fill stats            print "services S frontends F backends B"
 *
 * Exit status 0 on success, 1 when the kernel refused something (the errno
 * and extack are printed), 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kgate_test.h"

int main(int argc, char **argv)
{
	struct kt_sock s;
	struct kt_stats st;
	struct kt_err e;
	int r;

	if (argc < 2 || (!strcmp(argv[1], "add") && argc < 3)) {
		fprintf(stderr, "usage: fill add N [PREFIX] | fill stats\n");
		return 2;
	}
	r = kt_open(&s);
	if (r) {
		fprintf(stderr, "fill: kgate family: %s\n", strerror(-r));
		return 1;
	}
	if (!strcmp(argv[1], "add")) {
		r = kt_add_many(&s, strtol(argv[2], NULL, 10),
				argc > 3 ? argv[3] : "fill", 2, true, &e);
	} else if (!strcmp(argv[1], "stats")) {
		r = kt_stats(&s, &st, &e);
		if (!r)
			printf("services %u frontends %u backends %u\n",
			       st.services, st.frontends, st.backends);
	} else {
		fprintf(stderr, "fill: unknown command %s\n", argv[1]);
		kt_close(&s);
		return 2;
	}
	if (r)
		fprintf(stderr, "fill: %s: %s, extack \"%s\"\n", argv[1],
			strerror(r), e.msg);
	kt_close(&s);
	return r ? 1 : 0;
}

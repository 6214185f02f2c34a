/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for host unit tests: TEST() functions run by RUN(), checks
 * that report file:line and the values, "ok N - name" / "not ok N - name"
 * per test, the plan at the end, exit status 1 if anything failed.
 *
 *	TEST(test_foo) { CHECK(x == 1); CHECK_STR(s, "a"); }
 *	int main(void) { RUN(test_foo); return tap_done(); }
 *
 * SKIP("reason") inside a test reports "ok N - name # SKIP reason".
 */
#ifndef KGATE_TAP_H
#define KGATE_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed, tap_cur_failed;
static const char *tap_skip;

#define TEST(fn) static void fn(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			tap_cur_failed = 1;				\
			printf("# %s:%d: failed: %s\n", __FILE__,	\
			       __LINE__, #cond);			\
		}							\
	} while (0)

#define CHECK_INT(got, want)						\
	do {								\
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (g_ != w_) {						\
			tap_cur_failed = 1;				\
			printf("# %s:%d: %s is %lld, expected %lld\n",	\
			       __FILE__, __LINE__, #got, g_, w_);	\
		}							\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!g_ || strcmp(g_, w_)) {				\
			tap_cur_failed = 1;				\
			printf("# %s:%d: %s is \"%s\", expected \"%s\"\n", \
			       __FILE__, __LINE__, #got,		\
			       g_ ? g_ : "(null)", w_);			\
		}							\
	} while (0)

#define SKIP(reason)							\
	do {								\
		tap_skip = (reason);					\
		return;							\
	} while (0)

#define RUN(fn) tap_run(#fn, fn)

static inline void tap_run(const char *name, void (*fn)(void))
{
	tap_cur_failed = 0;
	tap_skip = NULL;
	fn();
	fflush(stdout);
	tap_count++;
	if (tap_cur_failed)
		tap_failed++;
	if (tap_skip && !tap_cur_failed)
		printf("ok %d - %s # SKIP %s\n", tap_count, name, tap_skip);
	else
		printf("%sok %d - %s\n", tap_cur_failed ? "not " : "",
		       tap_count, name);
	fflush(stdout);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif

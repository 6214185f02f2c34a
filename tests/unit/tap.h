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
 * Programs that count their own results call tap_result(cond, fmt, ...)
 * instead of RUN(), and tap_note(fmt, ...) for progress and figures.
 *
 * Output: stdout is line buffered and flushed after every result, and
 * progress is a "# " comment line on stdout, never stderr, so that a
 * result line is never cut by other output (the convention of
 * tests/tools/tap.sh; tests/tools/tapplan.sh checks the plan).  The plan
 * "1..N" comes last, from tap_done(): a program that dies before it has
 * no plan, and fails.
 */
#ifndef KGATE_TAP_H
#define KGATE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed, tap_cur_failed;
static const char *tap_skip;

/* Whole lines, in order, whatever stdout is (a pipe is fully buffered). */
__attribute__((constructor)) static void tap_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* One result "ok N - <fmt>" ("not ok" unless cond), counted and flushed. */
static inline void tap_result(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void tap_result(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* A comment line "# <fmt>": progress, measured figures. */
static inline void tap_note(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

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
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif

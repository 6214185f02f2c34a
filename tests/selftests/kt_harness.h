/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness plus assertion shorthands for the kgate selftests.
 * Include this (once per test program) instead of kselftest_harness.h.
 */
#ifndef KT_HARNESS_H
#define KT_HARNESS_H

#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

/* The harness has an unused parameter in a signal handler. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
/*
 * TEST_F() expands to a wrapper that keeps a local across setjmp(); gcc's
 * -Wextra flags it (the harness is built with -Wall only upstream).  The
 * variable is not used after a longjmp, so the warning is off for the
 * macro expansions in the test files.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#include "kgate_test.h"

/* `call` is a kgate_test call returning 0 or a positive errno and filling
 * the struct kt_err `e`.
 */
#define KT_OK(call, e) do { \
	int __r = (call); \
	ASSERT_EQ(0, __r) \
		TH_LOG("%s: %s, extack \"%s\"", #call, strerror(__r), \
		       (e).msg); \
} while (0)

/* Refused with errno `want` and a non-empty extack message. */
#define KT_REFUSED(want, call, e) do { \
	int __r = (call); \
	ASSERT_EQ((want), __r) \
		TH_LOG("%s: expected %s, got %s (%d), extack \"%s\"", #call, \
		       strerror(want), strerror(__r), __r, (e).msg); \
	ASSERT_NE(0, (int)strlen((e).msg)) \
		TH_LOG("%s: refused with %s but no extack message", #call, \
		       strerror(__r)); \
} while (0)

/* The kernel reports svc exactly as sent (defaults filled in). */
#define KT_EXPECT_SVC(sock, svc) do { \
	struct kt_svc_info __i; \
	struct kt_err __e; \
	char __why[512] = ""; \
	int __r = kt_get((sock), (svc)->name, &__i, &__e); \
	ASSERT_EQ(0, __r) \
		TH_LOG("GET %s: %s, extack \"%s\"", (svc)->name, \
		       strerror(__r), __e.msg); \
	__r = kt_svc_expect((svc), &__i, __why, sizeof(__why)); \
	kt_svc_info_free(&__i); \
	ASSERT_EQ(0, __r) TH_LOG("GET %s: %s", (svc)->name, __why); \
} while (0)

/* The namespace has exactly n services. */
#define KT_EXPECT_COUNT(sock, want) do { \
	char *__c; \
	size_t __l; \
	int __n = -1; \
	struct kt_err __e; \
	int __r = kt_dump((sock), &__c, &__l, &__n, &__e); \
	ASSERT_EQ(0, __r) TH_LOG("dump: %s, extack \"%s\"", strerror(__r), \
				 __e.msg); \
	free(__c); \
	ASSERT_EQ((want), __n); \
} while (0)

#endif /* KT_HARNESS_H */

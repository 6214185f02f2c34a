/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few types kmod/core needs, from the kernel or from libc, so that the
 * same sources build into the module and into userspace tests and fuzzers.
 */
#ifndef _KGATE_CORE_PORT_H
#define _KGATE_CORE_PORT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/types.h>
/* Long loops give the CPU away now and then (a no-op in userspace). */
#define kg_cond_resched()	cond_resched()
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
#define kg_cond_resched()	do { } while (0)
#endif

#endif /* _KGATE_CORE_PORT_H */

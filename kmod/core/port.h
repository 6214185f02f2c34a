/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few types kmod/core needs, from the kernel or from libc, so that the
 * same sources build into the module and into userspace tests and fuzzers.
 */
#ifndef _KGATE_CORE_PORT_H
#define _KGATE_CORE_PORT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
#endif

#endif /* _KGATE_CORE_PORT_H */

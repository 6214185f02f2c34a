/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few types kmod/core needs, from the kernel or from libc, so that the
 * same sources build into the module and into userspace tests and fuzzers.
 */
#ifndef _KGATE_CORE_PORT_H
#define _KGATE_CORE_PORT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* _KGATE_CORE_PORT_H */

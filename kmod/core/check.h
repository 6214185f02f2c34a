/* SPDX-License-Identifier: GPL-2.0 */
/* Checks on configuration values that need no kernel state. */
#ifndef _KGATE_CORE_CHECK_H
#define _KGATE_CORE_CHECK_H

#include "port.h"

bool kg_is_prime(u32 n);
bool kg_name_valid(const char *name, size_t len);
bool kg_addr_is_zero(const u8 *addr, unsigned int len);
bool kg_prefix_has_host_bits(const u8 *addr, unsigned int len,
			     unsigned int plen);
bool kg_prefix_match(const void *addr, const u8 *prefix, unsigned int plen);
const char *kg_addr_unusable(const u8 *addr, unsigned int len);

#endif /* _KGATE_CORE_CHECK_H */

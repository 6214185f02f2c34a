/* SPDX-License-Identifier: GPL-2.0 */
/* Object model to text: addresses, endpoints, prefixes, protocols. */
#ifndef KGATE_FORMAT_H
#define KGATE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "kgate_model.h"

/* Enough for "[ffff:...:255.255.255.255]:65535/sctp" and "ADDR/128". */
#define KGATE_ENDPOINT_STRLEN	80

/* "10.0.0.1", "fd00::1"; "?" for an unset family. */
const char *kgate_addr_str(const struct kgate_addr *a, char *buf, size_t len);
/* "10.0.0.1:80", "[fd00::1]:80" */
const char *kgate_endpoint_str(const struct kgate_addr *a, uint16_t port,
			       char *buf, size_t len);
/* "10.0.0.0/8" */
const char *kgate_prefix_str(const struct kgate_range *r, char *buf,
			     size_t len);
/* "tcp", or the number for a protocol without a name */
const char *kgate_proto_str(uint8_t proto, char *buf, size_t len);

#endif

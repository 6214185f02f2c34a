/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to libkgate: the attribute writers of encode.c, shared by the
 * encoders of every object.  The first failure is kept in ->err and makes
 * every later call a no-op: -EMSGSIZE when the buffer is full, -E2BIG when
 * a nest or string would exceed the 64 KiB of one attribute.
 */
#ifndef KGATE_ENC_H
#define KGATE_ENC_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "kgate_model.h"

struct kgate_enc {
	struct nlmsghdr *nlh;
	size_t buflen;
	int err;
};

struct nlattr *kgate_enc_nest_start(struct kgate_enc *e, uint16_t type);
void kgate_enc_nest_end(struct kgate_enc *e, struct nlattr *a);
void kgate_enc_put(struct kgate_enc *e, uint16_t type, size_t len,
		   const void *data);
void kgate_enc_u8(struct kgate_enc *e, uint16_t type, uint8_t v);
void kgate_enc_u16(struct kgate_enc *e, uint16_t type, uint16_t v);
void kgate_enc_u32(struct kgate_enc *e, uint16_t type, uint32_t v);
void kgate_enc_u64(struct kgate_enc *e, uint16_t type, uint64_t v);
void kgate_enc_addr(struct kgate_enc *e, uint16_t type,
		    const struct kgate_addr *a);
/* A NUL-terminated string. */
void kgate_enc_str(struct kgate_enc *e, uint16_t type, const char *s);
/* A list nest @type of @n KGATE_A_LIST_ITEM range entries. */
void kgate_enc_ranges(struct kgate_enc *e, uint16_t type,
		      const struct kgate_range *r, size_t n);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to libkgate: the strict attribute readers of decode.c, shared
 * by the decoders of every object.  Each returns 0, or -EINVAL with a
 * reason "PATH.ATTR: what is wrong" in the decoder's buffer (-ENOMEM for
 * the string copies).
 */
#ifndef KGATE_DEC_H
#define KGATE_DEC_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "kgate_model.h"

#define KGATE_DEC_PATH_MAX	128

/* Decoder state: where we are (for messages) and the reason buffer. */
struct kgate_dec {
	char path[KGATE_DEC_PATH_MAX];
	char *why;
	size_t whylen;
};

/*
 * d->path from byte @base on: ".@name[@i]" (@i < 0: ".@name"), cut to fit
 * as snprintf() would.  Made for every list entry decoded, only read when
 * an entry is wrong: no printf.
 */
void kgate_dec_path_set(struct kgate_dec *d, size_t base, const char *name,
			long long i);
int kgate_dec_fail(struct kgate_dec *d, const char *attr, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
/* Payload bytes of @a must be exactly @len. */
int kgate_dec_want_len(struct kgate_dec *d, const struct nlattr *a,
		       const char *name, size_t len);
/* Every byte of the nest's payload belongs to a well-formed attribute. */
int kgate_dec_check_nest(struct kgate_dec *d, const struct nlattr *nest,
			 const char *name);
int kgate_dec_get_u8(struct kgate_dec *d, const struct nlattr *a,
		     const char *n, uint8_t *v);
int kgate_dec_get_u16(struct kgate_dec *d, const struct nlattr *a,
		      const char *n, uint16_t *v);
int kgate_dec_get_u32(struct kgate_dec *d, const struct nlattr *a,
		      const char *n, uint32_t *v);
int kgate_dec_get_u64(struct kgate_dec *d, const struct nlattr *a,
		      const char *n, uint64_t *v);
/* 4 or 16 bytes. */
int kgate_dec_get_addr(struct kgate_dec *d, const struct nlattr *a,
		       const char *n, struct kgate_addr *addr);
/* A NUL-terminated string without inner NUL, copied into *@out (freed
 * first when set).
 */
int kgate_dec_str(struct kgate_dec *d, const struct nlattr *a, const char *n,
		  char **out);
/* Refuse a second copy of attribute @type in one nest (types < 32). */
int kgate_dec_once(struct kgate_dec *d, uint32_t *seen, uint16_t type,
		   const char *n);
/* "PATH: missing N" */
int kgate_dec_missing(struct kgate_dec *d, const char *n);
/* A KGATE_A_LIST_ITEM entry laid out by enum kgate_range_attr. */
int kgate_dec_range(struct kgate_dec *d, const struct nlattr *item,
		    struct kgate_range *r);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error report of libkgate: errno, the kernel's extended ACK message (or a
 * local reason) and the attribute it concerns.
 */
#ifndef KGATE_ERR_H
#define KGATE_ERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kgate_err {
	int err;		/* positive errno, 0: no error */
	bool kernel;		/* refused by the kernel (vs. local failure) */
	uint32_t seq;		/* sequence number of the refused request */
	char msg[256];		/* extack message or local reason; may be "" */
	char path[128];		/* attribute, e.g. "service.name"; may be "" */
	/*
	 * The message of a batch a failed BATCH_COMMIT blames, from the
	 * extack cookie (struct kgate_commit_ref in linux/kgate.h):
	 * 1-based position and sequence number.
	 */
	bool has_ref;
	uint32_t ref_pos, ref_seq;
};

void kgate_err_clear(struct kgate_err *e);
/* Record a local failure; returns -@err for "return kgate_err_set(...)". */
int kgate_err_set(struct kgate_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "EINVAL", or "E123" when the name is unknown. */
const char *kgate_errno_name(int err, char *buf, size_t len);
/*
 * One line for people: "PATH: MESSAGE (ENAME)", leaving out what is
 * unknown; the message defaults to strerror().
 */
const char *kgate_err_str(const struct kgate_err *e, char *buf, size_t len);
/*
 * Length of the "cmd POS seq SEQ: " the kernel puts before the reason of
 * a command that failed at commit, at the start of @e->msg, for callers
 * that name the command themselves; 0 when @e has no such reference.
 */
size_t kgate_err_ref_prefix(const struct kgate_err *e);

#endif

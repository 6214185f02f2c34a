// SPDX-License-Identifier: GPL-2.0
/* Error reports: recording and formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kgate_err.h"

void kgate_err_clear(struct kgate_err *e)
{
	memset(e, 0, sizeof(*e));
}

int kgate_err_set(struct kgate_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	kgate_err_clear(e);
	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -err;
}

const char *kgate_errno_name(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "E%d", err);
	return buf;
}

const char *kgate_err_str(const struct kgate_err *e, char *buf, size_t len)
{
	const char *msg = e->msg[0] ? e->msg : strerror(e->err);
	char name[32];

	kgate_errno_name(e->err, name, sizeof(name));
	if (e->path[0])
		snprintf(buf, len, "%s: %s (%s)", e->path, msg, name);
	else
		snprintf(buf, len, "%s (%s)", msg, name);
	return buf;
}

size_t kgate_err_ref_prefix(const struct kgate_err *e)
{
	char prefix[40];	/* "cmd 4294967295 seq 4294967295: " */
	int n;

	if (!e->has_ref)
		return 0;
	n = snprintf(prefix, sizeof(prefix), "cmd %u seq %u: ", e->ref_pos,
		     e->ref_seq);
	return strncmp(e->msg, prefix, (size_t)n) ? 0 : (size_t)n;
}

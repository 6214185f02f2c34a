// SPDX-License-Identifier: GPL-2.0
/* Error messages on stderr. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print(const char *context, const struct kgate_err *e,
		  bool strip)
{
	char buf[512];
	const char *msg = buf;

	kgate_err_str(e, buf, sizeof(buf));
	/* Without a path, the line starts with @e->msg. */
	if (strip && !e->path[0])
		msg += kgate_err_ref_prefix(e);
	if (context)
		fprintf(stderr, "kgate: %s: %s\n", context, msg);
	else
		fprintf(stderr, "kgate: %s\n", msg);
}

void print_err(const char *context, const struct kgate_err *e)
{
	print(context, e, false);
}

void print_refusal(const char *context, const struct kgate_err *e)
{
	print(context, e, e->kernel);
}

int usage_error(const char *msg)
{
	fprintf(stderr, "kgate: %s\n", msg);
	return CLI_USAGE;
}

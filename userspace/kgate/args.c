// SPDX-License-Identifier: GPL-2.0
/* Argument cursor: values, numbers, keywords, addresses; usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void args_init(struct args *a, int argc, char **argv, char *why,
	       size_t whylen)
{
	*a = (struct args){ argc, argv, 0, why, whylen };
	if (whylen)
		why[0] = '\0';
}

const char *args_next(struct args *a)
{
	return a->i < a->argc ? a->argv[a->i++] : NULL;
}

bool args_more(const struct args *a)
{
	return a->i < a->argc;
}

int args_fail(struct args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->why, a->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

int args_value(struct args *a, const char *kw, const char **out)
{
	*out = args_next(a);
	if (!*out)
		return args_fail(a, "missing value after \"%s\"", kw);
	return 0;
}

int args_u32(struct args *a, const char *kw, uint32_t *out)
{
	const char *s;
	uint64_t v;
	int err;

	if (args_value(a, kw, &s))
		return -1;
	err = kgate_parse_uint(s, UINT32_MAX, &v);
	if (err == -ERANGE)
		return args_fail(a, "%s \"%s\": too large (max %u)", kw, s,
				 UINT32_MAX);
	if (err)
		return args_fail(a, "%s \"%s\": not a number", kw, s);
	*out = (uint32_t)v;
	return 0;
}

int args_keyword(struct args *a, const char *kw,
		 const struct kgate_name *table, uint8_t *out)
{
	char list[80];
	unsigned int v;
	const char *s;

	if (args_value(a, kw, &s))
		return -1;
	if (!kgate_value_of(table, s, &v)) {
		kgate_names_list(table, list, sizeof(list));
		return args_fail(a, "%s \"%s\": expected %s", kw, s, list);
	}
	*out = (uint8_t)v;
	return 0;
}

int args_endpoint(struct args *a, const char *kw, unsigned int flags,
		  struct kgate_endpoint *ep)
{
	char why[120];
	const char *s;

	if (args_value(a, kw, &s))
		return -1;
	if (kgate_parse_endpoint(s, flags, ep, why, sizeof(why)))
		return args_fail(a, "%s \"%s\": %s", kw, s, why);
	return 0;
}

int args_prefix(struct args *a, const char *kw, struct kgate_range *r)
{
	char why[120];
	const char *s;

	if (args_value(a, kw, &s))
		return -1;
	if (kgate_parse_prefix(s, r, why, sizeof(why)))
		return args_fail(a, "%s \"%s\": %s", kw, s, why);
	return 0;
}

int args_end(struct args *a)
{
	if (args_more(a))
		return args_fail(a, "unexpected argument \"%s\"",
				 a->argv[a->i]);
	return 0;
}

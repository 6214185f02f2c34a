// SPDX-License-Identifier: GPL-2.0
/* Durations and sizes with unit suffixes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kgate_l7parse.h"
#include "kgate_parse.h"

struct unit {
	const char *suffix;
	uint64_t factor;
};

/* The digits of @s, then one of @units ("" first: no suffix). */
static int with_unit(const char *s, const struct unit *units, uint64_t max,
		     uint64_t *out)
{
	char digits[24];
	size_t n = strspn(s, "0123456789");
	uint64_t v;
	int err;

	if (!n || n >= sizeof(digits))
		return n ? -ERANGE : -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	for (; units->suffix; units++) {
		if (strcmp(s + n, units->suffix))
			continue;
		err = kgate_parse_uint(digits, UINT64_MAX, &v);
		if (err)
			return err;
		if (v > max / units->factor)
			return -ERANGE;
		*out = v * units->factor;
		return 0;
	}
	return -EINVAL;
}

int kgate_parse_ms(const char *s, uint64_t max, uint64_t *ms)
{
	static const struct unit units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ NULL, 0 },
	};

	return with_unit(s, units, max, ms);
}

int kgate_parse_size(const char *s, uint64_t max, uint64_t *bytes)
{
	static const struct unit units[] = {
		{ "", 1 }, { "k", 1024 }, { "m", 1024 * 1024 }, { NULL, 0 },
	};

	return with_unit(s, units, max, bytes);
}

const char *kgate_ms_str(uint64_t ms, char *buf, size_t len)
{
	if (ms && ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	return buf;
}

// SPDX-License-Identifier: GPL-2.0
/* Access-log records in the combined log format. */
#include <inttypes.h>
#include <time.h>

#include "accesslog.h"
#include "kgate_format.h"

const char *kgate_clf_time(uint64_t ns, char *buf, size_t len)
{
	/* not strftime's %b: that one follows the locale */
	static const char *const month[12] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
		 month[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
	return buf;
}

/* @s escaped, blanks included; NULL or "": "-". */
static void field(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s || !*s) {
		fputc('-', f);
		return;
	}
	for (; *p; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
			fprintf(f, "\\x%02X", *p);
		else
			fputc(*p, f);
	}
}

static void upstream(FILE *f, const struct kgate_access *a)
{
	char ep[KGATE_ENDPOINT_STRLEN];

	if (a->has & KGATE_ACC_HAS_UPSTREAM)
		fputs(kgate_endpoint_str(&a->upstream, a->upstream_port, ep,
					 sizeof(ep)), f);
	else
		fputc('-', f);
}

void kgate_access_print(FILE *f, const struct kgate_access *a)
{
	char addr[KGATE_ENDPOINT_STRLEN], when[40];

	if (a->has & KGATE_ACC_HAS_CLIENT)
		fputs(kgate_addr_str(&a->client, addr, sizeof(addr)), f);
	else
		fputc('-', f);
	fprintf(f, " - - [%s] \"", kgate_clf_time(a->time_ns, when,
						   sizeof(when)));
	field(f, a->method);
	fputc(' ', f);
	field(f, a->path);
	fputs(" HTTP/1.1\" ", f);
	if (a->has & KGATE_ACC_HAS_STATUS)
		fprintf(f, "%u", a->status);
	else
		fputc('-', f);
	fprintf(f, " %" PRIu64 " \"-\" \"-\" host=", a->bytes_out);
	field(f, a->host);
	fputs(" listener=", f);
	field(f, a->listener);
	fputs(" route=", f);
	field(f, a->route);
	fputs(" upstream=", f);
	upstream(f, a);
	fprintf(f, " ttfb=%" PRIu32 "us time=%" PRIu32 "us in=%" PRIu64 "\n",
		a->ttfb_us, a->duration_us, a->bytes_in);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Logs: the journal, with structured fields a query can select on
 * (journalctl KGATE_FILE=...), or one line per message on standard error.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "kgated.h"

void kgd_log_init(struct kgd_log *l, enum kgd_log_mode mode, FILE *err)
{
	l->err = err;
	l->journal = mode == KGD_LOG_JOURNAL ||
		     (mode == KGD_LOG_AUTO && getenv("JOURNAL_STREAM"));
}

static const char *prio_word(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void kgd_log(const struct kgd_log *l, int prio, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (l->journal)
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
				"SYSLOG_IDENTIFIER=kgated", NULL);
	else
		fprintf(l->err, "kgated: %s: %s\n", prio_word(prio), msg);
	free(msg);
}

static int sev_prio(enum kk_sev sev)
{
	return sev == KK_ERROR ? LOG_ERR : sev == KK_SKIPPED ? LOG_INFO :
	       LOG_NOTICE;
}

/* One message as kk_diag_print() writes it, without the newline. */
static char *diag_line(const struct kk_msg *m)
{
	struct kk_diag one = { .v = (struct kk_msg *)m, .n = 1 };
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&line, &len);
	if (!f)
		return NULL;
	kk_diag_print(f, &one);
	if (fclose(f)) {
		free(line);
		return NULL;
	}
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	return line;
}

static void journal_diag(const struct kk_msg *m, const char *line)
{
	sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", sev_prio(m->sev),
			"SYSLOG_IDENTIFIER=kgated",
			"KGATE_FILE=%s", m->pos.file ? m->pos.file : "",
			"KGATE_LINE=%u", m->pos.line,
			"KGATE_OBJECT=%s", m->object ? m->object : "",
			"KGATE_FIELD=%s", m->field ? m->field : "", NULL);
}

void kgd_log_diag(const struct kgd_log *l, const struct kk_diag *d)
{
	size_t i;
	char *line;

	for (i = 0; i < d->n; i++) {
		line = diag_line(&d->v[i]);
		if (!line)
			continue;
		if (l->journal)
			journal_diag(&d->v[i], line);
		else
			fprintf(l->err, "kgated: %s\n", line);
		free(line);
	}
	if (d->lost)
		kgd_log(l, LOG_ERR, "%zu messages lost (out of memory)",
			d->lost);
}

void kgd_log_sync(const struct kgd_log *l, const struct kgd_counts *c)
{
	char msg[160];
	int len;

	len = snprintf(msg, sizeof(msg),
		       "sync: %zu added, %zu replaced, %zu deleted, %zu "
		       "unchanged", c->added, c->replaced, c->deleted,
		       c->unchanged);
	if (c->after_us >= 0 && len > 0 && (size_t)len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len,
			 ", %lld.%lld ms after the change",
			 (long long)(c->after_us / 1000),
			 (long long)(c->after_us % 1000 / 100));
	if (!l->journal) {
		fprintf(l->err, "kgated: info: %s\n", msg);
		return;
	}
	if (c->after_us < 0) {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", LOG_INFO,
				"SYSLOG_IDENTIFIER=kgated",
				"KGATE_ADDED=%zu", c->added,
				"KGATE_REPLACED=%zu", c->replaced,
				"KGATE_DELETED=%zu", c->deleted,
				"KGATE_UNCHANGED=%zu", c->unchanged, NULL);
		return;
	}
	sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", LOG_INFO,
			"SYSLOG_IDENTIFIER=kgated",
			"KGATE_ADDED=%zu", c->added,
			"KGATE_REPLACED=%zu", c->replaced,
			"KGATE_DELETED=%zu", c->deleted,
			"KGATE_UNCHANGED=%zu", c->unchanged,
			"KGATE_AFTER_US=%lld", (long long)c->after_us, NULL);
}

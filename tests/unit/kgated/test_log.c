// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's logs on standard error, on the host: one line per message,
 * each diagnostic as kk_diag_print() writes it (file:line:col, object,
 * field, reason), a sync's counts, the priority as a word; "auto" is the
 * journal only under systemd (JOURNAL_STREAM).
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kgated.h"
#include "tap.h"

struct capture {
	struct kgd_log log;
	char *buf;
	size_t len;
};

static void open_cap(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	kgd_log_init(&c->log, KGD_LOG_STDERR, open_memstream(&c->buf, &c->len));
}

static const char *text(struct capture *c)
{
	fflush(c->log.err);
	return c->buf;
}

static void close_cap(struct capture *c)
{
	fclose(c->log.err);
	free(c->buf);
}

TEST(test_modes)
{
	struct kgd_log l;

	unsetenv("JOURNAL_STREAM");
	kgd_log_init(&l, KGD_LOG_AUTO, stderr);
	CHECK(!l.journal);
	kgd_log_init(&l, KGD_LOG_JOURNAL, stderr);
	CHECK(l.journal);
	setenv("JOURNAL_STREAM", "8:1234", 1);
	kgd_log_init(&l, KGD_LOG_AUTO, stderr);
	CHECK(l.journal);
	kgd_log_init(&l, KGD_LOG_STDERR, stderr);
	CHECK(!l.journal);
	unsetenv("JOURNAL_STREAM");
}

TEST(test_messages)
{
	struct capture c;

	open_cap(&c);
	kgd_log(&c.log, LOG_ERR, "link %s: %s", "kgate0", "gone");
	kgd_log(&c.log, LOG_WARNING, "w");
	kgd_log(&c.log, LOG_INFO, "i");
	kgd_log(&c.log, LOG_DEBUG, "d");
	CHECK_STR(text(&c), "kgated: error: link kgate0: gone\n"
			    "kgated: warning: w\n"
			    "kgated: info: i\n"
			    "kgated: debug: d\n");
	close_cap(&c);
}

TEST(test_diagnostics)
{
	static const char bad[] =
		"apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
		"spec: {ports: [{port: 70000}]}\n";
	struct kgate_state st;
	struct kk_config cfg;
	struct kk_docs docs;
	struct capture c;
	struct kk_diag d;

	kk_config_init(&cfg);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(kk_load_text(&docs, "web.yaml", bad, strlen(bad), &d), 0);
	kk_translate(&docs, &cfg, &st, &d);
	kgate_state_free(&st);
	open_cap(&c);
	kgd_log_diag(&c.log, &d);
	CHECK_STR(text(&c), "kgated: web.yaml:4:23: error: Service "
		  "default/web: spec.ports[0].port: port 70000 out of range "
		  "1..65535\n"
		  "kgated: web.yaml:4:7: note: Service default/web: "
		  "spec.clusterIP: no clusterIP (the API server would "
		  "allocate one): no cluster frontend\n");
	close_cap(&c);
	kk_diag_free(&d);
	kk_docs_free(&docs);
}

TEST(test_sync_counts)
{
	struct kgd_counts n = { .added = 1, .replaced = 2, .deleted = 3,
				.unchanged = 4, .after_us = -1 };
	struct capture c;

	open_cap(&c);
	kgd_log_sync(&c.log, &n);
	n.after_us = 4250;
	kgd_log_sync(&c.log, &n);
	n.after_us = 12;
	kgd_log_sync(&c.log, &n);
	CHECK_STR(text(&c), "kgated: info: sync: 1 added, 2 replaced, "
		  "3 deleted, 4 unchanged\n"
		  "kgated: info: sync: 1 added, 2 replaced, 3 deleted, "
		  "4 unchanged, 4.2 ms after the change\n"
		  "kgated: info: sync: 1 added, 2 replaced, 3 deleted, "
		  "4 unchanged, 0.0 ms after the change\n");
	close_cap(&c);
}

int main(void)
{
	RUN(test_modes);
	RUN(test_messages);
	RUN(test_diagnostics);
	RUN(test_sync_counts);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * GET /metrics: the kernel's counters, read when asked (a scrape is rare
 * next to the packets counted), rendered by metrics.c.
 */
#include "kgated.h"
#include "metrics.h"

int kgd_scrape(FILE *f, void *data)
{
	struct kgate_state st;
	struct kgate_sock *s;
	struct kgate_err e;
	int err;

	(void)data;
	if (kgate_open(&s, &e))
		return -e.err;
	kgate_state_init(&st);
	err = kgate_state_read(s, &st, &e) ? -e.err : 0;
	if (!err)
		err = kgd_metrics_render(f, &st);
	kgate_state_free(&st);
	kgate_close(s);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Output held back until it is whole: show and save write nothing on
 * stdout when the dump behind them fails, so a redirect never keeps half
 * a configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int held_open(struct held *h, const struct cli *cli, bool json)
{
	memset(h, 0, sizeof(*h));
	h->json = json;
	h->f = open_memstream(&h->buf, &h->len);
	if (!h->f) {
		fprintf(stderr, "kgate: %s\n", strerror(errno));
		return CLI_FAIL;
	}
	kgate_json_init(&h->j, h->f, cli->pretty);
	if (json)
		kgate_json_arr_open(&h->j);
	return CLI_OK;
}

int held_close(struct held *h, int err, struct kgate_err *e, FILE *out,
	       const char *none)
{
	if (h->json) {
		kgate_json_arr_close(&h->j);
		fputc('\n', h->f);
	}
	if (fclose(h->f) && !err)
		err = kgate_err_set(e, ENOMEM, "out of memory");
	if (err) {
		print_err(NULL, e);
	} else if (none) {
		fprintf(stderr, "kgate: %s\n", none);
		err = -ENOENT;
	} else if (fwrite(h->buf, 1, h->len, out) != h->len || fflush(out)) {
		fprintf(stderr, "kgate: writing the output: %s\n",
			strerror(errno));
		err = -EIO;
	}
	free(h->buf);
	return err ? CLI_FAIL : CLI_OK;
}

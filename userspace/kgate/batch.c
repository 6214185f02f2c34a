// SPDX-License-Identifier: GPL-2.0
/*
 * kgate batch -f FILE: every line one command, all sent as one transaction
 * (BATCH_BEGIN, the commands pipelined with seq = line number, COMMIT).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

static struct batch_line *new_line(struct batch_file *bf)
{
	if (bf->n == bf->cap) {
		size_t ncap = bf->cap ? bf->cap * 2 : 64;
		struct batch_line *n = realloc(bf->lines, ncap * sizeof(*n));

		if (!n)
			return NULL;
		bf->lines = n;
		bf->cap = ncap;
	}
	return &bf->lines[bf->n];
}

int batch_read(FILE *f, const char *name, struct batch_file *bf, FILE *err)
{
	size_t len = 0, argcap = 0;
	char *line = NULL, **argv = NULL, why[256];
	unsigned int lineno = 0;
	int errors = 0, argc;
	struct batch_line *bl;

	memset(bf, 0, sizeof(*bf));
	while (getline(&line, &len, f) >= 0) {
		lineno++;
		if (line[strspn(line, " \t\r\n\v\f")] == '#')
			continue;
		argc = cli_split(line, &argv, &argcap);
		if (argc == 0)
			continue;
		if (argc == -2) {
			fprintf(err, "kgate: %s:%u: a quote is not closed\n",
				name, lineno);
			errors++;
			continue;
		}
		bl = argc > 0 ? new_line(bf) : NULL;
		if (!bl) {
			fprintf(err, "kgate: out of memory\n");
			errors = -1;
			break;
		}
		bl->line = lineno;
		if (cli_parse_mutation(argc, argv, &bl->cmd, why,
				       sizeof(why))) {
			fprintf(err, "kgate: %s:%u: %s\n", name, lineno, why);
			cli_cmd_free(&bl->cmd);
			errors++;
			continue;
		}
		bf->n++;
	}
	if (errors >= 0 && ferror(f)) {
		fprintf(err, "kgate: %s: %s\n", name, strerror(errno));
		errors = -1;
	}
	free(line);
	free(argv);
	return errors;
}

void batch_free(struct batch_file *bf)
{
	size_t i;

	for (i = 0; i < bf->n; i++)
		cli_cmd_free(&bf->lines[i].cmd);
	free(bf->lines);
	memset(bf, 0, sizeof(*bf));
}

unsigned int batch_commit_line(const struct batch_file *bf,
			       const struct kgate_err *e)
{
	uint32_t seq = e->ref_seq, pos = e->ref_pos;
	size_t lo = 0, hi = bf->n;

	if (!e->has_ref)
		return 0;
	while (seq && lo < hi) {	/* lines are in increasing order */
		size_t mid = lo + (hi - lo) / 2;

		if (bf->lines[mid].line == seq)
			return seq;
		if (bf->lines[mid].line < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos >= 1 && pos <= bf->n)
		return bf->lines[pos - 1].line;
	return 0;
}

static void on_refusal(const struct kgate_err *e, void *data)
{
	char ctx[32];

	(void)data;
	snprintf(ctx, sizeof(ctx), "line %u", e->seq);
	print_refusal(ctx, e);
}

/* Stage every command and commit; returns an exit status. */
static int send_batch(struct kgate_sock *s, const struct batch_file *bf)
{
	struct kgate_pipe *p = NULL;
	struct kgate_err e, ae;
	unsigned int line;
	size_t i;
	int err;

	err = kgate_batch_begin(s, &e);
	if (err) {
		print_err("batch begin", &e);
		return CLI_FAIL;
	}
	err = kgate_pipe_new(s, on_refusal, NULL, &p, &e);
	for (i = 0; !err && i < bf->n; i++) {
		struct kgate_obj o = cli_cmd_obj(&bf->lines[i].cmd);

		err = kgate_pipe_add_obj(p, bf->lines[i].cmd.cmd, &o,
					 bf->lines[i].line, &e);
	}
	if (!err)
		err = kgate_pipe_flush(p, &e);
	if (err) {
		print_err(NULL, &e);	/* closing the socket aborts */
	} else if (kgate_pipe_refused(p)) {
		err = -ECANCELED;
		if (kgate_batch_abort(s, &ae))
			print_err("batch abort", &ae);
	} else if ((err = kgate_batch_commit(s, &e))) {
		line = batch_commit_line(bf, &e);
		if (line) {
			char ctx[32];

			snprintf(ctx, sizeof(ctx), "line %u", line);
			print_refusal(ctx, &e);
		} else {
			print_err("commit", &e);
		}
	}
	kgate_pipe_free(p);
	return err ? CLI_FAIL : CLI_OK;
}

int cmd_batch(const struct cli *cli, int argc, char **argv)
{
	const char *path, *name;
	struct batch_file bf;
	struct kgate_sock *s;
	struct kgate_err e;
	int errors, ret;
	FILE *f;

	(void)cli;
	if (argc == 2 && is_help(argv[1])) {
		usage_batch(stdout);
		return CLI_OK;
	}
	if (argc != 3 || strcmp(argv[1], "-f"))
		return usage_error("usage: kgate batch -f FILE");
	path = argv[2];
	name = strcmp(path, "-") ? path : "<stdin>";
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "kgate: %s: %s\n", path, strerror(errno));
		return CLI_FAIL;
	}
	errors = batch_read(f, name, &bf, stderr);
	if (f != stdin)
		fclose(f);
	if (errors) {
		batch_free(&bf);
		return errors < 0 ? CLI_FAIL : CLI_USAGE;
	}
	ret = CLI_OK;
	if (bf.n) {
		if (kgate_open(&s, &e)) {
			print_err(NULL, &e);
			ret = CLI_FAIL;
		} else {
			ret = send_batch(s, &bf);
			kgate_close(s);
		}
	}
	batch_free(&bf);
	return ret;
}

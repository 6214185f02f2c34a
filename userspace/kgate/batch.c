// SPDX-License-Identifier: GPL-2.0
/*
 * kgate batch -f FILE: every line one command, all applied as one
 * transaction (kgate_apply()); a refusal is reported by its line.
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

struct refusals {
	const struct batch_file *bf;
	size_t n;
};

static void on_refusal(size_t index, const struct kgate_err *e, void *data)
{
	struct refusals *r = data;
	char ctx[32];

	snprintf(ctx, sizeof(ctx), "line %u", r->bf->lines[index].line);
	print_refusal(ctx, e);
	r->n++;
}

/* Stage every command and commit; returns an exit status. */
static int send_batch(struct kgate_sock *s, const struct batch_file *bf)
{
	struct kgate_op *ops = calloc(bf->n, sizeof(*ops));
	struct refusals r = { .bf = bf };
	struct kgate_err e;
	size_t i;
	int err;

	if (!ops) {
		fprintf(stderr, "kgate: out of memory\n");
		return CLI_FAIL;
	}
	for (i = 0; i < bf->n; i++) {
		ops[i].cmd = bf->lines[i].cmd.cmd;
		ops[i].obj = cli_cmd_obj(&bf->lines[i].cmd);
	}
	err = kgate_apply(s, ops, bf->n, on_refusal, &r, &e);
	free(ops);
	if (err && !r.n)	/* else printed by line */
		print_err("batch", &e);
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

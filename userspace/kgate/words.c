// SPDX-License-Identifier: GPL-2.0
/*
 * Words of a batch line, and words written so that they read back the
 * same: the quoting "route save" and "kgate batch" agree on.
 *
 * Blanks separate words.  Inside '...' every byte is literal; inside
 * "..." too, but for \" and \\; outside quotes a backslash keeps the
 * byte after it.  Quotes join with what touches them: a"b c"d is one word.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cli.h"

static int grow(char ***argv, size_t *cap, int argc)
{
	size_t ncap;
	char **n;

	if ((size_t)argc + 1 < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	n = realloc(*argv, ncap * sizeof(*n));
	if (!n)
		return -1;
	*argv = n;
	*cap = ncap;
	return 0;
}

/*
 * One word from *@pp, unquoted in place at @w (never past the read
 * position): 0, or -2 when a quote is not closed.
 */
static int word(char **pp, char *w)
{
	char *p = *pp, q = 0;

	while (*p && (q || !isspace((unsigned char)*p))) {
		if (q == '\'' && *p == '\'') {
			q = 0;
		} else if (q == '"' && *p == '"') {
			q = 0;
		} else if (!q && (*p == '\'' || *p == '"')) {
			q = *p;
		} else if (q != '\'' && *p == '\\' && p[1] &&
			   (!q || p[1] == '"' || p[1] == '\\')) {
			*w++ = *++p;
		} else {
			*w++ = *p;
		}
		p++;
	}
	if (q)
		return -2;
	*pp = *p ? p + 1 : p;
	*w = '\0';
	return 0;
}

int cli_split(char *line, char ***argv, size_t *cap)
{
	char *p = line;
	int argc = 0;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return argc;
		if (grow(argv, cap, argc))
			return -1;
		(*argv)[argc++] = p;
		if (word(&p, p))
			return -2;
	}
}

static bool plain(const char *s)
{
	if (!*s || *s == '#')
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || *s == '"' || *s == '\'' ||
		    *s == '\\')
			return false;
	return true;
}

void cli_put_word(FILE *f, const char *s)
{
	if (plain(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* "name=value" as one word: quoted parts join with the '=' between. */
void cli_put_kv(FILE *f, const char *name, const char *value)
{
	cli_put_word(f, name);
	fputc('=', f);
	if (*value)
		cli_put_word(f, value);
}

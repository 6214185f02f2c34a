// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON writer. */
#include <inttypes.h>

#include "json.h"

void kgate_json_init(struct kgate_json *j, FILE *f, bool pretty)
{
	*j = (struct kgate_json){ .f = f, .pretty = pretty };
	j->first[0] = true;
}

static void newline(struct kgate_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator and indentation before a value or key at the current level. */
static void before_item(struct kgate_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth)
		newline(j);
}

static void open_level(struct kgate_json *j, char c)
{
	before_item(j);
	fputc(c, j->f);
	if (j->depth + 1 < KGATE_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_level(struct kgate_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		newline(j);
	fputc(c, j->f);
}

void kgate_json_obj_open(struct kgate_json *j)
{
	open_level(j, '{');
}

void kgate_json_obj_close(struct kgate_json *j)
{
	close_level(j, '}');
}

void kgate_json_arr_open(struct kgate_json *j)
{
	open_level(j, '[');
}

void kgate_json_arr_close(struct kgate_json *j)
{
	close_level(j, ']');
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	unsigned int c = s[0], cp;
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;	/* overlong, surrogate or beyond Unicode */
	return n;
}

void kgate_json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		int n = utf8_len(s);

		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\u%04x", *s);
			else
				fputc(*s, f);
		}
		s++;
	}
	fputc('"', f);
}

void kgate_json_key(struct kgate_json *j, const char *key)
{
	before_item(j);
	kgate_json_escape(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void kgate_json_str(struct kgate_json *j, const char *s)
{
	before_item(j);
	kgate_json_escape(j->f, s);
}

void kgate_json_uint(struct kgate_json *j, uint64_t v)
{
	before_item(j);
	fprintf(j->f, "%" PRIu64, v);
}

void kgate_json_bool(struct kgate_json *j, bool v)
{
	before_item(j);
	fputs(v ? "true" : "false", j->f);
}

void kgate_json_null(struct kgate_json *j)
{
	before_item(j);
	fputs("null", j->f);
}

void kgate_json_kv_str(struct kgate_json *j, const char *key, const char *s)
{
	kgate_json_key(j, key);
	kgate_json_str(j, s);
}

void kgate_json_kv_uint(struct kgate_json *j, const char *key, uint64_t v)
{
	kgate_json_key(j, key);
	kgate_json_uint(j, v);
}

void kgate_json_kv_bool(struct kgate_json *j, const char *key, bool v)
{
	kgate_json_key(j, key);
	kgate_json_bool(j, v);
}

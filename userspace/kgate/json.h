/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: compact, or pretty with two-space
 * indentation.  Strings are escaped per RFC 8259; bytes that are not valid
 * UTF-8 become U+FFFD.  Commas and nesting are tracked by the writer, up
 * to KGATE_JSON_DEPTH - 1 levels.  The caller ends the document's line.
 */
#ifndef KGATE_JSON_H
#define KGATE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define KGATE_JSON_DEPTH	32

struct kgate_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[KGATE_JSON_DEPTH];	/* nothing written at this level */
	bool after_key;
};

void kgate_json_init(struct kgate_json *j, FILE *f, bool pretty);
void kgate_json_obj_open(struct kgate_json *j);
void kgate_json_obj_close(struct kgate_json *j);
void kgate_json_arr_open(struct kgate_json *j);
void kgate_json_arr_close(struct kgate_json *j);
void kgate_json_key(struct kgate_json *j, const char *key);
void kgate_json_str(struct kgate_json *j, const char *s);
void kgate_json_uint(struct kgate_json *j, uint64_t v);
void kgate_json_bool(struct kgate_json *j, bool v);
void kgate_json_null(struct kgate_json *j);

/* key + value in one call */
void kgate_json_kv_str(struct kgate_json *j, const char *key, const char *s);
void kgate_json_kv_uint(struct kgate_json *j, const char *key, uint64_t v);
void kgate_json_kv_bool(struct kgate_json *j, const char *key, bool v);

/* Write @s as a quoted, escaped JSON string. */
void kgate_json_escape(FILE *f, const char *s);

#endif

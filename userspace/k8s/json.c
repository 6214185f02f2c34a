// SPDX-License-Identifier: GPL-2.0
/*
 * JSON into nodes, with jansson.  jansson keeps no positions, so nodes of
 * a JSON document carry the file and line 0: messages name the file and
 * the field path, and a syntax error its line and column.  Duplicate keys
 * are refused.  A top-level array holds one document per element.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "doc.h"

#define DEPTH_MAX	256

static struct kk_node *convert(struct kk_docs *docs, const char *file,
			       json_t *j, int depth);

static int set_text(struct kk_docs *docs, struct kk_node *n, const char *s)
{
	n->text = kk_strndup(docs, s, strlen(s));
	return n->text ? 0 : -ENOMEM;
}

static int convert_scalar(struct kk_docs *docs, struct kk_node *n, json_t *j)
{
	char buf[64];

	switch (json_typeof(j)) {
	case JSON_STRING:
		n->type = KK_STR;
		n->text = kk_strndup(docs, json_string_value(j),
				     json_string_length(j));
		if (!n->text)
			return -ENOMEM;
		n->s = n->text;
		/* A NUL inside: the text is cut there, and refused. */
		return strlen(n->text) == json_string_length(j) ? 0 : -EINVAL;
	case JSON_INTEGER:
		n->type = KK_INT;
		n->i = json_integer_value(j);
		snprintf(buf, sizeof(buf), "%" PRId64, n->i);
		return set_text(docs, n, buf);
	case JSON_REAL:
		n->type = KK_FLOAT;
		n->f = json_real_value(j);
		snprintf(buf, sizeof(buf), "%g", n->f);
		return set_text(docs, n, buf);
	case JSON_TRUE:
	case JSON_FALSE:
		n->type = KK_BOOL;
		n->b = json_is_true(j);
		return set_text(docs, n, n->b ? "true" : "false");
	default:
		n->type = KK_NULL;
		return set_text(docs, n, "null");
	}
}

static int convert_object(struct kk_docs *docs, const char *file,
			  struct kk_node *n, json_t *j, int depth)
{
	const char *key;
	json_t *value;
	size_t i = 0;

	n->type = KK_MAP;
	n->map.n = json_object_size(j);
	n->map.v = kk_alloc(docs, (n->map.n ? n->map.n : 1) *
				  sizeof(*n->map.v));
	if (!n->map.v)
		return -ENOMEM;
	json_object_foreach(j, key, value) {
		struct kk_pair *p = &n->map.v[i++];

		p->key = kk_strndup(docs, key, strlen(key));
		p->key_pos = n->pos;
		p->value = convert(docs, file, value, depth + 1);
		if (!p->key || !p->value)
			return -ENOMEM;
	}
	return 0;
}

static int convert_array(struct kk_docs *docs, const char *file,
			 struct kk_node *n, json_t *j, int depth)
{
	size_t i;

	n->type = KK_SEQ;
	n->seq.n = json_array_size(j);
	n->seq.v = kk_alloc(docs, (n->seq.n ? n->seq.n : 1) *
				  sizeof(*n->seq.v));
	if (!n->seq.v)
		return -ENOMEM;
	for (i = 0; i < n->seq.n; i++) {
		n->seq.v[i] = convert(docs, file, json_array_get(j, i),
				      depth + 1);
		if (!n->seq.v[i])
			return -ENOMEM;
	}
	return 0;
}

/* NULL on ENOMEM, or deeper than DEPTH_MAX, or a NUL in a string. */
static struct kk_node *convert(struct kk_docs *docs, const char *file,
			       json_t *j, int depth)
{
	struct kk_node *n = kk_alloc(docs, sizeof(*n));
	int err;

	if (!n || depth > DEPTH_MAX)
		return NULL;
	n->pos = (struct kk_pos){ file, 0, 0 };
	if (json_is_object(j))
		err = convert_object(docs, file, n, j, depth);
	else if (json_is_array(j))
		err = convert_array(docs, file, n, j, depth);
	else
		err = convert_scalar(docs, n, j);
	return err ? NULL : n;
}

int kk_load_json(struct kk_docs *docs, const char *file, const char *text,
		 size_t len, struct kk_diag *d)
{
	size_t before = docs->n, i;
	struct kk_node *root;
	json_error_t jerr;
	struct kk_pos pos;
	json_t *j;
	int err = 0;

	j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!j) {
		pos = (struct kk_pos){ file, jerr.line > 0 ? jerr.line : 0,
				       jerr.column > 0 ? jerr.column : 0 };
		kk_diag_add(d, KK_ERROR, &pos, NULL, NULL, "%s", jerr.text);
		return -EINVAL;
	}
	root = convert(docs, file, j, 0);
	if (!root) {
		pos = (struct kk_pos){ file, 0, 0 };
		kk_diag_add(d, KK_ERROR, &pos, NULL, NULL, "a string with a NUL "
			    "byte, or nested deeper than 256 levels");
		err = -EINVAL;
	} else if (root->type == KK_SEQ) {
		for (i = 0; !err && i < root->seq.n; i++)
			err = kk_docs_add(docs, root->seq.v[i], file,
					  (unsigned int)i);
	} else {
		err = kk_docs_add(docs, root, file, 0);
	}
	json_decref(j);
	if (err)
		docs->n = before;
	return err;
}

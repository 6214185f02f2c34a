// SPDX-License-Identifier: GPL-2.0
/*
 * YAML into nodes, with libyaml's event parser.  Plain scalars are typed
 * by the YAML 1.2 core schema (null, true / false, integers, floats, the
 * rest strings); quoted ones and those tagged !!str are strings.  Aliases
 * share the anchored node.  Duplicate keys are refused, as Kubernetes'
 * strict decoding does.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "doc.h"

#define DEPTH_MAX	256
#define ANCHORS_MAX	1024

struct anchor {
	const char *name;
	struct kk_node *node;
};

struct ystate {
	struct kk_docs *docs;
	struct kk_diag *d;
	const char *file;
	struct kk_node *stack[DEPTH_MAX];
	const char *keys[DEPTH_MAX];	/* a map's pending key, or NULL */
	struct kk_pos key_pos[DEPTH_MAX];
	int depth;
	struct anchor anchors[ANCHORS_MAX];
	size_t n_anchors;
	struct kk_node *root;
};

static struct kk_pos pos_of(const struct ystate *y, yaml_mark_t m)
{
	return (struct kk_pos){ y->file, (unsigned int)m.line + 1,
				(unsigned int)m.column + 1 };
}

static int fail(struct ystate *y, yaml_mark_t m, const char *fmt,
		const char *arg)
{
	struct kk_pos p = pos_of(y, m);

	kk_diag_add(y->d, KK_ERROR, &p, NULL, NULL, fmt, arg);
	return -EINVAL;
}

static bool all_digits(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

static bool is_float(const char *s)
{
	char *end;

	if (!strcmp(s, ".inf") || !strcmp(s, "-.inf") || !strcmp(s, "+.inf") ||
	    !strcmp(s, ".nan") || !strcmp(s, ".NaN"))
		return true;
	if (!strpbrk(s, "0123456789") || strpbrk(s, "xXoO_"))
		return false;
	strtod(s, &end);
	return *end == '\0' && strspn(s, "+-.0123456789eE") == strlen(s);
}

/*
 * Can a plain scalar starting with @c be anything but a string?  Null,
 * booleans and numbers all start with one of these (a float that strtod()
 * reads whole starts with a sign, a dot or a digit).  Most scalars, keys
 * included, do not: they skip the comparisons below.
 */
static bool maybe_typed(char c)
{
	switch (c) {
	case '\0': case '~': case 'n': case 'N': case 't': case 'T':
	case 'f': case 'F': case '+': case '-': case '.':
		return true;
	default:
		return c >= '0' && c <= '9';
	}
}

/* Type a plain scalar by the core schema. */
static void resolve_plain(struct kk_node *n)
{
	const char *s = n->text, *digits = s + (*s == '-' || *s == '+');

	if (!maybe_typed(*s)) {
		n->type = KK_STR;
		n->s = n->text;
	} else if (!*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL")) {
		n->type = KK_NULL;
	} else if (!strcmp(s, "true") || !strcmp(s, "True") ||
		   !strcmp(s, "TRUE")) {
		n->type = KK_BOOL;
		n->b = true;
	} else if (!strcmp(s, "false") || !strcmp(s, "False") ||
		   !strcmp(s, "FALSE")) {
		n->type = KK_BOOL;
		n->b = false;
	} else if (all_digits(digits, "0123456789")) {
		errno = 0;
		n->i = strtoll(s, NULL, 10);
		n->type = errno ? KK_FLOAT : KK_INT;	/* too large: a number */
		if (n->type == KK_FLOAT)
			n->f = strtod(s, NULL);
	} else if (!strncmp(s, "0x", 2) && all_digits(s + 2,
						     "0123456789abcdefABCDEF")) {
		n->type = KK_INT;
		n->i = (int64_t)strtoull(s + 2, NULL, 16);
	} else if (!strncmp(s, "0o", 2) && all_digits(s + 2, "01234567")) {
		n->type = KK_INT;
		n->i = (int64_t)strtoull(s + 2, NULL, 8);
	} else if (is_float(s)) {
		n->type = KK_FLOAT;
		n->f = strstr(s, "inf") ? (*s == '-' ? -INFINITY : INFINITY) :
		       strstr(s, "an") ? NAN : strtod(s, NULL);
	} else {
		n->type = KK_STR;
		n->s = n->text;
	}
}

static int remember(struct ystate *y, const yaml_char_t *anchor,
		    struct kk_node *n, yaml_mark_t m)
{
	if (!anchor)
		return 0;
	if (y->n_anchors == ANCHORS_MAX)
		return fail(y, m, "more than %s anchors", "1024");
	y->anchors[y->n_anchors].name = kk_strndup(y->docs,
						   (const char *)anchor,
						   strlen((const char *)anchor));
	if (!y->anchors[y->n_anchors].name)
		return -ENOMEM;
	y->anchors[y->n_anchors++].node = n;
	return 0;
}

static struct kk_node *alias(struct ystate *y, const yaml_char_t *name)
{
	size_t i;

	for (i = y->n_anchors; i-- > 0;)
		if (!strcmp(y->anchors[i].name, (const char *)name))
			return y->anchors[i].node;
	return NULL;
}

static int grow_seq(struct ystate *y, struct kk_node *seq,
		    struct kk_node *item)
{
	struct kk_node **v;

	/* Arena arrays double by copying: a list of n items costs 2n. */
	if (!(seq->seq.n & (seq->seq.n - 1))) {
		v = kk_alloc(y->docs, 2 * (seq->seq.n ? seq->seq.n : 1) *
				      sizeof(*v));
		if (!v)
			return -ENOMEM;
		if (seq->seq.n)
			memcpy(v, seq->seq.v, seq->seq.n * sizeof(*v));
		seq->seq.v = v;
	}
	seq->seq.v[seq->seq.n++] = item;
	return 0;
}

static int grow_map(struct ystate *y, struct kk_node *map, const char *key,
		    struct kk_pos key_pos, struct kk_node *value)
{
	struct kk_pair *v;

	if (!(map->map.n & (map->map.n - 1))) {
		v = kk_alloc(y->docs, 2 * (map->map.n ? map->map.n : 1) *
				      sizeof(*v));
		if (!v)
			return -ENOMEM;
		if (map->map.n)
			memcpy(v, map->map.v, map->map.n * sizeof(*v));
		map->map.v = v;
	}
	map->map.v[map->map.n++] = (struct kk_pair){ key, key_pos, value };
	return 0;
}

/* Place @n where the parser is: a document root, a list item, a value. */
static int place(struct ystate *y, struct kk_node *n, yaml_mark_t m)
{
	struct kk_node *top;
	int k = y->depth - 1;

	if (k < 0) {
		y->root = n;
		return 0;
	}
	top = y->stack[k];
	if (top->type == KK_SEQ)
		return grow_seq(y, top, n);
	if (!y->keys[k]) {		/* n is a key */
		if (n->type == KK_SEQ || n->type == KK_MAP)
			return fail(y, m, "a map key must be a %s", "scalar");
		if (kk_get_pair(top, n->text))
			return fail(y, m, "duplicate key \"%s\"", n->text);
		y->keys[k] = n->text;
		y->key_pos[k] = n->pos;
		return 0;
	}
	if (grow_map(y, top, y->keys[k], y->key_pos[k], n))
		return -ENOMEM;
	y->keys[k] = NULL;
	return 0;
}

static struct kk_node *new_node(struct ystate *y, enum kk_type type,
				yaml_mark_t m)
{
	struct kk_node *n = kk_alloc(y->docs, sizeof(*n));

	if (n) {
		n->type = type;
		n->pos = pos_of(y, m);
	}
	return n;
}

static int scalar(struct ystate *y, const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	struct kk_node *n = new_node(y, KK_STR, ev->start_mark);

	if (!n)
		return -ENOMEM;
	n->text = kk_strndup(y->docs, (const char *)ev->data.scalar.value,
			     ev->data.scalar.length);
	if (!n->text)
		return -ENOMEM;
	if (strlen(n->text) != ev->data.scalar.length)
		return fail(y, ev->start_mark, "a NUL byte in a %s", "scalar");
	n->s = n->text;
	if (tag && !strcmp(tag, YAML_STR_TAG))
		n->type = KK_STR;
	else if (ev->data.scalar.plain_implicit || (tag && !strcmp(tag,
		 YAML_INT_TAG)) || (tag && !strcmp(tag, YAML_BOOL_TAG)) ||
		 (tag && !strcmp(tag, YAML_NULL_TAG)) ||
		 (tag && !strcmp(tag, YAML_FLOAT_TAG)))
		resolve_plain(n);
	int err = remember(y, ev->data.scalar.anchor, n, ev->start_mark);

	return err ? err : place(y, n, ev->start_mark);
}

static int open_node(struct ystate *y, const yaml_event_t *ev,
		     enum kk_type type, const yaml_char_t *anchor)
{
	struct kk_node *n = new_node(y, type, ev->start_mark);
	int err;

	if (!n)
		return -ENOMEM;
	if (y->depth == DEPTH_MAX)
		return fail(y, ev->start_mark, "nested deeper than %s levels",
			    "256");
	err = remember(y, anchor, n, ev->start_mark);
	if (!err)
		err = place(y, n, ev->start_mark);
	if (err)
		return err;
	y->keys[y->depth] = NULL;
	y->stack[y->depth++] = n;
	return 0;
}

/* One event; 1 at the end of the stream. */
static int event(struct ystate *y, const yaml_event_t *ev, unsigned int *index)
{
	struct kk_node *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		y->root = NULL;
		y->depth = 0;
		y->n_anchors = 0;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		/* An empty document is no object: kubectl skips it too. */
		if (y->root && y->root->type != KK_NULL &&
		    kk_docs_add(y->docs, y->root, y->file, *index))
			return -ENOMEM;
		(*index)++;
		return 0;
	case YAML_SCALAR_EVENT:
		return scalar(y, ev);
	case YAML_SEQUENCE_START_EVENT:
		return open_node(y, ev, KK_SEQ, ev->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		return open_node(y, ev, KK_MAP, ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		y->depth--;
		return 0;
	case YAML_ALIAS_EVENT:
		n = alias(y, ev->data.alias.anchor);
		if (!n)
			return fail(y, ev->start_mark, "unknown alias \"%s\"",
				    (const char *)ev->data.alias.anchor);
		return place(y, n, ev->start_mark);
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

static int parse_error(struct ystate *y, const yaml_parser_t *p)
{
	struct kk_pos pos = pos_of(y, p->problem_mark);

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->context)
		kk_diag_add(y->d, KK_ERROR, &pos, NULL, NULL, "%s %s",
			    p->problem ? p->problem : "invalid YAML",
			    p->context);
	else
		kk_diag_add(y->d, KK_ERROR, &pos, NULL, NULL, "%s",
			    p->problem ? p->problem : "invalid YAML");
	return -EINVAL;
}

int kk_load_yaml(struct kk_docs *docs, const char *file, const char *text,
		 size_t len, struct kk_diag *d)
{
	struct ystate *y = calloc(1, sizeof(*y));
	size_t before = docs->n;
	unsigned int index = 0;
	yaml_parser_t p;
	yaml_event_t ev;
	int err = 0;

	if (!y)
		return -ENOMEM;
	y->docs = docs;
	y->d = d;
	y->file = file;
	if (!yaml_parser_initialize(&p)) {
		free(y);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!err) {
		if (!yaml_parser_parse(&p, &ev)) {
			err = parse_error(y, &p);
			break;
		}
		err = event(y, &ev, &index);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(y);
	if (err < 0) {
		docs->n = before;	/* nothing of a text that fails */
		return err;
	}
	return 0;
}

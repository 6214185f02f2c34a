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
	unsigned int line0;		/* lines of the file before the text */
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
	return (struct kk_pos){ y->file, y->line0 + (unsigned int)m.line + 1,
				(unsigned int)m.column + 1 };
}

static int fail(struct ystate *y, yaml_mark_t m, const char *fmt,
		const char *arg)
{
	struct kk_pos p = pos_of(y, m);

	kk_diag_add(y->d, KK_ERROR, &p, NULL, NULL, fmt, arg);
	return -EINVAL;
}

/* @s is digits of base @base (8, 10 or 16), at least one. */
static bool all_digits(const char *s, int base)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= '0' && c <= (base == 8 ? '7' : '9')) ||
		      (base == 16 && ((c >= 'a' && c <= 'f') ||
				      (c >= 'A' && c <= 'F')))))
			return false;
	}
	return true;
}

static bool is_float(const char *s)
{
	const char *dot;
	char *end;

	if (!strcmp(s, ".inf") || !strcmp(s, "-.inf") || !strcmp(s, "+.inf") ||
	    !strcmp(s, ".nan") || !strcmp(s, ".NaN"))
		return true;
	if (!strpbrk(s, "0123456789") || strpbrk(s, "xXoO_"))
		return false;
	/* strtod() reads one dot at most: "10.96.0.1" is no float. */
	dot = strchr(s, '.');
	if (dot && strchr(dot + 1, '.'))
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
	} else if (all_digits(digits, 10)) {
		errno = 0;
		n->i = strtoll(s, NULL, 10);
		n->type = errno ? KK_FLOAT : KK_INT;	/* too large: a number */
		if (n->type == KK_FLOAT)
			n->f = strtod(s, NULL);
	} else if (!strncmp(s, "0x", 2) && all_digits(s + 2, 16)) {
		n->type = KK_INT;
		n->i = (int64_t)strtoull(s + 2, NULL, 16);
	} else if (!strncmp(s, "0o", 2) && all_digits(s + 2, 8)) {
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


/* ---- the fast path ------------------------------------------------------ */

/*
 * Manifests are nearly always a small part of YAML: block maps and lists,
 * one scalar a line, plain or quoted without escapes, comments, "---"
 * between documents.  libyaml spends most of a load on them (its scanner,
 * a malloc per token).  The fast path reads that part into the very
 * events libyaml would give, marks included, and only once the whole text
 * is read does it hand them on; on anything else (anchors, tags, flow
 * collections but {} and [], block scalars, scalars over several lines,
 * tabs, bytes outside printable ASCII, syntax errors) it gives up and
 * libyaml reads the text, so its messages are what the user sees.
 */

#define FAST_DEPTH_MAX	200
#define FAST_KEY_MAX	1000	/* libyaml's simple keys: 1024 characters */

struct fev {
	yaml_event_type_t type;
	bool plain;
	unsigned int line, col;		/* 0-based, as libyaml's marks */
	const char *s;
	size_t len;
};

enum { LN_CONTENT, LN_DOC, LN_EOF };

struct fast {
	const char *end;
	const char *next;		/* the start of the line after */
	unsigned int next_line;		/* its number */
	const char *ls, *c, *e;		/* line, content, end of line */
	unsigned int line;
	int ind;			/* the column of c */
	int kind;			/* LN_* */
	int depth;
	struct fev *v;
	size_t n, cap;
};

static int fast_emit(struct fast *f, yaml_event_type_t type, const char *at,
		     const char *s, size_t len, bool plain)
{
	struct fev *v;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		v = realloc(f->v, f->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->v = v;
	}
	f->v[f->n++] = (struct fev){ type, plain, f->line,
				     (unsigned int)(at - f->ls), s, len };
	return 0;
}

/* Only printable ASCII and newlines: columns are then bytes. */
static bool fast_bytes_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\n') || p[i] > 0x7e)
			return false;
	return true;
}

/* Nothing left on the line but blanks and a comment? */
static bool fast_rest_empty(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && *q == ' ')
		q++;
	return q == e || (*q == '#' && (q > p || q[-1] == ' '));
}

/* The next line that is neither blank nor a comment; -1: give up. */
static int fast_next(struct fast *f)
{
	const char *p, *e;

	for (;;) {
		if (f->next >= f->end) {
			f->kind = LN_EOF;
			return 0;
		}
		p = f->next;
		e = memchr(p, '\n', (size_t)(f->end - p));
		if (!e)
			e = f->end;
		f->next = e + 1;
		f->line = f->next_line++;
		f->ls = p;
		f->e = e;
		f->c = p;
		while (f->c < e && *f->c == ' ')
			f->c++;
		f->ind = (int)(f->c - p);
		if (f->c == e || *f->c == '#')
			continue;
		if (p[0] == '-' && e - p == 3 && !memcmp(p, "---", 3)) {
			f->kind = LN_DOC;
			return 0;
		}
		/* Other markers, directives: libyaml's. */
		if ((e - p >= 3 && (!memcmp(p, "---", 3) ||
				    !memcmp(p, "...", 3))) || p[0] == '%')
			return -1;
		f->kind = LN_CONTENT;
		return 0;
	}
}

static bool fast_seq_line(const struct fast *f)
{
	return f->c[0] == '-' && (f->c + 1 == f->e || f->c[1] == ' ');
}

/* A quoted scalar at @p: its end (after the quote), or NULL. */
static const char *fast_quoted(const char *p, const char *e)
{
	const char *q = memchr(p + 1, *p, (size_t)(e - p - 1));

	if (!q || (*p == '\'' && q + 1 < e && q[1] == '\'') ||
	    (*p == '"' && memchr(p + 1, '\\', (size_t)(q - p - 1))))
		return NULL;	/* none, or escapes */
	return q + 1;
}

/* May a plain scalar start with @p (whose line ends at @e)? */
static bool fast_plain_start(const char *p, const char *e)
{
	switch (*p) {
	case '-':
		return p + 1 < e && p[1] != ' ';
	case '?': case ':': case ',': case '[': case ']': case '{': case '}':
	case '#': case '&': case '*': case '!': case '|': case '>': case '\'':
	case '"': case '%': case '@': case '`':
		return false;
	default:
		return true;
	}
}

/* Does @c end a plain scalar in a flow collection (or the fast path)? */
static bool fast_flow_stop(char c)
{
	switch (c) {
	case ',': case '[': case ']': case '{': case '}': case '#': case ':':
		return true;
	default:
		return false;
	}
}

/*
 * A key at @p: 1 with *@colon set, 0 when the line is no key (as far as
 * the fast path can tell), -1 when libyaml must read it.
 */
static int fast_key(const char *p, const char *e, const char **colon)
{
	const char *q;

	if (*p == '\'' || *p == '"') {
		q = fast_quoted(p, e);
		if (!q || q == e || *q != ':')
			return q ? 0 : -1;
		if (q + 1 < e && q[1] != ' ')
			return -1;
	} else {
		if (!fast_plain_start(p, e))
			return 0;
		for (q = p; q < e; q++) {
			if (*q == '#')
				return 0;
			if (*q == ':' && (q + 1 == e || q[1] == ' '))
				break;
		}
		if (q == e || q[-1] == ' ')
			return q == e ? 0 : -1;
	}
	if (q - p > FAST_KEY_MAX)
		return -1;
	*colon = q;
	return 1;
}

/* The key (at @p, its colon at @colon) as a scalar event. */
static int fast_key_event(struct fast *f, const char *p, const char *colon)
{
	if (*p == '\'' || *p == '"')
		return fast_emit(f, YAML_SCALAR_EVENT, p, p + 1,
				 (size_t)(colon - p - 2), false);
	return fast_emit(f, YAML_SCALAR_EVENT, p, p, (size_t)(colon - p),
			 true);
}

/*
 * A scalar in a flow collection at *@p, *@p moved past it: plain (up to a
 * flow indicator, or ": " after a key) or quoted.  -1 for the rest: a
 * colon elsewhere, a comment, the end of the line, a nested collection.
 */
static int fast_flow_scalar(struct fast *f, const char **p, bool key)
{
	const char *q = *p, *e = f->e, *r, *end;

	if (q < e && (*q == '\'' || *q == '"')) {
		r = fast_quoted(q, e);
		if (!r)
			return -1;
		*p = r;
		return fast_emit(f, YAML_SCALAR_EVENT, q, q + 1,
				 (size_t)(r - q - 2), false);
	}
	if (q == e || !fast_plain_start(q, e))
		return -1;
	for (r = q; r < e && !fast_flow_stop(*r); r++)
		;
	if (r == e || *r == '#' || *r == '[' || *r == '{' ||
	    (*r == ':' && (!key || r + 1 == e || r[1] != ' ')))
		return -1;
	for (end = r; end[-1] == ' '; end--)
		;
	*p = r;
	return fast_emit(f, YAML_SCALAR_EVENT, q, q, (size_t)(end - q), true);
}

/*
 * A flow collection of scalars on one line at @p: [a, b] or {k: v, ...},
 * nothing after it but a comment.
 */
static int fast_flow(struct fast *f, const char *p)
{
	bool map = *p == '{';
	char close = map ? '}' : ']';
	const char *q = p + 1, *e = f->e;
	int err;

	err = fast_emit(f, map ? YAML_MAPPING_START_EVENT :
			YAML_SEQUENCE_START_EVENT, p, NULL, 0, false);
	while (q < e && *q == ' ')
		q++;
	while (!err && q < e && *q != close) {
		err = fast_flow_scalar(f, &q, map);
		if (!err && map) {
			if (q + 1 >= e || q[0] != ':' || q[1] != ' ')
				return -1;
			for (q++; q < e && *q == ' '; q++)
				;
			err = fast_flow_scalar(f, &q, false);
		}
		while (q < e && *q == ' ')
			q++;
		if (err || q == e || *q == close)
			break;
		if (*q != ',')
			return -1;
		for (q++; q < e && *q == ' '; q++)
			;
		if (q < e && *q == close)
			return -1;	/* a trailing comma */
	}
	if (err || q == e || !fast_rest_empty(q + 1, e))
		return err ? err : -1;
	return fast_emit(f, map ? YAML_MAPPING_END_EVENT :
			 YAML_SEQUENCE_END_EVENT, q, NULL, 0, false);
}

/* A value on its line at @p, the rest of the line: a scalar, {} or []. */
static int fast_value(struct fast *f, const char *p)
{
	const char *e = f->e, *q, *end;

	if (*p == '\'' || *p == '"') {
		q = fast_quoted(p, e);
		if (!q || !fast_rest_empty(q, e))
			return -1;
		return fast_emit(f, YAML_SCALAR_EVENT, p, p + 1,
				 (size_t)(q - p - 2), false);
	}
	if (*p == '{' || *p == '[')
		return fast_flow(f, p);
	if (!fast_plain_start(p, e))
		return -1;
	for (q = p; q < e; q++) {
		if (*q == '#' && q[-1] == ' ')
			break;
		if (*q == ':' && (q + 1 == e || q[1] == ' '))
			return -1;	/* a map here: an error */
	}
	for (end = q; end[-1] == ' '; end--)
		;
	return fast_emit(f, YAML_SCALAR_EVENT, p, p, (size_t)(end - p), true);
}

static int fast_block(struct fast *f);

/* An empty value: a null scalar at @at, as libyaml marks it. */
static int fast_null(struct fast *f, unsigned int line, const char *ls,
		     const char *at)
{
	int err = fast_emit(f, YAML_SCALAR_EVENT, at, "", 0, true);

	if (!err) {
		f->v[f->n - 1].line = line;
		f->v[f->n - 1].col = (unsigned int)(at - ls);
	}
	return err;
}

/*
 * After "KEY:" or "-" ending a line at @at, of a collection at @ind: the
 * block below (more indented, or a list at @ind after a key), else null.
 */
static int fast_below(struct fast *f, int ind, bool key, const char *at)
{
	unsigned int line = f->line;
	const char *ls = f->ls;

	if (fast_next(f))
		return -1;
	if (f->kind == LN_CONTENT &&
	    (f->ind > ind || (key && f->ind == ind && fast_seq_line(f))))
		return fast_block(f);
	return fast_null(f, line, ls, at);
}

/* After a value on its line: the next line, which cannot continue it. */
static int fast_after_value(struct fast *f, int ind)
{
	if (fast_next(f))
		return -1;
	return f->kind == LN_CONTENT && f->ind > ind ? -1 : 0;
}

/* The current line ends the collection at @ind: 1; continues it: 0. */
static int fast_ends(const struct fast *f, int ind)
{
	if (f->kind != LN_CONTENT || f->ind < ind)
		return 1;
	return f->ind > ind ? -1 : 0;
}

static int fast_map(struct fast *f)
{
	int ind = f->ind, err;
	const char *colon, *v;

	err = fast_emit(f, YAML_MAPPING_START_EVENT, f->c, NULL, 0, false);
	while (!err) {
		if (fast_key(f->c, f->e, &colon) != 1)
			return -1;
		err = fast_key_event(f, f->c, colon);
		if (err)
			return err;
		for (v = colon + 1; v < f->e && *v == ' '; v++)
			;
		if (fast_rest_empty(colon + 1, f->e))
			err = fast_below(f, ind, true, colon + 1);
		else
			err = fast_value(f, v) ?: fast_after_value(f, ind);
		if (err)
			return err;
		err = fast_ends(f, ind);
		if (err)
			return err < 0 ? err : fast_emit(f,
				YAML_MAPPING_END_EVENT, f->c, NULL, 0, false);
	}
	return err;
}

static int fast_seq(struct fast *f)
{
	int ind = f->ind, err;
	const char *p, *colon;

	err = fast_emit(f, YAML_SEQUENCE_START_EVENT, f->c, NULL, 0, false);
	while (!err) {
		if (!fast_seq_line(f))
			break;
		p = f->c + 1;
		if (fast_rest_empty(p, f->e)) {
			err = fast_below(f, ind, false, p);
		} else {
			while (*p == ' ')
				p++;
			if (p[0] == '-' && (p + 1 == f->e || p[1] == ' ')) {
				err = 1;	/* "- - x": a list in the list */
			} else {
				err = fast_key(p, f->e, &colon);
				if (!err)
					err = fast_value(f, p) ?:
					      fast_after_value(f, ind);
			}
			if (err == 1) {	/* a collection from here on */
				f->c = p;
				f->ind = (int)(p - f->ls);
				err = fast_block(f);
			}
		}
		if (err)
			return err;
		err = fast_ends(f, ind);
		if (err < 0)
			return err;
		if (err)
			break;
	}
	return err < 0 ? err : fast_emit(f, YAML_SEQUENCE_END_EVENT, f->c,
					 NULL, 0, false);
}

/* The block collection starting on the current line. */
static int fast_block(struct fast *f)
{
	const char *colon;
	int err;

	if (++f->depth > FAST_DEPTH_MAX)
		return -1;
	if (fast_seq_line(f))
		err = fast_seq(f);
	else if (fast_key(f->c, f->e, &colon) == 1)
		err = fast_map(f);
	else
		err = -1;
	f->depth--;
	return err;
}

/* One document's content, up to "---" or the end. */
static int fast_doc(struct fast *f)
{
	int err;

	err = fast_emit(f, YAML_DOCUMENT_START_EVENT, f->c, NULL, 0, false);
	if (err)
		return err;
	if (f->kind == LN_CONTENT)
		err = fast_block(f);
	else if (f->kind == LN_DOC)
		err = fast_null(f, f->line, f->ls, f->ls);
	else	/* libyaml: the start of the line after the last */
		err = fast_null(f, f->next_line, f->end, f->end);
	if (!err && f->kind == LN_CONTENT)
		err = -1;	/* less indented than the root */
	return err ?: fast_emit(f, YAML_DOCUMENT_END_EVENT, f->c, NULL, 0,
				false);
}

/* The events of @text into @f: 0, -1 (libyaml's to read) or -ENOMEM. */
static int fast_parse(struct fast *f, const char *text, size_t len)
{
	int err;

	if (!fast_bytes_ok(text, len))
		return -1;
	f->next = f->ls = f->c = f->e = text;
	f->end = text + len;
	err = fast_next(f);
	while (!err && f->kind != LN_EOF) {
		if (f->kind == LN_DOC)
			err = fast_next(f);
		if (!err)
			err = fast_doc(f);
	}
	return err ?: fast_emit(f, YAML_STREAM_END_EVENT, f->c, NULL, 0,
				false);
}

/* The events read by the fast path, to the tree as libyaml's would go. */
static int fast_feed(struct ystate *y, const struct fast *f,
		     unsigned int *index)
{
	yaml_event_t ev;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < f->n; i++) {
		const struct fev *v = &f->v[i];

		memset(&ev, 0, sizeof(ev));
		ev.type = v->type;
		ev.start_mark.line = v->line;
		ev.start_mark.column = v->col;
		if (v->type == YAML_SCALAR_EVENT) {
			ev.data.scalar.value = (yaml_char_t *)v->s;
			ev.data.scalar.length = v->len;
			ev.data.scalar.plain_implicit = v->plain;
			ev.data.scalar.quoted_implicit = !v->plain;
		}
		err = event(y, &ev, index);
	}
	return err;
}

int kk_load_yaml(struct kk_docs *docs, const char *file, const char *text,
		 size_t len, unsigned int line0, unsigned int index0,
		 struct kk_diag *d)
{
	struct ystate *y = calloc(1, sizeof(*y));
	size_t before = docs->n;
	unsigned int index = index0;
	struct fast f;
	yaml_parser_t p;
	yaml_event_t ev;
	int err = 0;

	if (!y)
		return -ENOMEM;
	y->docs = docs;
	y->d = d;
	y->file = file;
	y->line0 = line0;
	memset(&f, 0, sizeof(f));
	err = fast_parse(&f, text, len);
	if (err != -1) {
		if (!err)
			err = fast_feed(y, &f, &index);
		free(f.v);
		goto out;
	}
	free(f.v);
	err = 0;
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
out:
	free(y);
	if (err < 0) {
		docs->n = before;	/* nothing of a text that fails */
		return err;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* kt_l7: listeners and routes as text; see kt_l7.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "kt_l7.h"

enum kind { U8, U16, U32, U64, STR, ADDR, NEST, LIST, SLIST, SKIP };

struct schema;

struct field {
	const char *name;
	enum kind kind;
	const struct schema *sub;	/* NEST, LIST */
};

struct schema {
	const struct field *f;
	unsigned int max;
};

#define SCHEMA(t) { t, sizeof(t) / sizeof(t[0]) - 1 }

static const struct field kv_f[] = {
	[KGATE_KV_A_NAME] = { "name", STR },
	[KGATE_KV_A_VALUE] = { "value", STR },
};
static const struct schema kv_s = SCHEMA(kv_f);

static const struct field range_f[] = {
	[KGATE_RANGE_A_ADDR] = { "addr", ADDR },
	[KGATE_RANGE_A_PLEN] = { "plen", U8 },
};
static const struct schema range_s = SCHEMA(range_f);

static const struct field limit_f[] = {
	[KGATE_LIM_A_HEAD_BYTES] = { "head_bytes", U32 },
	[KGATE_LIM_A_HEADERS] = { "headers", U32 },
	[KGATE_LIM_A_URI_BYTES] = { "uri_bytes", U32 },
	[KGATE_LIM_A_BODY_BYTES] = { "body_bytes", U64 },
	[KGATE_LIM_A_HEAD_TIMEOUT] = { "head_timeout", U32 },
	[KGATE_LIM_A_IDLE_TIMEOUT] = { "idle_timeout", U32 },
	[KGATE_LIM_A_CONNECT_TIMEOUT] = { "connect_timeout", U32 },
	[KGATE_LIM_A_RESPONSE_TIMEOUT] = { "response_timeout", U32 },
	[KGATE_LIM_A_PAD] = { "pad", SKIP },
};
static const struct schema limit_s = SCHEMA(limit_f);

static const struct field lis_f[] = {
	[KGATE_LIS_A_NAME] = { "name", STR },
	[KGATE_LIS_A_ADDR] = { "addr", ADDR },
	[KGATE_LIS_A_PORT] = { "port", U16 },
	[KGATE_LIS_A_MODE] = { "mode", U8 },
	[KGATE_LIS_A_DEFAULT_BACKEND] = { "default_backend", STR },
	[KGATE_LIS_A_FLAGS] = { "flags", U32 },
	[KGATE_LIS_A_MAX_CONNS] = { "max_conns", U32 },
	[KGATE_LIS_A_LIMITS] = { "limits", NEST, &limit_s },
	[KGATE_LIS_A_COUNTERS] = { "counters", SKIP },
	[KGATE_LIS_A_PAD] = { "pad", SKIP },
	[KGATE_LIS_A_OWNER] = { "owner", STR },
};
static const struct schema lis_s = SCHEMA(lis_f);

static const struct field match_f[] = {
	[KGATE_MATCH_A_PATH_TYPE] = { "path_type", U8 },
	[KGATE_MATCH_A_PATH] = { "path", STR },
	[KGATE_MATCH_A_METHOD] = { "method", STR },
	[KGATE_MATCH_A_HEADERS] = { "headers", LIST, &kv_s },
	[KGATE_MATCH_A_QUERY] = { "query", LIST, &kv_s },
};
static const struct schema match_s = SCHEMA(match_f);

static const struct field ref_f[] = {
	[KGATE_REF_A_SERVICE] = { "service", STR },
	[KGATE_REF_A_WEIGHT] = { "weight", U32 },
};
static const struct schema ref_s = SCHEMA(ref_f);

static const struct field hdrmod_f[] = {
	[KGATE_HDRMOD_A_SET] = { "set", LIST, &kv_s },
	[KGATE_HDRMOD_A_ADD] = { "add", LIST, &kv_s },
	[KGATE_HDRMOD_A_REMOVE] = { "remove", SLIST },
};
static const struct schema hdrmod_s = SCHEMA(hdrmod_f);

static const struct field redir_f[] = {
	[KGATE_REDIR_A_SCHEME] = { "scheme", STR },
	[KGATE_REDIR_A_HOSTNAME] = { "hostname", STR },
	[KGATE_REDIR_A_PORT] = { "port", U16 },
	[KGATE_REDIR_A_PATH_TYPE] = { "path_type", U8 },
	[KGATE_REDIR_A_PATH] = { "path", STR },
	[KGATE_REDIR_A_STATUS] = { "status", U16 },
};
static const struct schema redir_s = SCHEMA(redir_f);

static const struct field rewr_f[] = {
	[KGATE_REWR_A_HOSTNAME] = { "hostname", STR },
	[KGATE_REWR_A_PATH_TYPE] = { "path_type", U8 },
	[KGATE_REWR_A_PATH] = { "path", STR },
};
static const struct schema rewr_s = SCHEMA(rewr_f);

static const struct field rule_f[] = {
	[KGATE_RULE_A_MATCHES] = { "matches", LIST, &match_s },
	[KGATE_RULE_A_BACKENDS] = { "backends", LIST, &ref_s },
	[KGATE_RULE_A_REQ_HEADERS] = { "req_headers", NEST, &hdrmod_s },
	[KGATE_RULE_A_RESP_HEADERS] = { "resp_headers", NEST, &hdrmod_s },
	[KGATE_RULE_A_REDIRECT] = { "redirect", NEST, &redir_s },
	[KGATE_RULE_A_REWRITE] = { "rewrite", NEST, &rewr_s },
};
static const struct schema rule_s = SCHEMA(rule_f);

static const struct field rt_f[] = {
	[KGATE_RT_A_NAME] = { "name", STR },
	[KGATE_RT_A_KIND] = { "kind", U8 },
	[KGATE_RT_A_LISTENERS] = { "listeners", SLIST },
	[KGATE_RT_A_HOSTNAMES] = { "hostnames", SLIST },
	[KGATE_RT_A_RULES] = { "rules", LIST, &rule_s },
	[KGATE_RT_A_REWRITE_TARGET] = { "rewrite_target", STR },
	[KGATE_RT_A_RATE] = { "rate", U32 },
	[KGATE_RT_A_BURST] = { "burst", U32 },
	[KGATE_RT_A_ALLOW] = { "allow", LIST, &range_s },
	[KGATE_RT_A_COUNTERS] = { "counters", SKIP },
	[KGATE_RT_A_PAD] = { "pad", SKIP },
	[KGATE_RT_A_OWNER] = { "owner", STR },
};
static const struct schema rt_s = SCHEMA(rt_f);

/* ---- text to attributes ----------------------------------------------- */

struct lex {
	const char *p;
	const char *text;	/* for messages */
};

static int bad(struct lex *l, const char *what)
{
	fprintf(stderr, "kt_l7: %s at \"%.20s\" in \"%s\"\n", what, l->p,
		l->text);
	return -EINVAL;
}

static void blanks(struct lex *l)
{
	while (*l->p == ' ' || *l->p == '\n' || *l->p == '\t')
		l->p++;
}

/* A bare word (up to a blank or one of "{}[]=") or a quoted string. */
static int word(struct lex *l, char *buf, size_t len)
{
	size_t n = 0;

	blanks(l);
	if (*l->p == '"') {
		const char *end = strchr(l->p + 1, '"');

		if (!end || (size_t)(end - l->p - 1) >= len)
			return bad(l, "unterminated or long string");
		n = (size_t)(end - l->p - 1);
		memcpy(buf, l->p + 1, n);
		buf[n] = '\0';
		l->p = end + 1;
		return 0;
	}
	while (l->p[n] && !strchr(" \n\t{}[]=", l->p[n]))
		n++;
	if (!n || n >= len)
		return bad(l, "expected a word");
	memcpy(buf, l->p, n);
	buf[n] = '\0';
	l->p += n;
	return 0;
}

static int find(const struct schema *s, const char *name)
{
	for (unsigned int t = 1; t <= s->max; t++)
		if (s->f[t].name && !strcmp(s->f[t].name, name))
			return (int)t;
	return -1;
}

static int put_scalar(struct nlmsghdr *nlh, uint16_t type, enum kind k,
		      const char *v, struct lex *l)
{
	unsigned long long n = strtoull(v, NULL, 0);
	uint8_t a[16];

	switch (k) {
	case U8:
		mnl_attr_put_u8(nlh, type, (uint8_t)n);
		return 0;
	case U16:
		mnl_attr_put_u16(nlh, type, (uint16_t)n);
		return 0;
	case U32:
		mnl_attr_put_u32(nlh, type, (uint32_t)n);
		return 0;
	case U64:
		mnl_attr_put_u64(nlh, type, n);
		return 0;
	case STR:
		mnl_attr_put_strz(nlh, type, v);
		return 0;
	case ADDR:
		if (inet_pton(AF_INET, v, a) == 1)
			mnl_attr_put(nlh, type, 4, a);
		else if (inet_pton(AF_INET6, v, a) == 1)
			mnl_attr_put(nlh, type, 16, a);
		else
			return bad(l, "bad address");
		return 0;
	default:
		return bad(l, "not a scalar");
	}
}

static int put_attrs(struct nlmsghdr *nlh, const struct schema *s,
		     struct lex *l, char close);

/* The entries of a list up to ']', "[" already taken. */
static int put_items(struct nlmsghdr *nlh, const struct field *f,
		     struct lex *l)
{
	char v[512];

	for (;;) {
		blanks(l);
		if (*l->p == ']') {
			l->p++;
			return 0;
		}
		if (f->kind == SLIST) {
			if (word(l, v, sizeof(v)))
				return -EINVAL;
			mnl_attr_put_strz(nlh, KGATE_A_LIST_ITEM, v);
			continue;
		}
		if (*l->p != '{')
			return bad(l, "expected '{'");
		l->p++;
		struct nlattr *item = mnl_attr_nest_start(nlh,
							  KGATE_A_LIST_ITEM);

		if (put_attrs(nlh, f->sub, l, '}'))
			return -EINVAL;
		mnl_attr_nest_end(nlh, item);
	}
}

/* name=value, name{...}, name[...] up to @close. */
static int put_attrs(struct nlmsghdr *nlh, const struct schema *s,
		     struct lex *l, char close)
{
	char name[64], v[512];

	for (;;) {
		int t;

		blanks(l);
		if (*l->p == close) {
			if (close)
				l->p++;
			return 0;
		}
		if (word(l, name, sizeof(name)))
			return -EINVAL;
		t = find(s, name);
		if (t < 0)
			return bad(l, "unknown attribute");
		if (*l->p == '=') {
			l->p++;
			if (word(l, v, sizeof(v)) ||
			    put_scalar(nlh, (uint16_t)t, s->f[t].kind, v, l))
				return -EINVAL;
		} else if (*l->p == '{' && s->f[t].kind == NEST) {
			struct nlattr *n;

			l->p++;
			n = mnl_attr_nest_start(nlh, (uint16_t)t);
			if (put_attrs(nlh, s->f[t].sub, l, '}'))
				return -EINVAL;
			mnl_attr_nest_end(nlh, n);
		} else if (*l->p == '[' &&
			   (s->f[t].kind == LIST || s->f[t].kind == SLIST)) {
			struct nlattr *n;

			l->p++;
			n = mnl_attr_nest_start(nlh, (uint16_t)t);
			if (put_items(nlh, &s->f[t], l))
				return -EINVAL;
			mnl_attr_nest_end(nlh, n);
		} else {
			return bad(l, "expected '=', '{' or '['");
		}
	}
}

int kt_l7_put(struct kt_msg *m, enum kt_l7_obj obj, const char *text)
{
	struct lex l = { text, text };
	struct nlattr *nest = mnl_attr_nest_start(m->nlh, obj == KT_ROUTE ?
						  KGATE_A_ROUTE :
						  KGATE_A_LISTENER);
	int err = put_attrs(m->nlh, obj == KT_ROUTE ? &rt_s : &lis_s, &l,
			    '\0');

	mnl_attr_nest_end(m->nlh, nest);
	return err;
}

/* ---- attributes to text ----------------------------------------------- */

struct out {
	char *p;
	size_t left;
};

static void emit(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!o->left)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p, o->left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->left)
		n = (int)o->left - 1;
	o->p += n;
	o->left -= (size_t)n;
}

static void str_out(struct out *o, const struct nlattr *a)
{
	size_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (!len || s[len - 1] || strlen(s) != len - 1) {
		emit(o, "<not a string, %zu bytes>", len);
		return;
	}
	if (!*s || strpbrk(s, " \n\t{}[]=\""))
		emit(o, "\"%s\"", s);
	else
		emit(o, "%s", s);
}

static void scalar_out(struct out *o, const struct nlattr *a, enum kind k)
{
	size_t len = mnl_attr_get_payload_len(a);
	static const size_t want[] = { [U8] = 1, [U16] = 2, [U32] = 4,
				       [U64] = 8 };
	char buf[INET6_ADDRSTRLEN];

	if (k <= U64 && len != want[k]) {
		emit(o, "<%zu bytes>", len);
		return;
	}
	switch (k) {
	case U8:
		emit(o, "%u", mnl_attr_get_u8(a));
		break;
	case U16:
		emit(o, "%u", mnl_attr_get_u16(a));
		break;
	case U32:
		emit(o, "%u", mnl_attr_get_u32(a));
		break;
	case U64:
		emit(o, "%llu", (unsigned long long)mnl_attr_get_u64(a));
		break;
	case STR:
		str_out(o, a);
		break;
	default:
		if ((len == 4 || len == 16) &&
		    inet_ntop(len == 4 ? AF_INET : AF_INET6,
			      mnl_attr_get_payload(a), buf, sizeof(buf)))
			emit(o, "%s", buf);
		else
			emit(o, "<%zu bytes>", len);
	}
}

static void attrs_out(struct out *o, const struct nlattr *nest,
		      const struct schema *s);

static void items_out(struct out *o, const struct nlattr *list,
		      const struct field *f)
{
	const struct nlattr *item;
	bool first = true;

	emit(o, "[");
	mnl_attr_for_each_nested(item, list) {
		emit(o, first ? "" : " ");
		first = false;
		if (mnl_attr_get_type(item) != KGATE_A_LIST_ITEM)
			emit(o, "<entry of type %u>", mnl_attr_get_type(item));
		else if (f->kind == SLIST)
			str_out(o, item);
		else {
			emit(o, "{");
			attrs_out(o, item, f->sub);
			emit(o, "}");
		}
	}
	emit(o, "]");
}

/* Attributes in type order; within one type, in the order received. */
static void attrs_out(struct out *o, const struct nlattr *nest,
		      const struct schema *s)
{
	bool first = true;

	for (unsigned int t = 1; t <= 64; t++) {
		const struct nlattr *a;

		mnl_attr_for_each_nested(a, nest) {
			const struct field *f;

			if (mnl_attr_get_type(a) != t)
				continue;
			f = t <= s->max ? &s->f[t] : NULL;
			if (f && f->kind == SKIP)
				continue;
			emit(o, first ? "" : " ");
			first = false;
			if (!f || !f->name) {
				emit(o, "attr%u=%u", t,
				     (unsigned int)mnl_attr_get_payload_len(a));
				continue;
			}
			emit(o, "%s", f->name);
			if (f->kind == NEST) {
				emit(o, "{");
				attrs_out(o, a, f->sub);
				emit(o, "}");
			} else if (f->kind == LIST || f->kind == SLIST) {
				items_out(o, a, f);
			} else {
				emit(o, "=");
				scalar_out(o, a, f->kind);
			}
		}
	}
}

void kt_l7_text(const struct nlattr *nest, enum kt_l7_obj obj, char *buf,
		size_t len)
{
	struct out o = { buf, len };

	if (len)
		buf[0] = '\0';
	attrs_out(&o, nest, obj == KT_ROUTE ? &rt_s : &lis_s);
}

/* ---- requests --------------------------------------------------------- */

int kt_l7_cmd(struct kt_sock *s, uint8_t cmd, enum kt_l7_obj obj,
	      const char *text, struct kt_err *e)
{
	struct kt_err local;
	struct kt_msg m;
	int ret;

	if (!e)
		e = &local;
	memset(e, 0, sizeof(*e));
	if (kt_msg_init(&m, s, cmd, 0)) {
		e->err = ENOMEM;
		return ENOMEM;
	}
	if (kt_l7_put(&m, obj, text)) {
		kt_msg_free(&m);
		/* an errno no kernel check gives: a bug of the test */
		snprintf(e->msg, sizeof(e->msg), "local: bad test text");
		e->err = ENOEXEC;
		return ENOEXEC;
	}
	ret = kt_send(s, &m, e, NULL, NULL);
	kt_msg_free(&m);
	return ret;
}

struct collect {
	uint16_t attr;
	const struct schema *s;
	char **lines;
	int n;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct nlattr *a;
	char buf[16384];

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		struct out o = { buf, sizeof(buf) };
		char **lines;

		if (mnl_attr_get_type(a) != c->attr)
			continue;
		buf[0] = '\0';
		attrs_out(&o, a, c->s);
		lines = realloc(c->lines, (size_t)(c->n + 1) * sizeof(*lines));
		if (!lines)
			return -ENOMEM;
		c->lines = lines;
		c->lines[c->n++] = strdup(buf);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* GET (@name) or dump (NULL) into @c. */
static int fetch(struct kt_sock *s, enum kt_l7_obj obj, const char *name,
		 struct collect *c, struct kt_err *e)
{
	char text[KGATE_NAME_MAX + 16];
	struct kt_msg m;
	int ret;

	c->attr = obj == KT_ROUTE ? KGATE_A_ROUTE : KGATE_A_LISTENER;
	c->s = obj == KT_ROUTE ? &rt_s : &lis_s;
	if (kt_msg_init(&m, s, obj == KT_ROUTE ? KGATE_CMD_ROUTE_GET :
			KGATE_CMD_LISTENER_GET, name ? 0 : NLM_F_DUMP))
		return ENOMEM;
	if (name) {
		snprintf(text, sizeof(text), "name=\"%s\"", name);
		kt_l7_put(&m, obj, text);
	}
	ret = kt_send(s, &m, e, collect_cb, c);
	kt_msg_free(&m);
	return ret;
}

static void collect_free(struct collect *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
}

int kt_l7_get(struct kt_sock *s, enum kt_l7_obj obj, const char *name,
	      char *out, size_t len, struct kt_err *e)
{
	struct collect c = { 0 };
	struct kt_err local;
	int ret;

	if (!e)
		e = &local;
	out[0] = '\0';
	ret = fetch(s, obj, name, &c, e);
	if (!ret && c.n != 1) {
		snprintf(e->msg, sizeof(e->msg), "local: %d objects in the "
			 "reply", c.n);
		ret = e->err = EBADMSG;
	}
	if (!ret)
		snprintf(out, len, "%s", c.lines[0]);
	collect_free(&c);
	return ret;
}

int kt_l7_dump(struct kt_sock *s, enum kt_l7_obj obj, char *out, size_t len,
	       int *n, struct kt_err *e)
{
	struct collect c = { 0 };
	struct kt_err local;
	struct out o = { out, len };
	int ret;

	if (!e)
		e = &local;
	out[0] = '\0';
	*n = -1;
	ret = fetch(s, obj, NULL, &c, e);
	if (!ret) {
		qsort(c.lines, (size_t)c.n, sizeof(*c.lines), cmp_str);
		for (int i = 0; i < c.n; i++)
			emit(&o, "%s\n", c.lines[i]);
		*n = c.n;
	}
	collect_free(&c);
	return ret;
}

/* ---- comparison ------------------------------------------------------- */

/* The next top-level item of canonical text: up to a blank outside
 * braces and brackets.  Returns its length, 0 at the end.
 */
static size_t item_len(const char *p)
{
	size_t n = 0;
	int depth = 0;
	bool quoted = false;

	for (; p[n] && (depth || quoted || p[n] != ' '); n++) {
		if (p[n] == '"')
			quoted = !quoted;
		else if (!quoted && (p[n] == '{' || p[n] == '['))
			depth++;
		else if (!quoted && (p[n] == '}' || p[n] == ']'))
			depth--;
	}
	return n;
}

/* Is the item [p, p + n) one of the items of @set? */
static bool in_set(const char *p, size_t n, const char *set)
{
	while (set && *set) {
		size_t k;

		while (*set == ' ')
			set++;
		k = item_len(set);
		if (k == n && !strncmp(set, p, n))
			return true;
		set += k;
	}
	return false;
}

int kt_l7_expect(const char *got, const char *want, const char *optional,
		 char *why, size_t whylen)
{
	const char *g = got, *w = want;

	for (;;) {
		size_t gn, wn;

		while (*g == ' ')
			g++;
		while (*w == ' ')
			w++;
		gn = item_len(g);
		wn = item_len(w);
		if (!gn && !wn)
			return 0;
		if (gn && (!wn || gn != wn || strncmp(g, w, gn)) &&
		    in_set(g, gn, optional)) {
			g += gn;	/* a default the kernel reported */
			continue;
		}
		if (gn != wn || strncmp(g, w, gn)) {
			snprintf(why, whylen, "got \"%.*s\", expected \"%.*s\""
				 " (got: %s)", (int)gn, g, (int)wn, w, got);
			return -1;
		}
		g += gn;
		w += wn;
	}
}

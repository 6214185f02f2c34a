// SPDX-License-Identifier: GPL-2.0
/*
 * The YAML fast path (userspace/k8s/yaml.c) against libyaml: for every
 * text it takes, the same events with the same marks as libyaml's; every
 * text outside its part of YAML left to libyaml; and messages that name
 * the same places either way.  The file is included for its static
 * functions (its kk_load_yaml() is then this program's).
 */
#include "../../../userspace/k8s/yaml.c"

#include <stdio.h>

#include "tap.h"

enum { SAME, DIFFERS, DECLINED };

/* Event @i of libyaml's @ev against the fast path's @v: 0 when equal. */
static int event_cmp(const yaml_event_t *ev, const struct fev *v)
{
	bool marked = ev->type == YAML_SCALAR_EVENT ||
		      ev->type == YAML_MAPPING_START_EVENT ||
		      ev->type == YAML_SEQUENCE_START_EVENT;

	if (v->type != ev->type)
		return 1;
	if (marked && (v->line != ev->start_mark.line ||
		       v->col != ev->start_mark.column))
		return 1;
	if (ev->type != YAML_SCALAR_EVENT)
		return 0;
	return v->len != ev->data.scalar.length ||
	       memcmp(v->s, ev->data.scalar.value, v->len) ||
	       v->plain != !!ev->data.scalar.plain_implicit;
}

/* libyaml's events of @text against @f's. */
static int events_cmp(const char *text, const struct fast *f)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t i = 0;
	int r = SAME, end = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text,
				     strlen(text));
	while (!end && r == SAME) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = DIFFERS;	/* the fast path took an error */
			break;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		if (ev.type != YAML_STREAM_START_EVENT &&
		    (i >= f->n || event_cmp(&ev, &f->v[i++])))
			r = DIFFERS;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return r == SAME && i != f->n ? DIFFERS : r;
}

/* SAME, DIFFERS (a bug), or DECLINED (left to libyaml). */
static int compare(const char *text)
{
	struct fast f;
	int r;

	memset(&f, 0, sizeof(f));
	r = fast_parse(&f, text, strlen(text)) ? DECLINED :
	    events_cmp(text, &f);
	free(f.v);
	return r;
}

TEST(test_fast_same_as_libyaml)
{
	static const char *const texts[] = {
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
		"  namespace: default\nspec:\n  clusterIP: 10.96.0.10\n"
		"  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n"
		"    protocol: TCP\n",
		"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
		"addressType: IPv4\nports:\n- port: 8080\nendpoints:\n"
		"- addresses: [10.128.0.1]\n  conditions: {ready: true}\n"
		"- addresses: [ 10.128.0.2 , \"10.128.0.3\" ]\n"
		"  conditions: { ready: false, 'serving': true }\n",
		"# a comment\n---\na: 1\n---\n\n---\nb: [x y, 'z']\n",
		"a:\nb:   \nc: # nothing\nd:\n  - x\n  -\n  - y\n",
		"- a: 1\n  b:\n  - p\n  - q\n  c: {}\n- - x\n  - []\n-   k: v\n",
		"s: \"a: b # c\"\nt: 'a, b'\nu: a#b\nv: http://x:80/p # c\n",
		"  indented: root\n  next: 2\n",
		"k: -1\nl: -x\nm: \"\"\nn: ''\no: ~\np: null\nq: 0x1f\n",
		"---",
		"a: 1\n---\n",
		"a: 1",
		"",
		"# only a comment\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		int r = compare(texts[i]);

		if (r == DIFFERS)
			tap_note("differs: %s", texts[i]);
		CHECK_INT(r, SAME);
	}
}

TEST(test_fast_declines)
{
	static const char *const texts[] = {
		"a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n",
		"a: >\n  text\n", "a: one\n  two\n", "a:\tb\n", "a: b\r\n",
		"a: caf\xc3\xa9\n", "a: \"x\\ty\"\n", "a: [b, [c]]\n",
		"a: [b, ]\n", "a: {b: {c: 1}}\n", "a: [b,\n  c]\n",
		"a: b: c\n", "a:\n    b: 1\n  c: 2\n", "? a\n: b\n",
		"%YAML 1.2\n---\na: 1\n", "a: 1\n...\n", "--- a\n",
		"- a\nb: 1\n", "a: 'b' c\n", "a : 1\n", "just a scalar\n",
		"a: [fd00::1]\n", "a: 'x''y'\n", "- a\n - b\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		int r = compare(texts[i]);

		if (r != DECLINED)
			tap_note("taken: %s", texts[i]);
		CHECK_INT(r, DECLINED);
	}
}

/* The comparison sees a wrong column, a wrong text and a missing event. */
TEST(test_compare_catches)
{
	const char *text = "a: [b, c]\nd: e\n";
	struct fast f;

	memset(&f, 0, sizeof(f));
	CHECK_INT(fast_parse(&f, text, strlen(text)), 0);
	CHECK_INT(events_cmp(text, &f), SAME);
	f.v[2].col++;	/* "a" */
	CHECK_INT(events_cmp(text, &f), DIFFERS);
	f.v[2].col--;
	f.v[4].len = 0;	/* "b" */
	CHECK_INT(events_cmp(text, &f), DIFFERS);
	f.v[4].len = 1;
	f.n--;
	CHECK_INT(events_cmp(text, &f), DIFFERS);
	free(f.v);
}

/* A pseudo-random text of manifest-like lines, some of them wrong. */
static void random_text(char *buf, size_t len, unsigned int *seed)
{
	static const char *const keys[] = {
		"a", "name", "'k'", "\"q\"", "-x", "k k", "a:b", "? z", "",
	};
	static const char *const vals[] = {
		"1", "true", "~", "x y", "a#b", "a #c", "'s'", "\"d\"", "[]",
		"{}", "[a, b]", "{r: true, s: 'x'}", "a: b", "- x", "[a, ]",
		"&x", "http://h:1/p", "-1", "a]", "",
	};
	size_t used = 0, lines = 1 + (size_t)(rand_r(seed) % 12), i;

	buf[0] = '\0';
	for (i = 0; i < lines && used + 64 < len; i++) {
		int ind = 2 * (rand_r(seed) % 3) + (rand_r(seed) % 9 == 0);
		int shape = rand_r(seed) % 6;
		const char *k = keys[rand_r(seed) % 9];
		const char *v = vals[rand_r(seed) % 20];

		if (shape == 0)
			used += (size_t)snprintf(buf + used, len - used,
						 "%*s- %s\n", ind, "", v);
		else if (shape == 1)
			used += (size_t)snprintf(buf + used, len - used,
						 "%*s%s:\n", ind, "", k);
		else if (shape == 2)
			used += (size_t)snprintf(buf + used, len - used,
						 "%*s- %s: %s\n", ind, "", k, v);
		else if (shape == 3)
			used += (size_t)snprintf(buf + used, len - used,
						 rand_r(seed) % 2 ? "---\n" :
						 "%*s# c\n", ind, "");
		else
			used += (size_t)snprintf(buf + used, len - used,
						 "%*s%s: %s\n", ind, "", k, v);
	}
}

/* Many random texts: whatever the fast path takes, it reads as libyaml. */
TEST(test_fast_random)
{
	unsigned int seed = 20261201;
	size_t i, same = 0, differ = 0;
	char buf[2048];

	for (i = 0; i < 20000; i++) {
		int r;

		random_text(buf, sizeof(buf), &seed);
		r = compare(buf);
		if (r == DIFFERS && !differ++)
			tap_note("differs:\n%s", buf);
		same += r == SAME;
	}
	tap_note("%zu of 20000 random texts taken by the fast path", same);
	CHECK_INT(differ, 0);
	CHECK(same > 2000);	/* the fast path was exercised */
}

/* The messages of a load of @text (named t.yaml). */
static char *load_messages(const char *text)
{
	struct kk_docs docs;
	struct kk_diag d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	kk_load_text(&docs, "t.yaml", text, strlen(text), &d);
	f = open_memstream(&buf, &len);
	kk_diag_print(f, &d);
	fclose(f);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return buf;
}

/*
 * An error the tree finds (a duplicate key) says the same either way:
 * the text ends once plain, once with a comment only libyaml reads.
 */
TEST(test_same_messages)
{
	const char *fast = "a:\n  b: 1\n  c: [x]\n  b: 2\n";
	const char *slow = "a:\n  b: 1\n  c: [x]\n  b: 2\n# caf\xc3\xa9\n";
	char *m1 = load_messages(fast), *m2 = load_messages(slow);

	CHECK_INT(compare(fast), SAME);
	CHECK_INT(compare(slow), DECLINED);
	CHECK_STR(m1, "t.yaml:4:3: error: duplicate key \"b\"\n");
	CHECK_STR(m1, m2);
	free(m1);
	free(m2);
}

int main(void)
{
	RUN(test_fast_same_as_libyaml);
	RUN(test_fast_declines);
	RUN(test_compare_catches);
	RUN(test_fast_random);
	RUN(test_same_messages);
	return tap_done();
}

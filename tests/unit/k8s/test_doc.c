// SPDX-License-Identifier: GPL-2.0
/*
 * libkgate-k8s' core on the host: YAML and JSON into nodes with types and
 * positions, every document of a stream, syntax errors with their place,
 * directories in name order, the object index (metadata, Lists,
 * duplicates, lookups) and the typed readers' messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kk.h"
#include "tap.h"

/* The messages of @d, as kk_diag_print() writes them. */
static char *diag_text(const struct kk_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	kk_diag_print(f, d);
	fclose(f);
	return buf;
}

static int load(struct kk_docs *docs, struct kk_diag *d, const char *name,
		const char *text)
{
	kk_docs_init(docs);
	kk_diag_init(d);
	return kk_load_text(docs, name, text, strlen(text), d);
}

TEST(test_yaml_types_and_positions)
{
	const struct kk_node *r, *n;
	struct kk_docs docs;
	struct kk_diag d;

	CHECK_INT(load(&docs, &d, "a.yaml",
		       "a: 1\n"
		       "b: \"1\"\n"
		       "c: true\n"
		       "d: ~\n"
		       "e: 1.5\n"
		       "f: yes\n"
		       "g:\n"
		       "  - x\n"
		       "  - 'y'\n"
		       "h: 0x1f\n"
		       "i: !!str 80\n"
		       "j: -3\n"), 0);
	CHECK_INT(docs.n, 1);
	r = docs.v[0].root;
	CHECK_INT(r->type, KK_MAP);
	CHECK_INT(r->map.n, 10);
	n = kk_get(r, "a");
	CHECK_INT(n->type, KK_INT);
	CHECK_INT(n->i, 1);
	CHECK_INT(n->pos.line, 1);
	CHECK_INT(n->pos.col, 4);
	CHECK_INT(kk_get(r, "b")->type, KK_STR);
	CHECK_STR(kk_get(r, "b")->s, "1");
	CHECK_INT(kk_get(r, "c")->type, KK_BOOL);
	CHECK(kk_get(r, "c")->b);
	CHECK_INT(kk_get(r, "d")->type, KK_NULL);
	CHECK_INT(kk_get(r, "e")->type, KK_FLOAT);
	/* YAML 1.2: "yes" is a string. */
	CHECK_INT(kk_get(r, "f")->type, KK_STR);
	n = kk_get(r, "g");
	CHECK_INT(n->type, KK_SEQ);
	CHECK_INT(n->seq.n, 2);
	CHECK_STR(n->seq.v[1]->s, "y");
	CHECK_INT(n->seq.v[1]->pos.line, 9);
	CHECK_INT(n->seq.v[1]->pos.col, 5);
	CHECK_INT(kk_get(r, "h")->i, 31);
	CHECK_INT(kk_get(r, "i")->type, KK_STR);
	CHECK_INT(kk_get(r, "j")->i, -3);
	CHECK(kk_get(r, "zz") == NULL);
	CHECK(kk_get(n, "x") == NULL);	/* not a map */
	CHECK_STR(kk_get_pair(r, "g")->key, "g");
	CHECK_INT(kk_get_pair(r, "g")->key_pos.line, 7);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

TEST(test_yaml_documents)
{
	struct kk_docs docs;
	struct kk_diag d;

	/* Empty documents are no objects. */
	CHECK_INT(load(&docs, &d, "m.yaml",
		       "---\n"
		       "a: 1\n"
		       "---\n"
		       "---\n"
		       "# only a comment\n"
		       "---\n"
		       "b: &x [1, 2]\n"
		       "c: *x\n"), 0);
	CHECK_INT(docs.n, 2);
	CHECK_INT(docs.v[0].index, 0);
	CHECK_INT(docs.v[1].index, 3);
	CHECK(kk_get(docs.v[1].root, "c") == kk_get(docs.v[1].root, "b"));
	CHECK_INT(d.n, 0);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

TEST(test_yaml_errors)
{
	struct kk_docs docs;
	struct kk_diag d;
	char *out;

	CHECK_INT(load(&docs, &d, "bad.yaml",
		       "a: 1\n"
		       "---\n"
		       "b: [1, 2\n"), -EINVAL);
	CHECK_INT(docs.n, 0);		/* nothing of a text that fails */
	CHECK_INT(d.errors, 1);
	out = diag_text(&d);
	CHECK(!strncmp(out, "bad.yaml:4:1: error: ", 21));
	free(out);
	kk_docs_free(&docs);
	kk_diag_free(&d);

	CHECK_INT(load(&docs, &d, "dup.yaml", "a: 1\nb: 2\na: 3\n"), -EINVAL);
	out = diag_text(&d);
	CHECK_STR(out, "dup.yaml:3:1: error: duplicate key \"a\"\n");
	free(out);
	kk_docs_free(&docs);
	kk_diag_free(&d);

	CHECK_INT(load(&docs, &d, "alias.yaml", "a: *nope\n"), -EINVAL);
	out = diag_text(&d);
	CHECK(strstr(out, "alias.yaml:1:4: error: ") == out);
	free(out);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

/* Are @a and @b the same tree at the same places? */
static bool same_at(const struct kk_node *a, const struct kk_node *b)
{
	size_t i;

	if (a->type != b->type || a->pos.line != b->pos.line ||
	    a->pos.col != b->pos.col || strcmp(a->pos.file, b->pos.file) ||
	    (a->text && (!b->text || strcmp(a->text, b->text))))
		return false;
	if (a->type == KK_SEQ) {
		if (a->seq.n != b->seq.n)
			return false;
		for (i = 0; i < a->seq.n; i++)
			if (!same_at(a->seq.v[i], b->seq.v[i]))
				return false;
	}
	if (a->type != KK_MAP)
		return true;
	if (a->map.n != b->map.n)
		return false;
	for (i = 0; i < a->map.n; i++) {
		const struct kk_pair *p = &a->map.v[i], *q = &b->map.v[i];

		if (strcmp(p->key, q->key) ||
		    p->key_pos.line != q->key_pos.line ||
		    p->key_pos.col != q->key_pos.col ||
		    !same_at(p->value, q->value))
			return false;
	}
	return true;
}

/* @text's documents after its second "---" line, loaded alone. */
static int load_third(struct kk_docs *docs, struct kk_diag *d,
		      const char *text)
{
	const char *third = strstr(strstr(text, "\n---\n") + 1, "\n---\n") + 1;
	unsigned int line0 = 0;
	const char *p;

	for (p = text; p < third; p++)
		line0 += *p == '\n';
	kk_docs_init(docs);
	kk_diag_init(d);
	return kk_load_text_at(docs, "m.yaml", third, strlen(third), line0, 2,
			       d);
}

/*
 * A document loaded alone, as kgated loads the one that changed in a
 * file, is the document the whole file gives: the same nodes at the same
 * lines, the same number, and its errors at the same place.
 */
TEST(test_yaml_part_of_a_file)
{
	static const char *const texts[] = {
		/* the fast path's */
		"a: 1\n---\n# two\nb: [x, y]\n---\nc:\n  d: 'e'\n  f:\n"
		"    - 1\n    - {g: h}\n",
		/* libyaml's (an anchor) */
		"a: 1\n---\nb: 2\n---\n\nc:\n  d: &x |\n    text\n  e: *x\n",
	};
	struct kk_docs whole, part;
	struct kk_diag d, dp;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		CHECK_INT(load(&whole, &d, "m.yaml", texts[i]), 0);
		CHECK_INT(load_third(&part, &dp, texts[i]), 0);
		CHECK_INT(whole.n, 3);
		CHECK_INT(part.n, 1);
		if (whole.n == 3 && part.n == 1) {
			CHECK_INT(part.v[0].index, whole.v[2].index);
			CHECK_INT(part.v[0].root->pos.line, 6);
			CHECK(same_at(part.v[0].root, whole.v[2].root));
			/* the probe tells two places apart */
			CHECK(!same_at(part.v[0].root, whole.v[0].root));
		}
		kk_docs_free(&whole);
		kk_docs_free(&part);
		kk_diag_free(&d);
		kk_diag_free(&dp);
	}
}

TEST(test_yaml_part_errors)
{
	static const char *const texts[] = {
		"a: 1\n---\nb: 2\n---\nc: [1, 2\n",	/* libyaml's */
		"a: 1\n---\nb: 2\n---\nc: 1\nd: 2\nc: 3\n",	/* the tree's */
	};
	struct kk_docs whole, part;
	struct kk_diag d, dp;
	char *a, *b;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		CHECK_INT(load(&whole, &d, "m.yaml", texts[i]), -EINVAL);
		CHECK_INT(load_third(&part, &dp, texts[i]), -EINVAL);
		a = diag_text(&d);
		b = diag_text(&dp);
		CHECK(!strncmp(a, i ? "m.yaml:7:1: " : "m.yaml:6:1: ", 12));
		CHECK_STR(b, a);
		CHECK_INT(part.n, 0);
		free(a);
		free(b);
		kk_docs_free(&whole);
		kk_docs_free(&part);
		kk_diag_free(&d);
		kk_diag_free(&dp);
	}
}

TEST(test_json)
{
	const struct kk_node *r;
	struct kk_docs docs;
	struct kk_diag d;
	char *out;

	CHECK_INT(load(&docs, &d, "a.json",
		       "  {\"kind\": \"Service\", \"n\": 80, \"f\": 0.5,\n"
		       "   \"l\": [true, null, \"x\"]}"), 0);
	CHECK_INT(docs.n, 1);
	r = docs.v[0].root;
	CHECK_INT(kk_get(r, "n")->type, KK_INT);
	CHECK_INT(kk_get(r, "n")->i, 80);
	CHECK_STR(kk_get(r, "n")->text, "80");
	CHECK_INT(kk_get(r, "f")->type, KK_FLOAT);
	CHECK_INT(kk_get(r, "l")->seq.v[0]->type, KK_BOOL);
	CHECK_INT(kk_get(r, "l")->seq.v[1]->type, KK_NULL);
	/* Keys keep their order. */
	CHECK_STR(r->map.v[0].key, "kind");
	CHECK_STR(r->map.v[2].key, "f");
	CHECK_STR(kk_get(r, "kind")->pos.file, "a.json");
	kk_docs_free(&docs);
	kk_diag_free(&d);

	CHECK_INT(load(&docs, &d, "l.json", "[{\"a\": 1}, {\"b\": 2}]"), 0);
	CHECK_INT(docs.n, 2);
	CHECK_INT(docs.v[1].index, 1);
	kk_docs_free(&docs);
	kk_diag_free(&d);

	CHECK_INT(load(&docs, &d, "bad.json", "{\"a\": 1,\n \"a\": 2}"),
		  -EINVAL);
	out = diag_text(&d);
	CHECK(!strncmp(out, "bad.json:2:", 11));
	CHECK(strstr(out, "duplicate") != NULL);
	free(out);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(test_directory)
{
	char dir[] = "/tmp/kk-test-XXXXXX", path[256];
	struct kk_docs docs;
	struct kk_diag d;
	char *out;

	if (!mkdtemp(dir))
		SKIP("no temporary directory");
	snprintf(path, sizeof(path), "%s/b.yaml", dir);
	write_file(path, "b: 1\n---\nb: 2\n");
	snprintf(path, sizeof(path), "%s/a.json", dir);
	write_file(path, "{\"a\": 1}");
	snprintf(path, sizeof(path), "%s/.hidden.yaml", dir);
	write_file(path, "[not: valid\n");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "not a manifest\n");
	snprintf(path, sizeof(path), "%s/c.yml", dir);
	write_file(path, "c: [1\n");
	kk_docs_init(&docs);
	kk_diag_init(&d);
	/* Every file is read; c.yml's error is told, the others load. */
	CHECK_INT(kk_load_path(&docs, dir, &d), -EINVAL);
	CHECK_INT(docs.n, 3);
	if (docs.n == 3) {
		CHECK(strstr(docs.v[0].file, "/a.json") != NULL);
		CHECK(strstr(docs.v[2].file, "/b.yaml") != NULL);
	}
	CHECK_INT(d.errors, 1);
	out = diag_text(&d);
	CHECK(strstr(out, "/c.yml:2:1: error: ") != NULL);
	free(out);
	kk_docs_free(&docs);
	kk_diag_free(&d);

	kk_docs_init(&docs);
	kk_diag_init(&d);
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	CHECK_INT(kk_load_path(&docs, path, &d), -EINVAL);
	out = diag_text(&d);
	CHECK(strstr(out, "missing.yaml: No such file or directory\n") != NULL);
	free(out);
	kk_docs_free(&docs);
	kk_diag_free(&d);
	/* A directory without manifests: nothing, and no error. */
	snprintf(path, sizeof(path), "%s/empty", dir);
	CHECK_INT(mkdir(path, 0700), 0);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(kk_load_path(&docs, path, &d), 0);
	CHECK_INT(docs.n, 0);
	CHECK_INT(d.n, 0);
	kk_docs_free(&docs);
	kk_diag_free(&d);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_INT(system(path), 0);
}

static const char *const objs =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: web\n"
	"  labels: {app: web}\n"
	"  annotations: {a.example/x: \"1\"}\n"
	"spec: {}\n"
	"---\n"
	"apiVersion: networking.k8s.io/v1\n"
	"kind: IngressClass\n"
	"metadata: {name: kgate}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: List\n"
	"items:\n"
	"- apiVersion: v1\n"
	"  kind: Service\n"
	"  metadata: {name: api, namespace: shop}\n"
	"- apiVersion: v1\n"
	"  kind: ConfigMap\n"
	"  metadata: {name: c}\n";

TEST(test_index)
{
	const struct kk_obj *o;
	struct kk_docs docs;
	struct kk_index ix;
	struct kk_diag d;
	char g[64];

	CHECK_INT(load(&docs, &d, "o.yaml", objs), 0);
	CHECK_INT(kk_index_build(&ix, &docs, &d), 0);
	CHECK_INT(ix.n, 4);
	o = kk_find(&ix, "", "Service", "default", "web");
	CHECK(o == &ix.v[0]);
	if (o) {
		CHECK_STR(o->label, "Service default/web");
		CHECK_STR(kk_label(o, "app"), "web");
		CHECK_STR(kk_annotation(o, "a.example/x"), "1");
		CHECK(kk_label(o, "nope") == NULL);
		CHECK(o->spec != NULL && o->status == NULL);
		CHECK(kk_is(o, "", "Service"));
		CHECK(!kk_is(o, "networking.k8s.io", "Service"));
	}
	o = kk_find(&ix, "networking.k8s.io", "IngressClass", NULL, "kgate");
	CHECK(o != NULL);
	if (o) {
		CHECK(o->ns == NULL);
		CHECK_STR(o->label, "IngressClass kgate");
		CHECK_STR(kk_group(o, g, sizeof(g)), "networking.k8s.io");
	}
	/* A List's items. */
	o = kk_find(&ix, "", "Service", "shop", "api");
	CHECK(o != NULL);
	CHECK(kk_find(&ix, "", "Service", "default", "api") == NULL);
	CHECK(kk_find(&ix, "", "ConfigMap", "default", "c") != NULL);
	kk_index_free(&ix);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

TEST(test_index_errors)
{
	struct kk_docs docs;
	struct kk_index ix;
	struct kk_diag d;
	char *out;

	CHECK_INT(load(&docs, &d, "e.yaml",
		       "apiVersion: v1\n"
		       "kind: Service\n"
		       "metadata: {name: web}\n"
		       "---\n"
		       "kind: Service\n"
		       "metadata: {name: x}\n"
		       "---\n"
		       "apiVersion: v1\n"
		       "kind: Service\n"
		       "metadata:\n"
		       "  name: 7\n"
		       "---\n"
		       "- a list\n"
		       "---\n"
		       "apiVersion: v1\n"
		       "kind: Service\n"
		       "metadata: {name: web, namespace: default}\n"), 0);
	CHECK_INT(kk_index_build(&ix, &docs, &d), -EINVAL);
	CHECK_INT(ix.n, 2);
	CHECK_INT(d.errors, 4);
	out = diag_text(&d);
	CHECK_STR(out,
		  "e.yaml:5:1: error: apiVersion: missing\n"
		  "e.yaml:11:9: error: metadata.name: expected a string, got "
		  "an integer\n"
		  "e.yaml:13:1: error: a manifest is a map, not a list\n"
		  "e.yaml:15:1: error: Service default/web: duplicate of the "
		  "one at e.yaml:1:1\n");
	free(out);
	kk_index_free(&ix);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

TEST(test_readers)
{
	const struct kk_node *spec;
	const struct kk_obj *o;
	struct kk_docs docs;
	struct kk_index ix;
	struct kk_diag d;
	const char *s = NULL;
	int64_t v = 0;
	bool b = false;
	char *out;

	CHECK_INT(load(&docs, &d, "r.yaml",
		       "apiVersion: v1\n"
		       "kind: Service\n"
		       "metadata: {name: web}\n"
		       "spec:\n"
		       "  port: 70000\n"
		       "  name: [x]\n"
		       "  ok: 8080\n"
		       "  flag: \"true\"\n"
		       "  gone: null\n"), 0);
	CHECK_INT(kk_index_build(&ix, &docs, &d), 0);
	o = &ix.v[0];
	spec = o->spec;
	CHECK(!kk_int(&d, o, kk_get(spec, "port"), "spec.port", 1, 65535, &v));
	CHECK(kk_int(&d, o, kk_get(spec, "ok"), "spec.ok", 1, 65535, &v));
	CHECK_INT(v, 8080);
	CHECK(!kk_str(&d, o, kk_get(spec, "name"), "spec.name", &s));
	CHECK(!kk_bool(&d, o, kk_get(spec, "flag"), "spec.flag", &b));
	/* Absent: false, silent; unless needed. */
	CHECK(!kk_str(&d, o, kk_get(spec, "gone"), "spec.gone", &s));
	CHECK(!kk_str(&d, o, kk_get(spec, "none"), "spec.none", &s));
	CHECK(!kk_need_str(&d, o, kk_get(spec, "none"), "spec.none", &s));
	CHECK(!kk_seq(&d, o, kk_get(spec, "ok"), "spec.ok"));
	CHECK(kk_map(&d, o, spec, "spec"));
	kk_note(&d, o, NULL, NULL, "a note");
	kk_skipped(&d, o, "not ours");
	out = diag_text(&d);
	CHECK_STR(out,
		  "r.yaml:5:9: error: Service default/web: spec.port: 70000 "
		  "out of range 1..65535\n"
		  "r.yaml:6:9: error: Service default/web: spec.name: expected "
		  "a string, got a list\n"
		  "r.yaml:8:9: error: Service default/web: spec.flag: expected "
		  "true or false, got a string\n"
		  "r.yaml:1:1: error: Service default/web: spec.none: "
		  "missing\n"
		  "r.yaml:7:7: error: Service default/web: spec.ok: expected "
		  "a list, got an integer\n"
		  "r.yaml:1:1: note: Service default/web: a note\n"
		  "r.yaml:1:1: skipped: Service default/web: not ours\n");
	CHECK_INT(d.errors, 5);
	free(out);
	kk_index_free(&ix);
	kk_docs_free(&docs);
	kk_diag_free(&d);
}

int main(void)
{
	RUN(test_yaml_types_and_positions);
	RUN(test_yaml_documents);
	RUN(test_yaml_errors);
	RUN(test_yaml_part_of_a_file);
	RUN(test_yaml_part_errors);
	RUN(test_json);
	RUN(test_directory);
	RUN(test_index);
	RUN(test_index_errors);
	RUN(test_readers);
	return tap_done();
}

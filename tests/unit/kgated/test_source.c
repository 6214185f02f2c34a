// SPDX-License-Identifier: GPL-2.0
/*
 * The files-and-directories source on the host, with real inotify in a
 * temporary directory: a write, an editor's rename over a file, a
 * deletion and a new file count as changes; hidden files, swap files and
 * other names do not; a file followed alone is followed through its
 * directory by name, across renames; load() gives the documents now on
 * disk, and the loader's messages for a broken file.  Each file is a
 * unit: a load reads again only the files named since (the others keep
 * their very documents), and says which changed; a file still being
 * written does not count until it is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kgated.h"
#include "tap.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mv(const char *from, const char *to)
{
	char a[128], b[128];

	snprintf(a, sizeof(a), "%s/%s", dir, from);
	snprintf(b, sizeof(b), "%s/%s", dir, to);
	CHECK_INT(rename(a, b), 0);
}

static void rm(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK_INT(unlink(path), 0);
}

/* The documents the source gives now; messages into @msgs. */
static size_t docs_now(struct kgd_source *src, char *msgs, size_t len)
{
	struct kk_docs docs;
	struct kk_diag d;
	size_t n;
	FILE *f;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	src->ops->load(src, &docs, &d);
	n = docs.n;
	f = fmemopen(msgs, len, "w");
	if (f) {
		kk_diag_print(f, &d);
		fclose(f);
	}
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return n;
}

#define DOC "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
#define DOC_B "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"

TEST(test_manifest_names)
{
	CHECK(kk_manifest_name("a.yaml"));
	CHECK(kk_manifest_name("a.yml"));
	CHECK(kk_manifest_name("a.json"));
	CHECK(!kk_manifest_name(".a.yaml"));
	CHECK(!kk_manifest_name(".a.yaml.swp"));
	CHECK(!kk_manifest_name("a.yaml~"));
	CHECK(!kk_manifest_name("4913"));
	CHECK(!kk_manifest_name("a.yaml.tmp"));
	CHECK(!kk_manifest_name(".yaml"));
}

TEST(test_directory)
{
	char *paths[] = { dir }, why[128], msgs[512];
	struct kgd_source *src;

	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	CHECK_STR(src->ops->name, "files");
	CHECK(src->ops->fd(src) >= 0);
	CHECK_INT(src->ops->changed(src), 0);

	put("a.yaml", DOC);
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 1);
	CHECK_INT(src->ops->changed(src), 0);

	/* swap files, hidden files, other names: nothing */
	put(".a.yaml.swp", "x");
	put("a.yaml~", "x");
	put("notes.txt", "x");
	CHECK_INT(src->ops->changed(src), 0);

	/* an editor: a temporary file renamed over the manifest */
	put(".a.yaml.tmp", DOC "---\n" DOC);
	CHECK_INT(src->ops->changed(src), 0);
	mv(".a.yaml.tmp", "a.yaml");
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 2);

	/* new, moved away, deleted: changes */
	put("b.json", "{\"apiVersion\": \"v1\"}");
	CHECK_INT(src->ops->changed(src), 1);
	mv("a.yaml", "a.old");
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 1);
	rm("b.json");
	CHECK_INT(src->ops->changed(src), 1);
	rm("a.old");
	rm(".a.yaml.swp");
	rm("a.yaml~");
	rm("notes.txt");
	CHECK_INT(src->ops->changed(src), 0);
	src->ops->close(src);
}

TEST(test_broken_file_is_the_loaders_error)
{
	char *paths[] = { dir }, why[128], msgs[512];
	struct kgd_source *src;

	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	put("c.yaml", "a: [1, 2\n");
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 0);
	CHECK(!strncmp(msgs, "/tmp/", 5) && strstr(msgs, "/c.yaml:") &&
	      strstr(msgs, ": error: "));
	rm("c.yaml");
	src->ops->close(src);
}

TEST(test_single_file_by_name)
{
	char path[128], *paths[] = { path }, why[128], msgs[512];
	struct kgd_source *src;

	snprintf(path, sizeof(path), "%s/only.conf", dir);
	put("only.conf", DOC);
	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 1);
	/* another file of the directory, even a manifest: not followed */
	put("other.yaml", DOC);
	CHECK_INT(src->ops->changed(src), 0);
	/* the file replaced by rename: followed by its name */
	put("only.new", DOC "---\n" DOC);
	CHECK_INT(src->ops->changed(src), 0);
	mv("only.new", "only.conf");
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 2);
	put("only.conf", DOC);
	CHECK_INT(src->ops->changed(src), 1);
	rm("only.conf");
	rm("other.yaml");
	CHECK_INT(src->ops->changed(src), 1);
	src->ops->close(src);
}

TEST(test_directory_made_later)
{
	char sub[128], *paths[] = { sub }, why[128], msgs[512];
	struct kgd_source *src;

	snprintf(sub, sizeof(sub), "%s/later", dir);
	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	/* missing: the loader says so; the source keeps going */
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 0);
	CHECK(strstr(msgs, "later: No such file or directory") != NULL);
	/* made: its parent's watch says so ("later" is the name followed) */
	CHECK_INT(mkdir(sub, 0755), 0);
	CHECK_INT(src->ops->changed(src), 1);
	/*
	 * the next load watches the directory itself (with a file in it:
	 * the loader does not take an empty directory under UBSan yet)
	 */
	put("later/x.yaml", DOC);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 1);
	put("later/y.yaml", DOC);
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 2);
	rm("later/y.yaml");
	rm("later/x.yaml");
	CHECK_INT(rmdir(sub), 0);
	CHECK_INT(src->ops->changed(src), 1);
	src->ops->close(src);
}

/* One load: the roots of its documents into @roots, its changes. */
static size_t load_roots(struct kgd_source *src, const void **roots,
			 size_t max, struct kgd_changes *ch)
{
	struct kk_docs docs;
	struct kk_diag d;
	size_t i, n;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(src->ops->load(src, &docs, &d), 0);
	/* a view: the nodes are the source's */
	CHECK(docs.arena == NULL);
	n = docs.n;
	for (i = 0; i < n && i < max; i++)
		roots[i] = docs.v[i].root;
	src->ops->changes(src, ch);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return n;
}

TEST(test_only_changed_files_read_again)
{
	char *paths[] = { dir }, why[128];
	const void *r1[4], *r2[4];
	struct kgd_source *src;
	struct kgd_changes ch;

	put("a.yaml", DOC);
	put("b.yaml", DOC "---\n" DOC);
	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	CHECK_INT(load_roots(src, r1, 4, &ch), 3);
	CHECK(ch.all);
	/* b.yaml rewritten: it alone is read again */
	put("b.yaml", DOC_B);
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(load_roots(src, r2, 4, &ch), 2);
	CHECK(!ch.all);
	CHECK_INT(ch.n, 1);
	CHECK(ch.n == 1 && ch.v[0].old && ch.v[0].now &&
	      ch.v[0].old->n == 2 && ch.v[0].now->n == 1);
	CHECK(r2[0] == r1[0]);		/* a.yaml's, kept */
	CHECK(r2[1] != r1[1]);
	/* nothing named: nothing read, the same documents */
	CHECK_INT(load_roots(src, r1, 4, &ch), 2);
	CHECK_INT(ch.n, 0);
	CHECK(r1[0] == r2[0] && r1[1] == r2[1]);
	/* a file gone: a change without documents now */
	rm("a.yaml");
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(load_roots(src, r1, 4, &ch), 1);
	CHECK(ch.n == 1 && ch.v[0].old && !ch.v[0].now);
	CHECK(r1[0] == r2[1]);
	rm("b.yaml");
	src->ops->close(src);
}

TEST(test_file_counts_once_written)
{
	char *paths[] = { dir }, why[128], path[128], msgs[512];
	struct kgd_source *src;
	int fd;

	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/w.yaml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, DOC, strlen(DOC)) == (ssize_t)strlen(DOC));
	/* made and written, not closed: not yet */
	CHECK_INT(src->ops->changed(src), 0);
	CHECK_INT(close(fd), 0);
	CHECK_INT(src->ops->changed(src), 1);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 1);
	rm("w.yaml");
	src->ops->close(src);
}

/* ---- a file's documents: only those that changed parsed again ---------- */

/* Are @a and @b at the same places, all the way down? */
static bool same_places(const struct kk_node *a, const struct kk_node *b)
{
	size_t i;

	if (a->pos.line != b->pos.line || a->pos.col != b->pos.col ||
	    strcmp(a->pos.file, b->pos.file))
		return false;
	if (a->type == KK_SEQ)
		for (i = 0; i < a->seq.n; i++)
			if (!same_places(a->seq.v[i], b->seq.v[i]))
				return false;
	if (a->type != KK_MAP)
		return true;
	for (i = 0; i < a->map.n; i++) {
		const struct kk_pair *p = &a->map.v[i], *q = &b->map.v[i];

		if (p->key_pos.line != q->key_pos.line ||
		    p->key_pos.col != q->key_pos.col ||
		    !same_places(p->value, q->value))
			return false;
	}
	return true;
}

/* @docs are what a fresh load of @path gives: 0, else how they differ. */
static int fresh_cmp(const struct kk_docs *docs, const char *path)
{
	struct kk_docs fresh;
	struct kk_diag d;
	size_t i;
	int r = 0;

	kk_docs_init(&fresh);
	kk_diag_init(&d);
	if (kk_load_path(&fresh, path, &d))
		r = 1;
	else if (fresh.n != docs->n)
		r = 2;
	for (i = 0; !r && i < docs->n; i++) {
		const struct kk_doc *a = &docs->v[i], *b = &fresh.v[i];

		if (strcmp(a->file, b->file) || a->index != b->index)
			r = 3;
		else if (!kk_node_same(a->root, b->root))
			r = 4;
		else if (!same_places(a->root, b->root))
			r = 5;
	}
	kk_diag_free(&d);
	kk_docs_free(&fresh);
	return r;
}

static char fpath[128];

/*
 * A load after @name changed: it must be what a fresh load of the file
 * gives; the roots into @roots.  The number of documents.
 */
static size_t reload(struct kgd_source *src, const void **roots, size_t max)
{
	struct kk_docs docs;
	struct kk_diag d;
	size_t i, n;

	CHECK_INT(src->ops->changed(src), 1);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(src->ops->load(src, &docs, &d), 0);
	CHECK_INT(fresh_cmp(&docs, fpath), 0);
	n = docs.n;
	for (i = 0; i < n && i < max; i++)
		roots[i] = docs.v[i].root;
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return n;
}

/* ConfigMap @i with value @v, on four lines, and a marker before it. */
static void cm(char *buf, size_t len, int i, const char *v)
{
	snprintf(buf, len, "---\napiVersion: v1\nkind: ConfigMap\n"
		 "metadata: {name: c%d}\ndata: {k: '%s'}\n", i, v);
}

/* @n ConfigMaps, the @at'th with value @v (the others "x"), after @head. */
static void put_cms(const char *head, int n, int at, const char *v)
{
	char text[8192], one[256];
	int i;

	snprintf(text, sizeof(text), "%s", head);
	for (i = 0; i < n; i++) {
		cm(one, sizeof(one), i, i == at ? v : "x");
		strncat(text, one, sizeof(text) - strlen(text) - 1);
	}
	put("f.yaml", text);
}

static struct kgd_source *open_f(void)
{
	char *paths[] = { fpath }, why[128];
	struct kgd_source *src = NULL;

	snprintf(fpath, sizeof(fpath), "%s/f.yaml", dir);
	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	return src;
}

/* How many of @n roots of @a are in @b, same place. */
static int kept(const void **a, const void **b, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += a[i] == b[i];
	return k;
}

TEST(test_changed_document_alone)
{
	const void *r1[8], *r2[8];
	struct kgd_source *src;
	struct kgd_changes ch;
	int i;

	put_cms("", 5, -1, "");
	src = open_f();
	CHECK_INT(load_roots(src, r1, 8, &ch), 5);
	/* the third's value, on the same lines */
	put_cms("", 5, 2, "changed");
	CHECK_INT(reload(src, r2, 8), 5);
	for (i = 0; i < 5; i++)
		CHECK(i == 2 ? r2[i] != r1[i] : r2[i] == r1[i]);
	src->ops->changes(src, &ch);
	CHECK(ch.n == 1 && ch.v[0].old->n == 5 && ch.v[0].now->n == 5);
	/* the file the same again: nothing parsed, the same roots */
	put_cms("", 5, 2, "changed");
	CHECK_INT(reload(src, r1, 8), 5);
	CHECK_INT(kept(r1, r2, 5), 5);
	rm("f.yaml");
	src->ops->close(src);
}

TEST(test_lines_added)
{
	char text[4096], one[256];
	const void *r1[8], *r2[8];
	struct kgd_source *src;
	struct kgd_changes ch;
	int i;

	put_cms("", 5, -1, "");
	src = open_f();
	CHECK_INT(load_roots(src, r1, 8, &ch), 5);
	/* the second with two lines more: those after it moved */
	text[0] = '\0';
	for (i = 0; i < 5; i++) {
		cm(one, sizeof(one), i, "x");
		strcat(text, one);
		if (i == 1)
			strcat(text, "l: one\nm: two\n");
	}
	put("f.yaml", text);
	CHECK_INT(reload(src, r2, 8), 5);
	CHECK(r2[0] == r1[0]);
	CHECK_INT(kept(r1, r2, 5), 1);
	rm("f.yaml");
	src->ops->close(src);
}

TEST(test_document_inserted_and_removed)
{
	const char *head = "# three lines\n# of comments\n# first\n";
	const void *r1[8], *r2[8];
	struct kgd_source *src;
	struct kgd_changes ch;
	char text[4096];

	/* empty documents count: the numbers after them are the file's */
	snprintf(text, sizeof(text), "%s---\n" DOC "---\n---\n" DOC_B, head);
	put("f.yaml", text);
	src = open_f();
	CHECK_INT(load_roots(src, r1, 8, &ch), 2);
	/* a document at the end: the others kept */
	snprintf(text, sizeof(text), "%s---\n" DOC "---\n---\n" DOC_B
		 "---\n" DOC, head);
	put("f.yaml", text);
	CHECK_INT(reload(src, r2, 8), 3);
	CHECK_INT(kept(r1, r2, 2), 2);
	/* the comments now a document of three lines: the others renumbered */
	snprintf(text, sizeof(text), DOC "---\n" DOC "---\n---\n" DOC_B
		 "---\n" DOC);
	put("f.yaml", text);
	CHECK_INT(reload(src, r1, 8), 4);
	CHECK(r1[1] == r2[0] && r1[2] == r2[1] && r1[3] == r2[2]);
	/* one inserted before the second, the empty one removed */
	snprintf(text, sizeof(text), DOC "---\n" DOC "---\n" DOC_B "---\n"
		 DOC_B "---\n" DOC);
	put("f.yaml", text);
	CHECK_INT(reload(src, r2, 8), 5);
	CHECK(r2[0] == r1[0] && r2[1] == r1[1]);
	/* removed again */
	snprintf(text, sizeof(text), DOC "---\n" DOC "---\n" DOC_B "---\n"
		 DOC);
	put("f.yaml", text);
	CHECK_INT(reload(src, r1, 8), 4);
	rm("f.yaml");
	src->ops->close(src);
}

TEST(test_many_edits_parsed_whole)
{
	const void *r1[16], *r2[16];
	struct kgd_source *src;
	struct kgd_changes ch;
	char text[4096], one[256];
	int edit, i, whole = 0;

	put_cms("", 12, -1, "");
	src = open_f();
	CHECK_INT(load_roots(src, r1, 16, &ch), 12);
	for (edit = 0; edit < 12; edit++) {
		/* one more edited each time, those before as they were */
		text[0] = '\0';
		for (i = 0; i < 12; i++) {
			cm(one, sizeof(one), i, i <= edit ? "edited" : "x");
			strcat(text, one);
		}
		put("f.yaml", text);
		CHECK_INT(reload(src, r2, 16), 12);
		/* one new part an edit: the ninth makes more than 8 */
		whole += !kept(r1, r2, 12);
		CHECK_INT(kept(r1, r2, 12), edit == 8 ? 0 : 11);
		memcpy(r1, r2, sizeof(r1));
	}
	CHECK_INT(whole, 1);
	rm("f.yaml");
	src->ops->close(src);
}

/* The messages of a load of @src, or of a fresh one of fpath (NULL). */
static char *messages(struct kgd_source *src, int want)
{
	struct kk_docs docs;
	struct kk_diag d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(src ? src->ops->load(src, &docs, &d) :
		  kk_load_path(&docs, fpath, &d), want);
	CHECK_INT(docs.n, 0);
	f = open_memstream(&buf, &len);
	kk_diag_print(f, &d);
	fclose(f);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return buf;
}

TEST(test_broken_document)
{
	/* the tree's error (a duplicate key), libyaml's (a syntax error) */
	static const char *const bad[] = { "x', k: 'y", "x'] ['" };
	const void *r1[8], *r2[8];
	struct kgd_source *src;
	struct kgd_changes ch;
	char *a, *b;
	size_t i;

	put_cms("", 5, -1, "");
	src = open_f();
	CHECK_INT(load_roots(src, r1, 8, &ch), 5);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		/* the fourth broken: the file fails, at the fourth's line */
		put_cms("", 5, 3, bad[i]);
		CHECK_INT(src->ops->changed(src), 1);
		a = messages(src, -EINVAL);
		b = messages(NULL, -EINVAL);
		CHECK_STR(a, b);
		CHECK(strstr(a, "/f.yaml:20:") != NULL);
		free(a);
		free(b);
		/* mended: right again */
		put_cms("", 5, -1, "");
		CHECK_INT(reload(src, r2, 8), 5);
	}
	rm("f.yaml");
	src->ops->close(src);
}

TEST(test_directive_not_split)
{
	const void *r1[8], *r2[8];
	struct kgd_source *src;
	struct kgd_changes ch;

	put_cms("%YAML 1.2\n", 5, -1, "");
	src = open_f();
	CHECK_INT(load_roots(src, r1, 8, &ch), 5);
	put_cms("%YAML 1.2\n", 5, 2, "changed");
	CHECK_INT(reload(src, r2, 8), 5);
	CHECK_INT(kept(r1, r2, 5), 0);	/* parsed again whole */
	rm("f.yaml");
	src->ops->close(src);
}

/*
 * After "...", YAML 1.2 lets a document start without "---" (libyaml
 * does not): a chunk could then hold two.  Such a file is not split.
 */
TEST(test_document_end_not_split)
{
	const void *r1[8], *r2[8];
	struct kgd_source *src;
	struct kgd_changes ch;

	put("f.yaml", DOC "...\n---\n" DOC_B "---\n" DOC "---\n" DOC_B);
	src = open_f();
	CHECK_INT(load_roots(src, r1, 8, &ch), 4);
	put("f.yaml", DOC "...\n---\n" DOC_B "---\n" DOC "---\n" DOC);
	CHECK_INT(reload(src, r2, 8), 4);
	CHECK_INT(kept(r1, r2, 4), 0);	/* parsed again whole */
	rm("f.yaml");
	src->ops->close(src);
}

/* ---- a directory not listed again when no file came or went ------------ */

/* A load of the directory: what a fresh load gives; its changes. */
static size_t reload_dir(struct kgd_source *src, struct kgd_changes *ch,
			 int want)
{
	struct kk_docs docs;
	struct kk_diag d;
	size_t n;

	CHECK_INT(src->ops->changed(src), 1);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(src->ops->load(src, &docs, &d), want);
	if (!want)
		CHECK_INT(fresh_cmp(&docs, dir), 0);
	n = docs.n;
	src->ops->changes(src, ch);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return n;
}

TEST(test_edits_not_listed)
{
	char *paths[] = { dir }, why[128];
	struct kgd_source *src;
	struct kgd_changes ch;
	const void *r[4];
	char msgs[512];
	unsigned long l;

	put("a.yaml", DOC);
	put("b.yaml", DOC_B);
	put("c.yaml", DOC "---\n" DOC_B);
	CHECK_INT(kgd_dir_source_open(&src, paths, 1, why, sizeof(why)), 0);
	CHECK_INT(load_roots(src, r, 4, &ch), 4);
	l = kgd_dir_source_listings(src);
	CHECK_INT(l, 1);
	/* written in place, then an editor's rename over it: not listed */
	put("b.yaml", DOC);
	CHECK_INT(reload_dir(src, &ch, 0), 4);
	CHECK_INT(ch.n, 1);
	put(".b.yaml.tmp", DOC_B);
	mv(".b.yaml.tmp", "b.yaml");
	CHECK_INT(reload_dir(src, &ch, 0), 4);
	CHECK_INT(ch.n, 1);
	CHECK(ch.n == 1 && ch.v[0].old->n == 1 && ch.v[0].now->n == 1);
	/* more documents, then fewer: the view made again, still not listed */
	put("a.yaml", DOC "---\n" DOC_B "---\n" DOC);
	CHECK_INT(reload_dir(src, &ch, 0), 6);
	put("c.yaml", DOC);
	CHECK_INT(reload_dir(src, &ch, 0), 5);
	/* broken, then mended: said again at each load, not listed */
	put("b.yaml", "kind: [\n");
	CHECK_INT(reload_dir(src, &ch, -EINVAL), 4);
	CHECK_INT(docs_now(src, msgs, sizeof(msgs)), 4);
	CHECK(strstr(msgs, "b.yaml:2") != NULL);
	put("b.yaml", DOC_B);
	CHECK_INT(reload_dir(src, &ch, 0), 5);
	CHECK_INT(kgd_dir_source_listings(src), l);
	/* a new file, a file gone, a file renamed: listed each time */
	put("d.yaml", DOC);
	CHECK_INT(reload_dir(src, &ch, 0), 6);
	CHECK_INT(kgd_dir_source_listings(src), ++l);
	rm("a.yaml");
	CHECK_INT(reload_dir(src, &ch, 0), 3);
	CHECK_INT(kgd_dir_source_listings(src), ++l);
	mv("d.yaml", "e.yaml");
	CHECK_INT(reload_dir(src, &ch, 0), 3);
	CHECK_INT(kgd_dir_source_listings(src), ++l);
	/* and edits after those are not listed again */
	put("e.yaml", DOC_B);
	CHECK_INT(reload_dir(src, &ch, 0), 3);
	CHECK_INT(kgd_dir_source_listings(src), l);
	rm("b.yaml");
	rm("c.yaml");
	rm("e.yaml");
	src->ops->close(src);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kgd-src.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_manifest_names);
	RUN(test_directory);
	RUN(test_broken_file_is_the_loaders_error);
	RUN(test_single_file_by_name);
	RUN(test_directory_made_later);
	RUN(test_only_changed_files_read_again);
	RUN(test_file_counts_once_written);
	RUN(test_changed_document_alone);
	RUN(test_lines_added);
	RUN(test_document_inserted_and_removed);
	RUN(test_many_edits_parsed_whole);
	RUN(test_broken_document);
	RUN(test_directive_not_split);
	RUN(test_document_end_not_split);
	RUN(test_edits_not_listed);
	rmdir(dir);
	return tap_done();
}

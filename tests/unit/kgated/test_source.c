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
	put("b.yaml", DOC);
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
	rmdir(dir);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/* Loading manifests: text, files, standard input, directories. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc.h"

/* Largest manifest file: the API server's own request limit is 3 MiB. */
#define FILE_MAX	(64 * 1024 * 1024)

int kk_load_text_at(struct kk_docs *docs, const char *name, const char *text,
		    size_t len, unsigned int line0, unsigned int index0,
		    struct kk_diag *d)
{
	const char *file;

	kk_arena_reserve(docs, strlen(name) + len);
	file = kk_strndup(docs, name, strlen(name));
	if (!file)
		return -ENOMEM;
	if (kk_text_is_json(text, len))
		return kk_load_json(docs, file, text, len, d);
	return kk_load_yaml(docs, file, text, len, line0, index0, d);
}

bool kk_text_is_json(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	return i < len && (text[i] == '{' || text[i] == '[');
}

int kk_load_text(struct kk_docs *docs, const char *name, const char *text,
		 size_t len, struct kk_diag *d)
{
	return kk_load_text_at(docs, name, text, len, 0, 0, d);
}

/* All of @f into a malloc'ed buffer. */
static int slurp(FILE *f, char **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0, got;
	char *buf = malloc(cap), *nb;

	if (!buf)
		return -ENOMEM;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n < cap)
			continue;
		if (cap >= FILE_MAX) {
			free(buf);
			return -EFBIG;
		}
		nb = realloc(buf, 2 * cap);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* All of @f, or a message naming @name and -EINVAL; or -ENOMEM. */
static int read_stream(FILE *f, const char *name, char **text, size_t *len,
		       struct kk_diag *d)
{
	int err = slurp(f, text, len);

	if (err == -EFBIG) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL,
			    "%s: larger than 64 MiB", name);
		return -EINVAL;
	}
	if (err == -EIO) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL, "%s: read error",
			    name);
		return -EINVAL;
	}
	return err;
}

static int load_stream(struct kk_docs *docs, FILE *f, const char *name,
		       struct kk_diag *d)
{
	char *text;
	size_t len;
	int err = read_stream(f, name, &text, &len, d);

	if (err)
		return err;
	err = kk_load_text(docs, name, text, len, d);
	free(text);
	return err;
}

int kk_read_file(const char *path, char **text, size_t *len,
		 struct kk_diag *d)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL, "%s: %s", path,
			    strerror(errno));
		return -EINVAL;
	}
	err = read_stream(f, path, text, len, d);
	fclose(f);
	return err;
}

static int load_file(struct kk_docs *docs, const char *path,
		     struct kk_diag *d)
{
	char *text;
	size_t len;
	int err = kk_read_file(path, &text, &len, d);

	if (err)
		return err;
	err = kk_load_text(docs, path, text, len, d);
	free(text);
	return err;
}

bool kk_manifest_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;	/* editors' and kubectl's hidden files */
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml")) ||
	       (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct kk_docs *docs, const char *path,
		    struct kk_diag *d)
{
	char **names = NULL, **nn, *full;
	size_t n = 0, i;
	struct dirent *de;
	int err = 0, failed = 0;
	DIR *dir = opendir(path);

	if (!dir) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL, "%s: %s", path,
			    strerror(errno));
		return -EINVAL;
	}
	while (!err && (de = readdir(dir))) {
		if (!kk_manifest_name(de->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || asprintf(&full, "%s/%s", path, de->d_name) < 0) {
			if (nn)
				names = nn;
			err = -ENOMEM;
			break;
		}
		names = nn;
		names[n++] = full;
	}
	closedir(dir);
	if (!err && n)
		qsort(names, n, sizeof(*names), cmp_names);
	/* Every file, so that one run reports every error. */
	for (i = 0; !err && i < n; i++) {
		int r = load_file(docs, names[i], d);

		if (r == -EINVAL)
			failed = r;
		else
			err = r;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err ? err : failed;
}

int kk_load_path(struct kk_docs *docs, const char *path, struct kk_diag *d)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return load_stream(docs, stdin, "<stdin>", d);
	if (stat(path, &st)) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL, "%s: %s", path,
			    strerror(errno));
		return -EINVAL;
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(docs, path, d);
	return load_file(docs, path, d);
}

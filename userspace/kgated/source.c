// SPDX-License-Identifier: GPL-2.0
/*
 * The files-and-directories source: manifests on disk, followed with
 * inotify.  A directory is watched itself; a file is watched through its
 * directory, by name, because editors and kubectl write a new file and
 * rename it over the old one, which a watch on the old inode would miss.
 * A path that does not exist yet is watched as soon as it does (tried
 * again at every load).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kgated.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
		    IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct watch {
	char *path;		/* as configured */
	char *dir;		/* the directory watched */
	char *base;		/* the file's name in it; NULL: a directory */
	int wd;			/* -1: not watched (yet) */
};

struct dir_source {
	struct kgd_source src;	/* first: the operations */
	int fd;			/* inotify */
	struct watch *w;
	size_t n;
};

static struct dir_source *of(struct kgd_source *src)
{
	return (struct dir_source *)src;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* (Re)decide what @w watches: the path is a directory now, or not. */
static int watch_split(struct watch *w)
{
	char *a, *b;

	free(w->dir);
	free(w->base);
	w->dir = w->base = NULL;
	if (is_dir(w->path)) {
		w->dir = strdup(w->path);
		return w->dir ? 0 : -ENOMEM;
	}
	a = strdup(w->path);
	b = strdup(w->path);
	if (a && b) {
		w->dir = strdup(dirname(a));
		w->base = strdup(basename(b));
	}
	free(a);
	free(b);
	return w->dir && w->base ? 0 : -ENOMEM;
}

/* Is watch descriptor @wd of entry @self used by another entry too? */
static bool shared(const struct dir_source *ds, size_t self, int wd)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (i != self && ds->w[i].wd == wd)
			return true;
	return false;
}

static int arm(struct dir_source *ds)
{
	size_t i;
	int err;

	for (i = 0; i < ds->n; i++) {
		struct watch *w = &ds->w[i];

		/* a directory made since: watched itself from now on */
		if (w->wd >= 0 && w->base && is_dir(w->path)) {
			if (!shared(ds, i, w->wd))
				inotify_rm_watch(ds->fd, w->wd);
			w->wd = -1;
		}
		if (w->wd >= 0)
			continue;
		err = watch_split(w);
		if (err)
			return err;
		w->wd = inotify_add_watch(ds->fd, w->dir, WATCH_MASK);
	}
	return 0;
}

static int dir_load(struct kgd_source *src, struct kk_docs *docs,
		    struct kk_diag *d)
{
	struct dir_source *ds = of(src);
	int err = 0, r;
	size_t i;

	/* before loading: a change while we read is then not missed */
	if (arm(ds))
		return -ENOMEM;
	for (i = 0; i < ds->n; i++) {
		r = kk_load_path(docs, ds->w[i].path, d);
		if (r == -ENOMEM)
			return r;
		if (r)
			err = r;
	}
	return err;
}

static int dir_fd(const struct kgd_source *src)
{
	return ((const struct dir_source *)src)->fd;
}

/* Does event @ev concern what @w follows? */
static bool concerns(struct watch *w, const struct inotify_event *ev)
{
	if (w->wd != ev->wd)
		return false;
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
		/* the directory went: watch again at the next load */
		w->wd = -1;
		return true;
	}
	if (!ev->len)
		return false;
	return w->base ? !strcmp(ev->name, w->base) :
			 kk_manifest_name(ev->name);
}

static int one_event(struct dir_source *ds, const struct inotify_event *ev)
{
	int changed = 0;
	size_t i;

	if (ev->mask & IN_Q_OVERFLOW)
		return 1;
	for (i = 0; i < ds->n; i++)
		if (concerns(&ds->w[i], ev))
			changed = 1;
	return changed;
}

static int dir_changed(struct kgd_source *src)
{
	struct dir_source *ds = of(src);
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	int changed = 0;
	ssize_t len;
	char *p;

	for (;;) {
		len = read(ds->fd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == EAGAIN)
			return changed;
		if (len <= 0)
			return len < 0 ? -errno : -EIO;
		for (p = buf; p < buf + len;
		     p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			changed |= one_event(ds, ev);
		}
	}
}

static void dir_close(struct kgd_source *src)
{
	struct dir_source *ds = of(src);
	size_t i;

	if (!ds)
		return;
	for (i = 0; i < ds->n; i++) {
		free(ds->w[i].path);
		free(ds->w[i].dir);
		free(ds->w[i].base);
	}
	free(ds->w);
	if (ds->fd >= 0)
		close(ds->fd);
	free(ds);
}

static const struct kgd_source_ops dir_ops = {
	.name = "files",
	.load = dir_load,
	.fd = dir_fd,
	.changed = dir_changed,
	.close = dir_close,
};

int kgd_dir_source_open(struct kgd_source **out, char *const *paths,
			size_t n, char *why, size_t whylen)
{
	struct dir_source *ds = calloc(1, sizeof(*ds));

	if (!ds)
		goto nomem;
	ds->src.ops = &dir_ops;
	ds->w = calloc(n ? n : 1, sizeof(*ds->w));
	ds->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ds->fd < 0) {
		snprintf(why, whylen, "inotify: %s", strerror(errno));
		dir_close(&ds->src);
		return -EMFILE;
	}
	if (!ds->w)
		goto nomem;
	for (; ds->n < n; ds->n++) {
		ds->w[ds->n].wd = -1;
		ds->w[ds->n].path = strdup(paths[ds->n]);
		if (!ds->w[ds->n].path)
			goto nomem;
	}
	if (arm(ds))
		goto nomem;
	*out = &ds->src;
	return 0;
nomem:
	if (ds)
		dir_close(&ds->src);
	snprintf(why, whylen, "out of memory");
	return -ENOMEM;
}

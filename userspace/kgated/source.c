// SPDX-License-Identifier: GPL-2.0
/*
 * The files-and-directories source: manifests on disk, followed with
 * inotify.  A directory is watched itself; a file is watched through its
 * directory, by name, because editors and kubectl write a new file and
 * rename it over the old one, which a watch on the old inode would miss.
 * A path that does not exist yet is watched as soon as it does (tried
 * again at every load).
 *
 * Every file is a unit with its own documents: a load reads again only
 * the files inotify named since the last one (and those that failed, so
 * that their messages are said again), keeps the others' documents, and
 * says which units changed (kgd_source_ops.changes).  A file is read once
 * it is complete: when it is closed after writing or renamed into place,
 * not when it is made.  Of a file read again, only the documents whose
 * text or lines changed are parsed again (its chunks and slots, below).
 * When no file came or went, the directories are not even listed: the
 * files named are read again in place (patch_units()).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <dirent.h>
#include <stdio.h>
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

/*
 * Documents parsed together (a file, or a run of its chunks that changed),
 * in their own arena.  Slots share them: it lives as long as one does.
 */
struct part {
	struct kk_docs docs;
	unsigned int refs;	/* the slots whose documents are its */
	struct part *next;	/* retired: freed at the next load */
};

/*
 * A chunk of a file (a document and what follows it up to the next
 * marker) as last loaded, and where its documents are.
 */
struct slot {
	uint64_t hash;		/* of its text */
	size_t len;
	unsigned int line0;	/* the file's lines before it */
	unsigned int docno;	/* its first document's number, now */
	unsigned int docno_parsed;	/* ... when it was parsed */
	struct part *part;
	size_t first, n;	/* its documents in the part's */
};

/* A file and its documents as last loaded. */
struct unit {
	char *path;
	struct kk_docs *docs;	/* its slots' documents: a view */
	bool ok;		/* loaded without a message: kept */
	bool reread;		/* read in place by this load */
	struct slot *slots;	/* in file order */
	size_t n_slots;
};

struct units {
	struct unit *v;
	size_t n, cap;
};

struct dir_source {
	struct kgd_source src;	/* first: the operations */
	int fd;			/* inotify */
	struct watch *w;
	size_t n;
	struct units u;		/* in load order */
	struct unit **by_path;	/* u's, sorted by path */
	char **dirty;		/* paths inotify named since the last load */
	size_t n_dirty;
	bool all_dirty;		/* every file (an overflow, a directory) */
	bool relist;		/* a file went, a watch came: list again */
	unsigned long listings;	/* directories listed, ever */
	bool loaded;		/* since the source opened */
	bool fresh;		/* the last load was the first */
	/* the last load's changes, and the old documents they name */
	struct kk_change *ch;
	size_t n_ch, cap_ch;
	struct part *retired;	/* theirs too */
	/* every unit's documents, lent to load()'s; whole while loaded */
	struct kk_docs view;
	bool reshaped;		/* a file read in place has more or fewer */
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
		/* what it watches may hold files not read yet */
		ds->relist = true;
	}
	return 0;
}

/* ---- the units -------------------------------------------------------- */

/*
 * A file's documents come from this many parts at most, else it is parsed
 * again whole into one: a part keeps the documents it replaced until its
 * last slot goes, and this bounds them.
 */
#define PARTS_MAX	8

static void docs_drop(struct kk_docs *docs)
{
	if (docs) {
		kk_docs_free(docs);
		free(docs);
	}
}

static void part_free(struct part *p)
{
	kk_docs_free(&p->docs);
	free(p);
}

/*
 * A slot lets go of its part.  With the last, the part is retired: the
 * old documents of the last load's changes may be its, so it is freed
 * with them, at the next load.
 */
static void part_put(struct dir_source *ds, struct part *p)
{
	if (p && !--p->refs) {
		p->next = ds->retired;
		ds->retired = p;
	}
}

static void slots_put(struct dir_source *ds, struct unit *u)
{
	size_t i;

	for (i = 0; i < u->n_slots; i++)
		part_put(ds, u->slots[i].part);
	free(u->slots);
	u->slots = NULL;
	u->n_slots = 0;
}

static void units_free(struct dir_source *ds, struct units *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].path);
		docs_drop(u->v[i].docs);
		slots_put(ds, &u->v[i]);
	}
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static int units_add(struct units *u, const struct unit *x)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 64;
		struct unit *v = realloc(u->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n++] = *x;
	return 0;
}

/* The last load's changes: their old documents go now, and their parts. */
static void changes_free(struct dir_source *ds)
{
	struct part *p;
	size_t i;

	for (i = 0; i < ds->n_ch; i++)
		docs_drop((struct kk_docs *)ds->ch[i].old);
	ds->n_ch = 0;
	while ((p = ds->retired)) {
		ds->retired = p->next;
		part_free(p);
	}
}

/* ---- a file's chunks -------------------------------------------------- */

/* A document of a file's text, with what follows it up to the next one. */
struct chunk {
	size_t off, len;
	unsigned int line0;	/* the text's lines before it */
	unsigned int docs;	/* YAML documents in it, empty ones too */
	uint64_t hash;
};

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Does marker @m ("---", "...") start a line at @p, then a blank or end? */
static bool is_marker(const char *p, const char *end, const char *m)
{
	return end - p >= 3 && !memcmp(p, m, 3) &&
	       (end - p == 3 || memchr(" \t\r\n", p[3], 4));
}

/* Anything but blanks and comments: a document, if only an empty one. */
static bool has_token(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		p += 3;		/* a byte order mark */
	for (; p < end; p++) {
		if (*p == '#') {
			p = memchr(p, '\n', (size_t)(end - p));
			if (!p)
				return false;
		} else if (!memchr(" \t\r\n", *p, 4)) {
			return true;
		}
	}
	return false;
}

static int chunk_add(struct chunk **v, size_t *n, size_t *cap, size_t off,
		     unsigned int line0)
{
	struct chunk *nv;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		nv = realloc(*v, *cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = (struct chunk){ .off = off, .line0 = line0 };
	return 0;
}

/*
 * @text cut at its document markers.  No YAML content may hold a marker
 * line, so each chunk parses alone as it does in the whole text.  Chunk 0
 * is what comes before the first marker (maybe nothing), and holds one
 * document or none; every other chunk holds one.  A JSON text, or one with
 * directives or a "..." line, is one chunk.
 */
static int split(const char *text, size_t len, struct chunk **out, size_t *n)
{
	const char *p = text, *end = text + len;
	bool whole = kk_text_is_json(text, len);
	unsigned int line = 0;
	size_t cap = 0, i;
	int err;

	*out = NULL;
	*n = 0;
	err = chunk_add(out, n, &cap, 0, 0);
	while (!err && !whole && p < end) {
		/*
		 * Directives hold for the documents after them; after "..."
		 * a document may start without "---", so a chunk could hold
		 * two: such a text is one chunk.
		 */
		whole = *p == '%' || is_marker(p, end, "...");
		if (is_marker(p, end, "---"))
			err = chunk_add(out, n, &cap, (size_t)(p - text), line);
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			break;
		p++;
		line++;
	}
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	if (whole)
		*n = 1;
	for (i = 0; i < *n; i++) {
		struct chunk *c = &(*out)[i];

		c->len = (i + 1 < *n ? c[1].off : len) - c->off;
		c->hash = fnv1a(text + c->off, c->len);
		c->docs = whole ? 0 : i ? 1 : has_token(text, c->len);
	}
	return 0;
}

/* ---- a file's slots --------------------------------------------------- */

/* How many parts @u's documents come from, counted up to PARTS_MAX + 1. */
static size_t parts_of(const struct unit *u)
{
	const struct part *seen[PARTS_MAX + 1];
	size_t n = 0, i, k;

	for (i = 0; i < u->n_slots && n <= PARTS_MAX; i++) {
		for (k = 0; k < n && seen[k] != u->slots[i].part; k++)
			;
		if (k == n)
			seen[n++] = u->slots[i].part;
	}
	return n;
}

/* @docs to the slots [@j, @k): each to the chunk its root is in. */
static void by_lines(struct slot *sl, const struct chunk *c, size_t j,
		     size_t k, const struct kk_docs *docs)
{
	size_t i, s;

	for (s = j; s < k; s++)
		sl[s].n = 0;
	for (i = 0, s = j; i < docs->n; i++) {
		const struct kk_node *root = docs->v[i].root;
		unsigned int line = root ? root->pos.line : 0;

		while (s + 1 < k && line > c[s + 1].line0)
			s++;
		if (!sl[s].n)
			sl[s].first = i;
		sl[s].n++;
	}
}

/*
 * The chunks [@j, @k) of @text parsed together into a new part, whose
 * documents each go to the slot of the chunk their root is in.
 */
static int parse_run(struct unit *u, const char *text, const struct chunk *c,
		     size_t j, size_t k, struct kk_diag *d)
{
	size_t off = c[j].off, len = c[k - 1].off + c[k - 1].len - off, i, s;
	struct part *p = calloc(1, sizeof(*p));
	struct slot *sl = u->slots;
	int err;

	if (!p)
		return -ENOMEM;
	err = kk_load_text_at(&p->docs, u->path, text + off, len, c[j].line0,
			      sl[j].docno, d);
	if (err == -EINVAL) {
		/* no documents; kept for the file name its messages name */
		p->docs.n = 0;
		sl[j].part = p;
		p->refs = 1;
	}
	if (err) {
		if (err != -EINVAL)
			part_free(p);
		return err;
	}
	/* each chunk's documents, as many as split() counted ... */
	for (i = 0, s = j; s < k; s++) {
		sl[s].first = i;
		sl[s].n = c[s].docs;
		i += c[s].docs;
	}
	/* ... or, should the parser disagree, by the line of each root */
	if (i != p->docs.n)
		by_lines(sl, c, j, k, &p->docs);
	for (s = j; s < k; s++) {
		sl[s].part = p;
		sl[s].docno_parsed = sl[s].docno;
	}
	p->refs = (unsigned int)(k - j);
	return 0;
}

/* Is @o's chunk the very text of @s's, at the same lines? */
static bool same_chunk(const struct slot *o, const struct slot *s)
{
	return o->hash == s->hash && o->len == s->len && o->line0 == s->line0;
}

/*
 * @now's slots for the chunks @c of @text: old slot i's documents when
 * chunk i is the same (positions are in the nodes: a chunk that moved is
 * parsed again), the others parsed, each run of them together.
 */
static int slots_fill(struct unit *now, const struct unit *was,
		      const char *text, const struct chunk *c, size_t n,
		      struct kk_diag *d)
{
	bool reuse = was && was->ok && parts_of(was) <= PARTS_MAX;
	unsigned int docno = 0;
	size_t i, j;
	int err = 0;

	now->slots = calloc(n, sizeof(*now->slots));
	if (!now->slots)
		return -ENOMEM;
	now->n_slots = n;
	for (i = 0; i < n; i++) {
		struct slot *s = &now->slots[i];
		const struct slot *o = reuse && i < was->n_slots ?
				       &was->slots[i] : NULL;

		*s = (struct slot){ .hash = c[i].hash, .len = c[i].len,
				    .line0 = c[i].line0, .docno = docno };
		docno += c[i].docs;
		if (o && same_chunk(o, s)) {
			s->part = o->part;
			s->first = o->first;
			s->n = o->n;
			s->docno_parsed = o->docno_parsed;
			s->part->refs++;
		}
	}
	for (i = 0; !err && i < n; i = j) {
		for (j = i; j < n && !now->slots[j].part; j++)
			;
		if (j == i)
			j++;	/* kept */
		else
			err = parse_run(now, text, c, i, j, d);
	}
	return err;
}

/* @u's documents: its slots', numbered as they are in the file now. */
static int slots_view(struct unit *u)
{
	struct kk_docs *docs = calloc(1, sizeof(*docs));
	size_t total = 0, i, k;
	struct kk_doc *v;

	for (i = 0; i < u->n_slots; i++)
		total += u->slots[i].n;
	v = malloc((total + 1) * sizeof(*v));
	if (!docs || !v) {
		free(docs);
		free(v);
		return -ENOMEM;
	}
	docs->v = v;
	docs->n = docs->cap = total;
	for (i = 0; i < u->n_slots; i++) {
		const struct slot *s = &u->slots[i];

		for (k = 0; k < s->n; k++, v++) {
			*v = s->part->docs.v[s->first + k];
			v->index = v->index - s->docno_parsed + s->docno;
		}
	}
	u->docs = docs;
	return 0;
}

/*
 * File @now->path read again: what is the same as in @was (the unit at
 * the last load, or NULL) is kept.  0; -EINVAL with a message, @now then
 * not ok and without documents; -ENOMEM.
 */
static int unit_load(struct dir_source *ds, struct unit *now,
		     const struct unit *was, struct kk_diag *d)
{
	struct chunk *c = NULL;
	char *text = NULL;
	size_t len, n;
	int err;

	err = kk_read_file(now->path, &text, &len, d);
	if (!err)
		err = split(text, len, &c, &n);
	if (!err)
		err = slots_fill(now, was, text, c, n, d);
	free(c);
	free(text);
	if (!err)
		err = slots_view(now);
	now->ok = !err;
	if (!err)
		return 0;
	/*
	 * Not ok: no documents, and the next load parses it whole.  Its
	 * slots stay until then: a message names the file in their arena.
	 */
	if (err == -EINVAL) {
		now->docs = calloc(1, sizeof(*now->docs));
		if (now->docs)
			return err;
	}
	slots_put(ds, now);
	return -ENOMEM;
}

/* ---- loading ---------------------------------------------------------- */

static int change_add(struct dir_source *ds, struct kk_docs *old,
		      const struct kk_docs *now)
{
	if (ds->n_ch == ds->cap_ch) {
		size_t cap = ds->cap_ch ? 2 * ds->cap_ch : 16;
		struct kk_change *v = realloc(ds->ch, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ds->ch = v;
		ds->cap_ch = cap;
	}
	ds->ch[ds->n_ch++] = (struct kk_change){ old, now };
	return 0;
}

static int cmp_unitp(const void *a, const void *b)
{
	return strcmp((*(struct unit *const *)a)->path,
		      (*(struct unit *const *)b)->path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The unit of @path at the last load, or NULL. */
static struct unit *unit_was(const struct dir_source *ds, const char *path)
{
	struct unit key = { .path = (char *)path }, *k = &key, **u;

	if (!ds->u.n)
		return NULL;
	u = bsearch(&k, ds->by_path, ds->u.n, sizeof(*ds->by_path),
		    cmp_unitp);
	return u ? *u : NULL;
}

static bool is_dirty(const struct dir_source *ds, const char *path)
{
	if (ds->all_dirty)
		return true;
	return ds->n_dirty && bsearch(&path, ds->dirty, ds->n_dirty,
				      sizeof(*ds->dirty), cmp_str);
}

/* @was's documents and slots, now @now's. */
static void unit_move(struct unit *now, struct unit *was)
{
	now->docs = was->docs;
	now->slots = was->slots;
	now->n_slots = was->n_slots;
	now->ok = was->ok;
	was->docs = NULL;
	was->slots = NULL;
	was->n_slots = 0;
}

/* The file @path into @to: its documents kept, or read again. */
static int take_file(struct dir_source *ds, struct units *to, char *path,
		     struct kk_diag *d)
{
	struct unit *was = unit_was(ds, path), now = { .path = path };
	int r;

	if (was && was->ok && !is_dirty(ds, path)) {
		unit_move(&now, was);
		r = units_add(to, &now);
		if (r) {
			unit_move(was, &now);
			free(path);
		}
		return r;
	}
	r = unit_load(ds, &now, was, d);
	if (r == -ENOMEM || units_add(to, &now)) {
		docs_drop(now.docs);
		slots_put(ds, &now);
		free(path);
		return -ENOMEM;
	}
	r = change_add(ds, was ? was->docs : NULL, now.docs);
	if (!r && was) {
		was->docs = NULL;	/* the change's until the next load */
		slots_put(ds, was);
	}
	return r;
}

/* A directory's manifests in name order, as kk_load_path() takes them. */
static int take_dir(struct dir_source *ds, struct units *to,
		    const char *path, struct kk_diag *d)
{
	char **names = NULL, **nn, *full;
	size_t n = 0, i;
	struct dirent *de;
	int err = 0;
	DIR *dir = opendir(path);

	ds->listings++;
	if (!dir) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL, "%s: %s", path,
			    strerror(errno));
		return 0;
	}
	while (!err && (de = readdir(dir))) {
		if (!kk_manifest_name(de->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (nn)
			names = nn;
		if (!nn || asprintf(&full, "%s/%s", path, de->d_name) < 0)
			err = -ENOMEM;
		else
			names[n++] = full;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (!err)
			err = take_file(ds, to, names[i], d);
		else
			free(names[i]);
	}
	free(names);
	return err;
}

static int take_path(struct dir_source *ds, struct units *to,
		     const char *path, struct kk_diag *d)
{
	char *p;

	if (is_dir(path))
		return take_dir(ds, to, path, d);
	p = strdup(path);
	return p ? take_file(ds, to, p, d) : -ENOMEM;
}

/* Files of the last load that are no more. */
static int take_gone(struct dir_source *ds)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < ds->u.n; i++) {
		if (!ds->u.v[i].docs)
			continue;	/* taken */
		err = change_add(ds, ds->u.v[i].docs, NULL);
		if (!err) {
			ds->u.v[i].docs = NULL;
			slots_put(ds, &ds->u.v[i]);
		}
	}
	return err;
}

static void dirty_clear(struct dir_source *ds)
{
	size_t i;

	for (i = 0; i < ds->n_dirty; i++)
		free(ds->dirty[i]);
	free(ds->dirty);
	ds->dirty = NULL;
	ds->n_dirty = 0;
	ds->all_dirty = false;
}

int kgd_docs_view(struct kk_docs *out, size_t n,
		  const struct kk_docs *(*get)(const void *set, size_t i),
		  const void *set)
{
	size_t total = 0, i;
	struct kk_doc *v;

	for (i = 0; i < n; i++)
		total += get(set, i)->n;
	v = malloc((total + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	kk_docs_free(out);
	out->v = v;
	out->n = out->cap = total;
	for (i = 0; i < n; i++) {
		const struct kk_docs *part = get(set, i);

		if (!part->n)
			continue;	/* an empty file: no list to copy */
		memcpy(v, part->v, part->n * sizeof(*v));
		v += part->n;
	}
	return 0;
}

static const struct kk_docs *unit_docs(const void *set, size_t i)
{
	return ((const struct units *)set)->v[i].docs;
}

/* Every unit's documents, one after another. */
static int view_build(struct dir_source *ds)
{
	return kgd_docs_view(&ds->view, ds->u.n, unit_docs, &ds->u);
}

/*
 * After patch_units(): where the files read again have as many documents
 * as before, their entries are overwritten.  Else rebuilt.
 */
static int view_update(struct dir_source *ds)
{
	size_t off = 0, i;

	for (i = 0; i < ds->u.n; i++) {
		struct unit *u = &ds->u.v[i];

		if (!ds->reshaped && u->reread && u->docs->n)
			memcpy(ds->view.v + off, u->docs->v,
			       u->docs->n * sizeof(*u->docs->v));
		u->reread = false;
		off += u->docs->n;
	}
	return ds->reshaped ? view_build(ds) : 0;
}

/* After a failure: nothing kept, the next load reads everything. */
static void forget(struct dir_source *ds)
{
	units_free(ds, &ds->u);
	changes_free(ds);
	free(ds->by_path);
	ds->by_path = NULL;
	kk_docs_free(&ds->view);
	ds->loaded = false;
}

static int index_units(struct dir_source *ds)
{
	size_t i;

	free(ds->by_path);
	ds->by_path = malloc((ds->u.n + 1) * sizeof(*ds->by_path));
	if (!ds->by_path)
		return -ENOMEM;
	for (i = 0; i < ds->u.n; i++)
		ds->by_path[i] = &ds->u.v[i];
	if (ds->u.n)
		qsort(ds->by_path, ds->u.n, sizeof(*ds->by_path), cmp_unitp);
	return 0;
}

/* Every path listed and its files taken: kept, or read again. */
static int load_units(struct dir_source *ds, struct kk_diag *d)
{
	struct units now = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < ds->n; i++)
		err = take_path(ds, &now, ds->w[i].path, d);
	if (!err)
		err = take_gone(ds);
	units_free(ds, &ds->u);
	ds->u = now;
	if (!err)
		err = index_units(ds);
	if (!err)
		err = view_build(ds);
	if (!err)
		ds->relist = false;
	return err;
}

/* @u read again in place; its old documents go with the change. */
static int unit_reread(struct dir_source *ds, struct unit *u,
		       struct kk_diag *d)
{
	struct unit now = { .path = u->path };
	int r = unit_load(ds, &now, u, d);

	if (r == -ENOMEM || change_add(ds, u->docs, now.docs)) {
		docs_drop(now.docs);
		slots_put(ds, &now);
		return -ENOMEM;
	}
	ds->reshaped |= now.docs->n != u->docs->n;
	u->docs = NULL;		/* the change's until the next load */
	slots_put(ds, u);
	*u = now;
	u->reread = true;
	return 0;
}

/*
 * A load where no file came or went, which is every edit of a file that
 * is there: the files named since, and those with messages, are read
 * again in place, and no directory is listed.  1: done; 0: the whole
 * load is needed; -ENOMEM.
 */
static int patch_units(struct dir_source *ds, struct kk_diag *d)
{
	size_t i;
	int err;

	if (!ds->loaded || ds->all_dirty || ds->relist)
		return 0;
	for (i = 0; i < ds->n_dirty; i++)
		if (!unit_was(ds, ds->dirty[i]))
			return 0;	/* a file new to us */
	ds->reshaped = false;
	for (i = 0; i < ds->u.n; i++) {
		struct unit *u = &ds->u.v[i];

		if (u->ok && !is_dirty(ds, u->path))
			continue;
		err = unit_reread(ds, u, d);
		if (err)
			return err;
	}
	err = view_update(ds);
	return err ? err : 1;
}

static int dir_load(struct kgd_source *src, struct kk_docs *docs,
		    struct kk_diag *d)
{
	struct dir_source *ds = of(src);
	size_t i;
	int err;

	changes_free(ds);
	if (!ds->loaded)
		ds->all_dirty = true;
	if (ds->n_dirty)
		qsort(ds->dirty, ds->n_dirty, sizeof(*ds->dirty), cmp_str);
	/* before loading: a change while we read is then not missed */
	err = arm(ds);
	if (!err)
		err = patch_units(ds, d);
	if (!err)
		err = load_units(ds, d);
	dirty_clear(ds);
	if (err < 0) {
		forget(ds);
		return err;
	}
	kk_docs_free(docs);
	*docs = ds->view;
	docs->borrowed = true;
	ds->fresh = !ds->loaded;
	ds->loaded = true;
	for (i = 0; i < ds->u.n; i++)
		if (!ds->u.v[i].ok)
			return -EINVAL;
	return 0;
}

static void dir_changes(struct kgd_source *src, struct kgd_changes *out)
{
	struct dir_source *ds = of(src);

	out->all = ds->fresh;
	out->v = ds->ch;
	out->n = ds->n_ch;
}

static int dir_fd(const struct kgd_source *src)
{
	return ((const struct dir_source *)src)->fd;
}

/* A file of @w's that is now to be read again. */
static int mark(struct dir_source *ds, const struct watch *w,
		const char *name)
{
	char **v, *p;

	if (w->base)
		p = strdup(w->path);
	else if (asprintf(&p, "%s/%s", w->path, name) < 0)
		p = NULL;
	v = p ? realloc(ds->dirty, (ds->n_dirty + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(p);
		/* no room to say which: every file, then */
		ds->all_dirty = true;
		return 1;
	}
	ds->dirty = v;
	v[ds->n_dirty++] = p;
	return 1;
}

/* Does event @ev concern what @w follows?  Then 1, and it is marked. */
static int concerns(struct dir_source *ds, struct watch *w,
		    const struct inotify_event *ev)
{
	if (w->wd != ev->wd)
		return 0;
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
		/* the directory went: watch again at the next load */
		w->wd = -1;
		ds->all_dirty = true;
		return 1;
	}
	if (!ev->len)
		return 0;
	if (w->base ? strcmp(ev->name, w->base) : !kk_manifest_name(ev->name))
		return 0;
	/*
	 * A file just made is still being written: it counts when it is
	 * closed (IN_CLOSE_WRITE), so that a partial file is never
	 * applied.  A directory made counts at once (watched from then on).
	 */
	if ((ev->mask & IN_CREATE) && !(ev->mask & IN_ISDIR))
		return 0;
	if (ev->mask & IN_ISDIR)
		ds->all_dirty = true;
	/* its unit must go, which only a listing tells */
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
		ds->relist = true;
	return mark(ds, w, ev->name);
}

static int one_event(struct dir_source *ds, const struct inotify_event *ev)
{
	int changed = 0;
	size_t i;

	if (ev->mask & IN_Q_OVERFLOW) {
		ds->all_dirty = true;
		return 1;
	}
	for (i = 0; i < ds->n; i++)
		changed |= concerns(ds, &ds->w[i], ev);
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
	forget(ds);
	free(ds->ch);
	dirty_clear(ds);
	if (ds->fd >= 0)
		close(ds->fd);
	free(ds);
}

unsigned long kgd_dir_source_listings(const struct kgd_source *src)
{
	return ((const struct dir_source *)src)->listings;
}

static const struct kgd_source_ops dir_ops = {
	.name = "files",
	.load = dir_load,
	.fd = dir_fd,
	.changed = dir_changed,
	.changes = dir_changes,
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

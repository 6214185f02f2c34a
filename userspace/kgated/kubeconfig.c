// SPDX-License-Identifier: GPL-2.0
/*
 * Where the API server is: in-cluster (the service account's files and
 * the KUBERNETES_SERVICE_* variables), a kubeconfig file (read with
 * libkgate-k8s' loader, so its errors name the file, line and field), or
 * a plain URL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "api.h"

#define SA_DIR	"/var/run/secrets/kubernetes.io/serviceaccount"
#define MAX_SECRET_FILE	(1 << 20)

void kgd_api_conn_free(struct kgd_api_conn *c)
{
	size_t i;

	for (i = 0; i < sizeof(c->tmp) / sizeof(c->tmp[0]); i++) {
		if (c->tmp[i])
			unlink(c->tmp[i]);
		free(c->tmp[i]);
	}
	free(c->server);
	free(c->token);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->ns);
	memset(c, 0, sizeof(*c));
}

/* Paths are appended to a server's URL: it ends without a slash. */
static size_t trailing_slashes(const char *url)
{
	size_t n = strlen(url), i = 0;

	while (i < n && url[n - 1 - i] == '/')
		i++;
	return i;
}

int kgd_api_conn_url(struct kgd_api_conn *c, const char *url)
{
	memset(c, 0, sizeof(*c));
	c->server = strndup(url, strlen(url) - trailing_slashes(url));
	return c->server ? 0 : -ENOMEM;
}

/* A small file's text without trailing white space, or NULL (errno set). */
static char *read_small(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(MAX_SECRET_FILE + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(buf, 1, MAX_SECRET_FILE + 1, f);
	fclose(f);
	if (n > MAX_SECRET_FILE) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
		n--;
	buf[n] = '\0';
	return buf;
}

/* File @name of the service account's directory @dir, into *@out. */
static int sa_file(const char *dir, const char *name, char **out, bool need,
		   struct kk_diag *d)
{
	char *path;
	int err;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	if (!strcmp(name, "ca.crt")) {
		/* libcurl reads the CA itself; we only check it is there. */
		if (access(path, R_OK) == 0) {
			*out = path;
			return 0;
		}
	} else {
		*out = read_small(path);
		if (*out) {
			free(path);
			return 0;
		}
	}
	err = errno;
	if (need || err != ENOENT)
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL, "%s: %s", path,
			    strerror(err));
	free(path);
	return need || err != ENOENT ? -(err == ENOMEM ? ENOMEM : ENOENT) : 0;
}

int kgd_api_conn_incluster(struct kgd_api_conn *c, const char *sa_dir,
			   struct kk_diag *d)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	int err;

	memset(c, 0, sizeof(*c));
	if (!sa_dir)
		sa_dir = SA_DIR;
	if (!host || !*host || !port || !*port) {
		kk_diag_add(d, KK_ERROR, NULL, NULL, NULL,
			    "not in a cluster: KUBERNETES_SERVICE_HOST and "
			    "KUBERNETES_SERVICE_PORT are not set");
		return -ENOENT;
	}
	/* An IPv6 address goes in brackets in a URL. */
	if (asprintf(&c->server, strchr(host, ':') ? "https://[%s]:%s" :
		     "https://%s:%s", host, port) < 0) {
		c->server = NULL;
		return -ENOMEM;
	}
	err = sa_file(sa_dir, "token", &c->token, true, d);
	if (!err)
		err = sa_file(sa_dir, "ca.crt", &c->ca_file, true, d);
	if (!err)
		err = sa_file(sa_dir, "namespace", &c->ns, false, d);
	if (err)
		kgd_api_conn_free(c);
	return err;
}

/* ---- kubeconfig ----------------------------------------------------------- */

struct kcfg {
	struct kgd_api_conn *c;
	struct kk_obj obj;	/* the file as an object, for messages */
	struct kk_diag *d;
	char *dir;		/* the kubeconfig's directory */
	size_t n_tmp;
};

/*
 * The field @inner of the entry of list @list (clusters, users, contexts)
 * named @name, with *@found; not found is reported at @ref.
 */
static const struct kk_node *named(struct kcfg *k, const char *list,
				   const char *name, const char *inner,
				   const struct kk_node *ref, const char *rfield,
				   char *field, size_t flen, bool *found)
{
	const struct kk_node *seq = kk_get(k->obj.root, list);
	const char *s;
	size_t i;

	*found = false;
	if (kk_seq(k->d, &k->obj, seq, list)) {
		for (i = 0; i < seq->seq.n; i++) {
			snprintf(field, flen, "%s[%zu].name", list, i);
			if (!kk_str(k->d, &k->obj, kk_get(seq->seq.v[i], "name"),
				    field, &s) || strcmp(s, name))
				continue;
			snprintf(field, flen, "%s[%zu].%s", list, i, inner);
			*found = true;
			return kk_get(seq->seq.v[i], inner);
		}
	}
	kk_error(k->d, &k->obj, ref, rfield, "no %.*s named \"%s\" in %s",
		 (int)strlen(list) - 1, list, name, list);
	return NULL;
}

/* "@base.@key" into @buf, for messages. */
static void fpath(char *buf, size_t len, const char *base, const char *key)
{
	int n = snprintf(buf, len, "%s.%s", base, key);

	if (n < 0 || (size_t)n >= len)
		buf[len - 1] = '\0';	/* cut: still names where it is */
}

/* A file name as written, relative to the kubeconfig's directory. */
static char *rel_path(struct kcfg *k, const char *p)
{
	char *out;

	if (p[0] == '/')
		return strdup(p);
	if (asprintf(&out, "%s/%s", k->dir, p) < 0)
		return NULL;
	return out;
}

/* Base64 @b64 (field @field at @n) into a private file; its name. */
static int data_file(struct kcfg *k, const struct kk_node *n,
		     const char *field, const char *b64, char **out)
{
	gnutls_datum_t in = { (unsigned char *)b64, strlen(b64) }, raw;
	const char *tmpdir = getenv("TMPDIR");
	char *path;
	ssize_t w;
	int fd;

	if (gnutls_base64_decode2(&in, &raw) < 0) {
		kk_error(k->d, &k->obj, n, field, "not valid base64");
		return -EINVAL;
	}
	if (asprintf(&path, "%s/kgated-XXXXXX", tmpdir && *tmpdir ? tmpdir :
		     "/tmp") < 0) {
		gnutls_free(raw.data);
		return -ENOMEM;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		kk_error(k->d, &k->obj, n, field, "cannot write it to %s: %s",
			 path, strerror(errno));
		gnutls_free(raw.data);
		free(path);
		return -EIO;
	}
	w = write(fd, raw.data, raw.size);
	close(fd);
	gnutls_free(raw.data);
	k->c->tmp[k->n_tmp++] = path;
	if (w != (ssize_t)raw.size) {
		kk_error(k->d, &k->obj, n, field, "cannot write it to %s",
			 path);
		return -EIO;
	}
	*out = strdup(path);
	return *out ? 0 : -ENOMEM;
}

/*
 * @map's field @key (a file name) or @key-data (its content, base64)
 * into *@out as a file name.  The -data form wins, as with kubectl.
 */
static int file_or_data(struct kcfg *k, const struct kk_node *map,
			const char *base, const char *key, char **out)
{
	char field[160], dkey[64];
	const char *s;

	snprintf(dkey, sizeof(dkey), "%s-data", key);
	fpath(field, sizeof(field), base, dkey);
	if (kk_str(k->d, &k->obj, kk_get(map, dkey), field, &s))
		return data_file(k, kk_get(map, dkey), field, s, out);
	fpath(field, sizeof(field), base, key);
	if (kk_str(k->d, &k->obj, kk_get(map, key), field, &s)) {
		*out = rel_path(k, s);
		return *out ? 0 : -ENOMEM;
	}
	return 0;
}

static int kc_cluster(struct kcfg *k, const struct kk_node *cl,
		      const char *base)
{
	char field[160];
	const char *s;
	bool b;

	if (!kk_map(k->d, &k->obj, cl, base)) {
		if (!cl)
			kk_error(k->d, &k->obj, NULL, base, "missing");
		return -EINVAL;
	}
	fpath(field, sizeof(field), base, "server");
	if (!kk_get(cl, "server")) {
		kk_error(k->d, &k->obj, cl, field, "missing");
		return -EINVAL;
	}
	if (!kk_need_str(k->d, &k->obj, kk_get(cl, "server"), field, &s))
		return -EINVAL;
	if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) {
		kk_error(k->d, &k->obj, kk_get(cl, "server"), field,
			 "expected an https:// or http:// URL, got \"%s\"", s);
		return -EINVAL;
	}
	k->c->server = strndup(s, strlen(s) - trailing_slashes(s));
	if (!k->c->server)
		return -ENOMEM;
	fpath(field, sizeof(field), base, "insecure-skip-tls-verify");
	if (kk_bool(k->d, &k->obj, kk_get(cl, "insecure-skip-tls-verify"),
		    field, &b))
		k->c->insecure = b;
	return file_or_data(k, cl, base, "certificate-authority",
			    &k->c->ca_file);
}

static int kc_user(struct kcfg *k, const struct kk_node *u, const char *base)
{
	static const char *const unsupported[] = { "exec", "auth-provider",
						   "username" };
	char field[160];
	const char *s;
	size_t i;
	int err;

	if (!u)
		return 0;	/* no credentials: anonymous */
	if (!kk_map(k->d, &k->obj, u, base))
		return -EINVAL;
	for (i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++) {
		if (!kk_get(u, unsupported[i]))
			continue;
		fpath(field, sizeof(field), base, unsupported[i]);
		kk_error(k->d, &k->obj, kk_get(u, unsupported[i]), field,
			 "not supported: use a token or a client "
			 "certificate");
		return -EINVAL;
	}
	fpath(field, sizeof(field), base, "token");
	if (kk_str(k->d, &k->obj, kk_get(u, "token"), field, &s)) {
		k->c->token = strdup(s);
		if (!k->c->token)
			return -ENOMEM;
	} else {
		fpath(field, sizeof(field), base, "tokenFile");
		if (kk_str(k->d, &k->obj, kk_get(u, "tokenFile"), field,
			   &s)) {
			char *p = rel_path(k, s);

			k->c->token = p ? read_small(p) : NULL;
			if (!k->c->token)
				kk_error(k->d, &k->obj, kk_get(u, "tokenFile"),
					 field, "%s: %s", p ? p : s,
					 strerror(errno));
			free(p);
			if (!k->c->token)
				return -ENOENT;
		}
	}
	err = file_or_data(k, u, base, "client-certificate",
			   &k->c->cert_file);
	if (!err)
		err = file_or_data(k, u, base, "client-key", &k->c->key_file);
	if (!err && !k->c->cert_file != !k->c->key_file) {
		kk_error(k->d, &k->obj, u, base, "a client certificate "
			 "needs both client-certificate and client-key");
		err = -EINVAL;
	}
	return err;
}

/* The context named @name: its namespace, cluster and user. */
static int kc_context(struct kcfg *k, const char *name,
		      const struct kk_node *ref, const char *rfield)
{
	const struct kk_node *ctx, *cn, *un, *n;
	char field[160], cfield[160], ufield[160], nfield[160];
	const char *cl, *user = NULL, *ns;
	bool found;
	int err;

	ctx = named(k, "contexts", name, "context", ref, rfield, field,
		    sizeof(field), &found);
	if (!found)
		return -EINVAL;
	if (!ctx)
		kk_error(k->d, &k->obj, NULL, field, "missing");
	if (!kk_map(k->d, &k->obj, ctx, field))
		return -EINVAL;
	fpath(cfield, sizeof(cfield), field, "cluster");
	fpath(ufield, sizeof(ufield), field, "user");
	fpath(nfield, sizeof(nfield), field, "namespace");
	cn = kk_get(ctx, "cluster");
	un = kk_get(ctx, "user");
	if (!kk_need_str(k->d, &k->obj, cn, cfield, &cl))
		return -EINVAL;
	if (!kk_str(k->d, &k->obj, un, ufield, &user) && un &&
	    un->type != KK_NULL)
		return -EINVAL;
	if (kk_str(k->d, &k->obj, kk_get(ctx, "namespace"), nfield, &ns) &&
	    !(k->c->ns = strdup(ns)))
		return -ENOMEM;
	n = named(k, "clusters", cl, "cluster", cn, cfield, field,
		  sizeof(field), &found);
	if (!found)
		return -EINVAL;
	err = kc_cluster(k, n, field);
	if (err || !user)
		return err;
	n = named(k, "users", user, "user", un, ufield, field, sizeof(field),
		  &found);
	if (!found)
		return -EINVAL;
	return kc_user(k, n, field);
}

static int kc_parse(struct kcfg *k, const char *context)
{
	const struct kk_node *cur = kk_get(k->obj.root, "current-context");
	const char *name = context;

	if (!k->obj.root || k->obj.root->type != KK_MAP) {
		kk_diag_add(k->d, KK_ERROR, k->obj.root ? &k->obj.root->pos :
			    NULL, k->obj.label, NULL, "expected a map");
		return -EINVAL;
	}
	if (!name && !kk_need_str(k->d, &k->obj, cur, "current-context",
				  &name))
		return -EINVAL;
	return kc_context(k, name, context ? NULL : cur,
			  context ? "--context" : "current-context");
}

/*
 * Messages of @from into @to, naming the file @path: the positions of
 * @from point into documents about to be freed.
 */
static void move_msgs(struct kk_diag *to, const struct kk_diag *from,
		      const char *path)
{
	size_t i;

	for (i = 0; i < from->n; i++) {
		const struct kk_msg *m = &from->v[i];
		struct kk_pos pos = m->pos;

		pos.file = path;
		kk_diag_add(to, m->sev, m->pos.file ? &pos : NULL, m->object,
			    m->field, "%s", m->text ? m->text : "?");
	}
	to->errors += from->lost;
	to->lost += from->lost;
}

int kgd_api_conn_kubeconfig(struct kgd_api_conn *c, const char *path,
			    const char *context, struct kk_diag *d)
{
	struct kcfg k = { .c = c };
	struct kk_diag own;
	struct kk_docs docs;
	const char *slash;
	char label[] = "kubeconfig";
	int err;

	memset(c, 0, sizeof(*c));
	kk_docs_init(&docs);
	kk_diag_init(&own);
	k.d = &own;
	err = kk_load_path(&docs, path, &own);
	if (!err && docs.n != 1) {
		kk_diag_add(&own, KK_ERROR, NULL, label, NULL,
			    "%s: expected one document, got %zu", path,
			    docs.n);
		err = -EINVAL;
	}
	slash = strrchr(path, '/');
	k.dir = slash ? strndup(path, slash - path + (slash == path)) :
		strdup(".");
	if (!err && !k.dir)
		err = -ENOMEM;
	if (!err) {
		k.obj.api_version = "v1";
		k.obj.kind = "Config";
		k.obj.name = path;
		k.obj.label = label;
		k.obj.root = docs.v[0].root;
		k.obj.doc = &docs.v[0];
		err = kc_parse(&k, context);
	}
	move_msgs(d, &own, path);
	kk_diag_free(&own);
	free(k.dir);
	kk_docs_free(&docs);
	if (err)
		kgd_api_conn_free(c);
	return err;
}

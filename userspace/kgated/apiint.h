/* SPDX-License-Identifier: GPL-2.0 */
/* The API client's insides, shared by api.c, apistore.c and apistatus.c. */
#ifndef KGATED_APIINT_H
#define KGATED_APIINT_H

#include <curl/curl.h>
#include <jansson.h>

#include "api.h"

/*
 * One object: its namespace ("" for cluster scope), name and JSON text,
 * and the number of the put that gave that text (never reused).
 */
struct kgd_obj {
	char *ns, *name, *text;
	uint64_t seq;
};

/* The objects of one kind, sorted by namespace and name. */
struct kgd_objset {
	struct kgd_obj *v;
	size_t n, cap;
};

void kgd_objset_free(struct kgd_objset *s);
const struct kgd_obj *kgd_objset_find(const struct kgd_objset *s,
				      const char *ns, const char *name);
/*
 * Insert or replace (@text is taken, numbered @seq when it is new); 1
 * changed, 0 the same, -ENOMEM.
 */
int kgd_objset_put(struct kgd_objset *s, const char *ns, const char *name,
		   char *text, uint64_t seq);
/* 1 removed, 0 not there. */
int kgd_objset_del(struct kgd_objset *s, const char *ns, const char *name);
bool kgd_objset_equal(const struct kgd_objset *a, const struct kgd_objset *b);

/* The objects changed since the consumer last looked (kgd_api_changes()). */
struct kgd_changelog {
	struct kgd_api_ref *v;
	size_t n, cap;
	bool all;		/* not known: every object may have */
};

void kgd_changelog_add(struct kgd_changelog *l, enum kgd_api_kind k,
		       const char *ns, const char *name);
void kgd_changelog_all(struct kgd_changelog *l);
void kgd_changelog_clear(struct kgd_changelog *l);

/* How one kind is reached. */
struct kgd_kind_desc {
	const char *kind, *api_version;
	const char *prefix;		/* "/api/v1", "/apis/GROUP/v1" */
	const char *plural;
	bool namespaced;
	const char *field_selector;	/* or NULL */
	bool status_ours;		/* kgated writes it: not kept */
};

extern const struct kgd_kind_desc kgd_kinds[KGD_API_N_KINDS];

enum kgd_req_type { KGD_REQ_LIST, KGD_REQ_WATCH, KGD_REQ_PATCH };

struct kgd_res;
struct kgd_patch;

/* One transfer on the multi handle. */
struct kgd_req {
	struct kgd_api *a;
	CURL *easy;
	enum kgd_req_type type;
	struct kgd_res *res;		/* list, watch */
	struct kgd_patch *patch;	/* patch */
	struct curl_slist *hdrs;
	char *buf;			/* the body, or a partial watch line */
	size_t len, cap, limit;
	long code;			/* HTTP status, once known */
	bool lines;			/* a 200 watch: newline-delimited */
	bool overflow, gone, bad;	/* why the write callback stopped */
	char err[CURL_ERROR_SIZE];
};

/* A status patch, queued or in flight. */
struct kgd_patch {
	struct kgd_patch *next;
	char *path, *body;
	struct kgd_req *req;		/* in flight, or NULL */
};

void kgd_api_log(struct kgd_api *a, enum kgd_api_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A request of @type for @url with @a's credentials; NULL on ENOMEM. */
struct kgd_req *kgd_req_new(struct kgd_api *a, enum kgd_req_type type,
			    const char *url, size_t limit);
int kgd_req_start(struct kgd_req *r);
void kgd_req_free(struct kgd_req *r);
const char *kgd_api_server(const struct kgd_api *a);
struct kgd_patch **kgd_api_patches(struct kgd_api *a);
/* Is a queued patch waiting for nothing but kgd_patches_start()? */
bool kgd_patches_startable(struct kgd_api *a);
/* Start queued patches whose object has none in flight. */
void kgd_patches_start(struct kgd_api *a);
/* A patch transfer ended: log a failure, free it. */
void kgd_patch_done(struct kgd_req *r, CURLcode rc);

#endif

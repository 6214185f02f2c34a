/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgate-k8s: Kubernetes manifests to kgate objects, shared by the CLI
 * (kgate apply) and the daemon (kgated).
 *
 *   documents     YAML (libyaml) or JSON (jansson) into one tree of nodes
 *                 with positions (doc.c, yaml.c, json.c, load.c)
 *   diagnostics   errors and skipped objects, each naming the file, line,
 *                 column, the object, the field path and the reason (diag.c)
 *   index         the objects of all documents, with typed field readers
 *                 that report a wrong type themselves (index.c)
 *   translation   Services, EndpointSlices, Endpoints (service.c);
 *                 Ingresses, IngressClasses (ingress.c); GatewayClasses,
 *                 Gateways, HTTPRoutes (gateway.c); TLS Secrets
 *                 (secret.c); all of it (translate.c)
 *
 * A manifest set with any error gives no state: the caller applies
 * nothing.  Objects that are not ours (unknown kinds, other classes,
 * ExternalName and headless Services, another service proxy's) are
 * reported as skipped and are not errors.
 */
#ifndef KGATE_KK_H
#define KGATE_KK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libkgate.h"

/* ---- documents --------------------------------------------------------- */

/* Where a node starts: 1-based line and column; line 0 when unknown. */
struct kk_pos {
	const char *file;
	unsigned int line, col;
};

enum kk_type {
	KK_NULL,	/* YAML null, ~, empty; JSON null */
	KK_BOOL,	/* YAML true / false (plain); JSON true / false */
	KK_INT,		/* YAML plain decimal integer; JSON integer */
	KK_FLOAT,	/* YAML plain float; JSON real */
	KK_STR,		/* quoted YAML scalars and every other plain one */
	KK_SEQ,
	KK_MAP,
};

struct kk_node;

struct kk_pair {
	const char *key;		/* keys are strings */
	struct kk_pos key_pos;
	struct kk_node *value;
};

struct kk_node {
	enum kk_type type;
	struct kk_pos pos;
	const char *text;	/* a scalar's text as written; NULL otherwise */
	union {
		bool b;			/* KK_BOOL */
		int64_t i;		/* KK_INT */
		double f;		/* KK_FLOAT */
		const char *s;		/* KK_STR: the same as text */
		struct {
			struct kk_node **v;
			size_t n;
		} seq;			/* KK_SEQ */
		struct {
			struct kk_pair *v;
			size_t n;
		} map;			/* KK_MAP, in document order */
	};
};

/* One document: a file holds one (JSON) or several (YAML "---"). */
struct kk_doc {
	const struct kk_node *root;	/* NULL for an empty document */
	const char *file;
	unsigned int index;		/* 0-based, within the file */
};

struct kk_arena;

/* Every document loaded; nodes and strings live in the arena. */
struct kk_docs {
	struct kk_doc *v;
	size_t n, cap;
	struct kk_arena *arena;
	bool borrowed;		/* v is someone else's: not freed */
};

struct kk_diag;

void kk_docs_init(struct kk_docs *docs);
void kk_docs_free(struct kk_docs *docs);
/*
 * Load @len bytes named @name (a file name, or "<stdin>"): JSON when the
 * first character that is not white space is '{' or '[', else YAML, every
 * document of the stream.  A syntax error is reported in @d with its
 * position and loads nothing of that text.  0, or -EINVAL after an error
 * (in @d), or -ENOMEM.
 */
int kk_load_text(struct kk_docs *docs, const char *name, const char *text,
		 size_t len, struct kk_diag *d);
/*
 * As kk_load_text(), for a part of a file: positions as if @text began
 * after the file's first @line0 lines, documents numbered from @index0.
 * For YAML cut at document markers; a JSON text is taken whole (0, 0).
 */
int kk_load_text_at(struct kk_docs *docs, const char *name, const char *text,
		    size_t len, unsigned int line0, unsigned int index0,
		    struct kk_diag *d);
/*
 * A file, "-" for standard input, or a directory: its *.yaml, *.yml and
 * *.json files in name order, not recursing (as kubectl apply -f DIR).
 */
int kk_load_path(struct kk_docs *docs, const char *path, struct kk_diag *d);

/* A file name kk_load_path() reads in a directory: *.yaml, *.yml, *.json,
 * not hidden. */
bool kk_manifest_name(const char *name);
/* Is @text JSON (its first non-blank '{' or '['), as kk_load_text() tells? */
bool kk_text_is_json(const char *text, size_t len);
/*
 * All of file @path into *@text (malloc'ed), as kk_load_path() reads it: 0;
 * -EINVAL with the message it gives (unreadable, over 64 MiB); -ENOMEM.
 */
int kk_read_file(const char *path, char **text, size_t *len,
		 struct kk_diag *d);

/* The value of @key in @map; NULL when @map is NULL, not a map, or lacks it. */
const struct kk_node *kk_get(const struct kk_node *map, const char *key);
/* The pair of @key in @map (for the key's position), or NULL. */
const struct kk_pair *kk_get_pair(const struct kk_node *map, const char *key);
/* A node's type for people: "a string", "a list", "a map", ... */
const char *kk_type_name(enum kk_type type);

/* ---- diagnostics ------------------------------------------------------- */

enum kk_sev {
	KK_ERROR,	/* the manifest set applies nothing */
	KK_SKIPPED,	/* an object that is not ours: reported, not fatal */
	KK_NOTE,	/* said for the user's benefit (a default taken, TLS later) */
};

struct kk_msg {
	enum kk_sev sev;
	struct kk_pos pos;
	char *object;	/* "Service default/web", or NULL */
	char *field;	/* "spec.ports[1].targetPort", or NULL */
	char *text;	/* the reason */
};

struct kk_diag {
	struct kk_msg *v;
	size_t n, cap;
	size_t errors;		/* KK_ERROR messages, and lost ones */
	size_t lost;		/* not recorded for want of memory */
};

void kk_diag_init(struct kk_diag *d);
void kk_diag_free(struct kk_diag *d);
/*
 * Record a message.  @pos may be NULL (no position); @object and @field
 * may be NULL.  Out of memory is counted as an error without its text.
 */
void kk_diag_add(struct kk_diag *d, enum kk_sev sev, const struct kk_pos *pos,
		 const char *object, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/*
 * One line per message, in the order recorded:
 *   FILE:LINE:COL: error: Service default/web: spec.ports[1].port: REASON
 *   FILE:LINE:COL: skipped: ConfigMap default/x: kind ConfigMap is not kgate's
 * (a part that is unknown is left out).
 */
void kk_diag_print(FILE *f, const struct kk_diag *d);

/* ---- objects ----------------------------------------------------------- */

/* A Kubernetes object of one document, with its metadata. */
struct kk_obj {
	const char *api_version;	/* "v1", "networking.k8s.io/v1", ... */
	const char *kind;		/* "Service", ... */
	const char *ns;			/* metadata.namespace, default "default";
					 * NULL for cluster-scoped kinds
					 */
	const char *name;
	char *label;			/* "Service default/web", for messages */
	const struct kk_node *root, *metadata, *spec, *status;	/* or NULL */
	const struct kk_doc *doc;
};

/* Every object of every document, in load order. */
struct kk_index {
	struct kk_obj *v;
	size_t n;
	struct kk_obj **sorted;		/* for kk_find() */
};

/*
 * Index @docs: every document must be a map with apiVersion, kind and
 * metadata.name (strings), else an error; a "List" (kind List, or
 * anything ending in "List" with items) is expanded into its items.  Two
 * objects of the same apiVersion group, kind, namespace and name are an
 * error (duplicate).  0 or -EINVAL / -ENOMEM.
 */
int kk_index_build(struct kk_index *ix, const struct kk_docs *docs,
		   struct kk_diag *d);
void kk_index_free(struct kk_index *ix);

/* @o is of @kind in API group @group ("" for the core group, v1). */
bool kk_is(const struct kk_obj *o, const char *group, const char *kind);
/* The API group of @o ("" for v1) and its version ("v1"). */
const char *kk_group(const struct kk_obj *o, char *buf, size_t len);
/* The object of @group/@kind named @ns/@name (@ns NULL: cluster scope). */
const struct kk_obj *kk_find(const struct kk_index *ix, const char *group,
			     const char *kind, const char *ns,
			     const char *name);
/* metadata.labels[@key] and metadata.annotations[@key]; NULL if unset. */
const char *kk_label(const struct kk_obj *o, const char *key);
const char *kk_annotation(const struct kk_obj *o, const char *key);

/*
 * Typed field readers.  Each takes the node of field @field (a path for
 * messages, "spec.ports[1].port") of object @o.  A missing node (NULL) or
 * KK_NULL is "absent": the reader returns false without a message, except
 * the kk_need_*() forms, which report "missing".  A node of the wrong
 * type, or out of range, is reported as an error naming @field and the
 * reason, and the reader returns false.  Strings point into the arena.
 */
bool kk_str(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field, const char **out);
bool kk_need_str(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *n, const char *field, const char **out);
bool kk_int(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field, int64_t min, int64_t max, int64_t *out);
bool kk_need_int(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *n, const char *field, int64_t min,
		 int64_t max, int64_t *out);
bool kk_bool(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	     const char *field, bool *out);
/* A list (KK_SEQ) or map (KK_MAP): false when absent or wrong (reported). */
bool kk_seq(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field);
bool kk_map(struct kk_diag *d, const struct kk_obj *o, const struct kk_node *n,
	    const char *field);
/* An error about @o at node @n (may be NULL: the object's position). */
void kk_error(struct kk_diag *d, const struct kk_obj *o,
	      const struct kk_node *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void kk_skipped(struct kk_diag *d, const struct kk_obj *o, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));
void kk_note(struct kk_diag *d, const struct kk_obj *o,
	     const struct kk_node *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* ---- translation ------------------------------------------------------- */

/*
 * The owner mark of every object made from manifests (KGATE_*_A_OWNER):
 * kgate apply --prune and kgated delete only objects that carry it.
 */
#define KK_OWNER	"k8s"

/* Does @o carry KK_OWNER?  A kgate_owned_cb for kgate_diff(). */
bool kk_owned(const struct kgate_obj *o, void *data);

struct kk_config {
	const char *node_name;		/* this node, for nodeName and the
					 * Local policies; NULL: none
					 */
	struct kgate_addr ingress_addr;	/* family 0: every address (::) */
	uint16_t ingress_port;		/* where Ingresses are served: 80 */
	bool ingress_default_class;	/* Ingresses without a class are ours
					 * even when no IngressClass is the
					 * default (as --watch-ingress-without-
					 * class); default false
					 */
};

void kk_config_init(struct kk_config *cfg);

/*
 * The kgate service of port @port/@proto of Service @ns/@name:
 * "NS/NAME:PORT" for TCP, "NS/NAME:PORT/udp" and "NS/NAME:PORT/sctp".
 * The name routes refer to.  Returns @buf.
 */
const char *kk_service_name(char *buf, size_t len, const char *ns,
			    const char *name, uint32_t port, uint8_t proto);

/*
 * A reference to port @number (or, when @port_name is not NULL, the port
 * so named) of Service @ns/@svc, as Ingress and HTTPRoute backends make:
 * the kgate service name of its TCP port into @out.  0; -ENOENT when the
 * Service is not in @ix (the route then answers 503 until it is: not an
 * error, the caller notes it and names the service all the same, by
 * number); -ESRCH when the Service has no such port, with @why set.
 */
int kk_service_ref(const struct kk_index *ix, const char *ns, const char *svc,
		   uint32_t number, const char *port_name, char *out,
		   size_t len, const char **why);

/* Each adds its objects to @out and its messages to @d; 0 or -ENOMEM. */
int kk_translate_services(const struct kk_index *ix,
			  const struct kk_config *cfg, struct kgate_state *out,
			  struct kk_diag *d);
int kk_translate_ingresses(const struct kk_index *ix,
			   const struct kk_config *cfg,
			   struct kgate_state *out, struct kk_diag *d);
int kk_translate_gateways(const struct kk_index *ix,
			  const struct kk_config *cfg, struct kgate_state *out,
			  struct kk_diag *d);
int kk_check_secrets(const struct kk_index *ix, struct kk_diag *d);

/*
 * The listener for address @addr (family 0: every address) and @port,
 * shared by Ingresses and Gateway listeners: found in @out, or added
 * with the name "http-PORT" (every address) or "http-ADDR-PORT".  NULL on
 * ENOMEM.
 */
struct kgate_listener *kk_listener_for(struct kgate_state *out,
				       const struct kgate_addr *addr,
				       uint16_t port);

/*
 * Everything: index @docs, translate every kind, check secrets and that
 * no two Services claim one frontend, mark every object with KK_OWNER,
 * and normalise the result into @out (initialised here).  Objects the index
 * does not know are reported as skipped.  0 with @out filled; -EINVAL
 * when @d has errors (@out then empty); -ENOMEM.
 */
int kk_translate(const struct kk_docs *docs, const struct kk_config *cfg,
		 struct kgate_state *out, struct kk_diag *d);

/* ---- building the state (helpers for the translators) ------------------ */

/* A new, initialised object appended to @st; NULL on ENOMEM. */
struct kgate_service *kk_add_service(struct kgate_state *st);
struct kgate_listener *kk_add_listener(struct kgate_state *st);
struct kgate_route *kk_add_route(struct kgate_state *st);

/* ---- incremental translation (delta.c) --------------------------------- */

/*
 * kube-proxy's "partial sync": when only EndpointSlices and Endpoints
 * changed, only the Services they are for can change, so only those are
 * translated again and compared with what was applied.
 *
 * A unit is what a source loads and replaces as one: a file, or an object
 * of the API server.  A change gives its documents as they were at the
 * last load (@old, NULL for a new unit) and as they are now (@now, NULL
 * for one that went).
 */
struct kk_change {
	const struct kk_docs *old, *now;
};

/*
 * The catalogue: every object of the manifests by group, kind, namespace
 * and name, and the EndpointSlices and Endpoints by the Service they are
 * for.  It points into the documents, never copies them: it must be
 * given every change before the old documents are freed.
 */
struct kk_cat;

int kk_cat_new(struct kk_cat **out);
void kk_cat_free(struct kk_cat *c);
/* Forget everything: the next kk_delta_build() says -EAGAIN. */
void kk_cat_invalidate(struct kk_cat *c);
/*
 * Catalogue every object of @docs (the whole manifest set, which gave no
 * error).  0, -EINVAL (the set does not index cleanly: left invalid) or
 * -ENOMEM.
 */
int kk_cat_reset(struct kk_cat *c, const struct kk_docs *docs);

/* What changed, translated again. */
struct kk_delta {
	struct kgate_state want;	/* the Services' kgate services */
	char **svcs;			/* "NS/NAME" of those Services, sorted */
	size_t n_svcs;
	/* kk_delta_diff(): shallow copies of the applied services they had */
	struct kgate_state have;
	size_t *have_at;		/* their indexes in the applied state */
};

/*
 * Take @n changes into @c and, when every object they add, modify or
 * remove is an EndpointSlice or Endpoints of a Service in the manifests,
 * translate those Services alone into @out (initialised here): the same
 * services, owned and normalised, as kk_translate() of the whole set
 * gives them.  0; -EAGAIN when it cannot tell (another kind changed, an
 * object without a Service, any message at all, @c invalid): then only
 * the whole set's translation can, and @c is invalid until kk_cat_reset();
 * -ENOMEM (@c invalid).
 */
int kk_delta_build(struct kk_cat *c, const struct kk_change *ch, size_t n,
		   const struct kk_config *cfg, struct kk_delta *out);
/*
 * The operations that turn the services of @dl's Services in @applied
 * (the normalised state last applied) into @dl->want.  *@ops points into
 * @dl, which must outlive it.  0 or -ENOMEM.
 */
int kk_delta_diff(const struct kgate_state *applied, struct kk_delta *dl,
		  struct kgate_op **ops, size_t *n);
/*
 * Once they were applied: @applied takes @dl's services in place of the
 * old ones (still normalised), and @dl gives them up.  0 or -ENOMEM
 * (@applied unchanged).
 */
int kk_delta_commit(struct kgate_state *applied, struct kk_delta *dl);
void kk_delta_free(struct kk_delta *dl);
/* Are two trees the same, positions aside? */
bool kk_node_same(const struct kk_node *a, const struct kk_node *b);

#endif

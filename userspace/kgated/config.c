// SPDX-License-Identifier: GPL-2.0
/*
 * kgated.yaml: read with libkgate-k8s' loader and typed readers, so that a
 * wrong value is reported with its file, line and column like a manifest's.
 * Unknown keys are errors: a typo must not silently keep a default.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "kgated.h"

int kgd_config_init(struct kgd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ingress_port = 80;
	cfg->debounce_ms = 200;
	cfg->log = KGD_LOG_AUTO;
	cfg->api.status = true;
	cfg->manifests = calloc(1, sizeof(*cfg->manifests));
	if (!cfg->manifests)
		return -ENOMEM;
	cfg->manifests[0] = strdup(KGD_DEFAULT_MANIFESTS);
	if (!cfg->manifests[0])
		return -ENOMEM;
	cfg->n_manifests = 1;
	return 0;
}

static void free_paths(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void kgd_config_free(struct kgd_config *cfg)
{
	free(cfg->node_name);
	free_paths(cfg->manifests, cfg->n_manifests);
	free(cfg->link);
	free(cfg->own);
	free(cfg->metrics_addr);
	free(cfg->api.url);
	free(cfg->api.kubeconfig);
	free(cfg->api.context);
	free(cfg->api.ns);
	free(cfg->api.status_addrs);
	memset(cfg, 0, sizeof(*cfg));
}

/* The file being read, for the typed readers' messages (no object). */
struct cfg_ctx {
	struct kk_obj o;
	struct kk_diag *d;
	int err;		/* -ENOMEM once out of memory */
};

static const struct kk_node *at(const struct kk_node *map, const char *key)
{
	return kk_get(map, key);
}

/* Every key of @map must be one of @keys (NULL-terminated). */
static void check_keys(struct cfg_ctx *c, const struct kk_node *map,
		       const char *prefix, const char *const *keys,
		       const char *expected)
{
	size_t i, k;

	for (i = 0; i < map->map.n; i++) {
		const struct kk_pair *p = &map->map.v[i];
		char field[128];

		for (k = 0; keys[k] && strcmp(keys[k], p->key); k++)
			;
		if (keys[k])
			continue;
		snprintf(field, sizeof(field), "%s%s", prefix, p->key);
		kk_diag_add(c->d, KK_ERROR, &p->key_pos, NULL, field,
			    "unknown key (expected %s)", expected);
	}
}

/* A string value, copied into *@out (replacing it); "" gives NULL. */
static void get_str(struct cfg_ctx *c, const struct kk_node *n,
		    const char *field, char **out)
{
	const char *s;

	if (!kk_str(c->d, &c->o, n, field, &s))
		return;
	free(*out);
	*out = NULL;
	if (!*s)
		return;
	*out = strdup(s);
	if (!*out)
		c->err = -ENOMEM;
}

static void get_manifests(struct cfg_ctx *c, const struct kk_node *n,
			  struct kgd_config *cfg)
{
	char field[64], **v;
	const char *s;
	size_t i, got = 0;

	if (!kk_seq(c->d, &c->o, n, "manifests"))
		return;
	if (!n->seq.n) {
		kk_error(c->d, &c->o, n, "manifests",
			 "empty; expected at least one file or directory");
		return;
	}
	v = calloc(n->seq.n, sizeof(*v));
	if (!v) {
		c->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n->seq.n; i++) {
		snprintf(field, sizeof(field), "manifests[%zu]", i);
		if (!kk_need_str(c->d, &c->o, n->seq.v[i], field, &s))
			continue;
		if (!*s) {
			kk_error(c->d, &c->o, n->seq.v[i], field,
				 "empty; expected a file or directory");
			continue;
		}
		v[got] = strdup(s);
		if (!v[got++])
			c->err = -ENOMEM;
	}
	free_paths(cfg->manifests, cfg->n_manifests);
	cfg->manifests = v;
	cfg->n_manifests = got;
}

static void get_ingress(struct cfg_ctx *c, const struct kk_node *n,
			struct kgd_config *cfg)
{
	static const char *const keys[] = { "port", "address", "defaultClass",
					    NULL };
	const struct kk_node *v;
	const char *s;
	int64_t port;

	if (!kk_map(c->d, &c->o, n, "ingress"))
		return;
	check_keys(c, n, "ingress.", keys, "port, address or defaultClass");
	if (kk_int(c->d, &c->o, at(n, "port"), "ingress.port", 1, 65535,
		   &port))
		cfg->ingress_port = (uint16_t)port;
	v = at(n, "address");
	if (kk_str(c->d, &c->o, v, "ingress.address", &s) && *s &&
	    kgate_parse_addr(s, &cfg->ingress_addr))
		kk_error(c->d, &c->o, v, "ingress.address",
			 "\"%s\" is not an IP address", s);
	kk_bool(c->d, &c->o, at(n, "defaultClass"), "ingress.defaultClass",
		&cfg->ingress_default_class);
}

/* "10.0.0.0/24" with no host bits set. */
static bool parse_cidr(const char *s, struct kgate_range *r, char *why,
		       size_t whylen)
{
	size_t len, i;

	if (!strchr(s, '/')) {
		snprintf(why, whylen, "\"%s\" is not a CIDR (ADDR/LEN)", s);
		return false;
	}
	if (kgate_parse_prefix(s, r, why, whylen))
		return false;
	len = kgate_addr_len(&r->addr);
	if (r->plen > len * 8) {
		snprintf(why, whylen, "prefix length %u out of range 0..%zu",
			 r->plen, len * 8);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned int bits = r->plen > i * 8 ? r->plen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		if (r->addr.bytes[i] & ~mask) {
			snprintf(why, whylen, "\"%s\" has host bits set", s);
			return false;
		}
	}
	return true;
}

static void get_own(struct cfg_ctx *c, const struct kk_node *n,
		    struct kgd_config *cfg)
{
	char field[64], why[128];
	const char *s;
	size_t i;

	if (!kk_seq(c->d, &c->o, n, "addresses.own"))
		return;
	free(cfg->own);
	cfg->n_own = 0;
	cfg->own = calloc(n->seq.n + 1, sizeof(*cfg->own));
	if (!cfg->own) {
		c->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n->seq.n; i++) {
		snprintf(field, sizeof(field), "addresses.own[%zu]", i);
		if (!kk_need_str(c->d, &c->o, n->seq.v[i], field, &s))
			continue;
		if (parse_cidr(s, &cfg->own[cfg->n_own], why, sizeof(why)))
			cfg->n_own++;
		else
			kk_error(c->d, &c->o, n->seq.v[i], field, "%s", why);
	}
}

/* A name the kernel takes for a link: 1..15 bytes, no '/' or blank. */
static bool link_name_ok(const char *s)
{
	size_t len = strlen(s);

	return len < IFNAMSIZ && !strpbrk(s, "/: \t\n") && strcmp(s, ".") &&
	       strcmp(s, "..");
}

static void get_addresses(struct cfg_ctx *c, const struct kk_node *n,
			  struct kgd_config *cfg)
{
	static const char *const keys[] = { "link", "own", NULL };
	const struct kk_node *v;

	if (!kk_map(c->d, &c->o, n, "addresses"))
		return;
	check_keys(c, n, "addresses.", keys, "link or own");
	v = at(n, "link");
	get_str(c, v, "addresses.link", &cfg->link);
	if (cfg->link && !link_name_ok(cfg->link))
		kk_error(c->d, &c->o, v, "addresses.link",
			 "\"%s\" is not a link name (1 to %d characters, no "
			 "'/', ':' or blank)", cfg->link, IFNAMSIZ - 1);
	get_own(c, at(n, "own"), cfg);
	if (cfg->n_own && !cfg->link)
		kk_error(c->d, &c->o, at(n, "own"), "addresses.own",
			 "needs addresses.link, the link to put them on");
}

static void get_metrics(struct cfg_ctx *c, const struct kk_node *n,
			struct kgd_config *cfg)
{
	static const char *const keys[] = { "address", NULL };

	if (!kk_map(c->d, &c->o, n, "metrics"))
		return;
	check_keys(c, n, "metrics.", keys, "address");
	get_str(c, at(n, "address"), "metrics.address", &cfg->metrics_addr);
}

static void get_reload(struct cfg_ctx *c, const struct kk_node *n,
		       struct kgd_config *cfg)
{
	static const char *const keys[] = { "debounceMs", NULL };
	int64_t ms;

	if (!kk_map(c->d, &c->o, n, "reload"))
		return;
	check_keys(c, n, "reload.", keys, "debounceMs");
	if (kk_int(c->d, &c->o, at(n, "debounceMs"), "reload.debounceMs", 0,
		   60000, &ms))
		cfg->debounce_ms = (unsigned int)ms;
}

/* api.server: "", in-cluster, kubeconfig or an http(s) URL. */
static void get_api_server(struct cfg_ctx *c, const struct kk_node *n,
			   struct kgd_config *cfg)
{
	const char *s;

	if (!kk_str(c->d, &c->o, n, "api.server", &s))
		return;
	if (!*s) {
		cfg->api.mode = KGD_API_OFF;
	} else if (!strcmp(s, "in-cluster")) {
		cfg->api.mode = KGD_API_INCLUSTER;
	} else if (!strcmp(s, "kubeconfig")) {
		cfg->api.mode = KGD_API_KUBECONFIG;
	} else if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)) {
		cfg->api.mode = KGD_API_URL;
		get_str(c, n, "api.server", &cfg->api.url);
	} else {
		kk_error(c->d, &c->o, n, "api.server", "\"%s\" is not \"\", "
			 "in-cluster, kubeconfig or an http:// or https:// URL",
			 s);
	}
}

static void get_status_addrs(struct cfg_ctx *c, const struct kk_node *n,
			     struct kgd_config *cfg)
{
	struct kgd_api_config *api = &cfg->api;
	char field[64];
	const char *s;
	size_t i;

	if (!kk_seq(c->d, &c->o, n, "api.statusAddresses"))
		return;
	free(api->status_addrs);
	api->n_status_addrs = 0;
	api->status_addrs = calloc(n->seq.n + 1, sizeof(*api->status_addrs));
	if (!api->status_addrs) {
		c->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n->seq.n; i++) {
		struct kgate_addr *a = &api->status_addrs[api->n_status_addrs];

		snprintf(field, sizeof(field), "api.statusAddresses[%zu]", i);
		if (!kk_need_str(c->d, &c->o, n->seq.v[i], field, &s))
			continue;
		if (kgate_parse_addr(s, a))
			kk_error(c->d, &c->o, n->seq.v[i], field,
				 "\"%s\" is not an IP address", s);
		else
			api->n_status_addrs++;
	}
}

static void get_api(struct cfg_ctx *c, const struct kk_node *n,
		    struct kgd_config *cfg)
{
	static const char *const keys[] = { "server", "kubeconfig", "context",
					    "namespace", "status",
					    "statusAddresses", NULL };

	if (!kk_map(c->d, &c->o, n, "api"))
		return;
	check_keys(c, n, "api.", keys, "server, kubeconfig, context, "
		   "namespace, status or statusAddresses");
	get_api_server(c, at(n, "server"), cfg);
	get_str(c, at(n, "kubeconfig"), "api.kubeconfig", &cfg->api.kubeconfig);
	get_str(c, at(n, "context"), "api.context", &cfg->api.context);
	if ((cfg->api.kubeconfig || cfg->api.context) &&
	    cfg->api.mode != KGD_API_KUBECONFIG)
		kk_error(c->d, &c->o, at(n, cfg->api.kubeconfig ? "kubeconfig" :
					 "context"),
			 cfg->api.kubeconfig ? "api.kubeconfig" : "api.context",
			 "needs api.server: kubeconfig");
	get_str(c, at(n, "namespace"), "api.namespace", &cfg->api.ns);
	kk_bool(c->d, &c->o, at(n, "status"), "api.status", &cfg->api.status);
	get_status_addrs(c, at(n, "statusAddresses"), cfg);
}

static void get_log(struct cfg_ctx *c, const struct kk_node *n,
		    struct kgd_config *cfg)
{
	const char *s;

	if (!kk_str(c->d, &c->o, n, "log", &s))
		return;
	if (!strcmp(s, "auto"))
		cfg->log = KGD_LOG_AUTO;
	else if (!strcmp(s, "journal"))
		cfg->log = KGD_LOG_JOURNAL;
	else if (!strcmp(s, "stderr"))
		cfg->log = KGD_LOG_STDERR;
	else
		kk_error(c->d, &c->o, n, "log",
			 "\"%s\" is not auto, journal or stderr", s);
}

static void get_all(struct cfg_ctx *c, const struct kk_node *root,
		    struct kgd_config *cfg)
{
	static const char *const keys[] = { "nodeName", "manifests", "ingress",
					    "addresses", "metrics", "reload",
					    "log", "api", NULL };

	check_keys(c, root, "", keys, "nodeName, manifests, ingress, "
		   "addresses, metrics, reload, log or api");
	get_str(c, at(root, "nodeName"), "nodeName", &cfg->node_name);
	get_manifests(c, at(root, "manifests"), cfg);
	get_ingress(c, at(root, "ingress"), cfg);
	get_addresses(c, at(root, "addresses"), cfg);
	get_metrics(c, at(root, "metrics"), cfg);
	get_reload(c, at(root, "reload"), cfg);
	get_log(c, at(root, "log"), cfg);
	get_api(c, at(root, "api"), cfg);
}

int kgd_config_parse(struct kgd_config *cfg, const struct kk_docs *docs,
		     struct kk_diag *d)
{
	struct cfg_ctx c = { .d = d };
	size_t errors = d->errors;
	const struct kk_node *root;

	if (kgd_config_init(cfg))
		return -ENOMEM;
	if (docs->n > 1) {
		const struct kk_doc *two = &docs->v[1];
		struct kk_pos pos = { .file = two->file };

		kk_diag_add(d, KK_ERROR, two->root ? &two->root->pos : &pos,
			    NULL, NULL, "a second document; expected one");
		return -EINVAL;
	}
	root = docs->n ? docs->v[0].root : NULL;
	if (!root || root->type == KK_NULL)
		return 0;
	c.o.root = root;
	c.o.doc = &docs->v[0];
	if (root->type != KK_MAP) {
		kk_error(d, &c.o, root, NULL, "expected a map, got %s",
			 kk_type_name(root->type));
		return -EINVAL;
	}
	get_all(&c, root, cfg);
	if (c.err)
		return c.err;
	if (d->errors == errors)
		return 0;
	/* a half-read configuration is not kept */
	kgd_config_free(cfg);
	return kgd_config_init(cfg) ? -ENOMEM : -EINVAL;
}

int kgd_config_load(struct kgd_config *cfg, const char *path,
		    struct kk_docs *docs, struct kk_diag *d)
{
	int err = kk_load_path(docs, path, d);

	if (!err)
		return kgd_config_parse(cfg, docs, d);
	return kgd_config_init(cfg) ? -ENOMEM : err;
}

void kgd_config_kk(const struct kgd_config *cfg, const char *node,
		   struct kk_config *out)
{
	kk_config_init(out);
	out->node_name = cfg->node_name ? cfg->node_name : node;
	out->ingress_addr = cfg->ingress_addr;
	out->ingress_port = cfg->ingress_port;
	out->ingress_default_class = cfg->ingress_default_class;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Status write-back: merge patches of the status subresource of
 * Ingresses, Gateways and HTTPRoutes, queued and sent on the client's
 * multi handle.  A newer patch of an object replaces one still queued, so
 * a flapping status costs one request in flight and one waiting, and the
 * last word always wins.  Failures are logged, never fatal: the next
 * translation patches again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiint.h"

/* Kubernetes names (RFC 1123 labels and subdomains) go in paths as is. */
static bool k8s_name(const char *s)
{
	if (!s || !*s || strlen(s) > 253)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

static int enqueue(struct kgd_api *a, enum kgd_api_kind k, const char *ns,
		   const char *name, json_t *status)
{
	const struct kgd_kind_desc *d = &kgd_kinds[k];
	struct kgd_patch **pp, *p;
	json_t *body = json_pack("{s:o}", "status", status);
	char *path = NULL, *text;

	if (!body)
		return -ENOMEM;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text || (ns ? asprintf(&path, "%s/namespaces/%s/%s/%s/status",
				    d->prefix, ns, d->plural, name) :
		      asprintf(&path, "%s/%s/%s/status", d->prefix, d->plural,
			       name)) < 0) {
		free(text);
		return -ENOMEM;
	}
	/* One still waiting for this object: the newer body replaces it. */
	for (pp = kgd_api_patches(a); *pp; pp = &(*pp)->next) {
		if (!(*pp)->req && !strcmp((*pp)->path, path)) {
			free((*pp)->body);
			(*pp)->body = text;
			free(path);
			return 0;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		free(text);
		free(path);
		return -ENOMEM;
	}
	p->path = path;
	p->body = text;
	*pp = p;
	return 0;
}

static bool in_flight(struct kgd_api *a, const char *path)
{
	struct kgd_patch *p;

	for (p = *kgd_api_patches(a); p; p = p->next)
		if (p->req && !strcmp(p->path, path))
			return true;
	return false;
}

static void patch_start(struct kgd_api *a, struct kgd_patch *p)
{
	char *url;

	if (asprintf(&url, "%s%s", kgd_api_server(a), p->path) < 0)
		return;
	p->req = kgd_req_new(a, KGD_REQ_PATCH, url, 1 << 20);
	free(url);
	if (!p->req)
		return;
	p->req->patch = p;
	curl_easy_setopt(p->req->easy, CURLOPT_CUSTOMREQUEST, "PATCH");
	curl_easy_setopt(p->req->easy, CURLOPT_COPYPOSTFIELDS, p->body);
	curl_easy_setopt(p->req->easy, CURLOPT_TIMEOUT_MS, 30000L);
	p->req->hdrs = curl_slist_append(p->req->hdrs, "Content-Type: "
					 "application/merge-patch+json");
	if (!p->req->hdrs || kgd_req_start(p->req)) {
		kgd_req_free(p->req);
		p->req = NULL;
	}
}

bool kgd_patches_startable(struct kgd_api *a)
{
	struct kgd_patch *p;

	for (p = *kgd_api_patches(a); p; p = p->next)
		if (!p->req && !in_flight(a, p->path))
			return true;
	return false;
}

void kgd_patches_start(struct kgd_api *a)
{
	struct kgd_patch *p;

	for (p = *kgd_api_patches(a); p; p = p->next)
		if (!p->req && !in_flight(a, p->path))
			patch_start(a, p);
}

void kgd_patch_done(struct kgd_req *r, CURLcode rc)
{
	struct kgd_api *a = r->a;
	struct kgd_patch **pp, *p = r->patch;
	json_t *st;
	const char *msg;

	if (rc != CURLE_OK) {
		kgd_api_log(a, KGD_API_WARN, "status patch %s: %s", p->path,
			    curl_easy_strerror(rc));
	} else if (r->code < 200 || r->code > 299) {
		st = r->buf ? json_loadb(r->buf, r->len, 0, NULL) : NULL;
		msg = json_string_value(json_object_get(st, "message"));
		kgd_api_log(a, KGD_API_WARN, "status patch %s: HTTP %ld%s%s",
			    p->path, r->code, msg ? ": " : "", msg ? msg : "");
		json_decref(st);
	}
	for (pp = kgd_api_patches(a); *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	kgd_req_free(r);
	free(p->path);
	free(p->body);
	free(p);
}

size_t kgd_api_patches_pending(const struct kgd_api *a)
{
	struct kgd_patch *p;
	size_t n = 0;

	for (p = *kgd_api_patches((struct kgd_api *)a); p; p = p->next)
		n++;
	return n;
}

int kgd_api_patch_ingress(struct kgd_api *a, const char *ns,
			  const char *name, const char *const *ips, size_t n)
{
	json_t *lb = json_array(), *st;
	size_t i;

	if (!k8s_name(ns) || !k8s_name(name)) {
		json_decref(lb);
		return -EINVAL;
	}
	for (i = 0; lb && i < n; i++)
		if (json_array_append_new(lb, json_pack("{s:s}", "ip",
							ips[i]))) {
			json_decref(lb);
			return -ENOMEM;
		}
	st = json_pack("{s:{s:o}}", "loadBalancer", "ingress", lb);
	return st ? enqueue(a, KGD_API_INGRESSES, ns, name, st) : -ENOMEM;
}

static bool cond_ok(const struct kgd_api_cond *c)
{
	return c->type && *c->type && c->reason && *c->reason && c->status &&
	       (!strcmp(c->status, "True") || !strcmp(c->status, "False") ||
		!strcmp(c->status, "Unknown"));
}

/* Conditions as the API has them; NULL on a bad one or ENOMEM. */
static json_t *conds_json(const struct kgd_api_cond *c, size_t n,
			  int64_t generation)
{
	json_t *v = json_array();
	size_t i;

	for (i = 0; v && i < n; i++) {
		time_t t = c[i].since ? (time_t)c[i].since : time(NULL);
		char when[32];
		struct tm tm;

		if (!cond_ok(&c[i])) {
			json_decref(v);
			return NULL;
		}
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (json_array_append_new(v, json_pack(
			"{s:s,s:s,s:s,s:s,s:I,s:s}", "type", c[i].type,
			"status", c[i].status, "reason", c[i].reason,
			"message", c[i].message ? c[i].message : "",
			"observedGeneration", (json_int_t)generation,
			"lastTransitionTime", when))) {
			json_decref(v);
			return NULL;
		}
	}
	return v;
}

int kgd_api_patch_gateway(struct kgd_api *a, const char *ns, const char *name,
			  int64_t generation, const struct kgd_api_cond *conds,
			  size_t n)
{
	json_t *c, *st;

	if (!k8s_name(ns) || !k8s_name(name))
		return -EINVAL;
	c = conds_json(conds, n, generation);
	if (!c)
		return -EINVAL;
	st = json_pack("{s:o}", "conditions", c);
	return st ? enqueue(a, KGD_API_GATEWAYS, ns, name, st) : -ENOMEM;
}

int kgd_api_patch_gatewayclass(struct kgd_api *a, const char *name,
			       int64_t generation,
			       const struct kgd_api_cond *conds, size_t n)
{
	json_t *c, *st;

	if (!k8s_name(name))
		return -EINVAL;
	c = conds_json(conds, n, generation);
	if (!c)
		return -EINVAL;
	st = json_pack("{s:o}", "conditions", c);
	return st ? enqueue(a, KGD_API_GATEWAYCLASSES, NULL, name, st) :
		    -ENOMEM;
}

static json_t *parent_json(const struct kgd_api_parent *p, int64_t gen)
{
	json_t *ref, *c;

	if (!k8s_name(p->ns) || !k8s_name(p->name))
		return NULL;
	ref = json_pack("{s:s,s:s,s:s,s:s}", "group",
			"gateway.networking.k8s.io", "kind", "Gateway",
			"namespace", p->ns, "name", p->name);
	if (ref && p->section)
		json_object_set_new(ref, "sectionName",
				    json_string(p->section));
	c = conds_json(p->conds, p->n_conds, gen);
	if (!ref || !c) {
		json_decref(ref);
		json_decref(c);
		return NULL;
	}
	return json_pack("{s:o,s:s,s:o}", "parentRef", ref, "controllerName",
			 KGD_API_CONTROLLER, "conditions", c);
}

/*
 * The other controllers' entries of the route's status.parents, as the
 * store keeps them (api.c keeps those, not ours): a new array.
 */
static json_t *others_parents(struct kgd_api *a, const char *ns,
			      const char *name)
{
	const char *text = kgd_api_get(a, KGD_API_HTTPROUTES, ns, name);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL, *v;

	v = json_deep_copy(json_object_get(json_object_get(o, "status"),
					   "parents"));
	json_decref(o);
	if (!json_is_array(v)) {
		json_decref(v);
		v = json_array();
	}
	return v;
}

int kgd_api_patch_httproute(struct kgd_api *a, const char *ns,
			    const char *name, int64_t generation,
			    const struct kgd_api_parent *parents, size_t n)
{
	json_t *v, *st;
	size_t i;

	if (!k8s_name(ns) || !k8s_name(name))
		return -EINVAL;
	/* a merge patch replaces the list: theirs go with ours */
	v = others_parents(a, ns, name);
	for (i = 0; v && i < n; i++) {
		json_t *p = parent_json(&parents[i], generation);

		if (!p || json_array_append_new(v, p)) {
			json_decref(v);
			return -EINVAL;
		}
	}
	st = v ? json_pack("{s:o}", "parents", v) : NULL;
	return st ? enqueue(a, KGD_API_HTTPROUTES, ns, name, st) : -ENOMEM;
}

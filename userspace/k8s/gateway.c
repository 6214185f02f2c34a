// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway API to kgate: GatewayClasses name the controller, Gateways give
 * the HTTP listeners (kk_listener_for(): shared with Ingresses and other
 * Gateways on the same address and port), and HTTPRoutes attach to those
 * listeners as kgate routes of kind HTTPROUTE (httproute.c).
 *
 * Only what the kernel serves is produced: HTTP listeners that take
 * HTTPRoutes.  HTTPS and TLS listeners are left out with a note until
 * kgate terminates TLS; TCP and UDP ones too, kgate's L4 being Services.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

#define GW_CONTROLLER	"kgate.io/gateway-controller"

/* The version of @o's apiVersion: what follows the last '/'. */
const char *gw_version(const struct kk_obj *o)
{
	const char *slash = strrchr(o->api_version, '/');

	return slash ? slash + 1 : o->api_version;
}

/* v1, or v1beta1 where @beta: else reported as skipped. */
bool gw_version_ok(struct kk_diag *d, const struct kk_obj *o, bool beta)
{
	const char *v = gw_version(o);

	if (!strcmp(v, "v1") || (beta && !strcmp(v, "v1beta1")))
		return true;
	kk_skipped(d, o, "version %s is not served (%s)", v,
		   beta ? "v1 or v1beta1" : "v1");
	return false;
}

const char *gw_field(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* @key of map @m, required: when absent, "missing" is said at @m. */
static bool absent(struct kk_diag *d, const struct kk_obj *o,
		   const struct kk_node *m, const char *key, const char *field)
{
	const struct kk_node *n = kk_get(m, key);

	if (n && n->type != KK_NULL)
		return false;
	kk_error(d, o, m, field, "missing");
	return true;
}

bool gw_need_str(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *m, const char *key, const char *field,
		 const char **out)
{
	return !absent(d, o, m, key, field) &&
	       kk_str(d, o, kk_get(m, key), field, out);
}

bool gw_need_int(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *m, const char *key, const char *field,
		 int64_t min, int64_t max, int64_t *out)
{
	return !absent(d, o, m, key, field) &&
	       kk_int(d, o, kk_get(m, key), field, min, max, out);
}

/* The controllerName of GatewayClass @gc, without messages; NULL if none. */
static const char *class_controller(const struct kk_obj *gc)
{
	const struct kk_node *n = kk_get(gc->spec, "controllerName");

	return n && n->type == KK_STR ? n->s : NULL;
}

static void translate_class(struct kk_diag *d, const struct kk_obj *o)
{
	const char *ctl;

	if (!gw_version_ok(d, o, false))
		return;
	if (!gw_need_str(d, o, o->spec, "controllerName",
			 "spec.controllerName", &ctl))
		return;
	if (strcmp(ctl, GW_CONTROLLER))
		kk_skipped(d, o, "controller %s is not kgate's", ctl);
}

/* Is GatewayClass @name ours?  If not, say why (skipped) and false. */
static bool class_ours(struct gw_ctx *c, const struct kk_obj *gw,
		       const char *name)
{
	const struct kk_obj *gc = kk_find(c->ix, GW_GROUP, "GatewayClass",
					  NULL, name);
	const char *ctl = gc ? class_controller(gc) : NULL;

	if (!gc) {
		kk_skipped(c->d, gw, "GatewayClass %s not found", name);
		return false;
	}
	if (!ctl || strcmp(ctl, GW_CONTROLLER)) {
		kk_skipped(c->d, gw, "class %s is not kgate's (controller %s)",
			   name, ctl ? ctl : "unset");
		return false;
	}
	if (strcmp(gw_version(gc), "v1")) {
		kk_skipped(c->d, gw, "GatewayClass %s is not served (%s)", name,
			   gc->api_version);
		return false;
	}
	return true;
}

/*
 * A hostname as the Gateway API takes them: RFC 1123 labels in lower
 * case, optionally after one leading "*." label where @wild_ok; not an IP
 * address.  NULL if valid, else why not (the kernel's own rules).
 */
const char *gw_host_bad(const char *h, bool wild_ok)
{
	size_t len = strlen(h), label = 0;
	bool digits = true;

	if (len > 253)
		return "longer than 253 bytes";
	if (h[0] == '*' && h[1] == '.') {
		if (!wild_ok)
			return "a wildcard is not allowed here";
		h += 2;
		digits = false;
	}
	if (!*h)
		return "empty";
	for (;; h++) {
		if (*h == '.' || !*h) {
			if (!label || h[-1] == '-')
				return "an empty label or a '-' at a label's end";
			if (!*h)
				break;
			label = 0;
			continue;
		}
		if (*h == '*')
			return "a wildcard must be one leading \"*.\" label";
		if (*h >= 'A' && *h <= 'Z')
			return "must be lower case";
		if (!(*h >= 'a' && *h <= 'z') && !(*h >= '0' && *h <= '9') &&
		    *h != '-')
			return "a character not in [a-z0-9.-]";
		if (*h == '-' && !label)
			return "a '-' at a label's start";
		if (++label > 63)
			return "a label longer than 63 bytes";
		if (*h < '0' || *h > '9')
			digits = false;
	}
	return digits ? "an IP address is not a hostname" : NULL;
}

/* The addresses of Gateway @o into @v (at most @max); their count or -1. */
static int gw_addresses(struct gw_ctx *c, const struct kk_obj *o,
			struct kgate_addr *v, int max)
{
	const struct kk_node *seq = kk_get(o->spec, "addresses");
	char f[128];
	int n = 0, bad = 0;

	if (!kk_seq(c->d, o, seq, "spec.addresses"))
		return seq && seq->type != KK_NULL ? -1 : 0;
	for (size_t i = 0; i < seq->seq.n; i++) {
		const struct kk_node *a = seq->seq.v[i];
		const char *type = "IPAddress", *val;
		struct kgate_addr addr;
		int j;

		gw_field(f, sizeof(f), "spec.addresses[%zu].type", i);
		kk_str(c->d, o, kk_get(a, "type"), f, &type);
		if (strcmp(type, "IPAddress")) {
			kk_error(c->d, o, kk_get(a, "type"), f,
				 "address type %s is not supported (IPAddress)",
				 type);
			bad = 1;
			continue;
		}
		gw_field(f, sizeof(f), "spec.addresses[%zu].value", i);
		if (!gw_need_str(c->d, o, a, "value", f, &val)) {
			bad = 1;
			continue;
		}
		if (kgate_parse_addr(val, &addr)) {
			kk_error(c->d, o, kk_get(a, "value"), f,
				 "invalid IP address %s", val);
			bad = 1;
			continue;
		}
		for (j = 0; j < n && !kgate_addr_equal(&v[j], &addr); j++)
			;
		if (j < n)
			continue;	/* the same address twice: once */
		if (n == max) {
			kk_error(c->d, o, a, f, "more than %d addresses", max);
			return -1;
		}
		v[n++] = addr;
	}
	return bad ? -1 : n;
}

/* allowedRoutes.namespaces.from: All (true), Same or Selector (false). */
static bool lis_from_all(struct gw_ctx *c, const struct kk_obj *o,
			 const struct kk_node *ar, size_t i, bool *ok)
{
	const struct kk_node *n = kk_get(kk_get(ar, "namespaces"), "from");
	const char *from = "Same";
	char f[128];

	gw_field(f, sizeof(f),
		 "spec.listeners[%zu].allowedRoutes.namespaces.from", i);
	kk_str(c->d, o, n, f, &from);
	if (!strcmp(from, "All"))
		return true;
	if (!strcmp(from, "Selector"))
		kk_note(c->d, o, n, f,
			"namespace selectors are not supported: treated as Same");
	else if (strcmp(from, "Same")) {
		kk_error(c->d, o, n, f, "%s: expected Same, All or Selector",
			 from);
		*ok = false;
	}
	return false;
}

/* allowedRoutes.kinds: does it take HTTPRoutes?  Others are noted. */
static bool lis_takes_httproute(struct gw_ctx *c, const struct kk_obj *o,
				const struct kk_node *ar, size_t i)
{
	const struct kk_node *kinds = kk_get(ar, "kinds");
	bool http = false;
	char f[128];

	gw_field(f, sizeof(f), "spec.listeners[%zu].allowedRoutes.kinds", i);
	if (!kk_seq(c->d, o, kinds, f) || !kinds->seq.n)
		return true;
	for (size_t k = 0; k < kinds->seq.n; k++) {
		const struct kk_node *e = kinds->seq.v[k];
		const char *group = GW_GROUP, *kind;

		gw_field(f, sizeof(f),
			 "spec.listeners[%zu].allowedRoutes.kinds[%zu].group",
			 i, k);
		kk_str(c->d, o, kk_get(e, "group"), f, &group);
		gw_field(f, sizeof(f),
			 "spec.listeners[%zu].allowedRoutes.kinds[%zu].kind",
			 i, k);
		if (!gw_need_str(c->d, o, e, "kind", f, &kind))
			continue;
		if (!strcmp(group, GW_GROUP) && !strcmp(kind, "HTTPRoute"))
			http = true;
		else
			kk_note(c->d, o, kk_get(e, "kind"), f,
				"kind %s is not served", kind);
	}
	return http;
}

/* Is the listener's protocol HTTP?  If not, say what becomes of it. */
static bool lis_http(struct gw_ctx *c, const struct kk_obj *o,
		     const struct kk_node *l, size_t i, bool *ok)
{
	const struct kk_node *n = kk_get(l, "protocol");
	const char *proto;
	char f[128];

	gw_field(f, sizeof(f), "spec.listeners[%zu].protocol", i);
	if (!gw_need_str(c->d, o, l, "protocol", f, &proto)) {
		*ok = false;
		return false;
	}
	if (!strcmp(proto, "HTTP"))
		return true;
	if (!strcmp(proto, "HTTPS") || !strcmp(proto, "TLS"))
		kk_note(c->d, o, n, f,
			"protocol %s is not served yet: the listener is left out",
			proto);
	else if (!strcmp(proto, "TCP") || !strcmp(proto, "UDP"))
		kk_note(c->d, o, n, f,
			"protocol %s is not served (kgate's L4 is Services): the listener is left out",
			proto);
	else
		kk_note(c->d, o, n, f,
			"protocol %s is not supported: the listener is left out",
			proto);
	return false;
}

/* The kgate listeners of @gl: one per address, every address if none. */
static int lis_bind(struct gw_ctx *c, struct gw_listener *gl,
		    const struct kgate_addr *addrs, int n_addrs)
{
	static const struct kgate_addr any;
	int n = n_addrs ? n_addrs : 1;

	gl->kgate = calloc(n, sizeof(*gl->kgate));
	if (!gl->kgate)
		return -ENOMEM;
	for (int a = 0; a < n; a++) {
		struct kgate_listener *kl;

		kl = kk_listener_for(c->out, n_addrs ? &addrs[a] : &any,
				     gl->port);
		if (!kl)
			return -ENOMEM;
		/* The name is the listener's own string: it stays put
		 * when the array of listeners grows.
		 */
		gl->kgate[gl->n_kgate++] = kl->name;
	}
	return 0;
}

static struct gw_listener *lis_push(struct gw_ctx *c)
{
	struct gw_listener *v = realloc(c->lis, (c->n_lis + 1) * sizeof(*v));

	if (!v)
		return NULL;
	c->lis = v;
	v = &c->lis[c->n_lis++];
	memset(v, 0, sizeof(*v));
	return v;
}

/* Is @name the name of a listener before @i in this Gateway? */
static bool lis_dup(const struct kk_node *seq, size_t i, const char *name)
{
	for (size_t k = 0; k < i; k++) {
		const struct kk_node *n = kk_get(seq->seq.v[k], "name");

		if (n && n->type == KK_STR && !strcmp(n->s, name))
			return true;
	}
	return false;
}

/* The name, port and hostname of listener @i; false after an error. */
static bool lis_basics(struct gw_ctx *c, const struct kk_obj *o,
		       const struct kk_node *seq, size_t i,
		       struct gw_listener *gl)
{
	const struct kk_node *l = seq->seq.v[i], *hn = kk_get(l, "hostname");
	const char *why;
	int64_t port;
	char f[128];

	gw_field(f, sizeof(f), "spec.listeners[%zu].name", i);
	if (!gw_need_str(c->d, o, l, "name", f, &gl->name))
		return false;
	if (lis_dup(seq, i, gl->name)) {
		kk_error(c->d, o, kk_get(l, "name"), f,
			 "duplicate listener name %s", gl->name);
		return false;
	}
	gw_field(f, sizeof(f), "spec.listeners[%zu].port", i);
	if (!gw_need_int(c->d, o, l, "port", f, 1, 65535, &port))
		return false;
	gl->port = (uint16_t)port;
	gw_field(f, sizeof(f), "spec.listeners[%zu].hostname", i);
	if (!kk_str(c->d, o, hn, f, &gl->hostname)) {
		gl->hostname = NULL;
		return !hn || hn->type == KK_NULL;
	}
	why = gw_host_bad(gl->hostname, true);
	if (why) {
		kk_error(c->d, o, hn, f, "invalid hostname %s: %s",
			 gl->hostname, why);
		return false;
	}
	return true;
}

/* Listener @i of Gateway @o: served (added to c->lis) or left out. */
static int gw_listener(struct gw_ctx *c, const struct kk_obj *o,
		       const struct kk_node *seq, size_t i,
		       const struct kgate_addr *addrs, int n_addrs)
{
	const struct kk_node *l = seq->seq.v[i];
	const struct kk_node *ar = kk_get(l, "allowedRoutes");
	struct gw_listener gl = { .gw = o };
	bool ok = true, http;
	char f[128];
	struct gw_listener *slot;

	if (!lis_basics(c, o, seq, i, &gl))
		return 0;
	http = lis_http(c, o, l, i, &ok);
	if (!http)
		return 0;
	gw_field(f, sizeof(f), "spec.listeners[%zu].allowedRoutes", i);
	if (ar && ar->type != KK_NULL && !kk_map(c->d, o, ar, f))
		return 0;
	gl.all_ns = lis_from_all(c, o, ar, i, &ok);
	if (!lis_takes_httproute(c, o, ar, i)) {
		kk_note(c->d, o, kk_get(ar, "kinds"), f,
			"no HTTPRoute allowed: the listener is left out");
		return 0;
	}
	if (!ok)
		return 0;
	slot = lis_push(c);
	if (!slot)
		return -ENOMEM;
	*slot = gl;
	return lis_bind(c, slot, addrs, n_addrs);
}

static int translate_gateway(struct gw_ctx *c, const struct kk_obj *o)
{
	struct kgate_addr addrs[KGATE_ROUTE_LISTENERS_MAX];
	const struct kk_node *seq;
	const struct kk_obj **gws;
	const char *cls;
	int n_addrs, err;

	if (!gw_version_ok(c->d, o, true))
		return 0;
	if (!gw_need_str(c->d, o, o->spec, "gatewayClassName",
			 "spec.gatewayClassName", &cls) ||
	    !class_ours(c, o, cls))
		return 0;
	gws = realloc(c->gws, (c->n_gws + 1) * sizeof(*gws));
	if (!gws)
		return -ENOMEM;
	c->gws = gws;
	c->gws[c->n_gws++] = o;
	n_addrs = gw_addresses(c, o, addrs, KGATE_ROUTE_LISTENERS_MAX);
	if (n_addrs < 0)
		return 0;
	seq = kk_get(o->spec, "listeners");
	if (!seq) {
		kk_error(c->d, o, o->spec, "spec.listeners", "missing");
		return 0;
	}
	if (!kk_seq(c->d, o, seq, "spec.listeners"))
		return 0;
	for (size_t i = 0; i < seq->seq.n; i++) {
		err = gw_listener(c, o, seq, i, addrs, n_addrs);
		if (err)
			return err;
	}
	return 0;
}

static void ctx_free(struct gw_ctx *c)
{
	for (size_t i = 0; i < c->n_lis; i++)
		free(c->lis[i].kgate);
	free(c->lis);
	free(c->gws);
}

int kk_translate_gateways(const struct kk_index *ix,
			  const struct kk_config *cfg, struct kgate_state *out,
			  struct kk_diag *d)
{
	struct gw_ctx c = { .ix = ix, .out = out, .d = d };
	int err = 0;

	(void)cfg;	/* Gateways say their own addresses and ports */
	for (size_t i = 0; i < ix->n; i++)
		if (kk_is(&ix->v[i], GW_GROUP, "GatewayClass"))
			translate_class(d, &ix->v[i]);
	for (size_t i = 0; i < ix->n && !err; i++)
		if (kk_is(&ix->v[i], GW_GROUP, "Gateway"))
			err = translate_gateway(&c, &ix->v[i]);
	for (size_t i = 0; i < ix->n && !err; i++)
		if (kk_is(&ix->v[i], GW_GROUP, "HTTPRoute"))
			err = gw_translate_httproute(&c, &ix->v[i]);
	ctx_free(&c);
	return err;
}

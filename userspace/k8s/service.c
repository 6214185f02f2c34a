// SPDX-License-Identifier: GPL-2.0
/*
 * Services to kgate services: one kgate service per port of each Service,
 * its frontends from the Service (cluster, external and load balancer
 * addresses, node ports) and its options (affinity, traffic policies,
 * source ranges).  The backends come from endpoints.c.
 *
 * A Service with an error gives nothing (the whole set applies nothing
 * anyway), but every field is still read so that one run reports every
 * mistake.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/kgate.h>

#include "kk.h"

#define PROXY_LABEL	"service.kubernetes.io/service-proxy-name"
#define SLICE_LABEL	"kubernetes.io/service-name"

/* IP families, as a set */
#define FAM_V4		1U
#define FAM_V6		2U

/* Field paths for messages: "subsets[1].notReadyAddresses[12].nodeName" */
#define BASE_MAX	96
#define FIELD_MAX	160

enum svc_type { TYPE_CLUSTERIP, TYPE_NODEPORT, TYPE_LB, TYPE_EXTNAME };

/*
 * "@base@suffix" into @buf of @len bytes, cut as snprintf() would: the
 * field paths of every endpoint and port are made whether or not a
 * message names them, and printf is slow for this.
 */
static const char *field_cat(char *buf, size_t len, const char *base,
			     const char *suffix)
{
	size_t b = strlen(base), s = strlen(suffix);

	if (b >= len)
		b = len - 1;
	if (s > len - 1 - b)
		s = len - 1 - b;
	memcpy(buf, base, b);
	memcpy(buf + b, suffix, s);
	buf[b + s] = '\0';
	return buf;
}

/* "@key[@i]" into @buf of @len bytes (as field_cat()). */
static const char *field_idx(char *buf, size_t len, const char *key, size_t i)
{
	char num[24], *p = num + sizeof(num);

	*--p = '\0';
	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while (i /= 10);
	*--p = '[';
	return field_cat(buf, len, key, p);
}

/* A port of a Service. */
struct sport {
	const char *name;	/* "" when unset */
	uint16_t port;
	uint16_t node_port;	/* 0: none */
	uint8_t proto;
};

/* A frontend address, before it is given each port. */
struct fe_addr {
	struct kgate_addr addr;
	uint8_t kind;
};

/* What a Service says, once read. */
struct svc_spec {
	const struct kk_obj *o;
	int type;			/* enum svc_type */
	struct sport *ports;
	size_t n_ports;
	struct fe_addr *addrs;
	size_t n_addrs, cap_addrs;
	struct kgate_range *ranges;
	size_t n_ranges, cap_ranges;
	unsigned int families;		/* FAM_*, for node ports */
	bool node_ports;		/* the type gives them */
	uint8_t affinity, ext_policy, int_policy;
	uint32_t timeout, has;
};

const char *kk_service_name(char *buf, size_t len, const char *ns,
			    const char *name, uint32_t port, uint8_t proto)
{
	const char *suffix = proto == IPPROTO_UDP ? "/udp" :
			     proto == IPPROTO_SCTP ? "/sctp" : "";

	snprintf(buf, len, "%s/%s:%u%s", ns, name, port, suffix);
	return buf;
}

/* Not a string "None" etc.: a node read without reporting anything. */
static bool is_text(const struct kk_node *n, const char *s)
{
	return n && n->type == KK_STR && !strcmp(n->s, s);
}

/*
 * Services kgate leaves alone, as kube-proxy does: another proxy's, DNS
 * names (ExternalName) and headless ones.  @why is for kk_service_ref(),
 * @skip for the skipped message.
 */
static bool not_ours(const struct kk_obj *o, const char **why,
		     const char **skip)
{
	const struct kk_node *ips = kk_get(o->spec, "clusterIPs");

	if (kk_label(o, PROXY_LABEL)) {
		*why = "Service belongs to another service proxy";
		*skip = "label " PROXY_LABEL ": another service proxy's";
		return true;
	}
	if (is_text(kk_get(o->spec, "type"), "ExternalName")) {
		*why = "ExternalName Service has no virtual IP";
		*skip = "type ExternalName: a DNS name, not proxied";
		return true;
	}
	if (is_text(kk_get(o->spec, "clusterIP"), "None") ||
	    (ips && ips->type == KK_SEQ && ips->seq.n &&
	     is_text(ips->seq.v[0], "None"))) {
		*why = "headless Service has no virtual IP";
		*skip = "headless (clusterIP None): not proxied";
		return true;
	}
	return false;
}

static bool absent(const struct kk_node *n)
{
	return !n || n->type == KK_NULL;
}

static int read_enum(struct kk_diag *d, const struct kk_obj *o,
		const struct kk_node *n, const char *field,
		const char *const *names, int def, const char *what,
		const char *expect)
{
	size_t errors = d->errors;
	const char *s;
	int i;

	if (!kk_str(d, o, n, field, &s))
		return d->errors > errors ? -1 : def;
	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	kk_error(d, o, n, field, "unknown %s \"%s\" (%s)", what, s, expect);
	return -1;
}

static int read_proto(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *n, const char *field, uint8_t *proto)
{
	static const char *const names[] = { "TCP", "UDP", "SCTP", NULL };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_SCTP };
	int i = read_enum(d, o, n, field, names, 0, "protocol",
			    "TCP, UDP or SCTP");

	if (i < 0)
		return -EINVAL;
	*proto = protos[i];
	return 0;
}

static bool port_in_range(struct kk_diag *d, const struct kk_obj *o,
			  const struct kk_node *n, const char *field,
			  int64_t v, uint16_t *out)
{
	if (v < 1 || v > 65535) {
		kk_error(d, o, n, field, "port %lld out of range 1..65535",
			 (long long)v);
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

/*
 * Port number @key of map @map: false when absent (said when @need, at
 * the map: the place the user has to look) or wrong.
 */
static bool read_portnum(struct kk_diag *d, const struct kk_obj *o,
			 const struct kk_node *map, const char *key,
			 const char *field, bool need, uint16_t *out)
{
	const struct kk_node *n = kk_get(map, key);
	int64_t v;

	if (need && absent(n)) {
		kk_error(d, o, map, field, "missing");
		return false;
	}
	return kk_int(d, o, n, field, INT64_MIN, INT64_MAX, &v) &&
	       port_in_range(d, o, n, field, v, out);
}

/* Why the kernel would refuse @a for a frontend or backend, or NULL. */
static const char *unusable(const struct kgate_addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[16];
	const uint8_t *b = a->bytes;

	if (!memcmp(b, zero, kgate_addr_len(a)))
		return "the unspecified address";
	if (a->family == AF_INET) {
		if ((b[0] & 0xf0) == 0xe0)
			return "a multicast address";
		if (b[0] == 0xff && b[1] == 0xff && b[2] == 0xff &&
		    b[3] == 0xff)
			return "the broadcast address";
		return NULL;
	}
	if (b[0] == 0xff)
		return "a multicast address";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "a link-local address";
	if (!memcmp(b, mapped, sizeof(mapped)))
		return "an IPv4-mapped IPv6 address";
	return NULL;
}

/* An address for a frontend or backend; missing is said at @at. */
static bool read_ip(struct kk_diag *d, const struct kk_obj *o,
		    const struct kk_node *n, const struct kk_node *at,
		    const char *field, struct kgate_addr *a)
{
	const char *s, *why;

	if (absent(n)) {
		kk_error(d, o, at, field, "missing");
		return false;
	}
	if (!kk_str(d, o, n, field, &s))
		return false;
	if (kgate_parse_addr(s, a)) {
		kk_error(d, o, n, field, "invalid address \"%s\"", s);
		return false;
	}
	why = unusable(a);
	if (why) {
		kk_error(d, o, n, field, "%s is %s", s, why);
		return false;
	}
	return true;
}

static unsigned int addr_family(const struct kgate_addr *a)
{
	return a->family == AF_INET6 ? FAM_V6 : FAM_V4;
}

/* Make room for one more element of @size in *@v. */
static int grow(void *v, size_t n, size_t *cap, size_t size)
{
	void **arr = v;
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Add a frontend address; one listed already is said and left out. */
static int add_addr(struct kk_diag *d, struct svc_spec *sp,
		    const struct kk_node *n, const char *field,
		    const struct kgate_addr *a, uint8_t kind)
{
	char buf[64];
	size_t i;

	for (i = 0; i < sp->n_addrs; i++) {
		if (kgate_addr_equal(&sp->addrs[i].addr, a)) {
			kk_note(d, sp->o, n, field,
				"%s listed already: ignored",
				kgate_addr_str(a, buf, sizeof(buf)));
			return 0;
		}
	}
	if (grow(&sp->addrs, sp->n_addrs, &sp->cap_addrs,
			sizeof(*sp->addrs)))
		return -ENOMEM;
	sp->addrs[sp->n_addrs].addr = *a;
	sp->addrs[sp->n_addrs++].kind = kind;
	return 0;
}

/* Each string of list @key of the spec as a frontend address of @kind. */
static int read_addr_list(struct kk_diag *d, struct svc_spec *sp,
			  const char *key, uint8_t kind)
{
	const struct kk_node *n = kk_get(sp->o->spec, key);
	struct kgate_addr a;
	char field[FIELD_MAX];
	size_t i;

	snprintf(field, sizeof(field), "spec.%s", key);
	if (!kk_seq(d, sp->o, n, field))
		return 0;
	for (i = 0; i < n->seq.n; i++) {
		snprintf(field, sizeof(field), "spec.%s[%zu]", key, i);
		if (read_ip(d, sp->o, n->seq.v[i], n, field, &a) &&
		    add_addr(d, sp, n->seq.v[i], field, &a, kind))
			return -ENOMEM;
	}
	return 0;
}

/* spec.clusterIPs, else spec.clusterIP: the cluster frontends. */
static int read_cluster_ips(struct kk_diag *d, struct svc_spec *sp)
{
	const struct kk_node *spec = sp->o->spec;
	const struct kk_node *ips = kk_get(spec, "clusterIPs");
	const struct kk_node *ip = kk_get(spec, "clusterIP");
	struct kgate_addr a;
	const char *s;

	if (ips && ips->type == KK_SEQ && ips->seq.n)
		return read_addr_list(d, sp, "clusterIPs", KGATE_FE_CLUSTER);
	if (!kk_seq(d, sp->o, ips, "spec.clusterIPs") &&
	    !absent(ips))
		return 0;
	if (kk_str(d, sp->o, ip, "spec.clusterIP", &s) && *s) {
		if (read_ip(d, sp->o, ip, ip, "spec.clusterIP", &a))
			return add_addr(d, sp, ip, "spec.clusterIP", &a,
					KGATE_FE_CLUSTER);
		return 0;
	}
	if (absent(ip) || (ip->type == KK_STR && !*ip->s))
		kk_note(d, sp->o, spec, "spec.clusterIP",
			"no clusterIP (the API server would allocate one): no cluster frontend");
	return 0;
}

/* spec.type: -1 after an error. */
static int read_type(struct kk_diag *d, const struct kk_obj *o)
{
	static const char *const names[] = {
		"ClusterIP", "NodePort", "LoadBalancer", "ExternalName", NULL
	};

	return read_enum(d, o, kk_get(o->spec, "type"), "spec.type", names,
			   TYPE_CLUSTERIP, "type",
			   "ClusterIP, NodePort, LoadBalancer or ExternalName");
}

/* The families for node ports: spec.ipFamilies, else the clusterIPs'. */
static void read_families(struct kk_diag *d, struct svc_spec *sp)
{
	static const char *const names[] = { "IPv4", "IPv6", NULL };
	const struct kk_node *n = kk_get(sp->o->spec, "ipFamilies");
	char field[FIELD_MAX];
	size_t i;
	int f;

	sp->families = 0;
	if (kk_seq(d, sp->o, n, "spec.ipFamilies")) {
		for (i = 0; i < n->seq.n; i++) {
			snprintf(field, sizeof(field), "spec.ipFamilies[%zu]",
				 i);
			f = read_enum(d, sp->o, n->seq.v[i], field, names,
					-1, "IP family", "IPv4 or IPv6");
			if (f >= 0)
				sp->families |= f ? FAM_V6 : FAM_V4;
		}
		if (n->seq.n)
			return;
	}
	for (i = 0; i < sp->n_addrs; i++)
		if (sp->addrs[i].kind == KGATE_FE_CLUSTER)
			sp->families |= addr_family(&sp->addrs[i].addr);
	if (!sp->families)
		sp->families = FAM_V4;
}

/* status.loadBalancer.ingress[].ip of a LoadBalancer. */
static int read_lb_status(struct kk_diag *d, struct svc_spec *sp)
{
	const struct kk_obj *o = sp->o;
	const struct kk_node *lb = kk_get(o->status, "loadBalancer");
	const struct kk_node *ing = kk_get(lb, "ingress"), *e, *ip;
	struct kgate_addr a;
	char field[FIELD_MAX];
	size_t i;

	if (!kk_map(d, o, lb, "status.loadBalancer") ||
	    !kk_seq(d, o, ing, "status.loadBalancer.ingress"))
		return 0;
	for (i = 0; i < ing->seq.n; i++) {
		e = ing->seq.v[i];
		snprintf(field, sizeof(field),
			 "status.loadBalancer.ingress[%zu]", i);
		if (!kk_map(d, o, e, field))
			continue;
		ip = kk_get(e, "ip");
		if (absent(ip)) {
			kk_note(d, o, e, field,
				"no ip (a hostname only): ignored");
			continue;
		}
		if (is_text(kk_get(e, "ipMode"), "Proxy")) {
			kk_note(d, o, e, field,
				"ipMode Proxy: the load balancer proxies, no frontend");
			continue;
		}
		snprintf(field, sizeof(field),
			 "status.loadBalancer.ingress[%zu].ip", i);
		if (read_ip(d, o, ip, e, field, &a) &&
		    add_addr(d, sp, ip, field, &a, KGATE_FE_LOADBALANCER))
			return -ENOMEM;
	}
	return 0;
}

/* One CIDR of spec.loadBalancerSourceRanges; false after an error. */
static bool read_range(struct kk_diag *d, const struct kk_obj *o,
		       const struct kk_node *n, const char *field,
		       struct kgate_range *r)
{
	char why[96], buf[KGATE_ENDPOINT_STRLEN];
	size_t len, i;
	const char *s;
	uint8_t bits;

	if (!kk_need_str(d, o, n, field, &s))
		return false;
	if (kgate_parse_prefix(s, r, why, sizeof(why))) {
		kk_error(d, o, n, field, "%s", why);
		return false;
	}
	len = kgate_addr_len(&r->addr);
	if (r->plen > len * 8) {
		kk_error(d, o, n, field, "prefix length %u too long for %s",
			 r->plen, len == 4 ? "IPv4" : "IPv6");
		return false;
	}
	/* Host bits: kube-proxy masks them, the kernel refuses them. */
	for (i = r->plen / 8; i < len; i++) {
		bits = i == r->plen / 8 ? 0xff >> (r->plen % 8) : 0xff;
		if (r->addr.bytes[i] & bits) {
			r->addr.bytes[i] &= ~bits;
			for (i++; i < len; i++)
				r->addr.bytes[i] = 0;
			kk_note(d, o, n, field, "host bits set: taken as %s",
				kgate_prefix_str(r, buf, sizeof(buf)));
			break;
		}
	}
	return true;
}

static int read_ranges(struct kk_diag *d, struct svc_spec *sp)
{
	const struct kk_obj *o = sp->o;
	const struct kk_node *n = kk_get(o->spec, "loadBalancerSourceRanges");
	const char *key = "spec.loadBalancerSourceRanges";
	struct kgate_range r;
	char field[FIELD_MAX];
	size_t i;

	if (!kk_seq(d, o, n, key) || !n->seq.n)
		return 0;
	if (sp->type != TYPE_LB) {
		kk_note(d, o, n, key, "only for type LoadBalancer: ignored");
		return 0;
	}
	if (n->seq.n > KGATE_RANGES_MAX) {
		kk_error(d, o, n, key, "%zu ranges, at most %d", n->seq.n,
			 KGATE_RANGES_MAX);
		return 0;
	}
	for (i = 0; i < n->seq.n; i++) {
		field_idx(field, sizeof(field), key, i);
		if (!read_range(d, o, n->seq.v[i], field, &r))
			continue;
		if (grow(&sp->ranges, sp->n_ranges, &sp->cap_ranges,
				sizeof(r)))
			return -ENOMEM;
		sp->ranges[sp->n_ranges++] = r;
	}
	return 0;
}

/* sessionAffinity and its timeout. */
static void read_affinity(struct kk_diag *d, struct svc_spec *sp)
{
	static const char *const names[] = { "None", "ClientIP", NULL };
	const struct kk_obj *o = sp->o;
	const struct kk_node *n = kk_get(o->spec, "sessionAffinity"), *t;
	const char *tf = "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
	int64_t v;
	int a;

	a = read_enum(d, o, n, "spec.sessionAffinity", names, -1,
			"session affinity", "None or ClientIP");
	if (a < 0)
		return;
	sp->has |= KGATE_SVC_HAS_AFFINITY;
	sp->affinity = a ? KGATE_AFFINITY_CLIENTIP : KGATE_AFFINITY_NONE;
	if (!a)
		return;
	t = kk_get(kk_get(kk_get(o->spec, "sessionAffinityConfig"),
			  "clientIP"), "timeoutSeconds");
	sp->has |= KGATE_SVC_HAS_TIMEOUT;
	if (!kk_int(d, o, t, tf, INT64_MIN, INT64_MAX, &v))
		return;
	if (v < 1 || v > KGATE_TIMEOUT_MAX) {
		kk_error(d, o, t, tf, "timeout %lld out of range 1..%d",
			 (long long)v, KGATE_TIMEOUT_MAX);
		return;
	}
	sp->timeout = (uint32_t)v;
}

static void read_policies(struct kk_diag *d, struct svc_spec *sp)
{
	static const char *const names[] = { "Cluster", "Local", NULL };
	const struct kk_obj *o = sp->o;
	int p;

	p = read_enum(d, o, kk_get(o->spec, "externalTrafficPolicy"),
			"spec.externalTrafficPolicy", names, -1, "policy",
			"Cluster or Local");
	if (p >= 0) {
		sp->ext_policy = p ? KGATE_POLICY_LOCAL : KGATE_POLICY_CLUSTER;
		sp->has |= KGATE_SVC_HAS_EXT_POLICY;
	}
	p = read_enum(d, o, kk_get(o->spec, "internalTrafficPolicy"),
			"spec.internalTrafficPolicy", names, -1, "policy",
			"Cluster or Local");
	if (p >= 0) {
		sp->int_policy = p ? KGATE_POLICY_LOCAL : KGATE_POLICY_CLUSTER;
		sp->has |= KGATE_SVC_HAS_INT_POLICY;
	}
}

/* targetPort: a number or a port name; only checked, the slices tell. */
static void read_target(struct kk_diag *d, const struct kk_obj *o,
			const struct kk_node *n, const char *field)
{
	const char *s;
	uint16_t port;

	if (absent(n))
		return;
	if (n->type == KK_INT) {
		port_in_range(d, o, n, field, n->i, &port);
		return;
	}
	if (n->type != KK_STR) {
		kk_error(d, o, n, field,
			 "expected a port number or name, got %s",
			 kk_type_name(n->type));
		return;
	}
	s = n->s;
	if (!*s || strspn(s, "0123456789") == strlen(s))
		kk_error(d, o, n, field,
			 "port name \"%s\" must contain a letter", s);
}

/* Another port of the Service before @i with the same name or port. */
static void check_dups(struct kk_diag *d, struct svc_spec *sp, size_t i,
		       const struct kk_node *n)
{
	const struct sport *p = &sp->ports[i];
	char field[FIELD_MAX], pb[8];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct sport *q = &sp->ports[j];

		kgate_proto_str(p->proto, pb, sizeof(pb));
		if (*p->name && !strcmp(p->name, q->name)) {
			snprintf(field, sizeof(field), "spec.ports[%zu].name",
				 i);
			kk_error(d, sp->o, kk_get(n, "name"), field,
				 "duplicate port name \"%s\"", p->name);
		}
		if (p->port && p->port == q->port && p->proto == q->proto) {
			snprintf(field, sizeof(field), "spec.ports[%zu].port",
				 i);
			kk_error(d, sp->o, kk_get(n, "port"), field,
				 "duplicate port %u/%s", p->port, pb);
		}
		if (p->node_port && p->node_port == q->node_port &&
		    p->proto == q->proto) {
			snprintf(field, sizeof(field),
				 "spec.ports[%zu].nodePort", i);
			kk_error(d, sp->o, kk_get(n, "nodePort"), field,
				 "duplicate nodePort %u/%s", p->node_port, pb);
		}
	}
}

/* One entry of spec.ports into sp->ports[i]. */
static void read_port(struct kk_diag *d, struct svc_spec *sp, size_t i,
		      const struct kk_node *n, bool many)
{
	struct sport *p = &sp->ports[i];
	const struct kk_obj *o = sp->o;
	char field[FIELD_MAX], base[BASE_MAX];

	memset(p, 0, sizeof(*p));
	p->name = "";
	p->proto = IPPROTO_TCP;
	field_idx(base, sizeof(base), "spec.ports", i);
	if (!kk_map(d, o, n, base))
		return;
	field_cat(field, sizeof(field), base, ".name");
	if (!kk_str(d, o, kk_get(n, "name"), field, &p->name))
		p->name = "";
	if (many && !*p->name && absent(kk_get(n, "name")))
		kk_error(d, o, n, field,
			 "required when there is more than one port");
	field_cat(field, sizeof(field), base, ".protocol");
	read_proto(d, o, kk_get(n, "protocol"), field, &p->proto);
	field_cat(field, sizeof(field), base, ".port");
	read_portnum(d, o, n, "port", field, true, &p->port);
	field_cat(field, sizeof(field), base, ".targetPort");
	read_target(d, o, kk_get(n, "targetPort"), field);
	field_cat(field, sizeof(field), base, ".nodePort");
	if (read_portnum(d, o, n, "nodePort", field, false,
			&p->node_port) && sp->type == TYPE_CLUSTERIP) {
		kk_error(d, o, kk_get(n, "nodePort"), field,
			 "only for types NodePort and LoadBalancer");
		p->node_port = 0;
	}
	if (sp->node_ports && !p->node_port &&
	    absent(kk_get(n, "nodePort")))
		kk_note(d, o, n, base,
			"no nodePort (the API server would allocate one): no node port frontend");
	check_dups(d, sp, i, n);
}

static int read_ports(struct kk_diag *d, struct svc_spec *sp)
{
	const struct kk_node *n = kk_get(sp->o->spec, "ports");
	size_t i;

	if (!kk_seq(d, sp->o, n, "spec.ports")) {
		if (absent(n))
			kk_error(d, sp->o, sp->o->spec, "spec.ports",
				 "missing: a Service needs a port");
		return 0;
	}
	if (!n->seq.n) {
		kk_error(d, sp->o, n, "spec.ports",
			 "empty: a Service needs a port");
		return 0;
	}
	sp->ports = calloc(n->seq.n, sizeof(*sp->ports));
	if (!sp->ports)
		return -ENOMEM;
	sp->n_ports = n->seq.n;
	for (i = 0; i < n->seq.n; i++)
		read_port(d, sp, i, n->seq.v[i], n->seq.n > 1);
	return 0;
}

/* Whether node ports come with a LoadBalancer. */
static void read_allocate(struct kk_diag *d, struct svc_spec *sp)
{
	bool alloc = true;

	if (sp->type == TYPE_NODEPORT) {
		sp->node_ports = true;
	} else if (sp->type == TYPE_LB) {
		kk_bool(d, sp->o,
			kk_get(sp->o->spec, "allocateLoadBalancerNodePorts"),
			"spec.allocateLoadBalancerNodePorts", &alloc);
		sp->node_ports = alloc;
	}
}

/* Everything of Service @sp->o but its backends; 0 or -ENOMEM. */
static int read_service(struct kk_diag *d, struct svc_spec *sp)
{
	const struct kk_obj *o = sp->o;
	int type;

	sp->affinity = KGATE_AFFINITY_NONE;
	sp->ext_policy = sp->int_policy = KGATE_POLICY_CLUSTER;
	sp->timeout = KGATE_TIMEOUT_DEFAULT;
	if (!kk_map(d, o, o->spec, "spec")) {
		if (absent(o->spec))
			kk_error(d, o, NULL, "spec", "missing");
		return 0;
	}
	type = read_type(d, o);
	sp->type = type < 0 ? TYPE_CLUSTERIP : type;
	read_allocate(d, sp);
	if (read_ports(d, sp) || read_cluster_ips(d, sp) ||
	    read_addr_list(d, sp, "externalIPs", KGATE_FE_EXTERNAL) ||
	    (sp->type == TYPE_LB && read_lb_status(d, sp)) ||
	    read_ranges(d, sp))
		return -ENOMEM;
	read_families(d, sp);
	read_affinity(d, sp);
	read_policies(d, sp);
	return 0;
}

static int add_frontend(struct kgate_service *svc, const struct kgate_addr *a,
			uint16_t port, uint8_t proto, uint8_t kind)
{
	struct kgate_frontend fe = {
		.addr = *a, .port = port, .proto = proto, .kind = kind,
	};

	return kgate_service_add_frontend(svc, &fe);
}

/* The frontends of port @p: every address, then the node ports. */
static int add_frontends(struct kgate_service *svc,
			 const struct svc_spec *sp, const struct sport *p)
{
	struct kgate_addr any = { .family = AF_INET };
	size_t i;

	for (i = 0; i < sp->n_addrs; i++)
		if (add_frontend(svc, &sp->addrs[i].addr, p->port, p->proto,
				 sp->addrs[i].kind))
			return -ENOMEM;
	if (!sp->node_ports || !p->node_port)
		return 0;
	if ((sp->families & FAM_V4) &&
	    add_frontend(svc, &any, p->node_port, p->proto, KGATE_FE_NODEPORT))
		return -ENOMEM;
	any.family = AF_INET6;
	if ((sp->families & FAM_V6) &&
	    add_frontend(svc, &any, p->node_port, p->proto, KGATE_FE_NODEPORT))
		return -ENOMEM;
	return 0;
}

/* ---- backends: EndpointSlices, and legacy Endpoints -------------------- */

/* An endpoint that takes traffic, waiting for the port of a Service port. */
struct ep {
	struct kgate_addr addr;
	const struct kk_node *n;
	uint8_t state;		/* enum kgate_backend_state */
	bool local;
};

/* A port of a slice or subset: the Service port of its name and protocol. */
struct ep_port {
	const char *name;	/* "" when unset */
	uint16_t port;
	uint8_t proto;
};

/* An EndpointSlice, or one subset of an Endpoints object. */
struct ep_set {
	const struct kk_obj *o;
	struct ep *eps;
	size_t n_eps, cap_eps;
	struct ep_port *ports;
	size_t n_ports, cap_ports;
	bool noted;		/* addresses of a family the Service lacks */
};

/* An EndpointSlice or Endpoints, by the Service it is for. */
struct ep_ref {
	const char *ns, *name;
	const struct kk_obj *o;
	size_t order;
	bool legacy;		/* Endpoints, not an EndpointSlice */
};

/*
 * Sorted by Service, so that each Service finds its own without walking
 * every object (10k Services make 10k slices).
 */
struct eps {
	const struct kk_index *ix;
	struct ep_ref *refs;
	size_t n_refs;
	const struct kk_obj **svcs;	/* sorted by namespace and name */
	size_t n_svcs;
	struct ep_set *sets;		/* the current Service's */
	size_t n_sets, cap_sets;
};

static bool is_slice(const struct kk_obj *o)
{
	return kk_is(o, "discovery.k8s.io", "EndpointSlice");
}

static bool is_legacy(const struct kk_obj *o)
{
	return kk_is(o, "", "Endpoints");
}

static int cmp_name(const char *ns1, const char *n1, const char *ns2,
		    const char *n2)
{
	int c = strcmp(ns1, ns2);

	return c ? c : strcmp(n1, n2);
}

static int cmp_ref(const void *a, const void *b)
{
	const struct ep_ref *x = a, *y = b;
	int c = cmp_name(x->ns, x->name, y->ns, y->name);

	if (c)
		return c;
	if (x->legacy != y->legacy)
		return x->legacy ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_svc(const void *a, const void *b)
{
	const struct kk_obj *const *x = a, *const *y = b;

	return cmp_name((*x)->ns, (*x)->name, (*y)->ns, (*y)->name);
}

static void sets_clear(struct eps *e)
{
	size_t i;

	for (i = 0; i < e->n_sets; i++) {
		free(e->sets[i].eps);
		free(e->sets[i].ports);
	}
	e->n_sets = 0;
}

static void eps_free(struct eps *e)
{
	sets_clear(e);
	free(e->sets);
	free(e->refs);
	free(e->svcs);
}

static int eps_init(struct eps *e, const struct kk_index *ix)
{
	const struct kk_obj *o;
	const char *svc;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->ix = ix;
	e->refs = calloc(ix->n + 1, sizeof(*e->refs));
	e->svcs = calloc(ix->n + 1, sizeof(*e->svcs));
	if (!e->refs || !e->svcs)
		return -ENOMEM;
	for (i = 0; i < ix->n; i++) {
		o = &ix->v[i];
		if (kk_is(o, "", "Service") && o->ns)
			e->svcs[e->n_svcs++] = o;
		svc = is_slice(o) ? kk_label(o, SLICE_LABEL) :
		      is_legacy(o) ? o->name : NULL;
		if (!svc || !o->ns)
			continue;
		e->refs[e->n_refs++] = (struct ep_ref){
			.ns = o->ns, .name = svc, .o = o, .order = i,
			.legacy = is_legacy(o),
		};
	}
	qsort(e->refs, e->n_refs, sizeof(*e->refs), cmp_ref);
	qsort(e->svcs, e->n_svcs, sizeof(*e->svcs), cmp_svc);
	return 0;
}

/* The first reference for Service @ns/@name, or e->n_refs. */
static size_t refs_find(const struct eps *e, const char *ns, const char *name)
{
	size_t lo = 0, hi = e->n_refs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_name(e->refs[mid].ns, e->refs[mid].name, ns, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool svc_exists(const struct eps *e, const char *ns, const char *name)
{
	struct kk_obj key = { .ns = ns, .name = name };
	const struct kk_obj *k = &key;

	return bsearch(&k, e->svcs, e->n_svcs, sizeof(*e->svcs), cmp_svc);
}

/* Slices and Endpoints no Service of the input takes: said, not used. */
static void eps_orphans(struct kk_diag *d, const struct eps *e)
{
	const struct kk_obj *o;
	const char *svc;
	size_t i;

	for (i = 0; i < e->ix->n; i++) {
		o = &e->ix->v[i];
		if (!o->ns || (!is_slice(o) && !is_legacy(o)))
			continue;
		svc = is_slice(o) ? kk_label(o, SLICE_LABEL) : o->name;
		if (!svc)
			kk_note(d, o, o->metadata, "metadata.labels",
				"no label " SLICE_LABEL ": ignored");
		else if (!svc_exists(e, o->ns, svc))
			kk_note(d, o, NULL, NULL,
				"no Service %s/%s in the input: ignored",
				o->ns, svc);
	}
}

static struct ep_set *new_set(struct eps *e, const struct kk_obj *o)
{
	struct ep_set *set;

	if (grow(&e->sets, e->n_sets, &e->cap_sets, sizeof(*e->sets)))
		return NULL;
	set = &e->sets[e->n_sets++];
	memset(set, 0, sizeof(*set));
	set->o = o;
	return set;
}

/* One entry of a slice's or subset's ports, @base its field path. */
static int read_ep_port(struct kk_diag *d, struct ep_set *set,
			const struct kk_node *n, const char *base, bool need)
{
	const struct kk_obj *o = set->o;
	struct ep_port p = { .name = "", .proto = IPPROTO_TCP };
	char field[FIELD_MAX], pb[8];
	size_t errors = d->errors, i;

	if (!kk_map(d, o, n, base))
		return 0;
	field_cat(field, sizeof(field), base, ".name");
	if (!kk_str(d, o, kk_get(n, "name"), field, &p.name))
		p.name = "";
	field_cat(field, sizeof(field), base, ".protocol");
	read_proto(d, o, kk_get(n, "protocol"), field, &p.proto);
	field_cat(field, sizeof(field), base, ".port");
	/* A slice port without a number restricts nothing: not ours. */
	if (!read_portnum(d, o, n, "port", field, need, &p.port) ||
	    d->errors > errors)
		return 0;
	for (i = 0; i < set->n_ports; i++) {
		if (!strcmp(set->ports[i].name, p.name) &&
		    set->ports[i].proto == p.proto) {
			field_cat(field, sizeof(field), base, ".name");
			kk_error(d, o, n, field, "duplicate port \"%s\"/%s",
				 p.name, kgate_proto_str(p.proto, pb,
							 sizeof(pb)));
			return 0;
		}
	}
	if (grow(&set->ports, set->n_ports, &set->cap_ports, sizeof(p)))
		return -ENOMEM;
	set->ports[set->n_ports++] = p;
	return 0;
}

static int read_ep_ports(struct kk_diag *d, struct ep_set *set,
			 const struct kk_node *n, const char *key, bool need)
{
	char field[BASE_MAX];
	size_t i;

	if (!kk_seq(d, set->o, n, key))
		return 0;
	for (i = 0; i < n->seq.n; i++) {
		field_idx(field, sizeof(field), key, i);
		if (read_ep_port(d, set, n->seq.v[i], field, need))
			return -ENOMEM;
	}
	return 0;
}

static int add_ep(struct ep_set *set, const struct kgate_addr *a,
		  const struct kk_node *n, uint8_t state, bool local)
{
	if (grow(&set->eps, set->n_eps, &set->cap_eps, sizeof(*set->eps)))
		return -ENOMEM;
	set->eps[set->n_eps++] = (struct ep){
		.addr = *a, .n = n, .state = state, .local = local,
	};
	return 0;
}

/* The endpoint's state (KEP-1669), or -1 when it takes no traffic. */
static int ep_state(bool ready, bool serving, bool terminating)
{
	if (ready)
		return KGATE_BE_READY;
	if (!terminating)
		return -1;
	return serving ? KGATE_BE_SERVING : KGATE_BE_TERMINATING;
}

/* The conditions of a slice endpoint @n, as a state or -1. */
static int read_conditions(struct kk_diag *d, const struct kk_obj *o,
			   const struct kk_node *n, const char *base)
{
	const struct kk_node *c = kk_get(n, "conditions");
	bool ready = true, serving, terminating = false;
	char field[FIELD_MAX];

	field_cat(field, sizeof(field), base, ".conditions");
	if (!kk_map(d, o, c, field))
		return ep_state(ready, ready, terminating);
	field_cat(field, sizeof(field), base, ".conditions.ready");
	kk_bool(d, o, kk_get(c, "ready"), field, &ready);
	serving = ready;
	field_cat(field, sizeof(field), base, ".conditions.serving");
	kk_bool(d, o, kk_get(c, "serving"), field, &serving);
	field_cat(field, sizeof(field), base, ".conditions.terminating");
	kk_bool(d, o, kk_get(c, "terminating"), field, &terminating);
	return ep_state(ready, serving, terminating);
}

static bool on_node(struct kk_diag *d, const struct kk_obj *o,
		    const struct kk_node *n, const char *field,
		    const struct kk_config *cfg)
{
	const char *node;

	return kk_str(d, o, n, field, &node) && cfg->node_name &&
	       !strcmp(node, cfg->node_name);
}

/* endpoints[@i] of a slice of family @family (AF_INET, AF_INET6). */
static int read_slice_ep(struct kk_diag *d, struct ep_set *set, size_t i,
			 const struct kk_node *n, int family,
			 const struct kk_config *cfg)
{
	const struct kk_obj *o = set->o;
	const struct kk_node *addrs = kk_get(n, "addresses");
	char base[BASE_MAX], field[FIELD_MAX];
	struct kgate_addr a;
	bool local;
	int state;

	field_idx(base, sizeof(base), "endpoints", i);
	if (!kk_map(d, o, n, base))
		return 0;
	field_cat(field, sizeof(field), base, ".addresses");
	if (!kk_seq(d, o, addrs, field) || !addrs->seq.n) {
		if (absent(addrs) || addrs->type == KK_SEQ)
			kk_error(d, o, addrs ? addrs : n, field,
				 "an endpoint needs an address");
		return 0;
	}
	/* The first address is the one consumers use, says the API. */
	field_cat(field, sizeof(field), base, ".addresses[0]");
	if (!read_ip(d, o, addrs->seq.v[0], addrs, field, &a))
		return 0;
	if (a.family != family) {
		kk_error(d, o, addrs->seq.v[0], field,
			 "%s is not an %s address", addrs->seq.v[0]->s,
			 family == AF_INET ? "IPv4" : "IPv6");
		return 0;
	}
	state = read_conditions(d, o, n, base);
	field_cat(field, sizeof(field), base, ".nodeName");
	local = on_node(d, o, kk_get(n, "nodeName"), field, cfg);
	if (state < 0)
		return 0;
	return add_ep(set, &a, n, (uint8_t)state, local);
}

static int read_slice(struct kk_diag *d, struct eps *e,
		      const struct kk_obj *o, const struct kk_config *cfg)
{
	static const char *const types[] = { "IPv4", "IPv6", "FQDN", NULL };
	const struct kk_node *t = kk_get(o->root, "addressType");
	const struct kk_node *n = kk_get(o->root, "endpoints");
	struct ep_set *set;
	size_t i;
	int type;

	if (absent(t)) {
		kk_error(d, o, NULL, "addressType", "missing");
		return 0;
	}
	type = read_enum(d, o, t, "addressType", types, -1, "address type",
			 "IPv4, IPv6 or FQDN");
	if (type < 0)
		return 0;
	if (type == 2) {
		kk_note(d, o, t, "addressType",
			"FQDN endpoints are not proxied: ignored");
		return 0;
	}
	set = new_set(e, o);
	if (!set ||
	    read_ep_ports(d, set, kk_get(o->root, "ports"), "ports", false))
		return -ENOMEM;
	if (!kk_seq(d, o, n, "endpoints"))
		return 0;
	for (i = 0; i < n->seq.n; i++)
		if (read_slice_ep(d, set, i, n->seq.v[i],
				  type ? AF_INET6 : AF_INET, cfg))
			return -ENOMEM;
	return 0;
}

/* subsets[].addresses (@ready) or .notReadyAddresses of an Endpoints. */
static int read_legacy_addrs(struct kk_diag *d, struct ep_set *set,
			     const struct kk_node *sub, const char *base,
			     bool ready, const struct kk_config *cfg)
{
	const char *key = ready ? "addresses" : "notReadyAddresses";
	const struct kk_node *n = kk_get(sub, key), *a;
	const struct kk_obj *o = set->o;
	char list[BASE_MAX], field[FIELD_MAX];
	struct kgate_addr addr;
	size_t i;
	bool local;

	snprintf(list, sizeof(list), "%s.%s", base, key);
	if (!kk_seq(d, o, n, list))
		return 0;
	for (i = 0; i < n->seq.n; i++) {
		a = n->seq.v[i];
		field_idx(field, sizeof(field), list, i);
		if (!kk_map(d, o, a, field))
			continue;
		snprintf(field, sizeof(field), "%s[%zu].ip", list, i);
		if (!read_ip(d, o, kk_get(a, "ip"), a, field, &addr))
			continue;
		snprintf(field, sizeof(field), "%s[%zu].nodeName", list, i);
		local = on_node(d, o, kk_get(a, "nodeName"), field, cfg);
		/* Not ready and not said to terminate: no traffic. */
		if (ready && add_ep(set, &addr, a, KGATE_BE_READY, local))
			return -ENOMEM;
	}
	return 0;
}

static int read_legacy(struct kk_diag *d, struct eps *e,
		       const struct kk_obj *o, const struct kk_config *cfg)
{
	const struct kk_node *subs = kk_get(o->root, "subsets"), *sub;
	char base[BASE_MAX], field[FIELD_MAX];
	struct ep_set *set;
	size_t i;

	if (!kk_seq(d, o, subs, "subsets"))
		return 0;
	for (i = 0; i < subs->seq.n; i++) {
		sub = subs->seq.v[i];
		field_idx(base, sizeof(base), "subsets", i);
		if (!kk_map(d, o, sub, base))
			continue;
		set = new_set(e, o);
		field_cat(field, sizeof(field), base, ".ports");
		if (!set ||
		    read_ep_ports(d, set, kk_get(sub, "ports"), field, true) ||
		    read_legacy_addrs(d, set, sub, base, true, cfg) ||
		    read_legacy_addrs(d, set, sub, base, false, cfg))
			return -ENOMEM;
	}
	return 0;
}

/* The slices of Service @svc, or its Endpoints when it has none. */
static int eps_read(struct kk_diag *d, struct eps *e,
		    const struct kk_obj *svc, const struct kk_config *cfg)
{
	size_t i = refs_find(e, svc->ns, svc->name);
	int err = 0;

	sets_clear(e);
	for (; !err && i < e->n_refs; i++) {
		const struct ep_ref *r = &e->refs[i];

		if (cmp_name(r->ns, r->name, svc->ns, svc->name))
			break;
		if (!r->legacy)
			err = read_slice(d, e, r->o, cfg);
		else if (i == 0 || e->refs[i - 1].legacy ||
			 cmp_name(e->refs[i - 1].ns, e->refs[i - 1].name,
				  svc->ns, svc->name))
			err = read_legacy(d, e, r->o, cfg);
	}
	return err;
}

static int cmp_backend(const void *a, const void *b)
{
	const struct kgate_backend *x = a, *y = b;
	int c = (int)x->addr.family - (int)y->addr.family;

	if (!c)
		c = memcmp(x->addr.bytes, y->addr.bytes, sizeof(x->addr.bytes));
	if (!c)
		c = (int)x->port - (int)y->port;
	/* The better state first: READY < SERVING < TERMINATING. */
	return c ? c : (int)x->state - (int)y->state;
}

static unsigned int fe_families(const struct kgate_service *svc)
{
	unsigned int f = 0;
	size_t i;

	for (i = 0; i < svc->n_frontends; i++)
		f |= addr_family(&svc->frontends[i].addr);
	return f;
}

/* The slice port of @set for Service port @p, or NULL. */
static const struct ep_port *set_port(const struct ep_set *set,
				      const struct sport *p)
{
	size_t i;

	for (i = 0; i < set->n_ports; i++)
		if (!strcmp(set->ports[i].name, p->name) &&
		    set->ports[i].proto == p->proto)
			return &set->ports[i];
	return NULL;
}

/* Every endpoint of @set at port @pp into @v, families @fams allowing. */
static int collect(struct kk_diag *d, struct ep_set *set,
		   const struct ep_port *pp, unsigned int fams,
		   const struct kk_obj *svc, struct kgate_backend **v,
		   size_t *n, size_t *cap)
{
	struct kgate_backend be;
	const struct ep *ep;
	size_t i;

	for (i = 0; i < set->n_eps; i++) {
		ep = &set->eps[i];
		if (fams && !(fams & addr_family(&ep->addr))) {
			if (!set->noted)
				kk_note(d, set->o, ep->n, NULL,
					"%s has no %s frontend: %s endpoints ignored",
					svc->label,
					ep->addr.family == AF_INET ?
					"IPv4" : "IPv6",
					ep->addr.family == AF_INET ?
					"IPv4" : "IPv6");
			set->noted = true;
			continue;
		}
		kgate_backend_init(&be);
		be.addr = ep->addr;
		be.port = pp->port;
		be.state = ep->state;
		be.flags = ep->local ? KGATE_BE_F_LOCAL : 0;
		be.has = KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE |
			 KGATE_BE_HAS_FLAGS;
		if (grow(v, *n, cap, sizeof(be)))
			return -ENOMEM;
		(*v)[(*n)++] = be;
	}
	return 0;
}

/* The backends of Service port @p into @svc: merged, each address once. */
static int eps_backends(struct kk_diag *d, struct eps *e,
			const struct kk_obj *o, const struct sport *p,
			struct kgate_service *svc)
{
	unsigned int fams = fe_families(svc);
	struct kgate_backend *v = NULL;
	const struct ep_port *pp;
	size_t n = 0, cap = 0, i;
	int err = 0;

	for (i = 0; !err && i < e->n_sets; i++) {
		pp = set_port(&e->sets[i], p);
		if (pp)
			err = collect(d, &e->sets[i], pp, fams, o, &v, &n,
				      &cap);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_backend);
	for (i = 0; !err && i < n; i++) {
		if (i && kgate_addr_equal(&v[i].addr, &v[i - 1].addr) &&
		    v[i].port == v[i - 1].port)
			continue;
		err = kgate_service_add_backend(svc, &v[i]);
	}
	free(v);
	if (!err && svc->n_backends > KGATE_BACKENDS_MAX)
		kk_error(d, o, NULL, NULL, "%s: %zu backends, at most %d",
			 svc->name, svc->n_backends, KGATE_BACKENDS_MAX);
	return err;
}

/* The kgate service of port @p. */
static int emit(struct kk_diag *d, const struct svc_spec *sp,
		const struct sport *p, struct eps *eps,
		struct kgate_state *out)
{
	struct kgate_service *svc = kk_add_service(out);
	char name[KGATE_NAME_MAX];
	size_t i;

	if (!svc)
		return -ENOMEM;
	kk_service_name(name, sizeof(name), sp->o->ns, sp->o->name, p->port,
			p->proto);
	svc->affinity = sp->affinity;
	svc->timeout = sp->timeout;
	svc->ext_policy = sp->ext_policy;
	svc->int_policy = sp->int_policy;
	svc->has = sp->has;
	if (kgate_service_set_name(svc, name) || add_frontends(svc, sp, p))
		return -ENOMEM;
	for (i = 0; i < sp->n_ranges; i++)
		if (kgate_service_add_range(svc, &sp->ranges[i]))
			return -ENOMEM;
	return eps_backends(d, eps, sp->o, p, svc);
}

static void spec_free(struct svc_spec *sp)
{
	free(sp->ports);
	free(sp->addrs);
	free(sp->ranges);
}

/* The kernel takes KGATE_FRONTENDS_MAX frontends per service. */
static void check_frontends(struct kk_diag *d, const struct svc_spec *sp)
{
	size_t n = sp->n_addrs;

	if (sp->node_ports)
		n += !!(sp->families & FAM_V4) + !!(sp->families & FAM_V6);
	if (n > KGATE_FRONTENDS_MAX)
		kk_error(d, sp->o, sp->o->spec, "spec",
			 "%zu frontends per port, at most %d", n,
			 KGATE_FRONTENDS_MAX);
}

/* One Service: its kgate services, or nothing after an error. */
static int translate_one(const struct kk_obj *o, struct eps *eps,
			 const struct kk_config *cfg, struct kgate_state *out,
			 struct kk_diag *d)
{
	struct svc_spec sp = { .o = o };
	size_t errors = d->errors, first = out->n_svcs, i;
	const char *why, *skip;
	int err;

	if (not_ours(o, &why, &skip)) {
		kk_skipped(d, o, "%s", skip);
		return 0;
	}
	err = read_service(d, &sp);
	if (!err)
		err = eps_read(d, eps, o, cfg);
	if (!err)
		check_frontends(d, &sp);
	for (i = 0; !err && d->errors == errors && i < sp.n_ports; i++)
		err = emit(d, &sp, &sp.ports[i], eps, out);
	/* A port found wrong late (too many backends) takes the rest too. */
	while (d->errors > errors && out->n_svcs > first)
		kgate_service_free(&out->svcs[--out->n_svcs]);
	spec_free(&sp);
	return err;
}

int kk_translate_services(const struct kk_index *ix,
			  const struct kk_config *cfg, struct kgate_state *out,
			  struct kk_diag *d)
{
	struct eps eps;
	size_t i;
	int err;

	err = eps_init(&eps, ix);
	for (i = 0; !err && i < ix->n; i++)
		if (kk_is(&ix->v[i], "", "Service"))
			err = translate_one(&ix->v[i], &eps, cfg, out, d);
	if (!err)
		eps_orphans(d, &eps);
	eps_free(&eps);
	return err;
}

/* spec.ports[] entry @p is TCP and is @number, or named @name. */
static bool port_matches(const struct kk_node *p, uint32_t number,
			 const char *name)
{
	const struct kk_node *proto = kk_get(p, "protocol");
	const struct kk_node *port = kk_get(p, "port");

	if (!absent(proto) && !is_text(proto, "TCP"))
		return false;
	if (!port || port->type != KK_INT || port->i < 1 || port->i > 65535)
		return false;
	if (name)
		return is_text(kk_get(p, "name"), name);
	return port->i == number;
}

int kk_service_ref(const struct kk_index *ix, const char *ns, const char *svc,
		   uint32_t number, const char *port_name, char *out,
		   size_t len, const char **why)
{
	const struct kk_obj *o = kk_find(ix, "", "Service", ns, svc);
	const struct kk_node *ports;
	const char *skip;
	size_t i;

	if (!o)
		return -ENOENT;
	if (not_ours(o, why, &skip))
		return -ESRCH;
	ports = kk_get(o->spec, "ports");
	for (i = 0; ports && ports->type == KK_SEQ && i < ports->seq.n; i++) {
		const struct kk_node *p = ports->seq.v[i];

		if (port_matches(p, number, port_name)) {
			kk_service_name(out, len, ns, svc,
					(uint32_t)kk_get(p, "port")->i,
					IPPROTO_TCP);
			return 0;
		}
	}
	*why = port_name ? "Service has no TCP port of that name" :
			   "Service has no TCP port of that number";
	return -ESRCH;
}

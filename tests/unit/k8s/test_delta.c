// SPDX-License-Identifier: GPL-2.0
/*
 * The EndpointSlice path (delta.c): files as units, a catalogue of their
 * objects, and a change of one file.  A slice changed re-translates its
 * one Service and gives exactly the replace of its kgate service; the
 * applied state then equals what translating everything gives; a Service
 * changed, a slice of no Service, a duplicate say -EAGAIN (the whole
 * path); a file rewritten the same changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "doc.h"
#include "kk.h"
#include "tap.h"

#define SVCS \
	"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n" \
	"spec: {clusterIP: 10.96.0.1, ports: [{port: 80, targetPort: 8080}]}\n" \
	"---\n" \
	"apiVersion: v1\nkind: Service\nmetadata: {name: b}\n" \
	"spec: {clusterIP: 10.96.0.2, ports: [{name: http, port: 80, " \
	"targetPort: 8080}, {name: dns, port: 53, protocol: UDP}]}\n" \
	"---\n" \
	"apiVersion: v1\nkind: Service\nmetadata: {name: c}\n" \
	"spec: {clusterIP: 10.96.0.3, ports: [{port: 80}]}\n" \
	"---\n" \
	"apiVersion: networking.k8s.io/v1\nkind: IngressClass\n" \
	"metadata: {name: kgate}\n" \
	"spec: {controller: kgate.io/ingress-controller}\n" \
	"---\n" \
	"apiVersion: networking.k8s.io/v1\nkind: Ingress\n" \
	"metadata: {name: web}\n" \
	"spec:\n  ingressClassName: kgate\n  rules:\n  - host: a.example\n" \
	"    http: {paths: [{path: /, pathType: Prefix, backend: " \
	"{service: {name: a, port: {number: 80}}}}]}\n"

#define SLICE(name, svc, ip) \
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n" \
	"metadata: {name: " name ", labels: " \
	"{kubernetes.io/service-name: " svc "}}\n" \
	"addressType: IPv4\nports: [{port: 8080}]\n" \
	"endpoints: [{addresses: [" ip "]}, {addresses: [10.1.0.9]}]\n"

#define SLICE_B(ip) \
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n" \
	"metadata: {name: b-1, labels: {kubernetes.io/service-name: b}}\n" \
	"addressType: IPv4\nports: [{name: http, port: 8080}, " \
	"{name: dns, port: 53, protocol: UDP}]\n" \
	"endpoints: [{addresses: [" ip "]}]\n"

#define EPS_C(ip) \
	"apiVersion: v1\nkind: Endpoints\nmetadata: {name: c}\n" \
	"subsets: [{addresses: [{ip: " ip "}], ports: [{port: 80}]}]\n"

#define EPS0 SLICE("a-1", "a", "10.1.0.1") "---\n" SLICE_B("10.2.0.1") \
	"---\n" EPS_C("10.3.0.1")

/* Files, each its own documents, and what they give. */
struct set {
	struct kk_docs units[3];
	size_t n;
	struct kk_docs all;	/* a view of the units' */
	struct kk_config cfg;
};

static int load(struct kk_docs *docs, const char *name, const char *text)
{
	struct kk_diag d;
	int rc;

	kk_diag_init(&d);
	rc = kk_load_text(docs, name, text, strlen(text), &d);
	kk_diag_free(&d);
	return rc;
}

static void unit(struct set *s, size_t i, const char *name, const char *yaml)
{
	struct kk_diag d;

	kk_diag_init(&d);
	kk_docs_init(&s->units[i]);
	CHECK_INT(kk_load_text(&s->units[i], name, yaml, strlen(yaml), &d),
		  0);
	kk_diag_free(&d);
}

/* The view of every unit's documents, as the dir source gives it. */
static void view(struct set *s)
{
	size_t i, j;

	kk_docs_free(&s->all);
	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->units[i].n; j++) {
			if (s->all.n == s->all.cap) {
				s->all.cap = s->all.cap ? 2 * s->all.cap : 16;
				s->all.v = realloc(s->all.v, s->all.cap *
						   sizeof(*s->all.v));
			}
			s->all.v[s->all.n++] = s->units[i].v[j];
		}
}

static void set_init(struct set *s, const char *eps)
{
	memset(s, 0, sizeof(*s));
	kk_config_init(&s->cfg);
	unit(s, 0, "svc.yaml", SVCS);
	unit(s, 1, "eps.yaml", eps);
	s->n = 2;
	view(s);
}

static void set_free(struct set *s)
{
	size_t i;

	kk_docs_free(&s->all);
	for (i = 0; i < s->n; i++)
		kk_docs_free(&s->units[i]);
}

/* Everything translated, as the whole path does. */
static void translate_all(const struct set *s, struct kgate_state *st)
{
	struct kk_diag d;

	kk_diag_init(&d);
	CHECK_INT(kk_translate(&s->all, &s->cfg, st, &d), 0);
	CHECK_INT(d.n, 0);
	kk_diag_free(&d);
}

static size_t ops_between(const struct kgate_state *a,
			  const struct kgate_state *b)
{
	struct kgate_op *ops;
	size_t n;

	CHECK_INT(kgate_diff(a, b, kk_owned, NULL, &ops, &n), 0);
	free(ops);
	return n;
}

/* The old documents of unit @i replaced by @yaml: the change, kept. */
static struct kk_change replace(struct set *s, size_t i, const char *yaml,
				struct kk_docs *old)
{
	*old = s->units[i];
	unit(s, i, "eps.yaml", yaml);
	view(s);
	return (struct kk_change){ old, &s->units[i] };
}

/* Catalogued and applied: the state after a whole sync of @s. */
static struct kk_cat *start(struct set *s, struct kgate_state *applied)
{
	struct kk_cat *c;

	CHECK_INT(kk_cat_new(&c), 0);
	CHECK_INT(kk_cat_reset(c, &s->all), 0);
	translate_all(s, applied);
	return c;
}

/*
 * @yaml for eps.yaml: the delta path's result, which must equal the
 * whole path's; its Services in @svcs (", "-joined) and its op count.
 */
static void delta_equals_full(const char *yaml, const char *svcs,
			      size_t want_ops)
{
	struct kgate_state applied, full;
	struct kk_change ch;
	struct kk_delta dl;
	struct kgate_op *ops;
	struct kk_docs old;
	struct kk_cat *c;
	struct set s;
	char got[256] = "";
	size_t n, i;

	set_init(&s, EPS0);
	c = start(&s, &applied);
	ch = replace(&s, 1, yaml, &old);
	CHECK_INT(kk_delta_build(c, &ch, 1, &s.cfg, &dl), 0);
	for (i = 0; i < dl.n_svcs; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? ", " : "", dl.svcs[i]);
	CHECK_STR(got, svcs);
	CHECK_INT(kk_delta_diff(&applied, &dl, &ops, &n), 0);
	CHECK_INT(n, want_ops);
	free(ops);
	CHECK_INT(kk_delta_commit(&applied, &dl), 0);
	kk_delta_free(&dl);
	kk_docs_free(&old);
	translate_all(&s, &full);
	CHECK_INT(applied.n_svcs, full.n_svcs);
	CHECK_INT(ops_between(&applied, &full), 0);
	CHECK_INT(ops_between(&full, &applied), 0);
	kgate_state_free(&full);
	kgate_state_free(&applied);
	kk_cat_free(c);
	set_free(&s);
}

TEST(test_one_slice_one_replace)
{
	struct kgate_state applied;
	struct kk_change ch;
	struct kk_delta dl;
	struct kgate_op *ops;
	struct kk_docs old;
	struct kk_cat *c;
	struct set s;
	size_t n;

	set_init(&s, EPS0);
	c = start(&s, &applied);
	ch = replace(&s, 1, SLICE("a-1", "a", "10.1.0.7") "---\n"
		     SLICE_B("10.2.0.1") "---\n" EPS_C("10.3.0.1"), &old);
	CHECK_INT(kk_delta_build(c, &ch, 1, &s.cfg, &dl), 0);
	/* the file held three objects: one changed, one Service again */
	CHECK_INT(dl.n_svcs, 1);
	CHECK_STR(dl.svcs[0], "default/a");
	CHECK_INT(dl.want.n_svcs, 1);
	CHECK_INT(kk_delta_diff(&applied, &dl, &ops, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(ops[0].cmd, KGATE_CMD_SERVICE_REPLACE);
	CHECK_STR(kgate_obj_name(&ops[0].obj), "default/a:80");
	CHECK_INT(ops[0].obj.svc->n_backends, 2);
	CHECK_STR(ops[0].obj.svc->owner, KK_OWNER);
	free(ops);
	kk_delta_free(&dl);
	kk_docs_free(&old);
	kgate_state_free(&applied);
	kk_cat_free(c);
	set_free(&s);
}

TEST(test_delta_equals_full)
{
	/* one endpoint moved */
	delta_equals_full(SLICE("a-1", "a", "10.1.0.7") "---\n"
			  SLICE_B("10.2.0.1") "---\n" EPS_C("10.3.0.1"),
			  "default/a", 1);
	/* a Service of two ports: both kgate services replaced */
	delta_equals_full(SLICE("a-1", "a", "10.1.0.1") "---\n"
			  SLICE_B("10.2.0.5") "---\n" EPS_C("10.3.0.1"),
			  "default/b", 2);
	/* legacy Endpoints, by the Service's name */
	delta_equals_full(SLICE("a-1", "a", "10.1.0.1") "---\n"
			  SLICE_B("10.2.0.1") "---\n" EPS_C("10.3.0.5"),
			  "default/c", 1);
	/* a second slice added, one removed */
	delta_equals_full(SLICE("a-1", "a", "10.1.0.1") "---\n"
			  SLICE("a-2", "a", "10.1.0.2") "---\n"
			  EPS_C("10.3.0.1"), "default/a, default/b", 3);
	/* a slice relabelled to another Service: both translated again */
	delta_equals_full(SLICE("a-1", "c", "10.1.0.1") "---\n"
			  SLICE_B("10.2.0.1") "---\n" EPS_C("10.3.0.1"),
			  "default/a, default/c", 2);
	/* the same file again: nothing */
	delta_equals_full(EPS0, "", 0);
}

/* @yaml for eps.yaml (or a new third file @extra): -EAGAIN. */
static void needs_full(const char *yaml, const char *extra, int reset)
{
	struct kgate_state applied;
	struct kk_change ch;
	struct kk_delta dl;
	struct kk_docs old;
	struct kk_cat *c;
	struct set s;

	set_init(&s, EPS0);
	c = start(&s, &applied);
	if (extra) {
		unit(&s, 2, "more.yaml", extra);
		s.n = 3;
		view(&s);
		ch = (struct kk_change){ NULL, &s.units[2] };
		kk_docs_init(&old);
	} else {
		ch = replace(&s, 1, yaml, &old);
	}
	CHECK_INT(kk_delta_build(c, &ch, 1, &s.cfg, &dl), -EAGAIN);
	kk_delta_free(&dl);
	/* and the catalogue says so until it is reset */
	CHECK_INT(kk_delta_build(c, NULL, 0, &s.cfg, &dl), -EAGAIN);
	kk_delta_free(&dl);
	CHECK_INT(kk_cat_reset(c, &s.all), reset);
	kk_docs_free(&old);
	kgate_state_free(&applied);
	kk_cat_free(c);
	set_free(&s);
}

/*
 * The services wanted by other names than those applied (no slice does
 * that today, but the commit must not depend on it): merged into place,
 * the applied array still in name order.
 */
TEST(test_commit_merges_other_names)
{
	struct kgate_state applied;
	struct kk_change ch;
	struct kk_delta dl;
	struct kgate_op *ops;
	struct kk_docs old;
	struct kk_cat *c;
	struct set s;
	size_t n, i, before;

	set_init(&s, EPS0);
	c = start(&s, &applied);
	before = applied.n_svcs;
	ch = replace(&s, 1, SLICE("a-1", "a", "10.1.0.7") "---\n"
		     SLICE_B("10.2.0.1") "---\n" EPS_C("10.3.0.1"), &old);
	CHECK_INT(kk_delta_build(c, &ch, 1, &s.cfg, &dl), 0);
	CHECK_INT(kk_delta_diff(&applied, &dl, &ops, &n), 0);
	free(ops);
	CHECK_INT(dl.want.n_svcs, 1);
	CHECK_INT(kgate_set_str(&dl.want.svcs[0].name, "default/zz:80"), 0);
	CHECK_INT(kk_delta_commit(&applied, &dl), 0);
	CHECK_INT(applied.n_svcs, before);
	CHECK_STR(applied.svcs[applied.n_svcs - 1].name, "default/zz:80");
	for (i = 0; i < applied.n_svcs; i++)
		CHECK(strcmp(applied.svcs[i].name, "default/a:80"));
	for (i = 1; i < applied.n_svcs; i++)
		CHECK(strcmp(applied.svcs[i - 1].name, applied.svcs[i].name) < 0);
	kk_delta_free(&dl);
	kk_docs_free(&old);
	kgate_state_free(&applied);
	kk_cat_free(c);
	set_free(&s);
}

TEST(test_other_changes_take_the_whole_path)
{
	/* a Service changed */
	needs_full(NULL, "apiVersion: v1\nkind: Service\nmetadata: {name: d}\n"
		   "spec: {clusterIP: 10.96.0.4, ports: [{port: 80}]}\n", 0);
	/* a slice of no Service in the manifests (a note to say) */
	needs_full(SLICE("z-1", "z", "10.9.0.1") "---\n" EPS0, NULL, 0);
	/* a slice without its label */
	needs_full(EPS0 "---\napiVersion: discovery.k8s.io/v1\n"
		   "kind: EndpointSlice\nmetadata: {name: x}\n"
		   "addressType: IPv4\nendpoints: []\n", NULL, 0);
	/* a duplicate in another file */
	needs_full(NULL, SLICE("a-1", "a", "10.1.0.3"), -EINVAL);
	/* a file that does not index */
	needs_full("just: a map\n", NULL, -EINVAL);
}

TEST(test_message_takes_the_whole_path)
{
	/* an IPv6 endpoint of an IPv4 Service: noted, so the whole set says */
	needs_full("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
		   "metadata: {name: a-1, labels: "
		   "{kubernetes.io/service-name: a}}\n"
		   "addressType: IPv6\nports: [{port: 8080}]\n"
		   "endpoints: [{addresses: [\"fd00::1\"]}]\n---\n"
		   SLICE_B("10.2.0.1") "---\n" EPS_C("10.3.0.1"), NULL, 0);
}

TEST(test_node_same)
{
	struct kk_docs a, b, c, e;

	kk_docs_init(&a);
	kk_docs_init(&b);
	kk_docs_init(&c);
	kk_docs_init(&e);
	CHECK_INT(load(&a, "a", "x: [1, {y: z}]\n"), 0);
	/* other positions, another file, JSON: the same tree */
	CHECK_INT(load(&b, "b", "\n\n{\"x\": [1, {\"y\": \"z\"}]}"), 0);
	CHECK_INT(load(&c, "c", "x: [1, {y: w}]\n"), 0);
	CHECK_INT(load(&e, "e", "x: [1, {y: z}, 2]\n"), 0);
	CHECK(kk_node_same(a.v[0].root, b.v[0].root));
	CHECK(!kk_node_same(a.v[0].root, c.v[0].root));
	CHECK(!kk_node_same(a.v[0].root, e.v[0].root));
	kk_docs_free(&a);
	kk_docs_free(&b);
	kk_docs_free(&c);
	kk_docs_free(&e);
}

/* One document of @yaml for eps.yaml, numbered @index, in @part. */
static struct kk_doc part_doc(struct kk_docs *part, const char *yaml,
			      unsigned int index)
{
	struct kk_diag d;

	kk_diag_init(&d);
	kk_docs_init(part);
	CHECK_INT(kk_load_text_at(part, "eps.yaml", yaml, strlen(yaml), 0,
				  index, &d), 0);
	kk_diag_free(&d);
	CHECK_INT(part->n, 1);
	return part->v[0];
}

/* eps.yaml now the view @v of @n documents; the change from its last. */
static void step(struct set *s, struct kk_cat *c, struct kgate_state *applied,
		 const struct kk_doc *v, size_t n, const char *svcs,
		 size_t want_ops)
{
	struct kgate_state full;
	struct kk_docs was = s->units[1];
	struct kk_change ch = { &was, &s->units[1] };
	struct kgate_op *ops;
	struct kk_delta dl;
	size_t i, k;
	char got[256] = "";

	kk_docs_init(&s->units[1]);
	for (i = 0; i < n; i++)
		CHECK_INT(kk_docs_add(&s->units[1], v[i].root, v[i].file,
				      v[i].index), 0);
	view(s);
	CHECK_INT(kk_delta_build(c, &ch, 1, &s->cfg, &dl), 0);
	for (i = 0; i < dl.n_svcs; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? ", " : "", dl.svcs[i]);
	CHECK_STR(got, svcs);
	CHECK_INT(kk_delta_diff(applied, &dl, &ops, &k), 0);
	CHECK_INT(k, want_ops);
	free(ops);
	CHECK_INT(kk_delta_commit(applied, &dl), 0);
	kk_delta_free(&dl);
	translate_all(s, &full);
	CHECK_INT(ops_between(applied, &full), 0);
	CHECK_INT(ops_between(&full, applied), 0);
	kgate_state_free(&full);
	if (was.arena)
		s->units[2] = was;	/* its nodes live on: freed last */
	else
		kk_docs_free(&was);
}

/*
 * A file read again keeps the documents of its parts that did not
 * change (source.c): a change then holds the very nodes on both sides.
 * Only the others are looked at, and the catalogue still follows all:
 * a later change of a kept document, and one that moves kept documents
 * to other numbers, give what the whole path gives.
 */
TEST(test_kept_documents)
{
	struct kk_docs p, q, r;
	struct kgate_state applied;
	struct kk_doc v[4];
	struct kk_cat *c;
	struct set s;

	set_init(&s, EPS0);
	c = start(&s, &applied);
	v[0] = s.units[1].v[0];
	v[1] = part_doc(&p, SLICE_B("10.2.0.9"), 1);
	v[2] = s.units[1].v[2];
	step(&s, c, &applied, v, 3, "default/b", 2);
	/* the first slice, kept until now, changed */
	v[0] = part_doc(&q, SLICE("a-1", "a", "10.1.0.7"), 0);
	step(&s, c, &applied, v, 3, "default/a", 1);
	/* a slice before them all: the kept ones numbered again */
	v[3] = v[2];
	v[2] = v[1];
	v[1] = v[0];
	v[0] = part_doc(&r, SLICE("a-2", "a", "10.1.0.8"), 0);
	v[1].index = 1;
	v[2].index = 2;
	v[3].index = 3;
	step(&s, c, &applied, v, 4, "default/a", 1);
	kk_docs_free(&p);
	kk_docs_free(&q);
	kk_docs_free(&r);
	kgate_state_free(&applied);
	kk_cat_free(c);
	s.n = 3;
	set_free(&s);
}

int main(void)
{
	RUN(test_one_slice_one_replace);
	RUN(test_delta_equals_full);
	RUN(test_commit_merges_other_names);
	RUN(test_other_changes_take_the_whole_path);
	RUN(test_message_takes_the_whole_path);
	RUN(test_node_same);
	RUN(test_kept_documents);
	return tap_done();
}

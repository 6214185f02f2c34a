// SPDX-License-Identifier: GPL-2.0
/*
 * Which addresses kgated puts on its link, on the host: LoadBalancer IPs
 * and listener addresses inside addresses.own, each once, sorted; never a
 * ClusterIP or external IP, never one outside the ranges; prefix
 * boundaries exact for IPv4 and IPv6.  The state comes from real
 * manifests through kk_translate().
 */
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "kgated.h"
#include "tap.h"

static struct kgate_range range(const char *s)
{
	struct kgate_range r;
	char why[64];

	kgate_parse_prefix(s, &r, why, sizeof(why));
	return r;
}

static struct kgate_addr addr(const char *s)
{
	struct kgate_addr a;

	memset(&a, 0, sizeof(a));
	kgate_parse_addr(s, &a);
	return a;
}

/* "a b c": the addresses of @v as text. */
static const char *list(const struct kgd_addrs *v, char *buf, size_t len)
{
	char one[64];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < v->n; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
				      kgate_addr_str(&v->v[i], one,
						     sizeof(one)));
	return buf;
}

TEST(test_addr_in)
{
	struct kgate_range r = range("198.18.100.0/24");
	struct kgate_addr a;

	a = addr("198.18.100.7");
	CHECK(kgd_addr_in(&a, &r));
	a = addr("198.18.100.255");
	CHECK(kgd_addr_in(&a, &r));
	a = addr("198.18.101.0");
	CHECK(!kgd_addr_in(&a, &r));
	a = addr("198.18.99.255");
	CHECK(!kgd_addr_in(&a, &r));
	r = range("10.0.0.0/9");
	a = addr("10.127.255.255");
	CHECK(kgd_addr_in(&a, &r));
	a = addr("10.128.0.0");
	CHECK(!kgd_addr_in(&a, &r));
	r = range("0.0.0.0/0");
	a = addr("1.2.3.4");
	CHECK(kgd_addr_in(&a, &r));
	r = range("fd00:100::/63");
	a = addr("fd00:100:0:1::5");
	CHECK(kgd_addr_in(&a, &r));
	a = addr("fd00:100:0:2::5");
	CHECK(!kgd_addr_in(&a, &r));
	/* an IPv4 address is never inside an IPv6 range, nor the reverse */
	a = addr("198.18.100.7");
	CHECK(!kgd_addr_in(&a, &r));
	r = range("198.18.100.7/32");
	CHECK(kgd_addr_in(&a, &r));
	a = addr("198.18.100.8");
	CHECK(!kgd_addr_in(&a, &r));
}

static const char manifests[] =
	"apiVersion: v1\nkind: Service\nmetadata: {name: lb}\n"
	"spec:\n"
	"  type: LoadBalancer\n"
	"  clusterIP: 198.18.100.50\n"
	"  externalIPs: [198.18.100.60]\n"
	"  ports: [{name: a, port: 80, targetPort: 8080}, {name: b, port: 443}]\n"
	"status:\n"
	"  loadBalancer:\n"
	"    ingress: [{ip: 198.18.100.7}, {ip: 203.0.113.9},\n"
	"              {ip: 'fd00:100::7'}]\n"
	"---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: lb2}\n"
	"spec:\n"
	"  type: LoadBalancer\n"
	"  clusterIP: 10.96.0.2\n"
	"  ports: [{port: 81}]\n"
	"status:\n"
	"  loadBalancer:\n"
	"    ingress: [{ip: 198.18.100.3}, {ip: 198.18.100.7}]\n";

static int translate(const char *text, struct kgate_state *st)
{
	struct kk_config cfg;
	struct kk_docs docs;
	struct kk_diag d;
	int err;

	kk_config_init(&cfg);
	kk_docs_init(&docs);
	kk_diag_init(&d);
	err = kk_load_text(&docs, "m.yaml", text, strlen(text), &d);
	if (!err)
		err = kk_translate(&docs, &cfg, st, &d);
	if (err)
		kk_diag_print(stdout, &d);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return err;
}

TEST(test_loadbalancer_ips_inside_own)
{
	struct kgate_range own[] = { range("198.18.100.0/24"),
				     range("fd00:100::/64") };
	struct kgate_state st;
	struct kgd_addrs a;
	char buf[256];

	CHECK_INT(translate(manifests, &st), 0);
	CHECK_INT(kgd_addrs_wanted(&st, own, 2, &a), 0);
	/*
	 * each once (two ports, two Services), sorted; not the ClusterIP
	 * or the external IP inside the range, not 203.0.113.9 outside it
	 */
	CHECK_STR(list(&a, buf, sizeof(buf)),
		  "198.18.100.3 198.18.100.7 fd00:100::7");
	kgd_addrs_free(&a);
	CHECK_INT(kgd_addrs_wanted(&st, own, 1, &a), 0);
	CHECK_STR(list(&a, buf, sizeof(buf)), "198.18.100.3 198.18.100.7");
	kgd_addrs_free(&a);
	/* no ranges: nothing */
	CHECK_INT(kgd_addrs_wanted(&st, NULL, 0, &a), 0);
	CHECK_INT(a.n, 0);
	kgd_addrs_free(&a);
	kgate_state_free(&st);
}

TEST(test_listener_addresses)
{
	struct kgate_range own[] = { range("198.18.0.0/24") };
	struct kgate_listener lis[3];
	struct kgate_state st;
	struct kgd_addrs a;
	char buf[256];

	memset(lis, 0, sizeof(lis));
	kgate_state_init(&st);
	lis[0].addr = addr("198.18.0.1");	/* inside */
	lis[1].addr = addr("198.18.1.1");	/* outside */
	/* lis[2]: every address (family 0): nothing to hold */
	st.lis = lis;
	st.n_lis = 3;
	CHECK_INT(kgd_addrs_wanted(&st, own, 1, &a), 0);
	CHECK_STR(list(&a, buf, sizeof(buf)), "198.18.0.1");
	kgd_addrs_free(&a);
}

int main(void)
{
	RUN(test_addr_in);
	RUN(test_loadbalancer_ips_inside_own);
	RUN(test_listener_addresses);
	return tap_done();
}

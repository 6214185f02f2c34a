// SPDX-License-Identifier: GPL-2.0
/* libkgate parse.c / format.c: numbers, addresses, endpoints, prefixes. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kgate_format.h"
#include "kgate_parse.h"
#include "tap.h"

static char why[160];

/* Parse @s and format it back: "ADDR:PORT/proto" (or the error text). */
static const char *ep(const char *s, unsigned int flags)
{
	static char out[200];
	struct kgate_endpoint e;
	char buf[KGATE_ENDPOINT_STRLEN], proto[8];

	why[0] = '\0';
	if (kgate_parse_endpoint(s, flags, &e, why, sizeof(why))) {
		snprintf(out, sizeof(out), "error: %s", why);
		return out;
	}
	snprintf(out, sizeof(out), "%s/%s%s",
		 kgate_endpoint_str(&e.addr, e.port, buf, sizeof(buf)),
		 kgate_proto_str(e.proto, proto, sizeof(proto)),
		 e.has_proto ? "" : " (default)");
	return out;
}

static const char *pfx(const char *s)
{
	static char out[200];
	char buf[KGATE_ENDPOINT_STRLEN];
	struct kgate_range r;

	if (kgate_parse_prefix(s, &r, why, sizeof(why))) {
		snprintf(out, sizeof(out), "error: %s", why);
		return out;
	}
	snprintf(out, sizeof(out), "%s",
		 kgate_prefix_str(&r, buf, sizeof(buf)));
	return out;
}

TEST(test_uint)
{
	uint64_t v = 7;

	CHECK_INT(kgate_parse_uint("0", 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(kgate_parse_uint("65535", 65535, &v), 0);
	CHECK_INT(v, 65535);
	CHECK_INT(kgate_parse_uint("65536", 65535, &v), -ERANGE);
	CHECK_INT(kgate_parse_uint("4294967295", UINT32_MAX, &v), 0);
	CHECK_INT(v, 4294967295LL);
	CHECK_INT(kgate_parse_uint("4294967296", UINT32_MAX, &v), -ERANGE);
	CHECK_INT(kgate_parse_uint("18446744073709551615", UINT64_MAX, &v),
		  0);
	CHECK(v == UINT64_MAX);
	CHECK_INT(kgate_parse_uint("18446744073709551616", UINT64_MAX, &v),
		  -ERANGE);
	CHECK_INT(kgate_parse_uint("", 10, &v), -EINVAL);
	CHECK_INT(kgate_parse_uint("-1", 10, &v), -EINVAL);
	CHECK_INT(kgate_parse_uint("+1", 10, &v), -EINVAL);
	CHECK_INT(kgate_parse_uint(" 1", 10, &v), -EINVAL);
	CHECK_INT(kgate_parse_uint("0x10", 100, &v), -EINVAL);
	CHECK_INT(kgate_parse_uint("12a", 100, &v), -EINVAL);
}

TEST(test_addr)
{
	struct kgate_addr a;

	CHECK_INT(kgate_parse_addr("10.1.2.3", &a), 0);
	CHECK_INT(a.family, AF_INET);
	CHECK_INT(a.bytes[0], 10);
	CHECK_INT(a.bytes[3], 3);
	CHECK_INT(kgate_parse_addr("fd00::1", &a), 0);
	CHECK_INT(a.family, AF_INET6);
	CHECK_INT(a.bytes[0], 0xfd);
	CHECK_INT(a.bytes[15], 1);
	CHECK_INT(kgate_parse_addr("10.1.2", &a), -EINVAL);
	CHECK_INT(kgate_parse_addr("256.1.1.1", &a), -EINVAL);
	CHECK_INT(kgate_parse_addr("[fd00::1]", &a), -EINVAL);
	CHECK_INT(kgate_parse_addr("", &a), -EINVAL);
}

TEST(test_endpoint_good)
{
	CHECK_STR(ep("10.96.0.10:80", KGATE_EP_PROTO),
		  "10.96.0.10:80/tcp (default)");
	CHECK_STR(ep("10.96.0.10:53/udp", KGATE_EP_PROTO), "10.96.0.10:53/udp");
	CHECK_STR(ep("10.96.0.10:9/sctp", KGATE_EP_PROTO), "10.96.0.10:9/sctp");
	CHECK_STR(ep("10.96.0.10:80/tcp", KGATE_EP_PROTO), "10.96.0.10:80/tcp");
	CHECK_STR(ep("[fd00::1]:80/udp", KGATE_EP_PROTO), "[fd00::1]:80/udp");
	CHECK_STR(ep("[::]:30080/tcp", KGATE_EP_PROTO | KGATE_EP_OPT_ADDR),
		  "[::]:30080/tcp");
	CHECK_STR(ep("30080", KGATE_EP_PROTO | KGATE_EP_OPT_ADDR),
		  "0.0.0.0:30080/tcp (default)");
	CHECK_STR(ep("30080/udp", KGATE_EP_PROTO | KGATE_EP_OPT_ADDR),
		  "0.0.0.0:30080/udp");
	CHECK_STR(ep("192.168.1.1:30080", KGATE_EP_PROTO | KGATE_EP_OPT_ADDR),
		  "192.168.1.1:30080/tcp (default)");
	/* width only: port 0 is for the kernel to refuse */
	CHECK_STR(ep("10.0.0.1:0", 0), "10.0.0.1:0/tcp (default)");
	CHECK_STR(ep("10.0.0.1:65535", 0), "10.0.0.1:65535/tcp (default)");
}

/* Protocols as Kubernetes writes them (TCP, UDP, SCTP), in any case. */
TEST(test_proto_case)
{
	uint8_t proto = 0;

	CHECK_STR(ep("10.96.0.10:53/UDP", KGATE_EP_PROTO), "10.96.0.10:53/udp");
	CHECK_STR(ep("10.96.0.10:80/TCP", KGATE_EP_PROTO), "10.96.0.10:80/tcp");
	CHECK_STR(ep("[fd00::1]:9/SCTP", KGATE_EP_PROTO), "[fd00::1]:9/sctp");
	CHECK_STR(ep("30080/Udp", KGATE_EP_PROTO | KGATE_EP_OPT_ADDR),
		  "0.0.0.0:30080/udp");
	CHECK_INT(kgate_parse_proto("SCTP", &proto, why, sizeof(why)), 0);
	CHECK_INT(proto, IPPROTO_SCTP);
	CHECK_INT(kgate_parse_proto("udp", &proto, why, sizeof(why)), 0);
	CHECK_INT(proto, IPPROTO_UDP);
	CHECK_INT(kgate_parse_proto("ICMP", &proto, why, sizeof(why)),
		  -EINVAL);
	CHECK_STR(why, "unknown protocol \"ICMP\" (expected tcp, udp or sctp)");
	CHECK_INT(kgate_parse_proto("TCPX", &proto, why, sizeof(why)),
		  -EINVAL);
}

TEST(test_endpoint_bad)
{
	CHECK_STR(ep("10.0.0.1:65536", 0), "error: invalid port \"65536\"");
	CHECK_STR(ep("10.0.0.1:http", 0), "error: invalid port \"http\"");
	CHECK_STR(ep("10.0.0.1:", 0), "error: missing port");
	CHECK_STR(ep("10.0.0.1", 0), "error: missing \":PORT\"");
	CHECK_STR(ep(":80", 0), "error: missing address");
	CHECK_STR(ep("10.0.0.300:80", 0),
		  "error: invalid address \"10.0.0.300\"");
	CHECK_STR(ep("fd00::1:80", 0),
		  "error: an IPv6 address needs brackets, as in [fd00::1]:80");
	CHECK_STR(ep("[fd00::1:80", 0), "error: missing \"]\"");
	CHECK_STR(ep("[fd00::1]80", 0),
		  "error: expected \":PORT\" after \"]\"");
	CHECK_STR(ep("[10.0.0.1]:80", 0),
		  "error: invalid address \"10.0.0.1\"");
	CHECK_STR(ep("10.0.0.1:80/icmp", KGATE_EP_PROTO),
		  "error: unknown protocol \"icmp\" (expected tcp, udp or "
		  "sctp)");
	CHECK_STR(ep("10.0.0.1:80/", KGATE_EP_PROTO),
		  "error: unknown protocol \"\" (expected tcp, udp or sctp)");
	/* no protocol where none is allowed (backends) */
	CHECK_STR(ep("10.0.0.1:80/udp", 0), "error: invalid port \"80/udp\"");
	/* the port alone only where the address is optional */
	CHECK_STR(ep("30080", KGATE_EP_PROTO), "error: missing \":PORT\"");
	CHECK_STR(ep("x", KGATE_EP_PROTO | KGATE_EP_OPT_ADDR),
		  "error: invalid port \"x\"");
}

TEST(test_prefix)
{
	CHECK_STR(pfx("10.0.0.0/8"), "10.0.0.0/8");
	CHECK_STR(pfx("192.168.0.0/16"), "192.168.0.0/16");
	CHECK_STR(pfx("fd00::/8"), "fd00::/8");
	CHECK_STR(pfx("10.1.2.3"), "10.1.2.3/32");
	CHECK_STR(pfx("fd00::1"), "fd00::1/128");
	/* host bits and too long lengths are the kernel's to refuse */
	CHECK_STR(pfx("10.0.0.1/8"), "10.0.0.1/8");
	CHECK_STR(pfx("10.0.0.0/33"), "10.0.0.0/33");
	CHECK_STR(pfx("10.0.0.0/256"),
		  "error: invalid prefix length \"256\"");
	CHECK_STR(pfx("10.0.0.0/"), "error: invalid prefix length \"\"");
	CHECK_STR(pfx("10.0.0.0/x"), "error: invalid prefix length \"x\"");
	CHECK_STR(pfx("10.0.0/8"), "error: invalid address \"10.0.0\"");
	CHECK_STR(pfx("[fd00::]/8"), "error: invalid address \"[fd00::]\"");
}

TEST(test_format)
{
	struct kgate_addr a = { .family = 0 };
	char buf[KGATE_ENDPOINT_STRLEN];

	CHECK_STR(kgate_addr_str(&a, buf, sizeof(buf)), "?");
	CHECK_STR(kgate_proto_str(IPPROTO_SCTP, buf, sizeof(buf)), "sctp");
	CHECK_STR(kgate_proto_str(1, buf, sizeof(buf)), "1");
	kgate_parse_addr("::ffff:1.2.3.4", &a);
	CHECK_STR(kgate_endpoint_str(&a, 65535, buf, sizeof(buf)),
		  "[::ffff:1.2.3.4]:65535");
}

int main(void)
{
	RUN(test_uint);
	RUN(test_addr);
	RUN(test_endpoint_good);
	RUN(test_proto_case);
	RUN(test_endpoint_bad);
	RUN(test_prefix);
	RUN(test_format);
	return tap_done();
}

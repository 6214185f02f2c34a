// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/core/check.c, built for userspace with ASan and UBSan.
 * Prints TAP (tests/unit/tap.h); exit status non-zero if any test failed.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tap.h"

static void ok(int cond, const char *name)
{
	tap_result(cond, "core: %s", name);
}

/* Reference primality by a sieve, to check kg_is_prime() exhaustively. */
#define SIEVE_MAX 200000
static unsigned char composite[SIEVE_MAX + 1];

static void sieve(void)
{
	unsigned int i, j;

	composite[0] = composite[1] = 1;
	for (i = 2; i * i <= SIEVE_MAX; i++)
		if (!composite[i])
			for (j = i * i; j <= SIEVE_MAX; j += i)
				composite[j] = 1;
}

static void test_prime(void)
{
	unsigned int i, wrong = 0;

	sieve();
	for (i = 0; i <= SIEVE_MAX; i++)
		if (kg_is_prime(i) != !composite[i])
			wrong++;
	ok(wrong == 0, "kg_is_prime agrees with a sieve up to 200000");
	ok(kg_is_prime(1000003), "1000003 (KGATE_TABLE_SIZE_MAX) is prime");
	ok(kg_is_prime(65537) && !kg_is_prime(65535), "65537 prime, 65535 not");
	ok(!kg_is_prime(4294967295u), "2^32-1 is not prime");
	ok(kg_is_prime(4294967291u), "2^32-5 is prime (no overflow in d*d)");
}

static void test_name(void)
{
	const char *good = "default/web:http";

	ok(kg_name_valid(good, strlen(good)), "k8s style name is valid");
	ok(!kg_name_valid("", 0), "empty name refused");
	ok(!kg_name_valid("a b", 3), "space refused");
	ok(!kg_name_valid("a\tb", 3), "tab refused");
	ok(!kg_name_valid("a\x7f", 2), "DEL refused");
	ok(!kg_name_valid("a\xc3\xa9", 3), "non-ASCII refused");
	ok(!kg_name_valid("ab\0cd", 5), "embedded NUL refused");
}

static void test_addr(void)
{
	unsigned char v4[4] = { 10, 1, 0, 0 };
	unsigned char v6[16] = { 0xfd, 0 };
	unsigned char zero[16] = { 0 };

	ok(kg_addr_is_zero(zero, 16) && kg_addr_is_zero(zero, 4),
	   "unspecified addresses are zero");
	ok(!kg_addr_is_zero(v4, 4), "10.1.0.0 is not zero");

	ok(!kg_prefix_has_host_bits(v4, 4, 16), "10.1.0.0/16 has no host bits");
	ok(kg_prefix_has_host_bits(v4, 4, 8), "10.1.0.0/8 has host bits");
	ok(!kg_prefix_has_host_bits(v4, 4, 32), "/32 never has host bits");
	ok(!kg_prefix_has_host_bits(zero, 4, 0), "0.0.0.0/0 has no host bits");
	ok(kg_prefix_has_host_bits(v4, 4, 0), "10.1.0.0/0 has host bits");
	v4[1] = 0x80;
	ok(!kg_prefix_has_host_bits(v4, 4, 9), "10.128.0.0/9 has no host bits");
	v4[1] = 0x81;
	ok(kg_prefix_has_host_bits(v4, 4, 15) &&
	   !kg_prefix_has_host_bits(v4, 4, 16), "10.129.0.0: host bits at /15, none at /16");
	ok(!kg_prefix_has_host_bits(v6, 16, 8), "fd00::/8 has no host bits");
	v6[15] = 1;
	ok(kg_prefix_has_host_bits(v6, 16, 127) &&
	   !kg_prefix_has_host_bits(v6, 16, 128), "fd00::1: /127 yes, /128 no");
}

static void test_match(void)
{
	unsigned char net[4] = { 198, 51, 100, 0 };
	unsigned char in[4] = { 198, 51, 100, 77 };
	unsigned char out[4] = { 198, 51, 101, 1 };
	unsigned char v6net[16] = { 0xfd, 0, 0, 0x18 };
	unsigned char v6in[16] = { 0xfd, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 2 };

	ok(kg_prefix_match(in, net, 24), "198.51.100.77 in 198.51.100.0/24");
	ok(!kg_prefix_match(out, net, 24), "198.51.101.1 not in /24");
	ok(kg_prefix_match(out, net, 23), "198.51.101.1 in 198.51.100.0/23");
	ok(!kg_prefix_match(out, net, 32), "/32 matches only itself");
	ok(kg_prefix_match(out, net, 0), "/0 matches everything");
	ok(kg_prefix_match(v6in, v6net, 64), "fd00:0:18::2 in fd00:0:18::/64");
	ok(!kg_prefix_match(v6in, v6net, 128), "but not in the /128");
}

static void test_unusable(void)
{
	static const struct {
		const char *what;
		unsigned int len;
		u8 addr[16];
		const char *want;	/* a word of the reason, NULL: usable */
	} cases[] = {
		{ "IPv4 unicast", 4, { 10, 96, 0, 10 }, NULL },
		{ "IPv4 multicast", 4, { 224, 0, 0, 1 }, "multicast" },
		{ "IPv4 broadcast", 4, { 255, 255, 255, 255 }, "broadcast" },
		{ "IPv6 unicast", 16, { 0xfd, 0, [15] = 1 }, NULL },
		{ "IPv6 link-local", 16, { 0xfe, 0x80, [15] = 1 }, "link-local" },
		{ "IPv6 link-local, fe bf", 16, { 0xfe, 0xbf, [15] = 1 },
		  "link-local" },
		{ "IPv6 site-local fec0 is not link-local", 16,
		  { 0xfe, 0xc0, [15] = 1 }, NULL },
		{ "IPv6 multicast", 16, { 0xff, 0x02, [15] = 1 }, "multicast" },
		{ "IPv4-mapped", 16,
		  { [10] = 0xff, [11] = 0xff, 10, 96, 0, 10 }, "IPv4-mapped" },
		{ "almost IPv4-mapped", 16,
		  { [9] = 1, [10] = 0xff, [11] = 0xff, 10, 96, 0, 10 }, NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = kg_addr_unusable(cases[i].addr, cases[i].len);

		ok(cases[i].want ? why && strstr(why, cases[i].want) : !why,
		   cases[i].what);
	}
}

int main(void)
{
	test_prime();
	test_name();
	test_addr();
	test_match();
	test_unusable();
	return tap_done();
}

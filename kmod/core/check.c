// SPDX-License-Identifier: GPL-2.0
/*
 * Checks on configuration values that need no kernel state.  Shared by the
 * module and the userspace unit tests.
 */
#include "check.h"

/* Trial division: table sizes are at most ~10^6, so at most ~500 steps. */
bool kg_is_prime(u32 n)
{
	u32 d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; d <= n / d; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

/*
 * Names are printed by the CLI and logged: printable ASCII, no space, so
 * that one name is always one word.  @len excludes the terminating NUL.
 */
bool kg_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

bool kg_addr_is_zero(const u8 *addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (addr[i])
			return false;
	return true;
}

/* True if @addr has a bit set past the first @plen bits. */
bool kg_prefix_has_host_bits(const u8 *addr, unsigned int len,
			     unsigned int plen)
{
	unsigned int i;

	for (i = plen / 8; i < len; i++) {
		u8 mask = 0xff;

		if (i == plen / 8)
			mask = 0xff >> (plen % 8);
		if (addr[i] & mask)
			return true;
	}
	return false;
}

/* True if the first @plen bits of @addr and @prefix are equal. */
bool kg_prefix_match(const void *addr, const u8 *prefix, unsigned int plen)
{
	const u8 *a = addr;
	unsigned int i;

	for (i = 0; i < plen / 8; i++)
		if (a[i] != prefix[i])
			return false;
	if (plen % 8) {
		u8 mask = 0xff << (8 - plen % 8);

		if ((a[i] ^ prefix[i]) & mask)
			return false;
	}
	return true;
}

/*
 * Why @addr (4 or 16 bytes) cannot be a frontend or a backend, or NULL:
 * multicast (and IPv4's limited broadcast) is no one host, an IPv6
 * link-local address needs an interface a service does not name, and an
 * IPv4-mapped IPv6 address never appears on the wire: its traffic is
 * IPv4 and would miss the entry.
 */
const char *kg_addr_unusable(const u8 *addr, unsigned int len)
{
	static const u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned int i;

	if (len == 4) {
		if ((addr[0] & 0xf0) == 0xe0)
			return "multicast address";
		for (i = 0; i < 4 && addr[i] == 0xff; i++)
			;
		return i == 4 ? "broadcast address" : NULL;
	}
	if (addr[0] == 0xff)
		return "multicast address";
	if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
		return "link-local address";
	for (i = 0; i < sizeof(mapped) && addr[i] == mapped[i]; i++)
		;
	return i == sizeof(mapped) ? "IPv4-mapped IPv6 address: give the IPv4 address" : NULL;
}

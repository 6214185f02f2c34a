/* SPDX-License-Identifier: GPL-2.0 */
/* Generic netlink controller: family and multicast group ids by name. */
#ifndef KGATE_GENL_H
#define KGATE_GENL_H

#include <stdint.h>

#include <linux/netlink.h>

/*
 * Build a CTRL_CMD_GETFAMILY request for @family in @buf (at least
 * 256 bytes).
 */
struct nlmsghdr *kgate_genl_getfamily(void *buf, const char *family);
/*
 * Read the family id and the id of multicast @group (0 when absent or
 * @group is NULL) from a CTRL_CMD_NEWFAMILY reply.  -EINVAL if malformed.
 */
int kgate_genl_parse_family(const struct nlmsghdr *nlh, const char *group,
			    uint16_t *id, uint32_t *grp);

#endif

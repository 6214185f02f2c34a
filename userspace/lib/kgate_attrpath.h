/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Name an attribute of a kgate request from the byte offsets that the
 * kernel's extended ACK gives, e.g. "service.frontends[1].port".  Names
 * follow the enums of <linux/kgate.h>, lower case without prefix; list
 * entries are numbered from 0; unknown types read "attrN".
 */
#ifndef KGATE_ATTRPATH_H
#define KGATE_ATTRPATH_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/*
 * The attribute at byte @offset from the start of @req (NLMSGERR_ATTR_OFFS).
 * Returns 0, or -ENOENT when @offset is not inside an attribute of @req.
 */
int kgate_attr_path(const struct nlmsghdr *req, uint32_t offset, char *buf,
		    size_t len);

/*
 * The attribute of type @type missing from the nest at @nest_offset
 * (NLMSGERR_ATTR_MISS_NEST), or from the top level when @nest_offset is 0.
 */
int kgate_attr_missing_path(const struct nlmsghdr *req, uint32_t nest_offset,
			    uint16_t type, char *buf, size_t len);

#endif

// SPDX-License-Identifier: GPL-2.0
/* Generic netlink controller requests and replies. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "genl.h"

struct nlmsghdr *kgate_genl_getfamily(void *buf, const char *family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	return nlh;
}

/* Id of the group named @group in a CTRL_ATTR_MCAST_GROUPS nest, or 0. */
static uint32_t find_group(const struct nlattr *groups, const char *group)
{
	const struct nlattr *g, *a;

	mnl_attr_for_each_nested(g, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, g) {
			switch (mnl_attr_get_type(a)) {
			case CTRL_ATTR_MCAST_GRP_NAME:
				if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
					name = mnl_attr_get_str(a);
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (!mnl_attr_validate(a, MNL_TYPE_U32))
					id = mnl_attr_get_u32(a);
				break;
			}
		}
		if (name && !strcmp(name, group))
			return id;
	}
	return 0;
}

int kgate_genl_parse_family(const struct nlmsghdr *nlh, const char *group,
			    uint16_t *id, uint32_t *grp)
{
	const struct nlattr *a;
	bool have_id = false;

	*grp = 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16))
				return -EINVAL;
			*id = mnl_attr_get_u16(a);
			have_id = true;
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (group)
				*grp = find_group(a, group);
			break;
		}
	}
	return have_id ? 0 : -EINVAL;
}

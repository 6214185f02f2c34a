// SPDX-License-Identifier: GPL-2.0
/* NLMSG_ERROR / NLMSG_DONE with extended ACK attributes to kgate_err. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/kgate.h>

#include "ack.h"
#include "kgate_attrpath.h"

struct tlvs {
	const struct nlattr *msg, *offs, *miss_type, *miss_nest, *cookie;
};

static int tlv_cb(const struct nlattr *a, void *data)
{
	struct tlvs *t = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			t->msg = a;
		break;
	case NLMSGERR_ATTR_OFFS:
		if (!mnl_attr_validate(a, MNL_TYPE_U32))
			t->offs = a;
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (!mnl_attr_validate(a, MNL_TYPE_U32))
			t->miss_type = a;
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (!mnl_attr_validate(a, MNL_TYPE_U32))
			t->miss_nest = a;
		break;
	case NLMSGERR_ATTR_COOKIE:	/* kgate's is a kgate_commit_ref */
		if (mnl_attr_get_payload_len(a) ==
		    sizeof(struct kgate_commit_ref))
			t->cookie = a;
		break;
	}
	return MNL_CB_OK;
}

/*
 * Status carried by the message into *@status, and the offset of the TLVs
 * in the payload (0: none).  Returns false for a truncated message.
 */
static bool status_of(const struct nlmsghdr *nlh, int *status,
		      size_t *tlv_off)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	const struct nlmsgerr *me = mnl_nlmsg_get_payload(nlh);
	size_t off;

	*tlv_off = 0;
	if (plen < sizeof(int))
		return false;
	memcpy(status, me, sizeof(*status));
	if (*status > 0)
		*status = -*status;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = MNL_ALIGN(sizeof(int));
	} else {
		if (plen < sizeof(*me))
			return false;
		off = sizeof(*me);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    me->msg.nlmsg_len > sizeof(struct nlmsghdr))
			off += MNL_ALIGN(me->msg.nlmsg_len -
					 sizeof(struct nlmsghdr));
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < plen)
		*tlv_off = off;
	return true;
}

int kgate_parse_ack(const struct nlmsghdr *nlh, const struct nlmsghdr *req,
		    struct kgate_err *e)
{
	struct tlvs t = { 0 };
	size_t tlv_off;
	int status;

	if (!status_of(nlh, &status, &tlv_off))
		return kgate_err_set(e, EBADMSG, "truncated acknowledgement");
	if (tlv_off)
		mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(nlh)
				       + tlv_off,
				       mnl_nlmsg_get_payload_len(nlh) - tlv_off,
				       tlv_cb, &t);
	if (!status) {		/* success, perhaps with a warning */
		if (t.msg)
			snprintf(e->msg, sizeof(e->msg), "%s",
				 mnl_attr_get_str(t.msg));
		return 0;
	}
	kgate_err_clear(e);
	e->err = -status;
	e->kernel = true;
	e->seq = nlh->nlmsg_seq;
	if (t.msg)
		snprintf(e->msg, sizeof(e->msg), "%s", mnl_attr_get_str(t.msg));
	if (t.cookie) {
		struct kgate_commit_ref ref;

		memcpy(&ref, mnl_attr_get_payload(t.cookie), sizeof(ref));
		e->has_ref = true;
		e->ref_pos = ref.pos;
		e->ref_seq = ref.seq;
	}
	if (req && t.offs)
		kgate_attr_path(req, mnl_attr_get_u32(t.offs), e->path,
				sizeof(e->path));
	if (req && t.miss_type) {
		uint32_t nest = t.miss_nest ? mnl_attr_get_u32(t.miss_nest) : 0;

		kgate_attr_missing_path(req, nest,
					(uint16_t)mnl_attr_get_u32(t.miss_type),
					e->path, sizeof(e->path));
		if (!e->msg[0])
			snprintf(e->msg, sizeof(e->msg), "missing attribute");
	}
	return status;
}

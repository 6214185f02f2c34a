// SPDX-License-Identifier: GPL-2.0
/* libkgate attrpath.c, ack.c, err.c: naming attributes from extack. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <linux/kgate.h>

#include "ack.h"
#include "kgate_attrpath.h"
#include "kgate_msg.h"
#include "kgate_parse.h"
#include "tap.h"

static uint32_t reqbuf[4096], ackbuf[4096];
static struct nlmsghdr *req;
static char path[128];

static const struct nlattr *child(const struct nlattr *nest, uint16_t type,
				  int index)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type && index-- == 0)
			return a;
	return NULL;
}

static uint32_t off(const void *a)
{
	return (uint32_t)((const char *)a - (const char *)req);
}

/* A request with two frontends, one backend and a range. */
static void build(void)
{
	struct kgate_service svc;
	struct kgate_frontend fe = { .proto = IPPROTO_TCP };
	struct kgate_backend be;
	struct kgate_range r;

	kgate_service_init(&svc);
	kgate_service_set_name(&svc, "web");
	svc.has = KGATE_SVC_HAS_SCHED;
	kgate_parse_addr("10.0.0.1", &fe.addr);
	fe.port = 80;
	kgate_service_add_frontend(&svc, &fe);
	fe.port = 0;
	kgate_service_add_frontend(&svc, &fe);
	kgate_backend_init(&be);
	kgate_parse_addr("10.1.0.1", &be.addr);
	be.port = 8080;
	be.has = KGATE_BE_HAS_WEIGHT;
	kgate_service_add_backend(&svc, &be);
	kgate_parse_prefix("10.0.0.0/8", &r, NULL, 0);
	kgate_service_add_range(&svc, &r);
	req = kgate_msg_start(reqbuf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 5);
	kgate_put_service(req, sizeof(reqbuf), &svc);
	kgate_service_free(&svc);
}

static const char *name_at(uint32_t offset)
{
	if (kgate_attr_path(req, offset, path, sizeof(path)))
		return "ENOENT";
	return path;
}

TEST(test_paths)
{
	const struct nlattr *s, *fes, *fe1, *bes, *be0, *rs;

	build();
	s = kgate_msg_attr(req, KGATE_A_SERVICE);
	fes = child(s, KGATE_SVC_A_FRONTENDS, 0);
	fe1 = child(fes, KGATE_A_LIST_ITEM, 1);
	bes = child(s, KGATE_SVC_A_BACKENDS, 0);
	be0 = child(bes, KGATE_A_LIST_ITEM, 0);
	rs = child(s, KGATE_SVC_A_SOURCE_RANGES, 0);
	CHECK(s && fes && fe1 && bes && be0 && rs);
	if (!(s && fes && fe1 && bes && be0 && rs))
		return;

	CHECK_STR(name_at(off(s)), "service");
	CHECK_STR(name_at(off(child(s, KGATE_SVC_A_NAME, 0))), "service.name");
	CHECK_STR(name_at(off(child(s, KGATE_SVC_A_NAME, 0)) + 5),
		  "service.name");
	CHECK_STR(name_at(off(child(s, KGATE_SVC_A_SCHED, 0))),
		  "service.sched");
	CHECK_STR(name_at(off(fes)), "service.frontends");
	CHECK_STR(name_at(off(fe1)), "service.frontends[1]");
	CHECK_STR(name_at(off(child(fe1, KGATE_FE_A_PORT, 0))),
		  "service.frontends[1].port");
	CHECK_STR(name_at(off(child(fe1, KGATE_FE_A_ADDR, 0)) + 4),
		  "service.frontends[1].addr");
	CHECK_STR(name_at(off(child(child(fes, KGATE_A_LIST_ITEM, 0),
				    KGATE_FE_A_KIND, 0))),
		  "service.frontends[0].kind");
	CHECK_STR(name_at(off(child(be0, KGATE_BE_A_WEIGHT, 0))),
		  "service.backends[0].weight");
	CHECK_STR(name_at(off(child(child(rs, KGATE_A_LIST_ITEM, 0),
				    KGATE_RANGE_A_PLEN, 0))),
		  "service.source_ranges[0].plen");
	/* outside any attribute */
	CHECK_STR(name_at(4), "ENOENT");
	CHECK_STR(name_at(KGATE_MSG_HDRLEN - 1), "ENOENT");
	CHECK_STR(name_at(req->nlmsg_len), "ENOENT");
}

TEST(test_unknown_type)
{
	struct nlattr *n;

	req = kgate_msg_start(reqbuf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 5);
	n = mnl_attr_nest_start(req, KGATE_A_SERVICE);
	mnl_attr_put_u32(req, 200, 1);
	mnl_attr_nest_end(req, n);
	mnl_attr_put_u32(req, 99, 1);
	CHECK_STR(name_at(off(n) + 4), "service.attr200");
	CHECK_STR(name_at(off(n) + 12), "attr99");
}

TEST(test_missing)
{
	const struct nlattr *s, *fe1;

	build();
	s = kgate_msg_attr(req, KGATE_A_SERVICE);
	fe1 = child(child(s, KGATE_SVC_A_FRONTENDS, 0), KGATE_A_LIST_ITEM, 1);
	CHECK_INT(kgate_attr_missing_path(req, 0, KGATE_A_SERVICE, path,
					  sizeof(path)), 0);
	CHECK_STR(path, "service");
	kgate_attr_missing_path(req, off(s), KGATE_SVC_A_FRONTENDS, path,
				sizeof(path));
	CHECK_STR(path, "service.frontends");
	kgate_attr_missing_path(req, off(fe1), KGATE_FE_A_PORT, path,
				sizeof(path));
	CHECK_STR(path, "service.frontends[1].port");
	CHECK_INT(kgate_attr_missing_path(req, 2, 1, path, sizeof(path)),
		  -ENOENT);
}

/* An NLMSG_ERROR for @req as the kernel builds it. */
static struct nlmsghdr *nack(int error, bool capped, const char *text,
			     int64_t offs, int64_t miss_type,
			     int64_t miss_nest)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ackbuf);
	struct nlmsgerr *me;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	me = mnl_nlmsg_put_extra_header(nlh, sizeof(*me));
	me->error = error;
	me->msg = *req;
	if (!capped) {
		size_t plen = req->nlmsg_len - sizeof(*req);

		memcpy(mnl_nlmsg_put_extra_header(nlh, plen), req + 1, plen);
	}
	if (text)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, (uint32_t)offs);
	if (miss_type >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE,
				 (uint32_t)miss_type);
	if (miss_nest >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST,
				 (uint32_t)miss_nest);
	return nlh;
}

TEST(test_ack_extack)
{
	const struct nlattr *s, *fe1, *port;
	struct kgate_err e;
	char line[300];

	build();
	s = kgate_msg_attr(req, KGATE_A_SERVICE);
	fe1 = child(child(s, KGATE_SVC_A_FRONTENDS, 0), KGATE_A_LIST_ITEM, 1);
	port = child(fe1, KGATE_FE_A_PORT, 0);

	CHECK_INT(kgate_parse_ack(nack(-ERANGE, true, "integer out of range",
				       off(port), -1, -1), req, &e), -ERANGE);
	CHECK_INT(e.err, ERANGE);
	CHECK(e.kernel);
	CHECK_INT(e.seq, 5);
	CHECK_STR(e.msg, "integer out of range");
	CHECK_STR(e.path, "service.frontends[1].port");
	CHECK_STR(kgate_err_str(&e, line, sizeof(line)),
		  "service.frontends[1].port: integer out of range (ERANGE)");

	/* not capped: the request is echoed before the TLVs */
	CHECK_INT(kgate_parse_ack(nack(-ERANGE, false, "integer out of range",
				       off(port), -1, -1), req, &e), -ERANGE);
	CHECK_STR(e.path, "service.frontends[1].port");
	CHECK_STR(e.msg, "integer out of range");

	/* missing attribute without a message */
	CHECK_INT(kgate_parse_ack(nack(-EINVAL, true, NULL, -1, KGATE_FE_A_ADDR,
				       off(fe1)), req, &e), -EINVAL);
	CHECK_STR(kgate_err_str(&e, line, sizeof(line)),
		  "service.frontends[1].addr: missing attribute (EINVAL)");

	/* no extack at all: strerror */
	CHECK_INT(kgate_parse_ack(nack(-EEXIST, true, NULL, -1, -1, -1), req,
				  &e), -EEXIST);
	CHECK_STR(kgate_err_str(&e, line, sizeof(line)),
		  "File exists (EEXIST)");

	/* message only */
	kgate_parse_ack(nack(-EEXIST, true, "service \"web\" exists", -1, -1,
			     -1), req, &e);
	CHECK_STR(kgate_err_str(&e, line, sizeof(line)),
		  "service \"web\" exists (EEXIST)");

	/* success, and success with a warning */
	kgate_err_clear(&e);
	CHECK_INT(kgate_parse_ack(nack(0, true, NULL, -1, -1, -1), req, &e), 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(kgate_parse_ack(nack(0, true, "deprecated", -1, -1, -1), req,
				  &e), 0);
	CHECK_INT(e.err, 0);
	CHECK_STR(e.msg, "deprecated");
}

/* A failed BATCH_COMMIT names the message to blame in the cookie. */
TEST(test_ack_cookie)
{
	const struct kgate_commit_ref ref = { .pos = 3, .seq = 70001 };
	const uint8_t odd[12] = { 3, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0 };
	struct nlmsghdr *nlh;
	struct kgate_err e;

	build();
	nlh = nack(-EEXIST, true, "cmd 3 seq 70001: exists: service web",
		   -1, -1, -1);
	mnl_attr_put(nlh, NLMSGERR_ATTR_COOKIE, sizeof(ref), &ref);
	CHECK_INT(kgate_parse_ack(nlh, req, &e), -EEXIST);
	CHECK(e.has_ref);
	CHECK_INT(e.ref_pos, 3);
	CHECK_INT(e.ref_seq, 70001);
	CHECK_INT(e.seq, 5);
	CHECK_STR(e.msg, "cmd 3 seq 70001: exists: service web");
	CHECK_INT(kgate_err_ref_prefix(&e), strlen("cmd 3 seq 70001: "));

	/* not capped, and the cookie before the message */
	nlh = nack(-ECANCELED, false, NULL, -1, -1, -1);
	mnl_attr_put(nlh, NLMSGERR_ATTR_COOKIE, sizeof(ref), &ref);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "batch aborted");
	CHECK_INT(kgate_parse_ack(nlh, req, &e), -ECANCELED);
	CHECK(e.has_ref);
	CHECK_INT(e.ref_pos, 3);
	CHECK_INT(e.ref_seq, 70001);
	CHECK_STR(e.msg, "batch aborted");

	/* a cookie of another length is not kgate's: ignored */
	nlh = nack(-EEXIST, true, "exists", -1, -1, -1);
	mnl_attr_put(nlh, NLMSGERR_ATTR_COOKIE, sizeof(odd), odd);
	CHECK_INT(kgate_parse_ack(nlh, req, &e), -EEXIST);
	CHECK(!e.has_ref);
	CHECK_INT(e.ref_pos, 0);
	CHECK_INT(e.ref_seq, 0);
	CHECK_STR(e.msg, "exists");
	nlh = nack(-EEXIST, true, "exists", -1, -1, -1);
	mnl_attr_put(nlh, NLMSGERR_ATTR_COOKIE, 4, odd);
	CHECK_INT(kgate_parse_ack(nlh, req, &e), -EEXIST);
	CHECK(!e.has_ref);

	/* none: no reference, whatever the message says */
	e.has_ref = true;
	CHECK_INT(kgate_parse_ack(nack(-EEXIST, true, "cmd 3 seq 7: exists",
				       -1, -1, -1), req, &e), -EEXIST);
	CHECK(!e.has_ref);
	CHECK_INT(kgate_err_ref_prefix(&e), 0);
}

TEST(test_done_with_error)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ackbuf);
	int *status = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	struct kgate_err e;

	build();
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	*status = -EMSGSIZE;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "service too large");
	CHECK_INT(kgate_parse_ack(nlh, req, &e), -EMSGSIZE);
	CHECK_STR(e.msg, "service too large");
	*status = 0;
	CHECK_INT(kgate_parse_ack(nlh, req, &e), 0);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;	/* truncated */
	CHECK_INT(kgate_parse_ack(nlh, req, &e), -EBADMSG);
}

TEST(test_errno_names)
{
	char buf[32];
	struct kgate_err e;

	CHECK_STR(kgate_errno_name(EAFNOSUPPORT, buf, sizeof(buf)),
		  "EAFNOSUPPORT");
	CHECK_STR(kgate_errno_name(ECANCELED, buf, sizeof(buf)), "ECANCELED");
	CHECK_STR(kgate_errno_name(9999, buf, sizeof(buf)), "E9999");
	CHECK_INT(kgate_err_set(&e, ENOENT, "no %s", "thing"), -ENOENT);
	CHECK(!e.kernel);
	CHECK_STR(kgate_err_str(&e, buf, sizeof(buf)), "no thing (ENOENT)");
}

int main(void)
{
	RUN(test_paths);
	RUN(test_unknown_type);
	RUN(test_missing);
	RUN(test_ack_extack);
	RUN(test_ack_cookie);
	RUN(test_done_with_error);
	RUN(test_errno_names);
	return tap_done();
}

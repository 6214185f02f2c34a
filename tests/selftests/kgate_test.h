/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgate_test: a small raw generic netlink client for the kgate selftests.
 *
 * Messages are built attribute by attribute with libmnl so that a test can
 * send anything, including malformed attributes (struct kt_ovr).  Every
 * request carries NLM_F_ACK; the answer is returned as a struct kt_err with
 * the errno and the extended ACK (message, offset, missing type, cookie).
 *
 * This file must not include kselftest_harness.h: the harness defines
 * global objects and may be included by one translation unit only.
 */
#ifndef KGATE_TEST_H
#define KGATE_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include <linux/kgate.h>

/* Value of an int field of struct kt_svc / kt_fe / kt_be: not sent. */
#define KT_UNSET	(-1LL)

/* Big enough for a service with KGATE_BACKENDS_MAX backends. */
#define KT_MSG_MAX	(1u << 20)

struct kt_sock {
	struct mnl_socket *nl;
	uint16_t family;	/* genl family id of "kgate" */
	uint32_t events_grp;	/* multicast group id of "events" */
	uint32_t portid;
	uint32_t seq;
	char *rbuf;		/* receive buffer */
	size_t rbuf_len;
	size_t ev_off, ev_len;	/* events not yet returned, in rbuf */
	/*
	 * Mutating commands sent since the last BATCH_BEGIN, refused ones
	 * included: what kt_cmd(BATCH_COMMIT) sends as KGATE_A_BATCH_COUNT.
	 */
	uint32_t batch_sent;
};

/* The answer to one request. */
struct kt_err {
	int err;		/* 0 or a positive errno */
	char msg[512];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_miss_nest;
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST */
	/*
	 * NLMSGERR_ATTR_COOKIE: its length (0: none) and, if that is
	 * sizeof(ref), what it says (BATCH_COMMIT: the message to blame).
	 */
	uint32_t cookie_len;
	struct kgate_commit_ref ref;
	bool dump_intr;		/* a dump message had NLM_F_DUMP_INTR */
};

/* A frontend, backend or source range as a test writes it.  Addresses are
 * text (inet_pton); int fields equal to KT_UNSET are not sent.
 */
struct kt_fe {
	const char *addr;
	long long port;
	long long proto;
	long long kind;
};

struct kt_be {
	const char *addr;
	long long port;
	long long weight;
	long long state;
	long long flags;
};

struct kt_range {
	const char *addr;
	long long plen;
};

#define KT_FE(a, p)		{ (a), (p), KT_UNSET, KT_UNSET }
#define KT_FE_FULL(a, p, pr, k)	{ (a), (p), (pr), (k) }
#define KT_BE(a, p)		{ (a), (p), KT_UNSET, KT_UNSET, KT_UNSET }
#define KT_BE_FULL(a, p, w, s, f) { (a), (p), (w), (s), (f) }
#define KT_RANGE(a, l)		{ (a), (l) }

/* A service as a test sends it.  A list is sent when its count is > 0. */
struct kt_svc {
	const char *name;		/* NULL: not sent */
	const char *owner;		/* NULL: not sent */
	long long sched;
	long long table_size;
	long long affinity;
	long long timeout;
	long long ext_policy;
	long long int_policy;
	const struct kt_fe *fe;
	int n_fe;
	const struct kt_be *be;
	int n_be;
	const struct kt_range *rng;
	int n_rng;
};

/* Every option unset, no lists. */
void kt_svc_init(struct kt_svc *svc, const char *name);

/*
 * Overrides let a test break one attribute of a message built from a
 * struct kt_svc.  An override applies to the attribute `type` of the nest
 * `where` (for the list items: of item number `index`, 0-based).  If the
 * builder writes that attribute, the override replaces it; otherwise the
 * override is appended at the end of that nest (new or unknown attributes).
 */
enum kt_where {
	KT_W_TOP,		/* top level (enum kgate_attr) */
	KT_W_SVC,		/* KGATE_A_SERVICE nest */
	KT_W_FE,		/* a frontend item */
	KT_W_BE,		/* a backend item */
	KT_W_RANGE,		/* a source range item */
	KT_W_FE_LIST,		/* the KGATE_SVC_A_FRONTENDS nest: type is the item type */
	KT_W_BE_LIST,
	KT_W_RANGE_LIST,
	KT_W_NODE,		/* KGATE_A_NODE nest (enum kgate_node_attr) */
};

enum kt_how {
	KT_OMIT,		/* leave the attribute out */
	KT_INT,			/* `len` bytes (1, 2, 4, 8) of integer `val` */
	KT_BYTES,		/* `len` bytes of `bytes` */
	KT_STR,			/* string `bytes` with its NUL */
	KT_STR_NONUL,		/* string `bytes` without NUL */
	KT_EMPTY_NEST,		/* a nest with nothing in it */
	KT_RETYPE,		/* (lists) write the item with type `val` */
};

struct kt_ovr {
	enum kt_where where;
	uint16_t type;
	enum kt_how how;
	int index;
	uint16_t len;
	uint64_t val;
	const char *bytes;
};

/* A message being built. */
struct kt_msg {
	char *buf;
	size_t cap;
	struct nlmsghdr *nlh;
	/* Offset (from nlh) of the first override written, 0 if none. */
	uint32_t ovr_offs;
};

/* Sockets.  Return 0 or a negative errno. */
int kt_open(struct kt_sock *s);
/* As kt_open(), bound to port id @portid (0: chosen by the kernel). */
int kt_open_pid(struct kt_sock *s, uint32_t portid);
void kt_close(struct kt_sock *s);
/* Join the "events" multicast group on this socket. */
int kt_subscribe(struct kt_sock *s);

/* Start a message (NLM_F_REQUEST | NLM_F_ACK | extra_flags) with its own
 * sequence number.  Returns 0 or -ENOMEM.
 */
int kt_msg_init(struct kt_msg *m, struct kt_sock *s, uint8_t cmd,
		uint16_t extra_flags);
/* Start a new message in the buffer of m (already initialised). */
void kt_msg_reset(struct kt_msg *m, struct kt_sock *s, uint8_t cmd,
		  uint16_t extra_flags);
void kt_msg_free(struct kt_msg *m);

/* Append a KGATE_A_SERVICE nest built from svc with overrides applied. */
void kt_msg_put_svc(struct kt_msg *m, const struct kt_svc *svc,
		    const struct kt_ovr *ovr, int n_ovr);

/* Send one message and wait for its answer.  For each reply message of the
 * family (GET, dump) cb is called.  Returns e->err (0 or a positive errno);
 * a local failure (socket) is reported as its errno with msg "local: ...".
 */
typedef int (*kt_cb)(const struct nlmsghdr *nlh, void *data);
int kt_send(struct kt_sock *s, struct kt_msg *m, struct kt_err *e,
	    kt_cb cb, void *data);

/* Build and send one command about svc.  e may be NULL. */
int kt_svc_cmd(struct kt_sock *s, uint8_t cmd, const struct kt_svc *svc,
	       const struct kt_ovr *ovr, int n_ovr, struct kt_err *e);
/*
 * A command without attributes (FLUSH, BATCH_*, STATS_GET without cb),
 * but BATCH_COMMIT, which carries KGATE_A_BATCH_COUNT = s->batch_sent.
 */
int kt_cmd(struct kt_sock *s, uint8_t cmd, struct kt_err *e);
/* The commands a batch stages, which KGATE_A_BATCH_COUNT counts. */
bool kt_cmd_mutates(uint8_t cmd);
/* SERVICE_DEL by name. */
int kt_del(struct kt_sock *s, const char *name, struct kt_err *e);

/* A service as the kernel reports it. */
struct kt_svc_info {
	char name[KGATE_NAME_MAX];
	bool has_owner;
	char owner[KGATE_OWNER_MAX + 2];	/* as sent back, NUL included */
	bool has_sched, has_table_size, has_affinity, has_timeout;
	bool has_ext_policy, has_int_policy;
	uint8_t sched, affinity, ext_policy, int_policy;
	uint32_t table_size, timeout;
	int n_unknown;			/* attributes other than the above,
					 * lists, counters and pad
					 */
	int n_fe, n_be, n_rng;
	struct kt_fe_info {
		uint8_t addr[16];
		int alen;
		bool has_port, has_proto, has_kind;
		uint16_t port;
		uint8_t proto, kind;
	} *fe;
	struct kt_be_info {
		uint8_t addr[16];
		int alen;
		bool has_port, has_weight, has_state, has_flags;
		uint16_t port;
		uint32_t weight;
		uint8_t state;
		uint32_t flags;
	} *be;
	struct kt_rng_info {
		uint8_t addr[16];
		int alen;
		bool has_plen;
		uint8_t plen;
	} *rng;
};

/* Parse the KGATE_A_SERVICE nest of a message.  0 or -EINVAL. */
int kt_parse_svc(const struct nlmsghdr *nlh, struct kt_svc_info *info);
void kt_svc_info_free(struct kt_svc_info *info);

/* SERVICE_GET by name.  Returns 0 or a positive errno. */
int kt_get(struct kt_sock *s, const char *name, struct kt_svc_info *info,
	   struct kt_err *e);

/*
 * Compare what the kernel reports with what was sent, the defaults of the
 * ABI filled in for what was not sent.  Lists are compared as sets.
 * Returns 0 if equal, else -1 and a reason in why.
 */
int kt_svc_expect(const struct kt_svc *sent, const struct kt_svc_info *got,
		  char *why, size_t whylen);

/*
 * Dump the namespace: canon receives the attribute payloads of every dump
 * message, each prefixed by its length, sorted by service name (stable), so
 * that equal configurations give equal bytes.  n receives the number of
 * services.  Returns 0 or a positive errno.  Free *canon with free().
 */
/* A dump of the one service @name (NULL: all), as kt_dump(). */
int kt_dump_name(struct kt_sock *s, const char *name, char **canon,
		 size_t *len, int *n, struct kt_err *e);
int kt_dump(struct kt_sock *s, char **canon, size_t *len, int *n,
	    struct kt_err *e);
/* Dump and compare to a previous canon; 1 if equal, 0 if not, <0 error. */
int kt_dump_equals(struct kt_sock *s, const char *canon, size_t len);

struct kt_stats {
	uint32_t services, frontends, backends;
	uint32_t max_services, max_backends;
	uint64_t commits, generation;
	uint32_t batches_open;
	uint8_t nat_hooks;
	uint64_t flow_walks;
	uint32_t affinity_clients;
	uint64_t affinity_dropped;
	uint32_t max_affinity;
	uint32_t listeners, routes, upstream_idle;
	uint64_t upstream_no_room;
	bool has[KGATE_STATS_A_MAX + 1];
};
int kt_stats(struct kt_sock *s, struct kt_stats *st, struct kt_err *e);

/*
 * The node's settings (NODE_SET / NODE_GET).  kt_msg_put_node() appends a
 * KGATE_A_NODE nest with the local ranges @rng (none: the nest is empty),
 * overrides applied as for services (KT_W_NODE: the node nest; KT_W_RANGE
 * and KT_W_RANGE_LIST: its ranges).
 */
void kt_msg_put_node(struct kt_msg *m, const struct kt_range *rng, int n,
		     const struct kt_ovr *ovr, int n_ovr);
/* NODE_SET of @rng.  Returns 0 or a positive errno. */
int kt_node_set(struct kt_sock *s, const struct kt_range *rng, int n,
		struct kt_err *e);

struct kt_node_info {
	bool has_node;			/* the reply had KGATE_A_NODE */
	int n_unknown;			/* other attributes in the nest */
	int n_rng;
	struct kt_rng_info rng[KGATE_RANGES_MAX + 1];
};
/* NODE_GET.  Returns 0 or a positive errno. */
int kt_node_get(struct kt_sock *s, struct kt_node_info *info,
		struct kt_err *e);
/* The node's ranges are @rng (as a set): 0, else -1 and why. */
int kt_node_expect(const struct kt_range *rng, int n,
		   const struct kt_node_info *got, char *why, size_t whylen);

/* One event from the "events" group. */
struct kt_event {
	uint8_t cmd;
	char name[KGATE_NAME_MAX];	/* service events */
	bool has_generation;
	uint64_t generation;
	struct kt_svc_info *svc;	/* service events: the service, or NULL */
};
/* Wait up to timeout_ms for the next event.  0, -ETIMEDOUT or -errno. */
int kt_event_next(struct kt_sock *s, int timeout_ms, struct kt_event *ev);
void kt_event_free(struct kt_event *ev);

/*
 * Pipelined sending: messages are queued into one buffer and sent with one
 * sendmsg per chunk; the acks are collected after each chunk.  Counts the
 * refused messages and keeps the first refusal.
 */
struct kt_pipe {
	struct kt_sock *s;
	char *buf;
	size_t len, cap;
	int queued;		/* messages in buf */
	bool no_ack;		/* send without NLM_F_ACK, wait for nothing */
	int max_queued;
	uint32_t seq_lo;	/* seq of the first queued message */
	long sent, refused;
	uint32_t first_refused_seq;
	struct kt_err first;	/* first refusal */
};
int kt_pipe_init(struct kt_pipe *p, struct kt_sock *s);
/* Queue a message (copied).  Returns 0 or a negative errno. */
int kt_pipe_add(struct kt_pipe *p, const struct kt_msg *m);
int kt_pipe_flush(struct kt_pipe *p);
void kt_pipe_free(struct kt_pipe *p);

/*
 * Add n services in one batch (BEGIN, pipelined ADDs, COMMIT): names
 * PREFIX/svc-I:80, one frontend each (198.18.0.0/15 then 2001:db8::/32),
 * n_be backends each.  With acks false the ADDs go without NLM_F_ACK (a
 * refusal then shows as the COMMIT's ECANCELED).  Returns 0 or a positive
 * errno, e the first refusal.
 */
int kt_add_many(struct kt_sock *s, long n, const char *prefix, int n_be,
		bool acks, struct kt_err *e);

/* Utilities. */
int kt_addr_parse(const char *txt, uint8_t *out);	/* length or -1 */
bool kt_msg_has_number(const char *msg, unsigned long long v);
long long kt_slab_objects(const char *substr);	/* -1 if none found */
long long kt_meminfo_kb(const char *key);

#endif /* KGATE_TEST_H */

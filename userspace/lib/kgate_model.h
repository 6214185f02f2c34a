/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgate object model: a service with its frontends, backends and
 * source ranges, as carried in a KGATE_A_SERVICE nest.
 *
 * Optional attributes are tracked with a "has" mask: an attribute is sent
 * only when its bit is set, and decoding sets the bit for every attribute
 * the kernel sent.  Values whose bit is clear hold the ABI default.
 */
#ifndef KGATE_MODEL_H
#define KGATE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kgate_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t bytes[16];	/* network byte order; 4 used for AF_INET */
};

struct kgate_frontend {
	struct kgate_addr addr;
	uint16_t port;
	uint8_t proto;		/* IPPROTO_TCP / _UDP / _SCTP */
	uint8_t kind;		/* enum kgate_frontend_kind */
};

/* Bits of kgate_backend.has */
#define KGATE_BE_HAS_WEIGHT	(1U << 0)
#define KGATE_BE_HAS_STATE	(1U << 1)
#define KGATE_BE_HAS_FLAGS	(1U << 2)
#define KGATE_BE_HAS_COUNTERS	(1U << 3)

/* Data plane counters: read only, in replies to SERVICE_GET. */
struct kgate_counters {
	uint64_t conns;
	uint64_t packets;
	uint64_t bytes;
};

struct kgate_backend {
	struct kgate_addr addr;
	uint16_t port;
	uint8_t state;		/* enum kgate_backend_state */
	uint32_t weight;
	uint32_t flags;		/* KGATE_BE_F_* */
	uint32_t has;		/* KGATE_BE_HAS_* */
	struct kgate_counters cnt;
};

struct kgate_range {
	struct kgate_addr addr;
	uint8_t plen;
};

/* Bits of kgate_service.has */
#define KGATE_SVC_HAS_SCHED		(1U << 0)
#define KGATE_SVC_HAS_TABLE_SIZE	(1U << 1)
#define KGATE_SVC_HAS_AFFINITY		(1U << 2)
#define KGATE_SVC_HAS_TIMEOUT		(1U << 3)
#define KGATE_SVC_HAS_EXT_POLICY	(1U << 4)
#define KGATE_SVC_HAS_INT_POLICY	(1U << 5)
#define KGATE_SVC_HAS_COUNTERS		(1U << 6)

struct kgate_service {
	char *name;		/* NULL: not set */
	uint8_t sched;		/* enum kgate_sched */
	uint8_t affinity;	/* enum kgate_affinity */
	uint8_t ext_policy;	/* enum kgate_policy */
	uint8_t int_policy;	/* enum kgate_policy */
	uint32_t table_size;
	uint32_t timeout;	/* affinity timeout, seconds */
	uint32_t has;		/* KGATE_SVC_HAS_* */
	struct kgate_counters cnt;
	/* Who applied it (KGATE_SVC_A_OWNER); NULL: none. */
	char *owner;

	struct kgate_frontend *frontends;
	size_t n_frontends, cap_frontends;
	struct kgate_backend *backends;
	size_t n_backends, cap_backends;
	struct kgate_range *ranges;
	size_t n_ranges, cap_ranges;
};

struct kgate_stats {
	uint32_t services, frontends, backends;
	uint32_t max_services, max_backends;
	uint64_t commits, generation;
	uint32_t batches_open;
	uint8_t nat_hooks;		/* 0 or 1 */
	uint64_t flow_walks;
	uint32_t affinity_clients;
	uint64_t affinity_dropped;
	uint32_t max_affinity;
	uint32_t listeners, routes;
	uint32_t upstream_idle;
	uint64_t upstream_no_room;
};

/* Fill with ABI defaults, no name, empty lists. */
void kgate_service_init(struct kgate_service *svc);
/* Release everything the service owns and re-initialise it. */
void kgate_service_free(struct kgate_service *svc);
void kgate_backend_init(struct kgate_backend *be);

/* All return 0 or -ENOMEM. */
int kgate_service_set_name(struct kgate_service *svc, const char *name);
/* @owner NULL clears it. */
int kgate_service_set_owner(struct kgate_service *svc, const char *owner);
int kgate_service_add_frontend(struct kgate_service *svc,
			       const struct kgate_frontend *fe);
int kgate_service_add_backend(struct kgate_service *svc,
			      const struct kgate_backend *be);
int kgate_service_add_range(struct kgate_service *svc,
			    const struct kgate_range *r);

/* Same attributes present with the same values, lists in the same order. */
bool kgate_service_equal(const struct kgate_service *a,
			 const struct kgate_service *b);
bool kgate_addr_equal(const struct kgate_addr *a, const struct kgate_addr *b);
/* Bytes used by the address: 4, 16, or 0 for an unset family. */
size_t kgate_addr_len(const struct kgate_addr *a);

#endif

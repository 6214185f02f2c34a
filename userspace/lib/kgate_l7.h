/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgate L7 object model: listeners (KGATE_A_LISTENER), routes
 * (KGATE_A_ROUTE) and access-log records (KGATE_A_ACCESS).
 *
 * As for services, optional scalars are tracked with "has" masks (sent
 * only when set; set by decoding for every attribute the kernel sent) and
 * hold the ABI default while clear.  Optional strings are NULL when not
 * set; lists are sent when not empty.  Every string is owned by the
 * object and freed with it.
 */
#ifndef KGATE_L7_H
#define KGATE_L7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kgate_model.h"

/* enum kgate_l7_counter_attr; read only, in replies to GET. */
struct kgate_l7_counters {
	uint64_t conns;
	uint32_t conns_open;
	uint64_t conns_refused;
	uint64_t requests;
	uint64_t resp[5];		/* 1xx .. 5xx */
	uint64_t bytes_in, bytes_out;
	uint64_t upstream_connects, upstream_reuses;
	uint64_t log_dropped;
};

/* Bits of kgate_limits.has, one per enum kgate_limit_attr. */
#define KGATE_LIM_HAS_HEAD_BYTES	(1U << 0)
#define KGATE_LIM_HAS_HEADERS		(1U << 1)
#define KGATE_LIM_HAS_URI_BYTES		(1U << 2)
#define KGATE_LIM_HAS_BODY_BYTES	(1U << 3)
#define KGATE_LIM_HAS_HEAD_TIMEOUT	(1U << 4)
#define KGATE_LIM_HAS_IDLE_TIMEOUT	(1U << 5)
#define KGATE_LIM_HAS_CONNECT_TIMEOUT	(1U << 6)
#define KGATE_LIM_HAS_RESPONSE_TIMEOUT	(1U << 7)

/* The ABI's defaults (the comments of enum kgate_limit_attr). */
#define KGATE_LIM_HEAD_BYTES_DEFAULT	16384
#define KGATE_LIM_HEADERS_DEFAULT	100
#define KGATE_LIM_URI_BYTES_DEFAULT	8192
#define KGATE_LIM_BODY_BYTES_DEFAULT	(1024 * 1024)
#define KGATE_LIM_HEAD_TIMEOUT_DEFAULT	60000
#define KGATE_LIM_IDLE_TIMEOUT_DEFAULT	75000
#define KGATE_LIM_CONNECT_TIMEOUT_DEFAULT 5000
#define KGATE_LIM_RESPONSE_TIMEOUT_DEFAULT 60000

struct kgate_limits {
	uint32_t head_bytes, headers, uri_bytes;
	uint64_t body_bytes;		/* 0: no limit */
	uint32_t head_timeout, idle_timeout;	/* ms */
	uint32_t connect_timeout, response_timeout;	/* ms */
	uint32_t has;			/* KGATE_LIM_HAS_* */
};

/* Bits of kgate_listener.has */
#define KGATE_LIS_HAS_MODE	(1U << 0)
#define KGATE_LIS_HAS_FLAGS	(1U << 1)
#define KGATE_LIS_HAS_MAX_CONNS	(1U << 2)
#define KGATE_LIS_HAS_LIMITS	(1U << 3)	/* the nest, even empty */
#define KGATE_LIS_HAS_COUNTERS	(1U << 4)
#define KGATE_LIS_HAS_PORT	(1U << 5)

struct kgate_listener {
	char *name;			/* NULL: not set */
	struct kgate_addr addr;		/* family 0: not set */
	uint16_t port;
	uint8_t mode;			/* enum kgate_listener_mode */
	char *default_backend;		/* NULL: none */
	char *owner;			/* who applied it; NULL: none */
	uint32_t flags;			/* KGATE_LIS_F_* */
	uint32_t max_conns;
	struct kgate_limits lim;
	uint32_t has;			/* KGATE_LIS_HAS_* */
	struct kgate_l7_counters cnt;
};

/* A header or query parameter (enum kgate_kv_attr). */
struct kgate_kv {
	char *name, *value;
};

struct kgate_kv_list {
	struct kgate_kv *v;
	size_t n;
};

struct kgate_str_list {
	char **v;
	size_t n;
};

#define KGATE_MATCH_HAS_PATH_TYPE	(1U << 0)

struct kgate_match {
	uint8_t path_type;		/* enum kgate_path_type */
	char *path;			/* NULL: not sent ("/") */
	char *method;			/* NULL: any */
	struct kgate_kv_list headers, query;
	uint32_t has;
};

/* A backendRef (enum kgate_ref_attr). */
struct kgate_ref {
	char *service;
	uint32_t weight;
	bool has_weight;
};

/* RequestHeaderModifier / ResponseHeaderModifier. */
struct kgate_hdrmod {
	struct kgate_kv_list set, add;
	struct kgate_str_list remove;
};

#define KGATE_REDIR_HAS_PORT		(1U << 0)
#define KGATE_REDIR_HAS_PATH_TYPE	(1U << 1)
#define KGATE_REDIR_HAS_STATUS		(1U << 2)

struct kgate_redirect {
	char *scheme, *hostname, *path;	/* NULL: the request's */
	uint16_t port, status;
	uint8_t path_type;		/* enum kgate_pathmod_type */
	uint32_t has;
};

#define KGATE_REWR_HAS_PATH_TYPE	(1U << 0)

struct kgate_rewrite {
	char *hostname, *path;
	uint8_t path_type;		/* enum kgate_pathmod_type */
	uint32_t has;
};

/* Bits of kgate_rule.has: the optional nests sent. */
#define KGATE_RULE_HAS_REQ_HEADERS	(1U << 0)
#define KGATE_RULE_HAS_RESP_HEADERS	(1U << 1)
#define KGATE_RULE_HAS_REDIRECT		(1U << 2)
#define KGATE_RULE_HAS_REWRITE		(1U << 3)

struct kgate_rule {
	struct kgate_match *matches;
	size_t n_matches;
	struct kgate_ref *refs;
	size_t n_refs;
	struct kgate_hdrmod req, resp;
	struct kgate_redirect redirect;
	struct kgate_rewrite rewrite;
	uint32_t has;
};

/* Bits of kgate_route.has */
#define KGATE_RT_HAS_KIND	(1U << 0)
#define KGATE_RT_HAS_RATE	(1U << 1)
#define KGATE_RT_HAS_BURST	(1U << 2)
#define KGATE_RT_HAS_COUNTERS	(1U << 3)

struct kgate_route {
	char *name;
	uint8_t kind;			/* enum kgate_route_kind */
	struct kgate_str_list listeners, hosts;
	struct kgate_rule *rules;
	size_t n_rules;
	char *rewrite_target;
	char *owner;			/* who applied it; NULL: none */
	uint32_t rate, burst;
	struct kgate_range *allow;
	size_t n_allow;
	uint32_t has;			/* KGATE_RT_HAS_* */
	struct kgate_l7_counters cnt;
};

/* Bits of kgate_access.has: the optional attributes received. */
#define KGATE_ACC_HAS_CLIENT	(1U << 0)
#define KGATE_ACC_HAS_UPSTREAM	(1U << 1)
#define KGATE_ACC_HAS_STATUS	(1U << 2)

/* An access-log record (enum kgate_access_attr). */
struct kgate_access {
	uint64_t time_ns;		/* since the epoch, request start */
	struct kgate_addr client;
	uint16_t client_port;
	char *listener, *route, *host, *method, *path;	/* NULL: absent */
	uint16_t status;
	uint64_t bytes_in, bytes_out;
	struct kgate_addr upstream;
	uint16_t upstream_port;
	uint32_t ttfb_us, duration_us;
	uint32_t has;
};

/* Defaults, no name, empty lists. */
void kgate_listener_init(struct kgate_listener *l);
void kgate_listener_free(struct kgate_listener *l);
void kgate_limits_init(struct kgate_limits *lim);
void kgate_route_init(struct kgate_route *r);
void kgate_route_free(struct kgate_route *r);
void kgate_rule_init(struct kgate_rule *rule);
void kgate_rule_free(struct kgate_rule *rule);
void kgate_match_init(struct kgate_match *m);
void kgate_match_free(struct kgate_match *m);
void kgate_access_init(struct kgate_access *a);
void kgate_access_free(struct kgate_access *a);

/* All return 0 or -ENOMEM; strings are copied. */
int kgate_set_str(char **field, const char *s);
int kgate_str_list_add(struct kgate_str_list *l, const char *s);
int kgate_kv_list_add(struct kgate_kv_list *l, const char *name,
		      const char *value);
/* The new element is initialised, appended, and returned (NULL: ENOMEM). */
struct kgate_rule *kgate_route_new_rule(struct kgate_route *r);
struct kgate_match *kgate_rule_new_match(struct kgate_rule *rule);
int kgate_rule_add_ref(struct kgate_rule *rule, const char *service,
		       bool has_weight, uint32_t weight);
int kgate_route_add_allow(struct kgate_route *r, const struct kgate_range *p);

/*
 * The limit values in force: those set, the ABI defaults for the others
 * (what the kernel reports for a listener whose limits were not given).
 */
struct kgate_limits kgate_limits_effective(const struct kgate_limits *lim);

/* Same attributes present with the same values, lists in the same order;
 * counters are not compared.
 */
bool kgate_listener_equal(const struct kgate_listener *a,
			  const struct kgate_listener *b);
bool kgate_route_equal(const struct kgate_route *a,
		       const struct kgate_route *b);

#endif

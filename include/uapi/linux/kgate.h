/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * kgate: in-kernel Kubernetes Service and Ingress data plane.
 *
 * Generic netlink family "kgate", version 1, one instance per network
 * namespace.  Every command, reads included (as IPVS), needs CAP_NET_ADMIN
 * in the initial user namespace (GENL_ADMIN_PERM), and so does joining the
 * events group: configuration, counters and (to come) access logs tell
 * who talks to whom.
 *
 * Objects
 * -------
 * A service is one Kubernetes Service port: a name, options, a set of
 * frontends (the addresses and ports clients connect to) and a set of
 * backends (the Pod endpoints traffic is sent to).  It is carried in a
 * KGATE_A_SERVICE nest (enum kgate_service_attr).  Frontend, backend and
 * source range lists are nests whose entries are nests of type
 * KGATE_A_LIST_ITEM, each laid out by its own enum.
 *
 * Addresses are binary, in network byte order: 4 bytes for IPv4, 16 bytes
 * for IPv6; the length gives the family.  Ports are NLA_U16 in host byte
 * order.
 *
 * Commands
 * --------
 * SERVICE_ADD      create; EEXIST if the name is taken.
 * SERVICE_REPLACE  create or replace the whole object (frontends,
 *                  backends and options not given take their defaults).
 * SERVICE_DEL      delete by name; ENOENT if unknown.
 * SERVICE_GET      by name (doit) or all of the namespace (NLM_F_DUMP).
 *                  A dump sends a service that does not fit one message
 *                  as several consecutive ones: the first with everything
 *                  but the backends left over, the next ones with only
 *                  the name and further backends.  NLM_F_DUMP_INTR is set
 *                  when the configuration changed during the dump.
 * BACKEND_ADD      add the listed backends to a service; EEXIST if one is
 *                  already there.  Identity of a backend is (addr, port).
 * BACKEND_DEL      remove the listed backends; ENOENT if one is missing.
 * BACKEND_SET      change weight, state and/or flags of listed backends;
 *                  attributes left out keep their value (flags, when
 *                  given, replace the old flags whole).
 * FLUSH            delete every service of the namespace.
 * BATCH_BEGIN      open a transaction on this netlink socket.  Later
 *                  mutating commands from the socket are checked (syntax,
 *                  policy) and staged; they are acknowledged but not
 *                  applied.  A refused message poisons the batch.
 * BATCH_COMMIT     apply every staged command at once: readers see the
 *                  configuration before or after, never a mix.  If any
 *                  command fails, nothing is applied and the extack
 *                  message reads "cmd POS seq SEQ: REASON", POS being the
 *                  command's position in the batch (1-based) and SEQ its
 *                  nlmsg_seq.  ECANCELED if the batch was poisoned.
 *                  A batch stages at most max_batch_mb (module parameter)
 *                  of requests and of the lookup tables built for them
 *                  (E2BIG beyond, which poisons the batch).
 * BATCH_ABORT      drop the staged commands.
 *                  Closing the socket with a batch open aborts it.
 * STATS_GET        KGATE_A_STATS for the namespace.
 * NODE_SET         replace the node's settings (KGATE_A_NODE, whole;
 *                  attributes left out take their defaults).  Staged in a
 *                  batch like the service commands; FLUSH leaves them.
 * NODE_GET         KGATE_A_NODE: the node's settings.
 *
 * Outside a batch each mutating command is its own transaction.
 *
 * Errors
 * ------
 * Every refusal by kgate carries an extended ACK message, and where it
 * concerns one attribute of the request, its offset (NLMSGERR_ATTR_OFFS)
 * or the missing type (NLMSGERR_ATTR_MISS_TYPE / _MISS_NEST).  genetlink
 * itself answers EPERM and EOPNOTSUPP (unknown or reserved command), with
 * no message, before kgate sees the request.  Policy violations (type, length,
 * range) get the kernel's EINVAL or ERANGE.  Semantic errors:
 *   EEXIST            duplicate service, frontend or backend
 *   ENOENT            unknown service or backend; no batch open
 *   EBUSY             BATCH_BEGIN with a batch already open
 *   ENOSPC            a limit (module parameters max_services,
 *                     max_backends; KGATE_*_MAX below) would be exceeded,
 *                     or backend commands would outgrow the table size
 *   EAFNOSUPPORT      backend of a family no frontend of the service has;
 *                     prefix length too long for the family
 *   EPROTONOSUPPORT   frontend protocol other than TCP, UDP, SCTP
 *   ECANCELED         commit of a poisoned batch
 *   EPERM             no CAP_NET_ADMIN
 *   EINVAL            anything else malformed (empty or unprintable name,
 *                     service without frontend, unspecified address where
 *                     one is needed, host bits set in a source range,
 *                     table size not prime or below 100 x backends ...)
 *
 * Events
 * ------
 * Multicast group KGATE_MCGRP_EVENTS carries, after each commit, the net
 * effect of its commands, in order, and then one BATCH_COMMIT carrying
 * KGATE_A_GENERATION:
 *   SERVICE_ADD      a service that did not exist before the commit, whole
 *   SERVICE_REPLACE  a service that did, whole (replace, backend commands)
 *   SERVICE_DEL      a service that existed before and not after, by name
 *   FLUSH            the commit had a FLUSH: every service that existed
 *                    before it is gone (no SERVICE_DEL for them); the
 *                    services that exist after the commit follow as
 *                    SERVICE_ADD or _REPLACE
 *   NODE_SET         the node's settings changed, whole
 * There is at most one event per name and commit: its net effect, whatever
 * sequence of commands on that name the commit held.
 */
#ifndef _UAPI_LINUX_KGATE_H
#define _UAPI_LINUX_KGATE_H

#define KGATE_GENL_NAME		"kgate"
#define KGATE_GENL_VERSION	1
#define KGATE_MCGRP_EVENTS	"events"

/*
 * Fixed limits; the tunable ones are module parameters.  A netlink
 * attribute holds at most 64 KiB, and a whole service travels in one
 * KGATE_A_SERVICE nest: at these limits it takes at most ~62 KiB (IPv6).
 */
#define KGATE_NAME_MAX		256	/* incl. the terminating NUL */
#define KGATE_FRONTENDS_MAX	64	/* per service */
#define KGATE_RANGES_MAX	64	/* source ranges per service */
#define KGATE_BACKENDS_MAX	1000	/* hard cap on max_backends */
#define KGATE_WEIGHT_MAX	10000
#define KGATE_TIMEOUT_MAX	86400	/* seconds */
#define KGATE_TIMEOUT_DEFAULT	10800	/* seconds, as Kubernetes */
#define KGATE_TABLE_SIZE_MIN	101	/* Maglev lookup table, prime */
#define KGATE_TABLE_SIZE_MAX	1000003

enum kgate_cmd {
	KGATE_CMD_UNSPEC,
	KGATE_CMD_SERVICE_ADD,
	KGATE_CMD_SERVICE_REPLACE,
	KGATE_CMD_SERVICE_DEL,
	KGATE_CMD_SERVICE_GET,
	KGATE_CMD_BACKEND_ADD,
	KGATE_CMD_BACKEND_DEL,
	KGATE_CMD_BACKEND_SET,
	KGATE_CMD_FLUSH,
	KGATE_CMD_BATCH_BEGIN,
	KGATE_CMD_BATCH_COMMIT,
	KGATE_CMD_BATCH_ABORT,
	KGATE_CMD_STATS_GET,
	KGATE_CMD_NODE_SET,
	KGATE_CMD_NODE_GET,

	/*
	 * Reserved for the L7 objects to come (listener, route, cert) and
	 * the TLS handshake upcall.  The kernel answers EOPNOTSUPP to them
	 * until they are implemented.
	 */
	KGATE_CMD_LISTENER_BASE = 32,
	KGATE_CMD_ROUTE_BASE = 40,
	KGATE_CMD_CERT_BASE = 48,
	KGATE_CMD_TLS_BASE = 56,

	__KGATE_CMD_MAX = 64,
};

#define KGATE_CMD_MAX (__KGATE_CMD_MAX - 1)

/* Top level attributes. */
enum kgate_attr {
	KGATE_A_UNSPEC,
	KGATE_A_SERVICE,	/* nest, enum kgate_service_attr */
	KGATE_A_STATS,		/* nest, enum kgate_stats_attr (replies) */
	KGATE_A_GENERATION,	/* u64, configuration generation (replies) */
	KGATE_A_PAD,
	KGATE_A_NODE,		/* nest, enum kgate_node_attr */

	/* Reserved for L7 objects; refused until implemented. */
	KGATE_A_LISTENER = 16,	/* nest */
	KGATE_A_ROUTE,		/* nest */
	KGATE_A_CERT,		/* nest */

	__KGATE_A_MAX
};

#define KGATE_A_MAX (__KGATE_A_MAX - 1)

/* Type of every entry of a list nest (frontends, backends, ranges). */
#define KGATE_A_LIST_ITEM	1

enum kgate_service_attr {
	KGATE_SVC_A_UNSPEC,
	/* string, required: 1..255 printable ASCII chars, no space.
	 * Convention: "namespace/name:port".
	 */
	KGATE_SVC_A_NAME,
	/* u8, enum kgate_sched, default KGATE_SCHED_MAGLEV */
	KGATE_SVC_A_SCHED,
	/* u32, Maglev table size, a prime in [KGATE_TABLE_SIZE_MIN,
	 * KGATE_TABLE_SIZE_MAX] and at least 100 x backends; default 0
	 * (chosen by the kernel).
	 */
	KGATE_SVC_A_TABLE_SIZE,
	/* u8, enum kgate_affinity, default KGATE_AFFINITY_NONE */
	KGATE_SVC_A_AFFINITY,
	/* u32, seconds, 1..KGATE_TIMEOUT_MAX, default KGATE_TIMEOUT_DEFAULT:
	 * how long a ClientIP binding outlives the client's last new
	 * connection.
	 */
	KGATE_SVC_A_AFFINITY_TIMEOUT,
	/* u8, enum kgate_policy, externalTrafficPolicy, default CLUSTER */
	KGATE_SVC_A_EXT_POLICY,
	/* u8, enum kgate_policy, internalTrafficPolicy, default CLUSTER */
	KGATE_SVC_A_INT_POLICY,
	/* nest of KGATE_A_LIST_ITEM nests (enum kgate_range_attr), at most
	 * KGATE_RANGES_MAX: loadBalancerSourceRanges.  Empty: all sources.
	 */
	KGATE_SVC_A_SOURCE_RANGES,
	/* nest of KGATE_A_LIST_ITEM nests (enum kgate_frontend_attr),
	 * 1..KGATE_FRONTENDS_MAX entries, required for ADD / REPLACE.
	 */
	KGATE_SVC_A_FRONTENDS,
	/* nest of KGATE_A_LIST_ITEM nests (enum kgate_backend_attr), at most
	 * the max_backends module parameter.
	 */
	KGATE_SVC_A_BACKENDS,
	/* nest, enum kgate_counter_attr, read-only: the service's data plane
	 * counters, in replies to SERVICE_GET (not in events).  Kept across
	 * changes to the service; reset when it is deleted.
	 */
	KGATE_SVC_A_COUNTERS,
	KGATE_SVC_A_PAD,
	__KGATE_SVC_A_MAX
};

#define KGATE_SVC_A_MAX (__KGATE_SVC_A_MAX - 1)

enum kgate_frontend_attr {
	KGATE_FE_A_UNSPEC,
	/* binary 4 or 16 bytes, required.  Unspecified (0.0.0.0 or ::) only
	 * for NODEPORT, where it means every local address of that family.
	 */
	KGATE_FE_A_ADDR,
	KGATE_FE_A_PORT,	/* u16, 1..65535, required */
	KGATE_FE_A_PROTO,	/* u8, IPPROTO_TCP / _UDP / _SCTP, default TCP */
	KGATE_FE_A_KIND,	/* u8, enum kgate_frontend_kind, default CLUSTER */
	__KGATE_FE_A_MAX
};

#define KGATE_FE_A_MAX (__KGATE_FE_A_MAX - 1)

enum kgate_backend_attr {
	KGATE_BE_A_UNSPEC,
	KGATE_BE_A_ADDR,	/* binary 4 or 16 bytes, required, not unspecified */
	KGATE_BE_A_PORT,	/* u16, 1..65535, required (targetPort) */
	KGATE_BE_A_WEIGHT,	/* u32, 0..KGATE_WEIGHT_MAX, default 1; 0: no new flows */
	KGATE_BE_A_STATE,	/* u8, enum kgate_backend_state, default READY */
	KGATE_BE_A_FLAGS,	/* u32, KGATE_BE_F_*, default 0 */
	/* nest, enum kgate_counter_attr, read-only, as KGATE_SVC_A_COUNTERS;
	 * reset when the backend leaves the service.
	 */
	KGATE_BE_A_COUNTERS,
	__KGATE_BE_A_MAX
};

#define KGATE_BE_A_MAX (__KGATE_BE_A_MAX - 1)

/* The backend runs on this node (for the Local traffic policies). */
#define KGATE_BE_F_LOCAL	(1U << 0)
#define KGATE_BE_F_ALL		KGATE_BE_F_LOCAL

enum kgate_range_attr {
	KGATE_RANGE_A_UNSPEC,
	KGATE_RANGE_A_ADDR,	/* binary 4 or 16 bytes, required, no host bits */
	KGATE_RANGE_A_PLEN,	/* u8, prefix length, required, <= 32 / 128 */
	__KGATE_RANGE_A_MAX
};

#define KGATE_RANGE_A_MAX (__KGATE_RANGE_A_MAX - 1)

enum kgate_counter_attr {
	KGATE_CNT_A_UNSPEC,
	KGATE_CNT_A_CONNS,	/* u64, new connections sent to the backend(s) */
	KGATE_CNT_A_PACKETS,	/* u64, both directions */
	KGATE_CNT_A_BYTES,	/* u64, both directions, IP header included */
	KGATE_CNT_A_PAD,
	__KGATE_CNT_A_MAX
};

#define KGATE_CNT_A_MAX (__KGATE_CNT_A_MAX - 1)

enum kgate_stats_attr {
	KGATE_STATS_A_UNSPEC,
	KGATE_STATS_A_SERVICES,		/* u32, services in the namespace */
	KGATE_STATS_A_FRONTENDS,	/* u32 */
	KGATE_STATS_A_BACKENDS,		/* u32 */
	KGATE_STATS_A_MAX_SERVICES,	/* u32, module parameter */
	KGATE_STATS_A_MAX_BACKENDS,	/* u32, module parameter (per service) */
	KGATE_STATS_A_COMMITS,		/* u64, transactions applied */
	KGATE_STATS_A_GENERATION,	/* u64, current generation */
	KGATE_STATS_A_BATCHES_OPEN,	/* u32, open transactions */
	KGATE_STATS_A_PAD,
	/* u8, 1 while kgate's NAT hooks are registered: while there are
	 * services, and after the last one went, while connections kgate
	 * made are still in conntrack.
	 */
	KGATE_STATS_A_NAT_HOOKS,
	/* u64, walks of the conntrack table for UDP flows whose frontend or
	 * backend left (one per commit that removed such a pair).
	 */
	KGATE_STATS_A_FLOW_WALKS,
	KGATE_STATS_A_AFFINITY_CLIENTS,	/* u32, clients remembered */
	KGATE_STATS_A_AFFINITY_DROPPED,	/* u64, clients not remembered:
					 * no room (max_affinity_clients
					 * per namespace, 65536 per service)
					 */
	KGATE_STATS_A_MAX_AFFINITY,	/* u32, module parameter */
	__KGATE_STATS_A_MAX
};

#define KGATE_STATS_A_MAX (__KGATE_STATS_A_MAX - 1)

/*
 * The node: what kgate must know of the node itself.
 *
 * Local ranges are the Pod addresses of the cluster (kube-proxy's
 * --cluster-cidr, detect-local-mode ClusterCIDR): a connection from one of
 * them, or from the node itself, to a LoadBalancer IP, externalIP or
 * NodePort of a service with externalTrafficPolicy=Local goes to the
 * service's backends cluster-wide ("short-circuit"), as in kube-proxy;
 * the Local policy applies to traffic from elsewhere.  Without local
 * ranges only the node's own connections are recognised.
 */
enum kgate_node_attr {
	KGATE_NODE_A_UNSPEC,
	/* nest of KGATE_A_LIST_ITEM nests (enum kgate_range_attr), at most
	 * KGATE_RANGES_MAX, default none.
	 */
	KGATE_NODE_A_LOCAL_RANGES,
	__KGATE_NODE_A_MAX
};

#define KGATE_NODE_A_MAX (__KGATE_NODE_A_MAX - 1)

enum kgate_sched {
	KGATE_SCHED_MAGLEV,	/* consistent hashing, weights honoured */
	KGATE_SCHED_RR,		/* weighted round robin */
	__KGATE_SCHED_MAX
};

/*
 * ClientIP: a client's new connections go to the backend its previous one
 * went to, while it comes back within the timeout and that backend takes
 * new flows; otherwise the scheduler chooses (Maglev: by the client
 * address alone, the same on every node; rr: the next turn) and the
 * choice is remembered.  At most 65536 clients are remembered per
 * service; further ones are scheduled without being remembered.
 */
enum kgate_affinity {
	KGATE_AFFINITY_NONE,
	KGATE_AFFINITY_CLIENTIP,
	__KGATE_AFFINITY_MAX
};

/*
 * Traffic policies, as kube-proxy applies them.  LOCAL keeps new flows on
 * node-local backends (KGATE_BE_F_LOCAL): for a ClusterIP, every flow
 * (internalTrafficPolicy); for the other frontends, flows from outside
 * the node (externalTrafficPolicy) — those from the node itself or from
 * its local ranges (enum kgate_node_attr) go to every backend.  When the
 * service has backends but none here, the packet is dropped, as
 * kube-proxy drops it: a load balancer's health check then moves the
 * client, whose retransmission reaches a node that has one, where a
 * refusal would have ended the attempt.  A service with no backend at all
 * refuses (TCP reset, ICMP port unreachable).
 */
enum kgate_policy {
	KGATE_POLICY_CLUSTER,
	KGATE_POLICY_LOCAL,
	__KGATE_POLICY_MAX
};

enum kgate_frontend_kind {
	KGATE_FE_CLUSTER,	/* ClusterIP */
	KGATE_FE_EXTERNAL,	/* externalIPs */
	KGATE_FE_LOADBALANCER,	/* status.loadBalancer.ingress IPs */
	KGATE_FE_NODEPORT,	/* node addresses */
	__KGATE_FE_KIND_MAX
};

/* Endpoint conditions as in KEP-1669. */
enum kgate_backend_state {
	KGATE_BE_READY,		/* ready: takes new flows */
	KGATE_BE_SERVING,	/* terminating but serving: new flows only
				 * when no backend is READY
				 */
	KGATE_BE_TERMINATING,	/* terminating, not serving: existing flows
				 * only
				 */
	__KGATE_BE_STATE_MAX
};

#endif /* _UAPI_LINUX_KGATE_H */

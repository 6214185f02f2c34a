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
 * frontends (the addresses and ports clients connect to; none for a
 * service that only L7 routes reach) and a set of backends (the Pod
 * endpoints traffic is sent to).  It is carried in a
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
 *                  mutating commands from the socket (SERVICE_ADD,
 *                  _REPLACE, _DEL, BACKEND_*, FLUSH, NODE_SET, LISTENER_
 *                  and ROUTE_ ADD, REPLACE, DEL) are checked (syntax,
 *                  policy) and staged; they are acknowledged but not
 *                  applied.  A message kgate refuses poisons the batch;
 *                  one the policy refuses is answered by genetlink and
 *                  never reaches kgate: KGATE_A_BATCH_COUNT tells.
 * BATCH_COMMIT     apply every staged command at once: readers see the
 *                  configuration before or after, never a mix.  Carries
 *                  KGATE_A_BATCH_COUNT (required, EINVAL without it): the
 *                  number of mutating commands the client sent on the
 *                  socket since BATCH_BEGIN, whatever their answers.
 *                  kgate counts those that reached it, staged or refused;
 *                  if the two differ, nothing is applied: ECANCELED,
 *                  "batch aborted: SENT commands sent, N reached kgate".
 *                  ECANCELED too if the batch was poisoned.  If a command
 *                  fails, nothing is applied and the extack message reads
 *                  "cmd POS seq SEQ: REASON", POS being the command's
 *                  position in the batch (1-based) and SEQ its nlmsg_seq.
 *                  Programs read POS and SEQ from the extack cookie
 *                  (NLMSGERR_ATTR_COOKIE, struct kgate_commit_ref; see
 *                  Errors), not from the message.
 *                  A batch stages at most max_batch_mb (module parameter)
 *                  of requests and of the lookup tables built for them
 *                  (E2BIG beyond, which poisons the batch).  A COMMIT
 *                  that reaches kgate ends the batch, applied or not.
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
 * itself answers, before kgate sees the request: EPERM and EOPNOTSUPP
 * (unknown or reserved command), with no message, and policy violations
 * (type, length, range; the policies are the family's, as
 * CTRL_CMD_GETPOLICY reports them) with EINVAL or ERANGE and the
 * kernel's message.  Semantic errors:
 *   EEXIST            duplicate service, frontend or backend
 *   ENOENT            unknown service or backend; no batch open
 *   EBUSY             BATCH_BEGIN with a batch already open
 *   ENOSPC            a limit (module parameters max_services,
 *                     max_backends; KGATE_*_MAX below) would be exceeded,
 *                     or backend commands would outgrow the table size
 *   EAFNOSUPPORT      backend of a family no frontend of the service has
 *                     (a service with frontends);
 *                     prefix length too long for the family
 *   EPROTONOSUPPORT   frontend protocol other than TCP, UDP, SCTP
 *   EADDRINUSE        a listener and a TCP frontend on one port (see "L7:
 *                     the HTTP reverse proxy"), or a socket already has the
 *                     listener's address and port
 *   ECANCELED         commit of a poisoned batch, or of one that did not
 *                     get every command sent (KGATE_A_BATCH_COUNT)
 *   EPERM             no CAP_NET_ADMIN
 *   EINVAL            anything else malformed (BATCH_COMMIT without
 *                     KGATE_A_BATCH_COUNT, empty or unprintable name or
 *                     owner, unspecified address where one is needed,
 *                     host bits set in a source range,
 *                     table size not prime or below 100 x backends ...)
 *
 * A failed BATCH_COMMIT that can blame one message of the batch says which
 * in the extack cookie (NLMSGERR_ATTR_COOKIE): a struct kgate_commit_ref,
 * exactly sizeof(struct kgate_commit_ref) bytes, host byte order.  It
 * comes with:
 *   - a command that failed when the commit applied it (its errno): pos
 *     is its position among the batch's staged commands, seq its
 *     nlmsg_seq;
 *   - ECANCELED for a poisoned batch: the first message kgate refused,
 *     seq its nlmsg_seq, pos its position among the batch's mutating
 *     messages that reached kgate (a message the policy refused before
 *     it does not count).
 * There is none when no message is to blame: no batch open (ENOENT),
 * KGATE_A_BATCH_COUNT missing (EINVAL) or not the count kgate has
 * (ECANCELED), or a failure of the commit as a whole (ENOMEM ...).
 * Clients must ignore a cookie of another length.
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

#include <linux/types.h>

#define KGATE_GENL_NAME		"kgate"
#define KGATE_GENL_VERSION	1
#define KGATE_MCGRP_EVENTS	"events"

/*
 * Fixed limits; the tunable ones are module parameters.  A netlink
 * attribute holds at most 64 KiB, and a whole service travels in one
 * KGATE_A_SERVICE nest: at these limits it takes at most ~62 KiB (IPv6).
 */
#define KGATE_NAME_MAX		256	/* incl. the terminating NUL */
#define KGATE_OWNER_MAX		63	/* bytes of an owner, without the NUL */
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

	/* L7: HTTP listeners and the routes attached to them. */
	KGATE_CMD_LISTENER_ADD = 32,
	KGATE_CMD_LISTENER_REPLACE,
	KGATE_CMD_LISTENER_DEL,
	KGATE_CMD_LISTENER_GET,
	KGATE_CMD_ROUTE_ADD = 40,
	KGATE_CMD_ROUTE_REPLACE,
	KGATE_CMD_ROUTE_DEL,
	KGATE_CMD_ROUTE_GET,
	/* Event only: one access-log record (KGATE_A_ACCESS). */
	KGATE_CMD_ACCESS = 47,

	/*
	 * Reserved for certificates and the TLS handshake upcall.  The kernel
	 * answers EOPNOTSUPP to them until they are implemented.
	 */
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
	/* u32, BATCH_COMMIT, required: the mutating commands the client
	 * sent on the socket since BATCH_BEGIN (see BATCH_COMMIT).
	 */
	KGATE_A_BATCH_COUNT,

	KGATE_A_LISTENER = 16,	/* nest, enum kgate_listener_attr */
	KGATE_A_ROUTE,		/* nest, enum kgate_route_attr */
	KGATE_A_CERT,		/* nest, reserved: refused until implemented */
	KGATE_A_ACCESS,		/* nest, enum kgate_access_attr (events) */

	__KGATE_A_MAX
};

#define KGATE_A_MAX (__KGATE_A_MAX - 1)

/*
 * The extack cookie of a failed BATCH_COMMIT that names a message of the
 * batch (see Errors).
 */
struct kgate_commit_ref {
	__u32 pos;	/* 1-based position in the batch */
	__u32 seq;	/* the message's nlmsg_seq */
};

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
	/* nest of KGATE_A_LIST_ITEM nests (enum kgate_frontend_attr), at
	 * most KGATE_FRONTENDS_MAX entries; none (or left out): a service
	 * without a VIP, whose backends only routes use (a Service the API
	 * server has not given a clusterIP).
	 */
	KGATE_SVC_A_FRONTENDS,
	/* nest of KGATE_A_LIST_ITEM nests (enum kgate_backend_attr), at most
	 * the max_backends module parameter.  A service with frontends takes
	 * only backends of a family one of them has (EAFNOSUPPORT); one
	 * without takes both.
	 */
	KGATE_SVC_A_BACKENDS,
	/* nest, enum kgate_counter_attr, read-only: the service's data plane
	 * counters, in replies to SERVICE_GET (not in events).  Kept across
	 * changes to the service; reset when it is deleted.
	 */
	KGATE_SVC_A_COUNTERS,
	KGATE_SVC_A_PAD,
	/* string, optional: who applied the object, 1..KGATE_OWNER_MAX
	 * printable ASCII chars, no space.  kgate apply and kgated write
	 * theirs and delete only objects that carry it, so objects added by
	 * hand are left alone.  Kept and sent back as given, never
	 * interpreted; ADD and REPLACE set it (REPLACE without it clears
	 * it), BACKEND_ADD / _DEL / _SET keep it.
	 */
	KGATE_SVC_A_OWNER,
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
	KGATE_STATS_A_LISTENERS,	/* u32, listeners in the namespace */
	KGATE_STATS_A_ROUTES,		/* u32, routes in the namespace */
	/* u32, idle upstream connections of the HTTP proxy's pool (at
	 * most 32 per backend, 4096 per namespace)
	 */
	KGATE_STATS_A_UPSTREAM_IDLE,
	/* u64, idle upstream connections closed for lack of room */
	KGATE_STATS_A_UPSTREAM_NO_ROOM,
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

/*
 * L7: the HTTP reverse proxy
 * --------------------------
 * A listener is a listening TCP socket of the namespace that speaks
 * HTTP/1.1.  A route (a Kubernetes Ingress, split by nothing, or a Gateway
 * API HTTPRoute) attaches to listeners by name and sends requests, by
 * host, path, method, headers and query, to kgate services by name: the
 * service's backends, their states and its scheduler choose the Pod, so
 * one EndpointSlice change reaches L4 and L7 at once.
 *
 * References by name are not checked, because Kubernetes creates objects in
 * any order: a route may name listeners and services that do not exist
 * (yet), and a listener a default backend that does not.  A route takes
 * effect on a listener when both exist; a request routed to a service that
 * does not exist, or has no backend that takes new connections, is
 * answered 503.  Checked: everything inside one object (syntax, limits,
 * the route's own matches and filters), that a listener's address and
 * port can be bound (EADDRINUSE, EADDRNOTAVAIL fail the commit), and that
 * no TCP frontend takes a listener's connections before it (EADDRINUSE,
 * either way round): one on the listener's address and port, or a
 * NodePort on its port.  A listener on every address is not checked
 * against frontends on the node's own addresses, which change.
 *
 * Changes never disturb a request in flight: a request keeps the routes
 * and the backend it was given; a keep-alive connection uses the new
 * routes from its next request on.  A listener replaced with the same
 * address, port and mode keeps its socket and its connections; one whose
 * address, port or mode changed, or that is deleted, closes its socket and
 * every connection it accepted when the commit applies.
 *
 * LISTENER_ADD / _REPLACE / _DEL / _GET and ROUTE_ADD / _REPLACE / _DEL /
 * _GET work as the SERVICE_ commands do (batches, events, dumps); FLUSH
 * deletes listeners and routes too.  Events: LISTENER_ and ROUTE_ ADD,
 * REPLACE and DEL, by the rules given for services above.
 */
#define KGATE_LISTENERS_MAX	1024	/* per namespace */
#define KGATE_ROUTES_MAX	65536	/* per namespace */
#define KGATE_ROUTE_LISTENERS_MAX 16	/* listeners a route attaches to */

enum kgate_listener_attr {
	KGATE_LIS_A_UNSPEC,
	KGATE_LIS_A_NAME,	/* string, required, as a service name */
	/* binary 4 or 16 bytes, required.  "::" is every address of the
	 * node, IPv4 and IPv6; "0.0.0.0" every IPv4 address.  An address
	 * the node does not have (yet) can be used (IP_FREEBIND): a
	 * LoadBalancer IP may arrive later.
	 */
	KGATE_LIS_A_ADDR,
	KGATE_LIS_A_PORT,	/* u16, 1..65535, required */
	KGATE_LIS_A_MODE,	/* u8, enum kgate_listener_mode, default HTTP */
	/* string, a service name: where requests no route matches go;
	 * default none (404).
	 */
	KGATE_LIS_A_DEFAULT_BACKEND,
	KGATE_LIS_A_FLAGS,	/* u32, KGATE_LIS_F_*, default 0 */
	/* u32, open client connections, 1..KGATE_CONNS_MAX, default
	 * KGATE_CONNS_DEFAULT.  A connection beyond it is accepted, answered
	 * 503 with Connection: close, and closed: a client sees why.
	 */
	KGATE_LIS_A_MAX_CONNS,
	KGATE_LIS_A_LIMITS,	/* nest, enum kgate_limit_attr */
	/* nest, enum kgate_l7_counter_attr, read-only (replies to GET) */
	KGATE_LIS_A_COUNTERS,
	KGATE_LIS_A_PAD,
	KGATE_LIS_A_OWNER,	/* string, optional, as KGATE_SVC_A_OWNER */
	__KGATE_LIS_A_MAX
};

#define KGATE_LIS_A_MAX (__KGATE_LIS_A_MAX - 1)

enum kgate_listener_mode {
	KGATE_MODE_HTTP,
	KGATE_MODE_TLS_TERMINATE,	/* reserved: refused until implemented */
	KGATE_MODE_TLS_PASSTHROUGH,	/* reserved: refused until implemented */
	__KGATE_MODE_MAX
};

/*
 * Keep the client's X-Forwarded-For, -Proto, -Host, -Port (appending to
 * X-Forwarded-For) instead of replacing them: for a listener behind a proxy
 * that sets them (ingress-nginx's use-forwarded-headers).
 */
#define KGATE_LIS_F_TRUST_FORWARDED	(1U << 0)
/* Send an access-log record per request on the events group. */
#define KGATE_LIS_F_ACCESS_LOG		(1U << 1)
#define KGATE_LIS_F_ALL			((1U << 2) - 1)

#define KGATE_CONNS_MAX		1048576
#define KGATE_CONNS_DEFAULT	65536

/*
 * Per-listener limits; the defaults are ingress-nginx's where it has one.
 * Beyond each, kgate answers with the status given and closes.
 */
enum kgate_limit_attr {
	KGATE_LIM_A_UNSPEC,
	/* u32, bytes of a request head, 1024..65535, default 16384: 431 */
	KGATE_LIM_A_HEAD_BYTES,
	/* u32, field lines of a head, 1..KGATE_HEADERS_MAX, default 100: 431 */
	KGATE_LIM_A_HEADERS,
	/* u32, bytes of a request target, 16..65535, default 8192: 414 */
	KGATE_LIM_A_URI_BYTES,
	/* u64, bytes of a request body, 0 (no limit) or more, default 1 MiB
	 * (proxy-body-size): 413
	 */
	KGATE_LIM_A_BODY_BYTES,
	/* u32, ms to receive a whole request head, default 60000: 408 */
	KGATE_LIM_A_HEAD_TIMEOUT,
	/* u32, ms a keep-alive connection may wait for its next request,
	 * default 75000: closed without an answer
	 */
	KGATE_LIM_A_IDLE_TIMEOUT,
	/* u32, ms to connect to a backend, default 5000: 504 */
	KGATE_LIM_A_CONNECT_TIMEOUT,
	/* u32, ms of a backend's silence, waiting for its response or in
	 * it, default 60000 (proxy-read-timeout): 504
	 */
	KGATE_LIM_A_RESPONSE_TIMEOUT,
	KGATE_LIM_A_PAD,
	__KGATE_LIM_A_MAX
};

#define KGATE_LIM_A_MAX (__KGATE_LIM_A_MAX - 1)

#define KGATE_HEADERS_MAX	256
#define KGATE_MS_MAX		86400000	/* every timeout: 1..1 day */

/* L7 counters of a listener or a route; u64 unless said otherwise. */
enum kgate_l7_counter_attr {
	KGATE_L7C_A_UNSPEC,
	KGATE_L7C_A_CONNS,		/* client connections accepted */
	KGATE_L7C_A_CONNS_OPEN,		/* u32, open now (listener only) */
	KGATE_L7C_A_CONNS_REFUSED,	/* over max_conns (listener only) */
	KGATE_L7C_A_REQUESTS,
	KGATE_L7C_A_RESP_1XX,
	KGATE_L7C_A_RESP_2XX,
	KGATE_L7C_A_RESP_3XX,
	KGATE_L7C_A_RESP_4XX,
	KGATE_L7C_A_RESP_5XX,
	KGATE_L7C_A_BYTES_IN,		/* from clients, heads included */
	KGATE_L7C_A_BYTES_OUT,		/* to clients, heads included */
	KGATE_L7C_A_UPSTREAM_CONNECTS,	/* new connections to backends */
	KGATE_L7C_A_UPSTREAM_REUSES,	/* requests sent on a pooled one */
	KGATE_L7C_A_LOG_DROPPED,	/* access-log records not sent */
	KGATE_L7C_A_PAD,
	__KGATE_L7C_A_MAX
};

#define KGATE_L7C_A_MAX (__KGATE_L7C_A_MAX - 1)

/*
 * A route.  Strings are NUL-terminated; lists are nests of KGATE_A_LIST_ITEM
 * entries (strings, or nests laid out by the enum named).  The limits are
 * those of kmod/core/match.h: 64 hostnames, 1024 rules, 64 matches per
 * rule, 16 headers or parameters per match, 16 backends per rule.
 */
enum kgate_route_attr {
	KGATE_RT_A_UNSPEC,
	KGATE_RT_A_NAME,	/* string, required, "namespace/name" */
	KGATE_RT_A_KIND,	/* u8, enum kgate_route_kind, default INGRESS */
	/* list of strings, listener names, 1..KGATE_ROUTE_LISTENERS_MAX,
	 * required
	 */
	KGATE_RT_A_LISTENERS,
	/* list of strings: exact hostnames or "*." wildcards; none: any */
	KGATE_RT_A_HOSTNAMES,
	/* list of nests, enum kgate_rule_attr, 1..1024, required */
	KGATE_RT_A_RULES,
	/* string, Ingress only: ingress-nginx's rewrite-target, a path that
	 * replaces the whole path of every request (the query is kept);
	 * capture groups ("$1") are refused: kgate has no regex paths.
	 */
	KGATE_RT_A_REWRITE_TARGET,
	/* u32, requests per second per client address, 0 (default): no
	 * limit (limit-rps); beyond it: 429 with Retry-After
	 */
	KGATE_RT_A_RATE,
	/* u32, the token bucket's size, default 5 x the rate (as
	 * ingress-nginx's limit-burst-multiplier)
	 */
	KGATE_RT_A_BURST,
	/* list of nests, enum kgate_range_attr, at most KGATE_RANGES_MAX:
	 * client addresses allowed (whitelist-source-range); others: 403.
	 * Empty: every client.
	 */
	KGATE_RT_A_ALLOW,
	KGATE_RT_A_COUNTERS,	/* nest, enum kgate_l7_counter_attr, read-only */
	KGATE_RT_A_PAD,
	KGATE_RT_A_OWNER,	/* string, optional, as KGATE_SVC_A_OWNER */
	__KGATE_RT_A_MAX
};

#define KGATE_RT_A_MAX (__KGATE_RT_A_MAX - 1)

enum kgate_route_kind {
	KGATE_ROUTE_INGRESS,
	KGATE_ROUTE_HTTPROUTE,
	__KGATE_ROUTE_KIND_MAX
};

/* A rule: an Ingress path, or an HTTPRoute rule. */
enum kgate_rule_attr {
	KGATE_RULE_A_UNSPEC,
	/* list of nests, enum kgate_match_attr; none: PathPrefix "/" */
	KGATE_RULE_A_MATCHES,
	/* list of nests, enum kgate_ref_attr; none: 404 (or the filter's
	 * redirect)
	 */
	KGATE_RULE_A_BACKENDS,
	KGATE_RULE_A_REQ_HEADERS,	/* nest, enum kgate_hdrmod_attr */
	KGATE_RULE_A_RESP_HEADERS,	/* nest, enum kgate_hdrmod_attr */
	KGATE_RULE_A_REDIRECT,		/* nest, enum kgate_redirect_attr */
	KGATE_RULE_A_REWRITE,		/* nest, enum kgate_rewrite_attr */
	__KGATE_RULE_A_MAX
};

#define KGATE_RULE_A_MAX (__KGATE_RULE_A_MAX - 1)

enum kgate_match_attr {
	KGATE_MATCH_A_UNSPEC,
	KGATE_MATCH_A_PATH_TYPE,	/* u8, enum kgate_path_type, default PREFIX */
	KGATE_MATCH_A_PATH,		/* string, starts with "/", default "/" */
	KGATE_MATCH_A_METHOD,		/* string; none: any method */
	KGATE_MATCH_A_HEADERS,		/* list of nests, enum kgate_kv_attr */
	KGATE_MATCH_A_QUERY,		/* list of nests, enum kgate_kv_attr */
	__KGATE_MATCH_A_MAX
};

#define KGATE_MATCH_A_MAX (__KGATE_MATCH_A_MAX - 1)

enum kgate_path_type {
	KGATE_PATH_PREFIX,	/* Ingress Prefix, HTTPRoute PathPrefix */
	KGATE_PATH_EXACT,
	KGATE_PATH_IMPL,	/* Ingress ImplementationSpecific: as Prefix */
	__KGATE_PATH_MAX
};

/* A header or query parameter: name and value, both required. */
enum kgate_kv_attr {
	KGATE_KV_A_UNSPEC,
	KGATE_KV_A_NAME,	/* string */
	KGATE_KV_A_VALUE,	/* string */
	__KGATE_KV_A_MAX
};

#define KGATE_KV_A_MAX (__KGATE_KV_A_MAX - 1)

/* A backendRef: a kgate service and its weight. */
enum kgate_ref_attr {
	KGATE_REF_A_UNSPEC,
	KGATE_REF_A_SERVICE,	/* string, required, a service name */
	KGATE_REF_A_WEIGHT,	/* u32, 0..1000000, default 1; 0: no requests */
	__KGATE_REF_A_MAX
};

#define KGATE_REF_A_MAX (__KGATE_REF_A_MAX - 1)

/* RequestHeaderModifier, ResponseHeaderModifier. */
enum kgate_hdrmod_attr {
	KGATE_HDRMOD_A_UNSPEC,
	KGATE_HDRMOD_A_SET,	/* list of nests, enum kgate_kv_attr */
	KGATE_HDRMOD_A_ADD,	/* list of nests, enum kgate_kv_attr */
	KGATE_HDRMOD_A_REMOVE,	/* list of strings, field names */
	__KGATE_HDRMOD_A_MAX
};

#define KGATE_HDRMOD_A_MAX (__KGATE_HDRMOD_A_MAX - 1)

enum kgate_pathmod_type {
	KGATE_PATHMOD_NONE,
	KGATE_PATHMOD_FULL,	/* ReplaceFullPath */
	KGATE_PATHMOD_PREFIX,	/* ReplacePrefixMatch */
	__KGATE_PATHMOD_MAX
};

/* RequestRedirect; attributes left out keep the request's value. */
enum kgate_redirect_attr {
	KGATE_REDIR_A_UNSPEC,
	KGATE_REDIR_A_SCHEME,		/* string, "http" or "https" */
	KGATE_REDIR_A_HOSTNAME,		/* string */
	KGATE_REDIR_A_PORT,		/* u16, 1..65535 */
	KGATE_REDIR_A_PATH_TYPE,	/* u8, enum kgate_pathmod_type */
	KGATE_REDIR_A_PATH,		/* string */
	KGATE_REDIR_A_STATUS,		/* u16, 301, 302, 303, 307, 308; default 302 */
	__KGATE_REDIR_A_MAX
};

#define KGATE_REDIR_A_MAX (__KGATE_REDIR_A_MAX - 1)

/* URLRewrite. */
enum kgate_rewrite_attr {
	KGATE_REWR_A_UNSPEC,
	KGATE_REWR_A_HOSTNAME,		/* string */
	KGATE_REWR_A_PATH_TYPE,		/* u8, enum kgate_pathmod_type */
	KGATE_REWR_A_PATH,		/* string */
	__KGATE_REWR_A_MAX
};

#define KGATE_REWR_A_MAX (__KGATE_REWR_A_MAX - 1)

/*
 * An access-log record, sent on the events group (KGATE_CMD_ACCESS) for
 * each request a listener with KGATE_LIS_F_ACCESS_LOG answered.  Records
 * are never waited for: when the group's listeners do not keep up, they
 * are dropped and counted (KGATE_L7C_A_LOG_DROPPED).
 */
enum kgate_access_attr {
	KGATE_ACC_A_UNSPEC,
	KGATE_ACC_A_TIME,		/* u64, ns since the epoch, request start */
	KGATE_ACC_A_CLIENT_ADDR,	/* binary 4 or 16 bytes */
	KGATE_ACC_A_CLIENT_PORT,	/* u16 */
	KGATE_ACC_A_LISTENER,		/* string */
	KGATE_ACC_A_ROUTE,		/* string; none when no route matched */
	KGATE_ACC_A_HOST,		/* string, as the request gave it */
	KGATE_ACC_A_METHOD,		/* string */
	KGATE_ACC_A_PATH,		/* string, the target as received */
	KGATE_ACC_A_STATUS,		/* u16 */
	KGATE_ACC_A_BYTES_IN,		/* u64, request, head included */
	KGATE_ACC_A_BYTES_OUT,		/* u64, response, head included */
	KGATE_ACC_A_UPSTREAM_ADDR,	/* binary 4 or 16; none: answered by kgate */
	KGATE_ACC_A_UPSTREAM_PORT,	/* u16 */
	KGATE_ACC_A_TTFB,		/* u32, us to the response's first byte */
	KGATE_ACC_A_DURATION,		/* u32, us to the response's last byte */
	KGATE_ACC_A_PAD,
	__KGATE_ACC_A_MAX
};

#define KGATE_ACC_A_MAX (__KGATE_ACC_A_MAX - 1)

#endif /* _UAPI_LINUX_KGATE_H */

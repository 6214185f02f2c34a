/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node's settings (NODE_SET / NODE_GET): what kgate must know of the
 * node itself, today the cluster's Pod ranges, whose traffic to a Local
 * external frontend is short-circuited to every backend, as kube-proxy
 * does with --cluster-cidr.
 */
#ifndef KGATE_NODE_H
#define KGATE_NODE_H

#include <stddef.h>

#include <linux/kgate.h>

#include "kgate_err.h"
#include "kgate_model.h"
#include "kgate_nl.h"

struct kgate_node {
	struct kgate_range local[KGATE_RANGES_MAX];
	size_t n_local;
};

/* KGATE_A_NODE into @nlh (room @buflen): 0 or -EMSGSIZE. */
int kgate_put_node(struct nlmsghdr *nlh, size_t buflen,
		   const struct kgate_node *node);
/* A KGATE_A_NODE nest: 0, or -EINVAL with @why filled in. */
int kgate_parse_node(const struct nlattr *nest, struct kgate_node *node,
		     char *why, size_t whylen);

int kgate_node_set(struct kgate_sock *s, const struct kgate_node *node,
		   struct kgate_err *e);
int kgate_node_get(struct kgate_sock *s, struct kgate_node *node,
		   struct kgate_err *e);

#endif

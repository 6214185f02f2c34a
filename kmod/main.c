// SPDX-License-Identifier: GPL-2.0
/*
 * kgate: Kubernetes Service and Ingress data plane in the kernel.
 *
 * Module entry points, limits, and the per network namespace state.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "kgate.h"

unsigned int kgate_max_services = 262144;
module_param_named(max_services, kgate_max_services, uint, 0644);
MODULE_PARM_DESC(max_services, "Services per network namespace");

unsigned int kgate_max_backends = KGATE_BACKENDS_MAX;
module_param_named(max_backends, kgate_max_backends, uint, 0644);
MODULE_PARM_DESC(max_backends,
		 "Backends per service (at most " __stringify(KGATE_BACKENDS_MAX) ")");

unsigned int kgate_net_id __read_mostly;

/* Frees retired objects, sweeps affinity tables. */
struct workqueue_struct *kgate_wq;

static int __net_init kgate_net_init(struct net *net)
{
	struct kgate_net *kn = kgate_pernet(net);

	mutex_init(&kn->lock);
	INIT_LIST_HEAD(&kn->services);
	INIT_LIST_HEAD(&kn->txns);
	kn->net = net;
	kgate_aff_gc_init(kn);
	return kgate_tables_init(kn);
}

static void __net_exit kgate_net_exit(struct net *net)
{
	struct kgate_net *kn = kgate_pernet(net);

	kgate_txns_destroy(kn);
	kgate_aff_gc_stop(kn);
	if (kn->nat_on)
		kgate_flows_forget_all(kn);
	kgate_nat_disable(kn);
	kgate_tables_destroy(kn);
	mutex_destroy(&kn->lock);
}

static struct pernet_operations kgate_net_ops = {
	.init = kgate_net_init,
	.exit = kgate_net_exit,
	.id = &kgate_net_id,
	.size = sizeof(struct kgate_net),
};

static int __init kgate_init(void)
{
	int err;

	kgate_wq = alloc_workqueue("kgate", 0, 0);
	if (!kgate_wq)
		return -ENOMEM;
	err = register_pernet_subsys(&kgate_net_ops);
	if (err)
		goto err_wq;
	err = kgate_txn_notifier_register();
	if (err)
		goto err_pernet;
	err = kgate_genl_register();
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	kgate_txn_notifier_unregister();
err_pernet:
	unregister_pernet_subsys(&kgate_net_ops);
err_wq:
	destroy_workqueue(kgate_wq);
	return err;
}

static void __exit kgate_exit(void)
{
	kgate_genl_unregister();
	kgate_txn_notifier_unregister();
	unregister_pernet_subsys(&kgate_net_ops);
	/*
	 * Objects retired by the last commits wait for a grace period, then
	 * for kgate_wq: the barrier gets them all onto the queue, and
	 * destroying the queue runs them.
	 */
	rcu_barrier();
	destroy_workqueue(kgate_wq);
}

module_init(kgate_init);
module_exit(kgate_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kubernetes Service and Ingress data plane");
MODULE_ALIAS_GENL_FAMILY(KGATE_GENL_NAME);

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

unsigned int kgate_max_affinity = 1048576;
module_param_named(max_affinity_clients, kgate_max_affinity, uint, 0644);
MODULE_PARM_DESC(max_affinity_clients,
		 "ClientIP affinity entries per network namespace");

unsigned int kgate_max_batch_mb = 256;
module_param_named(max_batch_mb, kgate_max_batch_mb, uint, 0644);
MODULE_PARM_DESC(max_batch_mb,
		 "Requests one batch may stage, in MiB (the memory they take is about as much)");

bool kgate_counters __read_mostly = true;
module_param_named(counters, kgate_counters, bool, 0444);
MODULE_PARM_DESC(counters,
		 "Count packets and bytes per service and backend (a hook on every packet of kgate's connections)");

unsigned int kgate_nat_idle_secs = 60;
module_param_named(nat_idle_secs, kgate_nat_idle_secs, uint, 0644);
MODULE_PARM_DESC(nat_idle_secs,
		 "With no service left, how often to check whether kgate's flows are gone and its NAT hooks can go");

unsigned int kgate_net_id __read_mostly;

/* Frees retired objects, sweeps affinity tables. */
struct workqueue_struct *kgate_wq;

static int __net_init kgate_net_init(struct net *net)
{
	struct kgate_net *kn = kgate_pernet(net);

	int err;

	mutex_init(&kn->lock);
	INIT_LIST_HEAD(&kn->txns);
	kn->net = net;
	kgate_nat_init(kn);
	kgate_aff_init(kn);
	err = kgate_tables_init(kn);
	if (err)
		return err;
	err = kgate_l7_net_init(kn);
	if (err)
		kgate_tables_destroy(kn);
	return err;
}

/*
 * The hooks go first: the core waits for a grace period between .pre_exit
 * and .exit, so no CPU is inside them when .exit frees what they read.
 * (nf_unregister_net_hook() itself does not wait for one.)
 */
static void __net_exit kgate_net_pre_exit(struct net *net)
{
	struct kgate_net *kn = kgate_pernet(net);

	cancel_delayed_work_sync(&kn->nat_idle);
	kgate_aff_gc_stop(kn);
	mutex_lock(&kn->lock);
	kn->forget = kn->nat_on;
	kgate_nat_disable(kn);
	/* Kernel sockets hold no reference on the netns: close them now. */
	kgate_l7_close_all(kn);
	mutex_unlock(&kn->lock);
	kgate_l7_net_pre_exit(kn);
}

static void __net_exit kgate_net_exit(struct net *net)
{
	struct kgate_net *kn = kgate_pernet(net);

	kgate_txns_destroy(kn);
	kgate_l7_net_exit(kn);
	/* Module unload: the VIPs stop working, their flows with them. */
	if (kn->forget)
		kgate_flows_forget_all(kn);
	kgate_tables_destroy(kn);
	/*
	 * Affinity tables are put by queued frees, which take this netns'
	 * aff_lock: wait for them all, where there ever was one.
	 */
	if (kn->had_aff) {
		rcu_barrier();
		flush_workqueue(kgate_wq);
	}
	WARN_ON_ONCE(!list_empty(&kn->affs));
	kgate_node_free(rcu_dereference_protected(kn->node, true));
	mutex_destroy(&kn->lock);
}

static struct pernet_operations kgate_net_ops = {
	.init = kgate_net_init,
	.pre_exit = kgate_net_pre_exit,
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
	err = kgate_nat_module_init();
	if (err)
		goto err_wq;
	err = kgate_l7_module_init();
	if (err)
		goto err_nat;
	err = register_pernet_subsys(&kgate_net_ops);
	if (err)
		goto err_l7;
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
err_l7:
	kgate_l7_module_exit();
err_nat:
	kgate_nat_module_exit();
err_wq:
	destroy_workqueue(kgate_wq);
	return err;
}

static void __exit kgate_exit(void)
{
	kgate_genl_unregister();
	kgate_txn_notifier_unregister();
	unregister_pernet_subsys(&kgate_net_ops);
	kgate_l7_module_exit();
	kgate_nat_module_exit();
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

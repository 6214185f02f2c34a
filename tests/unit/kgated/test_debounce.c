// SPDX-License-Identifier: GPL-2.0
/*
 * kgated's debounce on the host: a change after a quiet period is due at
 * once (the leading edge); the burst that follows is one reconcile, due a
 * quiet period after its last change, never later than ten of them after
 * its first; a retry is not postponed by changes; nothing is due before
 * its time or twice.
 */
#include "kgated.h"
#include "tap.h"

TEST(test_nothing_pending)
{
	struct kgd_debounce db;

	kgd_debounce_init(&db, 200);
	CHECK(!db.pending);
	CHECK(!kgd_debounce_take(&db, 0));
	CHECK(!kgd_debounce_take(&db, 1000000));
}

TEST(test_one_change)
{
	struct kgd_debounce db;

	kgd_debounce_init(&db, 200);
	/* the first change, after nothing: at once */
	kgd_debounce_poke(&db, 1000);
	CHECK_INT(kgd_debounce_due(&db), 1000);
	CHECK(!kgd_debounce_take(&db, 999));
	CHECK(kgd_debounce_take(&db, 1000));
	/* consumed: not due twice */
	CHECK(!kgd_debounce_take(&db, 1300));
	/* another after a quiet period: at once again */
	kgd_debounce_poke(&db, 1200);
	CHECK(kgd_debounce_take(&db, 1200));
}

TEST(test_burst_is_one_reconcile_after_the_first)
{
	struct kgd_debounce db;
	int takes = 0, lead = 0;
	uint64_t t;

	kgd_debounce_init(&db, 200);
	/* an editor: write, rename, delete the swap file, 50 ms apart */
	for (t = 1000; t <= 1100; t += 50) {
		kgd_debounce_poke(&db, t);
		if (kgd_debounce_take(&db, t))
			lead += t == 1000;
	}
	/* the first at once, the rest of the burst 200 ms after its last */
	CHECK_INT(lead, 1);
	CHECK_INT(kgd_debounce_due(&db), 1300);
	for (t = 1100; t <= 2000; t += 10)
		takes += kgd_debounce_take(&db, t);
	CHECK_INT(takes, 1);
}

TEST(test_leading_edge_not_postponed)
{
	struct kgd_debounce db;

	kgd_debounce_init(&db, 200);
	/* two events read apart before the loop took the first */
	kgd_debounce_poke(&db, 1000);
	kgd_debounce_poke(&db, 1001);
	CHECK_INT(kgd_debounce_due(&db), 1000);
	CHECK(kgd_debounce_take(&db, 1001));
	CHECK(!db.pending);
}

TEST(test_trickle_is_capped)
{
	struct kgd_debounce db;
	uint64_t t, fired = 0;

	kgd_debounce_init(&db, 100);
	kgd_debounce_poke(&db, 0);
	CHECK(kgd_debounce_take(&db, 0));
	/* then a change every 50 ms for ever: due 10 periods after the first */
	for (t = 50; t < 5000 && !fired; t += 50) {
		if (kgd_debounce_take(&db, t))
			fired = t;
		else
			kgd_debounce_poke(&db, t);
	}
	CHECK_INT(fired, 1050);
	/* still a trickle: the next burst is debounced too */
	kgd_debounce_poke(&db, 1060);
	CHECK_INT(kgd_debounce_due(&db), 1160);
}

TEST(test_zero_delay)
{
	struct kgd_debounce db;

	kgd_debounce_init(&db, 0);
	kgd_debounce_poke(&db, 500);
	CHECK(kgd_debounce_take(&db, 500));
}

TEST(test_retry_within)
{
	struct kgd_debounce db;

	kgd_debounce_init(&db, 200);
	kgd_debounce_within(&db, 0, 1000);
	CHECK_INT(kgd_debounce_due(&db), 1000);
	/* a change before the retry brings it forward */
	kgd_debounce_poke(&db, 100);
	CHECK_INT(kgd_debounce_due(&db), 300);
	CHECK(kgd_debounce_take(&db, 300));
	/* a retry never postpones what is due sooner */
	kgd_debounce_poke(&db, 1000);
	kgd_debounce_within(&db, 1000, 5000);
	CHECK_INT(kgd_debounce_due(&db), 1000);
}

int main(void)
{
	RUN(test_nothing_pending);
	RUN(test_one_change);
	RUN(test_burst_is_one_reconcile_after_the_first);
	RUN(test_leading_edge_not_postponed);
	RUN(test_trickle_is_capped);
	RUN(test_zero_delay);
	RUN(test_retry_within);
	return tap_done();
}

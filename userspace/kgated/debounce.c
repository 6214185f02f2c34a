// SPDX-License-Identifier: GPL-2.0
/*
 * Debounce: a change after a quiet period is taken at once; the burst
 * that may follow becomes one reconcile, @delay after the last of its
 * changes, and at most @max after the first.
 */
#include "kgated.h"

/* A steady trickle of changes still syncs every ten quiet periods. */
#define KGD_DEBOUNCE_MAX_FACTOR	10

void kgd_debounce_init(struct kgd_debounce *db, uint64_t delay_ms)
{
	db->delay = delay_ms;
	db->max = delay_ms * KGD_DEBOUNCE_MAX_FACTOR;
	db->first = db->due = db->last = 0;
	db->pending = db->leading = db->seen = false;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void kgd_debounce_poke(struct kgd_debounce *db, uint64_t now)
{
	bool quiet = !db->seen || now - db->last >= db->delay;

	db->seen = true;
	db->last = now;
	if (!db->pending) {
		db->pending = true;
		db->leading = quiet;
		db->first = now;
		db->due = quiet ? now : now + db->delay;
		return;
	}
	/* a leading edge not yet taken is not postponed */
	if (!db->leading)
		db->due = min_u64(now + db->delay, db->first + db->max);
}

void kgd_debounce_within(struct kgd_debounce *db, uint64_t now, uint64_t ms)
{
	if (!db->pending) {
		db->pending = true;
		db->leading = false;
		db->first = now;
		db->due = now + ms;
		return;
	}
	db->due = min_u64(db->due, now + ms);
}

bool kgd_debounce_take(struct kgd_debounce *db, uint64_t now)
{
	if (!db->pending || now < db->due)
		return false;
	db->pending = false;
	return true;
}

uint64_t kgd_debounce_due(const struct kgd_debounce *db)
{
	return db->due;
}

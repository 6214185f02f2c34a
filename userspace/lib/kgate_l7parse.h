/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text to L7 values: durations and sizes with unit suffixes, and the
 * reverse for output.
 *
 * Durations: N (milliseconds), Nms, Ns, Nm.  Sizes: N (bytes), Nk (KiB),
 * Nm (MiB).  Both refuse signs, blanks, fractions and overflow beyond
 * @max: -EINVAL (not of the form) or -ERANGE (too large).
 */
#ifndef KGATE_L7PARSE_H
#define KGATE_L7PARSE_H

#include <stddef.h>
#include <stdint.h>

int kgate_parse_ms(const char *s, uint64_t max, uint64_t *ms);
int kgate_parse_size(const char *s, uint64_t max, uint64_t *bytes);

/* "60s" when whole seconds, else "500ms". */
const char *kgate_ms_str(uint64_t ms, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An access-log record as one line of the combined log format, with
 * kgate's fields after it:
 *
 *   CLIENT - - [01/Dec/2026:11:35:19 +0000] "GET /path HTTP/1.1" 200 1234
 *   "-" "-" host=H listener=L route=R upstream=ADDR:PORT ttfb=Nus
 *   time=Nus in=N
 *
 * (one line).  The record carries neither the protocol version (kgate
 * speaks HTTP/1.1 only), the referrer nor the user agent: those are
 * written as "HTTP/1.1", "-" and "-".  The size is the response's, head
 * included.  Absent values are "-"; bytes outside printable ASCII, quotes,
 * backslashes and blanks are written as \xHH, as
 * nginx does, so that a line cannot be forged.
 */
#ifndef KGATE_ACCESSLOG_H
#define KGATE_ACCESSLOG_H

#include <stdio.h>

#include "kgate_l7.h"

void kgate_access_print(FILE *f, const struct kgate_access *a);
/* "01/Dec/2026:11:35:19 +0000" for @ns since the epoch, in UTC. */
const char *kgate_clf_time(uint64_t ns, char *buf, size_t len);

#endif

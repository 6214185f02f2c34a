/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kt_l7: listeners and routes for the selftests, written as text and read
 * back as the same text, independent of libkgate.
 *
 * A nest is written as its attributes, by the names of the enums of
 * <linux/kgate.h> in lower case without prefix:
 *
 *   name=web addr=198.18.0.1 port=8080 limits{head_bytes=2048}
 *   name=r listeners[web web6] rules[{matches[{path_type=1 path=/a}]
 *       backends[{service=s weight=3}]}]
 *
 * scalar=VALUE (numbers in decimal, addresses as text, strings bare or in
 * double quotes: "" is the empty string), nest{...}, list[...] of {...}
 * entries or of strings.  A value is written with the width of its
 * attribute's type, whatever the number: mode=300 is the byte 44.
 *
 * Read back (kt_l7_text), a nest is canonical: attributes in the order of
 * their type numbers, list entries in the order received, counters and
 * padding left out, an attribute the schema does not know as attrN=LEN.
 * Equal configurations give equal text.
 */
#ifndef KT_L7_H
#define KT_L7_H

#include <stddef.h>

#include "kgate_test.h"

enum kt_l7_obj { KT_LISTENER, KT_ROUTE };

/*
 * Append the KGATE_A_LISTENER or KGATE_A_ROUTE nest described by @text.
 * Returns 0, or -EINVAL for text that does not parse (a bug of the test,
 * reported on stderr).
 */
int kt_l7_put(struct kt_msg *m, enum kt_l7_obj obj, const char *text);
/* The canonical text of a KGATE_A_LISTENER or KGATE_A_ROUTE nest. */
void kt_l7_text(const struct nlattr *nest, enum kt_l7_obj obj, char *buf,
		size_t len);
/* Build and send @cmd with the object @text.  0 or a positive errno. */
int kt_l7_cmd(struct kt_sock *s, uint8_t cmd, enum kt_l7_obj obj,
	      const char *text, struct kt_err *e);
/* GET of the object named @name, as canonical text into @out. */
int kt_l7_get(struct kt_sock *s, enum kt_l7_obj obj, const char *name,
	      char *out, size_t len, struct kt_err *e);
/*
 * Dump of every object of the kind, each one's text on a line of its
 * own, sorted; *@n gets their number.
 */
int kt_l7_dump(struct kt_sock *s, enum kt_l7_obj obj, char *out, size_t len,
	       int *n, struct kt_err *e);
/*
 * @got (canonical text) is @want, but for top-level attributes of @got
 * that appear word for word in @optional (defaults the kernel may or may
 * not report).  0, or -1 with the first difference in @why.
 */
int kt_l7_expect(const char *got, const char *want, const char *optional,
		 char *why, size_t whylen);

#endif

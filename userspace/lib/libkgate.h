/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgate: every public header of the kgate netlink client library.
 * Public headers are named kgate_*.h; ack.h, dec.h, enc.h and genl.h are
 * the library's own.
 */
#ifndef LIBKGATE_H
#define LIBKGATE_H

#include "kgate_attrpath.h"	/* attribute names from extack offsets */
#include "kgate_err.h"		/* error reports */
#include "kgate_format.h"	/* addresses, endpoints, prefixes as text */
#include "kgate_l7.h"		/* listener, route, access record */
#include "kgate_l7cmd.h"	/* listener and route commands */
#include "kgate_l7msg.h"	/* listener and route encode / decode */
#include "kgate_l7parse.h"	/* durations and sizes */
#include "kgate_model.h"	/* service, frontend, backend, range, stats */
#include "kgate_monitor.h"	/* events, on a socket of their own */
#include "kgate_msg.h"		/* encode / decode */
#include "kgate_names.h"	/* enum keywords */
#include "kgate_nl.h"		/* the socket, one request at a time */
#include "kgate_node.h"		/* the node's settings */
#include "kgate_obj.h"		/* any object in a request */
#include "kgate_parse.h"	/* addresses, endpoints, prefixes from text */
#include "kgate_pipe.h"		/* pipelined sending */
#include "kgate_service.h"	/* commands */
#include "kgate_state.h"	/* whole configurations: normalise, diff */
#include "kgate_txn.h"		/* transactions: lists of operations */

#endif

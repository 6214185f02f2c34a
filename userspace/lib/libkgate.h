/* SPDX-License-Identifier: GPL-2.0 */
/* libkgate: every public header of the kgate netlink client library. */
#ifndef LIBKGATE_H
#define LIBKGATE_H

#include "accesslog.h"	/* access-log records as text */
#include "attrpath.h"	/* attribute names from extack offsets */
#include "err.h"	/* error reports */
#include "format.h"	/* model to text */
#include "json.h"	/* JSON writer */
#include "l7.h"		/* listener, route, access record */
#include "l7cmd.h"	/* listener and route commands */
#include "l7msg.h"	/* listener and route encode / decode */
#include "l7parse.h"	/* durations and sizes */
#include "model.h"	/* service, frontend, backend, range, stats */
#include "monitor.h"	/* events */
#include "msg.h"	/* encode / decode */
#include "names.h"	/* enum keywords */
#include "nl.h"		/* socket, transactions */
#include "obj.h"	/* any object in a request */
#include "node.h"	/* the node's settings */
#include "parse.h"	/* text to model */
#include "pipe.h"	/* pipelined batches */
#include "service.h"	/* commands */

#endif

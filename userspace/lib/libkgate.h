/* SPDX-License-Identifier: GPL-2.0 */
/* libkgate: every public header of the kgate netlink client library. */
#ifndef LIBKGATE_H
#define LIBKGATE_H

#include "attrpath.h"	/* attribute names from extack offsets */
#include "err.h"	/* error reports */
#include "format.h"	/* model to text */
#include "json.h"	/* JSON writer */
#include "model.h"	/* service, frontend, backend, range, stats */
#include "monitor.h"	/* events */
#include "msg.h"	/* encode / decode */
#include "names.h"	/* enum keywords */
#include "nl.h"		/* socket, transactions */
#include "node.h"	/* the node's settings */
#include "parse.h"	/* text to model */
#include "pipe.h"	/* pipelined batches */
#include "service.h"	/* commands */

#endif

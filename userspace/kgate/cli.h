/* SPDX-License-Identifier: GPL-2.0 */
/* The kgate CLI: shared declarations. */
#ifndef KGATE_CLI_H
#define KGATE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libkgate.h"
#include "kk.h"

#include "accesslog.h"	/* access records as text */
#include "json.h"		/* JSON writer */

/* kgate -V; the same as PACKAGE_VERSION in dkms.conf */
#define KGATE_VERSION	"0.1.0"

/* Where "kgate -n NAME" finds network namespace NAME, as "ip -n" does. */
#define KGATE_NETNS_DIR	"/run/netns"

/* Exit status */
#define CLI_OK		0
#define CLI_FAIL	1	/* refused by the kernel, or a runtime error */
#define CLI_USAGE	2

/* Global options. */
struct cli {
	bool json;
	bool pretty;
	bool stats;	/* -s: data plane counters in service show */
	bool help;	/* -h */
	bool version;	/* -V */
	const char *netns;	/* -n NETNS, or NULL */
};

/* --- options.c: global options, network namespace, dispatch ---------- */
/*
 * Parse the global options (getopt_long; "--" ends them) into @cli.
 * Returns the index of OBJECT (@argc when there is none), or -1 with a
 * reason in @why.
 */
int cli_options(int argc, char **argv, struct cli *cli, char *why,
		size_t whylen);
/*
 * Move this process into network namespace @name: KGATE_NETNS_DIR/NAME,
 * or the path itself when @name has a '/' (/proc/PID/ns/net).  Returns 0,
 * or -1 with "cannot enter netns NAME: REASON" in @why.
 */
int cli_enter_netns(const char *name, char *why, size_t whylen);
/* Everything main() does; returns the exit status. */
int cli_main(int argc, char **argv);

/* --- args.c: a cursor over arguments, and usage errors ---------------- */
struct args {
	int argc;
	char **argv;
	int i;
	char *why;		/* reason of a usage error */
	size_t whylen;
};

void args_init(struct args *a, int argc, char **argv, char *why,
	       size_t whylen);
const char *args_next(struct args *a);	/* NULL at the end */
bool args_more(const struct args *a);
/* Record a usage error; returns -1. */
int args_fail(struct args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The value after keyword @kw. */
int args_value(struct args *a, const char *kw, const char **out);
int args_u32(struct args *a, const char *kw, uint32_t *out);
int args_keyword(struct args *a, const char *kw,
		 const struct kgate_name *table, uint8_t *out);
int args_endpoint(struct args *a, const char *kw, unsigned int flags,
		  struct kgate_endpoint *ep);
int args_prefix(struct args *a, const char *kw, struct kgate_range *r);
int args_end(struct args *a);	/* error if anything is left */

/* --- svcspec.c: service and backend syntax ---------------------------- */
/*
 * Backend options at the cursor (the keyword @tok was just taken): weight
 * N, state S, local, and nolocal (the default said out loud, as "service
 * save" writes it).  Returns 1 when @tok was one, 0 when it was not, -1
 * on a usage error.
 */
int spec_backend_opt(struct args *a, const char *tok,
		     struct kgate_backend *be);
/* Everything after the service NAME of "service add|replace". */
int spec_service(struct args *a, struct kgate_service *svc);

/* --- cmdline.c: one mutating command ---------------------------------- */
struct cli_cmd {
	uint8_t cmd;			/* KGATE_CMD_* */
	struct kgate_service svc;	/* name and what the command carries */
	bool has_svc;			/* FLUSH has none */
	struct kgate_listener lis;	/* listener commands */
	struct kgate_route rt;		/* route commands */
	enum kgate_obj_kind obj;	/* which of the three it carries */
};

/*
 * Parse "OBJECT VERB ARGS..." (argv[0] is OBJECT) of a command that
 * changes the configuration.  Returns 0, or -1 with a reason in @why.
 * Free @c with cli_cmd_free() in both cases.
 */
int cli_parse_mutation(int argc, char **argv, struct cli_cmd *c, char *why,
		       size_t whylen);
void cli_cmd_free(struct cli_cmd *c);
/* The object @c carries, for kgate_mutate_obj() and batches. */
struct kgate_obj cli_cmd_obj(const struct cli_cmd *c);
/* Send one parsed command, print the refusal; returns an exit status. */
int cli_run_mutation(const struct cli_cmd *c);

/* --- lisspec.c / rtspec.c: listener and route syntax ------------------ */
/* Everything after the NAME of "listener add|replace": ADDR:PORT SPEC... */
int spec_listener(struct args *a, struct kgate_listener *l);
/* Everything after the NAME of "route add|replace". */
int spec_route(struct args *a, struct kgate_route *r);
/* "unlimited", or a size N, Nk, Nm within @max (@kw names it). */
int args_size(struct args *a, const char *kw, uint64_t max, bool unlimited,
	      uint64_t *out);
/* A duration N, Nms, Ns, Nm, in ms, within @max. */
int args_ms(struct args *a, const char *kw, uint64_t max, uint32_t *out);

/* --- batch.c ------------------------------------------------------------ */
struct batch_line {
	unsigned int line;		/* line number in the file */
	struct cli_cmd cmd;
};

struct batch_file {
	struct batch_line *lines;
	size_t n, cap;
};

/*
 * Read and parse every command of @f; usage errors are printed to @err as
 * "kgate: NAME:LINE: reason".  Returns the number of errors, or -1 when
 * reading failed (printed too).
 */
int batch_read(FILE *f, const char *name, struct batch_file *bf, FILE *err);

/* words.c: a batch line's words, and words written to read back the same */
int cli_split(char *line, char ***argv, size_t *cap);
void cli_put_word(FILE *f, const char *s);
void cli_put_kv(FILE *f, const char *name, const char *value);
void batch_free(struct batch_file *bf);
int cmd_batch(const struct cli *cli, int argc, char **argv);
/* apply.c: kgate apply */
int cmd_apply(const struct cli *cli, int argc, char **argv);
/* get.c: kgate get */
int cmd_get(const struct cli *cli, int argc, char **argv);

/* --- show.c: service show and service save ---------------------------- */
struct show_query {
	const char *name;	/* one service by name, or NULL */
	bool by_frontend;	/* the services that own frontend @fe */
	bool any_kind;		/* "vip ADDR:PORT": a frontend of any kind */
	bool any_addr;		/* "nodeport PORT": on any address */
	bool any_proto;		/* no protocol given: any */
	struct kgate_frontend fe;
	bool save;		/* service save: "service replace" lines */
	char desc[128];		/* the frontend as given, for messages */
};

/*
 * The arguments after "service show|save" (argv[0] is the first):
 * nothing, NAME, or KIND ADDR:PORT[/PROTO] [PROTO].  Returns 0, or -1 with
 * a reason in @why.
 */
int show_parse(int argc, char **argv, struct show_query *q, char *why,
	       size_t whylen);
/* Does @svc have a frontend that @q asks for? */
bool show_match(const struct show_query *q, const struct kgate_service *svc);
/*
 * Where services come from: calls @cb for each of the services @q names
 * (all of them when by frontend; the filter is applied by the caller),
 * returns 0 or a negative errno with @e filled in.
 */
typedef int (*show_source)(void *ctx, const struct show_query *q,
			   kgate_service_cb cb, void *data,
			   struct kgate_err *e);
/* The kernel, over netlink: SERVICE_GET by name or a dump. */
int show_from_kernel(void *ctx, const struct show_query *q,
		     kgate_service_cb cb, void *data, struct kgate_err *e);
/*
 * Print what @q asks for to @out, only once @src succeeded: a failure
 * prints nothing on @out, its error on stderr.  Returns an exit status.
 */
int show_run(const struct cli *cli, const struct show_query *q,
	     show_source src, void *ctx, FILE *out);

/* --- held.c: output written only once it is whole -------------------- */
struct held {
	FILE *f;		/* write here; JSON output through @j */
	struct kgate_json j;
	bool json;		/* an array around the objects */
	char *buf;
	size_t len;
};

int held_open(struct held *h, const struct cli *cli, bool json);
/*
 * End @h: with @err, print @e and nothing else; with @none, print that
 * message and fail; else write everything to @out.  An exit status.
 */
int held_close(struct held *h, int err, struct kgate_err *e, FILE *out,
	       const char *none);

/* --- output.c: services as text and JSON ---------------------------- */
void print_service_text(FILE *f, const struct kgate_service *svc, bool stats);
/*
 * One "service replace NAME ..." line with every option the model has, for
 * "kgate batch -f" to restore; counters are left out.
 */
void print_service_save(FILE *f, const struct kgate_service *svc);
void print_service_json(struct kgate_json *j, const struct kgate_service *svc,
			bool stats);
void print_stats_text(FILE *f, const struct kgate_stats *st);
void print_stats_json(struct kgate_json *j, const struct kgate_stats *st);

/* --- l7show.c: listener / route show and save ----------------------- */
struct l7_query {
	bool route;		/* routes, else listeners */
	const char *name;	/* one by name, or NULL: all */
	bool save;		/* "replace" lines for kgate batch -f */
};

/* Where listeners and routes come from; see show_source. */
typedef int (*l7_source)(void *ctx, const struct l7_query *q,
			 kgate_listener_cb lcb, kgate_route_cb rcb,
			 void *data, struct kgate_err *e);
int l7_from_kernel(void *ctx, const struct l7_query *q,
		   kgate_listener_cb lcb, kgate_route_cb rcb, void *data,
		   struct kgate_err *e);
/* As show_run(): nothing on @out unless @src succeeded. */
int l7_show_run(const struct cli *cli, const struct l7_query *q,
		l7_source src, void *ctx, FILE *out);

/* --- lisout.c / rtout.c: listeners and routes as text and JSON ------- */
void print_listener_text(FILE *f, const struct kgate_listener *l,
			 bool stats);
void print_listener_save(FILE *f, const struct kgate_listener *l);
void print_listener_json(struct kgate_json *j,
			 const struct kgate_listener *l, bool stats);
void print_route_text(FILE *f, const struct kgate_route *r, bool stats);
void print_route_save(FILE *f, const struct kgate_route *r);
void print_route_json(struct kgate_json *j, const struct kgate_route *r,
		      bool stats);
/* The -s line of listeners and routes, and its JSON object. */
void print_l7_counters_text(FILE *f, const struct kgate_l7_counters *c);
void print_l7_counters_json(struct kgate_json *j,
			    const struct kgate_l7_counters *c);
/* An access record as one JSON object. */
void print_access_json(struct kgate_json *j, const struct kgate_access *a);

/* --- errors.c --------------------------------------------------------- */
/* "kgate: [CONTEXT: ]PATH: MESSAGE (ENAME)" to stderr. */
void print_err(const char *context, const struct kgate_err *e);
/*
 * The same for a refusal of a command the context already identifies:
 * the kernel's "cmd N seq M: " prefix is left out.
 */
void print_refusal(const char *context, const struct kgate_err *e);
/* "kgate: MESSAGE" to stderr; returns CLI_USAGE. */
int usage_error(const char *msg);

/* --- object commands --------------------------------------------------- */
int cmd_service(const struct cli *cli, int argc, char **argv);
int cmd_backend(const struct cli *cli, int argc, char **argv);
int cmd_flush(const struct cli *cli, int argc, char **argv);
int cmd_stats(const struct cli *cli, int argc, char **argv);
int cmd_monitor(const struct cli *cli, int argc, char **argv);
int cmd_node(const struct cli *cli, int argc, char **argv);
int cmd_listener(const struct cli *cli, int argc, char **argv);
int cmd_route(const struct cli *cli, int argc, char **argv);

/* --- node.c ----------------------------------------------------------- */
void usage_node(FILE *f);
void print_node_text(FILE *f, const struct kgate_node *node);
void print_node_json(struct kgate_json *j, const struct kgate_node *node);

/* --- usage.c ---------------------------------------------------------- */
void usage_main(FILE *f);
void usage_service(FILE *f);
void usage_backend(FILE *f);
void usage_batch(FILE *f);
void usage_apply(FILE *f);
void usage_get(FILE *f);
void usage_listener(FILE *f);
void usage_route(FILE *f);
bool is_help(const char *arg);
/*
 * "OBJECT help" or "OBJECT VERB help" (@argv[0] is OBJECT): the help
 * word in place of the verb or of its arguments.
 */
bool wants_help(int argc, char **argv);
/*
 * For a command that takes no argument: CLI_OK after printing the usage
 * for "help", CLI_USAGE for anything else, CLI_GO when there is nothing.
 */
#define CLI_GO (-1)
int no_args(int argc, char **argv);

#endif

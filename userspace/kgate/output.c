// SPDX-License-Identifier: GPL-2.0
/* Services and stats as text (the command syntax) and as JSON. */
#include <inttypes.h>

#include <linux/kgate.h>

#include "cli.h"

/* Keyword of @v in @table, or its number. */
static const char *name_or_num(const struct kgate_name *table, unsigned int v,
			       char *buf, size_t len)
{
	const char *name = kgate_name_of(table, v);

	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

static void frontend_text(FILE *f, const struct kgate_frontend *fe)
{
	char ep[KGATE_ENDPOINT_STRLEN], proto[8], kind[8];

	fprintf(f, "    %s %s/%s\n",
		name_or_num(kgate_kind_names, fe->kind, kind, sizeof(kind)),
		kgate_endpoint_str(&fe->addr, fe->port, ep, sizeof(ep)),
		kgate_proto_str(fe->proto, proto, sizeof(proto)));
}

static void counters_text(FILE *f, const char *indent,
			  const struct kgate_counters *cnt)
{
	fprintf(f, "%sconns %" PRIu64 " packets %" PRIu64 " bytes %" PRIu64
		"\n", indent, cnt->conns, cnt->packets, cnt->bytes);
}

static void backend_text(FILE *f, const struct kgate_backend *be, bool stats)
{
	char ep[KGATE_ENDPOINT_STRLEN], state[8];
	const char *st = kgate_name_of(kgate_state_names, be->state);

	fprintf(f, "    backend %s weight %" PRIu32,
		kgate_endpoint_str(&be->addr, be->port, ep, sizeof(ep)),
		be->weight);
	if (st) {
		fprintf(f, " %s", st);
	} else {
		snprintf(state, sizeof(state), "%u", be->state);
		fprintf(f, " state %s", state);
	}
	if (be->flags & KGATE_BE_F_LOCAL)
		fputs(" local", f);
	if (be->flags & ~KGATE_BE_F_ALL)
		fprintf(f, " flags 0x%" PRIx32, be->flags & ~KGATE_BE_F_ALL);
	fputc('\n', f);
	if (stats && be->has & KGATE_BE_HAS_COUNTERS)
		counters_text(f, "        ", &be->cnt);
}

void print_service_text(FILE *f, const struct kgate_service *svc, bool stats)
{
	char b1[8], b2[8], b3[8], b4[8], pfx[KGATE_ENDPOINT_STRLEN];
	size_t i;

	fprintf(f, "service %s scheduler %s", svc->name ? svc->name : "?",
		name_or_num(kgate_sched_names, svc->sched, b1, sizeof(b1)));
	if (svc->table_size)
		fprintf(f, " table-size %" PRIu32, svc->table_size);
	fprintf(f, " affinity %s",
		name_or_num(kgate_affinity_names, svc->affinity, b2,
			    sizeof(b2)));
	if (svc->affinity == KGATE_AFFINITY_CLIENTIP)
		fprintf(f, " timeout %" PRIu32, svc->timeout);
	fprintf(f, " external-policy %s internal-policy %s",
		name_or_num(kgate_policy_names, svc->ext_policy, b3,
			    sizeof(b3)),
		name_or_num(kgate_policy_names, svc->int_policy, b4,
			    sizeof(b4)));
	if (svc->owner)
		fprintf(f, " owner %s", svc->owner);
	fputc('\n', f);
	if (stats && svc->has & KGATE_SVC_HAS_COUNTERS)
		counters_text(f, "    ", &svc->cnt);
	for (i = 0; i < svc->n_frontends; i++)
		frontend_text(f, &svc->frontends[i]);
	for (i = 0; i < svc->n_ranges; i++)
		fprintf(f, "    source-range %s\n",
			kgate_prefix_str(&svc->ranges[i], pfx, sizeof(pfx)));
	for (i = 0; i < svc->n_backends; i++)
		backend_text(f, &svc->backends[i], stats);
}

/*
 * " KW NAME" for an option whose bit is in @has; a value without a name
 * is written as its number, which the parser refuses: better a restore
 * that stops than one that changes the value.
 */
static void save_opt(FILE *f, uint32_t has, uint32_t bit, const char *kw,
		     const struct kgate_name *table, unsigned int v)
{
	char num[12];

	if (!(has & bit))
		return;
	if (table)
		fprintf(f, " %s %s", kw, name_or_num(table, v, num,
						     sizeof(num)));
	else
		fprintf(f, " %s %u", kw, v);
}

static void backend_save(FILE *f, const struct kgate_backend *be)
{
	char ep[KGATE_ENDPOINT_STRLEN];
	uint32_t h = be->has;

	fprintf(f, " backend %s",
		kgate_endpoint_str(&be->addr, be->port, ep, sizeof(ep)));
	save_opt(f, h, KGATE_BE_HAS_WEIGHT, "weight", NULL, be->weight);
	save_opt(f, h, KGATE_BE_HAS_STATE, "state", kgate_state_names,
		 be->state);
	/* KGATE_BE_F_LOCAL is the only flag (KGATE_BE_F_ALL) */
	if (h & KGATE_BE_HAS_FLAGS)
		fputs(be->flags & KGATE_BE_F_LOCAL ? " local" : " nolocal", f);
}

void print_service_save(FILE *f, const struct kgate_service *svc)
{
	char ep[KGATE_ENDPOINT_STRLEN], proto[8], kind[8];
	uint32_t h = svc->has;
	size_t i;

	fprintf(f, "service replace %s", svc->name ? svc->name : "?");
	if (svc->owner)
		fprintf(f, " owner %s", svc->owner);
	save_opt(f, h, KGATE_SVC_HAS_SCHED, "scheduler", kgate_sched_names,
		 svc->sched);
	save_opt(f, h, KGATE_SVC_HAS_TABLE_SIZE, "table-size", NULL,
		 svc->table_size);
	save_opt(f, h, KGATE_SVC_HAS_AFFINITY, "affinity",
		 kgate_affinity_names, svc->affinity);
	save_opt(f, h, KGATE_SVC_HAS_TIMEOUT, "timeout", NULL, svc->timeout);
	save_opt(f, h, KGATE_SVC_HAS_EXT_POLICY, "external-policy",
		 kgate_policy_names, svc->ext_policy);
	save_opt(f, h, KGATE_SVC_HAS_INT_POLICY, "internal-policy",
		 kgate_policy_names, svc->int_policy);
	for (i = 0; i < svc->n_frontends; i++) {
		const struct kgate_frontend *fe = &svc->frontends[i];

		fprintf(f, " %s %s/%s",
			name_or_num(kgate_kind_names, fe->kind, kind,
				    sizeof(kind)),
			kgate_endpoint_str(&fe->addr, fe->port, ep, sizeof(ep)),
			kgate_proto_str(fe->proto, proto, sizeof(proto)));
	}
	for (i = 0; i < svc->n_ranges; i++)
		fprintf(f, " source-range %s",
			kgate_prefix_str(&svc->ranges[i], ep, sizeof(ep)));
	for (i = 0; i < svc->n_backends; i++)
		backend_save(f, &svc->backends[i]);
	fputc('\n', f);
}

/* "key": "name" for a known value, "key": number otherwise. */
static void json_enum(struct kgate_json *j, const char *key,
		      const struct kgate_name *table, unsigned int v)
{
	const char *name = kgate_name_of(table, v);

	if (name)
		kgate_json_kv_str(j, key, name);
	else
		kgate_json_kv_uint(j, key, v);
}

static void frontend_json(struct kgate_json *j, const struct kgate_frontend *fe)
{
	char addr[KGATE_ENDPOINT_STRLEN];
	const char *proto = kgate_name_of(kgate_proto_names, fe->proto);

	kgate_json_obj_open(j);
	json_enum(j, "kind", kgate_kind_names, fe->kind);
	kgate_json_kv_str(j, "addr", kgate_addr_str(&fe->addr, addr,
						    sizeof(addr)));
	kgate_json_kv_uint(j, "port", fe->port);
	if (proto)
		kgate_json_kv_str(j, "proto", proto);
	else
		kgate_json_kv_uint(j, "proto", fe->proto);
	kgate_json_obj_close(j);
}

static void counters_json(struct kgate_json *j,
			  const struct kgate_counters *cnt)
{
	kgate_json_key(j, "counters");
	kgate_json_obj_open(j);
	kgate_json_kv_uint(j, "conns", cnt->conns);
	kgate_json_kv_uint(j, "packets", cnt->packets);
	kgate_json_kv_uint(j, "bytes", cnt->bytes);
	kgate_json_obj_close(j);
}

static void backend_json(struct kgate_json *j, const struct kgate_backend *be,
			 bool stats)
{
	char addr[KGATE_ENDPOINT_STRLEN];

	kgate_json_obj_open(j);
	kgate_json_kv_str(j, "addr", kgate_addr_str(&be->addr, addr,
						    sizeof(addr)));
	kgate_json_kv_uint(j, "port", be->port);
	kgate_json_kv_uint(j, "weight", be->weight);
	json_enum(j, "state", kgate_state_names, be->state);
	kgate_json_kv_bool(j, "local", be->flags & KGATE_BE_F_LOCAL);
	if (stats && be->has & KGATE_BE_HAS_COUNTERS)
		counters_json(j, &be->cnt);
	kgate_json_obj_close(j);
}

void print_service_json(struct kgate_json *j, const struct kgate_service *svc,
			bool stats)
{
	char pfx[KGATE_ENDPOINT_STRLEN];
	size_t i;

	kgate_json_obj_open(j);
	kgate_json_kv_str(j, "name", svc->name ? svc->name : "");
	json_enum(j, "scheduler", kgate_sched_names, svc->sched);
	kgate_json_kv_uint(j, "table_size", svc->table_size);
	json_enum(j, "affinity", kgate_affinity_names, svc->affinity);
	kgate_json_kv_uint(j, "timeout", svc->timeout);
	json_enum(j, "external_policy", kgate_policy_names, svc->ext_policy);
	json_enum(j, "internal_policy", kgate_policy_names, svc->int_policy);
	kgate_json_key(j, "owner");
	if (svc->owner)
		kgate_json_str(j, svc->owner);
	else
		kgate_json_null(j);
	if (stats && svc->has & KGATE_SVC_HAS_COUNTERS)
		counters_json(j, &svc->cnt);
	kgate_json_key(j, "source_ranges");
	kgate_json_arr_open(j);
	for (i = 0; i < svc->n_ranges; i++)
		kgate_json_str(j, kgate_prefix_str(&svc->ranges[i], pfx,
						   sizeof(pfx)));
	kgate_json_arr_close(j);
	kgate_json_key(j, "frontends");
	kgate_json_arr_open(j);
	for (i = 0; i < svc->n_frontends; i++)
		frontend_json(j, &svc->frontends[i]);
	kgate_json_arr_close(j);
	kgate_json_key(j, "backends");
	kgate_json_arr_open(j);
	for (i = 0; i < svc->n_backends; i++)
		backend_json(j, &svc->backends[i], stats);
	kgate_json_arr_close(j);
	kgate_json_obj_close(j);
}

/* Stats: the same names in text and JSON. */
#define STATS_FIELDS(X)						\
	X(services) X(frontends) X(backends) X(max_services)	\
	X(max_backends) X(commits) X(generation) X(batches_open)	\
	X(nat_hooks) X(flow_walks) X(affinity_clients)		\
	X(affinity_dropped) X(max_affinity) X(listeners) X(routes)	\
	X(upstream_idle) X(upstream_no_room)

void print_stats_text(FILE *f, const struct kgate_stats *st)
{
#define TEXT(field) fprintf(f, "%s %" PRIu64 "\n", #field, (uint64_t)st->field);
	STATS_FIELDS(TEXT)
#undef TEXT
}

void print_stats_json(struct kgate_json *j, const struct kgate_stats *st)
{
	kgate_json_obj_open(j);
#define JSON(field) kgate_json_kv_uint(j, #field, st->field);
	STATS_FIELDS(JSON)
#undef JSON
	kgate_json_obj_close(j);
}

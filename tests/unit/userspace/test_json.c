// SPDX-License-Identifier: GPL-2.0
/* libkgate json.c and the CLI's output.c: escaping and output shape. */
#include <stdlib.h>

#include <linux/kgate.h>

#include "cli.h"
#include "tap.h"

static char *mem;
static size_t memlen;

static FILE *open_mem(void)
{
	free(mem);
	mem = NULL;
	return open_memstream(&mem, &memlen);
}

static const char *close_mem(FILE *f)
{
	fclose(f);
	return mem;
}

static const char *esc(const char *s)
{
	FILE *f = open_mem();

	kgate_json_escape(f, s);
	return close_mem(f);
}

TEST(test_escape)
{
	CHECK_STR(esc("plain"), "\"plain\"");
	CHECK_STR(esc(""), "\"\"");
	CHECK_STR(esc("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(esc("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	CHECK_STR(esc("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	CHECK_STR(esc("/ns/name:port"), "\"/ns/name:port\"");
	/* valid UTF-8 passes, invalid bytes become U+FFFD */
	CHECK_STR(esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	CHECK_STR(esc("a\xff" "b"), "\"a\\ufffdb\"");
	CHECK_STR(esc("\xc3"), "\"\\ufffd\"");			/* truncated */
	CHECK_STR(esc("\xc0\xaf"), "\"\\ufffd\\ufffd\"");	/* overlong */
	CHECK_STR(esc("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
}

static void sample(struct kgate_json *j)
{
	kgate_json_obj_open(j);
	kgate_json_kv_str(j, "a", "x");
	kgate_json_kv_uint(j, "n", 18446744073709551615ULL);
	kgate_json_key(j, "list");
	kgate_json_arr_open(j);
	kgate_json_uint(j, 1);
	kgate_json_bool(j, false);
	kgate_json_null(j);
	kgate_json_obj_open(j);
	kgate_json_obj_close(j);
	kgate_json_arr_close(j);
	kgate_json_key(j, "empty");
	kgate_json_arr_open(j);
	kgate_json_arr_close(j);
	kgate_json_kv_bool(j, "t", true);
	kgate_json_obj_close(j);
}

TEST(test_writer_compact)
{
	struct kgate_json j;
	FILE *f = open_mem();

	kgate_json_init(&j, f, false);
	sample(&j);
	CHECK_STR(close_mem(f), "{\"a\":\"x\",\"n\":18446744073709551615,"
		  "\"list\":[1,false,null,{}],\"empty\":[],\"t\":true}");
}

TEST(test_writer_pretty)
{
	struct kgate_json j;
	FILE *f = open_mem();

	kgate_json_init(&j, f, true);
	sample(&j);
	CHECK_STR(close_mem(f),
		  "{\n"
		  "  \"a\": \"x\",\n"
		  "  \"n\": 18446744073709551615,\n"
		  "  \"list\": [\n"
		  "    1,\n"
		  "    false,\n"
		  "    null,\n"
		  "    {}\n"
		  "  ],\n"
		  "  \"empty\": [],\n"
		  "  \"t\": true\n"
		  "}");
}

/* The service of the show example, parsed from CLI syntax. */
static void example(struct kgate_service *svc, const char *extra)
{
	char line[600], why[200], *argv[64], *p;
	struct cli_cmd c;
	int argc = 0;

	snprintf(line, sizeof(line), "service add default/web:http "
		 "cluster 10.96.0.10:80 nodeport 30080 "
		 "source-range 192.168.0.0/16 "
		 "backend 10.244.1.5:8080 "
		 "backend [fd00::5]:8080 state terminating local %s", extra);
	for (p = strtok(line, " "); p && argc < 64; p = strtok(NULL, " "))
		argv[argc++] = p;
	if (cli_parse_mutation(argc, argv, &c, why, sizeof(why)))
		printf("# parse failed: %s\n", why);
	*svc = c.svc;
}

TEST(test_service_text)
{
	struct kgate_service svc;
	FILE *f;

	example(&svc, "");
	f = open_mem();
	print_service_text(f, &svc, false);
	CHECK_STR(close_mem(f),
		  "service default/web:http scheduler maglev affinity none "
		  "external-policy cluster internal-policy cluster\n"
		  "    cluster 10.96.0.10:80/tcp\n"
		  "    nodeport 0.0.0.0:30080/tcp\n"
		  "    source-range 192.168.0.0/16\n"
		  "    backend 10.244.1.5:8080 weight 1 ready\n"
		  "    backend [fd00::5]:8080 weight 1 terminating local\n");
	kgate_service_free(&svc);

	/* timeout only with clientip affinity, table-size only if set */
	example(&svc, "affinity clientip timeout 30 table-size 1009 "
		"scheduler rr external-policy local");
	f = open_mem();
	print_service_text(f, &svc, false);
	CHECK_STR(close_mem(f),
		  "service default/web:http scheduler rr table-size 1009 "
		  "affinity clientip timeout 30 external-policy local "
		  "internal-policy cluster\n"
		  "    cluster 10.96.0.10:80/tcp\n"
		  "    nodeport 0.0.0.0:30080/tcp\n"
		  "    source-range 192.168.0.0/16\n"
		  "    backend 10.244.1.5:8080 weight 1 ready\n"
		  "    backend [fd00::5]:8080 weight 1 terminating local\n");
	/* values without a name print as numbers */
	svc.sched = 7;
	svc.backends[0].state = 9;
	svc.frontends[0].proto = 1;
	f = open_mem();
	print_service_text(f, &svc, false);
	CHECK(strstr(close_mem(f), " scheduler 7 ") != NULL);
	CHECK(strstr(mem, "    cluster 10.96.0.10:80/1\n") != NULL);
	CHECK(strstr(mem, "backend 10.244.1.5:8080 weight 1 state 9\n") != NULL);
	kgate_service_free(&svc);
}

TEST(test_service_json)
{
	struct kgate_service svc;
	struct kgate_json j;
	FILE *f;

	example(&svc, "");
	f = open_mem();
	kgate_json_init(&j, f, false);
	kgate_json_arr_open(&j);
	print_service_json(&j, &svc, false);
	kgate_json_arr_close(&j);
	CHECK_STR(close_mem(f),
		  "[{\"name\":\"default/web:http\",\"scheduler\":\"maglev\","
		  "\"table_size\":0,\"affinity\":\"none\",\"timeout\":10800,"
		  "\"external_policy\":\"cluster\","
		  "\"internal_policy\":\"cluster\",\"owner\":null,"
		  "\"source_ranges\":[\"192.168.0.0/16\"],"
		  "\"frontends\":[{\"kind\":\"cluster\",\"addr\":\"10.96.0.10\","
		  "\"port\":80,\"proto\":\"tcp\"},{\"kind\":\"nodeport\","
		  "\"addr\":\"0.0.0.0\",\"port\":30080,\"proto\":\"tcp\"}],"
		  "\"backends\":[{\"addr\":\"10.244.1.5\",\"port\":8080,"
		  "\"weight\":1,\"state\":\"ready\",\"local\":false},"
		  "{\"addr\":\"fd00::5\",\"port\":8080,\"weight\":1,"
		  "\"state\":\"terminating\",\"local\":true}]}]");
	kgate_service_free(&svc);
}

/* The owner: the last word of the first line, and a JSON string. */
TEST(test_service_owner)
{
	struct kgate_service svc;
	struct kgate_json j;
	FILE *f;

	example(&svc, "");
	CHECK_INT(kgate_service_set_owner(&svc, "kgate-apply"), 0);
	f = open_mem();
	print_service_text(f, &svc, false);
	CHECK(strstr(close_mem(f), " internal-policy cluster owner "
		     "kgate-apply\n    cluster 10.96.0.10:80/tcp\n") != NULL);
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_service_json(&j, &svc, false);
	CHECK(strstr(close_mem(f), "\"internal_policy\":\"cluster\","
		     "\"owner\":\"kgate-apply\",\"source_ranges\"") != NULL);
	/* cleared: no word at all */
	CHECK_INT(kgate_service_set_owner(&svc, NULL), 0);
	f = open_mem();
	print_service_text(f, &svc, false);
	CHECK(strstr(close_mem(f), "owner") == NULL);
	kgate_service_free(&svc);
}

/* -s: counters under the service and under each backend, if sent. */
TEST(test_service_counters)
{
	struct kgate_service svc;
	struct kgate_json j;
	FILE *f;

	example(&svc, "");
	svc.has |= KGATE_SVC_HAS_COUNTERS;
	svc.cnt = (struct kgate_counters){ 3, 12, 4000000000000ULL };
	svc.backends[0].has |= KGATE_BE_HAS_COUNTERS;
	svc.backends[0].cnt = (struct kgate_counters){ 3, 12, 900 };
	f = open_mem();
	print_service_text(f, &svc, true);
	CHECK(strstr(close_mem(f), "internal-policy cluster\n"
		     "    conns 3 packets 12 bytes 4000000000000\n"
		     "    cluster ") != NULL);
	CHECK(strstr(mem, "ready\n        conns 3 packets 12 bytes 900\n"
		     "    backend [fd00::5]:8080 weight 1 terminating local\n")
	      != NULL);
	f = open_mem();
	print_service_text(f, &svc, false);
	CHECK(strstr(close_mem(f), "conns") == NULL);

	f = open_mem();
	kgate_json_init(&j, f, false);
	print_service_json(&j, &svc, true);
	CHECK(strstr(close_mem(f), "\"internal_policy\":\"cluster\","
		     "\"owner\":null,\"counters\":{\"conns\":3,\"packets\":12,"
		     "\"bytes\":4000000000000},") != NULL);
	CHECK(strstr(mem, "\"local\":false,\"counters\":{\"conns\":3,"
		     "\"packets\":12,\"bytes\":900}}") != NULL);
	CHECK(strstr(mem, "\"local\":true}") != NULL);
	kgate_service_free(&svc);
}

TEST(test_stats_output)
{
	struct kgate_stats st = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 9, 10, 11, 12,
				  13, 14, 15, 16 };
	struct kgate_json j;
	FILE *f = open_mem();

	print_stats_text(f, &st);
	CHECK_STR(close_mem(f), "services 1\nfrontends 2\nbackends 3\n"
		  "max_services 4\nmax_backends 5\ncommits 6\ngeneration 7\n"
		  "batches_open 8\nnat_hooks 1\nflow_walks 9\n"
		  "affinity_clients 10\naffinity_dropped 11\nmax_affinity 12\n"
		  "listeners 13\nroutes 14\nupstream_idle 15\n"
		  "upstream_no_room 16\n");
	f = open_mem();
	kgate_json_init(&j, f, false);
	print_stats_json(&j, &st);
	CHECK_STR(close_mem(f), "{\"services\":1,\"frontends\":2,"
		  "\"backends\":3,\"max_services\":4,\"max_backends\":5,"
		  "\"commits\":6,\"generation\":7,\"batches_open\":8,"
		  "\"nat_hooks\":1,\"flow_walks\":9,\"affinity_clients\":10,"
		  "\"affinity_dropped\":11,\"max_affinity\":12,"
		  "\"listeners\":13,\"routes\":14,\"upstream_idle\":15,"
		  "\"upstream_no_room\":16}");
}

int main(void)
{
	RUN(test_escape);
	RUN(test_writer_compact);
	RUN(test_writer_pretty);
	RUN(test_service_text);
	RUN(test_service_json);
	RUN(test_service_owner);
	RUN(test_service_counters);
	RUN(test_stats_output);
	free(mem);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The arena of one object's documents: kgated keeps one per API object,
 * some 20k at 10k Services, so its size is most of kgated's memory.  An
 * EndpointSlice as the API server sends it (about 500 bytes of JSON) took
 * a 4000-byte chunk and a second of 8000; sized from the text, it takes
 * one chunk, and a file's arena still grows to the large chunks.
 */
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "tap.h"

#define SLICE								\
	"{\"addressType\":\"IPv4\",\"apiVersion\":\"discovery.k8s.io/v1\","\
	"\"endpoints\":[%s],\"kind\":\"EndpointSlice\",\"metadata\":{"	\
	"\"labels\":{\"kubernetes.io/service-name\":\"svc-1\"},"	\
	"\"name\":\"svc-1-a\",\"namespace\":\"default\"},"		\
	"\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]}"
#define EP								\
	"{\"addresses\":[\"10.1.0.%d\"],\"conditions\":{\"ready\":true}," \
	"\"nodeName\":\"node-1\"}"

/* A slice of @n endpoints as JSON text into @buf. */
static void slice(char *buf, size_t len, int n)
{
	char eps[4096] = "", ep[128];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(ep, sizeof(ep), EP, i + 1);
		if (i)
			strcat(eps, ",");
		strcat(eps, ep);
	}
	snprintf(buf, len, SLICE, eps);
}

/* The arena's bytes for @text, loaded as one API object is. */
static size_t bytes_of(const char *text)
{
	struct kk_docs docs;
	struct kk_diag d;
	size_t n;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	CHECK_INT(kk_load_text(&docs, "api:EndpointSlice/default/svc-1-a",
			       text, strlen(text), &d), 0);
	CHECK_INT(docs.n, 1);
	n = kk_docs_bytes(&docs);
	kk_docs_free(&docs);
	kk_diag_free(&d);
	return n;
}

TEST(test_slice_takes_what_it_needs)
{
	char text[8192];
	size_t n;

	slice(text, sizeof(text), 5);
	n = bytes_of(text);
	/* about 10 bytes of nodes a byte of text, 12 reserved */
	CHECK(n <= 16 * strlen(text));
	CHECK(n < 12000);
	printf("# %zu bytes of JSON: an arena of %zu bytes\n", strlen(text),
	       n);
	/* a larger slice grows past its first chunk, and still loads */
	slice(text, sizeof(text), 40);
	n = bytes_of(text);
	CHECK(n <= 24 * strlen(text));
}

TEST(test_small_object)
{
	static const char svc[] = "{\"apiVersion\":\"v1\",\"kind\":\"Service\","
		"\"metadata\":{\"name\":\"a\"},\"spec\":{\"ports\":[{\"port\":"
		"80}]}}";

	CHECK(bytes_of(svc) <= 2048);
}

int main(void)
{
	RUN(test_slice_takes_what_it_needs);
	RUN(test_small_object);
	return tap_done();
}

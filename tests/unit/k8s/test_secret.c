// SPDX-License-Identifier: GPL-2.0
/*
 * TLS Secrets: base64 read strictly, certificates and keys loaded with
 * GnuTLS, the key matched to the first certificate, other Secret types
 * skipped.  The certificates are made here, at run time.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "kk.h"
#include "tap.h"

/* ---- certificates ---------------------------------------------------- */

static gnutls_x509_privkey_t new_key(void)
{
	unsigned int bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
	gnutls_x509_privkey_t k;

	if (gnutls_x509_privkey_init(&k) < 0 ||
	    gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA, bits, 0) < 0)
		abort();
	return k;
}

/* A certificate of @key for @cn, signed by @ca (NULL: itself). */
static gnutls_x509_crt_t new_crt(gnutls_x509_privkey_t key, const char *cn,
				 gnutls_x509_crt_t ca,
				 gnutls_x509_privkey_t ca_key, bool is_ca)
{
	static unsigned char serial = 1;
	time_t now = time(NULL);
	gnutls_x509_crt_t c;

	if (gnutls_x509_crt_init(&c) < 0 ||
	    gnutls_x509_crt_set_version(c, 3) < 0 ||
	    gnutls_x509_crt_set_serial(c, &serial, 1) < 0 ||
	    gnutls_x509_crt_set_activation_time(c, now - 60) < 0 ||
	    gnutls_x509_crt_set_expiration_time(c, now + 86400) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0,
					  cn, (unsigned int)strlen(cn)) < 0 ||
	    gnutls_x509_crt_set_key(c, key) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(c, is_ca, -1) < 0 ||
	    gnutls_x509_crt_sign2(c, ca ? ca : c, ca ? ca_key : key,
				  GNUTLS_DIG_SHA256, 0) < 0)
		abort();
	serial++;
	return c;
}

static char *dup_datum(gnutls_datum_t *dt)
{
	char *s = malloc(dt->size + 1);

	if (!s)
		abort();
	memcpy(s, dt->data, dt->size);
	s[dt->size] = '\0';
	gnutls_free(dt->data);
	return s;
}

static char *crt_pem(gnutls_x509_crt_t c)
{
	gnutls_datum_t dt;

	if (gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &dt) < 0)
		abort();
	return dup_datum(&dt);
}

static char *key_pem(gnutls_x509_privkey_t k)
{
	gnutls_datum_t dt;

	if (gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &dt) < 0)
		abort();
	return dup_datum(&dt);
}

static char *key_pem_encrypted(gnutls_x509_privkey_t k)
{
	gnutls_datum_t dt;

	if (gnutls_x509_privkey_export2_pkcs8(k, GNUTLS_X509_FMT_PEM, "secret",
					      0, &dt) < 0)
		abort();
	return dup_datum(&dt);
}

static char *b64(const char *s)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), o = 0;
	char *out = malloc(n / 3 * 4 + 8);
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n; i += 3) {
		unsigned int v = p[i] << 16;

		v |= i + 1 < n ? p[i + 1] << 8 : 0;
		v |= i + 2 < n ? p[i + 2] : 0;
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? al[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Two certificate-key pairs, and a chain: leaf (signed by ca), ca. */
static struct {
	char *crt_a, *key_a, *key_b, *leaf, *leaf_key, *ca, *key_a_enc;
} pki;

static void make_pki(void)
{
	gnutls_x509_privkey_t a = new_key(), b = new_key(), lk = new_key();
	gnutls_x509_privkey_t cak = new_key();
	gnutls_x509_crt_t ca_crt = new_crt(cak, "test ca", NULL, NULL, true);
	gnutls_x509_crt_t crt_a = new_crt(a, "a.example.com", NULL, NULL, false);
	gnutls_x509_crt_t leaf = new_crt(lk, "leaf.example.com", ca_crt, cak,
					 false);

	pki.crt_a = crt_pem(crt_a);
	pki.key_a = key_pem(a);
	pki.key_a_enc = key_pem_encrypted(a);
	pki.key_b = key_pem(b);
	pki.leaf = crt_pem(leaf);
	pki.leaf_key = key_pem(lk);
	pki.ca = crt_pem(ca_crt);
	gnutls_x509_crt_deinit(crt_a);
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_x509_crt_deinit(leaf);
	gnutls_x509_privkey_deinit(a);
	gnutls_x509_privkey_deinit(b);
	gnutls_x509_privkey_deinit(lk);
	gnutls_x509_privkey_deinit(cak);
}

static void free_pki(void)
{
	free(pki.crt_a);
	free(pki.key_a);
	free(pki.key_a_enc);
	free(pki.key_b);
	free(pki.leaf);
	free(pki.leaf_key);
	free(pki.ca);
}

/* ---- running ---------------------------------------------------------- */

/* kk_check_secrets() on @yaml ("t.yaml"): its messages (free them). */
static char *check(const char *yaml, size_t *errors)
{
	struct kk_docs docs;
	struct kk_index ix;
	struct kk_diag d;
	char *msgs = NULL;
	size_t len;
	FILE *f;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	memset(&ix, 0, sizeof(ix));
	if (!kk_load_text(&docs, "t.yaml", yaml, strlen(yaml), &d) &&
	    !kk_index_build(&ix, &docs, &d))
		CHECK_INT(kk_check_secrets(&ix, &d), 0);
	f = open_memstream(&msgs, &len);
	kk_diag_print(f, &d);
	fclose(f);
	*errors = d.errors;
	kk_index_free(&ix);
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return msgs;
}

/* A TLS Secret "s" with data tls.crt @crt and tls.key @key as given. */
static char *check_data(const char *crt, const char *key, size_t *errors)
{
	char *yaml, *msgs;

	if (asprintf(&yaml,
		     "apiVersion: v1\n"
		     "kind: Secret\n"
		     "metadata:\n"
		     "  name: s\n"
		     "type: kubernetes.io/tls\n"
		     "data:\n"
		     "  tls.crt: \"%s\"\n"
		     "  tls.key: \"%s\"\n", crt, key) < 0)
		abort();
	msgs = check(yaml, errors);
	free(yaml);
	return msgs;
}

/* The same with the PEM texts @crt and @key, base64 encoded. */
static char *check_pem(const char *crt, const char *key, size_t *errors)
{
	char *c = b64(crt), *k = b64(key), *msgs;

	msgs = check_data(c, k, errors);
	free(c);
	free(k);
	return msgs;
}

#define CRT_AT	"t.yaml:7:12: error: Secret default/s: data[tls.crt]: "
#define KEY_AT	"t.yaml:8:12: error: Secret default/s: data[tls.key]: "

TEST(test_matching_pair)
{
	size_t errors;
	char *m = check_pem(pki.crt_a, pki.key_a, &errors);

	CHECK_STR(m, "");
	CHECK_INT(errors, 0);
	free(m);
}

TEST(test_mismatched_pair)
{
	size_t errors;
	char *m = check_pem(pki.crt_a, pki.key_b, &errors);

	CHECK_STR(m, KEY_AT "the private key does not match the certificate\n");
	CHECK_INT(errors, 1);
	free(m);
}

TEST(test_chain)
{
	char *chain, *m;
	size_t errors;

	/* The server's certificate first, then its issuer. */
	if (asprintf(&chain, "%s%s", pki.leaf, pki.ca) < 0)
		abort();
	m = check_pem(chain, pki.leaf_key, &errors);
	CHECK_STR(m, "");
	CHECK_INT(errors, 0);
	free(m);
	free(chain);

	/* The key is matched against the first one only. */
	if (asprintf(&chain, "%s%s", pki.ca, pki.leaf) < 0)
		abort();
	m = check_pem(chain, pki.leaf_key, &errors);
	CHECK_STR(m, KEY_AT "the private key does not match the certificate\n");
	free(m);
	free(chain);
}

TEST(test_garbage)
{
	size_t errors;
	char *m = check_pem("hello, world\n", "not a key either\n", &errors);

	CHECK_STR(m,
		  CRT_AT "no PEM certificate\n"
		  KEY_AT "no PEM private key\n");
	CHECK_INT(errors, 2);
	free(m);

	/* PEM armour around something that is not a certificate. */
	m = check_pem("-----BEGIN CERTIFICATE-----\nAAAA\n"
		      "-----END CERTIFICATE-----\n", pki.key_a, &errors);
	CHECK(strncmp(m, CRT_AT "invalid PEM certificate: ",
		      strlen(CRT_AT "invalid PEM certificate: ")) == 0);
	CHECK_INT(errors, 1);
	free(m);

	m = check_pem(pki.crt_a, "-----BEGIN PRIVATE KEY-----\nAAAA\n"
		      "-----END PRIVATE KEY-----\n", &errors);
	CHECK(strncmp(m, KEY_AT "invalid private key: ",
		      strlen(KEY_AT "invalid private key: ")) == 0);
	CHECK_INT(errors, 1);
	free(m);

	m = check_pem(pki.crt_a, pki.key_a_enc, &errors);
	CHECK_STR(m, KEY_AT "an encrypted private key: it must be in the clear\n");
	free(m);
}

TEST(test_base64)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "aGVs!G8=",
		  "not base64: a character not in A-Z a-z 0-9 + / at offset 4" },
		{ "aGVsbG8",
		  "not base64: the length is not a multiple of 4" },
		{ "aGVsbG8=aGVs",
		  "not base64: more after the padding at offset 8" },
		{ "aG=sbG8=", "not base64: a misplaced '=' at offset 3" },
		{ "a===", "not base64: a misplaced '=' at offset 1" },
		{ "aGVs bG8=",
		  "not base64: a character not in A-Z a-z 0-9 + / at offset 4" },
	};
	char *key = b64(pki.key_a);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];
		size_t errors;
		char *m = check_data(bad[i].text, key, &errors);

		snprintf(want, sizeof(want), CRT_AT "%s\n", bad[i].why);
		CHECK_STR(m, want);
		CHECK_INT(errors, 1);
		free(m);
	}
	free(key);
}

/* Line breaks in base64 are skipped, as Kubernetes' decoder does. */
TEST(test_base64_lines)
{
	char *crt = b64(pki.crt_a), *key = b64(pki.key_a), *yaml, *m;
	size_t errors;

	if (asprintf(&yaml,
		     "apiVersion: v1\n"
		     "kind: Secret\n"
		     "metadata:\n"
		     "  name: s\n"
		     "type: kubernetes.io/tls\n"
		     "data:\n"
		     "  tls.crt: |\n"
		     "    %.40s\n"
		     "    %s\n"
		     "  tls.key: %s\n", crt, crt + 40, key) < 0)
		abort();
	m = check(yaml, &errors);
	CHECK_STR(m, "");
	free(m);
	free(yaml);
	free(crt);
	free(key);
}

/* "  " before every line of @s, for a YAML block scalar. */
static char *indent(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 8), *o = out;

	for (bool bol = true; *s; s++) {
		if (bol) {
			*o++ = ' ';
			*o++ = ' ';
			*o++ = ' ';
			*o++ = ' ';
		}
		*o++ = *s;
		bol = *s == '\n';
	}
	*o = '\0';
	return out;
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(test_string_data)
{
	char *crt = indent(pki.crt_a), *key = indent(pki.key_a), *yaml, *m;
	char want[256];
	size_t errors;

	/* stringData wins over data, as the API server merges them. */
	if (asprintf(&yaml,
		     "apiVersion: v1\n"
		     "kind: Secret\n"
		     "metadata:\n"
		     "  name: s\n"
		     "type: kubernetes.io/tls\n"
		     "data:\n"
		     "  tls.crt: \"!!\"\n"
		     "stringData:\n"
		     "  tls.crt: |\n%s"
		     "  tls.key: |\n%s", crt, key) < 0)
		abort();
	m = check(yaml, &errors);
	CHECK_STR(m, "");
	CHECK_INT(errors, 0);
	free(m);
	free(yaml);

	if (asprintf(&yaml,
		     "apiVersion: v1\n"
		     "kind: Secret\n"
		     "metadata:\n"
		     "  name: s\n"
		     "type: kubernetes.io/tls\n"
		     "stringData:\n"
		     "  tls.crt: |\n%s"
		     "  tls.key: nope\n", crt) < 0)
		abort();
	m = check(yaml, &errors);
	/* The line after the certificate's, however long it came out. */
	snprintf(want, sizeof(want),
		 "t.yaml:%zu:12: error: Secret default/s: stringData[tls.key]: no PEM private key\n",
		 8 + lines(pki.crt_a));
	CHECK_STR(m, want);
	free(m);
	free(yaml);
	free(crt);
	free(key);
}

TEST(test_missing_fields)
{
	size_t errors;
	char *m = check("apiVersion: v1\n"
			"kind: Secret\n"
			"metadata:\n"
			"  name: s\n"
			"type: kubernetes.io/tls\n"
			"data:\n"
			"  tls.crt: \"\"\n", &errors);

	CHECK_STR(m,
		  "t.yaml:7:3: error: Secret default/s: data[tls.key]: missing\n"
		  CRT_AT "no PEM certificate\n");
	free(m);

	m = check("apiVersion: v1\n"
		  "kind: Secret\n"
		  "metadata:\n"
		  "  name: s\n"
		  "type: kubernetes.io/tls\n"
		  "data: [a, b]\n", &errors);
	CHECK_STR(m,
		  "t.yaml:6:7: error: Secret default/s: data: expected a map, got a list\n");
	CHECK_INT(errors, 1);
	free(m);

	m = check("apiVersion: v1\n"
		  "kind: Secret\n"
		  "metadata:\n"
		  "  name: s\n"
		  "type: kubernetes.io/tls\n"
		  "data:\n"
		  "  tls.crt: 12\n"
		  "  tls.key: \"\"\n", &errors);
	CHECK_STR(m,
		  CRT_AT "expected a string, got an integer\n"
		  KEY_AT "no PEM private key\n");
	free(m);
}

TEST(test_other_types)
{
	size_t errors;
	char *m = check("apiVersion: v1\n"
			"kind: Secret\n"
			"metadata:\n"
			"  name: creds\n"
			"type: Opaque\n"
			"data:\n"
			"  password: \"!!\"\n"
			"---\n"
			"apiVersion: v1\n"
			"kind: Secret\n"
			"metadata:\n"
			"  name: untyped\n"
			"  namespace: app\n"
			"---\n"
			"apiVersion: v1\n"
			"kind: Secret\n"
			"metadata:\n"
			"  name: bad\n"
			"type: [kubernetes.io/tls]\n"
			"---\n"
			"apiVersion: v1\n"
			"kind: ConfigMap\n"
			"metadata:\n"
			"  name: tls\n"
			"data:\n"
			"  tls.crt: \"!!\"\n", &errors);

	CHECK_STR(m,
		  "t.yaml:1:1: skipped: Secret default/creds: type Opaque is not kubernetes.io/tls\n"
		  "t.yaml:9:1: skipped: Secret app/untyped: type Opaque is not kubernetes.io/tls\n"
		  "t.yaml:19:7: error: Secret default/bad: type: expected a string, got a list\n");
	CHECK_INT(errors, 1);
	free(m);
}

int main(void)
{
	make_pki();
	RUN(test_matching_pair);
	RUN(test_mismatched_pair);
	RUN(test_chain);
	RUN(test_garbage);
	RUN(test_base64);
	RUN(test_base64_lines);
	RUN(test_string_data);
	RUN(test_missing_fields);
	RUN(test_other_types);
	free_pki();
	return tap_done();
}

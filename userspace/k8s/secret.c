// SPDX-License-Identifier: GPL-2.0
/*
 * TLS Secrets: checked now, so that a certificate that will not load is
 * found when the manifest is applied, not when kgate terminates TLS.
 *
 * A Secret of type kubernetes.io/tls needs tls.crt (one or more PEM
 * certificates, the server's first) and tls.key (its PEM private key),
 * base64 in data or plain in stringData (which wins, as in Kubernetes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "kk.h"

#define TLS_TYPE	"kubernetes.io/tls"
#define KEY_ID_MAX	64	/* bytes of a key id (SHA-1: 20) */

/* One field of a Secret's data, decoded. */
struct sec_val {
	unsigned char *buf;	/* NUL-terminated; NULL: absent */
	size_t len;
	const struct kk_node *node;
	char field[32];		/* "data[tls.crt]" or "stringData[tls.crt]" */
};

/* ---- base64 --------------------------------------------------------- */

static int b64_digit(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/*
 * Standard base64 with padding, strictly: the alphabet, '=' only to fill
 * the last group.  Line breaks are skipped, as Kubernetes' decoder does.
 * @out gets at most 3 / 4 of strlen(@s) bytes.  The length, or -1 with
 * @why set.
 */
static long b64_decode(const char *s, unsigned char *out, char *why,
		       size_t whylen)
{
	unsigned int acc = 0, n = 0, pad = 0;
	size_t len = 0, off;

	for (off = 0; s[off]; off++) {
		char ch = s[off];
		int v = b64_digit(ch);

		if (ch == '\n' || ch == '\r')
			continue;
		if (ch == '=' && n >= 2 && pad < 2) {
			pad++;
			v = 0;
		} else if (v < 0 || pad) {
			snprintf(why, whylen, "%s at offset %zu",
				 pad == 3 ? "more after the padding" :
				 ch == '=' || pad ? "a misplaced '='" :
				 "a character not in A-Z a-z 0-9 + /", off);
			return -1;
		}
		acc = acc << 6 | (unsigned int)v;
		if (++n < 4)
			continue;
		out[len++] = (unsigned char)(acc >> 16);
		if (pad < 2)
			out[len++] = (unsigned char)(acc >> 8);
		if (pad < 1)
			out[len++] = (unsigned char)acc;
		acc = n = 0;
		if (pad)
			pad = 3;	/* nothing may follow */
	}
	if (n) {
		snprintf(why, whylen, "the length is not a multiple of 4");
		return -1;
	}
	return (long)len;
}

/* ---- reading the data --------------------------------------------------- */

/*
 * The value of @key: stringData[@key] as it is, else data[@key] decoded.
 * 0 (v->buf NULL when absent: reported), -EINVAL (reported), -ENOMEM.
 */
static int read_val(struct kk_diag *d, const struct kk_obj *o,
		    const char *key, struct sec_val *v)
{
	const struct kk_node *sd = kk_get(o->root, "stringData");
	const struct kk_node *data = kk_get(o->root, "data");
	const char *s;
	char why[80];
	long len;
	bool plain = kk_get(sd, key) != NULL;

	memset(v, 0, sizeof(*v));
	snprintf(v->field, sizeof(v->field), "%s[%s]",
		 plain ? "stringData" : "data", key);
	v->node = kk_get(plain ? sd : data, key);
	if (!v->node || v->node->type == KK_NULL) {
		/* Said where it is missing from: data, or the Secret. */
		kk_error(d, o, data, v->field, "missing");
		return -EINVAL;
	}
	if (!kk_str(d, o, v->node, v->field, &s))
		return -EINVAL;
	v->buf = malloc(strlen(s) + 1);
	if (!v->buf)
		return -ENOMEM;
	if (plain) {
		strcpy((char *)v->buf, s);
		v->len = strlen(s);
		return 0;
	}
	len = b64_decode(s, v->buf, why, sizeof(why));
	if (len < 0) {
		kk_error(d, o, v->node, v->field, "not base64: %s", why);
		free(v->buf);
		v->buf = NULL;
		return -EINVAL;
	}
	v->buf[len] = '\0';
	v->len = (size_t)len;
	return 0;
}

/* ---- certificates and keys ---------------------------------------------- */

static gnutls_datum_t datum(const struct sec_val *v)
{
	gnutls_datum_t dt = { v->buf, (unsigned int)v->len };

	return dt;
}

/* The certificates of @v: their count, or 0 after an error. */
static unsigned int read_certs(struct kk_diag *d, const struct kk_obj *o,
			       const struct sec_val *v,
			       gnutls_x509_crt_t **list)
{
	gnutls_datum_t dt = datum(v);
	unsigned int n = 0;
	int rc;

	if (!strstr((const char *)v->buf, "-----BEGIN CERTIFICATE-----")) {
		kk_error(d, o, v->node, v->field, "no PEM certificate");
		return 0;
	}
	rc = gnutls_x509_crt_list_import2(list, &n, &dt, GNUTLS_X509_FMT_PEM,
					  0);
	if (rc < 0 || !n) {
		kk_error(d, o, v->node, v->field, "invalid PEM certificate: %s",
			 gnutls_strerror(rc));
		return 0;
	}
	return n;
}

/* The private key of @v: 0, or -EINVAL after an error. */
static int read_key(struct kk_diag *d, const struct kk_obj *o,
		    const struct sec_val *v, gnutls_x509_privkey_t key)
{
	const char *text = (const char *)v->buf;
	gnutls_datum_t dt = datum(v);
	int rc;

	if (!strstr(text, "-----BEGIN ") || !strstr(text, "PRIVATE KEY-----")) {
		kk_error(d, o, v->node, v->field, "no PEM private key");
		return -EINVAL;
	}
	if (strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
		kk_error(d, o, v->node, v->field,
			 "an encrypted private key: it must be in the clear");
		return -EINVAL;
	}
	rc = gnutls_x509_privkey_import2(key, &dt, GNUTLS_X509_FMT_PEM, NULL,
					 GNUTLS_PKCS_PLAIN);
	if (rc < 0) {
		kk_error(d, o, v->node, v->field, "invalid private key: %s",
			 gnutls_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

/* The key of @key is that of certificate @crt? */
static bool key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
	unsigned char a[KEY_ID_MAX], b[KEY_ID_MAX];
	size_t alen = sizeof(a), blen = sizeof(b);

	if (gnutls_x509_crt_get_key_id(crt, 0, a, &alen) < 0 ||
	    gnutls_x509_privkey_get_key_id(key, 0, b, &blen) < 0)
		return false;
	return alen == blen && !memcmp(a, b, alen);
}

/*
 * tls.crt and tls.key, each NULL when it could not be read (reported):
 * those read must load, and the key must be the first certificate's.
 */
static int check_pair(struct kk_diag *d, const struct kk_obj *o,
		      const struct sec_val *crt, const struct sec_val *key)
{
	gnutls_x509_crt_t *list = NULL;
	gnutls_x509_privkey_t pk;
	unsigned int n = 0;
	int bad = -EINVAL;

	if (gnutls_x509_privkey_init(&pk) < 0)
		return -ENOMEM;
	if (crt)
		n = read_certs(d, o, crt, &list);
	if (key)
		bad = read_key(d, o, key, pk);
	if (n && !bad && !key_matches(list[0], pk))
		kk_error(d, o, key->node, key->field,
			 "the private key does not match the certificate");
	for (unsigned int i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	gnutls_x509_privkey_deinit(pk);
	return 0;
}

static int check_secret(const struct kk_obj *o, struct kk_diag *d)
{
	const struct kk_node *tn = kk_get(o->root, "type");
	const char *type = "Opaque";
	struct sec_val crt, key;
	int rc, rk;

	if (tn && tn->type != KK_NULL && !kk_str(d, o, tn, "type", &type))
		return 0;
	if (strcmp(type, TLS_TYPE)) {
		kk_skipped(d, o, "type %s is not %s", type, TLS_TYPE);
		return 0;
	}
	if (kk_get(o->root, "data") && !kk_map(d, o, kk_get(o->root, "data"),
					       "data"))
		return 0;
	if (kk_get(o->root, "stringData") &&
	    !kk_map(d, o, kk_get(o->root, "stringData"), "stringData"))
		return 0;
	rc = read_val(d, o, "tls.crt", &crt);
	rk = read_val(d, o, "tls.key", &key);
	if (rc == -ENOMEM || rk == -ENOMEM)
		rc = -ENOMEM;
	else
		rc = check_pair(d, o, rc ? NULL : &crt, rk ? NULL : &key);
	free(crt.buf);
	free(key.buf);
	return rc;
}

int kk_check_secrets(const struct kk_index *ix, struct kk_diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < ix->n && !rc; i++)
		if (kk_is(&ix->v[i], "", "Secret"))
			rc = check_secret(&ix->v[i], d);
	return rc;
}

/* SHA-256 through OpenSSL's EVP (uses the CPU's SHA instructions; several
 * times faster than libsodium's portable code on the hot import and playout
 * paths) and lowercase hex helpers. */
#ifndef AP_HASH_H
#define AP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN     32
#define SHA256_HEX_LEN 64

struct sha256 {
	void *md; /* EVP_MD_CTX */
};

/* Returns 0, or -1 when OpenSSL cannot allocate. */
int sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes the digest and frees the context. */
void sha256_final(struct sha256 *h, uint8_t out[SHA256_LEN]);
/* Frees the context without a digest (error paths). */
void sha256_discard(struct sha256 *h);
void sha256_buf(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* out must hold 2*len+1 bytes. */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* Strict: exactly 2*len lowercase or uppercase hex digits. 0 or -1. */
int hex_decode(const char *in, uint8_t *out, size_t len);
/* True when s is exactly n lowercase hex digits. */
int hex_is_lower(const char *s, size_t n);

#endif

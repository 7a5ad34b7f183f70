/* The uplink: send unsynced proofs to the hub in bounded batches, retry
 * what is worth retrying, and move sync_state only on the hub's answer.
 * Also the offline bundle (airproof export). The HTTP exchange sits behind
 * struct sync_http so tests run without a network. */
#ifndef AP_SYNC_H
#define AP_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct store;
struct ap_config;

enum { SYNC_NET_OK = 0, SYNC_NET_RETRY = 1 }; /* or a negative AP_E* code */

struct sync_http {
	/* POST body to url. SYNC_NET_OK: *status and *reply (malloc'd, the
	 * caller frees; may be NULL) hold the answer, *retry_after_s its
	 * Retry-After in seconds or -1. SYNC_NET_RETRY: no answer, worth
	 * retrying (timeout, refused, reset); message in e. Negative: give up. */
	int (*post)(void *ctx, const char *url, const char *body, size_t len, long *status,
	            char **reply, size_t *reply_len, long *retry_after_s, struct ap_err *e);
	void (*sleep_ms)(void *ctx, int64_t ms);
	int64_t (*now_ms)(void *ctx);
	uint32_t (*random)(void *ctx);
	void *ctx;
};

struct sync_options {
	char url[600];           /* the hub's POST /v1/proofs address */
	int max_proofs;          /* per batch, <= 500 */
	size_t max_bytes;        /* per body, <= 1 MiB */
	int64_t retry_budget_ms; /* total time spent waiting between retries */
	int64_t backoff_base_ms; /* first wait (full jitter, doubling) */
	int64_t backoff_cap_ms;  /* longest single wait */
};

struct sync_result {
	int64_t accepted, duplicates;
	int64_t next_seq; /* the hub's, after the run */
	int64_t unsynced; /* left after the run */
	int posts, retries;
	char rejected[1024]; /* one line per refused proof */
};

/* Defaults for o and the POST address from the config's hub_url. */
int sync_options_init(struct sync_options *o, const struct ap_config *cfg, struct ap_err *e);
/* Send every proof with seq >= sync_state.next_seq. AP_OK when the hub
 * holds them all; AP_EUSER when it refused one (res->rejected), could not
 * be reached within the retry budget, or its chain disagrees. */
int sync_run(struct store *st, const char *station, const struct sync_http *h,
             const struct sync_options *o, struct sync_result *res, struct ap_err *e);

/* libcurl transport (sync/curl.c): TLS verification on, sync.ca_file,
 * connect and total timeouts from cfg. sync_curl_close frees it. */
int sync_curl_open(const struct ap_config *cfg, struct sync_http *out, struct ap_err *e);
void sync_curl_close(struct sync_http *h);

/* Write the bundle of proofs with seq >= since to path (temp + fsync +
 * rename): {"format": "airproof-bundle-v1", "station", "pubkey", "proofs":
 * [{"payload", "sig"}...]}, one proof per line. *n = proofs written. */
int sync_bundle_write(struct store *st, const char *station, const char *pubkey_hex, int64_t since,
                      const char *path, int64_t *n, struct ap_err *e);

#endif

/* The real uplink transport: libcurl with TLS verification on, the
 * config's CA file and timeouts. Network failures worth a retry are told
 * apart from those that are not (TLS trouble, a bad URL). */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/aptime.h"
#include "config/config.h"
#include "sync/sync.h"

#define MAX_REPLY (1024 * 1024)

struct curl_ctx {
	CURL *curl;
	struct curl_slist *headers;
	char *reply;
	size_t len;
	long retry_after;
	int too_big;
	unsigned seed;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct curl_ctx *c = arg;
	size_t bytes = size * n;
	if (c->len + bytes > MAX_REPLY) {
		c->too_big = 1;
		return 0;
	}
	char *g = realloc(c->reply, c->len + bytes + 1);
	if (!g)
		return 0;
	c->reply = g;
	memcpy(c->reply + c->len, data, bytes);
	c->len += bytes;
	c->reply[c->len] = '\0';
	return bytes;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct curl_ctx *c = arg;
	size_t bytes = size * n;
	if (bytes > 12 && !strncasecmp(data, "Retry-After:", 12)) {
		char *end;
		long v = strtol(data + 12, &end, 10);
		/* a proxy may send anything: an hour is the most worth waiting */
		if (end != data + 12 && v >= 0)
			c->retry_after = v > 3600 ? 3600 : v;
	}
	return bytes;
}

static int curl_post(void *ctx, const char *url, const char *body, size_t len, long *status,
                     char **reply, size_t *reply_len, long *retry_after_s, struct ap_err *e)
{
	struct curl_ctx *c = ctx;
	c->reply = NULL;
	c->len = 0;
	c->retry_after = -1;
	c->too_big = 0;
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	CURLcode r = curl_easy_perform(c->curl);
	*reply = c->reply;
	*reply_len = c->len;
	*retry_after_s = c->retry_after;
	if (r == CURLE_OK) {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
		return SYNC_NET_OK;
	}
	free(c->reply);
	*reply = NULL;
	ap_err_user(e, "%s",
	            c->too_big ? "the hub's answer is larger than 1 MiB" : curl_easy_strerror(r));
	switch (r) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return SYNC_NET_RETRY;
	default:
		return AP_EUSER;
	}
}

static void real_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int64_t real_now(void *ctx)
{
	(void)ctx;
	return time_mono_ms();
}

static uint32_t real_random(void *ctx)
{
	struct curl_ctx *c = ctx;
	return (uint32_t)rand_r(&c->seed);
}

int sync_curl_open(const struct ap_config *cfg, struct sync_http *out, struct ap_err *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ap_err_internal(e, "libcurl cannot start");
	struct curl_ctx *c = calloc(1, sizeof(*c));
	if (!c || !(c->curl = curl_easy_init())) {
		free(c);
		return ap_err_internal(e, "libcurl cannot start");
	}
	c->seed = (unsigned)time_now_ms() ^ (unsigned)time_mono_ms();
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	c->headers = curl_slist_append(c->headers, "Expect:");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_timeout_s);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)cfg->timeout_s);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (cfg->ca_file[0])
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "airproof/" AP_VERSION);
	*out = (struct sync_http){ curl_post, real_sleep, real_now, real_random, c };
	return AP_OK;
}

void sync_curl_close(struct sync_http *h)
{
	struct curl_ctx *c = h->ctx;
	if (!c)
		return;
	curl_slist_free_all(c->headers);
	curl_easy_cleanup(c->curl);
	free(c);
	h->ctx = NULL;
	curl_global_cleanup();
}

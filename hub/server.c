/* The hub's HTTP server (libmicrohttpd, internal polling thread + pool).
 * Each request borrows one of a fixed set of SQLite connections (WAL: the
 * readers never wait for the writer). Bodies are capped at 1 MiB: a larger
 * Content-Length is answered 413 before any of it is read; a chunked body
 * that grows past the cap is cut off (connection closed). */
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "hub/hub.h"
#include "hub/hub_internal.h"
#include "store/store.h"

enum refusal { REF_MALFORMED, REF_TOO_LARGE, REF_UNKNOWN_STATION, REF_INTERNAL, REF_N };
static const char *const refusal_names[REF_N] = { "malformed", "too_large", "unknown_station",
	                                          "internal" };

struct hub_server {
	struct MHD_Daemon *d;
	struct hub_config cfg;
	struct store **pool;
	int n_pool, n_free;
	struct store **free_list;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_llong refused[REF_N];
	atomic_llong duplicates;
	atomic_llong forged; /* bad signatures: counted here, never stored */
};

struct req {
	char *body;
	size_t len, cap;
};

static struct store *borrow(struct hub_server *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->n_free == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	struct store *st = s->free_list[--s->n_free];
	pthread_mutex_unlock(&s->mu);
	return st;
}

static void give_back(struct hub_server *s, struct store *st)
{
	pthread_mutex_lock(&s->mu);
	s->free_list[s->n_free++] = st;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Queue text (takes ownership of body, may be NULL: 500). */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
                             size_t len)
{
	if (!body) {
		static char oom[] = "{\"error\":\"internal error\"}\n";
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(strlen(oom), oom, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type", "application/json");
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
		MHD_destroy_response(r);
		return ret;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *msg)
{
	struct hub_sb b = { 0 };
	hub_sb_put(&b, "{\"error\":\"");
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			hub_sb_printf(&b, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			hub_sb_printf(&b, "\\u%04x", *p);
		else
			hub_sb_printf(&b, "%c", *p);
	}
	hub_sb_put(&b, "\"}\n");
	size_t len = 0;
	char *body = hub_sb_take(&b, &len);
	return reply(c, code, "application/json", body, len);
}

static unsigned code_for(int rc)
{
	return rc == AP_EUSER ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR;
}

static enum MHD_Result post_proofs(struct hub_server *s, struct MHD_Connection *c, struct req *q)
{
	struct ap_err e = { 0 };
	struct hub_ingest_result res;
	struct store *st = borrow(s);
	int rc = hub_ingest(st, q->body ? q->body : "", q->len, 0, time_now_ms(), &res, &e);
	give_back(s, st);
	if (rc) {
		enum refusal why = res.unknown_station ? REF_UNKNOWN_STATION
		                   : rc == AP_EUSER    ? REF_MALFORMED
		                                       : REF_INTERNAL;
		atomic_fetch_add(&s->refused[why], 1);
		log_info("POST /v1/proofs refused: %s", e.msg);
		return reply_error(c, res.unknown_station ? MHD_HTTP_FORBIDDEN : code_for(rc),
		                   e.msg);
	}
	atomic_fetch_add(&s->duplicates, res.duplicates);
	for (int i = 0; i < res.n_rejected; i++)
		if (!strcmp(res.rejected[i].reason, "bad_signature"))
			atomic_fetch_add(&s->forged, 1);
	if (res.n_rejected)
		log_info("%s: seq %lld rejected: %s (%s)", res.station,
		         (long long)res.rejected[0].seq, res.rejected[0].reason,
		         res.rejected[0].detail);
	char *body = hub_ingest_answer(&res);
	return reply(c, MHD_HTTP_OK, "application/json", body, body ? strlen(body) : 0);
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static const char *type_of(enum hub_format f)
{
	switch (f) {
	case HUB_FMT_CSV:
		return "text/csv; charset=utf-8";
	case HUB_FMT_HTML:
		return "text/html; charset=utf-8";
	default:
		return "application/json";
	}
}

static enum MHD_Result get_report(struct hub_server *s, struct MHD_Connection *c, int compliance)
{
	struct ap_err e = { 0 };
	struct hub_range r;
	enum hub_format f = HUB_FMT_JSON;
	int rc;
	int64_t now = time_now_ms();
	if (compliance) {
		const char *w = arg(c, "week");
		if (w)
			rc = hub_range_parse(w, w, NULL, &r, &e);
		else
			hub_range_recent(now, 1, &r), rc = AP_OK;
	} else {
		rc = hub_range_parse(arg(c, "from"), arg(c, "to"), arg(c, "period"), &r, &e);
	}
	if (!rc)
		rc = hub_format_parse(arg(c, "format"), &f, &e);
	if (rc)
		return reply_error(c, code_for(rc), e.msg);
	struct hub_report *rep = NULL;
	struct store *st = borrow(s);
	rc = hub_report_build(st, &s->cfg, &r, now, &rep, &e);
	give_back(s, st);
	char *body = NULL;
	size_t len = 0;
	if (!rc)
		rc = hub_report_render(rep, f, &body, &len, &e);
	hub_report_free(rep);
	if (rc)
		return reply_error(c, code_for(rc), e.msg);
	return reply(c, MHD_HTTP_OK, type_of(f), body, len);
}

static enum MHD_Result get_dashboard(struct hub_server *s, struct MHD_Connection *c)
{
	struct ap_err e = { 0 };
	struct hub_range r;
	const char *w = arg(c, "weeks");
	int n = w ? atoi(w) : 8;
	if (n < 1 || n > 104)
		n = 8;
	int64_t now = time_now_ms();
	hub_range_recent(now, n, &r);
	struct hub_report *rep = NULL;
	struct store *st = borrow(s);
	int rc = hub_report_build(st, &s->cfg, &r, now, &rep, &e);
	give_back(s, st);
	char *body = NULL;
	size_t len = 0;
	if (!rc)
		rc = hub_dashboard_render(rep, &body, &len, &e);
	hub_report_free(rep);
	if (rc)
		return reply_error(c, code_for(rc), e.msg);
	return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", body, len);
}

/* /v1/stations/ID/weeks/2026-W48 */
static enum MHD_Result get_station_week(struct hub_server *s, struct MHD_Connection *c,
                                        const char *url)
{
	struct ap_err e = { 0 };
	char id[64], wk[32];
	const char *rest = url + strlen("/v1/stations/");
	const char *slash = strchr(rest, '/');
	if (!slash || (size_t)(slash - rest) >= sizeof(id) || strncmp(slash, "/weeks/", 7) != 0 ||
	    strlen(slash + 7) >= sizeof(wk))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	memcpy(id, rest, (size_t)(slash - rest));
	id[slash - rest] = '\0';
	snprintf(wk, sizeof(wk), "%s", slash + 7);
	int y, w, rc;
	enum hub_format f = HUB_FMT_JSON;
	if ((rc = iso_week_parse(wk, &y, &w, &e)) ||
	    (rc = hub_format_parse(arg(c, "format"), &f, &e)))
		return reply_error(c, MHD_HTTP_BAD_REQUEST, e.msg);
	if (f == HUB_FMT_CSV)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "a week is json or html");
	char *body = NULL;
	size_t len = 0;
	struct store *st = borrow(s);
	rc = hub_station_week_render(st, &s->cfg, id, y * 100 + w, f, &body, &len, &e);
	give_back(s, st);
	if (rc)
		return reply_error(c, rc == AP_EUSER ? MHD_HTTP_NOT_FOUND : code_for(rc), e.msg);
	return reply(c, MHD_HTTP_OK, type_of(f), body, len);
}

static int metric_reason(void *ctx, const char *reason, int64_t count)
{
	hub_sb_printf(ctx, "airproof_hub_proofs_rejected_total{reason=\"%s\"} %lld\n", reason,
	              (long long)count);
	return AP_OK;
}

static enum MHD_Result get_metrics(struct hub_server *s, struct MHD_Connection *c)
{
	struct ap_err e = { 0 };
	struct hub_sb b = { 0 };
	int64_t accepted = 0;
	struct store_hub_station *sts = NULL;
	size_t n = 0;
	struct store *st = borrow(s);
	int rc = store_hub_count_proofs(st, &accepted, &e);
	if (!rc) {
		hub_sb_put(&b, "# HELP airproof_hub_proofs_accepted_total Proofs stored.\n"
		               "# TYPE airproof_hub_proofs_accepted_total counter\n");
		hub_sb_printf(&b, "airproof_hub_proofs_accepted_total %lld\n", (long long)accepted);
		hub_sb_put(&b, "# HELP airproof_hub_proofs_rejected_total Proofs refused, by "
		               "reason.\n# TYPE airproof_hub_proofs_rejected_total counter\n");
		rc = store_hub_rejection_totals(st, metric_reason, &b, &e);
	}
	if (!rc)
		rc = store_hub_station_list(st, &sts, &n, &e);
	give_back(s, st);
	if (rc) {
		free(hub_sb_take(&b, NULL));
		return reply_error(c, code_for(rc), e.msg);
	}
	hub_sb_printf(&b,
	              "# HELP airproof_hub_proofs_duplicate_total Proofs received again "
	              "since start.\n# TYPE airproof_hub_proofs_duplicate_total counter\n"
	              "airproof_hub_proofs_duplicate_total %lld\n",
	              (long long)atomic_load(&s->duplicates));
	hub_sb_printf(&b,
	              "# HELP airproof_hub_proofs_forged_total Proofs with a bad signature "
	              "since start (not stored: anyone can send them).\n"
	              "# TYPE airproof_hub_proofs_forged_total counter\n"
	              "airproof_hub_proofs_forged_total %lld\n",
	              (long long)atomic_load(&s->forged));
	hub_sb_put(&b, "# HELP airproof_hub_requests_refused_total Uploads refused whole since "
	               "start.\n# TYPE airproof_hub_requests_refused_total counter\n");
	for (int i = 0; i < REF_N; i++)
		hub_sb_printf(&b, "airproof_hub_requests_refused_total{reason=\"%s\"} %lld\n",
		              refusal_names[i], (long long)atomic_load(&s->refused[i]));
	hub_sb_printf(&b,
	              "# HELP airproof_hub_stations Enrolled stations.\n"
	              "# TYPE airproof_hub_stations gauge\nairproof_hub_stations %zu\n",
	              n);
	hub_sb_put(&b, "# HELP airproof_hub_station_last_seen_seconds Last accepted upload.\n"
	               "# TYPE airproof_hub_station_last_seen_seconds gauge\n");
	for (size_t i = 0; i < n; i++)
		hub_sb_printf(&b, "airproof_hub_station_last_seen_seconds{station=\"%s\"} %.3f\n",
		              sts[i].id, (double)sts[i].last_seen_ms / 1000.0);
	free(sts);
	size_t len = 0;
	char *body = hub_sb_take(&b, &len);
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", body, len);
}

static enum MHD_Result route(struct hub_server *s, struct MHD_Connection *c, const char *url,
                             const char *method, struct req *q)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(url, "/v1/proofs")) {
		if (strcmp(method, "POST") != 0)
			return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST proofs here");
		return post_proofs(s, c, q);
	}
	if (!get)
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	if (!strcmp(url, "/healthz")) {
		char *ok = strdup("ok\n");
		return reply(c, MHD_HTTP_OK, "text/plain", ok, 3);
	}
	if (!strcmp(url, "/"))
		return get_dashboard(s, c);
	if (!strcmp(url, "/metrics"))
		return get_metrics(s, c);
	if (!strcmp(url, "/v1/compliance"))
		return get_report(s, c, 1);
	if (!strcmp(url, "/v1/report"))
		return get_report(s, c, 0);
	if (!strncmp(url, "/v1/stations/", 13))
		return get_station_week(s, c, url);
	return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct hub_server *s = cls;
	struct req *q = *con_cls;
	(void)version;
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		*con_cls = q;
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > HUB_MAX_BODY) {
			atomic_fetch_add(&s->refused[REF_TOO_LARGE], 1);
			return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body larger than 1 MiB");
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (q->len + *upload_data_size > HUB_MAX_BODY) {
			atomic_fetch_add(&s->refused[REF_TOO_LARGE], 1);
			return MHD_NO; /* chunked and too large: cut off */
		}
		if (q->len + *upload_data_size > q->cap) {
			size_t cap = q->cap ? q->cap : 65536;
			while (cap < q->len + *upload_data_size)
				cap *= 2;
			char *n = realloc(q->body, cap);
			if (!n)
				return MHD_NO;
			q->body = n;
			q->cap = cap;
		}
		memcpy(q->body + q->len, upload_data, *upload_data_size);
		q->len += *upload_data_size;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return route(s, c, url, method, q);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *q = *con_cls;
	if (q) {
		free(q->body);
		free(q);
		*con_cls = NULL;
	}
}

int hub_server_start(const struct hub_config *cfg, struct hub_server **out, struct ap_err *e)
{
	struct hub_server *s = calloc(1, sizeof(*s));
	if (!s)
		return ap_err_internal(e, "out of memory");
	s->cfg = *cfg;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->n_pool = cfg->threads;
	s->pool = calloc((size_t)s->n_pool, sizeof(*s->pool));
	s->free_list = calloc((size_t)s->n_pool, sizeof(*s->free_list));
	int rc = AP_OK;
	if (!s->pool || !s->free_list)
		rc = ap_err_internal(e, "out of memory");
	for (int i = 0; i < s->n_pool && !rc; i++) {
		rc = store_open(cfg->db_path, STORE_HUB, 0, &s->pool[i], e);
		if (!rc)
			s->free_list[s->n_free++] = s->pool[i];
	}
	if (rc) {
		hub_server_stop(s);
		return rc;
	}
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->port);
	inet_pton(AF_INET, cfg->listen, &sa.sin_addr);
	s->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, s,
	                        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	                        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s,
	                        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_limit,
	                        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_NOTIFY_COMPLETED,
	                        on_completed, s, MHD_OPTION_END);
	if (!s->d) {
		hub_server_stop(s);
		return ap_err_user(e, "cannot listen on %s:%d (in use, or not allowed)",
		                   cfg->listen, cfg->port);
	}
	*out = s;
	return AP_OK;
}

int hub_server_port(const struct hub_server *s)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	return i ? (int)i->port : -1;
}

void hub_server_stop(struct hub_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	for (int i = 0; i < s->n_pool; i++)
		store_close(s->pool ? s->pool[i] : NULL);
	free(s->pool);
	free(s->free_list);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

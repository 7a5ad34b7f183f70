/* The provincial hub: config, ingest (uploads and bundles share one code
 * path), weekly compliance, reports and the HTTP server. Compliance and
 * period arithmetic are pure functions; ingest and reports take an open hub
 * store; the server owns its connections. */
#ifndef AP_HUB_H
#define AP_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct store;

/* ---- config (hub/hubconfig.c) ---- */

#define HUB_CONFIG_DEFAULT_PATH "/etc/airproof/airproof-hub.cfg"
#define HUB_MAX_POLICIES        64

/* A weekly quota: at least per_week complete plays of campaign, starting
 * inside [win_start, win_end) local minutes (win_start < 0: any time; end
 * <= start: the window crosses midnight). Applies to one station when
 * station is set, else to every station of group. */
struct hub_policy {
	char station[64];
	char group[64];
	char campaign[64];
	int per_week;
	int win_start, win_end;
};

struct hub_config {
	char path[4096]; /* the file loaded, "" for defaults */
	char listen[64]; /* IPv4 address */
	int port;        /* 0: any free port (tests) */
	char state_dir[4096];
	char db_path[4096]; /* default state_dir/hub.db */
	char timezone[64];
	int threads;
	int conn_timeout_s;
	int per_ip_limit;
	int late_days; /* proofs received this many days after their week ended: suspect */
	struct hub_policy policies[HUB_MAX_POLICIES];
	int n_policies;
};

void hub_config_defaults(struct hub_config *c);
/* explicit, else $AIRPROOF_HUB_CONFIG, else HUB_CONFIG_DEFAULT_PATH. */
const char *hub_config_resolve_path(const char *explicit_path);
/* Load and validate (file:line on errors; unknown keys refused). A missing
 * file is an error only when required. */
int hub_config_load(const char *path, int required, struct hub_config *c, struct ap_err *e);
/* The policy for a station: its own, else its group's; NULL when none. */
const struct hub_policy *hub_policy_for(const struct hub_config *c, const char *station,
                                        const char *group);

/* ---- weeks and periods (hub/period.c) ---- */

/* A week key is iso_year * 100 + iso_week (2026-W48 -> 202648); keys sort
 * in time order. Local time is the process zone (tz_use). */
int hub_week_key_of(int64_t utc_ms);
int hub_week_key_next(int key);
void hub_week_key_fmt(int key, char out[16]); /* "2026-W48" */
/* Local midnight bounds of the week as UTC ms. */
void hub_week_key_bounds(int key, int64_t *start_ms, int64_t *end_ms);

/* An inclusive range of ISO weeks, from a report query:
 *   from=2026-W40&to=2026-W48    weeks
 *   from=2026-11&to=2026-12      months
 *   from=2026-11-15&to=2027-02-14 dates
 *   period=2026-Q1|Q2|Q3|Q4|H1|H2|Y  reform-report periods, 15th to 14th:
 *                                Q1 = 15/12/2025-14/03/2026, H1 = 15/12-14/06,
 *                                Y = 15/12/2025-14/12/2026
 * A date range covers the ISO weeks whose Thursday falls inside it (the ISO
 * rule that assigns weeks to years), so every week belongs to exactly one
 * consecutive period. Any of from/to may be a week, month or date. */
struct hub_range {
	int first_week, last_week; /* keys */
	int n_weeks;
	char label[64]; /* "2026-Q1 (15/12/2025-14/03/2026)" */
};
int hub_range_parse(const char *from, const char *to, const char *period, struct hub_range *r,
                    struct ap_err *e);
/* The n most recent weeks ending with the week of now_ms. */
void hub_range_recent(int64_t now_ms, int n, struct hub_range *r);

/* ---- compliance (hub/compliance.c) ---- */

enum hub_status { HUB_NO_DATA, HUB_COMPLIANT, HUB_SHORT, HUB_SUSPECT };

/* Reasons, as bits. */
enum {
	HUB_R_SEQ_GAP = 1 << 0,
	HUB_R_CHAIN_BREAK = 1 << 1,
	HUB_R_UNSYNCED_CLOCK = 1 << 2,
	HUB_R_CLOCK_STEP = 1 << 3,
	HUB_R_UNKNOWN_CLIP = 1 << 4,
	HUB_R_LATE_SYNC = 1 << 5,
	HUB_R_NO_POLICY = 1 << 6,
};
#define HUB_N_REASONS 7

/* What one station did in one week, aggregated from its proofs. */
struct hub_week_facts {
	int64_t proofs;        /* every record of the week */
	int64_t plays_counted; /* complete plays of the policy's campaign in its window */
	int64_t plays;         /* every play record */
	int64_t unsynced_plays;
	int64_t clock_steps;
	int64_t unknown_clips;
	int64_t late;         /* 1: a record arrived after the late threshold */
	int64_t chain_breaks; /* rejected: wrong_prev, conflict, bad_signature */
	int64_t seq_gaps;     /* rejected seq_gap still open */
};

struct hub_cell {
	enum hub_status status;
	unsigned reasons;
	int64_t plays_counted;
	int required;
};

/* Pure: facts + the station's policy (NULL: none) -> status and reasons.
 * suspect wins over compliant/short; no_data is a week with no record. */
void hub_assess(const struct hub_week_facts *f, const struct hub_policy *p, struct hub_cell *out);
/* Pure: 1 when a complete play of campaign starting at local_min (minute
 * of day) counts towards p's quota. */
int hub_policy_counts(const struct hub_policy *p, const char *campaign, int local_min);
const char *hub_status_name(enum hub_status s);
/* Name of one reason bit ("seq_gap", ...). */
const char *hub_reason_name(unsigned bit);
/* Comma-separated names of the bits into out. */
void hub_reasons_fmt(unsigned reasons, char *out, size_t cap);

/* ---- reports (hub/report.c) ---- */

struct hub_report_station {
	char id[64];
	char name[256];
	char group[64];
	int64_t last_seen_ms;
	int counts[4]; /* weeks per status */
};

/* A stations x weeks grid. Owned by the caller: hub_report_free. */
struct hub_report {
	struct hub_range range;
	int *weeks; /* n_weeks keys */
	struct hub_report_station *stations;
	size_t n_stations;
	struct hub_cell *cells; /* [station * n_weeks + week] */
};

int hub_report_build(struct store *st, const struct hub_config *cfg, const struct hub_range *r,
                     int64_t now_ms, struct hub_report **out, struct ap_err *e);
/* The same grid for one station only (its rows alone are read); AP_EUSER
 * when it is not enrolled. */
int hub_report_build_station(struct store *st, const struct hub_config *cfg,
                             const struct hub_range *r, const char *station,
                             struct hub_report **out, struct ap_err *e);
void hub_report_free(struct hub_report *r);

enum hub_format { HUB_FMT_CSV, HUB_FMT_JSON, HUB_FMT_HTML };
int hub_format_parse(const char *s, enum hub_format *f, struct ap_err *e);
/* Render into a malloc'd NUL-terminated string the caller frees. */
int hub_report_render(const struct hub_report *r, enum hub_format f, char **out, size_t *len,
                      struct ap_err *e);
/* The dashboard page: the report grid as HTML with links to each cell. */
int hub_dashboard_render(const struct hub_report *r, char **out, size_t *len, struct ap_err *e);
/* One station's week: plays, events, flags (json or html). */
int hub_station_week_render(struct store *st, const struct hub_config *cfg, const char *station,
                            int week, enum hub_format f, char **out, size_t *len, struct ap_err *e);

/* ---- ingest (hub/ingest.c) ---- */

#define HUB_MAX_BODY (1024 * 1024)

struct hub_rejection {
	int64_t seq; /* 0 when the payload did not say */
	char reason[32];
	char detail[256];
};

struct hub_ingest_result {
	int unknown_station; /* set with AP_EUSER: answer 403 */
	char station[64];
	int64_t accepted, duplicates, next_seq;
	char head[65];
	struct hub_rejection rejected[1]; /* the batch stops at the first */
	int n_rejected;
};

/* Verify and store one upload body or bundle (doc: JSON text). Every proof
 * goes through proof_chain_next against the station's stored position; a
 * seq already stored is a duplicate when byte-identical, else "conflict".
 * The first refused proof stops the batch: later proofs are not processed
 * (the answer's next_seq says where to resume). Accepted proofs, the
 * station's new position and the rejection record are committed in one
 * transaction; res is filled only after that commit. Returns AP_EUSER for
 * a malformed document or an unknown station (res->unknown_station), with
 * the database untouched. bundle: also accept "format" and "pubkey" keys
 * (pubkey must match the enrolled key). */
int hub_ingest(struct store *st, const char *doc, size_t len, int bundle, int64_t now_ms,
               struct hub_ingest_result *res, struct ap_err *e);
/* The answer body for POST /v1/proofs (malloc'd). */
char *hub_ingest_answer(const struct hub_ingest_result *res);

/* ---- server (hub/server.c) ---- */

struct hub_server;
/* Start listening (threads from cfg). The caller owns *out and stops it
 * with hub_server_stop. */
int hub_server_start(const struct hub_config *cfg, struct hub_server **out, struct ap_err *e);
int hub_server_port(const struct hub_server *s);
void hub_server_stop(struct hub_server *s);

#endif

/* hub/: week status and reasons, report periods (15th to 14th), the hub
 * config's refusals with file:line, and a report over real proofs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/aptime.h"
#include "hub/hub.h"
#include "store/store.h"
#include "tests/unit/support/hub_fixture.h"

static const struct hub_policy weekly1 = { "", "commune", "cchc", 1, -1, -1 };

static enum hub_status status_of(const struct hub_week_facts *f, const struct hub_policy *p,
                                 unsigned *reasons)
{
	struct hub_cell c;
	hub_assess(f, p, &c);
	if (reasons)
		*reasons = c.reasons;
	return c.status;
}

static void a_week_with_enough_plays_is_compliant(void **state)
{
	(void)state;
	struct hub_week_facts f = { .proofs = 3, .plays = 2, .plays_counted = 1 };
	unsigned r;
	assert_int_equal(status_of(&f, &weekly1, &r), HUB_COMPLIANT);
	assert_int_equal(r, 0);
}

static void a_week_with_records_but_too_few_plays_is_short(void **state)
{
	(void)state;
	struct hub_week_facts f = { .proofs = 5, .plays = 2, .plays_counted = 0 };
	assert_int_equal(status_of(&f, &weekly1, NULL), HUB_SHORT);
}

static void a_week_without_records_is_no_data(void **state)
{
	(void)state;
	struct hub_week_facts f = { 0 };
	assert_int_equal(status_of(&f, &weekly1, NULL), HUB_NO_DATA);
}

static void each_flag_makes_the_week_suspect_with_its_reason(void **state)
{
	(void)state;
	struct {
		struct hub_week_facts f;
		unsigned reason;
	} cases[] = {
		{ { .proofs = 2, .plays_counted = 1, .seq_gaps = 1 }, HUB_R_SEQ_GAP },
		{ { .proofs = 2, .plays_counted = 1, .chain_breaks = 1 }, HUB_R_CHAIN_BREAK },
		{ { .proofs = 2, .plays_counted = 1, .unsynced_plays = 1 }, HUB_R_UNSYNCED_CLOCK },
		{ { .proofs = 2, .plays_counted = 1, .clock_steps = 1 }, HUB_R_CLOCK_STEP },
		{ { .proofs = 2, .plays_counted = 1, .unknown_clips = 1 }, HUB_R_UNKNOWN_CLIP },
		{ { .proofs = 2, .plays_counted = 1, .late = 1 }, HUB_R_LATE_SYNC },
		{ { .chain_breaks = 1 }, HUB_R_CHAIN_BREAK },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned r;
		assert_int_equal(status_of(&cases[i].f, &weekly1, &r), HUB_SUSPECT);
		assert_int_equal(r, cases[i].reason);
	}
	char text[160];
	hub_reasons_fmt(HUB_R_SEQ_GAP | HUB_R_LATE_SYNC, text, sizeof(text));
	assert_string_equal(text, "seq_gap,late_sync");
}

static void a_station_without_a_policy_is_flagged_no_policy(void **state)
{
	(void)state;
	struct hub_week_facts f = { .proofs = 1 };
	unsigned r;
	assert_int_equal(status_of(&f, NULL, &r), HUB_COMPLIANT);
	assert_int_equal(r, HUB_R_NO_POLICY);
}

static void q1_runs_from_15_december_to_14_march(void **state)
{
	(void)state;
	struct hub_range r;
	struct ap_err e = { 0 };
	assert_int_equal(hub_range_parse(NULL, NULL, "2026-Q1", &r, &e), AP_OK);
	assert_non_null(strstr(r.label, "15/12/2025-14/03/2026"));
	/* Mon 15/12/2025 is in 2025-W51; Thu 12/03/2026 is in 2026-W11 */
	assert_int_equal(r.first_week, 202551);
	assert_int_equal(r.last_week, 202611);
	assert_int_equal(r.n_weeks, 13);
}

static void consecutive_periods_share_no_week(void **state)
{
	(void)state;
	struct hub_range q1, q2, h1, y;
	assert_int_equal(hub_range_parse(NULL, NULL, "2026-Q1", &q1, NULL), AP_OK);
	assert_int_equal(hub_range_parse(NULL, NULL, "2026-Q2", &q2, NULL), AP_OK);
	assert_int_equal(hub_week_key_next(q1.last_week), q2.first_week);
	assert_int_equal(hub_range_parse(NULL, NULL, "2026-H1", &h1, NULL), AP_OK);
	assert_int_equal(h1.first_week, q1.first_week);
	assert_int_equal(h1.last_week, q2.last_week);
	assert_int_equal(hub_range_parse(NULL, NULL, "2026-Y", &y, NULL), AP_OK);
	assert_true(y.n_weeks == 52 || y.n_weeks == 53);
}

static void weeks_months_and_dates_are_ranges(void **state)
{
	(void)state;
	struct hub_range r;
	assert_int_equal(hub_range_parse("2026-W40", "2026-W48", NULL, &r, NULL), AP_OK);
	assert_int_equal(r.n_weeks, 9);
	assert_int_equal(hub_range_parse("2026-11", "2026-11", NULL, &r, NULL), AP_OK);
	/* Thursdays of November 2026: 5, 12, 19, 26 */
	assert_int_equal(r.n_weeks, 4);
	assert_int_equal(r.first_week, 202645);
	assert_int_equal(hub_range_parse("2025-12-29", "2026-01-04", NULL, &r, NULL), AP_OK);
	assert_int_equal(r.first_week, 202601);
	assert_int_equal(r.n_weeks, 1);
}

static void bad_ranges_are_refused(void **state)
{
	(void)state;
	struct hub_range r;
	struct ap_err e = { 0 };
	assert_int_equal(hub_range_parse(NULL, NULL, "2026-Q5", &r, &e), AP_EUSER);
	assert_int_equal(hub_range_parse("soon", NULL, NULL, &r, &e), AP_EUSER);
	assert_int_equal(hub_range_parse("2026-W48", "2026-W40", NULL, &r, &e), AP_EUSER);
	assert_int_equal(hub_range_parse(NULL, NULL, NULL, &r, &e), AP_EUSER);
	assert_int_equal(hub_range_parse("2026-13", NULL, NULL, &r, &e), AP_EUSER);
}

static char cfg_path[64];

static int load_cfg(const char *text, struct hub_config *c, struct ap_err *e)
{
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/ap-hubcfg-%d.cfg", (int)getpid());
	FILE *f = fopen(cfg_path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	int rc = hub_config_load(cfg_path, 1, c, e);
	unlink(cfg_path);
	return rc;
}

static void hub_config_defaults_and_policies_are_read(void **state)
{
	(void)state;
	struct hub_config c;
	struct ap_err e = { 0 };
	assert_int_equal(load_cfg("hub = { state_dir = \"/srv/hub\"; port = 9000; };\n"
	                          "policies = ( { group = \"commune\"; campaign = \"cchc\"; },\n"
	                          "  { station = \"dai-tinh\"; campaign = \"cchc\"; per_week = 2;\n"
	                          "    window = \"18:00-21:00\"; } );\n",
	                          &c, &e),
	                 AP_OK);
	assert_string_equal(c.listen, "127.0.0.1");
	assert_int_equal(c.port, 9000);
	assert_string_equal(c.db_path, "/srv/hub/hub.db");
	assert_string_equal(c.timezone, "Asia/Ho_Chi_Minh");
	assert_int_equal(c.n_policies, 2);
	assert_int_equal(c.policies[1].win_start, 18 * 60);
	assert_int_equal(c.policies[1].win_end, 21 * 60);
	assert_ptr_equal(hub_policy_for(&c, "dai-tinh", "commune"), &c.policies[1]);
	assert_ptr_equal(hub_policy_for(&c, "xa-a", "commune"), &c.policies[0]);
	assert_null(hub_policy_for(&c, "xa-a", "district"));
}

static void hub_config_errors_name_file_and_line(void **state)
{
	(void)state;
	static const struct {
		const char *text, *needle;
	} cases[] = {
		{ "hub = {\n colour = 1; };\n", ":2: unknown setting 'hub.colour'" },
		{ "hub = { port = 70000; };\n", ":1: hub.port: out of range" },
		{ "\npolicies = ( { group = \"a\"; campaign = \"c\"; window = \"18-21\"; } );\n",
		  ":2: policies.window" },
		{ "policies = ( { campaign = \"c\"; } );\n", ":1: policies: give exactly one" },
		{ "hub = { timezone = \"Mars/Base\"; };\n", ":1: hub.timezone: unknown" },
		{ "hub = { listen = \"localhost\"; };\n", ":1: hub.listen" },
		{ "relay = { };\n", ":1: unknown setting 'relay'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hub_config c;
		struct ap_err e = { 0 };
		assert_int_equal(load_cfg(cases[i].text, &c, &e), AP_EUSER);
		if (!strstr(e.msg, cases[i].needle) || !strstr(e.msg, cfg_path))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].needle);
	}
}

/* 2026-W48 is Mon 23/11 .. Sun 29/11/2026 (UTC+7). */
static int64_t local(int day, int hour)
{
	return time_from_local(2026, 11, day, hour, 0, 0);
}

static void a_report_counts_only_plays_inside_the_window(void **state)
{
	(void)state;
	char dir[64];
	struct ap_err e = { 0 };
	struct hub_config cfg;
	struct hfx_chain a, b;
	struct hfx_proof p[3];
	struct hub_ingest_result res;
	tz_use("Asia/Ho_Chi_Minh", NULL);
	hub_config_defaults(&cfg);
	cfg.policies[0] = (struct hub_policy){ "", "province", "cchc", 1, 18 * 60, 21 * 60 };
	cfg.policies[1] = weekly1;
	cfg.n_policies = 2;
	struct store *st = hfx_hub_db(dir, sizeof(dir));
	hfx_chain_init(&a, "dai-tinh");
	hfx_chain_init(&b, "xa-b");
	hfx_enrol(st, "dai-tinh", "province", a.key.pk);
	hfx_enrol(st, "xa-b", "commune", b.key.pk);
	/* the province plays at 10:00 in W48 and at 19:00 in W49; the commune
	 * plays with an unsynced clock in W48 */
	hfx_play(&a, local(24, 10), "cchc", 1, &p[0]);
	hfx_play(&a, local(30, 19), "cchc", 1, &p[1]);
	char *body = hfx_body("dai-tinh", p, 2);
	assert_int_equal(hub_ingest(st, body, strlen(body), 0, local(30, 23), &res, &e), AP_OK);
	free(body);
	hfx_play(&b, local(25, 8), "cchc", 0, &p[2]);
	body = hfx_body("xa-b", &p[2], 1);
	assert_int_equal(hub_ingest(st, body, strlen(body), 0, local(30, 23), &res, &e), AP_OK);
	free(body);

	struct hub_range r;
	struct hub_report *rep = NULL;
	assert_int_equal(hub_range_parse("2026-W47", "2026-W49", NULL, &r, &e), AP_OK);
	assert_int_equal(hub_report_build(st, &cfg, &r, local(30, 23), &rep, &e), AP_OK);
	assert_int_equal(rep->n_stations, 2);
	assert_string_equal(rep->stations[0].id, "dai-tinh");
	assert_int_equal(rep->cells[0].status, HUB_NO_DATA);   /* W47 */
	assert_int_equal(rep->cells[1].status, HUB_SHORT);     /* W48: 10:00 is outside */
	assert_int_equal(rep->cells[2].status, HUB_COMPLIANT); /* W49: 19:00 */
	assert_int_equal(rep->cells[4].status, HUB_SUSPECT);   /* xa-b W48 */
	assert_int_equal(rep->cells[4].reasons, HUB_R_UNSYNCED_CLOCK);
	char *csv = NULL;
	size_t len = 0;
	assert_int_equal(hub_report_render(rep, HUB_FMT_CSV, &csv, &len, &e), AP_OK);
	assert_non_null(strstr(csv, "\"dai-tinh\",\"Đài dai-tinh\",\"province\",2026-W49,"
	                            "30/11/2026,06/12/2026,compliant,1,1,\"\""));
	free(csv);
	hub_report_free(rep);
	for (int i = 0; i < 3; i++)
		hfx_proof_free(&p[i]);
	hfx_remove(st, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_week_with_enough_plays_is_compliant),
		cmocka_unit_test(a_week_with_records_but_too_few_plays_is_short),
		cmocka_unit_test(a_week_without_records_is_no_data),
		cmocka_unit_test(each_flag_makes_the_week_suspect_with_its_reason),
		cmocka_unit_test(a_station_without_a_policy_is_flagged_no_policy),
		cmocka_unit_test(q1_runs_from_15_december_to_14_march),
		cmocka_unit_test(consecutive_periods_share_no_week),
		cmocka_unit_test(weeks_months_and_dates_are_ranges),
		cmocka_unit_test(bad_ranges_are_refused),
		cmocka_unit_test(hub_config_defaults_and_policies_are_read),
		cmocka_unit_test(hub_config_errors_name_file_and_line),
		cmocka_unit_test(a_report_counts_only_plays_inside_the_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

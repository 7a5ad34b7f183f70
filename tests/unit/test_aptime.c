/* common/aptime: calendar arithmetic, ISO weeks, and local time across DST. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/aptime.h"

static void civil_round_trip_over_centuries(void **state)
{
	(void)state;
	for (int64_t z = -200000; z < 200000; z += 37) {
		int y, m, d;
		civil_from_days(z, &y, &m, &d);
		assert_int_equal(days_from_civil(y, m, d), z);
	}
	assert_int_equal(days_from_civil(1970, 1, 1), 0);
	assert_int_equal(weekday_of(2026, 11, 28), 6); /* a Saturday */
}

static void iso_weeks_at_year_turns(void **state)
{
	(void)state;
	int y, w;
	iso_week_of(2026, 11, 28, &y, &w);
	assert_int_equal(y, 2026);
	assert_int_equal(w, 48);
	iso_week_of(2021, 1, 3, &y, &w); /* Sunday: still 2020-W53 */
	assert_int_equal(y, 2020);
	assert_int_equal(w, 53);
	iso_week_of(2024, 12, 30, &y, &w); /* Monday: already 2025-W01 */
	assert_int_equal(y, 2025);
	assert_int_equal(w, 1);
	assert_int_equal(iso_weeks_in_year(2026), 53);
	assert_int_equal(iso_weeks_in_year(2025), 52);
	int m, d;
	iso_week_monday(2026, 53, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 12);
	assert_int_equal(d, 28);
}

static void week_parse_accepts_and_refuses(void **state)
{
	(void)state;
	int y, w;
	struct ap_err e;
	assert_int_equal(iso_week_parse("2026-W48", &y, &w, &e), AP_OK);
	assert_int_equal(w, 48);
	assert_int_equal(iso_week_parse("2026-W53", &y, &w, &e), AP_OK);
	assert_int_equal(iso_week_parse("2025-W53", &y, &w, &e), AP_EUSER);
	assert_int_equal(iso_week_parse("2026-W00", &y, &w, &e), AP_EUSER);
	assert_int_equal(iso_week_parse("2026-W48x", &y, &w, &e), AP_EUSER);
	assert_int_equal(iso_week_parse("", &y, &w, &e), AP_EUSER);
}

static void hanoi_week_bounds_are_local_midnights(void **state)
{
	(void)state;
	assert_int_equal(tz_use("Asia/Ho_Chi_Minh", NULL), AP_OK);
	int64_t s, e;
	iso_week_range(2026, 48, &s, &e);
	/* Monday 23/11/2026 00:00 +07 = 22/11 17:00 UTC */
	assert_int_equal(s, (days_from_civil(2026, 11, 22) * 24 + 17) * MS_PER_HOUR);
	assert_int_equal(e - s, 7 * MS_PER_DAY);
	char buf[20];
	time_fmt_datetime(s, buf);
	assert_string_equal(buf, "23/11/2026 00:00");
}

static void spring_forward_gap_maps_to_end_of_gap(void **state)
{
	(void)state;
	assert_int_equal(tz_use("Europe/Berlin", NULL), AP_OK);
	/* 29/03/2026 02:30 does not exist in Berlin; 03:00 CEST = 01:00 UTC */
	int64_t t = time_from_local(2026, 3, 29, 2, 30, 0);
	assert_int_equal(t, (days_from_civil(2026, 3, 29) * 24 + 1) * MS_PER_HOUR);
	struct ltime lt;
	time_to_local(t, &lt);
	assert_int_equal(lt.hour, 3);
	assert_int_equal(lt.min, 0);
}

static void fall_back_ambiguity_takes_first(void **state)
{
	(void)state;
	assert_int_equal(tz_use("America/New_York", NULL), AP_OK);
	/* 01/11/2026 01:30 happens twice; the first is EDT = 05:30 UTC */
	int64_t t = time_from_local(2026, 11, 1, 1, 30, 0);
	assert_int_equal(t,
	                 (days_from_civil(2026, 11, 1) * 24 + 5) * MS_PER_HOUR + 30 * MS_PER_MIN);
}

static void parsers_refuse_nonsense(void **state)
{
	(void)state;
	int y, m, d, min;
	assert_int_equal(time_parse_date("2026-02-29", &y, &m, &d, NULL), AP_EUSER);
	assert_int_equal(time_parse_date("2028-02-29", &y, &m, &d, NULL), AP_OK);
	assert_int_equal(time_parse_date("28/11/2026", &y, &m, &d, NULL), AP_OK);
	assert_int_equal(d, 28);
	assert_int_equal(time_parse_hhmm("24:00", &min, NULL), AP_EUSER);
	assert_int_equal(time_parse_hhmm("6:15", &min, NULL), AP_OK);
	assert_int_equal(min, 375);
	assert_int_equal(time_parse_hhmm("18:60", &min, NULL), AP_EUSER);
	assert_int_equal(time_parse_hhmm("18:00x", &min, NULL), AP_EUSER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(civil_round_trip_over_centuries),
		cmocka_unit_test(iso_weeks_at_year_turns),
		cmocka_unit_test(week_parse_accepts_and_refuses),
		cmocka_unit_test(hanoi_week_bounds_are_local_midnights),
		cmocka_unit_test(spring_forward_gap_maps_to_end_of_gap),
		cmocka_unit_test(fall_back_ambiguity_takes_first),
		cmocka_unit_test(parsers_refuse_nonsense),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* config/: defaults, every kind of refusal with file:line, and values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"

static char path[64];

static void write_cfg(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/ap-cfg-%d.cfg", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int load(const char *text, struct ap_config *c, struct ap_err *e)
{
	write_cfg(text);
	int rc = config_load(path, 1, c, e);
	unlink(path);
	return rc;
}

static void defaults_are_documented_values(void **state)
{
	(void)state;
	struct ap_config c;
	config_defaults(&c);
	assert_string_equal(c.timezone, "Asia/Ho_Chi_Minh");
	assert_string_equal(c.state_dir, "/var/lib/airproof");
	assert_int_equal(c.rate, 48000);
	assert_int_equal(c.channels, 2);
	assert_int_equal(c.max_late_s, 60);
	assert_true(c.target_lufs == -16.0);
	assert_true(c.require_approval);
}

static void full_file_is_read(void **state)
{
	(void)state;
	struct ap_config c;
	struct ap_err e = { 0 };
	assert_int_equal(load("station = { id = \"lamdong-malam\"; name = \"Đài xã Ma Lâm\";\n"
	                      " level = \"commune\"; timezone = \"Europe/Berlin\"; };\n"
	                      "paths = { state_dir = \"/srv/ap\"; };\n"
	                      "audio = { driver = \"wav\"; options = { file = \"/tmp/x.wav\"; };\n"
	                      " output = \"fm\"; rate = 44100; channels = 1; target_lufs = -23.0;\n"
	                      " max_late = 30; };\n"
	                      "media = { require_approval = false; };\n"
	                      "sync = { hub_url = \"https://hub.example.vn/\"; };\n",
	                      &c, &e),
	                 AP_OK);
	assert_string_equal(c.station_id, "lamdong-malam");
	assert_string_equal(c.station_name, "Đài xã Ma Lâm");
	assert_string_equal(c.timezone, "Europe/Berlin");
	assert_string_equal(c.state_dir, "/srv/ap");
	assert_string_equal(c.audio_driver, "wav");
	assert_int_equal(c.n_audio_options, 1);
	assert_string_equal(c.audio_options[0].key, "file");
	assert_string_equal(c.audio_options[0].value, "/tmp/x.wav");
	assert_int_equal(c.rate, 44100);
	assert_int_equal(c.channels, 1);
	assert_int_equal(c.max_late_s, 30);
	assert_false(c.require_approval);
	assert_string_equal(c.hub_url, "https://hub.example.vn/");
}

static void expect_refused(const char *text, const char *needle)
{
	struct ap_config c;
	struct ap_err e = { 0 };
	assert_int_equal(load(text, &c, &e), AP_EUSER);
	if (!strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
	/* a refused file leaves the defaults, never half a config */
	assert_int_equal(c.rate, 48000);
}

static void unknown_key_names_file_and_line(void **state)
{
	(void)state;
	expect_refused("audio = {\n rate = 44100;\n volume = 3; };\n",
	               ".cfg:3: unknown setting 'audio.volume'");
}

static void unknown_group_is_refused(void **state)
{
	(void)state;
	expect_refused("stations = { id = \"a\"; };\n", ":1: unknown setting 'stations'");
}

static void wrong_types_are_refused(void **state)
{
	(void)state;
	expect_refused("audio = { rate = \"48000\"; };\n", "audio.rate: expected a whole number");
	expect_refused("audio = { target_lufs = \"loud\"; };\n",
	               "audio.target_lufs: expected a number");
	expect_refused("media = { require_approval = 1; };\n", "expected true or false");
	expect_refused("station = { id = 7; };\n", "station.id: expected a string");
}

static void out_of_range_values_are_refused(void **state)
{
	(void)state;
	expect_refused("audio = { channels = 6; };\n", "audio.channels: out of range");
	expect_refused("audio = { max_late = 0; };\n", "audio.max_late: out of range");
	/* above 32 bits: libconfig 1.5 would read 0 through config_lookup_int */
	expect_refused("audio = { rate = 4294967296L; };\n", "audio.rate: out of range");
	expect_refused("audio = { target_lufs = 3.0; };\n", "out of range");
}

static void integer_is_accepted_where_a_float_is_expected(void **state)
{
	(void)state;
	struct ap_config c;
	struct ap_err e = { 0 };
	assert_int_equal(load("audio = { target_lufs = -18; };\n", &c, &e), AP_OK);
	assert_true(c.target_lufs == -18.0);
}

static void bad_station_id_and_zone_are_refused(void **state)
{
	(void)state;
	expect_refused("station = { id = \"Ma Lam\"; };\n", "station.id");
	expect_refused("station = { timezone = \"Asia/Nowhere\"; };\n", "unknown time zone");
	expect_refused("station = { timezone = \"../../etc/passwd\"; };\n", "unknown time zone");
}

static void syntax_error_names_line(void **state)
{
	(void)state;
	expect_refused("station = {\n id = \"a\"\n name = ; };\n", ".cfg:3:");
}

static void missing_file_is_an_error_only_when_named(void **state)
{
	(void)state;
	struct ap_config c;
	struct ap_err e = { 0 };
	assert_int_equal(config_load("/nonexistent/airproof.cfg", 1, &c, &e), AP_EUSER);
	assert_int_equal(config_load("/nonexistent/airproof.cfg", 0, &c, &e), AP_OK);
	assert_int_equal(c.rate, 48000);
}

static void shipped_example_config_is_valid(void **state)
{
	(void)state;
	struct ap_config c;
	struct ap_err e = { 0 };
	int rc = config_load("config/airproof.cfg.example", 1, &c, &e);
	if (rc)
		fail_msg("%s", e.msg);
	assert_string_equal(c.station_id, "lamdong-malam");
	assert_string_equal(c.audio_options[0].key, "dev");
}

static void station_id_rules(void **state)
{
	(void)state;
	assert_true(config_station_id_valid("lamdong-malam"));
	assert_true(config_station_id_valid("xa-01"));
	assert_false(config_station_id_valid(""));
	assert_false(config_station_id_valid("-a"));
	assert_false(config_station_id_valid("a_b"));
	assert_false(config_station_id_valid("đài"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_documented_values),
		cmocka_unit_test(full_file_is_read),
		cmocka_unit_test(unknown_key_names_file_and_line),
		cmocka_unit_test(unknown_group_is_refused),
		cmocka_unit_test(wrong_types_are_refused),
		cmocka_unit_test(out_of_range_values_are_refused),
		cmocka_unit_test(integer_is_accepted_where_a_float_is_expected),
		cmocka_unit_test(bad_station_id_and_zone_are_refused),
		cmocka_unit_test(syntax_error_names_line),
		cmocka_unit_test(missing_file_is_an_error_only_when_named),
		cmocka_unit_test(shipped_example_config_is_valid),
		cmocka_unit_test(station_id_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

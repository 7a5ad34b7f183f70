/* proof/json_strict: the flat-object parser every received proof goes
 * through. What RFC 8259 refuses, and what a proof never holds, is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proof/json_strict.h"

static struct js_object obj;

static int parse(const char *s)
{
	struct ap_err e;
	return js_parse_object(s, strlen(s), &obj, &e);
}

static void scalars_of_each_type_are_read(void **state)
{
	(void)state;
	assert_int_equal(parse(" {\"s\":\"x\",\"i\":-42,\"r\":-16.25,\"t\":true,\"f\":false,"
	                       "\"n\":null,\"big\":9223372036854775807}\n"),
	                 AP_OK);
	assert_int_equal(obj.n_fields, 7);
	assert_string_equal(js_get(&obj, "s")->str, "x");
	assert_int_equal(js_get(&obj, "i")->type, JS_INTEGER);
	assert_true(js_get(&obj, "i")->integer == -42);
	assert_int_equal(js_get(&obj, "r")->type, JS_REAL);
	assert_true(js_get(&obj, "r")->real == -16.25);
	assert_int_equal(js_get(&obj, "t")->type, JS_TRUE);
	assert_int_equal(js_get(&obj, "f")->type, JS_FALSE);
	assert_int_equal(js_get(&obj, "n")->type, JS_NULL);
	assert_true(js_get(&obj, "big")->integer == INT64_MAX);
	assert_null(js_get(&obj, "missing"));
}

static void one_point_zero_is_a_real_and_one_an_integer(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":1.0,\"b\":1,\"c\":1e2}"), AP_OK);
	assert_int_equal(js_get(&obj, "a")->type, JS_REAL);
	assert_int_equal(js_get(&obj, "b")->type, JS_INTEGER);
	assert_int_equal(js_get(&obj, "c")->type, JS_REAL);
}

static void escapes_and_utf8_are_decoded(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"t\":\"\\\"\\\\\\/\\n\\u0110\\u00e0i \\ud83d\\ude00 Đài\"}"),
	                 AP_OK);
	assert_string_equal(js_get(&obj, "t")->str, "\"\\/\nĐài 😀 Đài");
}

static void duplicate_keys_are_refused(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":1,\"a\":1}"), AP_EUSER);
	/* the same key spelled with an escape is still a duplicate */
	assert_int_equal(parse("{\"a\":1,\"\\u0061\":2}"), AP_EUSER);
}

static void nesting_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":{}}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":[1]}"), AP_EUSER);
	assert_int_equal(parse("[]"), AP_EUSER);
}

static void invalid_utf8_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":\"\xc0\x80\"}"), AP_EUSER);     /* overlong NUL */
	assert_int_equal(parse("{\"a\":\"\xed\xa0\x80\"}"), AP_EUSER); /* surrogate */
	assert_int_equal(parse("{\"a\":\"\xf5\x80\x80\x80\"}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":\"\xc3\"}"), AP_EUSER);    /* truncated */
	assert_int_equal(parse("{\"a\":\"\\u0000\"}"), AP_EUSER); /* NUL */
	assert_int_equal(parse("{\"a\":\"\\ud800\"}"), AP_EUSER); /* lone surrogate */
	assert_int_equal(parse("{\"a\":\"\\udc00\"}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":\"tab\there\"}"), AP_EUSER); /* raw control */
}

static void malformed_numbers_are_refused(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":01}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":1.}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":.5}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":+1}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":1e}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":9223372036854775808}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":1e999}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":NaN}"), AP_EUSER);
}

static void structure_errors_are_refused(void **state)
{
	(void)state;
	assert_int_equal(parse(""), AP_EUSER);
	assert_int_equal(parse("{"), AP_EUSER);
	assert_int_equal(parse("{\"a\":1,}"), AP_EUSER);
	assert_int_equal(parse("{\"a\" 1}"), AP_EUSER);
	assert_int_equal(parse("{a:1}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":1} {}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":tru}"), AP_EUSER);
	assert_int_equal(parse("{\"a\":\"unterminated}"), AP_EUSER);
	struct ap_err e;
	const char with_nul[] = "{\"a\":1}\0";
	assert_int_equal(js_parse_object(with_nul, sizeof(with_nul) - 1, &obj, &e), AP_EUSER);
	assert_int_equal(parse("{}"), AP_OK);
	assert_int_equal(obj.n_fields, 0);
}

static void too_many_fields_are_refused(void **state)
{
	(void)state;
	char buf[2048];
	size_t n = 0;
	buf[n++] = '{';
	for (int i = 0; i < JS_MAX_FIELDS + 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	buf[n++] = '}';
	buf[n] = '\0';
	assert_int_equal(parse(buf), AP_EUSER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalars_of_each_type_are_read),
		cmocka_unit_test(one_point_zero_is_a_real_and_one_an_integer),
		cmocka_unit_test(escapes_and_utf8_are_decoded),
		cmocka_unit_test(duplicate_keys_are_refused),
		cmocka_unit_test(nesting_is_refused),
		cmocka_unit_test(invalid_utf8_is_refused),
		cmocka_unit_test(malformed_numbers_are_refused),
		cmocka_unit_test(structure_errors_are_refused),
		cmocka_unit_test(too_many_fields_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

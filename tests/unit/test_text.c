/* common/text: table columns with Vietnamese text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/text.h"

static void short_text_is_padded_to_the_width(void **state)
{
	(void)state;
	char out[64];
	text_fit(out, sizeof(out), "Nguyễn Văn A", 14);
	assert_string_equal(out, "Nguyễn Văn A  ");
}

static void long_text_is_cut_between_characters_with_an_ellipsis(void **state)
{
	(void)state;
	char out[64];
	text_fit(out, sizeof(out), "Đài truyền thanh", 5);
	assert_string_equal(out, "Đài \xe2\x80\xa6");
	text_fit(out, sizeof(out), "ễễễễễễ", 3);
	assert_string_equal(out, "ễễ\xe2\x80\xa6");
}

static void exact_width_is_kept_whole(void **state)
{
	(void)state;
	char out[64];
	text_fit(out, sizeof(out), "Bộ phận", 7);
	assert_string_equal(out, "Bộ phận");
}

static void a_small_buffer_never_overflows_or_splits_a_character(void **state)
{
	(void)state;
	char out[6];
	text_fit(out, sizeof(out), "ễễễễ", 10);
	assert_true(strlen(out) < sizeof(out));
	assert_string_equal(out, "ễ  ");
}

static void utf8_validity_follows_the_standard(void **state)
{
	(void)state;
	assert_true(utf8_valid("Đài truyền thanh"));
	assert_true(utf8_valid(""));
	assert_false(utf8_valid("tin\xe0"));          /* Latin-1 */
	assert_false(utf8_valid("\xc0\x80"));         /* overlong NUL */
	assert_false(utf8_valid("\xed\xa0\x80"));     /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80")); /* above U+10FFFF */
}

static void utf8_copy_replaces_bad_bytes_and_never_splits(void **state)
{
	(void)state;
	char out[64];
	utf8_copy(out, sizeof(out), "tin\xe0.wav");
	assert_string_equal(out, "tin\xef\xbf\xbd.wav");
	char small[5];
	utf8_copy(small, sizeof(small), "aễb"); /* 'a' + 3 bytes would need 5 + NUL */
	assert_string_equal(small, "a\xe1\xbb\x85");
	utf8_copy(small, 4, "aễb");
	assert_string_equal(small, "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_text_is_padded_to_the_width),
		cmocka_unit_test(long_text_is_cut_between_characters_with_an_ellipsis),
		cmocka_unit_test(exact_width_is_kept_whole),
		cmocka_unit_test(a_small_buffer_never_overflows_or_splits_a_character),
		cmocka_unit_test(utf8_validity_follows_the_standard),
		cmocka_unit_test(utf8_copy_replaces_bad_bytes_and_never_splits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

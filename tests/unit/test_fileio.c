/* test_fileio.c - bounded whole-file reads and the strict JSON parse. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "formcheck/fileio.h"

static void parses_one_value_with_whitespace(void **state)
{
    const char *t = " \n{\"a\": [1, 2.5]}\r\n\t ";
    size_t bad = 99;
    cJSON *j = fc_json_parse_all(t, strlen(t), &bad);

    (void)state;
    assert_non_null(j);
    assert_true(cJSON_IsObject(j));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "a")), 2);
    assert_int_equal(bad, 0);
    cJSON_Delete(j);
}

/* cJSON_ParseWithLength takes "5<junk>" as the number 5: random bytes that happen
 * to start with a digit must still be "not valid JSON". */
static void refuses_trailing_bytes(void **state)
{
    static const char *bad_texts[] = {"5\x91\x02zz", "{} {}", "[1]x", "\"s\"\x01", "true false", "0 1"};
    static const size_t at[] = {1, 3, 3, 3, 5, 2};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad_texts / sizeof *bad_texts; i++) {
        size_t bad = 0;
        assert_null(fc_json_parse_all(bad_texts[i], strlen(bad_texts[i]), &bad));
        assert_int_equal(bad, at[i]);
    }
}

static void reports_where_parsing_failed(void **state)
{
    const char *t = "{\"a\": [1, 2,, 3]}";
    size_t bad = 0;

    (void)state;
    assert_null(fc_json_parse_all(t, strlen(t), &bad));
    assert_int_equal(bad, 12); /* the second comma */
    assert_null(fc_json_parse_all("", 0, &bad));
    assert_null(fc_json_parse_all(NULL, 3, &bad));
    /* the length bounds the parse: the text after it is never read */
    assert_null(fc_json_parse_all("{\"a\":1}", 5, &bad));
}

static void read_all_bounds_and_names_the_file(void **state)
{
    char path[] = "/tmp/fc_fileio_XXXXXX", err[256];
    char *buf = NULL;
    size_t len = 0;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello world", 11), 11);
    close(fd);
    assert_int_equal(fc_file_read_all(&buf, &len, path, 100, err, sizeof err), 0);
    assert_int_equal(len, 11);
    assert_string_equal(buf, "hello world");
    free(buf);
    buf = NULL;
    assert_int_equal(fc_file_read_all(&buf, &len, path, 10, err, sizeof err), FC_ETOOBIG);
    assert_null(buf);
    assert_non_null(strstr(err, path));
    unlink(path);
    assert_int_equal(fc_file_read_all(&buf, &len, path, 100, err, sizeof err), FC_ENOENT);
    assert_non_null(strstr(err, path));
    assert_int_equal(fc_file_read_all(&buf, &len, "/tmp", 100, err, sizeof err), FC_EISDIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_one_value_with_whitespace),
        cmocka_unit_test(refuses_trailing_bytes),
        cmocka_unit_test(reports_where_parsing_failed),
        cmocka_unit_test(read_all_bounds_and_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

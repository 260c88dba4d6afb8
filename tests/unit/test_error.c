/* test_error.c - error strings, errno mapping, buffers, landmark topology. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/landmarks.h"

static void test_strerror_distinct(void **state)
{
    (void)state;
    for (int a = FC_EAGAIN; a <= FC_OK; a++) {
        assert_string_not_equal(fc_strerror(a), "unknown error");
        for (int b = a + 1; b <= FC_OK; b++)
            assert_string_not_equal(fc_strerror(a), fc_strerror(b));
    }
    assert_string_equal(fc_strerror(-999), "unknown error");
}

static void test_errno_map(void **state)
{
    (void)state;
    assert_int_equal(fc_error_from_errno(ENOENT), FC_ENOENT);
    assert_int_equal(fc_error_from_errno(EACCES), FC_EACCES);
    assert_int_equal(fc_error_from_errno(ENOSPC), FC_ENOSPC);
    assert_int_equal(fc_error_from_errno(EISDIR), FC_EISDIR);
    assert_int_equal(fc_error_from_errno(EXDEV), FC_EIO);
}

static void test_set_error(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(fc_set_error(buf, sizeof buf, FC_EMODEL, "%s: %d", "abcdef", 42), FC_EMODEL);
    assert_string_equal(buf, "abcdef:"); /* truncated, terminated */
    assert_int_equal(fc_set_error(NULL, 0, FC_EIO, "x"), FC_EIO);
}

static void test_landmark_topology(void **state)
{
    (void)state;
    assert_string_equal(fc_landmark_name(FC_LM_LEFT_KNEE), "left_knee");
    assert_string_equal(fc_landmark_name(32), "right_foot_index");
    assert_string_equal(fc_landmark_name(33), "?");
    assert_int_equal(fc_landmark_mirror(FC_LM_LEFT_KNEE), FC_LM_RIGHT_KNEE);
    assert_int_equal(fc_landmark_mirror(FC_LM_RIGHT_HEEL), FC_LM_LEFT_HEEL);
    assert_int_equal(fc_landmark_mirror(FC_LM_LEFT_EYE_INNER), FC_LM_RIGHT_EYE_INNER);
    assert_int_equal(fc_landmark_mirror(FC_LM_RIGHT_EYE_OUTER), FC_LM_LEFT_EYE_OUTER);
    assert_int_equal(fc_landmark_mirror(FC_LM_MOUTH_LEFT), FC_LM_MOUTH_RIGHT);
    assert_int_equal(fc_landmark_mirror(FC_LM_NOSE), FC_LM_NOSE);
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        int m = fc_landmark_mirror(i);
        assert_int_equal(fc_landmark_mirror(m), i);
        if (i) {
            const char *a = fc_landmark_name(i), *b = fc_landmark_name(m);
            /* names differ only by left/right */
            assert_true((strstr(a, "left") && strstr(b, "right")) || (strstr(a, "right") && strstr(b, "left")));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_distinct),
        cmocka_unit_test(test_errno_map),
        cmocka_unit_test(test_set_error),
        cmocka_unit_test(test_landmark_topology),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_profile.c - threshold profiles: the shipped ones load; bad ones are
 * refused with the key named. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "formcheck/profile.h"

static const char *src_dir(void)
{
    const char *s = getenv("FC_SOURCE_DIR");
    return s ? s : ".";
}

static void test_shipped_profiles(void **state)
{
    (void)state;
    static const char *const levels[] = {"beginner", "standard", "strict"};
    char path[1024], err[FC_ERRBUF_SIZE];
    fc_profile p;

    snprintf(path, sizeof path, "%s/models/form/squat.json", src_dir());
    assert_int_equal(fc_profile_load(&p, path, NULL, err, sizeof err), 0);
    assert_int_equal(p.exercise, FC_EXERCISE_SQUAT);
    assert_string_equal(p.level, "standard");
    assert_string_equal(p.name, "squat.json");
    assert_true(p.th[FC_CHECK_DEPTH].used);
    assert_true(p.th[FC_CHECK_DEPTH].warn == 5.0 && p.th[FC_CHECK_DEPTH].fail == 20.0);
    assert_false(p.th[FC_CHECK_FRONT_KNEE_ANGLE].used);
    assert_true(strlen(p.source[FC_CHECK_KNEE_VALGUS]) > 20);
    /* Levels get stricter: warn limits never grow from beginner to strict. */
    double prev = 1e9;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fc_profile_load(&p, path, levels[i], err, sizeof err), 0);
        assert_true(p.th[FC_CHECK_DEPTH].warn <= prev);
        prev = p.th[FC_CHECK_DEPTH].warn;
    }
    snprintf(path, sizeof path, "%s/models/form/lunge.json", src_dir());
    assert_int_equal(fc_profile_load(&p, path, "strict", err, sizeof err), 0);
    assert_int_equal(p.exercise, FC_EXERCISE_LUNGE);
    assert_true(p.th[FC_CHECK_FRONT_KNEE_ANGLE].target == 90.0);
    assert_true(p.th[FC_CHECK_TEMPO].warn >= p.th[FC_CHECK_TEMPO].fail);
}

static const char good[] =
    "{\"format\":\"formcheck-profile\",\"version\":1,\"exercise\":\"squat\",\"default_level\":\"standard\","
    "\"good_rep_score\":80,\"checks\":{\"depth\":{\"source\":\"a\"},\"trunk_lean\":{\"source\":\"b\"},"
    "\"knee_valgus\":{\"source\":\"c\"},\"heel_lift\":{\"source\":\"d\"},\"hip_shift\":{\"source\":\"e\"},"
    "\"tempo\":{\"source\":\"f\"}},\"levels\":{\"standard\":{\"depth\":{\"warn_deg\":5,\"fail_deg\":20},"
    "\"trunk_lean\":{\"warn_deg\":45,\"fail_deg\":55},\"knee_valgus\":{\"warn_deg\":8,\"fail_deg\":15},"
    "\"heel_lift\":{\"warn_deg\":5,\"fail_deg\":10},\"hip_shift\":{\"warn_pct\":5,\"fail_pct\":10},"
    "\"tempo\":{\"warn_s\":0.8,\"fail_s\":0.4}}}}";

/* Replace the first `from` in good[] by `to` and parse; return the error. */
static int parse_edit(const char *from, const char *to, const char *level, char *err, size_t errsz)
{
    char buf[4096];
    const char *at = strstr(good, from);
    fc_profile p;
    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    return fc_profile_parse(&p, buf, strlen(buf), "squat.json", level, err, errsz);
}

static void test_bad_profiles(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_profile p;

    assert_int_equal(fc_profile_parse(&p, good, strlen(good), "squat.json", NULL, err, sizeof err), 0);
    assert_int_equal(parse_edit("\"warn_deg\":5,", "\"warn_deg\":\"5\",", NULL, err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: levels.standard.depth.warn_deg: expected a number");
    assert_int_equal(parse_edit("\"fail_deg\":20", "\"fial_deg\":20", NULL, err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: levels.standard.depth.fail_deg: missing");
    assert_int_equal(parse_edit("\"warn_deg\":45", "\"warn_deg\":65", NULL, err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: levels.standard.trunk_lean: need warn_deg <= fail_deg");
    assert_int_equal(parse_edit("\"warn_s\":0.8", "\"warn_s\":0.2", NULL, err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: levels.standard.tempo: need warn_s >= fail_s");
    assert_int_equal(parse_edit("\"heel_lift\":{\"source\":\"d\"}", "\"heel_lfit\":{\"source\":\"d\"}", NULL, err,
                                sizeof err),
                     FC_EPROFILE);
    assert_string_equal(err, "squat.json: checks.heel_lfit: unknown check");
    assert_int_equal(parse_edit("{\"source\":\"e\"}", "{\"source\":\"\"}", NULL, err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: checks.hip_shift.source: expected a non-empty string");
    assert_int_equal(parse_edit("\"exercise\":\"squat\"", "\"exercise\":\"plank\"", NULL, err, sizeof err),
                     FC_EPROFILE);
    assert_string_equal(err, "squat.json: exercise: expected \"squat\" or \"lunge\"");
    assert_int_equal(parse_edit("\"version\":1", "\"version\":2", NULL, err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: version: 2 is not supported (1 is)");
    assert_int_equal(parse_edit("\"good_rep_score\":80", "\"good_rep_score\":180", NULL, err, sizeof err),
                     FC_EPROFILE);
    assert_int_equal(fc_profile_parse(&p, good, strlen(good), "squat.json", "expert", err, sizeof err), FC_EPROFILE);
    assert_string_equal(err, "squat.json: levels.expert: no such level");
    assert_int_equal(fc_profile_parse(&p, good, 40, "squat.json", NULL, err, sizeof err), FC_EPROFILE);
    assert_non_null(strstr(err, "squat.json: not valid JSON"));
    assert_int_equal(parse_edit("\"tempo\":{\"warn_s\":0.8,\"fail_s\":0.4}", "\"tempo\":{\"warn_s\":0.8,\"fail_s\":0.4,\"x\":1}",
                                NULL, err, sizeof err),
                     FC_EPROFILE);
    assert_string_equal(err, "squat.json: levels.standard.tempo.x: unknown key");
}

static void test_profile_files(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE], tmpl[] = "/tmp/fc_prof_XXXXXX";
    fc_profile p;
    int fd = mkstemp(tmpl);
    FILE *fp;

    assert_int_equal(fc_profile_load(&p, "/nonexistent/squat.json", NULL, err, sizeof err), FC_ENOENT);
    assert_non_null(strstr(err, "/nonexistent/squat.json"));
    assert_int_equal(fc_profile_load(&p, "/tmp", NULL, err, sizeof err), FC_EISDIR);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    for (int i = 0; i < FC_PROFILE_MAX_FILE / 8 + 1; i++)
        fputs("        ", fp);
    fclose(fp);
    assert_int_equal(fc_profile_load(&p, tmpl, NULL, err, sizeof err), FC_ETOOBIG);
    unlink(tmpl);
    assert_string_equal(fc_check_name(FC_CHECK_KNEE_OVER_TOES), "knee_over_toes");
    assert_string_equal(fc_check_unit(FC_CHECK_HIP_SHIFT), "%leg");
    assert_string_equal(fc_check_name(99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_profiles),
        cmocka_unit_test(test_bad_profiles),
        cmocka_unit_test(test_profile_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_report.c - the JSON report: round trip, refusals (newer schema, damaged,
 * wrong fields, too big, existing output), and the text/CSV/HTML views. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formcheck/atomicfile.h"
#include "formcheck/report.h"
#include "formcheck/reportview.h"
#include "synth.h"

typedef struct fixture {
    fc_analysis_result *res;
    fc_pose_result *series;
    size_t n;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    fc_synth_scenario sc;
    fc_synth_skeleton sk;
    fc_profile sq, lu;
    char path[1024], err[FC_ERRBUF_SIZE];
    const char *src = getenv("FC_SOURCE_DIR");
    fc_analysis_opts o = fc_analysis_default_opts();

    fc_synth_default_scenario(&sc);
    sc.nreps = 3;
    sc.rep[1].faults = FC_SYNTH_FAULT_SHALLOW;
    f->n = (size_t)fc_synth_frame_count(&sc);
    f->series = calloc(f->n, sizeof *f->series);
    for (size_t i = 0; i < f->n; i++) {
        fc_synth_pose_at(&sk, &sc, i / sc.cam.fps);
        fc_synth_keypoints(&f->series[i], &sc, &sk, (int64_t)i);
    }
    snprintf(path, sizeof path, "%s/models/form/squat.json", src ? src : ".");
    if (fc_profile_load(&sq, path, NULL, err, sizeof err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/models/form/lunge.json", src ? src : ".");
    if (fc_profile_load(&lu, path, NULL, err, sizeof err) < 0)
        return -1;
    if (fc_analysis_run(&f->res, f->series, f->n, &o, &sq, &lu, err, sizeof err) < 0)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/fc_report_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", f->dir);
    fc_analysis_free(f->res);
    free(f->series);
    free(f);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    char path[256], err[FC_ERRBUF_SIZE];
    cJSON *r = NULL;
    fc_report_info info = fc_report_default_info();

    info.input_path = "set.jsonl";
    snprintf(path, sizeof path, "%s/a.json", f->dir);
    assert_int_equal(fc_report_write(path, f->res, f->series, f->n, &info, 0, err, sizeof err), 0);
    assert_int_equal(fc_report_write(path, f->res, f->series, f->n, &info, 0, err, sizeof err), FC_EEXIST);
    assert_int_equal(fc_report_write(path, f->res, f->series, f->n, &info, FC_ATOMIC_FORCE, err, sizeof err), 0);
    assert_int_equal(fc_report_load(&r, path, err, sizeof err), 0);
    assert_int_equal(cJSON_GetObjectItem(r, "schema_version")->valueint, FC_REPORT_SCHEMA_VERSION);
    assert_string_equal(cJSON_GetObjectItem(r, "exercise")->valuestring, "squat");
    assert_string_equal(cJSON_GetObjectItem(r, "view")->valuestring, "side");
    cJSON *reps = cJSON_GetObjectItem(r, "reps");
    assert_int_equal(cJSON_GetArraySize(reps), 3);
    cJSON *rep2 = cJSON_GetArrayItem(reps, 1), *checks = cJSON_GetObjectItem(rep2, "checks");
    assert_int_equal(cJSON_GetObjectItem(rep2, "index")->valueint, 2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(rep2, "lead_leg")));
    assert_int_equal(cJSON_GetArraySize(checks), 6);
    cJSON *depth = cJSON_GetArrayItem(checks, 0), *valgus = cJSON_GetArrayItem(checks, 2);
    assert_string_equal(cJSON_GetObjectItem(depth, "id")->valuestring, "depth");
    assert_string_equal(cJSON_GetObjectItem(depth, "status")->valuestring, "fail");
    assert_string_equal(cJSON_GetObjectItem(depth, "unit")->valuestring, "deg");
    assert_true(fabs(cJSON_GetObjectItem(depth, "value")->valuedouble - f->res->reps[1].checks[0].value) < 0.01);
    assert_string_equal(cJSON_GetObjectItem(valgus, "status")->valuestring, "not_assessed");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(valgus, "value")));
    cJSON *sum = cJSON_GetObjectItem(r, "summary");
    assert_int_equal(cJSON_GetObjectItem(sum, "reps")->valueint, 3);
    assert_string_equal(cJSON_GetObjectItem(sum, "most_frequent_fault")->valuestring, "depth");
    cJSON *series = cJSON_GetObjectItem(r, "series");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(series, "t_s")),
                     cJSON_GetArraySize(cJSON_GetObjectItem(series, "depth")));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "input"), "path")->valuestring, "set.jsonl");
    cJSON_Delete(r);
}

/* Edit a written report and check the loader's verdict. */
static void expect_refusal(fixture *f, const char *from, const char *to, int code, const char *msg)
{
    char path[256], err[FC_ERRBUF_SIZE];
    cJSON *root = NULL, *r = NULL;
    char *text;

    assert_int_equal(fc_report_build(&root, f->res, f->series, f->n, NULL), 0);
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t len = strlen(text) + strlen(to) + 1;
    char *edited = malloc(len);
    snprintf(edited, len, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    snprintf(path, sizeof path, "%s/bad.json", f->dir);
    write_text(path, edited);
    free(text);
    free(edited);
    assert_int_equal(fc_report_load(&r, path, err, sizeof err), code);
    assert_null(r);
    assert_non_null(strstr(err, msg));
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    char path[256], err[FC_ERRBUF_SIZE];
    cJSON *r = NULL;

    expect_refusal(f, "\"schema_version\":1", "\"schema_version\":2", FC_EREPORT,
                   "schema_version 2 is newer than this formcheck reads (1); update formcheck");
    expect_refusal(f, "\"schema_version\":1", "\"schema_version\":\"1\"", FC_EREPORT, "no valid schema_version");
    expect_refusal(f, "\"exercise\":\"squat\"", "\"exercise\":\"plank\"", FC_EREPORT,
                   "exercise: expected one of squat|lunge");
    expect_refusal(f, "\"status\":\"fail\"", "\"status\":\"bad\"", FC_EREPORT,
                   "reps[1].checks[0].status: expected one of pass|warn|fail|not_assessed");
    expect_refusal(f, "\"bottom_s\":", "\"bottom\":", FC_EREPORT, "reps[0].bottom_s: missing");
    expect_refusal(f, "\"summary\":{", "\"summery\":{", FC_EREPORT, "summary: expected an object");
    expect_refusal(f, "\"reps\":[", "\"reps\":[,", FC_EREPORT, "damaged report: not valid JSON");
    /* Truncated mid-file (a crash while copying, say). */
    snprintf(path, sizeof path, "%s/trunc.json", f->dir);
    write_text(path, "{\"schema_version\":1,\"exercise\":\"squat\",\"reps\":[{\"index\":1,");
    assert_int_equal(fc_report_load(&r, path, err, sizeof err), FC_EREPORT);
    assert_non_null(strstr(err, "damaged report"));
    /* Over the size bound: refused before reading (a sparse file). */
    snprintf(path, sizeof path, "%s/big.json", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(ftruncate(fileno(fp), (off_t)FC_REPORT_MAX_FILE + 1), 0);
    fclose(fp);
    assert_int_equal(fc_report_load(&r, path, err, sizeof err), FC_ETOOBIG);
    assert_int_equal(fc_report_load(&r, "/nonexistent.json", err, sizeof err), FC_ENOENT);
    assert_int_equal(fc_report_load(&r, f->dir, err, sizeof err), FC_EISDIR);
}

/* The memstream's buffer pointer and size live on the heap, not in this frame:
 * with the address of a local in the FILE, GCC 12 at -O3 takes every pointer
 * later derived from the result for a pointer to that local
 * (-Wdangling-pointer false positive in count()). */
static char *render(const cJSON *r, int format, int color)
{
    struct {
        char *buf;
        size_t len;
    } *m = calloc(1, sizeof *m);
    assert_non_null(m);
    FILE *mem = open_memstream(&m->buf, &m->len);
    assert_non_null(mem);
    assert_int_equal(fc_report_render(mem, r, format, color), 0);
    assert_int_equal(fclose(mem), 0);
    char *buf = m->buf;
    free(m);
    return buf;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_views(void **state)
{
    fixture *f = *state;
    cJSON *r = NULL;
    char *s;

    assert_int_equal(fc_report_build(&r, f->res, f->series, f->n, NULL), 0);
    s = render(r, FC_REPORT_TEXT, 0);
    assert_non_null(strstr(s, "squat set, side view"));
    assert_non_null(strstr(s, "rep 2: FAIL Go deeper: thighs stopped"));
    assert_non_null(strstr(s, "Set: 3 reps"));
    assert_null(strchr(s, '\033')); /* no colour asked, none given */
    free(s);
    s = render(r, FC_REPORT_TEXT, 1);
    assert_non_null(strstr(s, "\033[31mFAIL"));
    free(s);
    s = render(r, FC_REPORT_CSV, 0);
    assert_int_equal(count(s, "\n"), 1 + 3 * 6); /* header + reps x checks */
    assert_non_null(strstr(s, "2,"));
    free(s);
    s = render(r, FC_REPORT_HTML, 0);
    assert_int_equal(count(s, "<svg id=\"plot\""), 1);
    assert_int_equal(count(s, "<tr class=\"rep\">"), 3);
    assert_int_equal(count(s, "<rect class=\"rep\""), 3);
    /* One fault marker per rep with a warn or fail. */
    size_t faulty = 0;
    for (size_t i = 0; i < f->res->n_reps; i++)
        for (size_t k = 0; k < f->res->reps[i].n_checks; k++)
            if (f->res->reps[i].checks[k].status == FC_WARN || f->res->reps[i].checks[k].status == FC_FAIL) {
                faulty++;
                break;
            }
    assert_true(faulty >= 1);
    assert_int_equal(count(s, "class=\"fault\""), faulty);
    assert_int_equal(count(s, "<polyline class=\"depth\""), 1);
    assert_null(strstr(s, "src=")); /* self-contained: nothing fetched */
    assert_null(strstr(s, "<link"));
    free(s);
    assert_int_equal(fc_report_format_parse("csv"), FC_REPORT_CSV);
    assert_int_equal(fc_report_format_parse("pdf"), -1);
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_views),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

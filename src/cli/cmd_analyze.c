/* cmd_analyze.c - `formcheck analyze`: reps, form checks and a JSON report. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_signal.h"
#include "formcheck/analysis.h"
#include "formcheck/atomicfile.h"
#include "formcheck/keypoints.h"
#include "formcheck/report.h"
#include "formcheck/reportview.h"
#include "formcheck/version.h"

const char fc_usage_analyze[] =
    "usage: formcheck analyze --from-keypoints K.jsonl [options]\n"
    "       formcheck analyze VIDEO [options]   (not available yet)\n"
    "\n"
    "Analyse a squat or lunge set: count the reps, check each one against the\n"
    "thresholds of a profile, write a JSON report and print a summary.\n"
    "\n"
    "options:\n"
    "  --from-keypoints FILE  analyse a saved pose series (JSON Lines, `formcheck pose`)\n"
    "  --exercise NAME        squat, lunge or auto (default auto: split stance = lunge)\n"
    "  --profile FILE|LEVEL   a threshold profile file, or a level of the built-in ones:\n"
    "                         beginner, standard (default), strict\n"
    "  --view NAME            side, front, oblique or auto (default auto)\n"
    "  -o, --output FILE      report path (default: the input with .formcheck.json; - = stdout)\n"
    "  --force                replace an existing report\n"
    "  --json                 print the report JSON instead of the text summary\n"
    "  --quiet                print nothing but errors\n"
    "  -h, --help             this help\n"
    "\n"
    "Profiles are looked up in $FC_MODEL_DIR/form, then the source tree's and the\n"
    "installed models/form/ (squat.json, lunge.json).\n";

typedef struct args {
    const char *from, *video, *exercise, *profile, *view, *out;
    int force, json, quiet;
} args;

static int parse_args(args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **val = !strcmp(s, "--from-keypoints") ? &a->from
                           : !strcmp(s, "--exercise")     ? &a->exercise
                           : !strcmp(s, "--profile")      ? &a->profile
                           : !strcmp(s, "--view")         ? &a->view
                           : !strcmp(s, "-o") || !strcmp(s, "--output") ? &a->out
                                                                         : NULL;
        if (val) {
            if (i + 1 >= argc)
                return fc_cli_usage_error("analyze", "%s needs a value", s);
            *val = argv[++i];
        } else if (!strcmp(s, "--force")) {
            a->force = 1;
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--quiet") || !strcmp(s, "-q")) {
            a->quiet = 1;
        } else if (s[0] == '-' && s[1]) {
            return fc_cli_usage_error("analyze", "unknown option '%s'", s);
        } else if (!a->video) {
            a->video = s;
        } else {
            return fc_cli_usage_error("analyze", "one input at a time ('%s')", s);
        }
    }
    return 0;
}

static int is_level(const char *s)
{
    return !strcmp(s, "beginner") || !strcmp(s, "standard") || !strcmp(s, "strict");
}

/* Find models/form/NAME.json; returns 0 and the path, or -1. */
static int find_profile(char *path, size_t size, const char *exercise)
{
    const char *env = getenv("FC_MODEL_DIR");
    const char *dirs[] = {env, FC_MODEL_DIR_SOURCE, FC_MODEL_DIR_INSTALL};
    for (size_t i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(path, size, "%s/form/%s.json", dirs[i], exercise);
        if (access(path, R_OK) == 0)
            return 0;
    }
    return -1;
}

static int load_builtin(fc_profile *p, const char *exercise, const char *level)
{
    char path[4096], err[FC_ERRBUF_SIZE];
    if (find_profile(path, sizeof path, exercise) < 0) {
        fc_cli_error("analyze: no %s.json profile found (set FC_MODEL_DIR to the models directory)", exercise);
        return -1;
    }
    if (fc_profile_load(p, path, level, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return -1;
    }
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Default report name: K.jsonl -> K.formcheck.json */
static void default_out(char *buf, size_t size, const char *in)
{
    size_t n = strlen(in);
    const char *dot = strrchr(in, '.'), *slash = strrchr(in, '/');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - in);
    snprintf(buf, size, "%.*s.formcheck.json", (int)n, in);
}

int fc_cmd_analyze(int argc, char **argv)
{
    args a;
    fc_profile prof[2];
    fc_analysis_opts o = fc_analysis_default_opts();
    fc_analysis_result *res = NULL;
    fc_pose_result *series = NULL;
    size_t n = 0;
    char err[FC_ERRBUF_SIZE], outbuf[4096];
    int rc, code = FC_EXIT_FAIL, have[2] = {0, 0};

    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_analyze);
    if ((rc = parse_args(&a, argc, argv)) != 0)
        return rc;
    if (a.from && a.video)
        return fc_cli_usage_error("analyze", "give a video or --from-keypoints, not both");
    if (!a.from && !a.video)
        return fc_cli_usage_error("analyze", "nothing to analyse (give --from-keypoints K.jsonl)");
    if (a.exercise && strcmp(a.exercise, "squat") && strcmp(a.exercise, "lunge") && strcmp(a.exercise, "auto"))
        return fc_cli_usage_error("analyze", "--exercise: expected squat, lunge or auto, not '%s'", a.exercise);
    o.exercise = !a.exercise || !strcmp(a.exercise, "auto") ? FC_EXERCISE_AUTO
                 : !strcmp(a.exercise, "squat")             ? FC_EXERCISE_SQUAT
                                                            : FC_EXERCISE_LUNGE;
    if (a.view) {
        o.view = !strcmp(a.view, "side") ? FC_VIEW_SIDE : !strcmp(a.view, "front") ? FC_VIEW_FRONT
                 : !strcmp(a.view, "oblique") ? FC_VIEW_OBLIQUE : !strcmp(a.view, "auto") ? FC_VIEW_UNKNOWN : -1;
        if (o.view < 0)
            return fc_cli_usage_error("analyze", "--view: expected side, front, oblique or auto, not '%s'", a.view);
    }
    if (a.video) {
        fc_cli_error("analyze: %s: video analysis is not available yet; use --from-keypoints with a "
                     "keypoints file from `formcheck pose`", a.video);
        return FC_EXIT_FAIL;
    }
    /* Profiles: a file (its exercise), or a level of the built-in ones. */
    if (a.profile && !is_level(a.profile)) {
        fc_profile p;
        if (fc_profile_load(&p, a.profile, NULL, err, sizeof err) < 0) {
            fc_cli_error("%s", err);
            return FC_EXIT_FAIL;
        }
        if (o.exercise != FC_EXERCISE_AUTO && (int)o.exercise != (int)p.exercise)
            return fc_cli_usage_error("analyze", "profile %s is for %s, but --exercise is %s", a.profile,
                                      fc_exercise_name(p.exercise), fc_exercise_name(o.exercise));
        o.exercise = p.exercise;
        prof[p.exercise == FC_EXERCISE_LUNGE] = p;
        have[p.exercise == FC_EXERCISE_LUNGE] = 1;
    } else {
        const char *level = a.profile;
        if (o.exercise != FC_EXERCISE_LUNGE && load_builtin(&prof[0], "squat", level) < 0)
            return FC_EXIT_FAIL;
        if (o.exercise != FC_EXERCISE_SQUAT && load_builtin(&prof[1], "lunge", level) < 0)
            return FC_EXIT_FAIL;
        have[0] = o.exercise != FC_EXERCISE_LUNGE;
        have[1] = o.exercise != FC_EXERCISE_SQUAT;
    }
    if (!a.out) {
        default_out(outbuf, sizeof outbuf, a.from);
        a.out = outbuf;
    }
    fc_job_signals_install();
    if (fc_keypoints_load(&series, &n, a.from, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return FC_EXIT_FAIL;
    }
    double t0 = now_ms();
    if (fc_job_stop)
        goto end;
    if (fc_analysis_run(&res, series, n, &o, have[0] ? &prof[0] : NULL, have[1] ? &prof[1] : NULL, err,
                        sizeof err) < 0) {
        fc_cli_error("%s: %s", a.from, err);
        goto end;
    }
    fc_report_info info = fc_report_default_info();
    info.input_path = a.from;
    info.input_kind = "keypoints";
    info.analysis_ms = now_ms() - t0;
    /* Times in reports make them differ run to run; FC_DETERMINISTIC zeroes them (tests). */
    if (getenv("FC_DETERMINISTIC"))
        info.analysis_ms = 0;
    double pose_ms = 0;
    for (size_t i = 0; i < n; i++)
        pose_ms += series[i].ms;
    info.pose_ms_mean = n ? pose_ms / n : 0;
    int to_stdout = !strcmp(a.out, "-");
    if (fc_job_stop) /* a stop during the write finishes it: the report is whole or absent */
        goto end;
    if (fc_report_write(a.out, res, series, n, &info, a.force ? FC_ATOMIC_FORCE : 0, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        goto end;
    }
    for (size_t i = 0; i < res->n_warnings && !a.quiet; i++)
        fc_cli_log(NULL, FC_LOG_WARN, res->warnings[i].msg);
    if (!a.quiet && !to_stdout) {
        cJSON *rep = NULL;
        if (fc_report_load(&rep, a.out, err, sizeof err) < 0) {
            fc_cli_error("%s", err);
            goto end;
        }
        int color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
        fc_report_render(stdout, rep, a.json ? FC_REPORT_JSON : FC_REPORT_TEXT, color);
        if (!a.json)
            printf("\nreport: %s\n", a.out);
        cJSON_Delete(rep);
    }
    code = FC_EXIT_OK;
end:
    fc_analysis_free(res);
    free(series);
    if (fc_job_stop && code != FC_EXIT_OK) {
        fc_cli_error("analyze: %s: stopped by signal %d; no report written", a.from, (int)fc_job_stop);
        code = fc_job_signal_exit();
    }
    return fc_cli_finish(code);
}

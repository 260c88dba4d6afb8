/* cli_job.c - shared by `analyze` and `record`: models, profiles, signals, progress. */
#define _POSIX_C_SOURCE 200809L
#include "cli_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "formcheck/measures.h"
#include "formcheck/version.h"

volatile sig_atomic_t fc_job_stop = 0;

static void on_signal(int sig)
{
    fc_job_stop = sig;
}

void fc_job_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int fc_job_signal_exit(void)
{
    return 128 + (int)fc_job_stop;
}

static int file_exists(const char *dir, const char *file)
{
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *fc_job_model_dir(const char *given, fc_pose_model model)
{
    const char *cands[4] = {getenv("FORMCHECK_MODEL_DIR"), getenv("FC_MODEL_DIR"), FC_MODEL_DIR_SOURCE,
                            FC_MODEL_DIR_INSTALL};
    if (given) {
        if (file_exists(given, fc_pose_detector_file()) && file_exists(given, fc_pose_model_file(model)))
            return given;
        fc_cli_error("%s: does not hold %s and %s", given, fc_pose_detector_file(), fc_pose_model_file(model));
        return NULL;
    }
    for (int i = 0; i < 4; i++)
        if (cands[i] && *cands[i] && file_exists(cands[i], fc_pose_detector_file()) &&
            file_exists(cands[i], fc_pose_model_file(model)))
            return cands[i];
    fc_cli_error("no model directory holds %s and %s (tried $FORMCHECK_MODEL_DIR, $FC_MODEL_DIR, %s, %s); "
                 "run models/fetch.sh or pass --model-dir",
                 fc_pose_detector_file(), fc_pose_model_file(model), FC_MODEL_DIR_SOURCE, FC_MODEL_DIR_INSTALL);
    return NULL;
}

int fc_job_exercise(const char *s)
{
    if (!s || !strcmp(s, "auto"))
        return FC_EXERCISE_AUTO;
    if (!strcmp(s, "squat"))
        return FC_EXERCISE_SQUAT;
    if (!strcmp(s, "lunge"))
        return FC_EXERCISE_LUNGE;
    return -1;
}

static int is_level(const char *s)
{
    return !strcmp(s, "beginner") || !strcmp(s, "standard") || !strcmp(s, "strict");
}

static int load_builtin(fc_profile *p, const char *exercise, const char *level)
{
    const char *dirs[] = {getenv("FC_MODEL_DIR"), getenv("FORMCHECK_MODEL_DIR"), FC_MODEL_DIR_SOURCE,
                          FC_MODEL_DIR_INSTALL};
    char path[4096], err[FC_ERRBUF_SIZE];
    for (size_t i = 0; i < 4; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(path, sizeof path, "%s/form/%s.json", dirs[i], exercise);
        if (access(path, R_OK) != 0)
            continue;
        if (fc_profile_load(p, path, level, err, sizeof err) < 0) {
            fc_cli_error("%s", err);
            return -1;
        }
        return 0;
    }
    fc_cli_error("no %s.json profile found (set FC_MODEL_DIR to the models directory)", exercise);
    return -1;
}

int fc_job_profiles(fc_session_opts *o, fc_profile prof[2], const char *profile, fc_exercise *exercise)
{
    char err[FC_ERRBUF_SIZE];
    o->squat = o->lunge = NULL;
    if (profile && !is_level(profile)) {
        fc_profile p;
        if (fc_profile_load(&p, profile, NULL, err, sizeof err) < 0) {
            fc_cli_error("%s", err);
            return -1;
        }
        if (*exercise != FC_EXERCISE_AUTO && *exercise != p.exercise) {
            fc_cli_error("profile %s is for %s, but --exercise is %s", profile, fc_exercise_name(p.exercise),
                         fc_exercise_name(*exercise));
            return FC_EXIT_USAGE;
        }
        *exercise = p.exercise;
        prof[p.exercise == FC_EXERCISE_LUNGE] = p;
    } else {
        if (*exercise != FC_EXERCISE_LUNGE && load_builtin(&prof[0], "squat", profile) < 0)
            return -1;
        if (*exercise != FC_EXERCISE_SQUAT && load_builtin(&prof[1], "lunge", profile) < 0)
            return -1;
    }
    if (*exercise != FC_EXERCISE_LUNGE)
        o->squat = &prof[0];
    if (*exercise != FC_EXERCISE_SQUAT)
        o->lunge = &prof[1];
    o->analysis.exercise = *exercise;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void fc_job_progress(void *user, const fc_session_progress *p)
{
    fc_job_progress_ctx *c = user;
    char eta[32] = "?";
    if (p->eta_s >= 0)
        snprintf(eta, sizeof eta, "%d:%02d", (int)(p->eta_s / 60), (int)fmod(p->eta_s, 60));
    if (c->tty) {
        char bar[31];
        int fill = p->frames_total > 0 ? (int)(30.0 * (double)p->frames / (double)p->frames_total) : 0;
        fill = fill > 30 ? 30 : fill;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = 0;
        fprintf(stderr, "\r%-8s [%s] %lld/%lld frames %5.1f fps ETA %s \033[K", p->stage, bar, (long long)p->frames,
                (long long)p->frames_total, p->fps, eta);
        if (p->done)
            fputc('\n', stderr);
    } else {
        /* Plain lines for logs: every 5 s and at the end of a stage. */
        double t = now_s();
        if (!p->done && t - c->last_line_s < 5)
            return;
        c->last_line_s = t;
        fprintf(stderr, "formcheck: %s: %s %lld/%lld frames, %.1f fps, ETA %s\n", p->input, p->stage,
                (long long)p->frames, (long long)p->frames_total, p->fps, eta);
    }
    fflush(stderr);
}

void fc_job_summary_line(char *buf, size_t size, const char *input, const fc_session_summary *s)
{
    char score[32] = "no score";
    if (!isnan(s->mean_score))
        snprintf(score, sizeof score, "mean score %.0f", s->mean_score);
    snprintf(buf, size, "%s: %s, %s view, %d reps (%d good), %s, %lld frames at %.1f fps", input,
             fc_exercise_name(s->exercise), fc_view_name(s->view), s->reps, s->good_reps, score,
             (long long)s->frames, s->pose_fps);
}

void fc_job_default_report(char *buf, size_t size, const char *in)
{
    size_t n = strlen(in);
    const char *dot = strrchr(in, '.'), *slash = strrchr(in, '/');
    if (dot && (!slash || dot > slash) && dot != in && (!slash || dot > slash + 1))
        n = (size_t)(dot - in);
    snprintf(buf, size, "%.*s.formcheck.json", (int)n, in);
}

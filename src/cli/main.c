/*
 * main.c - `formcheck <command> [options]`: dispatch on a table, git-style.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <libavutil/log.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "formcheck/error.h"
#include "formcheck/version.h"

static const fc_cli_cmd commands[] = {
    {"analyze", fc_cmd_analyze, fc_usage_analyze, "analyse a video: reps, form checks, report"},
    {"record", fc_cmd_record, fc_usage_record, "record a set on a webcam, then analyse it"},
    {"report", fc_cmd_report, fc_usage_report, "show a saved report (text, json, csv, html)"},
    {"pose", fc_cmd_pose, fc_usage_pose, "run the pose model alone, write keypoints (JSON Lines)"},
    {"probe", fc_cmd_probe, fc_usage_probe, "show stream information of videos"},
    {"version", fc_cmd_version, fc_usage_version, "print the version"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void main_usage(FILE *fp)
{
    fprintf(fp, "usage: formcheck <command> [options]\n"
                "       formcheck <command> -h    (help on a command)\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
}

void fc_cli_log(void *user, int level, const char *msg)
{
    int max = user ? *(const int *)user : FC_LOG_WARN;
    static const char *const tag[] = {"error: ", "warning: ", "", "debug: "};

    if (level > max)
        return;
    fprintf(stderr, "formcheck: %s%s\n", tag[level < 0 || level > 3 ? 3 : level], msg);
}

void fc_cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("formcheck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int fc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "formcheck %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'formcheck %s -h')\n", cmd);
    return FC_EXIT_USAGE;
}

int fc_cli_finish(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "formcheck: cannot write to standard output: %s\n", strerror(errno));
        return FC_EXIT_FAIL;
    }
    return code;
}

int fc_cli_print_usage(const char *usage)
{
    fputs(usage, stdout);
    return fc_cli_finish(FC_EXIT_OK);
}

int fc_cli_parse_double(const char *s, double *out)
{
    char *end;
    double v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || v != v)
        return -1;
    *out = v;
    return 0;
}

int fc_cli_parse_int(const char *s, int *out)
{
    char *end;
    long v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < -2147483647L || v > 2147483647L)
        return -1;
    *out = (int)v;
    return 0;
}

const char fc_usage_version[] = "usage: formcheck version\n\nPrint formcheck's version and the library versions it uses.\n";

int main(int argc, char **argv)
{
    const char *name;

    if (argc < 2) {
        main_usage(stderr);
        return FC_EXIT_USAGE;
    }
    name = argv[1];
    /* FFmpeg logs through one process-wide av_log; the library modules never
     * print, they report through fc_log callbacks and error codes, so libav's
     * own chatter (probing noise, damaged-packet warnings) is silenced once here. */
    av_log_set_level(AV_LOG_QUIET);
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        if (argc > 2) {
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (!strcmp(argv[2], commands[i].name))
                    return fc_cli_print_usage(commands[i].usage);
            return fc_cli_usage_error("help", "unknown command '%s'", argv[2]);
        }
        main_usage(stdout);
        return fc_cli_finish(FC_EXIT_OK);
    }
    if (!strcmp(name, "--version") || !strcmp(name, "-V"))
        return fc_cmd_version(1, argv + 1);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "formcheck: '%s' is not a command (see 'formcheck -h')\n", name);
    return FC_EXIT_USAGE;
}

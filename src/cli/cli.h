/*
 * cli.h - internal to the formcheck binary: the command table and helpers
 * shared by the commands (src/cli/cmd_*.c). Not installed.
 *
 * A command is `int fn(int argc, char **argv)` with argv[0] the command name;
 * it returns an exit code: FC_EXIT_OK, FC_EXIT_FAIL or FC_EXIT_USAGE.
 * `-h/--help` must work without opening a camera or a model.
 */
#ifndef FC_CLI_H
#define FC_CLI_H

#include <stdio.h>

#define FC_EXIT_OK 0
#define FC_EXIT_FAIL 1
#define FC_EXIT_USAGE 2

typedef struct fc_cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage; /* full help text, printed by `-h` and `formcheck help NAME` */
    const char *summary;
} fc_cli_cmd;

int fc_cmd_analyze(int argc, char **argv);
int fc_cmd_record(int argc, char **argv);
int fc_cmd_report(int argc, char **argv);
int fc_cmd_pose(int argc, char **argv);
int fc_cmd_probe(int argc, char **argv);
int fc_cmd_version(int argc, char **argv);

extern const char fc_usage_analyze[], fc_usage_record[], fc_usage_report[], fc_usage_pose[],
    fc_usage_probe[], fc_usage_version[];

/** Log callback for library modules: "formcheck: warning: ..." on stderr.
 *  `user` points to an int verbosity (FC_LOG_* max level), or NULL for FC_LOG_WARN. */
void fc_cli_log(void *user, int level, const char *msg);

/** Print "formcheck CMD: MSG" and a hint to use -h; returns FC_EXIT_USAGE. */
int fc_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Print "formcheck: MSG" on stderr (one line). */
void fc_cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** Print usage text to stdout and return FC_EXIT_OK, or FC_EXIT_FAIL if stdout
 *  cannot be flushed (a closed pipe, a full disk). */
int fc_cli_print_usage(const char *usage);

/** Check that stdout was written: returns `code`, or FC_EXIT_FAIL with a message
 *  if flushing stdout failed. Call at the end of every command. */
int fc_cli_finish(int code);

/** Parse a strictly positive/any double or int option value; 0 ok, -1 bad. */
int fc_cli_parse_double(const char *s, double *out);
int fc_cli_parse_int(const char *s, int *out);

#endif

/* cmd_report.c - `formcheck report`: show a saved report. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "formcheck/atomicfile.h"
#include "formcheck/report.h"
#include "formcheck/reportview.h"

const char fc_usage_report[] =
    "usage: formcheck report FILE.json [--format text|json|csv|html] [-o OUT] [--force]\n"
    "\n"
    "Show a saved report (from `formcheck analyze`): a per-rep table with the\n"
    "checks and cues, and the set summary.\n"
    "\n"
    "options:\n"
    "  --format NAME   text (default), json, csv (one row per rep and check), or\n"
    "                  html (one self-contained page: plot of depth and knee angles,\n"
    "                  reps shaded, faults marked, and the rep table)\n"
    "  -o, --output F  write to F instead of standard output (atomically)\n"
    "  --force         replace F if it exists\n"
    "  -h, --help      this help\n"
    "\n"
    "Text is coloured only on a terminal, and never when NO_COLOR is set.\n";

int fc_cmd_report(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *format = "text";
    int force = 0, fmt, code = FC_EXIT_FAIL;
    cJSON *rep = NULL;
    char err[FC_ERRBUF_SIZE];

    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_report);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--format") || !strcmp(s, "-o") || !strcmp(s, "--output")) {
            if (i + 1 >= argc)
                return fc_cli_usage_error("report", "%s needs a value", s);
            *(!strcmp(s, "--format") ? &format : &out) = argv[++i];
        } else if (!strcmp(s, "--force")) {
            force = 1;
        } else if (s[0] == '-' && s[1]) {
            return fc_cli_usage_error("report", "unknown option '%s'", s);
        } else if (!in) {
            in = s;
        } else {
            return fc_cli_usage_error("report", "one report at a time ('%s')", s);
        }
    }
    if (!in)
        return fc_cli_usage_error("report", "no report file given");
    if ((fmt = fc_report_format_parse(format)) < 0)
        return fc_cli_usage_error("report", "--format: expected text, json, csv or html, not '%s'", format);
    if (fc_report_load(&rep, in, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return FC_EXIT_FAIL;
    }
    if (out && strcmp(out, "-")) {
        fc_atomic_file *af = NULL;
        if (fc_atomic_open(&af, out, force ? FC_ATOMIC_FORCE : 0, err, sizeof err) < 0) {
            fc_cli_error("%s", err);
            goto end;
        }
        if (fc_report_render(fc_atomic_stream(af), rep, fmt, 0) < 0) {
            int e = errno; /* the cause (ENOSPC on a full disk), before abort's close/unlink */
            fc_atomic_abort(af);
            fc_cli_error("%s: write failed: %s", out, strerror(e));
            goto end;
        }
        if (fc_atomic_commit(af, err, sizeof err) < 0) {
            fc_cli_error("%s", err);
            goto end;
        }
    } else {
        int color = fmt == FC_REPORT_TEXT && isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
        fc_report_render(stdout, rep, fmt, color);
    }
    code = FC_EXIT_OK;
end:
    cJSON_Delete(rep);
    return fc_cli_finish(code);
}

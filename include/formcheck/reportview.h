/*
 * formcheck/reportview.h - render a loaded report (formcheck/report.h) as text,
 * JSON, CSV or a self-contained HTML page (inline SVG plot of the depth signal
 * and knee angles, reps shaded, faults marked, and the rep table).
 *
 *     cJSON *rep = NULL;
 *     fc_report_load(&rep, "set.formcheck.json", err, sizeof err);
 *     int color = isatty(1) && !getenv("NO_COLOR");
 *     fc_report_render(stdout, rep, FC_REPORT_TEXT, color);
 *
 * The renderers read only the report (so they work on any valid saved report)
 * and tolerate missing optional fields. Thread-safety: no shared state.
 */
#ifndef FORMCHECK_REPORTVIEW_H
#define FORMCHECK_REPORTVIEW_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

enum fc_report_format { FC_REPORT_TEXT = 0, FC_REPORT_JSON, FC_REPORT_CSV, FC_REPORT_HTML };

/** "text"/"json"/"csv"/"html" -> enum, -1 if unknown. */
int fc_report_format_parse(const char *name);

/** Write `report` to `fp` in `format`; `color` adds ANSI colours to text.
 *  Errors: FC_EINVAL, FC_EIO (write failed), FC_ENOMEM. */
int fc_report_render(FILE *fp, const struct cJSON *report, int format, int color);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_REPORTVIEW_H */

/*
 * formcheck/report.h - the JSON report of an analysed set: build it from an
 * analysis result, write it atomically, and load (validate) a saved one.
 * The schema is documented in docs/report-schema.md and docs/report.schema.json.
 *
 *     fc_report_info info = fc_report_default_info();
 *     info.input_path = "set.jsonl";
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_report_write("set.formcheck.json", res, &info, 0, err, sizeof err) < 0) ...
 *
 *     cJSON *rep = NULL;
 *     if (fc_report_load(&rep, "set.formcheck.json", err, sizeof err) < 0)
 *         fprintf(stderr, "%s\n", err);  // "x.json: schema_version 2 is newer than this formcheck reads (1)"
 *     ...
 *     cJSON_Delete(rep);
 *
 * Thread-safety: no shared state.
 */
#ifndef FORMCHECK_REPORT_H
#define FORMCHECK_REPORT_H

#include <stddef.h>

#include "formcheck/analysis.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/** The schema version this formcheck writes and the newest it reads. */
#define FC_REPORT_SCHEMA_VERSION 1
/** Largest report accepted by the loader (bytes); refused before parsing. */
#define FC_REPORT_MAX_FILE (64LL * 1024 * 1024)
/** Default cap on the per-frame series points stored for plots. */
#define FC_REPORT_SERIES_POINTS 1500

/** What the analysis result does not know: where the data came from. */
typedef struct fc_report_info {
    const char *input_path;   /**< file analysed (NULL: "-") */
    const char *input_kind;   /**< "keypoints" or "video" */
    double fps;               /**< input frame rate; <= 0: estimated from the timestamps */
    double analysis_fps;      /**< rate of the analysed frames (video: the source's, or lower with
                                   --analysis-fps); <= 0: the same as fps */
    int width, height;        /**< frame size; 0: taken from the series */
    int rotation_deg;         /**< display rotation of the input (0, 90, 180, 270) */
    const char *model;        /**< pose model ("blazepose"), NULL: "unknown" */
    const char *variant;      /**< "lite"/"full"/"heavy", NULL: "unknown" */
    double analysis_ms;       /**< time the analysis took */
    double pose_ms_mean;      /**< mean pose time per frame, 0 if unknown */
    int series_points;        /**< cap on plotted points (0 = FC_REPORT_SERIES_POINTS) */
    const char *stop_reason;  /**< `formcheck record`: why the capture stopped ("duration", "reps", "user",
                                   "interrupted", "source_ended", "device_error", "disk_full");
                                   NULL = not a recording (no "recording" object) */
    double recorded_s;        /**< `formcheck record`: seconds captured */
    long long frames_with_person; /**< < 0 (default): counted from the series; given (>= 0) it
                                   lets the series be NULL with n frames (a compact series,
                                   formcheck/series.h: fps then from the result's frame times) */
} fc_report_info;

fc_report_info fc_report_default_info(void);

/** Build the report object (caller owns it: cJSON_Delete). `series`/`n` are the
 *  input frames (for size, fps and person counts; may be NULL/0, or NULL/n with
 *  info->frames_with_person set).
 *  Errors: FC_EINVAL, FC_ENOMEM. */
int fc_report_build(struct cJSON **out, const fc_analysis_result *res, const fc_pose_result *series, size_t n,
                    const fc_report_info *info);

/** Build and write to `path` ("-" = stdout) atomically; `flags` are
 *  atomicfile.h's (FC_ATOMIC_FORCE to replace). Errors: as fc_report_build and
 *  fc_atomic_open/commit (FC_EEXIST, FC_EACCES, FC_ENOSPC...), message in err. */
int fc_report_write(const char *path, const fc_analysis_result *res, const fc_pose_result *series, size_t n,
                    const fc_report_info *info, int flags, char *err, size_t errsz);

/** Check a parsed report: schema version (newer -> FC_EREPORT saying so) and
 *  the fields other tools rely on (exercise, view, reps[].index/start_s/
 *  bottom_s/end_s/score/lead_leg/checks[], summary). `name` labels errors. */
int fc_report_validate(const struct cJSON *root, const char *name, char *err, size_t errsz);

/** Read, size-check (FC_ETOOBIG), parse (FC_EREPORT "damaged: not valid JSON")
 *  and validate a report file. Errors: FC_ENOENT/FC_EACCES/FC_EISDIR/FC_EIO,
 *  FC_ETOOBIG, FC_EREPORT, FC_ENOMEM. */
int fc_report_load(struct cJSON **out, const char *path, char *err, size_t errsz);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_REPORT_H */

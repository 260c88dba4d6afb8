/*
 * formcheck/profile.h - form-check thresholds, loaded from a JSON profile
 * (models/form/squat.json, models/form/lunge.json) and validated.
 *
 *     fc_profile prof;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_profile_load(&prof, "models/form/squat.json", "standard", err, sizeof err) < 0)
 *         fprintf(stderr, "%s\n", err); // "squat.json: levels.standard.depth.warn_deg: expected a number"
 *
 * A profile file:
 *   { "format": "formcheck-profile", "version": 1, "exercise": "squat",
 *     "default_level": "standard", "good_rep_score": 80,
 *     "checks": { "<id>": { "what": "...", "source": "..." }, ... },
 *     "levels": { "<level>": { "<id>": { "warn_<u>": x, "fail_<u>": y } | tempo/target forms } } }
 * Every check of the exercise (fc_profile_checks()) must appear in "checks"
 * with a non-empty "source" string, and in the chosen level with its numbers;
 * <u> is the check's unit suffix ("deg", "pct" for %leg, "s"). Checks where
 * lower is better need warn <= fail; "tempo" (descent time, higher is better)
 * needs warn_s >= fail_s; "front_knee_angle" takes target_deg, warn_dev_deg,
 * fail_dev_deg. Unknown check ids are errors (typos must not pass silently).
 *
 * fc_profile is plain data (no pointers): copy it freely. Thread-safe.
 */
#ifndef FORMCHECK_PROFILE_H
#define FORMCHECK_PROFILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest profile file accepted (bytes); refused before parsing. */
#define FC_PROFILE_MAX_FILE (256 * 1024)

typedef enum fc_exercise { FC_EXERCISE_AUTO = 0, FC_EXERCISE_SQUAT, FC_EXERCISE_LUNGE } fc_exercise;

/** Stable check ids (the report's "id" strings, see fc_check_name()). */
typedef enum fc_check_id {
    FC_CHECK_DEPTH = 0,
    FC_CHECK_TRUNK_LEAN,
    FC_CHECK_KNEE_VALGUS,
    FC_CHECK_HEEL_LIFT,
    FC_CHECK_HIP_SHIFT,
    FC_CHECK_KNEE_OVER_TOES,
    FC_CHECK_FRONT_KNEE_ANGLE,
    FC_CHECK_BACK_KNEE_HEIGHT,
    FC_CHECK_TORSO_UPRIGHT,
    FC_CHECK_TEMPO,
    FC_CHECK_COUNT
} fc_check_id;

/** How a check's value is compared. */
enum fc_check_sense { FC_SENSE_LOWER = 0, FC_SENSE_HIGHER = 1, FC_SENSE_TARGET = 2 };

typedef struct fc_threshold {
    int used;            /**< 1 if this exercise has the check */
    double warn, fail;   /**< lower/higher sense: the bounds; target sense: allowed deviations */
    double target;       /**< target sense only */
} fc_threshold;

typedef struct fc_profile {
    fc_exercise exercise;
    char name[128];      /**< file name the profile came from ("squat.json") */
    char level[32];      /**< level used ("standard") */
    double good_rep_score; /**< a rep with no fail and at least this score is "good" */
    fc_threshold th[FC_CHECK_COUNT];
    char source[FC_CHECK_COUNT][200]; /**< where each number comes from */
} fc_profile;

/** Static names. fc_check_name: "depth"...; fc_check_unit: "deg", "%leg", "s";
 *  fc_exercise_name: "squat", "lunge", "auto". NULL/"?" when out of range. */
const char *fc_check_name(int id);
const char *fc_check_unit(int id);
int fc_check_sense(int id);
const char *fc_exercise_name(int ex);

/** Check ids used by an exercise, in report order; returns how many. */
size_t fc_profile_checks(int exercise, const fc_check_id **ids);

/** Parse a profile from memory. `name` labels errors ("squat.json"); `level`
 *  NULL = the file's default_level. Errors: FC_EPROFILE ("NAME: KEY: problem"),
 *  FC_EINVAL. */
int fc_profile_parse(fc_profile *out, const char *json, size_t len, const char *name, const char *level,
                     char *err, size_t errsz);

/** Load and parse a file (size-checked first: FC_ETOOBIG). Errors as
 *  fc_profile_parse plus FC_ENOENT/FC_EACCES/FC_EISDIR/FC_EIO/FC_ENOMEM. */
int fc_profile_load(fc_profile *out, const char *path, const char *level, char *err, size_t errsz);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_PROFILE_H */

/* profile.c - threshold profiles (see formcheck/profile.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/fileio.h"
#include "formcheck/profile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"

static const struct {
    const char *name, *unit, *key;
    int sense;
} checks[FC_CHECK_COUNT] = {
    [FC_CHECK_DEPTH] = {"depth", "deg", "deg", FC_SENSE_LOWER},
    [FC_CHECK_TRUNK_LEAN] = {"trunk_lean", "deg", "deg", FC_SENSE_LOWER},
    [FC_CHECK_KNEE_VALGUS] = {"knee_valgus", "deg", "deg", FC_SENSE_LOWER},
    [FC_CHECK_HEEL_LIFT] = {"heel_lift", "deg", "deg", FC_SENSE_LOWER},
    [FC_CHECK_HIP_SHIFT] = {"hip_shift", "%leg", "pct", FC_SENSE_LOWER},
    [FC_CHECK_KNEE_OVER_TOES] = {"knee_over_toes", "%leg", "pct", FC_SENSE_LOWER},
    [FC_CHECK_FRONT_KNEE_ANGLE] = {"front_knee_angle", "deg", "deg", FC_SENSE_TARGET},
    [FC_CHECK_BACK_KNEE_HEIGHT] = {"back_knee_height", "%leg", "pct", FC_SENSE_LOWER},
    [FC_CHECK_TORSO_UPRIGHT] = {"torso_upright", "deg", "deg", FC_SENSE_LOWER},
    [FC_CHECK_TEMPO] = {"tempo", "s", "s", FC_SENSE_HIGHER},
};

static const fc_check_id squat_checks[] = {FC_CHECK_DEPTH, FC_CHECK_TRUNK_LEAN, FC_CHECK_KNEE_VALGUS,
                                           FC_CHECK_HEEL_LIFT, FC_CHECK_HIP_SHIFT, FC_CHECK_TEMPO};
static const fc_check_id lunge_checks[] = {FC_CHECK_FRONT_KNEE_ANGLE, FC_CHECK_BACK_KNEE_HEIGHT,
                                           FC_CHECK_KNEE_OVER_TOES,   FC_CHECK_TORSO_UPRIGHT,
                                           FC_CHECK_KNEE_VALGUS,      FC_CHECK_TEMPO};

const char *fc_check_name(int id)
{
    return id >= 0 && id < FC_CHECK_COUNT ? checks[id].name : "?";
}

const char *fc_check_unit(int id)
{
    return id >= 0 && id < FC_CHECK_COUNT ? checks[id].unit : "?";
}

int fc_check_sense(int id)
{
    return id >= 0 && id < FC_CHECK_COUNT ? checks[id].sense : FC_SENSE_LOWER;
}

const char *fc_exercise_name(int ex)
{
    return ex == FC_EXERCISE_SQUAT ? "squat" : ex == FC_EXERCISE_LUNGE ? "lunge" : ex == FC_EXERCISE_AUTO ? "auto" : "?";
}

size_t fc_profile_checks(int exercise, const fc_check_id **ids)
{
    if (exercise == FC_EXERCISE_SQUAT) {
        *ids = squat_checks;
        return sizeof squat_checks / sizeof squat_checks[0];
    }
    if (exercise == FC_EXERCISE_LUNGE) {
        *ids = lunge_checks;
        return sizeof lunge_checks / sizeof lunge_checks[0];
    }
    *ids = NULL;
    return 0;
}

static int check_index(const char *name)
{
    for (int i = 0; i < FC_CHECK_COUNT; i++)
        if (!strcmp(checks[i].name, name))
            return i;
    return -1;
}

/* A finite number at obj.key, or an error naming path.key. */
static int get_num(double *v, const cJSON *obj, const char *key, const char *name, const char *path, char *err,
                   size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s.%s: missing", name, path, key);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s.%s: expected a number", name, path, key);
    *v = it->valuedouble;
    return 0;
}

static int parse_level_check(fc_threshold *th, const cJSON *c, int id, const char *name, const char *path,
                             char *err, size_t errsz)
{
    char k1[32], k2[32];
    int rc;

    if (!cJSON_IsObject(c))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s: expected an object", name, path);
    if (checks[id].sense == FC_SENSE_TARGET) {
        if ((rc = get_num(&th->target, c, "target_deg", name, path, err, errsz)) < 0 ||
            (rc = get_num(&th->warn, c, "warn_dev_deg", name, path, err, errsz)) < 0 ||
            (rc = get_num(&th->fail, c, "fail_dev_deg", name, path, err, errsz)) < 0)
            return rc;
        if (th->warn < 0 || th->fail < th->warn)
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s: need 0 <= warn_dev_deg <= fail_dev_deg", name,
                                path);
    } else {
        snprintf(k1, sizeof k1, "warn_%s", checks[id].key);
        snprintf(k2, sizeof k2, "fail_%s", checks[id].key);
        if ((rc = get_num(&th->warn, c, k1, name, path, err, errsz)) < 0 ||
            (rc = get_num(&th->fail, c, k2, name, path, err, errsz)) < 0)
            return rc;
        if (checks[id].sense == FC_SENSE_LOWER ? th->fail < th->warn : th->fail > th->warn)
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s: need %s %s %s", name, path, k1,
                                checks[id].sense == FC_SENSE_LOWER ? "<=" : ">=", k2);
    }
    for (const cJSON *it = c->child; it; it = it->next)
        if (strncmp(it->string, "warn_", 5) && strncmp(it->string, "fail_", 5) && strcmp(it->string, "target_deg"))
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s.%s: unknown key", name, path, it->string);
    th->used = 1;
    return 0;
}

static int parse_tree(fc_profile *p, const cJSON *root, const char *name, const char *level, char *err,
                      size_t errsz)
{
    const cJSON *it, *cks, *levels, *lv;
    const fc_check_id *ids;
    size_t nids;
    char path[96];
    double v = 0;
    int rc;

    if (!cJSON_IsObject(root))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: expected a JSON object", name);
    it = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(it) || strcmp(it->valuestring, "formcheck-profile"))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: format: expected \"formcheck-profile\"", name);
    if ((rc = get_num(&v, root, "version", name, "(top)", err, errsz)) < 0)
        return rc;
    if (v != 1)
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: version: %g is not supported (1 is)", name, v);
    it = cJSON_GetObjectItemCaseSensitive(root, "exercise");
    if (cJSON_IsString(it) && !strcmp(it->valuestring, "squat"))
        p->exercise = FC_EXERCISE_SQUAT;
    else if (cJSON_IsString(it) && !strcmp(it->valuestring, "lunge"))
        p->exercise = FC_EXERCISE_LUNGE;
    else
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: exercise: expected \"squat\" or \"lunge\"", name);
    if ((rc = get_num(&p->good_rep_score, root, "good_rep_score", name, "(top)", err, errsz)) < 0)
        return rc;
    if (p->good_rep_score < 0 || p->good_rep_score > 100)
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: good_rep_score: expected 0..100", name);
    if (!level) {
        it = cJSON_GetObjectItemCaseSensitive(root, "default_level");
        if (!cJSON_IsString(it))
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: default_level: expected a string", name);
        level = it->valuestring;
    }
    snprintf(p->level, sizeof p->level, "%s", level);
    cks = cJSON_GetObjectItemCaseSensitive(root, "checks");
    levels = cJSON_GetObjectItemCaseSensitive(root, "levels");
    if (!cJSON_IsObject(cks))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: checks: expected an object", name);
    if (!cJSON_IsObject(levels))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: levels: expected an object", name);
    lv = cJSON_GetObjectItemCaseSensitive(levels, level);
    if (!cJSON_IsObject(lv))
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: levels.%s: no such level", name, level);
    nids = fc_profile_checks(p->exercise, &ids);
    for (const cJSON *c = cks->child; c; c = c->next) {
        int id = check_index(c->string);
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(c, "source");
        if (id < 0)
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: checks.%s: unknown check", name, c->string);
        if (!cJSON_IsString(src) || !src->valuestring[0])
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: checks.%s.source: expected a non-empty string", name,
                                c->string);
        snprintf(p->source[id], sizeof p->source[id], "%s", src->valuestring);
    }
    for (const cJSON *c = lv->child; c; c = c->next)
        if (check_index(c->string) < 0)
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: levels.%s.%s: unknown check", name, level, c->string);
    for (size_t i = 0; i < nids; i++) {
        const char *cn = checks[ids[i]].name;
        if (!p->source[ids[i]][0])
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: checks.%s: missing", name, cn);
        snprintf(path, sizeof path, "levels.%s.%s", level, cn);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(lv, cn);
        if (!c)
            return fc_set_error(err, errsz, FC_EPROFILE, "%s: %s: missing", name, path);
        if ((rc = parse_level_check(&p->th[ids[i]], c, ids[i], name, path, err, errsz)) < 0)
            return rc;
    }
    return 0;
}

int fc_profile_parse(fc_profile *out, const char *json, size_t len, const char *name, const char *level,
                     char *err, size_t errsz)
{
    cJSON *root;
    size_t off;
    int rc;

    if (!out || !json)
        return fc_set_error(err, errsz, FC_EINVAL, "profile: invalid argument");
    if (!name)
        name = "profile";
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    root = fc_json_parse_all(json, len, &off);
    if (!root) {
        return fc_set_error(err, errsz, FC_EPROFILE, "%s: not valid JSON (near byte %zu)", name, off);
    }
    rc = parse_tree(out, root, name, level, err, errsz);
    cJSON_Delete(root);
    if (rc < 0)
        memset(out->th, 0, sizeof out->th);
    return rc;
}

int fc_profile_load(fc_profile *out, const char *path, const char *level, char *err, size_t errsz)
{
    char *buf = NULL;
    size_t len;
    const char *base;
    int rc;

    if (!out || !path)
        return fc_set_error(err, errsz, FC_EINVAL, "profile: invalid argument");
    base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if ((rc = fc_file_read_all(&buf, &len, path, FC_PROFILE_MAX_FILE, err, errsz)) < 0)
        return rc;
    rc = fc_profile_parse(out, buf, len, base, level, err, errsz);
    free(buf);
    return rc;
}

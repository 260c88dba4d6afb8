/* synth_scenario.c - scenario defaults, names, checks, JSON loading, and the
 * deterministic random numbers. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "synth_internal.h"

static const char *const fault_names[FC_SYNTH_NUM_FAULTS] = {
    "shallow", "forward_lean", "valgus", "heel_lift", "knees_past_toes", "hip_shift", "asymmetric", "partial"};

static const char *const exercise_names[] = {"squat", "lunge_forward", "lunge_reverse", "lunge_stationary"};

void fc_synth_default_rep(fc_synth_rep *r, int i)
{
    memset(r, 0, sizeof *r);
    r->depth_deg = 115;
    r->descent_s = 1.2;
    r->pause_s = 0.3;
    r->ascent_s = 1.0;
    r->rest_s = 0.6;
    r->side = i % 2 ? FC_SYNTH_RIGHT : FC_SYNTH_LEFT;
}

void fc_synth_default_scenario(fc_synth_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->exercise = FC_SYNTH_SQUAT;
    sc->nreps = 5;
    for (int i = 0; i < FC_SYNTH_MAX_REPS; i++)
        fc_synth_default_rep(&sc->rep[i], i);
    sc->body.height_m = 1.75;
    sc->body.limb_sd = 0;
    sc->body.leg_scale = sc->body.arm_scale = sc->body.trunk_scale = 1;
    sc->body.stance_width_m = 0.30;
    sc->body.toe_out_deg = 10;
    sc->body.lunge_stride_m = 0.80;
    sc->body.step_s = 0.6;
    sc->cam.azimuth_deg = 90;
    sc->cam.distance_m = 3.1;
    sc->cam.height_m = 1.0;
    sc->cam.pitch_deg = 0;
    sc->cam.hfov_deg = 60;
    sc->cam.width = 640;
    sc->cam.height = 480;
    sc->cam.fps = 30;
    sc->lead_in_s = 1.0;
    sc->lead_out_s = 1.0;
    sc->seed = 1;
}

unsigned fc_synth_fault_from_name(const char *name)
{
    for (int i = 0; i < FC_SYNTH_NUM_FAULTS; i++)
        if (name && strcmp(name, fault_names[i]) == 0)
            return 1u << i;
    return 0;
}

const char *fc_synth_fault_name(unsigned bit)
{
    for (int i = 0; i < FC_SYNTH_NUM_FAULTS; i++)
        if (bit == 1u << i)
            return fault_names[i];
    return "?";
}

const char *fc_synth_exercise_name(fc_synth_exercise e)
{
    return (unsigned)e < 4 ? exercise_names[e] : "?";
}

int fc_synth_exercise_from_name(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "lunge") == 0)
        return FC_SYNTH_LUNGE_FORWARD;
    for (int i = 0; i < 4; i++)
        if (strcmp(name, exercise_names[i]) == 0)
            return i;
    return -1;
}

#define RANGE(v, lo, hi, name)                                                                     \
    do {                                                                                           \
        if (!(isfinite((double)(v)) && (v) >= (lo) && (v) <= (hi)))                               \
            return fc_set_error(err, errsz, FC_EINVAL, "%s must be in [%g, %g]", name, (double)(lo), \
                                (double)(hi));                                                     \
    } while (0)

int fc_synth_scenario_check(const fc_synth_scenario *sc, char *err, size_t errsz)
{
    RANGE(sc->nreps, 0, FC_SYNTH_MAX_REPS, "reps");
    RANGE((int)sc->exercise, 0, 3, "exercise");
    for (int i = 0; i < sc->nreps; i++) {
        const fc_synth_rep *r = &sc->rep[i];
        /* deeper lunges would put the rear knee through the floor */
        RANGE(r->depth_deg, 5, sc->exercise == FC_SYNTH_SQUAT ? 150 : 105, "depth_deg");
        RANGE(r->descent_s, 0.1, 30, "descent_s");
        RANGE(r->pause_s, 0, 30, "pause_s");
        RANGE(r->ascent_s, 0.1, 30, "ascent_s");
        RANGE(r->rest_s, 0, 60, "rest_s");
        RANGE(r->side, 0, 1, "side");
        if (r->faults >> FC_SYNTH_NUM_FAULTS)
            return fc_set_error(err, errsz, FC_EINVAL, "rep %d: unknown fault bits", i + 1);
    }
    RANGE(sc->body.height_m, 1.0, 2.3, "height_m");
    RANGE(sc->body.limb_sd, 0, 0.1, "limb_sd");
    RANGE(sc->body.leg_scale, 0.8, 1.2, "leg_scale");
    RANGE(sc->body.arm_scale, 0.8, 1.2, "arm_scale");
    RANGE(sc->body.trunk_scale, 0.8, 1.2, "trunk_scale");
    RANGE(sc->body.stance_width_m, 0.1, 0.8, "stance_width_m");
    RANGE(sc->body.toe_out_deg, -10, 40, "toe_out_deg");
    RANGE(sc->body.lunge_stride_m, 0.4, 1.2, "lunge_stride_m");
    RANGE(sc->body.step_s, 0.2, 5, "step_s");
    RANGE(sc->cam.azimuth_deg, -360, 360, "azimuth_deg");
    RANGE(sc->cam.distance_m, 1.0, 20, "distance_m");
    RANGE(sc->cam.height_m, 0.1, 3, "camera height_m");
    RANGE(sc->cam.pitch_deg, -60, 60, "pitch_deg");
    RANGE(sc->cam.hfov_deg, 10, 150, "hfov_deg");
    RANGE(sc->cam.width, 16, 4096, "width");
    RANGE(sc->cam.height, 16, 4096, "height");
    if (sc->cam.width % 2 || sc->cam.height % 2)
        return fc_set_error(err, errsz, FC_EINVAL, "width and height must be even");
    RANGE(sc->cam.fps, 1, 240, "fps");
    RANGE(sc->cam.shake_deg, 0, 5, "shake_deg");
    RANGE(sc->lead_in_s, 0, 60, "lead_in_s");
    RANGE(sc->lead_out_s, 0, 60, "lead_out_s");
    RANGE(sc->noise_deg, 0, 30, "noise_deg");
    RANGE(sc->noise_px, 0, 50, "noise_px");
    RANGE(sc->dropout, 0, 1, "dropout");
    return 0;
}

/* ---- JSON ---- */

static int get_num(const cJSON *o, const char *key, double *v, char *err, size_t errsz, const char *path)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!it)
        return 0;
    if (!cJSON_IsNumber(it))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: \"%s\" must be a number", path, key);
    *v = it->valuedouble;
    return 0;
}

static int get_int(const cJSON *o, const char *key, int *v, char *err, size_t errsz, const char *path)
{
    double d = *v;
    int rc = get_num(o, key, &d, err, errsz, path);
    if (rc == 0 && (d != floor(d) || fabs(d) > 1e9))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: \"%s\" must be an integer", path, key);
    *v = (int)d;
    return rc;
}

static int load_rep(fc_synth_rep *r, const cJSON *o, char *err, size_t errsz, const char *path)
{
    const cJSON *side = cJSON_GetObjectItemCaseSensitive(o, "side");
    const cJSON *faults = cJSON_GetObjectItemCaseSensitive(o, "faults"), *f;
    int rc = 0;

    if (!cJSON_IsObject(o))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: each of \"reps\" must be an object", path);
    rc |= get_num(o, "depth_deg", &r->depth_deg, err, errsz, path);
    rc |= get_num(o, "descent_s", &r->descent_s, err, errsz, path);
    rc |= get_num(o, "pause_s", &r->pause_s, err, errsz, path);
    rc |= get_num(o, "ascent_s", &r->ascent_s, err, errsz, path);
    rc |= get_num(o, "rest_s", &r->rest_s, err, errsz, path);
    if (rc)
        return FC_EINVAL;
    if (side) {
        if (!cJSON_IsString(side) || (strcmp(side->valuestring, "left") && strcmp(side->valuestring, "right")))
            return fc_set_error(err, errsz, FC_EINVAL, "%s: \"side\" must be \"left\" or \"right\"", path);
        r->side = strcmp(side->valuestring, "left") == 0 ? FC_SYNTH_LEFT : FC_SYNTH_RIGHT;
    }
    if (faults) {
        if (!cJSON_IsArray(faults))
            return fc_set_error(err, errsz, FC_EINVAL, "%s: \"faults\" must be an array of names", path);
        r->faults = 0;
        cJSON_ArrayForEach(f, faults) {
            unsigned b = cJSON_IsString(f) ? fc_synth_fault_from_name(f->valuestring) : 0;
            if (!b)
                return fc_set_error(err, errsz, FC_EINVAL, "%s: unknown fault in \"faults\"", path);
            r->faults |= b;
        }
    }
    return 0;
}

static int load_obj(fc_synth_scenario *sc, const cJSON *root, char *err, size_t errsz, const char *path)
{
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "exercise");
    const cJSON *reps = cJSON_GetObjectItemCaseSensitive(root, "reps"), *it;
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(root, "body");
    const cJSON *cam = cJSON_GetObjectItemCaseSensitive(root, "camera");
    double seed = (double)sc->seed;
    int rc = 0;

    if (ex) {
        int e = cJSON_IsString(ex) ? fc_synth_exercise_from_name(ex->valuestring) : -1;
        if (e < 0)
            return fc_set_error(err, errsz, FC_EINVAL, "%s: unknown \"exercise\"", path);
        if (e != FC_SYNTH_SQUAT && sc->exercise == FC_SYNTH_SQUAT)
            for (int i = 0; i < FC_SYNTH_MAX_REPS; i++)
                sc->rep[i].depth_deg = 90; /* the lunge default; reps below may override */
        sc->exercise = (fc_synth_exercise)e;
    }
    if (reps) {
        int n = 0;
        if (!cJSON_IsArray(reps) || cJSON_GetArraySize(reps) > FC_SYNTH_MAX_REPS)
            return fc_set_error(err, errsz, FC_EINVAL, "%s: \"reps\" must be an array of at most %d", path,
                                FC_SYNTH_MAX_REPS);
        cJSON_ArrayForEach(it, reps) {
            if ((rc = load_rep(&sc->rep[n++], it, err, errsz, path)) < 0)
                return rc;
        }
        sc->nreps = n;
    }
    if (body) {
        rc |= get_num(body, "height_m", &sc->body.height_m, err, errsz, path);
        rc |= get_num(body, "limb_sd", &sc->body.limb_sd, err, errsz, path);
        rc |= get_num(body, "leg_scale", &sc->body.leg_scale, err, errsz, path);
        rc |= get_num(body, "arm_scale", &sc->body.arm_scale, err, errsz, path);
        rc |= get_num(body, "trunk_scale", &sc->body.trunk_scale, err, errsz, path);
        rc |= get_num(body, "stance_width_m", &sc->body.stance_width_m, err, errsz, path);
        rc |= get_num(body, "toe_out_deg", &sc->body.toe_out_deg, err, errsz, path);
        rc |= get_num(body, "lunge_stride_m", &sc->body.lunge_stride_m, err, errsz, path);
        rc |= get_num(body, "step_s", &sc->body.step_s, err, errsz, path);
    }
    if (cam) {
        rc |= get_num(cam, "azimuth_deg", &sc->cam.azimuth_deg, err, errsz, path);
        rc |= get_num(cam, "distance_m", &sc->cam.distance_m, err, errsz, path);
        rc |= get_num(cam, "height_m", &sc->cam.height_m, err, errsz, path);
        rc |= get_num(cam, "pitch_deg", &sc->cam.pitch_deg, err, errsz, path);
        rc |= get_num(cam, "hfov_deg", &sc->cam.hfov_deg, err, errsz, path);
        rc |= get_int(cam, "width", &sc->cam.width, err, errsz, path);
        rc |= get_int(cam, "height", &sc->cam.height, err, errsz, path);
        rc |= get_num(cam, "fps", &sc->cam.fps, err, errsz, path);
        rc |= get_int(cam, "mirror", &sc->cam.mirror, err, errsz, path);
        rc |= get_num(cam, "shake_deg", &sc->cam.shake_deg, err, errsz, path);
    }
    rc |= get_int(root, "walk_in", &sc->walk_in, err, errsz, path);
    rc |= get_int(root, "walk_out", &sc->walk_out, err, errsz, path);
    rc |= get_num(root, "lead_in_s", &sc->lead_in_s, err, errsz, path);
    rc |= get_num(root, "lead_out_s", &sc->lead_out_s, err, errsz, path);
    rc |= get_num(root, "seed", &seed, err, errsz, path);
    rc |= get_num(root, "noise_deg", &sc->noise_deg, err, errsz, path);
    rc |= get_num(root, "noise_px", &sc->noise_px, err, errsz, path);
    rc |= get_num(root, "dropout", &sc->dropout, err, errsz, path);
    if (rc)
        return FC_EINVAL;
    if (seed < 0 || seed > 9007199254740992.0 || seed != floor(seed))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: \"seed\" must be a non-negative integer", path);
    sc->seed = (uint64_t)seed;
    return 0;
}

int fc_synth_scenario_load(fc_synth_scenario *sc, const char *path, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    cJSON *root = NULL;
    long n;
    int rc = 0;

    if (!f)
        return fc_set_error(err, errsz, FC_ENOENT, "%s: cannot open", path);
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) || fseek(f, 0, SEEK_SET) != 0) {
        rc = fc_set_error(err, errsz, FC_ETOOBIG, "%s: not a readable file under 1 MiB", path);
        goto end;
    }
    if (!(buf = malloc((size_t)n + 1))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        rc = fc_set_error(err, errsz, FC_EIO, "%s: read error", path);
        goto end;
    }
    buf[n] = 0;
    root = cJSON_Parse(buf);
    if (!cJSON_IsObject(root)) {
        rc = fc_set_error(err, errsz, FC_EINVAL, "%s: not a JSON object", path);
        goto end;
    }
    /* a truth file works as a scenario: take its "scenario" member */
    if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "scenario")))
        rc = load_obj(sc, cJSON_GetObjectItemCaseSensitive(root, "scenario"), err, errsz, path);
    else
        rc = load_obj(sc, root, err, errsz, path);
    if (rc == 0)
        rc = fc_synth_scenario_check(sc, err, errsz);
end:
    cJSON_Delete(root);
    free(buf);
    fclose(f);
    return rc;
}

/* ---- random numbers: splitmix64, one independent stream per purpose ---- */

void fc_synth_rng_seed(fc_synth_rng *r, uint64_t seed, uint64_t stream)
{
    r->s = seed * 0x9E3779B97F4A7C15ull ^ (stream + 1) * 0xD1B54A32D192ED03ull;
}

static uint64_t next(fc_synth_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double fc_synth_rng_uniform(fc_synth_rng *r)
{
    return (double)(next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double fc_synth_rng_gauss(fc_synth_rng *r)
{
    double u1 = fc_synth_rng_uniform(r), u2 = fc_synth_rng_uniform(r);
    return sqrt(-2 * log(u1 + 1e-300)) * cos(2 * FC_SYNTH_PI * u2);
}

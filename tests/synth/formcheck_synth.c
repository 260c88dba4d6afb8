/* formcheck_synth.c - the formcheck-synth program: scenario from options or a
 * JSON file -> ground-truth keypoints, truth file and rendered video. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "formcheck/error.h"
#include "synth.h"
#include "synth_render.h"

static const char usage[] =
    "usage: formcheck-synth [options]\n"
    "Make a synthetic squat/lunge set with known ground truth.\n"
    "\n"
    "Movement:\n"
    "  --scenario FILE       start from a scenario JSON (or a truth file's \"scenario\"); options below override\n"
    "  --exercise E          squat | lunge (= lunge_forward) | lunge_reverse | lunge_stationary (squat)\n"
    "  --reps N              number of reps (5)\n"
    "  --depth-deg D         knee flexion at the bottom, lead knee for lunges (115)\n"
    "  --tempo D,P,A         descent, bottom pause, ascent seconds (1.2,0.3,1.0)\n"
    "  --rest-s S            standing between reps (0.6)\n"
    "  --lead left|right|alternate   lunge lead leg / side of side faults (alternate, left first)\n"
    "  --fault REP:NAME      inject a fault into rep REP (1-based, or 'all'); repeatable. NAME: shallow,\n"
    "                        forward_lean, valgus, heel_lift, knees_past_toes, hip_shift, asymmetric, partial\n"
    "  --walk-in, --walk-out walk into the spot / turn and walk away\n"
    "  --lead-in-s S, --lead-out-s S   standing before the first / after the last rep (1.0)\n"
    "  --height-m H          body height (1.75); --limb-sd F random segment variation (0)\n"
    "Camera:\n"
    "  --view side|front|oblique|back  camera azimuth 90|0|45|180 (side)\n"
    "  --azimuth-deg A       camera azimuth: 0 in front, 90 at the person's left\n"
    "  --distance-m D (3.1)  --camera-height-m H (1.0)  --pitch-deg P (0)  --fov-deg F (60, horizontal)\n"
    "  --size WxH (640x480)  --fps F (30)  --mirror  --shake-deg A (0)\n"
    "Output:\n"
    "  --seed S              random seed (1); same seed, same bytes\n"
    "  --noise-deg J         keypoints jitter: 3D s.d. 0.3 m x J degrees (0)\n"
    "  --noise-px P          keypoints image jitter s.d. in pixels (0)\n"
    "  --dropout P           probability a keypoints frame has no person (0)\n"
    "  --keypoints OUT.jsonl ground-truth keypoints (formcheck pose format)\n"
    "  --truth OUT.json      per-rep times, frames, lead leg and angles at the bottom\n"
    "  --video OUT.mp4       rendered video (H.264 if libx264 is present, else MPEG-4)\n"
    "  --crf N               H.264 quality (28); --threads N render threads (1)\n"
    "  --markers             paint the projected landmarks on the video (debug)\n"
    "  --png-frame N --png OUT.png   also write frame N as a PNG\n"
    "Exit: 0 ok, 1 failure, 2 usage.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "formcheck-synth: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see -h)\n");
    return 2;
}

static int num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return s[0] && !*end && !errno && isfinite(*out) ? 0 : -1;
}

static int fault_opt(fc_synth_scenario *sc, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char repbuf[16];
    unsigned bit;
    double r;

    if (!colon || colon - arg >= (long)sizeof repbuf || !(bit = fc_synth_fault_from_name(colon + 1)))
        return -1;
    memcpy(repbuf, arg, (size_t)(colon - arg));
    repbuf[colon - arg] = 0;
    if (strcmp(repbuf, "all") == 0) {
        for (int i = 0; i < FC_SYNTH_MAX_REPS; i++)
            sc->rep[i].faults |= bit;
        return 0;
    }
    if (num(repbuf, &r) < 0 || r < 1 || r > FC_SYNTH_MAX_REPS || r != floor(r))
        return -1;
    sc->rep[(int)r - 1].faults |= bit;
    return 0;
}

typedef struct outputs {
    const char *keypoints, *truth, *video, *png;
    int png_frame;
    fc_synth_render_opts ro;
} outputs;

/* Apply one option (with its value `v`, or NULL). Returns 1 if it consumed v,
 * 0 if not, -1 on a bad value, -2 for an unknown option. */
static int apply(fc_synth_scenario *sc, outputs *o, const char *opt, const char *v)
{
    double d;
    int w, h;

#define NEEDV() do { if (!v) return -1; } while (0)
#define NUMV(dst) do { NEEDV(); if (num(v, &d) < 0) return -1; (dst) = d; return 1; } while (0)
#define INTV(dst) do { NEEDV(); if (num(v, &d) < 0 || d != floor(d) || fabs(d) > 1e6) return -1; (dst) = (int)d; return 1; } while (0)
    if (!strcmp(opt, "--walk-in")) { sc->walk_in = 1; return 0; }
    if (!strcmp(opt, "--walk-out")) { sc->walk_out = 1; return 0; }
    if (!strcmp(opt, "--mirror")) { sc->cam.mirror = 1; return 0; }
    if (!strcmp(opt, "--markers")) { o->ro.markers = 1; return 0; }
    if (!strcmp(opt, "--scenario")) { NEEDV(); return 1; } /* handled first */
    if (!strcmp(opt, "--exercise")) {
        NEEDV();
        if ((w = fc_synth_exercise_from_name(v)) < 0)
            return -1;
        if (w != FC_SYNTH_SQUAT && sc->exercise == FC_SYNTH_SQUAT)
            for (int i = 0; i < FC_SYNTH_MAX_REPS; i++)
                sc->rep[i].depth_deg = 90; /* lunge default */
        sc->exercise = (fc_synth_exercise)w;
        return 1;
    }
    if (!strcmp(opt, "--depth-deg")) {
        NEEDV();
        if (num(v, &d) < 0) return -1;
        for (int i = 0; i < FC_SYNTH_MAX_REPS; i++) sc->rep[i].depth_deg = d;
        return 1;
    }
    if (!strcmp(opt, "--tempo")) {
        double a, b, c;
        char tail;
        NEEDV();
        if (sscanf(v, "%lf,%lf,%lf%c", &a, &b, &c, &tail) != 3) return -1;
        for (int i = 0; i < FC_SYNTH_MAX_REPS; i++) {
            sc->rep[i].descent_s = a; sc->rep[i].pause_s = b; sc->rep[i].ascent_s = c;
        }
        return 1;
    }
    if (!strcmp(opt, "--rest-s")) {
        NEEDV();
        if (num(v, &d) < 0) return -1;
        for (int i = 0; i < FC_SYNTH_MAX_REPS; i++) sc->rep[i].rest_s = d;
        return 1;
    }
    if (!strcmp(opt, "--lead")) {
        NEEDV();
        for (int i = 0; i < FC_SYNTH_MAX_REPS; i++) {
            if (!strcmp(v, "left")) sc->rep[i].side = FC_SYNTH_LEFT;
            else if (!strcmp(v, "right")) sc->rep[i].side = FC_SYNTH_RIGHT;
            else if (!strcmp(v, "alternate")) sc->rep[i].side = i % 2;
            else return -1;
        }
        return 1;
    }
    if (!strcmp(opt, "--fault")) { NEEDV(); return fault_opt(sc, v) < 0 ? -1 : 1; }
    if (!strcmp(opt, "--lead-in-s")) NUMV(sc->lead_in_s);
    if (!strcmp(opt, "--lead-out-s")) NUMV(sc->lead_out_s);
    if (!strcmp(opt, "--height-m")) NUMV(sc->body.height_m);
    if (!strcmp(opt, "--limb-sd")) NUMV(sc->body.limb_sd);
    if (!strcmp(opt, "--view")) {
        NEEDV();
        if (!strcmp(v, "side")) sc->cam.azimuth_deg = 90;
        else if (!strcmp(v, "front")) sc->cam.azimuth_deg = 0;
        else if (!strcmp(v, "oblique")) sc->cam.azimuth_deg = 45;
        else if (!strcmp(v, "back")) sc->cam.azimuth_deg = 180;
        else return -1;
        return 1;
    }
    if (!strcmp(opt, "--azimuth-deg")) NUMV(sc->cam.azimuth_deg);
    if (!strcmp(opt, "--distance-m")) NUMV(sc->cam.distance_m);
    if (!strcmp(opt, "--camera-height-m")) NUMV(sc->cam.height_m);
    if (!strcmp(opt, "--pitch-deg")) NUMV(sc->cam.pitch_deg);
    if (!strcmp(opt, "--fov-deg")) NUMV(sc->cam.hfov_deg);
    if (!strcmp(opt, "--fps")) NUMV(sc->cam.fps);
    if (!strcmp(opt, "--shake-deg")) NUMV(sc->cam.shake_deg);
    if (!strcmp(opt, "--size")) {
        char tail;
        NEEDV();
        if (sscanf(v, "%dx%d%c", &w, &h, &tail) != 2) return -1;
        sc->cam.width = w; sc->cam.height = h;
        return 1;
    }
    if (!strcmp(opt, "--seed")) {
        NEEDV();
        if (num(v, &d) < 0 || d < 0 || d != floor(d) || d > 9007199254740992.0) return -1;
        sc->seed = (uint64_t)d;
        return 1;
    }
    if (!strcmp(opt, "--noise-deg")) NUMV(sc->noise_deg);
    if (!strcmp(opt, "--noise-px")) NUMV(sc->noise_px);
    if (!strcmp(opt, "--dropout")) NUMV(sc->dropout);
    if (!strcmp(opt, "--keypoints")) { NEEDV(); o->keypoints = v; return 1; }
    if (!strcmp(opt, "--truth")) { NEEDV(); o->truth = v; return 1; }
    if (!strcmp(opt, "--video")) { NEEDV(); o->video = v; return 1; }
    if (!strcmp(opt, "--png")) { NEEDV(); o->png = v; return 1; }
    if (!strcmp(opt, "--png-frame")) INTV(o->png_frame);
    if (!strcmp(opt, "--crf")) INTV(o->ro.crf);
    if (!strcmp(opt, "--threads")) INTV(o->ro.threads);
    return -2;
#undef NUMV
#undef INTV
#undef NEEDV
}

int main(int argc, char **argv)
{
    fc_synth_scenario sc;
    outputs o = {0};
    char err[FC_ERRBUF_SIZE];
    double reps = -1;
    int rc;

    av_log_set_level(AV_LOG_ERROR);
    fc_synth_default_scenario(&sc);
    fc_synth_render_default_opts(&o.ro);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
        }
        if (!strcmp(argv[i], "--scenario")) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", argv[i]);
            if ((rc = fc_synth_scenario_load(&sc, argv[i + 1], err, sizeof err)) < 0) {
                fprintf(stderr, "formcheck-synth: %s\n", err);
                return 1;
            }
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used;
        if (!strcmp(argv[i], "--reps")) {
            if (!v || num(v, &reps) < 0 || reps < 0 || reps > FC_SYNTH_MAX_REPS || reps != floor(reps))
                return usage_error("--reps needs an integer 0..64, got '%s'", v ? v : "");
            i++;
            continue;
        }
        used = apply(&sc, &o, argv[i], v);
        if (used == -2)
            return usage_error("unknown option '%s'", argv[i]);
        if (used < 0)
            return usage_error("bad or missing value for %s", argv[i]);
        i += used;
    }
    if (reps >= 0)
        sc.nreps = (int)reps;
    if ((rc = fc_synth_scenario_check(&sc, err, sizeof err)) < 0) {
        fprintf(stderr, "formcheck-synth: %s\n", err);
        return 2;
    }
    if (!o.keypoints && !o.truth && !o.video && !o.png)
        return usage_error("%s", "nothing to do: give --keypoints, --truth, --video or --png");
    if (o.keypoints && (rc = fc_synth_write_keypoints(o.keypoints, &sc, err, sizeof err)) < 0)
        goto fail;
    if (o.truth && (rc = fc_synth_write_truth(o.truth, &sc, err, sizeof err)) < 0)
        goto fail;
    if (o.png && (rc = fc_synth_render_png(o.png, &sc, &o.ro, o.png_frame, err, sizeof err)) < 0)
        goto fail;
    if (o.video) {
        fc_synth_render_stats st;
        if ((rc = fc_synth_render_video(o.video, &sc, &o.ro, &st, err, sizeof err)) < 0)
            goto fail;
        fprintf(stderr, "formcheck-synth: %s: %lld frames, render %.1f fps, total %.1f fps (%s)\n", o.video,
                (long long)st.frames, st.render_fps, st.total_fps, st.codec);
    }
    return 0;
fail:
    fprintf(stderr, "formcheck-synth: %s\n", err);
    return 1;
}

#!/usr/bin/env python3
"""check_report.py [--knees|--no-knees] [--keypoints K.jsonl] [--clean IDS] REPORT.json TRUTH.json

Compare a formcheck report with the synthetic athlete's truth file. Default: all
of the below; --knees: only the knee angles; --no-knees: all but them.
 - rep count exact, lead legs as the truth, each injected fault flagged (warn or
   fail) by its check on its rep;
 - --clean depth,heel_lift: on reps with no injected fault those checks pass
   (no false "go deeper" or heel-lift warning on a good rep);
 - side view: the REPORT's knee flexion at each rep's bottom (measures.knee_flexion_deg,
   the leg nearer the camera) within 10 deg of the truth file's.
--keypoints K.jsonl (the pose series analyze wrote with --keypoints-out) only adds
the plain 2D image angle of the near leg at the truth's bottom frame to the printout,
for comparison. Prints one line per rep for the knees, one per problem, exits 1 if
there is any problem. Python stdlib only."""
import json
import math
import sys

# Truth fault name -> report check ids that must flag it (warn or fail).
FAULT_CHECKS = {
    "shallow": ["depth"], "partial": ["depth"], "valgus": ["knee_valgus"], "heel_lift": ["heel_lift"],
    "forward_lean": ["trunk_lean", "torso_upright"], "knees_past_toes": ["knee_over_toes"],
    "hip_shift": ["hip_shift"],
}
KNEE_TOL_DEG = 10.0


def knee_flexion_2d(frame, side):
    lm, w, h = frame["landmarks"], frame["w"], frame["h"]
    if lm is None:
        return None
    o = 0 if side == "left" else 1
    hip, knee, ank = ([lm[i][0] * w, lm[i][1] * h] for i in (23 + o, 25 + o, 27 + o))
    u = (hip[0] - knee[0], hip[1] - knee[1])
    v = (ank[0] - knee[0], ank[1] - knee[1])
    c = (u[0] * v[0] + u[1] * v[1]) / (math.hypot(*u) * math.hypot(*v))
    return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, c))))


def check_knees(rep, truth, frames, errors):
    cam = truth["scenario"]["camera"]["azimuth_deg"]
    if abs(abs(cam) - 90) >= 20:
        print("not a side view: knee angles not compared")
        return
    near = "left" if cam > 0 else "right"   # azimuth 90 = camera at the person's left
    # A mirrored clip shows the near leg where the other one would be, and the
    # pose model names the legs by the picture: the report's label is the other.
    mirrored = truth["scenario"]["camera"].get("mirror")
    near_i = (0 if near == "left" else 1) ^ (1 if mirrored else 0)
    for t, r in zip(truth["reps"], rep["reps"]):
        i = t["index"]
        want = t["bottom"][f"knee_flexion_{near}_deg"]
        got = r["measures"]["knee_flexion_deg"][near_i]
        f = frames.get(t["bottom_frame"])
        img = knee_flexion_2d(f, ("left", "right")[near_i]) if f else None
        err = None if got is None else got - want
        print(f"rep {i}: {near} knee flexion at the bottom: truth {want:.1f}, report {got}"
              + (f" (error {err:+.1f})" if err is not None else "")
              + (f", 2D image angle {img:.1f}" if img is not None else ""))
        if got is None or abs(err) > KNEE_TOL_DEG:
            errors.append(f"rep {i}: {near} knee flexion at the bottom {got}, truth {want:.1f} (tolerance {KNEE_TOL_DEG})")


def check_reps(rep, truth, clean, errors):
    tr, rr = truth["reps"], rep["reps"]
    if len(rr) != len(tr):
        errors.append(f"{len(rr)} reps found, truth has {len(tr)}")
    for t, r in zip(tr, rr):
        i = t["index"]
        if t.get("lead") and r.get("lead_leg") != t["lead"]:
            errors.append(f"rep {i}: lead leg {r.get('lead_leg')}, truth {t['lead']}")
        status = {c["id"]: c["status"] for c in r["checks"]}
        for f in t["faults"]:
            ids = [c for c in FAULT_CHECKS.get(f, []) if c in status]
            if not any(status[c] in ("warn", "fail") for c in ids):
                errors.append(f"rep {i}: fault '{f}' not flagged ({', '.join(f'{c}={status.get(c)}' for c in ids)})")
        if not t["faults"]:
            for c in clean:
                if status.get(c) in ("warn", "fail"):
                    cue = next((x["cue"] for x in r["checks"] if x["id"] == c), "")
                    errors.append(f"rep {i} (no fault injected): {c} is {status.get(c)}: {cue}")


def main(argv):
    what, kp_path, clean, args = "all", None, [], []
    it = iter(argv)
    for a in it:
        if a == "--knees":
            what = "knees"
        elif a == "--no-knees":
            what = "no-knees"
        elif a == "--keypoints":
            kp_path = next(it)
        elif a == "--clean":
            clean = [c for c in next(it).split(",") if c]
        else:
            args.append(a)
    report_path, truth_path = args
    rep = json.load(open(report_path))
    truth = json.load(open(truth_path))
    frames = {}
    if kp_path:
        for line in open(kp_path):
            if line.strip():
                f = json.loads(line)
                frames[f["frame"]] = f
    errors = []
    if what != "knees":
        check_reps(rep, truth, clean, errors)
    if what != "no-knees":
        check_knees(rep, truth, frames, errors)
    for e in errors:
        print(f"{report_path}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""check_report.py [--knees K.jsonl|--no-knees] REPORT.json TRUTH.json - compare a formcheck report with the
synthetic athlete's truth file: rep count, lead legs, injected faults found,
and (side view) the near leg's knee flexion at the bottom within 10 degrees.
--knees K.jsonl: only the knee angles, measured on the pose series analyze
wrote (--keypoints-out: the 2D image angle hip-knee-ankle of the near leg at
the truth's bottom frame, which is what the camera sees in a side view), with
the report's own value (from the world landmarks) printed beside it for
information; --no-knees: all but the knee angles. Prints one line per problem and exits 1 if there is any. Python stdlib only."""
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


def main(report_path, truth_path, what, kp_path=None):
    rep = json.load(open(report_path))
    truth = json.load(open(truth_path))
    errors = []
    tr, rr = truth["reps"], rep["reps"]
    if len(rr) != len(tr) and what != "knees":
        errors.append(f"{len(rr)} reps found, truth has {len(tr)}")
    cam = truth["scenario"]["camera"]["azimuth_deg"]
    side_view = abs(abs(cam) - 90) < 20
    near = "left" if cam > 0 else "right"   # azimuth 90 = camera at the person's left
    near_i = 0 if near == "left" else 1
    frames = {}
    if kp_path:
        for line in open(kp_path):
            if line.strip():
                f = json.loads(line)
                frames[f["frame"]] = f
    for t, r in zip(tr, rr) if what != "knees" else zip(tr, rr + [None] * len(tr)):
        i = t["index"]
        if what == "knees":
            if not side_view:
                continue
            want = t["bottom"][f"knee_flexion_{near}_deg"]
            f = frames.get(t["bottom_frame"])
            got = knee_flexion_2d(f, near) if f else None
            in_report = r["measures"]["knee_flexion_deg"][near_i] if r else None
            print(f"rep {i}: {near} knee flexion at the bottom: truth {want:.1f}, pose series {got if got is None else round(got, 1)}, "
                  f"report (world landmarks) {in_report}")
            if got is None or abs(got - want) > KNEE_TOL_DEG:
                errors.append(f"rep {i}: {near} knee flexion at the bottom {got}, truth {want:.1f} (tolerance {KNEE_TOL_DEG})")
            continue
        if t.get("lead") and r.get("lead_leg") != t["lead"]:
            errors.append(f"rep {i}: lead leg {r.get('lead_leg')}, truth {t['lead']}")
        status = {c["id"]: c["status"] for c in r["checks"]}
        for f in ([] if what == "knees" else t["faults"]):
            ids = [c for c in FAULT_CHECKS.get(f, []) if c in status]
            if not any(status[c] in ("warn", "fail") for c in ids):
                errors.append(f"rep {i}: fault '{f}' not flagged ({', '.join(f'{c}={status.get(c)}' for c in ids)})")
    for e in errors:
        print(f"{report_path}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    kp = None
    if "--knees" in argv:
        kp = argv[argv.index("--knees") + 1]
        argv.remove(kp)
    args = [a for a in argv if not a.startswith("--")]
    mode = "knees" if kp else "no-knees"
    sys.exit(main(args[0], args[1], mode, kp))

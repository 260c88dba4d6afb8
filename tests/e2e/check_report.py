#!/usr/bin/env python3
"""check_report.py [--knees|--no-knees] REPORT.json TRUTH.json - compare a formcheck report with the
synthetic athlete's truth file: rep count, lead legs, injected faults found,
and (side view) the near leg's knee flexion at the bottom within 10 degrees.
--knees: only the knee angles; --no-knees: all but them. Prints one line per problem and exits 1 if there is any. Python stdlib only."""
import json
import sys

# Truth fault name -> report check ids that must flag it (warn or fail).
FAULT_CHECKS = {
    "shallow": ["depth"], "partial": ["depth"], "valgus": ["knee_valgus"], "heel_lift": ["heel_lift"],
    "forward_lean": ["trunk_lean", "torso_upright"], "knees_past_toes": ["knee_over_toes"],
    "hip_shift": ["hip_shift"],
}
KNEE_TOL_DEG = 10.0


def main(report_path, truth_path, what):
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
    for t, r in zip(tr, rr):
        i = t["index"]
        if what == "knees":
            pass
        elif t.get("lead") and r.get("lead_leg") != t["lead"]:
            errors.append(f"rep {i}: lead leg {r.get('lead_leg')}, truth {t['lead']}")
        status = {c["id"]: c["status"] for c in r["checks"]}
        for f in ([] if what == "knees" else t["faults"]):
            ids = [c for c in FAULT_CHECKS.get(f, []) if c in status]
            if not any(status[c] in ("warn", "fail") for c in ids):
                errors.append(f"rep {i}: fault '{f}' not flagged ({', '.join(f'{c}={status.get(c)}' for c in ids)})")
        if side_view and what != "no-knees":
            want = t["bottom"][f"knee_flexion_{near}_deg"]
            got = r["measures"]["knee_flexion_deg"][near_i]
            if got is None or abs(got - want) > KNEE_TOL_DEG:
                errors.append(f"rep {i}: {near} knee flexion at the bottom {got}, truth {want:.1f} (tolerance {KNEE_TOL_DEG})")
    for e in errors:
        print(f"{report_path}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    mode = "knees" if "--knees" in sys.argv else "no-knees" if "--no-knees" in sys.argv else "all"
    sys.exit(main(args[0], args[1], mode))

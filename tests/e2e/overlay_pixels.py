#!/usr/bin/env python3
"""overlay_pixels.py FRAME.rgb W H [--reps] [--anywhere] - check that a raw RGB24
frame carries formcheck's overlay (formcheck/overlay.h): the skeleton's left
(orange) and right (blue) bones, the darkened text panel in the top-left corner
with white text, the knee-bend gauge at the right edge, and with --reps a
coloured verdict line in the panel (not with --anywhere). --anywhere: the frame is somewhere inside
a screenshot (a window), so look for everything over the whole image. Prints what it counted; exit 1 if missing."""
import sys


def near(p, c, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(p, c))


def main():
    path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    want_reps = "--reps" in sys.argv
    anywhere = "--anywhere" in sys.argv
    data = open(path, "rb").read()
    if len(data) < w * h * 3:
        print(f"{path}: {len(data)} bytes, expected {w * h * 3}")
        return 1
    px = lambda x, y: tuple(data[3 * (y * w + x):3 * (y * w + x) + 3])
    orange = blue = verdict = white_panel = dark_panel = gauge = 0
    for y in range(h):
        for x in range(w):
            p = px(x, y)
            if near(p, (255, 150, 40), 35):
                orange += 1
            if near(p, (60, 160, 255), 35):
                blue += 1
            if anywhere or (y < h // 5 and x < w // 2):
                r, g, b = p  # amber/red or green text (video compression blurs thin text's colour)
                if (r > 180 and r - b > 100) or (g > 180 and g - r > 60 and g - b > 60):
                    verdict += 1
                if min(p) > (245 if anywhere else 225):
                    white_panel += 1
                if max(p) < 70:
                    dark_panel += 1
            if (anywhere or (x > w - w // 10 and h // 4 < y < 3 * h // 4)) and near(p, (30, 30, 30), 12):
                gauge += 1
    print(f"orange {orange} blue {blue} panel_white {white_panel} panel_dark {dark_panel} verdict {verdict} gauge {gauge}")
    if anywhere:
        # A screenshot holds other things (the toolbar, the desktop), and the clip
        # itself has dark areas and an orange shirt: rely on what the clip lacks
        # (the skeleton's right-side blue, pure white text).
        ok = blue > 30 and white_panel > 60
    else:
        ok = orange > 30 and blue > 30 and white_panel > 20 and dark_panel > 500 and gauge > 100
    if want_reps and not anywhere:
        ok = ok and verdict > 20
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""png_colors.py IMAGE.png [x0 y0 x1 y1] - count pixels near named colours in an
8-bit RGB/RGBA non-interlaced PNG (what headless Chromium writes), inside an
optional box. Prints "name count" lines. Python stdlib only."""
import struct
import sys
import zlib

COLOURS = {
    "depth": (0x1f, 0x5f, 0xbf),
    "knee_left": (0xe0, 0x7b, 0x00),
    "knee_right": (0x2a, 0x9d, 0x4a),
    "rep_shade": (0xe3, 0xe8, 0xf0),
    "fault_fail": (0xd6, 0x28, 0x28),
    "fault_warn": (0xf2, 0xa9, 0x00),
    "cell_fail": (0xfd, 0xe2, 0xe1),
    "cell_pass": (0xe6, 0xf4, 0xea),
}


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unsupported PNG (need 8-bit RGB/RGBA, not interlaced)")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main(argv):
    w, h, bpp, rows = read_png(argv[1])
    x0, y0, x1, y1 = (int(v) for v in argv[2:6]) if len(argv) >= 6 else (0, 0, w, h)
    counts = dict.fromkeys(COLOURS, 0)
    for y in range(max(0, y0), min(h, y1)):
        row = rows[y]
        for x in range(max(0, x0), min(w, x1)):
            px = row[x * bpp:x * bpp + 3]
            for name, c in COLOURS.items():
                if abs(px[0] - c[0]) <= 8 and abs(px[1] - c[1]) <= 8 and abs(px[2] - c[2]) <= 8:
                    counts[name] += 1
    for name, n in counts.items():
        print(name, n)


if __name__ == "__main__":
    main(sys.argv)

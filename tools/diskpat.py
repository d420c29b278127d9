#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check (or write) the disk tests' pattern in a raw image file on the host.

usage: tools/diskpat.py IMAGE SECTOR:COUNT:SEED [--offset BYTES] [--write]

The pattern is tests/guests/disk_pattern.h's: COUNT sectors numbered SECTOR.. as the
writer addressed them, derived from SEED. They are looked for at byte OFFSET of IMAGE
(default SECTOR * 512; give it when the writer saw a slice of the disk). Exit 0 and
"diskpat: ... match" when every byte is there, 1 and the first bad sector otherwise,
2 on bad usage. --write puts the pattern there instead (to prepare an image).
"""
import argparse
import struct
import sys

SECTOR = 512
WORDS = 128
M32 = 0xFFFFFFFF


def word(sector, seed, k):
    if k == 0:
        return sector & M32
    if k == 1:
        return seed & M32
    x = ((sector & M32) * 0x9E3779B1 ^ (sector >> 32) * 0x85EBCA77 ^
         seed * 0xC2B2AE3D ^ k * 0x27D4EB2F) & M32
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & M32
    x ^= x >> 12
    x = (x * 0x297A2D39) & M32
    x ^= x >> 15
    return x


def sector_bytes(sector, seed):
    return struct.pack("<%dI" % WORDS, *(word(sector, seed, k) for k in range(WORDS)))


def spec(text):
    parts = text.split(":")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError("want SECTOR:COUNT:SEED, not %r" % text)
    try:
        vals = [int(p, 0) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError("want numbers in %r" % text) from None
    if vals[0] < 0 or vals[1] < 1 or not 0 <= vals[2] <= M32:
        raise argparse.ArgumentTypeError("out of range: %r" % text)
    return vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image")
    ap.add_argument("spec", type=spec, metavar="SECTOR:COUNT:SEED")
    ap.add_argument("--offset", type=lambda s: int(s, 0), default=None)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    first, count, seed = a.spec
    offset = first * SECTOR if a.offset is None else a.offset
    what = "%d sectors from %d (seed %d) at byte %d of %s" % (count, first, seed, offset, a.image)
    with open(a.image, "r+b" if a.write else "rb") as f:
        f.seek(offset)
        if a.write:
            for s in range(count):
                f.write(sector_bytes(first + s, seed))
            print("diskpat: wrote " + what)
            return 0
        for s in range(count):
            got = f.read(SECTOR)
            want = sector_bytes(first + s, seed)
            if got != want:
                bad = next((i for i in range(len(got)) if got[i] != want[i]), len(got))
                print("diskpat: MISMATCH %s: sector %d (byte %d) differs at byte %d: got %s, want %s"
                      % (what, first + s, offset + s * SECTOR, bad,
                         got[bad:bad + 8].hex() or "EOF", want[bad:bad + 8].hex()))
                return 1
    print("diskpat: match " + what)
    return 0


if __name__ == "__main__":
    sys.exit(main())

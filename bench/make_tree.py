#!/usr/bin/python3
"""Writes a synthetic application tree of about SIZE_MB megabytes into DIR.

Four fifths of the bytes are many small files (16 KiB of text-like data each, in
directories of 500), one fifth is four large files (half random, half repetitive),
as an application's libraries, resources and data would be. Deterministic: the same
size gives the same tree.
usage: make_tree.py SIZE_MB DIR
"""
import os
import random
import sys


def main():
    size_mb, root = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(size_mb)
    total = size_mb * 1_000_000
    small_bytes, large_bytes = total * 4 // 5, total // 5
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(2000)]
    n_small = max(1, small_bytes // 16384)
    for i in range(n_small):
        d = os.path.join(root, "share", f"d{i // 500:04d}")
        os.makedirs(d, exist_ok=True)
        data = b" ".join(rng.choice(words) for _ in range(3000))[:16384]
        with open(os.path.join(d, f"f{i:06d}.txt"), "wb") as f:
            f.write(data)
    os.makedirs(os.path.join(root, "lib"), exist_ok=True)
    for i in range(4):
        part = large_bytes // 4
        with open(os.path.join(root, "lib", f"large{i}.bin"), "wb") as f:
            f.write(rng.randbytes(part // 2))
            f.write((b"appv" * (part // 8 + 1))[: part - part // 2])


if __name__ == "__main__":
    main()

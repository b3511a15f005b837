#!/usr/bin/python3
"""Turns hyperfine JSON exports into markdown tables of medians and ratios.

usage: table.py TITLE BASELINE_NAME JSON [JSON...]
Each JSON holds the commands of one workload, run side by side in one hyperfine
process (so their ratios are measured under the same load). Ratios are medians
divided by the baseline's median.
"""
import json
import sys


def main():
    title, baseline = sys.argv[1], sys.argv[2]
    rows = []
    for path in sys.argv[3:]:
        with open(path) as f:
            for r in json.load(f)["results"]:
                rows.append((r.get("command"), r["median"], r["times"]))
    base = next((m for name, m, _ in rows if name == baseline), None)
    print(f"### {title}\n")
    print("| command | median | min | max | ratio to " + baseline + " |")
    print("|---|---:|---:|---:|---:|")
    for name, median, times in rows:
        ratio = f"{median / base:.2f}x" if base else "-"
        print(f"| {name} | {fmt(median)} | {fmt(min(times))} | {fmt(max(times))} | {ratio} |")
    print()


def fmt(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The stretches where one thread of ours kept a CPU for longer than a threshold, with the
stacks it was in: how the bets benchmark's 30-70 ms stalls were found (a dictionary doubling
on the sequencer, a timer heap growing on the edge's loop).

Record the whole machine while the benchmark runs, then read the samples:

    perf record -a -e cpu-clock -F 1000 -g -o /tmp/perf.data -- sleep 20 &
    TIMELINE=1 scripts/bench-bets.sh
    perf script -i /tmp/perf.data -F comm,tid,cpu,time,ip,sym > /tmp/perf.txt
    python3 scripts/bench/long-runs.py /tmp/perf.txt 8

Arguments: the `perf script` dump, the threshold in milliseconds (default 8) and a regular
expression for the thread names to report (default: the origin's and the edges' threads).
A stretch is consecutive samples of one thread on one CPU with no gap over 1.2 sample
periods; samples are taken at the -F rate, so a stretch is as long as its samples show.
Note that perf writes its data to disk, which slows the origin's fsync: a run recorded this
way is not a run to quote.
"""
import re
import sys
from collections import Counter

SAMPLE = re.compile(r"\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):")


def samples(path):
    current = None
    with open(path, errors="replace") as dump:
        for line in dump:
            if not line.strip():
                if current:
                    yield current
                current = None
            elif not line[0].isspace():
                match = SAMPLE.match(line)
                if match:
                    current = {"comm": match.group(1), "tid": match.group(2),
                               "cpu": int(match.group(3)), "t": float(match.group(4)),
                               "stack": []}
            elif current is not None:
                parts = line.split(None, 1)
                current["stack"].append(parts[1].strip() if len(parts) > 1 else "")
    if current:
        yield current


def main():
    path = sys.argv[1]
    threshold = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.008
    names = re.compile(sys.argv[3] if len(sys.argv) > 3
                       else r"sequencer|http-|bets|upstream|flusher|applier|admin")
    by_cpu = {}
    for sample in samples(path):
        by_cpu.setdefault(sample["cpu"], []).append(sample)
    for cpu, taken in sorted(by_cpu.items()):
        taken.sort(key=lambda sample: sample["t"])
        gaps = [b["t"] - a["t"] for a, b in zip(taken, taken[1:])]
        period = sorted(gaps)[len(gaps) // 2] if gaps else 0.001
        start = 0
        while start < len(taken):
            end = start
            while (end + 1 < len(taken) and taken[end + 1]["tid"] == taken[start]["tid"]
                   and taken[end + 1]["t"] - taken[end]["t"] < period * 1.2):
                end += 1
            first, last = taken[start], taken[end]
            length = last["t"] - first["t"] + period
            if length > threshold and names.search(first["comm"]):
                stacks = Counter(" < ".join(s["stack"][:8]) for s in taken[start:end + 1])
                print(f"cpu{cpu} {first['comm']} {first['tid']} at {first['t']:.4f}: "
                      f"{length * 1000:.1f} ms, {end - start + 1} samples")
                for stack, count in stacks.most_common(3):
                    print(f"    {count:4d}  {stack[:400]}")
            start = end + 1


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Summarise one h2load run for scripts/bench-transport.sh.

Usage: h2load_summary.py H2LOAD_OUTPUT LOG_FILE

Prints one tab-separated line:
    req_per_s  p50_ms  p99_ms  succeeded  failed  errored  timeout  non_2xx

req/s, the request counts and the status classes come from h2load's summary.
h2load reports only min/max/mean for request time, so the percentiles come
from its --log-file, whose rows are: start (us since epoch), status, duration
(us). Only rows with a 2xx status count toward latency; failed streams are
logged with status -1. A field that cannot be read is printed as "-".
"""

import math
import re
import sys


def read_summary(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    summary = {}

    finished = re.search(r"finished in [0-9.]+\w*, ([0-9.]+) req/s", text)
    if finished:
        summary["rps"] = float(finished.group(1))

    requests = re.search(
        r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
        r"(\d+) failed, (\d+) errored, (\d+) timeout",
        text,
    )
    if requests:
        for key, group in (("succeeded", 4), ("failed", 5), ("errored", 6), ("timeout", 7)):
            summary[key] = int(requests.group(group))

    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    if codes:
        summary["non_2xx"] = sum(int(codes.group(i)) for i in (2, 3, 4))

    return summary


def read_durations_us(path):
    durations = []
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            for row in log:
                fields = row.split("\t")
                if len(fields) < 3:
                    continue
                status = int(fields[1])
                if 200 <= status < 300:
                    durations.append(int(fields[2]))
    except FileNotFoundError:
        pass
    durations.sort()
    return durations


def percentile(sorted_values, fraction):
    """Nearest-rank percentile: the smallest value with at least `fraction` at or below it."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    summary = read_summary(sys.argv[1])
    durations = read_durations_us(sys.argv[2])

    fields = []
    rps = summary.get("rps")
    fields.append(f"{rps:.0f}" if rps is not None else "-")
    for fraction in (0.50, 0.99):
        if durations:
            fields.append(f"{percentile(durations, fraction) / 1000:.3f}")
        else:
            fields.append("-")
    for key in ("succeeded", "failed", "errored", "timeout", "non_2xx"):
        fields.append(str(summary[key]) if key in summary else "-")
    print("\t".join(fields))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Latency of fdatasync after a small commit-like write, when the write grows the file and
when it overwrites blocks the file already has.

Growing a file changes its size, so fdatasync must commit the file system's journal as well
as flush the data. This is why the store keeps written zeros beyond LMDB's last page
(Sources/Store/DataFileRunway.swift).

Usage: scripts/bench/growing-flush.py [commits]   (default 400 commits of 4 pages each).
Writes a temporary file next to this repository's build folder and removes it.
"""
import os
import sys
import tempfile
import time

PAGE = 4096
PAGES_PER_COMMIT = 4


def measure(grow: bool, commits: int) -> list:
    """Microseconds per write-and-flush, sorted."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    fd, path = tempfile.mkstemp(prefix="growing-flush-", dir=folder)
    try:
        if not grow:
            os.pwrite(fd, b"\0" * (PAGE * PAGES_PER_COMMIT * commits), 0)
            os.fsync(fd)
        page = os.urandom(PAGE)
        offset = 0
        times = []
        for _ in range(commits):
            started = time.perf_counter()
            for _ in range(PAGES_PER_COMMIT):
                os.pwrite(fd, page, offset)
                offset += PAGE
            os.fdatasync(fd)
            times.append((time.perf_counter() - started) * 1e6)
        return sorted(times)
    finally:
        os.close(fd)
        os.unlink(path)


def main() -> None:
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    print(f"{commits} commits of {PAGES_PER_COMMIT} pages, each flushed with fdatasync")
    print("  file        p50 us   p90 us   p99 us   max us")
    for round_ in range(2):
        for grow in (True, False):
            t = measure(grow, commits)
            name = "grows" if grow else "overwritten"
            print(f"  {name:<11}{t[len(t) // 2]:7.0f}  {t[len(t) * 9 // 10]:7.0f}  "
                  f"{t[len(t) * 99 // 100]:7.0f}  {t[-1]:7.0f}")


if __name__ == "__main__":
    main()

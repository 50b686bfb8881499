#!/usr/bin/env python3
"""What touching a page of new memory costs on this machine, the first time and again.

On this VM the balloon device reports freed pages to the host, which takes them back, so a
page the guest has not used lately faults in through the host: about 10 us a page against
2 us for one freed a moment ago (2026-12-04). That is why a dictionary or an array that
doubles under load stalls its thread for milliseconds per megabyte (see
docs/architecture.md, the bets' known gaps, and `ShardedDictionary`).

Usage: scripts/bench/fresh-memory.py [MiB]   (default 1024). Prints microseconds per page
for two passes over newly mapped memory; the second reuses what the first freed.
"""
import mmap
import sys
import time

PAGE = mmap.PAGESIZE


def touch(mib: int) -> float:
    size = mib << 20
    memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    started = time.perf_counter()
    for offset in range(0, size, PAGE):
        memory[offset] = 1
    elapsed = time.perf_counter() - started
    memory.close()
    return elapsed * 1e6 / (size // PAGE)


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    print(f"{mib} MiB of new anonymous memory, one write per {PAGE}-byte page")
    print(f"  first pass   {touch(mib):6.2f} us a page")
    print(f"  second pass  {touch(mib):6.2f} us a page (memory the first pass freed)")


if __name__ == "__main__":
    main()

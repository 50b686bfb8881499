#!/usr/bin/env python3
"""The kernel's CPU per 4 KiB page written at random and flushed, as an LMDB commit does it,
for a file read back from disk through a mapping with and without readahead.

Readahead (the default) caches a file read through a mapping in large folios; a commit that
then dirties one page of a folio costs the kernel about twice as much to write and flush.
This is why the store opens LMDB with MDB_NORDAHEAD (Sources/Store/StoreEnvironment.swift).

Usage: scripts/bench/page-writes.py [MiB] [commits]   (defaults: 100 MiB, 300 commits of 100
pages). Writes a temporary file in /tmp and removes it.
"""
import mmap
import os
import random
import sys
import tempfile
import time

PAGE = 4096
PAGES_PER_COMMIT = 100


def measure(readahead: bool, size: int, commits: int) -> float:
    """CPU microseconds per page written and flushed."""
    fd, path = tempfile.mkstemp(prefix="page-writes-", dir="/tmp")
    try:
        os.pwrite(fd, b"x" * size, 0)
        os.fdatasync(fd)
        # Out of the page cache, as after a restart: the pages come back through the map.
        os.posix_fadvise(fd, 0, size, os.POSIX_FADV_DONTNEED)
        with mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ) as mapping:
            if not readahead:
                mapping.madvise(mmap.MADV_RANDOM)
            total = 0
            for offset in range(0, size, PAGE):
                total += mapping[offset]
            page = os.urandom(PAGE)
            pages = size // PAGE
            rng = random.Random(1)
            started = time.process_time()
            for _ in range(commits):
                for _ in range(PAGES_PER_COMMIT):
                    os.pwrite(fd, page, rng.randrange(pages) * PAGE)
                os.fdatasync(fd)
            used = time.process_time() - started
        return used / (commits * PAGES_PER_COMMIT) * 1e6
    finally:
        os.close(fd)
        os.unlink(path)


def main() -> None:
    size = int(sys.argv[1] if len(sys.argv) > 1 else 100) << 20
    commits = int(sys.argv[2] if len(sys.argv) > 2 else 300)
    print(f"{commits} commits of {PAGES_PER_COMMIT} random pages, fdatasync each, "
          f"{size >> 20} MiB file read back from disk through a mapping")
    for readahead in (True, False, True, False):
        label = "readahead (default)" if readahead else "MADV_RANDOM (MDB_NORDAHEAD)"
        print(f"  {label:28s} {measure(readahead, size, commits):6.1f} us CPU per page")


if __name__ == "__main__":
    main()

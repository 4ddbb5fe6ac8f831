"""Builds, sorts and frees the python3 workload's records, ROUNDS times.

Run under each allocator with PYTHONMALLOC=malloc (so Python's objects reach
it), for example:

    PYTHONMALLOC=malloc /usr/bin/python3 python_records.py 20
    PYTHONMALLOC=malloc LD_PRELOAD=build/lib/libbinmalloc.so /usr/bin/python3 python_records.py 20

Prints the milliseconds spent building the records and freeing them (summed
over the rounds), and, for the last round, the share of consecutive records
whose dicts lie within 1 KiB of each other: how closely the allocator placed
objects allocated one after another (Python's garbage collector walks them in
that order).
"""
import os
import sys
import time

# The records are the python3 workload's own (its input script).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "workloads",
                                "realistic", "inputs"))
from python_workload import records  # noqa: E402


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
    build_s = free_s = 0.0
    near = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        rows = records(scale)
        t1 = time.perf_counter()
        ids = [id(r) for r in rows]
        near = sum(1 for a, b in zip(ids, ids[1:]) if abs(b - a) < 1024) / (len(ids) - 1)
        rows.sort(key=lambda r: (r["score"], r["name"]))
        t2 = time.perf_counter()
        del rows
        t3 = time.perf_counter()
        build_s += t1 - t0
        free_s += t3 - t2
    print(f"build_ms={build_s * 1000:.0f} free_ms={free_s * 1000:.0f} dicts_within_1KiB={near:.2f}")


if __name__ == "__main__":
    main()

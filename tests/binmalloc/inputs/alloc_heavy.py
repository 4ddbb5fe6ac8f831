"""Allocation-heavy workload for the binmalloc real-program test.

Run with PYTHONMALLOC=malloc so every Python object goes through malloc.
The output is deterministic: the test compares it between glibc and
binmalloc.  When BMTEST_EXPECT_BINMALLOC=1 it also checks (on stderr only)
that binmalloc is the allocator in use.
"""
import hashlib
import json
import os
import random
import sys


def digest(obj):
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def dicts_and_lists(rng):
    table = {}
    for i in range(60000):
        key = "k%06d-%s" % (i, "x" * (i % 37))
        table[key] = [i, i * i, str(i) * (1 + i % 5), {"n": i % 97}]
    for i in range(0, 60000, 3):
        del table["k%06d-%s" % (i, "x" * (i % 37))]
    total = sum(v[0] for v in table.values())
    nested = [[j for j in range(i % 50)] for i in range(20000)]
    flat = [x for row in nested for x in row]
    return len(table), total, len(flat), sum(flat)


def strings(rng):
    parts = []
    for i in range(40000):
        s = "".join(chr(97 + (i * 7 + j) % 26) for j in range(i % 64))
        parts.append(s.upper() if i % 3 == 0 else s)
    joined = "|".join(parts)
    pieces = joined.split("|")
    replaced = joined.replace("ABC", "<abc>").replace("xyz", "")
    words = {}
    for p in pieces:
        words[p[:3]] = words.get(p[:3], 0) + 1
    return len(joined), len(pieces), len(replaced), sorted(words.items())[:5]


def json_round_trips(rng):
    doc = {
        "items": [
            {"id": i, "name": "item-%d" % i, "tags": ["t%d" % (i % 13), "u%d" % (i % 7)],
             "value": i * 3.25, "nested": {"a": [i] * (i % 9), "b": None, "c": i % 2 == 0}}
            for i in range(15000)
        ]
    }
    for _ in range(3):
        text = json.dumps(doc, sort_keys=True)
        doc = json.loads(text)
    pretty = json.dumps(doc["items"][:50], indent=2, sort_keys=True)
    return len(text), hashlib.sha256(text.encode()).hexdigest()[:16], len(pretty)


def sorting(rng):
    data = [rng.randrange(1 << 30) for _ in range(200000)]
    data.sort()
    records = [(rng.randrange(1000), "r%d" % rng.randrange(100000), i) for i in range(100000)]
    records.sort(key=lambda r: (r[0], r[1]))
    strs = sorted(str(x) for x in data[:50000])
    return data[0], data[-1], data[100000], records[0], records[-1], strs[:3]


def churn(rng):
    live = []
    checksum = 0
    for i in range(300000):
        op = rng.randrange(10)
        if op < 6 or not live:
            live.append(bytearray(rng.randrange(1, 3000)))
        else:
            b = live.pop(rng.randrange(len(live)))
            checksum = (checksum + len(b)) % 1000003
        if len(live) > 5000:
            live = live[2500:]
    big = [bytes(200000 + i * 1000) for i in range(40)]
    return checksum, len(live), sum(len(b) for b in big)


def threaded(rng):
    """Worker threads build and tear down structures concurrently (each
    thread allocates from its own arena); results are collected in order."""
    from concurrent.futures import ThreadPoolExecutor

    def task(seed):
        local = random.Random(seed)
        d = {}
        for i in range(6000):
            d["%d-%d" % (seed, i)] = [local.random() for _ in range(i % 11)]
        s = json.dumps(d, sort_keys=True)
        back = json.loads(s)
        keys = sorted(back, key=lambda k: (len(back[k]), k))
        return seed, len(s), keys[:2], keys[-1]

    seeds = [rng.randrange(1 << 20) for _ in range(16)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(task, seeds))


def main():
    rng = random.Random(20240601)
    for name, fn in [("dicts_and_lists", dicts_and_lists), ("strings", strings),
                     ("json", json_round_trips), ("sorting", sorting), ("churn", churn),
                     ("threaded", threaded)]:
        result = fn(rng)
        print(name, digest(result), result if len(repr(result)) < 300 else "")
    if os.environ.get("BMTEST_EXPECT_BINMALLOC") == "1":
        import ctypes
        libc = ctypes.CDLL(None)
        try:
            check = libc.binmalloc_check_heap
        except AttributeError:
            print("FAIL: binmalloc_check_heap not found: binmalloc is not interposed",
                  file=sys.stderr)
            sys.exit(1)
        check.restype = ctypes.c_int
        rc = check()
        if rc != 0:
            print("FAIL: binmalloc_check_heap() returned %d" % rc, file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()

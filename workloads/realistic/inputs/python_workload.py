"""A small allocation-heavy Python program for allocscope's python3 workload.

Builds and discards many small objects the way ordinary Python code does:
dicts of records, string formatting and splitting, list sorting, JSON round
trips, a dictionary-based word count and short-lived tuples. Run with
PYTHONMALLOC=malloc so the small objects reach the allocator under test.
Usage: python_workload.py SCALE
"""
import json
import sys


def records(n):
    return [{"id": i, "name": "item-%d" % i, "tags": ["t%d" % (i % 7), "g%d" % (i % 13)],
             "score": (i * 7919) % 1000 / 10.0} for i in range(n)]


def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    checksum = 0
    for rnd in range(3):
        rows = records(scale)
        rows.sort(key=lambda r: (r["score"], r["name"]))
        text = json.dumps(rows[: scale // 4])
        back = json.loads(text)
        checksum += len(back) + len(text)
        counts = {}
        for r in rows:
            for word in (r["name"] + " " + " ".join(r["tags"])).split():
                counts[word] = counts.get(word, 0) + 1
        checksum += len(counts)
        pairs = sorted(((v, k) for k, v in counts.items()), reverse=True)[:100]
        checksum += sum(v for v, _ in pairs)
        del rows, back, counts
    print(checksum)


if __name__ == "__main__":
    main()

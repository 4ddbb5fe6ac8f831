#!/usr/bin/env bash
# scripts/ratio-table on a made-up results file: the ratios, the geometric
# means, --rows and its errors.
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/results.json" <<'PY'
import json, sys
runs = []
def run(w, a, ops, rss, t=1):
    runs.append({"workload": w, "allocator": a, "threads": t, "status": "ok", "params": {},
                 "metrics": {"ops_per_s": ops, "peak_rss_bytes": rss}})
for ops in (100, 90):            # best 100
    run("alpha", "glibc", ops, 1000)
    run("beta", "glibc", ops, 1000)
for ops in (200, 150):           # alpha: 2x glibc's speed, the same memory
    run("alpha", "mine", ops, 1000)
for ops in (50, 40):             # beta: half the speed, 4x the memory
    run("beta", "mine", ops, 4000)
json.dump({"runs": runs}, open(sys.argv[1], "w"))
PY
out=$("$src/scripts/ratio-table" "$tmp/results.json")
echo "$out"
grep -qF '| alpha t=1 | 2.00 | 1.00 |' <<<"$out"
grep -qF '| beta t=1 | 0.50 | 4.00 |' <<<"$out"
# sqrt(2 * 0.5) = 1 for speed, sqrt(1 * 4) = 2 for memory
grep -qF '| **geometric mean** (2 rows) | 1.00 | 2.00 |' <<<"$out"
grep -qF 'geometric means 1.00 speed and 2.00 peak RSS' <<<"$out"
out=$("$src/scripts/ratio-table" "$tmp/results.json" --rows '^alpha')
grep -qF '| **geometric mean** (1 rows) | 2.00 | 1.00 |' <<<"$out"
! grep -q beta <<<"$out"
if "$src/scripts/ratio-table" "$tmp/results.json" --rows 'nothing' 2>"$tmp/err"; then exit 1; fi
grep -q "no rows match" "$tmp/err"
if "$src/scripts/ratio-table" "$tmp/results.json" --rows '(' 2>"$tmp/err"; then exit 1; fi
grep -q -- "--rows:" "$tmp/err"

# --envelope: the fastest of the named allocators on each row, and the
# fastest within 1.1x glibc's peak RSS or 1 MiB of it (glibc among the
# choices). alpha: a2 is 4x glibc's speed at 2x its memory, a1 2x at the
# same; beta: both slower than glibc, a2 within 1.1x; gamma: a1 is 1.5x at
# +1.5 MiB (1.75x), a2 1.2x at +0.8 MiB (1.4x, within 1 MiB).
python3 - "$tmp/envelope.json" <<'PY'
import json, sys
MiB = 1 << 20
runs = []
def run(w, a, ops, rss):
    runs.append({"workload": w, "allocator": a, "threads": 1, "status": "ok", "params": {},
                 "metrics": {"ops_per_s": ops, "peak_rss_bytes": int(rss * MiB)}})
for w, cells in {"alpha": [("glibc", 100, 100), ("a1", 200, 100), ("a2", 400, 200)],
                 "beta": [("glibc", 100, 10), ("a1", 50, 10), ("a2", 80, 10.5)],
                 "gamma": [("glibc", 100, 2), ("a1", 150, 3.5), ("a2", 120, 2.8)]}.items():
    for a, ops, rss in cells:
        run(w, a, ops, rss)
json.dump({"runs": runs}, open(sys.argv[1], "w"))
PY
out=$("$src/scripts/ratio-table" "$tmp/envelope.json" --envelope a1,a2)
echo "$out"
# (4 * 0.8 * 1.5)^(1/3) = 1.69; (2 * 1 * 1.2)^(1/3) = 1.34
grep -qF 'together, a1, a2 (best rounds, 3 rows): the fastest on each row 1.69, the fastest within 1.1x glibc'"'"'s peak RSS or 1 MiB of it, glibc included, 1.34' <<<"$out"
out=$("$src/scripts/ratio-table" "$tmp/envelope.json" --envelope a1)
grep -qF 'the fastest on each row 1.14,' <<<"$out"  # (2 * 0.5 * 1.5)^(1/3)
! grep -q together <<<"$("$src/scripts/ratio-table" "$tmp/envelope.json")"
if "$src/scripts/ratio-table" "$tmp/envelope.json" --envelope a1,nosuch 2>"$tmp/err"; then exit 1; fi
grep -q -- "--envelope: no runs of nosuch" "$tmp/err"
echo "ratio-table: ok"

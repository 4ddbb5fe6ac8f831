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
echo "ratio-table: ok"

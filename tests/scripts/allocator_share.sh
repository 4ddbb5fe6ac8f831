#!/usr/bin/env bash
# The worker's window control (ALLOCSCOPE_WINDOW_CONTROL) with a stand-in
# profiler, then scripts/allocator-share under perf: the shares it measures,
# its table and its errors.
set -euo pipefail
src=$1
build=$2
worker=$build/bin/allocscope-worker
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A profiler's side of the FIFOs: log each command, acknowledge it.
profiler() {
  exec 5<"$tmp/ctl" 6>"$tmp/ack"
  while read -r line <&5; do
    echo "$line" >>"$tmp/log"
    echo ack >&6
  done
}
control_log() {  # JOB: the commands the worker sent around its window
  rm -f "$tmp/ctl" "$tmp/ack" "$tmp/log"
  mkfifo "$tmp/ctl" "$tmp/ack"
  profiler &
  ALLOCSCOPE_WINDOW_CONTROL="$tmp/ctl,$tmp/ack" "$worker" --job "$1" 3>"$tmp/record"
  wait
  grep -q '"window_s"' "$tmp/record"
  cat "$tmp/log"
}
# One window each: in the main thread (a single-threaded workload) and in
# the workload's threads (a multithreaded one).
[ "$(control_log '{"workload":"churn","params":{"ops":"1000"}}')" = $'enable\ndisable' ]
[ "$(control_log '{"workload":"mt-churn","threads":2,"params":{"ops":"1000"}}')" = $'enable\ndisable' ]
# Without the variable nothing is sent; with a bad value the worker says so.
"$worker" --job '{"workload":"churn","params":{"ops":"1000"}}' 3>/dev/null
if ALLOCSCOPE_WINDOW_CONTROL=nonsense "$worker" --job '{"workload":"churn","params":{"ops":"1000"}}' \
  3>/dev/null 2>"$tmp/err"; then exit 1; fi
grep -q 'ALLOCSCOPE_WINDOW_CONTROL: expected CTL_FIFO,ACK_FIFO' "$tmp/err"
if ALLOCSCOPE_WINDOW_CONTROL="$tmp/none,$tmp/none2" "$worker" --job '{"workload":"churn","params":{"ops":"1000"}}' \
  3>/dev/null 2>"$tmp/err"; then exit 1; fi
grep -q "cannot open '$tmp/none'" "$tmp/err"

share=$src/scripts/allocator-share
# Bad input: exit 2 with the reason.
expect_bad() {  # REASON ARGS...
  local reason=$1
  shift
  if "$share" --build "$build" "$@" 2>"$tmp/err"; then exit 1; else [ $? -eq 2 ]; fi
  grep -q -- "$reason" "$tmp/err" || { cat "$tmp/err"; exit 1; }
}
expect_bad 'one of the arguments --job --from is required'
expect_bad '--rows goes with --from' --job '{"workload":"churn"}' --rows x
expect_bad "unknown allocator 'nosuch'" --job '{"workload":"churn"}' --allocators glibc,nosuch
expect_bad '--job:' --job '{not json'
expect_bad 'no rows match --rows' --from "$src/results/binmalloc/default-glibc-binmalloc-7rounds.json" --rows '^nothing'
"$share" --help | grep -q ALLOCSCOPE_WINDOW_CONTROL

# A real measurement: churn is mostly malloc and free, cache-thrash mostly
# writes to a block it allocated once (500 writes per allocation).
"$share" --build "$build" --runs 1 --allocators glibc,binmalloc \
  --job '{"workload":"churn","params":{"ops":"2000000"}}' \
  --job '{"workload":"cache-thrash","threads":1,"params":{"iterations":"40000"}}' >"$tmp/table"
cat "$tmp/table"
python3 - "$tmp/table" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if cells[0].startswith(("churn", "cache-thrash")):
        rows[cells[0].split()[0]] = cells
assert set(rows) == {"churn", "cache-thrash"}, rows
pct = lambda c: float(c.rstrip("%")) / 100
churn, thrash = rows["churn"], rows["cache-thrash"]
# columns: window, alloc, kernel, rest for glibc, then binmalloc, then the ceiling
for row in (churn, thrash):
    assert 0 <= pct(row[2]) + pct(row[3]) <= 1, row
    assert float(row[4]) <= float(row[1]), row  # the rest is part of the window
    assert abs(float(row[-1]) - 1 / (1 - pct(row[2]))) < 0.02, row  # the ceiling is 1 / (1 - share)
assert pct(churn[2]) > 0.3 and pct(churn[6]) > 0.3, churn
assert pct(thrash[2]) < 0.15 and pct(thrash[6]) < 0.15, thrash
assert float(churn[-1]) > float(thrash[-1]), (churn, thrash)
print("shares: ok")
PY
grep -qF '| **geometric mean of the ceilings** (2 rows) |' "$tmp/table"

# --header: glibc's and binmalloc's free load the chunk's size word, so both
# get a share there (a part of their alloc share); an allocator whose free
# does not (mimalloc) gets "-".  The last column is 1 / (1 - alloc + header)
# of the reference, at most the plain ceiling.
others=binmalloc
if "$build/bin/allocscope" list allocators | grep -q '^mimalloc '; then others=binmalloc,mimalloc; fi
"$share" --build "$build" --runs 1 --freq 8000 --header --allocators "glibc,$others" \
  --job '{"workload":"larson","threads":1,"params":{"ops":"2000000"}}' >"$tmp/header"
cat "$tmp/header"
python3 - "$tmp/header" "$others" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]) if l.startswith("| larson")]
assert len(lines) == 1, lines
cells = [c.strip() for c in lines[0].strip().strip("|").split("|")]
pct = lambda c: float(c.rstrip("%")) / 100
# columns: window, alloc, header, kernel, rest per allocator, then the two ceilings
allocs = ["glibc"] + sys.argv[2].split(",")
assert len(cells) == 1 + 5 * len(allocs) + 2, cells
for k, a in enumerate(allocs):
    alloc, header = cells[2 + 5 * k], cells[3 + 5 * k]
    if a == "mimalloc":
        assert header == "-", (a, header)
    else:
        assert header != "-" and 0 <= pct(header) <= pct(alloc), (a, header, alloc)
alloc, header = pct(cells[2]), pct(cells[3])
# The shares are printed to 0.1 %: the ceiling lies within what the rounded
# shares allow (near 100 % a tenth of a percent moves it by more than 0.02).
def within(value, share, err):
    lo, hi = 1 / (1 - (share - err)), 1 / (1 - (share + err))
    return lo - 0.006 <= float(value) <= hi + 0.006
assert within(cells[-2], alloc, 0.0005), cells
assert within(cells[-1], alloc - header, 0.001), cells
assert float(cells[-1]) <= float(cells[-2]), cells
print("header: ok")
PY
echo "allocator-share: ok"

#!/usr/bin/env bash
# Runs four made-up tests through ctest (one passes, one fails with a message,
# one times out, one skips) and checks what scripts/check-skips and
# scripts/show-failures say about the JUnit file: the failure's own output
# and the timed-out test are shown, an unlisted skip fails, a listed one
# passes, and a clean run shows nothing.
set -uo pipefail
root=$1
ctest=${CTEST:-ctest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "judge_a_run: $*" >&2; exit 1; }

mkdir "$work/run" "$work/clean"
cat >"$work/run/CTestTestfile.cmake" <<'CT'
add_test(passes "true")
add_test(fails "sh" "-c" "echo first line; echo the reason it broke; exit 3")
add_test(hangs "sleep" "30")
set_tests_properties(hangs PROPERTIES TIMEOUT 1)
add_test(skips "sh" "-c" "echo '[  SKIPPED ] not here'")
set_tests_properties(skips PROPERTIES SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
CT
echo 'add_test(passes "true")' >"$work/clean/CTestTestfile.cmake"
(cd "$work/run" && "$ctest" --output-junit junit.xml >/dev/null 2>&1)
(cd "$work/clean" && "$ctest" --output-junit junit.xml >/dev/null 2>&1) || fail "the clean run failed"

out=$("$root/scripts/show-failures" "$work/run/junit.xml" 5)
[ $? -eq 1 ] || fail "show-failures should exit 1 when tests failed"
grep -q '^---- fails: ' <<<"$out" || fail "the failed test is not named: $out"
grep -q '^| the reason it broke$' <<<"$out" || fail "the failed test's output is not shown: $out"
grep -q '^---- hangs: ' <<<"$out" || fail "the timed-out test is not named: $out"
grep -q 'passes\|skips' <<<"$out" && fail "a test that did not fail is listed: $out"
grep -q '^show-failures: 2 failed test(s)$' <<<"$out" || fail "wrong count: $out"
out=$("$root/scripts/show-failures" "$work/run/junit.xml" 1)
grep -q 'first line' <<<"$out" && fail "LINES=1 should keep only the last line: $out"
out=$("$root/scripts/show-failures" "$work/clean/junit.xml") || fail "a clean run should exit 0"
[ -z "$out" ] || fail "a clean run should print nothing: $out"
"$root/scripts/show-failures" "$work/missing.xml" 2>/dev/null
[ $? -eq 2 ] || fail "a missing file should exit 2"

echo 'nothing  # no rule matches' >"$work/allow-none"
"$root/scripts/check-skips" "$work/run/junit.xml" "$work/allow-none" >/dev/null 2>&1
[ $? -eq 1 ] || fail "check-skips should fail on an unlisted skip"
echo '^skips$  # made up for this test' >"$work/allow-skips"
"$root/scripts/check-skips" "$work/run/junit.xml" "$work/allow-skips" >/dev/null 2>&1 ||
  fail "check-skips should pass when the skip is listed"
echo 'judge_a_run: ok'

#!/usr/bin/env bash
# Runs four made-up tests through ctest (one passes, one fails with a message,
# one times out, one skips) and checks what scripts/check-skips and
# scripts/show-failures say about the JUnit file: the failure's own output
# and the timed-out test are shown, an unlisted skip fails, a listed one
# passes, a clean run shows nothing, and a failure with a sanitizer's report
# is told apart (exit 3) from one without; scripts/ctest-once-more runs a
# failed test once more only when its output has no sanitizer's report.
set -uo pipefail
root=$1
ctest=${CTEST:-ctest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "judge_a_run: $*" >&2; exit 1; }

mkdir "$work/run" "$work/clean" "$work/san"
cat >"$work/run/CTestTestfile.cmake" <<'CT'
add_test(passes "true")
add_test(fails "sh" "-c" "echo first line; echo the reason it broke; exit 3")
add_test(hangs "sleep" "30")
set_tests_properties(hangs PROPERTIES TIMEOUT 1)
add_test(skips "sh" "-c" "echo '[  SKIPPED ] not here'")
set_tests_properties(skips PROPERTIES SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
CT
echo 'add_test(passes "true")' >"$work/clean/CTestTestfile.cmake"
cat >"$work/san/CTestTestfile.cmake" <<'CT'
add_test(races "sh" "-c" "echo 'WARNING: ThreadSanitizer: data race (pid=7)'; echo more; exit 66")
add_test(fails "sh" "-c" "echo an assertion; exit 1")
add_test(passes "sh" "-c" "echo 'runtime error: in a passing test is not counted'")
CT
(cd "$work/run" && "$ctest" --output-junit junit.xml >/dev/null 2>&1)
(cd "$work/san" && "$ctest" --output-junit junit.xml >/dev/null 2>&1)
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
grep -q 'sanitizer' <<<"$out" && fail "no sanitizer report in this run: $out"
out=$("$root/scripts/show-failures" "$work/san/junit.xml" 5)
[ $? -eq 3 ] || fail "show-failures should exit 3 when a failed test has a sanitizer's report: $out"
grep -q "^show-failures: a sanitizer's report in races$" <<<"$out" || fail "the reported test is not named alone: $out"
"$root/scripts/show-failures" "$work/missing.xml" 2>/dev/null
[ $? -eq 2 ] || fail "a missing file should exit 2"

# scripts/ctest-once-more: a test that fails once passes at its second run
# and is named flaky; a sanitizer's report is never run again; a test that
# fails twice fails.
mkdir "$work/once" "$work/always" "$work/tsan"
cat >"$work/once/CTestTestfile.cmake" <<CT
add_test(passes "true")
add_test(once "sh" "-c" "if [ -e $work/once/mark ]; then echo second; else touch $work/once/mark; echo first; exit 1; fi")
CT
out=$(CTEST=$ctest "$root/scripts/ctest-once-more" "$work/once" 2>&1) || fail "a test that passed when run again failed the run: $out"
grep -q '^flaky: once in .* failed once' <<<"$out" || fail "the flaky test is not named: $out"
[ "$(tail -n 1 <<<"$out")" = "flaky: once in $work/once failed once without a sanitizer's report and passed when run again" ] ||
  fail "the flaky line is not the last: $out"
grep -q '^flaky: passes' <<<"$out" && fail "a passing test is named flaky: $out"
echo 'add_test(always "sh" "-c" "echo no luck; exit 1")' >"$work/always/CTestTestfile.cmake"
out=$(CTEST=$ctest "$root/scripts/ctest-once-more" "$work/always" 2>&1) && fail "a test failing twice passed: $out"
[ "$(grep -c '^---- always: ' <<<"$out")" = 2 ] || fail "both failures of 'always' should be shown: $out"
grep -q '^flaky:' <<<"$out" && fail "a test failing twice is named flaky: $out"
cat >"$work/tsan/CTestTestfile.cmake" <<CT
add_test(racy "sh" "-c" "if [ -e $work/tsan/mark ]; then exit 0; fi; touch $work/tsan/mark; echo 'WARNING: ThreadSanitizer: data race'; exit 66")
CT
out=$(CTEST=$ctest "$root/scripts/ctest-once-more" "$work/tsan" 2>&1) && fail "a sanitizer's report passed: $out"
grep -q 'once more' <<<"$out" && fail "a test with a sanitizer's report was run again: $out"
CTEST=$ctest "$root/scripts/ctest-once-more" "$work/nowhere" >/dev/null 2>&1
[ $? -eq 2 ] || fail "ctest-once-more on a missing folder should exit 2"

echo 'nothing  # no rule matches' >"$work/allow-none"
"$root/scripts/check-skips" "$work/run/junit.xml" "$work/allow-none" >/dev/null 2>&1
[ $? -eq 1 ] || fail "check-skips should fail on an unlisted skip"
echo '^skips$  # made up for this test' >"$work/allow-skips"
"$root/scripts/check-skips" "$work/run/junit.xml" "$work/allow-skips" >/dev/null 2>&1 ||
  fail "check-skips should pass when the skip is listed"
echo 'judge_a_run: ok'

#!/bin/sh
# Runs every test once per build folder given (build, build/asan):
# each cmocka unit test binary, then each end-to-end script in tests/e2e.
# Counts test cases, prints failures and skips (a check that cannot run on
# this machine says "SKIP: why"), and ends with "N passed, N failed" (and
# ", N skipped" when some were).
# STRESS=1 asks the e2e scripts for their long loops.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
skipped=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # $1 = label; reads the test output in $log
	p=$(grep -c '^\[       OK \]\|^PASS: ' "$log")
	f=$(grep -c '^\[  FAILED  \] [a-z_]\|^FAIL: ' "$log")
	k=$(grep -c '^SKIP: ' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
	[ "$k" -eq 0 ] || grep '^SKIP: ' "$log" | sed "s|^|  $1: |"

	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or exited non-zero without naming a failing case
		failed=$((failed + 1))
		failures="$failures\n  $1 (exit $2)"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
	if [ "$f" -gt 0 ]; then
		failures="$failures\n  $1:"
		grep '^\[  FAILED  \] [a-z_]\|^FAIL: ' "$log" | sed 's/^/    /' >/dev/null
		grep -B3 '^\[  FAILED  \] [a-z_]\|^FAIL: ' "$log" | sed 's/^/    /'
	fi
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export AIRPROOF_TEST=1
unset AIRPROOF_CONFIG

for b in "$@"; do
	bin=$(cd "$top/$b" && pwd)
	echo "== $b"
	for t in "$bin"/tests/test_*; do
		[ -x "$t" ] || continue
		name="$b/$(basename "$t")"
		(cd "$top" && "$t") >"$log" 2>&1
		rc=$?
		count "$name" "$rc"
		printf '  %-40s %s\n' "$(basename "$t")" "$(grep -c '^\[       OK \]' "$log") ok"
	done
	for t in "$top"/tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		name="$b/$(basename "$t")"
		(cd "$top" && AP_BIN="$bin" sh "$t") >"$log" 2>&1
		rc=$?
		count "$name" "$rc"
		printf '  %-40s %s\n' "$(basename "$t")" "$(grep -c '^PASS: ' "$log") ok"
	done
done

if [ -n "$failures" ]; then
	printf 'failed:%b\n' "$failures"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

#!/bin/sh
# run.sh — runs teleqd's unit test binaries (cmocka), every one of them.
#
#   sh tests/unit/run.sh BINARY...
#
# One line per binary: "PASS name  N tests" or "FAIL name  N of M tests
# failed, exit status S" followed by its output (VERBOSE=1: every binary's
# output). A failing binary does not stop the run. The last line is
# "N passed, N failed"; the exit status is 1 when any binary failed
# (`make unit` runs this; the style of tests/integration/run.sh).
set -u

[ $# -gt 0 ] || { echo "usage: sh tests/unit/run.sh BINARY..." >&2; exit 2; }
log=$(mktemp "${TMPDIR:-/tmp}/teleq-unit.XXXXXX")
trap 'rm -f "$log"' EXIT INT TERM
passed=0
failed=0
failures=

for bin in "$@"; do
	name=$(basename "$bin")
	rc=0
	"$bin" </dev/null >"$log" 2>&1 || rc=$?
	# cmocka: one "[       OK ]" or "[  FAILED  ]" line per test
	tests=$(grep -c -E '^\[ +(OK|FAILED) +\] ' "$log" || true)
	bad=$(grep -c -E '^\[ +FAILED +\] ' "$log" || true)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %-24s %5s tests\n' "$name" "$tests"
		[ "${VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		printf 'FAIL %-24s %5s of %s tests failed, exit status %s\n' "$name" "$bad" "$tests" "$rc"
		sed 's/^/    /' "$log"
	fi
done

[ $failed -eq 0 ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

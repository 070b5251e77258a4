#!/bin/sh
# Runs one libFuzzer harness for a while (used by `make fuzz`):
#   sh tests/fuzz/run.sh NAME SECONDS MAX_LEN
# The binary is build/fuzz/fuzz_NAME. It runs on a copy of its seed corpus
# (tests/fuzz/corpus/NAME, copied to build/fuzz/corpus/NAME, where new
# inputs are added: the checked-in corpus never changes) plus the past
# crashes in tests/fuzz/regress/NAME (read only), with the dictionary
# tests/fuzz/NAME.dict when there is one. Output goes to
# build/fuzz/NAME.log; one summary line is printed. Any crash, broken
# invariant, leak, timeout (10 s per input) or memory blow-up (2 GiB)
# fails, with the log's tail and the path of the saved input.
set -eu
name=$1 secs=$2 maxlen=$3
bin=build/fuzz/fuzz_$name
corpus=build/fuzz/corpus/$name
art=build/fuzz/artifacts/$name
log=build/fuzz/$name.log

mkdir -p "$corpus" "$art"
if [ -d "tests/fuzz/corpus/$name" ]; then
	cp -p tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || :
fi
set -- "$corpus"
[ -d "tests/fuzz/regress/$name" ] && set -- "$@" "tests/fuzz/regress/$name"
dict=
[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"

st=0
# shellcheck disable=SC2086
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
	-print_final_stats=1 -artifact_prefix="$art/" $dict "$@" >"$log" 2>&1 || st=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
n=$(find "$corpus" -type f | wc -l)
if [ "$st" -ne 0 ]; then
	echo "fuzz_$name: FAILED (exit $st) after ${runs:-?} runs; log: $log"
	tail -n 40 "$log" | sed 's/^/  | /'
	saved=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	[ -n "$saved" ] && echo "fuzz_$name: input saved as $saved (replay: $bin $saved;" \
	    "keep it in tests/fuzz/regress/$name/ once fixed)"
	exit 1
fi
printf 'fuzz_%s: %s s, %s runs, %s exec/s, coverage %s, corpus %s inputs\n' \
	"$name" "$secs" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$n"

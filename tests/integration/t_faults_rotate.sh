#!/bin/sh
# t_faults_rotate.sh — rotation and file churn under a fast writer.
#
#   1. Real logrotate (Debian's), create mode, every ROT_MS ms while a writer
#      appends RATE lines per second for SECS seconds (reopening the file for
#      each chunk, as a writer that follows create-mode rotation): every line
#      written is counted exactly once.
#   2. Real logrotate, copytruncate mode, on a case feed whose writer keeps
#      its descriptor: lines written between logrotate's copy and its truncate
#      are lost by logrotate itself. Measured (written, kept in the files,
#      counted by teleqd); asserted: nothing read twice (no duplicate id, no
#      line read twice), nothing counted that was not written, and every
#      line written after the last rotation counted.
#   3. A file deleted while being read and still written to (the writer keeps
#      its descriptor): drained through teleqd's descriptor until it stays
#      quiet, every line counted, the descriptor closed.
#   4. A file replaced by another with the same name (mv over it) while being
#      read: the old one is drained, the new one read from its start.
#   5. A glob gaining FILES (200) small files at once, faster than they are read.
#   6. A file truncated and rewritten with different content of the same size
#      (also while the daemon is stopped with SIGSTOP, so that it never sees
#      the file shorter), and again with longer content: each content
#      counted once.
# Counters are compared with an independent computation after each part.
#
# Environment: RATE (20000), SECS (3; TORTURE=1: 30), ROT_MS (500;
# TORTURE=1: 300), FILES (200; TORTURE=1: 2000).
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
if [ "${TORTURE:-0}" = 1 ]; then
	SECS=${SECS:-30}
	ROT_MS=${ROT_MS:-300}
	FILES=${FILES:-2000}
fi
RATE=${RATE:-20000}
SECS=${SECS:-3}
ROT_MS=${ROT_MS:-500}
FILES=${FILES:-200}
WRITER="$TQ_ROOT/tests/integration/faults_writer.py"
command -v logrotate >/dev/null || bail "logrotate not installed (make deps)"

redis_start
write_config window_days=3660 rotate_wait_ms=1000
mkdir "$T/keep" "$T/written"
tq_start

# check_counters DESCRIPTION FILE...: the counters equal the independent
# computation over FILE... (every file ever counted).
check_counters() {
	_d=$1
	shift
	dump_counters "$T/got.txt"
	oracle_dump "$T/want.txt" "$@"
	if [ "${NO_CASES:-0}" = 1 ]; then
		grep -v ' case\.opened' "$T/got.txt" >"$T/got.calls" || true
		mv "$T/got.calls" "$T/got.txt"
	fi
	assert_files_equal "$_d" "$T/want.txt" "$T/got.txt"
}
# check_total DESCRIPTION EXPECTED: waits for EXPECTED events, then makes
# sure no more arrive (a double would come late).
check_total() {
	assert_counted_once "$1" "$2" 60 || :
}
lines_of() {
	cat "$@" | wc -l
}
# rotate_loop CONF: logrotate -f every ROT_MS ms until $T/stop.rot exists;
# the number of runs goes to $T/rotations.
rotate_loop() {
	_n=0
	while [ ! -e "$T/stop.rot" ]; do
		sleep "$(awk -v ms="$ROT_MS" 'BEGIN { printf "%.3f", ms / 1000 }')"
		logrotate -f -s "$T/logrotate.state" "$1" >>"$T/logrotate.log" 2>&1 || echo "logrotate failed" >>"$T/logrotate.log"
		_n=$((_n + 1))
	done
	echo "$_n" >"$T/rotations"
}
# run_with_logrotate CONF WRITER-ARGS...: the writer for SECS seconds while
# logrotate runs every ROT_MS ms.
run_with_logrotate() {
	_conf=$1
	shift
	rm -f "$T/stop.rot" "$T/rotations"
	rotate_loop "$_conf" &
	_rp=$!
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $_rp"
	"$PY" "$WRITER" --rate "$RATE" --seconds "$SECS" --count-file "$T/count" "$@" ||
		bail "the writer failed"
	touch "$T/stop.rot"
	wait "$_rp" || true
	grep -q failed "$T/logrotate.log" 2>/dev/null && diag_file "$T/logrotate.log" 10
	written=$(sed 's/.*"lines": \([0-9]*\).*/\1/' "$T/count")
	rotations=$(cat "$T/rotations")
}
expect=0

# ----------------------------------------------- 1. logrotate, create mode
LR=$(csv_path lr)
cat >"$T/lr-create.conf" <<EOF
$LR {
	create
	rotate 100000
	missingok
	nocompress
}
EOF
printf '%s\r\n' "$CSV_HEADER" >"$LR"
run_with_logrotate "$T/lr-create.conf" --csv "$LR" --reopen --id-prefix LR
kept=$(cat "$LR"* | grep -c -v '^Datum')
diag "create: $written lines written in $SECS s, $rotations rotations, $(ls "$LR"* | wc -l) files"
diag "figure: rotate_create_lines $written rotations $rotations"
assert_eq "create mode: the files hold every line written" "$written" "$kept"
assert_ok "create mode: logrotate rotated at least 3 times" [ "$rotations" -ge 3 ]
expect=$((expect + written))
check_total "create mode: every line written is counted once" "$expect"
check_counters "create mode: counters equal the independent computation" "$LR"*

# ------------------------------------------- 2. logrotate, copytruncate mode
CT=$(jsonl_path ct)
cat >"$T/lr-copytruncate.conf" <<EOF
$CT {
	copytruncate
	rotate 100000
	missingok
	nocompress
}
EOF
: >"$CT"
before=$(events_total)
run_with_logrotate "$T/lr-copytruncate.conf" --jsonl "$CT" --log "$T/written" --id-prefix CT
in_files=$(lines_of "$CT"*)
wait_settled 1 30 || true
counted=$(($(events_total) - before))
lost_lr=$((written - in_files))
lost_tq=$((written - counted))
diag "copytruncate: $written lines written, $rotations rotations; $in_files kept in the files" \
	"  (logrotate lost $lost_lr: written between its copy and its truncate);" \
	"  teleqd counted $counted, missed $lost_tq (lines it had not read when the file was truncated," \
	"  or written between copy and truncate and truncated before it read them)"
diag "figure: copytruncate_written $written rotations $rotations kept $in_files lost_by_logrotate $lost_lr counted $counted missed_by_teleqd $lost_tq"
assert_ok "copytruncate: nothing counted that was not written ($counted <= $written)" [ "$counted" -le "$written" ]
dups=$(rcli HGET "${KP}stats" duplicates)
assert_eq "copytruncate: no line read twice (no duplicate id)" 0 "${dups:-0}"
assert_eq "copytruncate: every line read is counted, none rejected" \
	"$counted" "$(rejects "$JSONL_FEED" lines)"
# Per day and counter: never more than written, never less than the last file
# (written after the last truncation) holds.
dump_counters "$T/got.txt"
grep '}:\(day\|month\):' "$T/got.txt" | grep ' case\.opened' >"$T/got.ct" || true
oracle_dump "$T/upper.txt" "$T/written/$(basename "$CT")"
oracle_dump "$T/lower.txt" "$CT"
bad=$(awk 'FILENAME == ARGV[1] { up[$1 " " $2] = $3; next }
	FILENAME == ARGV[2] { lo[$1 " " $2] = $3; next }
	{ k = $1 " " $2; if ($3 > up[k] + 0 || $3 < lo[k] + 0) print k, $3, lo[k] + 0, up[k] + 0 }
	' "$T/upper.txt" "$T/lower.txt" "$T/got.ct" | head -n 5)
assert_eq "copytruncate: every counter between the last file's and the written lines'" "" "$bad"
missing=$(awk 'FILENAME == ARGV[1] { got[$1 " " $2] = $3; next } !(($1 " " $2) in got) { print }' \
	"$T/got.ct" "$T/lower.txt" | head -n 5)
assert_eq "copytruncate: every line written after the last rotation is counted" "" "$missing"
expect=$(events_total)
NO_CASES=1 check_counters "copytruncate: the call log counters did not move" "$LR"*

# ------------------------------------------- 3. deleted while being written
D=$(csv_path del)
printf '%s\r\n' "$CSV_HEADER" >"$D"
"$PY" "$WRITER" --csv "$D" --rate "$RATE" --seconds 2 --split --log "$T/written" --id-prefix DL \
	--count-file "$T/count.del" &
wp=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $wp"
sleep 0.5
rm -f "$D"
wait "$wp" || bail "the writer failed"
written=$(sed 's/.*"lines": \([0-9]*\).*/\1/' "$T/count.del")
expect=$((expect + written))
check_total "a file deleted while written to: every line written after the deletion counted too" "$expect"
if wait_for 15 _no_deleted_fds; then
	ok "and its descriptor is closed once it stays quiet"
else
	not_ok "and its descriptor is closed once it stays quiet"
	deleted_fds | sed 's/^/#   /'
fi

# ------------------------------------------- 4. replaced by mv over it
M=$(csv_path mv)
gen_csv "$T/keep/mv-old.txt" 250000 --seed 91 --from 2025-03-01 --days 60
gen_csv "$T/keep/mv-new.txt" 100000 --seed 92 --from 2025-05-01 --days 60
# Redis stalls for 2 s (a busy Lua script), so teleqd stops after three
# batches (two commits in flight and a full one: at most 150000 lines): the
# file is replaced in the middle of it.
cp "$T/keep/mv-new.txt" "$T/mv.tmp"
rcli EVAL "local t0 = redis.call('TIME') local s = t0[1] * 1000000 + t0[2]
	while true do local t = redis.call('TIME')
	if t[1] * 1000000 + t[2] - s >= 2000000 then return 1 end end" 0 >/dev/null 2>&1 &
stall=$!
sleep 0.2
cp "$T/keep/mv-old.txt" "$M.tmp"
mv "$M.tmp" "$M"
sleep 0.5
# /metrics (served while Redis stalls): the bytes of the old file not read yet
port=$(sed -n 's/.*http: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TQ_LOG" | tail -n 1)
behind=$("$PY" -c '
import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
print(sum(int(float(l.split()[-1])) for l in t.splitlines()
          if l.startswith("teleqd_file_behind_bytes") and "calls-mv.txt" in l))' "$port" 2>/dev/null || echo "?")
mv "$T/mv.tmp" "$M"                        # rename(2) over the file being read
assert_ok "the file was replaced with $behind of its $(stat -c %s "$T/keep/mv-old.txt") bytes not read yet" \
	[ "$behind" -gt 0 ] 2>/dev/null
wait "$stall" || true
expect=$((expect + 350000))
check_total "a file replaced by mv while being read: both contents counted once" "$expect"
assert_ok "no descriptor left on the replaced file" wait_for 15 _no_deleted_fds
NO_CASES=1 check_counters "deletion and mv over: counters equal the independent computation" \
	"$LR"* "$T/written/$(basename "$D")" "$T/keep/mv-old.txt" "$T/keep/mv-new.txt"

# ------------------------------------------- 5. a burst of new files
"$PY" - "$T/feeds" "$FILES" <<'EOF_PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
hdr = "Datum;Tid;Kö;Resultat;Väntetid;Telefonnummer;Personnummer\r\n"
res = ["Bokad", "Kön full", "Avbruten", "Stängt"]
for i in range(n):
    k = 5 + i % 20                      # 5..24 lines
    body = "".join("2026-02-%02d;10:%02d:%02d;Patientnämnden;%s;00:01:00;070-5550101;19700101-1234\r\n"
                   % (1 + (i + j) % 28, j, i % 60, res[(i + j) % 4]) for j in range(k))
    with open(os.path.join(d, "calls-burst%05d.txt" % i), "w", encoding="cp1252", newline="") as f:
        f.write(hdr + body)
EOF_PY
burst=$(cat "$T"/feeds/calls-burst*.txt | grep -c -v '^Datum')
expect=$((expect + burst))
check_total "$FILES new files created at once: every line counted once" "$expect"
diag "figure: burst_files $FILES lines $burst"

# ------------------------------------------- 6. truncated and rewritten
R=$(csv_path rw)
"$PY" "$WRITER" --csv "$T/keep/rw-a.txt" --lines 2000 --start 0 --start-day 2025-09-01 --days 30
"$PY" "$WRITER" --csv "$T/keep/rw-b.txt" --lines 2000 --start 7000 --start-day 2025-09-01 --days 30
"$PY" "$WRITER" --csv "$T/keep/rw-c.txt" --lines 2000 --start 14000 --start-day 2025-09-01 --days 30
"$PY" "$WRITER" --csv "$T/keep/rw-d.txt" --lines 5000 --start 20000 --start-day 2025-10-01 --days 30
assert_eq "the rewritten contents have the same size as the old one" \
	"$(stat -c %s "$T/keep/rw-a.txt") $(stat -c %s "$T/keep/rw-a.txt")" \
	"$(stat -c %s "$T/keep/rw-b.txt") $(stat -c %s "$T/keep/rw-c.txt")"
cat "$T/keep/rw-a.txt" >"$R"
expect=$((expect + 2000))
check_total "a file before its rewrite" "$expect"
cat "$T/keep/rw-b.txt" >"$R"               # O_TRUNC, then the new bytes
expect=$((expect + 2000))
check_total "truncated and rewritten with different content of the same size: counted" "$expect"
# The same while the daemon cannot look in between (descheduled, a VM
# paused): it wakes up to a file of the old size whose head changed.
kill -STOP "$TQ_PID"
"$PY" - "$R" "$T/keep/rw-c.txt" <<'EOF_PY'
import os, sys
data = open(sys.argv[2], "rb").read()
fd = os.open(sys.argv[1], os.O_WRONLY)
os.ftruncate(fd, 0)
os.write(fd, data)
os.close(fd)
EOF_PY
kill -CONT "$TQ_PID"
expect=$((expect + 2000))
check_total "rewritten to the same size while the daemon was stopped (SIGSTOP): counted" "$expect"
cat "$T/keep/rw-d.txt" >"$R"
expect=$((expect + 5000))
check_total "truncated and rewritten with longer content: counted" "$expect"

# (the case feed of part 2 lost lines to copytruncate: checked above)
NO_CASES=1 check_counters "all call logs: counters equal the independent computation" \
	"$LR"* "$T/written/$(basename "$D")" \
	"$T/keep/mv-old.txt" "$T/keep/mv-new.txt" "$T"/feeds/calls-burst*.txt \
	"$T/keep/rw-a.txt" "$T/keep/rw-b.txt" "$T/keep/rw-c.txt" "$T/keep/rw-d.txt"
assert_ok "the daemon still runs" alive "$TQ_PID"
assert_stops_cleanly
done_testing

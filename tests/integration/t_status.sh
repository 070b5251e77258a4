#!/bin/sh
# t_status.sh — teleqctl status shows what the daemon is doing.
#
# Per feed: the files with a committed position (state, offset, line, size,
# bytes behind), lines read, the latest event time and the reject counts;
# the Redis connection; the daemon's pid and last commit. Text and JSON.
# A line appended while the daemon is stopped shows as bytes behind; a
# rotated file shows as "rotated"; Redis down makes status fail (exit 1).
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
F=$(csv_path status)
printf '%s\r\n' "$CSV_HEADER" >"$F"
csv_line 2026-03-02 08:00:00 >>"$F"
csv_line 2026-03-02 09:30:00 "$R_FULL" >>"$F"
csv_line 2026-02-30 09:31:00 >>"$F"         # impossible date: a reject
tq_start
assert_ok "two events counted" wait_events 2 10
_rejected() {
	[ "$(rejects "$CSV_FEED" bad_date)" = 1 ]
}
assert_ok "the bad line is counted as a reject" wait_for 5 _rejected

out=$(ctl status) || bail "teleqctl status failed: $(cat "$T/teleqctl.err")"
assert_match "status names the Redis address and PING" "^redis +unix:$SOCK: connected, PING" "$out"
assert_match "and the daemon's pid" "^daemon +pid $TQ_PID, version " "$out"
assert_match "the feed's header" "^feed $CSV_FEED \\(csv, " "$out"
assert_match "lines read (header and 3 records) and the latest event time (09:30)" \
	"lines read 4, latest event 2026-03-02 09:30:00" "$out"
assert_match "the reject reason and count" "rejects +bad_date 1$" "$out"
size=$(stat -c %s "$F")
assert_match "the file: following, committed to its end, nothing behind" \
	"^  following +$size +4 +$size +0 +$F\$" "$out"

ctl status --format json >"$T/status.json" || bail "teleqctl status --format json failed"
jq() {
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["feeds"] if x["name"] == sys.argv[2]][0]
print(eval(sys.argv[3], {"d": d, "f": f}))' "$T/status.json" "$CSV_FEED" "$1"
}
assert_eq "JSON: daemon pid" "$TQ_PID" "$(jq 'd["daemon"]["pid"]')"
assert_eq "JSON: latest event (unix s of 2026-03-02 09:30 CET)" \
	"$(TZ=Europe/Stockholm date -d '2026-03-02 09:30:00' +%s)" "$(jq 'f["last_event"]')"
assert_eq "JSON: bad_date rejects" 1 "$(jq 'f["rejects"]["bad_date"]')"
assert_eq "JSON: the file's offset, size and bytes behind" "$size $size 0" \
	"$(jq '" ".join(str(x) for x in (f["files"][0]["offset"], f["files"][0]["size"], f["files"][0]["behind"]))')"
assert_ok "JSON: commits > 0 and a last commit time" \
	test "$(jq 'int(d["commits"] > 0 and d["last_commit"] is not None)')" = 1

# Stopped: an appended line is bytes behind.
assert_ok "SIGTERM stops the daemon" tq_stop
csv_line 2026-03-03 10:00:00 >>"$F"
out=$(ctl status)
nsize=$(stat -c %s "$F")
assert_match "a line appended while stopped is behind" \
	"^  following +$size +4 +$nsize +$((nsize - size)) +$F\$" "$out"

# Rotated away: the committed file is no longer at its path.
mv "$F" "$F.1"
printf '%s\r\n' "$CSV_HEADER" >"$F"
out=$(ctl status)
assert_match "a file renamed away shows as rotated" "^  rotated +$size +4 +- +- +$F\$" "$out"

# Redis down: status fails with the reason.
redis_stop
rc=0
ctl status >/dev/null || rc=$?
assert_eq "status exits 1 when Redis is down" 1 "$rc"
assert_match "and says it cannot connect" "cannot connect to Redis" "$(cat "$T/teleqctl.err")"
done_testing

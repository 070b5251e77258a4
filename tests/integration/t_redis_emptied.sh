#!/bin/sh
# t_redis_emptied.sh — Redis restarts without its data while the files
# are still there: the reset is loud, and the counters are rebuilt from
# the files still followed.
#
# Three files are counted: two call logs and a case feed. One call log is
# then renamed out of the glob and closed (rotate_wait_ms). Redis is
# restarted without persistence (empty). Expected: one error-level log
# line naming the files re-read and saying that counts of files rotated out
# of the globs are missing; teleqd_store_resets_total 1; the stats field
# reset_ms written, and teleqctl status saying "store reset at <time>"; the
# counters then equal what the files still present hold (an independent
# computation), with nothing from the file rotated away. A second reset
# (FLUSHALL while connected) counts 2. A SIGHUP to another key prefix (a
# store never written to) is no reset.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config max_delay_ms=50 rotate_wait_ms=200

A=$(csv_path a)
OLD=$(csv_path old)
J=$(jsonl_path a)
printf '%s\r\n' "$CSV_HEADER" >"$A"
printf '%s\r\n' "$CSV_HEADER" >"$OLD"
gen_csv "$T/a" 300 --no-header --seed 11 --from 2026-01-01 --days 60
gen_csv "$T/old" 200 --no-header --seed 12 --from 2025-11-01 --days 30
gen_jsonl "$J" 100 --seed 13 --from 2026-01-01 --days 60
cat "$T/a" >>"$A"
cat "$T/old" >>"$OLD"
all=$((300 + 200 + $(grep -o '"case_id":"[^"]*"' "$J" | sort -u | wc -l)))

tq_start
assert_ok "every line of the three files counted" wait_events "$all" 20

# _old_closed: the daemon no longer holds the renamed file open
_old_closed() {
	! ls -l "/proc/$TQ_PID/fd" 2>/dev/null | grep -q 'old\.bak'
}
mv "$OLD" "$T/feeds/old.bak"
assert_ok "the call log renamed out of the glob is closed" wait_for 10 _old_closed
assert_ok "GET /metrics" metrics_scrape "$T/m0"
assert_eq "no store reset yet" 0 "$(metric_value "$T/m0" teleqd_store_resets_total)"
assert_no_match "status: no store reset yet" "store reset" "$(ctl status)"

# --- Redis restarted without its data
log_at=$(wc -c <"$TQ_LOG")
before_ms=$(now_ms)
redis_stop
redis_start
present=$((all - 200))
if wait_events "$present" 20 && wait_settled 0.5 10 && [ "$(events_total)" = "$present" ]; then
	ok "the files still present are counted again ($present events)"
else
	not_ok "the files still present are counted again"
	diag "  expected $present events, counted $(events_total)"
fi
log=$(tail -c +$((log_at + 1)) "$TQ_LOG")
line=$(printf '%s\n' "$log" | grep '^<3>' | grep 'store' || true)
assert_eq "one error-level line about the reset" 1 "$(printf '%s\n' "$line" | grep -c . || true)"
assert_match "it says the store was emptied" 'redis: the store was emptied' "$line"
assert_match "it counts and names the files re-read" '2 files re-read from where they were first seen: .*calls-a\.txt' "$line"
assert_contains "it names the case feed file too" "cases-a.jsonl" "$line"
assert_match "it says that history older than them is missing" 'rotated out of the globs.* missing' "$line"
assert_no_match "the file rotated away is not among them" 'calls-old' "$line"

assert_ok "GET /metrics" metrics_scrape "$T/m1"
assert_eq "teleqd_store_resets_total 1" 1 "$(metric_value "$T/m1" teleqd_store_resets_total)"
reset_s=$(metric_value "$T/m1" teleqd_store_last_reset_timestamp_seconds)
assert_ok "teleqd_store_last_reset_timestamp_seconds is the time of the reset ($reset_s)" \
	[ "$reset_s" -ge $((before_ms / 1000)) -a "$reset_s" -le $(($(now_ms) / 1000)) ]
_reset_recorded() {
	[ -n "$(rcli HGET "${KP}stats" reset_ms)" ]
}
assert_ok "the stats field reset_ms is written with the rebuilt counters" wait_for 5 _reset_recorded
reset_ms=$(rcli HGET "${KP}stats" reset_ms)
assert_ok "reset_ms is the time of the reset ($reset_ms)" \
	[ "$reset_ms" -ge "$before_ms" -a "$reset_ms" -le "$(now_ms)" ]
assert_eq "the metric and the stats field agree" "$reset_s" "$((reset_ms / 1000))"
want_time=$(TZ=Europe/Stockholm date -d "@$((reset_ms / 1000))" '+%Y-%m-%d %H:%M:%S')
out=$(ctl status)
assert_match "teleqctl status: store reset at <time>" "^store +reset at $want_time " "$out"
ctl status --format json >"$T/status.json"
assert_eq "teleqctl status JSON: store_reset (unix s)" "$((reset_ms / 1000))" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["store_reset"])' "$T/status.json")"

dump_counters "$T/after.txt"
oracle_dump "$T/expected.txt" "$A" "$J"
assert_files_equal "the counters equal what the files still present hold" "$T/expected.txt" "$T/after.txt"

# --- FLUSHALL while connected: the next commit is refused, the reconnect finds it
log_at=$(wc -c <"$TQ_LOG")
rcli FLUSHALL >/dev/null
csv_line 2026-02-20 10:00:00 "$R_BOOKED" >>"$A"
present=$((present + 1))
assert_ok "after FLUSHALL the files still present are counted again" wait_events "$present" 20
_resets_are() {
	metrics_scrape "$T/m2" && [ "$(metric_value "$T/m2" teleqd_store_resets_total)" = "$1" ]
}
assert_ok "teleqd_store_resets_total 2" wait_for 10 _resets_are 2
assert_eq "and one more error line" 1 \
	"$(tail -c +$((log_at + 1)) "$TQ_LOG" | grep '^<3>' | grep -c 'the store was emptied' || true)"
# --- SIGHUP to another key prefix: a store never written to, not an emptied one
log_at=$(wc -c <"$TQ_LOG")
write_config max_delay_ms=50 rotate_wait_ms=200 prefix=\"other:\"
kill -HUP "$TQ_PID"
assert_ok "under the new prefix the files are counted from their start" wait_events "$present" 20
assert_ok "GET /metrics" metrics_scrape "$T/m3"
assert_eq "a new prefix is no store reset" 2 "$(metric_value "$T/m3" teleqd_store_resets_total)"
assert_eq "and no error line" 0 \
	"$(tail -c +$((log_at + 1)) "$TQ_LOG" | grep -c '^<3>' || true)"
assert_ok "SIGTERM: exit 0" tq_stop
done_testing

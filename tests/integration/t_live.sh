#!/bin/sh
# t_live.sh — the daemon follows its feeds live.
#
# Lines appended to a followed file are counted within seconds; a partial
# last line (no newline yet) is not counted until its newline arrives, also
# when the daemon restarts in between; files created while it runs are
# picked up; a burst is counted completely; SIGTERM ends it with status 0.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config

F=$(csv_path live)
J=$(jsonl_path live)
printf '%s\r\n' "$CSV_HEADER" >"$F"
tq_start
BOOKED="call.booked|channel=phone|party=patient"

# Nothing but a header: no event (give the daemon a moment to read it).
sleep 0.5
assert_eq "a header alone counts nothing" 0 "$(events_total)"

csv_line 2026-03-02 08:00:01 >>"$F"
t0=$(now_ms)
if wait_events 1 5; then
	ok "an appended line is counted within 5 s ($(($(now_ms) - t0)) ms)"
else
	not_ok "an appended line is counted within 5 s (counted: $(events_total))"
fi
assert_eq "counted as $BOOKED on its day" 1 "$(rcli HGET "${KP}day:2026-03-02" "$BOOKED")"
assert_eq "and in its month" 1 "$(month_field 2026-03 "$BOOKED")"

csv_line 2026-03-02 08:10:00 "$R_FULL" >>"$F"
csv_line 2026-03-02 08:20:00 "$R_ABANDONED" >>"$F"
csv_line 2026-03-02 20:00:00 "$R_CLOSED" >>"$F"
assert_ok "three more lines counted" wait_events 4 5
assert_eq "queue full counted as call.full" 1 "$(month_field 2026-03 'call.full|channel=phone|party=patient')"
assert_eq "closed counted as call.closed" 1 "$(month_field 2026-03 'call.closed|channel=phone|party=patient')"

# --- a partial line is held back until its newline arrives
NOEOL=1 csv_line 2026-03-03 09:00:00 >>"$F"
sleep 1
assert_eq "a line without its newline is not counted (1 s later)" 4 "$(events_total)"
printf '\r\n' >>"$F"
assert_ok "it is counted once its newline is appended" wait_events 5 5

# A line written in three pieces: counted once, when complete.
printf '2026-03-03;09:' >>"$F"
sleep 0.3
printf '30:00;%s;Bokad;00:00:10;070-5550' "$QUEUE" >>"$F"
sleep 0.3
assert_eq "a line arriving in pieces is not counted early" 5 "$(events_total)"
printf '102;19700101-1234\r\n' >>"$F"
assert_ok "a line arriving in pieces is counted when complete" wait_events 6 5
sleep 0.3
assert_eq "and only once" 6 "$(events_total)"

# --- a partial line across a restart: counted exactly once
NOEOL=1 csv_line 2026-03-04 10:00:00 >>"$F"
sleep 0.5
assert_stops_cleanly
assert_eq "partial line not counted before the restart" 6 "$(events_total)"
tq_start
sleep 0.5
assert_eq "partial line not counted after the restart" 6 "$(events_total)"
printf '\r\n' >>"$F"
assert_ok "completed after the restart: counted" wait_events 7 5
sleep 0.5
assert_eq "completed after the restart: counted exactly once" 7 "$(events_total)"
assert_eq "on its own day" 1 "$(rcli HGET "${KP}day:2026-03-04" "$BOOKED")"

# --- a file created while the daemon runs, in the other feed
json_line PN-live-1 2026-03-05T10:00:00+01:00 web patient patient >"$J"
json_line PN-live-2 2026-03-05T11:00:00Z phone relative information >>"$J"
assert_ok "a new case file is picked up" wait_events 9 5
assert_eq "case counted with its mapped dimensions" 1 \
	"$(month_field 2026-03 'case.opened|channel=digital|party=patient|type=patient_case')"
json_line PN-live-2 2026-03-05T11:00:00Z phone relative information >>"$J"
json_line PN-live-3 2026-03-06T00:30:00+01:00 letter provider patient >>"$J"
assert_ok "a re-exported case is not counted again" wait_events 10 5
sleep 0.3
assert_eq "still 10 events after the duplicate" 10 "$(events_total)"

# A partial JSON line is held back too.
printf '{"case_id":"PN-live-4","created":"2026-03-07T09:00:00+01:00",' >>"$J"
sleep 0.5
assert_eq "a partial JSON line is not counted" 10 "$(events_total)"
printf '"source":"web","party":"patient","type":"patient"}\n' >>"$J"
assert_ok "completed JSON line counted" wait_events 11 5

# --- a burst of 100000 lines appended at once
gen_csv "$T/burst.txt" 100000 --no-header --seed 7 --from 2025-01-01 --days 365
t0=$(now_ms)
cat "$T/burst.txt" >>"$F"
if wait_events 100011 60; then
	ok "a burst of 100000 lines is counted completely ($(($(now_ms) - t0)) ms)"
else
	not_ok "a burst of 100000 lines is counted completely (counted $(events_total) of 100011)"
fi
assert_eq "day hashes agree with month hashes" "$(events_total)" "$(day_events_total)"

# --- appends while the daemon is stopped are read at the next start
assert_stops_cleanly "SIGTERM after the burst: exit status 0"
csv_line 2026-03-09 09:00:00 >>"$F"
csv_line 2026-03-09 09:01:00 >>"$F"
tq_start
assert_ok "lines appended while stopped are counted after the start" wait_events 100013 10
sleep 0.5
assert_eq "and nothing is counted twice" 100013 "$(events_total)"
assert_ok "the daemon is still running" alive "$TQ_PID"
assert_stops_cleanly
assert_no_match "no error logged" '^(<[0-3]>|.*\b(error|fatal|panic)\b)' "$(grep -v -i 'reject' "$TQ_LOG" || true)"

done_testing

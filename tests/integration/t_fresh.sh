#!/bin/sh
# t_fresh.sh — feed freshness (feeds[].max_silence) and the /healthz
# contract, on a fake calendar (TELEQD_TEST_CLOCK).
#
#   1. Lines read: /healthz 200, teleqd_feed_last_line_timestamp_seconds is
#      the calendar's now, teleqd_feed_stale 0, stats last_line:<feed> set.
#   2. The calendar moves past max_silence: /healthz 503 with one line per
#      stale feed naming it and since when; teleqd_feed_stale 1.
#   3. A line comes again on one feed: that feed is fresh (metric 0, its
#      line gone from /healthz), the other is still named, and teleqctl
#      status shows it STALE.
#   4. A FLUSHALL: the counters are rebuilt and /healthz is 200 again once
#      every feed spoke.
#   5. Mail failing: once an alert has been undeliverable for longer than
#      retry_max x 3 (6 s here, on the calendar), /healthz says so; the line
#      goes when it is delivered.
# Mail (lib.sh's sendmail stand-in): one "stale" mail per silent feed, a
# "stale_reminder" after alerts.early_warning.repeat, one "fresh" when lines
# come again, one "reset" after the FLUSHALL's rebuild; none twice.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start

set_clock "2026-03-02 09:00:00"
T0=$(cat "$T/clock")
write_config max_silence=1h max_delay_ms=50 check_interval_ms=200 repeat=2h retry_min=1s retry_max=2s

_kind_is() { [ "$(kind_count "$1")" = "$2" ]; }
# wait_mail DESCRIPTION KIND N: waits for N mails of KIND, then checks no more come.
wait_mail() {
	wait_for 10 _kind_is "$2" "$3" || true
	sleep 1                          # five more checks: nothing is sent twice
	assert_eq "$1" "$3" "$(kind_count "$2")"
}
# subjects_of KIND: the decoded subjects of the mails of KIND, sorted.
subjects_of() {
	python3 - "$MAIL_DIR" "$1" <<'EOF_PY'
import email, email.policy, glob, sys
out = []
for f in glob.glob(sys.argv[1] + "/*.eml"):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    if str(m["X-Teleqd-Kind"]) == sys.argv[2]:
        out.append(str(m["Subject"]))
for s in sorted(out):
    print(s)
EOF_PY
}
C=$(csv_path fresh)
J=$(jsonl_path fresh)
{ printf '%s\r\n' "$CSV_HEADER"; csv_line 2026-03-02 08:59:00; } >"$C"
json_line c1 2026-03-02T08:58:00+01:00 >"$J"
tq_start
_listening() { grep -q 'http: listening on ' "$TQ_LOG"; }
wait_for 10 _listening || bail "no 'http: listening on' line"
PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://')
wait_events 2

# --- 1. fresh -----------------------------------------------------------------
if wait_for 10 health_says 200; then ok "healthz 200 while the feeds speak"; else
	not_ok "healthz 200 while the feeds speak (got $(cat "$T/status"): $(cat "$T/body"))"; fi
wait_for 5 metric_is "teleqd_feed_last_line_timestamp_seconds{feed=\"$CSV_FEED\"}" "$T0" || true
assert_eq "last line metric is the calendar's now" "$T0" \
	"$(metric_value "$T/metrics" "teleqd_feed_last_line_timestamp_seconds{feed=\"$CSV_FEED\"}")"
assert_eq "teleq not stale" 0 "$(metric_value "$T/metrics" "teleqd_feed_stale{feed=\"$CSV_FEED\"}")"
assert_eq "cases not stale" 0 "$(metric_value "$T/metrics" "teleqd_feed_stale{feed=\"$JSONL_FEED\"}")"
assert_eq "stats last_line:$CSV_FEED committed" "$T0" "$(rcli HGET "${KP}stats" "last_line:$CSV_FEED")"

# --- 2. silence ---------------------------------------------------------------
set_clock "2026-03-02 10:00:00"      # exactly max_silence: not yet
sleep 1.2                            # the daemon reads the clock file at most once a second
http_get /healthz
assert_eq "healthz 200 at exactly max_silence" 200 "$(cat "$T/status")"
set_clock "2026-03-02 10:00:02"
if wait_for 5 health_says 503; then ok "healthz 503 after max_silence"; else
	not_ok "healthz 503 after max_silence (got $(cat "$T/status"))"; fi
SINCE=$(date -u -d "@$T0" +%Y-%m-%dT%H:%M:%SZ)
assert_contains "healthz names teleq and since when" \
	"feed $CSV_FEED: no lines since $SINCE (max_silence 3600 s)" "$(cat "$T/body")"
assert_contains "healthz names cases" "feed $JSONL_FEED: no lines since $SINCE" "$(cat "$T/body")"
assert_eq "one line per reason" 2 "$(wc -l <"$T/body" | tr -d ' ')"
wait_for 5 metric_is "teleqd_feed_stale{feed=\"$CSV_FEED\"}" 1 || true
assert_eq "teleqd_feed_stale teleq 1" 1 "$(metric_value "$T/metrics" "teleqd_feed_stale{feed=\"$CSV_FEED\"}")"
assert_eq "teleqd_feed_stale cases 1" 1 "$(metric_value "$T/metrics" "teleqd_feed_stale{feed=\"$JSONL_FEED\"}")"
wait_mail "one stale mail per silent feed" stale 2
assert_eq "stale subjects name the feed and since when" \
	"$(printf 'Inga nya rader från %s sedan 2026-03-02 09:00\nInga nya rader från %s sedan 2026-03-02 09:00' \
	"$JSONL_FEED" "$CSV_FEED")" "$(subjects_of stale)"
assert_eq "no reminder before repeat" 0 "$(kind_count stale_reminder)"

set_clock "2026-03-02 12:00:05"      # repeat (2h) after the stale mails
wait_mail "one reminder per feed after repeat" stale_reminder 2
assert_contains "the reminder says since when" "från $CSV_FEED sedan 2026-03-02 09:00" \
	"$(subjects_of stale_reminder)"
assert_eq "still one stale mail per feed" 2 "$(kind_count stale)"

# --- 3. a line again ----------------------------------------------------------
T1=$(cat "$T/clock")
csv_line 2026-03-02 10:00:01 >>"$C"
wait_events 3
if wait_for 5 metric_is "teleqd_feed_stale{feed=\"$CSV_FEED\"}" 0; then ok "teleq fresh again"; else
	not_ok "teleq fresh again"; fi
assert_eq "last line metric moved" "$T1" \
	"$(metric_value "$T/metrics" "teleqd_feed_last_line_timestamp_seconds{feed=\"$CSV_FEED\"}")"
http_get /healthz
assert_eq "still 503: cases is silent" 503 "$(cat "$T/status")"
assert_no_match "teleq no longer named" "feed $CSV_FEED:" "$(cat "$T/body")"
assert_contains "cases still named" "feed $JSONL_FEED:" "$(cat "$T/body")"

ST=$(ctl status)
assert_match "teleqctl status: cases stale" "feed $JSONL_FEED \\(" "$ST"
assert_eq "teleqctl status: one feed STALE" 1 "$(printf '%s\n' "$ST" | grep -c 'STALE')"
assert_eq "teleqctl status: the stale one is cases" "$JSONL_FEED" \
	"$(printf '%s\n' "$ST" | awk '/^feed / { f = $2 } /STALE/ { print f }')"
wait_mail "one fresh mail when teleq speaks again" fresh 1
assert_eq "the fresh mail names teleq" "Åtgärdat: nya rader från $CSV_FEED igen" "$(subjects_of fresh)"
assert_contains "teleqctl status --json: stale" '"stale":true' "$(ctl status --format json)"

# --- 4. Redis emptied -----------------------------------------------------------
json_line c2 2026-03-02T10:00:00+01:00 >>"$J"
wait_events 4
if wait_for 5 health_says 200; then ok "healthz 200 once both feeds spoke"; else
	not_ok "healthz 200 once both feeds spoke (got $(cat "$T/status"): $(cat "$T/body"))"; fi
wait_mail "a fresh mail for cases too" fresh 2
assert_eq "no reset mail before a reset" 0 "$(kind_count reset)"
rcli FLUSHALL >/dev/null
csv_line 2026-03-02 10:00:05 >>"$C"      # the next commit finds the store emptied
_reset_logged() { grep -q 'the store was emptied' "$TQ_LOG"; }
if wait_for 10 _reset_logged; then ok "the reset is found"; else not_ok "the reset is found"; fi
wait_events 5
if wait_for 10 health_says 200; then ok "healthz 200 once the rebuild is done"; else
	not_ok "healthz 200 once the rebuild is done (got $(cat "$T/status"): $(cat "$T/body"))"; fi
assert_contains "the rebuild is logged" "counters are rebuilt from the files still followed" \
	"$(cat "$TQ_LOG")"
wait_mail "one reset mail after the rebuild" reset 1
assert_eq "reset subject" "Siffrorna har byggts om: Redis var tömt" "$(subjects_of reset)"
RB=$(python3 - "$MAIL_DIR" <<'EOF_PY'
import email, email.policy, glob, sys
for f in glob.glob(sys.argv[1] + "/*.eml"):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if str(m["X-Teleqd-Kind"]) == "reset":
        print(m.get_body().get_content())
EOF_PY
)
assert_contains "reset mail: the dates re-read" "2026-03-02 till 2026-03-02" "$(echo "$RB" | tr '\n' ' ')"
assert_eq "no fresh mail after the reset (state kept in Redis was emptied, feeds fresh)" 2 "$(kind_count fresh)"

# --- 5. undeliverable alerts -----------------------------------------------------
touch "$T/mail_fail"
set_clock "2026-03-02 13:30:00"      # both feeds silent again: two stale mails, failing
_tries() { [ "$(rcli HLEN "${KP}outbox:tries")" -ge 1 ]; }
if wait_for 10 _tries; then ok "the stale mails fail and are retried"; else not_ok "the stale mails fail and are retried"; fi
http_get /healthz
assert_no_match "not undeliverable yet (within retry_max x 3)" "^alerts:" "$(cat "$T/body")"
set_clock "2026-03-02 13:30:07"
_health_has() { http_get /healthz; grep -q "$1" "$T/body"; }
if wait_for 10 _health_has "^alerts: undeliverable since 2026-03-02T12:30:00Z (longer than 6 s)"; then
	ok "healthz: alerts undeliverable beyond retry_max x 3"; else
	not_ok "healthz: alerts undeliverable beyond retry_max x 3 ($(cat "$T/body"))"; fi
rm -f "$T/mail_fail"
_health_lacks() { http_get /healthz; ! grep -q "$1" "$T/body"; }
if wait_for 15 _health_lacks "^alerts:"; then ok "delivered: the line goes"; else
	not_ok "delivered: the line goes ($(cat "$T/body"))"; fi
assert_eq "the stale mails delivered once each" 4 "$(kind_count stale)"

tq_stop
done_testing

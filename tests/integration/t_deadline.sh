#!/bin/sh
# t_deadline.sh — the Kvalitetsstyrning deadline indicators end to end.
#
# teleq-gen --committee writes, besides the call log and the case intake,
# case-events-committee.jsonl: confirmations, first contacts, support person
# requests and appointments, provider questions, replies and postponements
# (uppskov), with lines out of order, duplicated stops, deadlines across
# both DST switches and replies at the last second of a deadline day.
# tools/committee_deadlines.py computes the same indicators independently.
#   1. Backfill on a fake calendar (3 April 2026 00:05): every month's
#      deadline:<indicator>|met|missed|pending|extended equals the
#      reference, for all of 2025 and 2026 (extended: the cases with a
#      postponement, once per case, by the month the provider was asked);
#      teleqctl report 2026-Q1 prints the Kvalitetsstyrning table with the
#      follow-up's figures (first contact 94 %, support person 88 %, provider
#      replies 90 % and 50 %) and "Uppskov: < 19 år 1 ärende, > 19 år 18
#      ärenden"; the JSON has met, decided, pending and extended; the
#      indicator hash has pending and extended.
#   2. Time decides: the daemon running on 31 March 2026 12:00 holds the
#      cases still open then as pending (= the reference at that time); the
#      calendar moves to 3 April 00:05 with no line arriving and the timer
#      turns the passed deadlines into missed (= the reference then); the
#      dashboard page shows them with their basis.
#   3. kill -9 in the middle of a backfill in small commits, then a restart:
#      the counters and case states equal an undisturbed run's (exactly once).
#      Then the data an older teleqd left (no extended counters, states with
#      a lowercase r): one run after the upgrade makes them equal again.
#   4. Redis memory: the case states are deleted once decided and older than
#      the window (a calendar years later): none left.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
# the generated committee data runs past the fake calendar, and the reference counts all of it
write_config window_days=3660 max_delay_ms=50 accept_ahead=366d
REF=$TQ_ROOT/tools/committee_deadlines.py

"$GEN" --committee "$T/feeds" >"$T/gen.out" || bail "teleq-gen --committee failed"
[ -s "$T/feeds/case-events-committee.jsonl" ] || bail "teleq-gen wrote no case events"

# cohort of the reference -> indicator of conf/teleqd.yaml
MAP="confirmation_24h=confirmation_24h first_contact_7d=first_contact_7d
support_7d=support_person_7d provider_reply_4w=provider_reply_4w
provider_reply_2w=provider_reply_2w"

# compare NAME NOW: every month's deadline counters in Redis against the
# reference at local time NOW (all lines read).
compare() {
	"$PY" "$REF" --now "$2" "$T/feeds" >"$T/ref.json" || bail "the reference failed"
	for _m in $(echo "$MAP" | tr ' ' '\n'); do
		_c=${_m%%=*}
		_i=${_m#*=}
		"$PY" - "$T/ref.json" "$_c" "$_i" >"$T/expected-$_i.txt" <<'EOF_PY'
import json, sys
ref = json.load(open(sys.argv[1]))["cohorts"][sys.argv[2]]
lines = []
for month in ref:
    if not (len(month) == 7 and month[5:].isdigit()):
        continue        # months only: quarters and years are sums of them
    r = ref[month]
    for what in ("met", "missed", "pending", "extended"):
        if r.get(what):
            lines.append("%s %s %d" % (month, what, r[what]))
if lines:
    print("\n".join(sorted(lines)))    # as LC_ALL=C sort orders the actual ones
EOF_PY
		for _k in $(keys_like 'month:*'); do
			_month=${_k##*month:}
			for _w in met missed pending extended; do
				_v=$(rcli HGET "$_k" "deadline:$_i|$_w")
				[ -z "$_v" ] || [ "$_v" = 0 ] || echo "$_month $_w $_v"
			done
		done | LC_ALL=C sort >"$T/actual-$_i.txt"
		assert_files_equal "$1: $_i per month equals the reference" \
			"$T/expected-$_i.txt" "$T/actual-$_i.txt"
	done
}

_events_settled() {
	[ "$(rcli HGET "${KP}stats" events)" = "$EVENTS" ]
}
_missed_moved() {
	[ "$(rcli HGET "${KP}month:2026-03" "deadline:confirmation_24h|missed")" -gt "${1:-0}" ]
}
_commits_at_least() {
	[ "$(rcli HGET "${KP}stats" commits)" -ge "$1" ] 2>/dev/null
}
_no_case_states() {
	[ -z "$(keys_like 'cases:*')" ]
}

# --------------------------------------------------------- 1. backfill
set_clock "2026-04-03 00:05:00"
rc=0
tq_once || rc=$?
assert_eq "backfill: teleqd --once exits 0" 0 "$rc"
compare "backfill" "2026-04-03 00:05"
EVENTS=$(rcli HGET "${KP}stats" events)

ctl report 2026-Q1 >"$T/report.txt" || bail "teleqctl report failed"
assert_match "the report has a Kvalitetsstyrning table" "^Kvalitetsstyrning 2026-Q1" "$(cat "$T/report.txt")"
row() { grep -F "$1" "$T/report.txt" | head -n 1; }
assert_match "first contact within 7 days: 94 %, 480 of 510 decided, 3 pending" \
	"94 %.*480 av 510 avgjorda, 3 pågående" "$(row 'Första kontakt inom 7 dagar')"
assert_match "confirmation within 24 hours: 99 %" "99 %.*508 av 513" "$(row 'Bekräftelse inom 24 timmar')"
assert_match "support person within 7 days: 88 %" "88 %.*22 av 25" "$(row 'Stödperson förordnad inom 7 dagar')"
assert_match "provider reply within four weeks: 90 %" "90 %.*36 av 40" "$(row 'inom fyra veckor')"
assert_match "provider reply within two weeks: 50 %" "50 %.*2 av 4" "$(row 'inom två veckor')"
assert_match "same period last year: support 5 of 9" "5 av 9" "$(row 'Stödperson förordnad inom 7 dagar')"
assert_match "postponements by age group, as cases: 1 child, 18 adults" \
	"^Uppskov: < 19 år 1 ärende, > 19 år 18 ärenden\.$" "$(grep '^Uppskov' "$T/report.txt")"

ctl report 2026-Q1 --format json >"$T/report.json" || bail "teleqctl report --format json failed"
got=$("$PY" -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["indicator"] == "first_contact_7d":
        c = r["cases"]
        print(r["kind"], c["met"], c["decided"], c["pending"], r["value"], json.dumps(r["met"]))' "$T/report.json")
assert_eq "JSON: kind, met, decided, pending, value, target met" "deadline 480 510 3 0.9412 true" "$got"
assert_eq "the indicator hash has pending" 3 "$(rcli HGET "${KP}ind:first_contact_7d:2026-Q1" pending)"
got=$("$PY" -c '
import json, sys
print(" ".join("%s=%d" % (r["indicator"], r["cases"]["extended"]) for r in json.load(open(sys.argv[1]))
               if r["indicator"].startswith("provider_reply_")))' "$T/report.json")
assert_eq "JSON: the cases with a postponement" \
	"provider_reply_2w=1 provider_reply_4w=18 provider_reply_reminders=19" "$got"
prev=$("$PY" -c '
import json, sys
print(json.load(open(sys.argv[1]))["cohorts"]["provider_reply_4w"]["2025-Q1"]["extended"])' "$T/ref.json")
assert_eq "the indicator hash has extended, and last year's as the reference" "18 $prev" \
	"$(rcli HMGET "${KP}ind:provider_reply_4w:2026-Q1" extended prev_extended | tr '\n' ' ' | sed 's/ $//')"
assert_eq "the indicator hash: met of decided" "480 510" \
	"$(rcli HMGET "${KP}ind:first_contact_7d:2026-Q1" numerator denominator | tr '\n' ' ' | sed 's/ $//')"
assert_ok "case states are stored under K cases:<indicator>, never the case id" \
	[ "$(rcli HLEN "${KP}cases:first_contact_7d")" -gt 900 ]
dump_everything "$T/everything.txt"
assert_eq "no case id of the feeds appears in Redis" "" "$(grep -E 'PN-20|SP-20' "$T/everything.txt" | head -n 3)"
dump_hashes_dl() {
	for _k in $(keys_like 'month:*') $(keys_like 'cases:*'); do
		# a counter that went up and down in different commits stays as a 0
		rcli HGETALL "$_k" | paste - - | grep -E '^deadline:|^[a-p]{32}	' | grep -v '	0$' |
			sed "s|^|$_k |"
	done | LC_ALL=C sort
}
dump_hashes_dl >"$T/undisturbed.txt"

# --------------------------------------------------- 2. time decides
rcli FLUSHALL >/dev/null
set_clock "2026-03-31 12:00:00"
tq_start
wait_for 60 _events_settled || bail "the backfill did not settle"
compare "on 31 March 12:00" "2026-03-31 12:00"
before=$(rcli HGET "${KP}month:2026-03" "deadline:confirmation_24h|missed")
set_clock "2026-04-03 00:05:00"
assert_ok "no line arrives, the calendar moves: the timer decides the passed deadlines" \
	wait_for 10 _missed_moved "$before"
compare "after the calendar moved" "2026-04-03 00:05"
port=$(sed -n 's/.*http: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TQ_LOG" | tail -n 1)
page=$("$PY" -c '
import sys, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(o.open("http://127.0.0.1:%s/" % sys.argv[1], timeout=10).read().decode())' "$port" 2>&1 || true)
assert_match "the dashboard page shows the deadline indicators with their basis" \
	"Första kontakt inom 7 dagar" "$page"
assert_match "... met of decided, and the pending ones" "av [0-9]* avgjorda, [0-9]* pågående" "$page"
tq_stop || true

# ------------------------------------------------ 3. kill -9 and restart
rcli FLUSHALL >/dev/null
write_config window_days=3660 max_delay_ms=50 max_events=300 accept_ahead=366d
set_clock "2026-04-03 00:05:00"
tq_start
wait_for 30 _commits_at_least 3 || bail "no commits to interrupt"
tq_kill9
rc=0
tq_once || rc=$?
assert_eq "after kill -9: teleqd --once exits 0" 0 "$rc"
dump_hashes_dl >"$T/after-kill.txt"
assert_files_equal "kill -9 mid-backfill and restart: deadline counters and case states equal an undisturbed run" \
	"$T/undisturbed.txt" "$T/after-kill.txt"

# ------------------------- 3b. upgrade from a teleqd before extended
# What an older teleqd left: no extended counters, every case state's r
# in lowercase. The first tick after the upgrade counts the extensions of
# the states still held, exactly once, with their states (uppercase again).
rcli EVAL "for _, k in ipairs(KEYS) do
	local t = redis.call('HGETALL', k)
	for i = 1, #t, 2 do
		redis.call('HSET', k, t[i], (string.gsub(t[i + 1], ' r=(%u):', function(c)
			return ' r=' .. string.lower(c) .. ':' end)))
	end
end
return 0" $(keys_like 'cases:*' | wc -l) $(keys_like 'cases:*') >/dev/null
rcli EVAL "for _, k in ipairs(KEYS) do
	for _, f in ipairs(redis.call('HKEYS', k)) do
		if string.match(f, '^deadline:.*|extended$') then redis.call('HDEL', k, f) end
	end
end
return 0" $(keys_like 'month:*' | wc -l) $(keys_like 'month:*') >/dev/null
assert_eq "the old teleqd's data: no extended counter left" "" \
	"$(for _k in $(keys_like 'month:*'); do rcli HKEYS "$_k"; done | grep '|extended$' | head -n 1)"
rc=0
tq_once || rc=$?
assert_eq "upgraded: teleqd --once exits 0" 0 "$rc"
dump_hashes_dl >"$T/after-upgrade.txt"
assert_files_equal "upgraded: the extended counters and case states equal an undisturbed run" \
	"$T/undisturbed.txt" "$T/after-upgrade.txt"
tq_once || true
dump_hashes_dl >"$T/after-upgrade2.txt"
assert_files_equal "... and a second run counts nothing again" "$T/undisturbed.txt" "$T/after-upgrade2.txt"

# ------------------------------------------------- 4. states expire
set_clock "2036-06-01 12:00:00"
write_config window_days=30 max_delay_ms=50 accept_ahead=366d
tq_start
assert_ok "years later every decided case state is deleted" wait_for 10 _no_case_states
compare "years later (every case decided, the states gone)" "2036-06-01 12:00"
tq_stop || true
done_testing

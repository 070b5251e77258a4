#!/bin/sh
# t_dedup_window.sh — the de-duplication window, relative to today.
#
# A case id is kept in the seen set of its month until dedup.window_days
# after the month ends. Within the window a re-exported case is counted
# once, whether its copies share a commit or not; beyond it there is no set
# left to compare with, so each copy counts (and no set is written: Redis
# memory does not grow with a backfill of old ids). Dates are relative to
# the day the test runs, so it means the same on any day.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config window_days=30 max_events=2

J=$(jsonl_path window)
old=$(date -u -d '-100 days' +%Y-%m-%dT12:00:00Z)
recent=$(date -u -d '-2 days' +%Y-%m-%dT12:00:00Z)
line() {
	printf '{"case_id":"%s","created":"%s","source":"web","party":"patient","type":"patient"}\n' "$1" "$2"
}
{
	# batches of 2 events: the copies fall in one commit and across commits
	line OLD-1 "$old"; line OLD-1 "$old"; line OLD-1 "$old"
	line NEW-1 "$recent"; line NEW-1 "$recent"; line NEW-2 "$recent"; line NEW-1 "$recent"
} >"$J"

rc=0
tq_once || rc=$?
assert_eq "teleqd --once exits 0" 0 "$rc"
old_month=$(date -u -d '-100 days' +%Y-%m)
new_month=$(date -u -d '-2 days' +%Y-%m)
assert_eq "beyond the window every copy counts (3 of OLD-1)" 3 \
	"$(hash_sum "${KP}month:$old_month")"
assert_eq "within the window a case counts once (NEW-1, NEW-2)" 2 \
	"$(hash_sum "${KP}month:$new_month")"
assert_eq "duplicates counted: 2 copies of NEW-1" 2 "$(rcli HGET "${KP}stats" duplicates)"
assert_eq "no seen set for the month beyond the window" 0 "$(rcli EXISTS "${KP}seen:$old_month")"
assert_eq "the recent month's seen set holds 2 ids" 2 "$(rcli SCARD "${KP}seen:$new_month")"
ttl=$(rcli TTL "${KP}seen:$new_month")
if [ "$ttl" -gt $((30 * 86400)) ] && [ "$ttl" -le $((62 * 86400)) ]; then
	ok "the seen set expires window_days after its month ($ttl s)"
else
	not_ok "the seen set expires window_days after its month (TTL $ttl)"
fi

# Again over the same lines (flushed positions only): every recent id is a repeat now.
rcli DEL "${KP}files" >/dev/null
rc=0
tq_once || rc=$?
assert_eq "second --once exits 0" 0 "$rc"
assert_eq "re-reading: the recent month is unchanged" 2 \
	"$(hash_sum "${KP}month:$new_month")"
assert_eq "re-reading: all 4 recent lines are duplicates now" 6 "$(rcli HGET "${KP}stats" duplicates)"
assert_eq "re-reading: the old month counts its 3 copies again" 6 \
	"$(hash_sum "${KP}month:$old_month")"
done_testing

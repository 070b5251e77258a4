#!/bin/sh
# t_dedup_window.sh — the de-duplication window slides with the writes.
#
# A record id is remembered in the seen buckets of its month
# (seen:YYYY-MM:<bb>) for dedup.window_days after the last commit that
# wrote to that bucket, whatever the age of the month: a backfill of last
# year's exports read twice counts every case once. The window bounds the
# memory by what arrived in it: a bucket nobody wrote to for window_days is
# gone, and its ids count again. Dates are relative to the day the test
# runs, so it means the same on any day.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config window_days=30 max_events=2

J=$(jsonl_path window)
old=$(date -u -d '-400 days' +%Y-%m-%dT12:00:00Z)
recent=$(date -u -d '-2 days' +%Y-%m-%dT12:00:00Z)
line() {
	printf '{"case_id":"%s","created":"%s","source":"web","party":"patient","type":"patient"}\n' "$1" "$2"
}
{
	# batches of 2 events: the copies fall in one commit and across commits
	line OLD-1 "$old"; line OLD-1 "$old"; line OLD-2 "$old"; line OLD-1 "$old"
	line NEW-1 "$recent"; line NEW-1 "$recent"; line NEW-2 "$recent"; line NEW-1 "$recent"
} >"$J"

# once WHAT: teleqd --once over the file, which must exit 0.
once() {
	rc=0
	tq_once || rc=$?
	assert_eq "$1 --once exits 0" 0 "$rc"
}
# reread WHAT: the same from the file's start (its flushed position dropped).
reread() {
	rcli DEL "${KP}files" >/dev/null
	once "$1"
}
once teleqd
old_month=$(date -u -d '-400 days' +%Y-%m)
new_month=$(date -u -d '-2 days' +%Y-%m)
assert_eq "a month 400 days old, past window_days 30: a case counts once (OLD-1, OLD-2)" 2 \
	"$(hash_sum "${KP}month:$old_month")"
assert_eq "within the window a case counts once (NEW-1, NEW-2)" 2 \
	"$(hash_sum "${KP}month:$new_month")"
assert_eq "duplicates counted: 2 copies of OLD-1, 2 of NEW-1" 4 "$(rcli HGET "${KP}stats" duplicates)"

# seen_ids MONTH: ids remembered over the month's buckets; seen_ttls MONTH:
# the TTL of each bucket (seconds), one a line.
seen_ids() {
	keys_like "seen:$1:*" | while IFS= read -r _k; do rcli SCARD "$_k"; done |
		awk '{ s += $1 } END { printf "%d\n", s }'
}
seen_ttls() {
	keys_like "seen:$1:*" | while IFS= read -r _k; do rcli TTL "$_k"; done
}
assert_eq "the old month's buckets hold its 2 ids" 2 "$(seen_ids "$old_month")"
assert_eq "the recent month's buckets hold its 2 ids" 2 "$(seen_ids "$new_month")"
assert_eq "a bucket's members are integers (an intset, 8 bytes an id)" intset \
	"$(rcli OBJECT ENCODING "$(keys_like "seen:$old_month:*" | head -n 1)")"
# Sliding: window_days from the last write, whatever the month.
bad=$(seen_ttls "$old_month"; seen_ttls "$new_month")
bad=$(echo "$bad" | awk -v w=$((30 * 86400)) '$1 > w || $1 < w - 600 { n++ } END { print n + 0 }')
assert_eq "every bucket expires window_days (30) after its last write" 0 "$bad"

# Again over the same lines (flushed positions only): every id is a repeat now.
# One old bucket is made to look written long ago; the re-read writes it and
# its TTL is window_days again.
ob=$(keys_like "seen:$old_month:*" | head -n 1)
rcli EXPIRE "$ob" 1000 >/dev/null
reread second
assert_eq "re-reading: the old month is unchanged" 2 "$(hash_sum "${KP}month:$old_month")"
assert_eq "re-reading: the recent month is unchanged" 2 "$(hash_sum "${KP}month:$new_month")"
assert_eq "re-reading: all 8 lines are duplicates now" 12 "$(rcli HGET "${KP}stats" duplicates)"
ttl=$(rcli TTL "$ob")
if [ "$ttl" -gt $((30 * 86400 - 600)) ] && [ "$ttl" -le $((30 * 86400)) ]; then
	ok "a write slides the bucket's expiry to window_days from now ($ttl s)"
else
	not_ok "a write slides the bucket's expiry to window_days from now (TTL $ttl)"
fi

# A bucket nobody wrote to for window_days is gone (here: made to expire
# now), and its ids count again: the memory is bounded by the window.
for k in $(keys_like "seen:$old_month:*"); do
	rcli PEXPIRE "$k" 1 >/dev/null
done
sleep 0.2
assert_eq "expired buckets are gone" 0 "$(keys_like "seen:$old_month:*" | wc -l)"
reread third
assert_eq "after the window the old month's 2 ids count again" 4 "$(hash_sum "${KP}month:$old_month")"
assert_eq "the recent month is still unchanged" 2 "$(hash_sum "${KP}month:$new_month")"
done_testing

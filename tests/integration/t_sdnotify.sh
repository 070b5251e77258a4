#!/bin/sh
# t_sdnotify.sh — systemd notification: READY, STATUS, WATCHDOG, RELOADING,
# STOPPING, as systemd would receive them.
#
# notify_socket.py stands in for systemd: it binds the AF_UNIX datagram
# socket NOTIFY_SOCKET names and writes every datagram to a file, one line
# each ("<ms> <datagram>", newlines inside as \n). WATCHDOG_USEC=500000 asks
# for the watchdog (WATCHDOG_PID stays unset: then it is ours).
#
#   1. Redis up: READY=1; a STATUS saying how much was counted and that
#      redis is connected; WATCHDOG=1 every 250 ms; SIGHUP: RELOADING=1
#      then READY=1, and counting goes on; a SIGHUP with a broken config:
#      no RELOADING=1; SIGTERM: STOPPING=1 and exit status 0.
#   2. Redis down at start: READY=1 all the same, the STATUS says
#      "waiting for redis" and is not repeated while it does not change;
#      Redis coming up shows in the STATUS; a SIGHUP while Redis is down is
#      applied without waiting for it.
#   3. Without NOTIFY_SOCKET nothing is logged about it; with a socket
#      nobody listens on, one warning, not one per watchdog tick.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins

NSOCK=$T/notify.sock
NLOG=$T/notify.log
NPID=

# notify_start: a fresh receiver on $NSOCK writing to an empty $NLOG.
notify_start() {
	notify_stop
	: >"$NLOG"
	rm -f "$NSOCK"
	"$PY" "$TQ_ROOT/tests/integration/notify_socket.py" "$NSOCK" "$NLOG" 2>>"$T/notify.err" &
	NPID=$!
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $NPID"
	wait_for 10 test -S "$NSOCK" || { diag_file "$T/notify.err"; bail "notify_socket.py did not bind $NSOCK"; }
}

notify_stop() {
	signal_and_reap TERM "$NPID"
	NPID=
}

# tq_start_notified [ARGS...]: teleqd with NOTIFY_SOCKET and a 500 ms watchdog.
tq_start_notified() {
	unset WATCHDOG_PID
	export NOTIFY_SOCKET="$NSOCK" WATCHDOG_USEC=500000
	tq_start "$@"
	unset NOTIFY_SOCKET WATCHDOG_USEC
}

# msgs: the datagrams received so far, one per line (time stamps cut off).
msgs() {
	cut -d' ' -f2- "$NLOG"
}

# has_msg ERE: some datagram matches.
has_msg() {
	msgs | grep -q -E -e "$1"
}

# count_msg ERE: how many datagrams match.
count_msg() {
	msgs | grep -c -E -e "$1" || true
}

# line_of_msg ERE [AFTER]: number of the first datagram matching ERE after
# line AFTER (default 0); empty when none.
line_of_msg() {
	msgs | awk -v re="$1" -v after="${2:-0}" 'NR > after && $0 ~ re { print NR; exit }'
}

# last_status: the text of the latest STATUS datagram.
last_status() {
	msgs | sed -n 's/^STATUS=//p' | tail -n 1
}

# status_matches ERE: the latest STATUS matches ERE (for wait_for).
status_matches() {
	last_status | grep -q -E -e "$1"
}

# The STATUS format, with the figures left open ("stopping; " or
# "reloading; " in front meanwhile).
STATUS_RE='^((stopping|reloading); )?[0-9]+ feeds?, [0-9]+ files?, [0-9]+ events in [0-9]+ commits?, [0-9.]+ (B|KiB|MiB|GiB|TiB) behind; (redis connected|waiting for redis); (last commit [0-9]+\.[0-9] s ago|no commit yet)$'

# check_datagrams WHAT: every datagram so far is a known assignment, every
# STATUS has the documented format, and no STATUS repeats the one before.
check_datagrams() {
	assert_eq "$1: every datagram is a known assignment" "" \
		"$(msgs | grep -v -E '^(READY=1|WATCHDOG=1|STOPPING=1|STATUS=.*|RELOADING=1\\nMONOTONIC_USEC=[0-9]+)$' || true)"
	assert_eq "$1: every STATUS has the documented format" "" \
		"$(msgs | sed -n 's/^STATUS=//p' | grep -v -E -e "$STATUS_RE" || true)"
	assert_eq "$1: no STATUS is sent twice in a row" "" "$(msgs | grep '^STATUS=' | uniq -d)"
}

# ------------------------------------------------------------ 1. redis up
redis_start
write_config
F=$(csv_path sd)
gen_csv "$F" 1000 --seed 11
notify_start
tq_start_notified

assert_ok "READY=1 arrives" wait_for 5 has_msg '^READY=1$'
assert_ok "the 1000 lines of the feed are counted" wait_events 1000 20
if wait_for 6 status_matches '^3 feeds, 1 file, 1000 events in [0-9]+ commits?, 0 B behind; redis connected; last commit'; then
	ok "STATUS: 3 feeds, 1 file, the 1000 events, nothing behind, redis connected"
else
	not_ok "STATUS: 3 feeds, 1 file, the 1000 events, nothing behind, redis connected"
	diag "  last STATUS: '$(last_status)'"
fi

# Watchdog: WATCHDOG_USEC=500000, so WATCHDOG=1 every 250 ms.
t0=$(now_ms)
sleep 1.5
n=$(awk -v t0="$t0" -v t1="$((t0 + 1500))" '$1 >= t0 && $1 <= t1 && $2 == "WATCHDOG=1" { n++ } END { print n + 0 }' "$NLOG")
if [ "$n" -ge 3 ] && [ "$n" -le 12 ]; then
	ok "WATCHDOG=1 repeatedly: $n within 1.5 s"
else
	not_ok "WATCHDOG=1 repeatedly: $n within 1.5 s (want 3..12)"
fi

# SIGHUP: RELOADING=1 (with MONOTONIC_USEC, for Type=notify-reload), then READY=1.
kill -HUP "$TQ_PID"
if wait_for 5 has_msg '^RELOADING=1\\nMONOTONIC_USEC=[0-9]+$'; then
	ok "SIGHUP: RELOADING=1 with MONOTONIC_USEC"
else
	not_ok "SIGHUP: RELOADING=1 with MONOTONIC_USEC"
fi
rl=$(line_of_msg '^RELOADING=1')
rd() { [ -n "$(line_of_msg '^READY=1$' "${rl:-999999}")" ]; }
assert_ok "SIGHUP: READY=1 after RELOADING=1" wait_for 5 rd
assert_ok "the reload is logged as applied" wait_for 5 grep -q 'configuration reloaded' "$TQ_LOG"
gen_csv "$T/more.txt" 200 --no-header --seed 12
cat "$T/more.txt" >>"$F"
assert_ok "after the reload appended lines are counted" wait_events 1200 10

# A SIGHUP with a broken config is refused before anything: no RELOADING=1.
cp "$CONF" "$T/good.yaml"
echo "no_such_key: 1" >>"$CONF"
nrl=$(count_msg '^RELOADING=1')
kill -HUP "$TQ_PID"
assert_ok "a broken config is refused at SIGHUP" wait_for 5 grep -q 'reload: .*keeping the running configuration' "$TQ_LOG"
sleep 0.3
assert_eq "a refused reload sends no RELOADING=1" "$nrl" "$(count_msg '^RELOADING=1')"
cp "$T/good.yaml" "$CONF"

rc=0
tq_stop || rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
assert_ok "SIGTERM: STOPPING=1" has_msg '^STOPPING=1$'
assert_eq "STOPPING=1 comes last but for watchdog and status" "STOPPING=1" \
	"$(msgs | grep -v -E '^(WATCHDOG=1|STATUS=)' | tail -n 1)"
check_datagrams "redis up"

# ----------------------------------------------------- 2. redis down at start
redis_stop
notify_start
: >"$TQ_LOG"
tq_start_notified
assert_ok "redis down: READY=1 all the same" wait_for 5 has_msg '^READY=1$'
assert_ok "redis down: STATUS says waiting for redis" wait_for 5 status_matches 'waiting for redis; no commit yet$'
# The status timer runs every 2 s; the text does not change: sent once.
sleep 4.5
assert_eq "redis down: the unchanged STATUS is sent once in 4.5 s" 1 "$(count_msg '^STATUS=')"
assert_ok "redis down: the daemon keeps running" alive "$TQ_PID"

redis_start
assert_ok "redis up: the STATUS says redis connected" wait_for 10 status_matches '; redis connected; '
assert_ok "redis up: the feed is counted again from the start" wait_events 1200 20

# A reload while Redis is down is applied at once: READY=1 follows RELOADING=1.
redis_stop
assert_ok "redis stopped: the STATUS says waiting for redis" wait_for 10 status_matches 'waiting for redis'
kill -HUP "$TQ_PID"
assert_ok "SIGHUP with redis down: RELOADING=1" wait_for 5 has_msg '^RELOADING=1'
rl=$(line_of_msg '^RELOADING=1')
assert_ok "SIGHUP with redis down: READY=1 without waiting for redis" wait_for 5 rd
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM with redis down: exit status 0" 0 "$rc"
assert_ok "SIGTERM with redis down: STOPPING=1" has_msg '^STOPPING=1$'
check_datagrams "redis down"
notify_stop

# -------------------------------------------------- 3. quiet without systemd
redis_start
: >"$TQ_LOG"
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
tq_start
sleep 1
tq_stop || true
assert_no_match "without NOTIFY_SOCKET nothing is logged about it" 'sd_notify|watchdog' "$(cat "$TQ_LOG")"

: >"$TQ_LOG"
rm -f "$T/nobody.sock"
export NOTIFY_SOCKET="$T/nobody.sock" WATCHDOG_USEC=200000
tq_start
unset NOTIFY_SOCKET WATCHDOG_USEC
sleep 1.5
rc=0
tq_stop || rc=$?
assert_eq "a socket nobody listens on: exit status 0 all the same" 0 "$rc"
assert_eq "a socket nobody listens on: one warning, not one per tick" 1 "$(grep -c 'sd_notify' "$TQ_LOG" || true)"

done_testing

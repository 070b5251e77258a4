#!/bin/sh
# t_security.sh — secrets and listeners.
#
# The Redis password comes only from a file that others cannot read: a
# world-readable one is refused by teleqd and teleqctl, and the password is
# never on a command line or in a log. A wrong password is logged and
# retried, not fatal. The dedup secret is refused when readable by others.
# Without an http: section nothing listens; with the shipped one the
# listener is bound to loopback only.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config
F=$(csv_path sec)
printf '%s\r\n' "$CSV_HEADER" >"$F"
csv_line 2026-03-02 08:00:00 >>"$F"

pass_file=$(conf_value password_file "$CONF")
secret_file=$(conf_value secret_file "$CONF")
[ -n "$pass_file" ] && [ -n "$secret_file" ] || bail "the test config has no password_file/secret_file"

# --- a world-readable password file is refused
chmod 644 "$pass_file"
rc=0
timeout 10 "$TELEQD" -c "$CONF" </dev/null >"$T/out" 2>&1 || rc=$?
assert_eq "teleqd refuses a world-readable password file (exit 1)" 1 "$rc"
assert_match "and says why" '^<3>redis: redis\.password_file .*: accessible by others \(mode 0644\); run chmod o-rwx$' "$(cat "$T/out")"
rc=0
ctl status >/dev/null || rc=$?
assert_ne "teleqctl refuses it too" 0 "$rc"
assert_match "and says why" 'redis\.password_file .*: accessible by others \(mode 0644\)' "$(cat "$T/teleqctl.err")"
chmod 600 "$pass_file"

# --- a world-readable dedup secret is refused
chmod 644 "$secret_file"
rc=0
timeout 10 "$TELEQD" -c "$CONF" </dev/null >"$T/out" 2>&1 || rc=$?
assert_eq "teleqd refuses a world-readable dedup secret (exit 1)" 1 "$rc"
assert_match "and says why" '^<3>dedup\.secret_file .*: accessible by others \(mode 0644\); run chmod o-rwx$' "$(cat "$T/out")"
chmod 600 "$secret_file"

# --- the password is never on the command line or in the log
tq_start -v
assert_ok "the line is counted (AUTH with user and password file works)" wait_events 1 10
assert_no_match "the password is not on teleqd's command line" "$REDIS_PASS" \
	"$(tr '\0' ' ' <"/proc/$TQ_PID/cmdline")"

# --- listeners: loopback only
# listening TCP sockets of pid $1 as "ADDR:PORT" (hex, from /proc/net/tcp{,6})
listening() {
	_inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p')
	for _i in $_inodes; do
		awk -v ino="$_i" '$4 == "0A" && $10 == ino { print $2 }' /proc/net/tcp /proc/net/tcp6
	done
}
l=$(listening "$TQ_PID")
assert_match "the shipped http: listener is bound (one socket)" '^[0-9A-F]+:[0-9A-F]{4}$' "$l"
assert_match "on 127.0.0.1 only" '^0100007F:' "$l"
assert_ok "stopped" tq_stop

# without http: nothing listens at all
awk '/^http:/ { skip = 1; next } skip && /^[^ \t#]/ { skip = 0 } !skip { print }' "$CONF" >"$CONF.nohttp"
mv "$CONF.nohttp" "$CONF"
"$TELEQD" -n -c "$CONF" >/dev/null || bail "config without http: rejected"
tq_start
sleep 0.5
assert_eq "without an http: section teleqd listens on no TCP port" "" "$(listening "$TQ_PID")"
assert_ok "stopped" tq_stop

# --- a wrong password: logged, retried, never fatal, never printed
printf 'not-the-password\n' >"$pass_file"
tq_start
_auth_logged() {
	grep -q -i 'auth\|WRONGPASS\|password' "$TQ_LOG"
}
assert_ok "a refused AUTH is logged" wait_for 5 _auth_logged
assert_ok "and the daemon keeps running (retrying)" alive "$TQ_PID"
assert_no_match "the log never shows a password" "not-the-password|$REDIS_PASS" "$(cat "$TQ_LOG")"
printf '%s\n' "$REDIS_PASS" >"$pass_file"
assert_ok "stopped" tq_stop
done_testing

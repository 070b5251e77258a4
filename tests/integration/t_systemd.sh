#!/bin/sh
# t_systemd.sh — the systemd unit as `make install` writes it:
#   - `systemd-analyze verify` passes (unit syntax, known directives, the
#     programs of ExecStartPre/ExecStart/ExecReload exist and are executable,
#     the man pages named by Documentation= exist);
#   - `systemd-analyze security --offline=true` rates its exposure at or
#     below 2.0 ("OK" or better);
#   - the directives the deployment relies on are there (Type=notify,
#     NotifyAccess=main, the watchdog, the config check, the hardening);
#   - the example drop-in for postfix verifies too.
#
# The unit is installed into a staging root (make install DESTDIR=...
# PREFIX=/usr BUILD=$BUILD: the binaries already built, nothing rebuilt).
# systemd-analyze needs no running systemd, but it checks that ExecStart's
# program exists on this host, and /usr/sbin/teleqd is not installed here:
# it verifies a copy of the installed unit whose teleqd paths point into the
# staging root (the test checks the copy differs in nothing else), with
# MANPATH pointing at the staged man pages. (`verify --root=` would need a
# whole OS tree: sysinit.target, /bin/kill.)
#
# Skips (TAP "ok N - ... # skip") only when systemd-analyze is not
# installed (package systemd).
set -eu
. "$(dirname "$0")/lib.sh"

# skip DESCRIPTION REASON: a check that could not run here.
skip() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $1 # skip $2"
}

[ -x "$TELEQD" ] || bail "$TELEQD missing: build with make (BUILD=$BUILD)"
UNIT_IN=$TQ_ROOT/systemd/teleqd.service.in
[ -r "$UNIT_IN" ] || bail "$UNIT_IN missing"

R=$T/root
# make without the parent make's flags (-j, SAN=1 ... from `make check`).
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TQ_ROOT" install \
	DESTDIR="$R" PREFIX=/usr BUILD="$BUILD" >"$T/install.log" 2>&1; then
	diag_file "$T/install.log"
	bail "make install DESTDIR=$R PREFIX=/usr BUILD=$BUILD failed"
fi
UNIT=$R/lib/systemd/system/teleqd.service
[ -f "$UNIT" ] || bail "make install wrote no $UNIT"

# ------------------------------------------------------- what the unit says

# unit_values KEY: the values of KEY= in the installed unit, one a line.
unit_values() {
	sed -n "s/^$1=//p" "$UNIT"
}
assert_eq "Type=notify" notify "$(unit_values Type)"
assert_eq "NotifyAccess=main" main "$(unit_values NotifyAccess)"
assert_match "WatchdogSec= is set" '^[0-9]+(s|min)?$' "$(unit_values WatchdogSec)"
assert_eq "Restart=on-failure" on-failure "$(unit_values Restart)"
# a start that keeps failing (ExecStartPre= refusing a missing key) must end
# in a failed unit, not restart every RestartSec= for ever: the default limit
# (5 starts in 10 s) is never reached 5 s apart
assert_eq "StartLimitBurst=5" 5 "$(unit_values StartLimitBurst)"
assert_eq "StartLimitIntervalSec=300 (5 tries at RestartSec=5s fit in it)" 300 \
    "$(unit_values StartLimitIntervalSec)"
assert_eq "ExecStartPre= checks the config" \
	"/usr/sbin/teleqd -n -c /etc/teleqd/teleqd.yaml" "$(unit_values ExecStartPre)"
assert_eq "ExecStart= runs the daemon on the config" \
	"/usr/sbin/teleqd -c /etc/teleqd/teleqd.yaml" "$(unit_values ExecStart)"
assert_eq "ExecReload= sends SIGHUP" '/bin/kill -HUP $MAINPID' "$(unit_values ExecReload)"
stop=$(unit_values TimeoutStopSec | sed 's/s$//')
if [ -n "$stop" ] && [ "$stop" -ge 3 ] && [ "$stop" -le 15 ]; then
	ok "TimeoutStopSec= is small but above the daemon's 2 s stop ($stop s)"
else
	not_ok "TimeoutStopSec= is small but above the daemon's 2 s stop"
	diag "  TimeoutStopSec='$(unit_values TimeoutStopSec)'"
fi
assert_eq "runs as the system user teleqd" "teleqd teleqd" \
	"$(unit_values User) $(unit_values Group)"
assert_eq "the sysusers.d file creates that user" "u teleqd" \
	"$(awk '$1 == "u" { print $1, $2 }' "$R/usr/lib/sysusers.d/teleqd.conf")"
for kv in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	PrivateDevices=yes CapabilityBoundingSet= AmbientCapabilities= \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' SystemCallFilter=@system-service \
	SystemCallArchitectures=native ProtectKernelTunables=yes ProtectKernelModules=yes \
	ProtectKernelLogs=yes ProtectControlGroups=yes ProtectClock=yes ProtectHostname=yes \
	ProtectProc=invisible ProcSubset=pid RestrictNamespaces=yes RestrictRealtime=yes \
	RestrictSUIDSGID=yes LockPersonality=yes MemoryDenyWriteExecute=yes RemoveIPC=yes \
	UMask=0077 IPAddressDeny=any IPAddressAllow=localhost DevicePolicy=closed \
	KeyringMode=private; do
	if grep -q -x -F -e "$kv" "$UNIT"; then
		ok "hardening: $kv"
	else
		not_ok "hardening: $kv"
	fi
done
# The feed directories of the shipped config are read-only paths.
ro=$(unit_values ReadOnlyPaths)
for dir in $(sed -n 's/^[ \t]*path:[ \t]*"\{0,1\}\(\/[^"]*\)\/[^/"]*"\{0,1\}[ \t]*$/\1/p' \
	"$TQ_ROOT/conf/teleqd.yaml" | sort -u); do
	assert_contains "ReadOnlyPaths= names the feed directory $dir" "$dir" "$ro"
done
assert_no_match "no @placeholder@ left in the unit" '@[A-Z]+@' "$(cat "$UNIT")"
# Every directive of [Service] has its reason: each run of directive lines
# comes right after a comment.
uncommented=$(awk '
	/^\[/ { svc = ($0 == "[Service]"); prev = ""; next }
	svc && /^[A-Za-z]+=/ { if (prev == "" || prev ~ /^[ \t]*$/) print; prev = "d"; next }
	{ prev = $0 }' "$UNIT")
assert_eq "every [Service] directive (or run of them) has a comment above it" "" "$uncommented"

# --------------------------------------------------------- systemd-analyze

if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify" "systemd-analyze not installed (package systemd)"
	skip "systemd-analyze security: exposure <= 2.0" "systemd-analyze not installed (package systemd)"
	skip "postfix drop-in verifies" "systemd-analyze not installed (package systemd)"
	done_testing
fi

# The copy to verify: teleqd's paths point into the staging root.
V=$T/verify
mkdir "$V"
sed "s|/usr/sbin/teleqd|$R/usr/sbin/teleqd|g" "$UNIT" >"$V/teleqd.service"
changed=$(diff "$UNIT" "$V/teleqd.service" | sed -n 's/^> \([A-Za-z]*\)=.*/\1/p' | sort -u | tr '\n' ' ')
assert_eq "the verified copy differs only in ExecStartPre/ExecStart" "ExecStart ExecStartPre " "$changed"

# analyze ARGS...: systemd-analyze with the staged man pages; output in $T/analyze.out.
analyze() {
	_rc=0
	if command -v man >/dev/null 2>&1; then
		MANPATH=$R/usr/share/man SYSTEMD_LOG_COLOR=0 SYSTEMD_COLORS=0 \
			timeout 120 systemd-analyze "$@" >"$T/analyze.out" 2>&1 || _rc=$?
	else
		SYSTEMD_COLORS=0 timeout 120 systemd-analyze --man=no "$@" >"$T/analyze.out" 2>&1 || _rc=$?
	fi
	return $_rc
}

# assert_verifies DESCRIPTION: one check that `systemd-analyze verify` of the
# unit (and any drop-in beside it) exits 0 and prints nothing.
assert_verifies() {
	rc=0
	analyze verify "$V/teleqd.service" || rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$T/analyze.out" ]; then
		ok "$1"
	else
		not_ok "$1 (exit status $rc)"
		diag_file "$T/analyze.out"
	fi
}
# rate UNIT-FILE: `systemd-analyze security --offline=true` of it; sets rc,
# score (its overall exposure) and verdict (OK, SAFE, ...).
rate() {
	rc=0
	analyze security --offline=true "$1" || rc=$?
	_u=$(basename "$1" | sed 's/\./\\./g')
	score=$(sed -n "s/.*Overall exposure level for $_u: \([0-9][0-9.]*\) .*/\1/p" "$T/analyze.out")
	verdict=$(sed -n "s/.*Overall exposure level for $_u: [0-9.]* \([A-Z]*\).*/\1/p" "$T/analyze.out")
}

assert_verifies "systemd-analyze verify: no error, no warning"
command -v man >/dev/null 2>&1 || diag "man not installed: Documentation= man pages not checked"

rate "$V/teleqd.service"
diag "systemd-analyze security: exposure $score $verdict"
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	ok "systemd-analyze security: exposure $score <= 2.0 ($verdict)"
else
	not_ok "systemd-analyze security: exposure '$score' <= 2.0 (exit status $rc)"
	grep -E '✗|Overall' "$T/analyze.out" | head -n 40 | sed 's/^/#   /' || true
fi
case $verdict in
OK | SAFE | "") ;;
*) not_ok "systemd-analyze security verdict is OK or better (got $verdict)" ;;
esac

# The postfix example drop-in: the unit with it still verifies, and still scores <= 2.0.
mkdir "$V/teleqd.service.d"
cp "$R/usr/share/doc/teleqd/examples/systemd/postfix.conf" "$V/teleqd.service.d/"
assert_verifies "with the postfix drop-in: systemd-analyze verify passes"
# verify reads drop-ins beside the unit; security --offline reads the unit
# file alone, so rate a merged copy.
cat "$V/teleqd.service" "$V/teleqd.service.d/postfix.conf" >"$T/teleqd-postfix.service"
rate "$T/teleqd-postfix.service"
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	ok "with the postfix drop-in: exposure $score <= 2.0"
else
	not_ok "with the postfix drop-in: exposure '$score' <= 2.0 (exit status $rc)"
	diag_file "$T/analyze.out" 20
fi

done_testing

#!/bin/sh
# demo.sh — `make demo`: teleqd end to end on the committee's Q1 2026 data,
# with the alerts to the coordinator (samordnare).
#
# In ./run (git-ignored, recreated each time): a private redis-server on the
# unix socket run/redis.sock, the committee's sample feeds from teleq-gen in
# run/feeds, run/teleqd.yaml = conf/teleqd.yaml with only the feed
# directories, the Redis address, the two secret files, the alerts'
# sendmail and check_interval_ms (500, so the demo is quick) changed.
# teleqd runs on a fake calendar (TELEQD_TEST_CLOCK=run/clock, a file of
# unix seconds the daemon rereads on every use) set to 31 March 2026 12:00
# Europe/Stockholm: after the backfill it sends an early warning for each
# indicator below target month to date. A few lines are appended while it
# runs to show the tailing; then the calendar moves to 3 April 2026 00:05,
# past March's close plus the 2 days' grace, and the March and Q1 summaries
# go out. Then `teleqctl alerts --test`, the Q1 and March reports, the Q1
# 2026 follow-up written as run/uppfoljning-2026-Q1.html and .xlsx, and every
# process is stopped. Needs no terminal and no stdin. BUILD (default
# build/rel) holds the programs.
#
# Mail goes to a local mailbox: run/sendmail, a stand-in for sendmail that
# stores each message as run/mail/NNN.eml (001.eml, 002.eml, ...); the demo
# decodes them with python3. Two optional environment variables (make
# passes its command-line variables on) send it for real:
#   MAILTO=ADDRESS   the one recipient, instead of the config's `to:` list
#   SENDMAIL=PROGRAM a real sendmail (e.g. /usr/sbin/sendmail), run as
#                    `PROGRAM -t -i`, instead of the mailbox; the demo then
#                    shows the subjects from the alerts stream only
# e.g. make demo MAILTO=you@example.org SENDMAIL=/usr/sbin/sendmail
#   DEMO_SERVE=PORT  at the end, keep teleqd and Redis running until Ctrl-C:
#                    Redis also listens on 127.0.0.1:PORT and on no other
#                    address (TCP, for Grafana; the passwordless default user
#                    is switched off first), the read-only ACL user grafana of
#                    conf/grafana is created with its password in
#                    run/grafana.pass, and the dashboard page's address is
#                    printed
# e.g. make demo DEMO_SERVE=6380
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/build-dir.sh"
RUN=$ROOT/run
SOCK=$RUN/redis.sock
CONF=$RUN/teleqd.yaml
CLOCK=$RUN/clock        # the daemon's calendar (TELEQD_TEST_CLOCK)
MAILDIR=$RUN/mail       # the mailbox run/sendmail fills

say() {
	printf '\n== %s\n' "$*"
}
die() {
	echo "demo: $*" >&2
	exit 1
}
. "$ROOT/tools/proc.sh"

for b in teleqd teleqctl teleq-gen; do
	[ -x "$BUILD/$b" ] || die "$BUILD/$b missing: run make first"
done
command -v redis-server >/dev/null || die "redis-server not installed (make deps)"
command -v redis-cli >/dev/null || die "redis-cli not installed (make deps)"
[ -f /usr/share/zoneinfo/Europe/Stockholm ] || die "tzdata not installed (make deps)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 not installed (make deps)"

# Where the alerts' mail goes: MAILTO and SENDMAIL (see the top).
MAILTO=${MAILTO:-}
SENDMAIL=${SENDMAIL:-}
case $MAILTO in
'' | [!@]*@*[!@]) ;;
*) die "MAILTO: one address like you@example.org, not '$MAILTO'" ;;
esac
case $MAILTO in
*[!A-Za-z0-9._%+@-]* | *@*@*) die "MAILTO: one address like you@example.org, not '$MAILTO'" ;;
esac
if [ -n "$SENDMAIL" ]; then
	case $SENDMAIL in
	/*) ;;
	*)
		sm=$(command -v "$SENDMAIL") || die "SENDMAIL: '$SENDMAIL' not found"
		SENDMAIL=$sm
		;;
	esac
	[ -f "$SENDMAIL" ] && [ -x "$SENDMAIL" ] || die "SENDMAIL: $SENDMAIL is not an executable file"
fi
if [ -n "$SENDMAIL" ] && [ -z "$MAILTO" ]; then
	echo "demo: SENDMAIL without MAILTO: the mail goes to the config's example address" >&2
fi
case $RUN$SENDMAIL in
*[\"\\]*) die "$RUN or $SENDMAIL: a path with a quote or a backslash cannot go into the config" ;;
esac

# Processes a previous demo may have left behind (only ours: their command
# line names this run directory).
stop_stale "$RUN"

TQ_PID=
REDIS_PID=
cleanup() {
	st=$?
	trap - EXIT INT TERM HUP
	stop_pid "$TQ_PID"
	stop_pid "$REDIS_PID"
	rm -f "$SOCK" "$RUN/teleqd.pid" "$RUN/redis.pid"
	[ $st -eq 0 ] || echo "demo failed; logs in $RUN (teleqd.log, redis.log)" >&2
	exit $st
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$RUN"
mkdir -p "$RUN/feeds"
chmod 700 "$RUN"
(
	umask 077
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$RUN/dedup.key"
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$RUN/redis.pass"
	echo >>"$RUN/redis.pass"
)

# The mailbox: run/sendmail stores each message as run/mail/NNN.eml, the
# complete file at once (written under a dot name, then linked to the first
# free number: link(2) never replaces a file, so two at a time cannot take
# the same number).
mkdir "$MAILDIR"
cat >"$RUN/sendmail" <<EOF_SM
#!/bin/sh
# sendmail stand-in of \`make demo\` (tools/demo.sh): stores the message on
# its standard input as $MAILDIR/NNN.eml; ignores its arguments (-t -i).
# For real mail run the demo with SENDMAIL=/usr/sbin/sendmail (and
# MAILTO=you@example.org): teleqd then runs that instead of this script.
set -eu
tmp=\$(mktemp "$MAILDIR/.msg.XXXXXX")
trap 'rm -f "\$tmp"' EXIT
cat >"\$tmp"
n=1
until ln "\$tmp" "$MAILDIR/\$(printf %03d \$n).eml" 2>/dev/null; do
	n=\$((n + 1))
	[ \$n -le 100000 ] || { echo "sendmail: $MAILDIR is full" >&2; exit 75; }
done
EOF_SM
chmod 755 "$RUN/sendmail"
if [ -n "$SENDMAIL" ]; then
	sendmail=$SENDMAIL
else
	sendmail=$RUN/sendmail
fi

# set_clock "YYYY-MM-DD HH:MM": the daemon's calendar, local time in Stockholm.
set_clock() {
	TZ=Europe/Stockholm date -d "$1" +%s >"$CLOCK.tmp"
	mv "$CLOCK.tmp" "$CLOCK"
}
set_clock "2026-03-31 12:00"

# The config's Redis ACL user gets the private password.
user=$(awk '/^redis:/ { r = 1; next } /^[^ \t#]/ { r = 0 }
	r && $1 == "user:" { v = $2; gsub(/["\047]/, "", v); print v; exit }' conf/teleqd.yaml)

say "redis-server on $SOCK"
if [ -n "$user" ]; then
	set -- --user "$user" on ">$(head -n 1 "$RUN/redis.pass")" '~*' '&*' '+@all'
else
	set --
fi
start_redis "$RUN" "$SOCK" "$@"
echo "pid $REDIS_PID, ACL user '${user:-default}'"

say "sample feeds (teleq-gen --committee $RUN/feeds)"
"$BUILD/teleq-gen" --committee "$RUN/feeds" </dev/null

# conf/teleqd.yaml with the feed directories, the Redis address and the
# secret files moved into run/; everything else as shipped.
awk -f tools/yaml-set.awk -v feeds="$RUN/feeds" -v addr="unix:$SOCK" \
    -v pass="$RUN/redis.pass" -v secret="$RUN/dedup.key" conf/teleqd.yaml >"$CONF.tmp"
# alerts: the sendmail line after `from:`, MAILTO as the one `to:`, and
# check_interval_ms 500 instead of the minute (each replacing any such line).
awk -v sm="$sendmail" -v mailto="$MAILTO" '
	/^[^ \t#]/ { inalerts = /^alerts:/ }
	inalerts && /^  check_interval_ms:/ { next }
	inalerts && /^    sendmail:/ { next }
	inalerts && mailto != "" && /^    to:/ { print "    to: [\"" mailto "\"]"; next }
	/^  listen:/ { print "  listen: \"127.0.0.1:0\""; next }   # any free port: no clash
	{ print }
	/^alerts:/ { print "  check_interval_ms: 500" }
	inalerts && /^    from:/ { print "    sendmail: [\"" sm "\", -t, -i]" }' "$CONF.tmp" >"$CONF"
rm -f "$CONF.tmp"
grep -q '^    sendmail: ' "$CONF" || die "no alerts: mail: from: line in conf/teleqd.yaml to put the sendmail after"
echo "$CONF: conf/teleqd.yaml with these lines changed:"
diff conf/teleqd.yaml "$CONF" | sed -n 's/^> /  /p'
echo "calendar: TELEQD_TEST_CLOCK=$CLOCK, 2026-03-31 12:00 Europe/Stockholm ($(cat "$CLOCK"))"
"$BUILD/teleqd" -n -c "$CONF" </dev/null

# events: every counter of every month hash, summed.
events() {
	redis-cli -s "$SOCK" --scan --pattern '*}:month:*' | while IFS= read -r k; do
		printf 'HVALS %s\n' "$k"
	done | redis-cli -s "$SOCK" | awk '{ s += $1 } END { printf "%d\n", s }'
}
# wait_events N: until N events are counted (30 s at most).
wait_events() {
	i=0
	while [ "$(events)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || die "only $(events) of $1 events counted after 30 s (see $RUN/teleqd.log)"
		kill -0 "$TQ_PID" 2>/dev/null || die "teleqd exited (see $RUN/teleqd.log)"
		sleep 0.05
	done
}
now_ms() {
	date +%s%3N
}

# ctl ARGS...: teleqctl on the demo's config and calendar.
ctl() {
	TELEQD_TEST_CLOCK=$CLOCK "$BUILD/teleqctl" -c "$CONF" "$@" </dev/null
}
# alerts_status KIND ERE...: "ok TOTAL" when the alerts stream holds an
# alert of KIND whose subject matches each ERE and no delivery is pending;
# otherwise what is missing (status 1).
alerts_status() {
	ctl alerts --format json --count 100 2>&1 | PYTHONIOENCODING=utf-8 "$PY" -c '
import json, re, sys
raw = sys.stdin.read()
try:
    d = json.loads(raw)
except ValueError:
    print("teleqctl alerts: " + (raw.strip().splitlines() or ["no output"])[-1])
    sys.exit(1)
kind = sys.argv[1]
got = [a.get("subject", "") for a in d.get("alerts", []) if a.get("kind") == kind]
missing = [rx for rx in sys.argv[2:] if not any(re.search(rx, s) for s in got)]
if missing:
    print("no %s alert with a subject matching %s yet" % (kind, ", ".join("/%s/" % m for m in missing)))
    sys.exit(1)
pend = d.get("pending", [])
if pend:
    print("%d deliveries pending (%s)" % (len(pend), "; ".join("%s by %s: %s attempts, %s" % (
        p.get("id"), p.get("channel"), p.get("attempts"), p.get("last_error") or "no error yet")
        for p in pend)))
    sys.exit(1)
print("ok %d" % d.get("total", 0))' "$@"
}
# wait_alerts WHAT KIND ERE...: until alerts_status says ok, and still the
# same a check interval (500 ms) later, 20 s at most.
wait_alerts() {
	_what=$1
	shift
	_end=$(($(now_ms) + 20000))
	_ok=
	_ok_ms=0
	while :; do
		kill -0 "$TQ_PID" 2>/dev/null || die "teleqd exited while waiting for $_what (see $RUN/teleqd.log)"
		_st=$(alerts_status "$@") || true
		case $_st in
		ok*)
			if [ "$_st" != "$_ok" ]; then
				_ok=$_st
				_ok_ms=$(now_ms)
			elif [ $(($(now_ms) - _ok_ms)) -ge 700 ]; then
				return 0
			fi
			;;
		*) _ok= ;;
		esac
		if [ "$(now_ms)" -gt "$_end" ]; then
			ctl alerts >&2 || true
			die "gave up waiting for $_what after 20 s: ${_st:-no answer} (see $RUN/teleqd.log)"
		fi
		sleep 0.2
	done
}
# mail_to: the recipients of the config's alerts (its `to:` value).
mail_to() {
	awk '/^[^ \t#]/ { a = /^alerts:/ }
	a && /^    to:/ { sub(/^    to:[ \t]*/, ""); sub(/[ \t]+#.*$/, ""); gsub(/[]["\047]/, ""); print; exit }' "$CONF"
}
# mail_where: one line on where the alerts' mail went.
mail_where() {
	if [ -n "$SENDMAIL" ]; then
		echo "mail to $(mail_to) by $SENDMAIL -t -i"
	else
		echo "mail to $(mail_to), kept by run/sendmail (the demo's mailbox) in run/mail: $(cd "$MAILDIR" && echo *.eml)"
	fi
}
# show_mail KIND ERE: the decoded headers and body of the first mail whose
# subject matches (from the mailbox), or with SENDMAIL only its subject
# (from the alerts stream: the mail itself went out).
show_mail() {
	if [ -n "$SENDMAIL" ]; then
		ctl alerts --format json --count 100 | PYTHONIOENCODING=utf-8 "$PY" -c '
import json, re, sys
for a in json.load(sys.stdin)["alerts"]:
    if a["kind"] == sys.argv[1] and re.search(sys.argv[2], a["subject"]):
        print("Subject: %s (sent by mail; the body is not kept here)" % a["subject"])
        break' "$1" "$2"
		return
	fi
	PYTHONIOENCODING=utf-8 "$PY" -c '
import email, email.policy, glob, os, re, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    if not re.search(sys.argv[2], str(m["Subject"])):
        continue
    print("%s, decoded:" % os.path.relpath(f))
    for h in ("From", "To", "Date", "Subject"):
        print("  %s: %s" % (h, m[h]))
    print()
    body = m.get_body(preferencelist=("plain",)).get_content()
    for line in body.rstrip("\n").split("\n"):
        print(("  " + line).rstrip())
    sys.exit(0)
sys.exit("demo: no mail in %s with a subject matching /%s/" % (sys.argv[1], sys.argv[2]))' "$MAILDIR" "$2"
}
# mail_subject KIND ERE: the subject of the first such alert, and its mail file.
mail_subject() {
	ctl alerts --format json --count 100 | PYTHONIOENCODING=utf-8 "$PY" -c '
import email, email.policy, glob, json, os, re, sys
for a in json.load(sys.stdin)["alerts"]:
    if a["kind"] == sys.argv[1] and re.search(sys.argv[2], a["subject"]):
        where = ""
        for f in sorted(glob.glob(os.path.join(sys.argv[3], "*.eml"))):
            with open(f, "rb") as fh:
                m = email.message_from_binary_file(fh, policy=email.policy.default)
            if str(m["Subject"]) == a["subject"]:
                where = " (%s)" % os.path.relpath(f)
                break
        print("\"%s\"%s" % (a["subject"], where))
        break' "$1" "$2" "$MAILDIR"
}

CALLS=$RUN/feeds/calls-committee.txt
CASES=$RUN/feeds/cases-committee.jsonl
ncalls=$(($(wc -l <"$CALLS") - 1))
ncases=$(grep -o '"case_id":"[^"]*"' "$CASES" | sort -u | wc -l)

say "teleqd following the feeds (log: $RUN/teleqd.log)"
t0=$(now_ms)
TELEQD_TEST_CLOCK=$CLOCK "$BUILD/teleqd" -c "$CONF" </dev/null >>"$RUN/teleqd.log" 2>&1 &
TQ_PID=$!
echo "$TQ_PID" >"$RUN/teleqd.pid"
wait_events $((ncalls + ncases))
echo "counted $ncalls calls and $ncases cases ($(wc -l <"$CASES") lines, re-exports counted once) in $(($(now_ms) - t0)) ms"

say "early warning (calendar: 31 March 2026)"
wait_alerts "the early warnings" breach '^Tidig varning: Analoga patientkontakter'
echo "31 March, month to date: an early warning for each indicator below its target;"
mail_where
echo '$ teleqctl alerts'
ctl alerts
echo
show_mail breach '^Tidig varning: Analoga patientkontakter'

say "appending live lines (April 2026, outside the reports below)"
n0=$(events)
t0=$(now_ms)
printf '2026-04-01;08:02:11;Patientn\344mnden;Bokad;00:00:41;070-5550123;19700101-0000\r\n' >>"$CALLS"
printf '2026-04-01;08:05:37;Patientn\344mnden;K\366n full;00:03:02;070-5550124;19700101-0001\r\n' >>"$CALLS"
printf '2026-04-01;00:30:00;Patientn\344mnden;Avbruten;00:00:12;070-5550125;19700101-0002\r\n' >>"$CALLS"
printf '{"case_id":"PN-2026-90001","created":"2026-03-31T22:30:00Z","source":"web","party":"patient","type":"patient"}\n' >>"$CASES"
printf '{"case_id":"PN-2026-90001","created":"2026-03-31T22:30:00Z","source":"web","party":"patient","type":"patient"}\n' >>"$CASES"
printf '{"case_id":"PN-2026-90002","created":"2026-04-01T09:15:00+02:00","source":"letter","party":"relative","type":"information"}\n' >>"$CASES"
wait_events $((n0 + 5))
echo "3 calls and 3 case lines (one a re-export; 22:30Z on 31 March is 00:30 on 1 April here)"
echo "appended: counted $(($(events) - n0)) new events within $(($(now_ms) - t0)) ms"

# Settled: no change for half a second.
last=-1
while :; do
	cur=$(events)
	[ "$cur" = "$last" ] && break
	last=$cur
	sleep 0.5
done

say "monthly summary (calendar: 3 April 2026 00:05, March closed + 2 days' grace)"
set_clock "2026-04-03 00:05"
wait_alerts "the March and Q1 summaries" summary '^Sammanfattning mars 2026' '^Sammanfattning kvartal 1 2026'
mail_where
show_mail summary '^Sammanfattning mars 2026'
echo
echo "and the quarter's summary: $(mail_subject summary '^Sammanfattning kvartal 1 2026')"

say "teleqctl alerts --test (a test message through every configured channel)"
ctl alerts --test || die "teleqctl alerts --test failed"
if [ -z "$SENDMAIL" ]; then
	for f in "$MAILDIR"/*.eml; do
		last=$f
	done
	echo "(stored as run/mail/${last##*/})"
fi

say "health and metrics (http listener on a free loopback port)"
port=$(sed -n 's/.*http: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$RUN/teleqd.log" | tail -n 1)
if [ -n "$port" ] && command -v python3 >/dev/null; then
	python3 - "$port" <<'EOF_PY' || echo "(could not fetch)"
import sys, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print("GET %s/healthz -> %s" % (base, opener.open(base + "/healthz").read().decode().strip()))
print("GET %s/metrics (excerpt):" % base)
for l in opener.open(base + "/metrics").read().decode().splitlines():
    if l.startswith(("teleqd_events_total", "teleqd_commits_total", "teleqd_redis_connected",
                     "teleqd_alert_deliveries_total")):
        print("  " + l)
EOF_PY
else
	echo "(no http listener line in the log)"
fi

say "teleqctl report 2026-Q1"
"$BUILD/teleqctl" -c "$CONF" report 2026-Q1 </dev/null
say "teleqctl report 2026-03"
"$BUILD/teleqctl" -c "$CONF" report 2026-03 </dev/null

# The committee's follow-up of Q1 2026, the quarter the sample feeds hold
# (teleq-gen --committee), closed on the demo's calendar (3 April 2026).
say "the Q1 2026 follow-up (Verksamhetsuppföljning) as HTML and XLSX"
ctl report 2026-Q1 --format html -o "$RUN/uppfoljning-2026-Q1.html" ||
	die "teleqctl report 2026-Q1 --format html failed"
ctl report 2026-Q1 --format xlsx -o "$RUN/uppfoljning-2026-Q1.xlsx" ||
	die "teleqctl report 2026-Q1 --format xlsx failed"
echo "the follow-up document (print it from a browser, A4): $RUN/uppfoljning-2026-Q1.html"
echo "the same tables for Excel (Målstyrning, Kvalitetsstyrning): $RUN/uppfoljning-2026-Q1.xlsx"

if [ -n "${DEMO_SERVE:-}" ]; then
	case $DEMO_SERVE in
	*[!0-9]*) die "DEMO_SERVE wants a TCP port, not '$DEMO_SERVE'" ;;
	esac
	say "serving until Ctrl-C: the dashboard, and Redis for Grafana"
	# no one may use the passwordless default user once there is a TCP port
	redis-cli -s "$SOCK" ACL SETUSER default off >/dev/null || die "ACL SETUSER default off failed"
	# the key prefix of the demo's config, as the dashboards and the ACL rules use it
	kp=$(awk '/^redis:/ { r = 1; next } /^[^ \t#]/ { r = 0 }
		r && $1 == "prefix:" { p = $2; gsub(/["\047]/, "", p) }
		r && $1 == "tag:" { t = $2; gsub(/["\047]/, "", t) }
		END { printf "%s{%s}:", (p == "" ? "teleq:" : p), (t == "" ? "teleqd" : t) }' "$CONF")
	# bind 127.0.0.1 before the port opens; the read-only user grafana
	redis_serve_tcp "$kp" "$DEMO_SERVE" grafana "$RUN/grafana.pass" \
		-s "$SOCK" --user "${user:-default}" --pass "$(head -n 1 "$RUN/redis.pass")" --no-auth-warning
	echo "Dashboard page:      http://127.0.0.1:$port/  (JSON: http://127.0.0.1:$port/api/indicators?period=2026-Q1)"
	echo "Metrics:             http://127.0.0.1:$port/metrics  (for Prometheus and the dashboard \"teleqd: drift\")"
	echo "Redis for Grafana:   127.0.0.1:$DEMO_SERVE only, read-only ACL user 'grafana', password in $RUN/grafana.pass"
	echo "  (ACL rules: $(grafana_acl "$kp" | tr '\n' ' ' | sed 's/ $//'))"
	echo "  with conf/grafana: TELEQD_REDIS_URL=127.0.0.1:$DEMO_SERVE"
	echo "  TELEQD_REDIS_PASSWORD=\$(head -n 1 $RUN/grafana.pass) (see README, Grafana)"
	echo "The calendar stays at 3 April 2026 00:05: pick a time range of the last years in Grafana."
	trap 'exit 0' INT TERM      # Ctrl-C is how serving ends: cleanup stops both
	wait "$TQ_PID" || true
	TQ_PID=
	die "teleqd stopped by itself (see $RUN/teleqd.log)"
fi

say "stopping"
kill -TERM "$TQ_PID"
rc=0
wait "$TQ_PID" || rc=$?
TQ_PID=
[ $rc -eq 0 ] || die "teleqd exited with status $rc (see $RUN/teleqd.log)"
echo "teleqd stopped (exit status 0); last log lines:"
tail -n 3 "$RUN/teleqd.log" | sed 's/^/  /'
stop_pid "$REDIS_PID"
REDIS_PID=
echo "redis-server stopped; feeds, config, mail and logs stay in $RUN"
echo
if [ -z "$SENDMAIL" ]; then
	echo "To get the alerts by mail yourself: make demo MAILTO=you@example.org SENDMAIL=/usr/sbin/sendmail"
else
	echo "The alerts went by mail to $(mail_to) through $SENDMAIL."
fi

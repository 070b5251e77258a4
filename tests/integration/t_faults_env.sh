#!/bin/sh
# t_faults_env.sh — a hostile environment: permissions, a full disk, no inotify.
#
# teleqd runs as the unprivileged user nobody here (root ignores mode bits):
#   1. Permission denied: a feed file with mode 000 is logged once (however
#      many rescans meet it), the other files keep being counted, and it is
#      read as soon as it is readable (chmod). A file made unreadable while
#      open keeps being read through the open descriptor.
#   2. A full disk as teleqd sees it: the writer's last line stays partial for
#      a while (no newline), across rescans, appends to other files and a
#      kill -9; never counted early, counted once when its rest arrives. Then
#      for real, on a tiny tmpfs: the writer gets a short write and ENOSPC in
#      the middle of a line, space is freed, it writes the rest.
#   3. inotify exhausted: every inotify instance nobody may have is taken
#      before teleqd starts; it logs "inotify unavailable ... relying on the
#      rescan" and still counts appends, new files and a rotation.
# Counters are compared with an independent computation at the end.
# Parts 1 and 3 need root (to become nobody), the tmpfs of part 2 needs
# mount(2); without them those parts are skipped, with the reason.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
RESCAN_MS=200

# ---------------------------------------------------------- as nobody

AS=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	WHY_ROOT=
else
	WHY_ROOT="needs root and setpriv to run the daemon as nobody"
fi

MNT=$T/fullfs
MOUNTED=0
# Unmounts the tmpfs before lib.sh's cleanup removes $T.
_env_cleanup() {
	_s=$?
	set +e
	if [ "$MOUNTED" = 1 ]; then
		umount -l "$MNT" 2>/dev/null || true
	fi
	(exit $_s)      # _cleanup takes the exit status from $?
	_cleanup
}
trap _env_cleanup EXIT

redis_start --unixsocketperm 777
write_config window_days=3660 rescan_interval_ms=$RESCAN_MS rotate_wait_ms=500
if [ -n "$AS" ]; then
	chmod 711 "$T"
	chmod 755 "$T/feeds"
	chown nobody:nogroup "$T/redis.pass" "$T/secret"
	[ -d "$T/bin" ] && chmod 755 "$T/bin"
	[ -d "$T/valgrind" ] && chmod 777 "$T/valgrind"
fi

# tq_start_as: teleqd as nobody (when possible) in the background.
tq_start_as() {
	# shellcheck disable=SC2086
	$AS "$TELEQD" -c "$CONF" </dev/null >>"$TQ_LOG" 2>&1 &
	TQ_PID=$!
	sleep 0.1
	alive "$TQ_PID" || { wait "$TQ_PID" 2>/dev/null || true; TQ_PID=; bail "teleqd exited at start (see its log)"; }
}
# check_total DESCRIPTION EXPECTED: EXPECTED events within 20 s, and no more.
check_total() {
	assert_counted_once "$1" "$2" 20 || :
}
expect=0

# ---------------------------------------------------------- 1. permissions
OK1=$(csv_path ok1)
SECRET=$(csv_path secret)
gen_csv "$OK1" 1000 --seed 11 --from 2026-01-01 --days 31
gen_csv "$SECRET" 2000 --seed 12 --from 2026-02-01 --days 28
chmod 000 "$SECRET"
tq_start_as
if [ -n "$AS" ]; then
	assert_eq "the daemon runs as nobody" nobody "$(ps -o user= -p "$TQ_PID" | tr -d ' ')"
	expect=1000
	check_total "the readable file is counted" "$expect"
	gen_csv "$OK1" 500 --append --no-header --seed 13 --from 2026-01-01 --days 31
	gen_csv "$(csv_path ok2)" 300 --seed 14 --from 2026-03-01 --days 31
	expect=$((expect + 800))
	check_total "appends and a new file are counted while one file is unreadable" "$expect"
	sleep "$(awk -v ms="$RESCAN_MS" 'BEGIN { printf "%.1f", ms * 8 / 1000 }')"   # several rescans
	n=$(grep -c "calls-secret.txt: cannot open: Permission denied" "$TQ_LOG" || true)
	assert_eq "the unreadable file is logged once, not at every rescan" 1 "$n"
	assert_eq "and not counted" "$expect" "$(events_total)"
	chmod 644 "$SECRET"
	t0=$(now_ms)
	expect=$((expect + 2000))
	check_total "once readable it is counted ($(($(now_ms) - t0)) ms after chmod)" "$expect"
	chmod 000 "$OK1"
	gen_csv "$OK1" 100 --append --no-header --seed 15 --from 2026-01-01 --days 31
	expect=$((expect + 100))
	check_total "a file made unreadable while open is still read" "$expect"
	chmod 644 "$OK1"
else
	skip "permission denied (mode 000)" "$WHY_ROOT"
	rm -f "$SECRET"
	expect=1000
	check_total "the readable file is counted" "$expect"
fi

# ---------------------------------------------------------- 2. partial lines
P=$(csv_path partial)
PJ=$(jsonl_path partial)
printf '%s\r\n' "$CSV_HEADER" >"$P"
csv_line 2026-03-10 10:00:00 >>"$P"
json_line PN-p-1 2026-03-10T10:00:00+01:00 >"$PJ"
expect=$((expect + 2))
check_total "complete lines before the partial ones" "$expect"
NOEOL=1 csv_line 2026-03-11 11:00:00 >>"$P"
printf '{"case_id":"PN-p-2","created":"2026-03-11T11:00:00+01:00",' >>"$PJ"
gen_csv "$OK1" 200 --append --no-header --seed 16 --from 2026-01-01 --days 31
expect=$((expect + 200))
check_total "other files are counted meanwhile" "$expect"
sleep 1
assert_eq "partial lines are not counted (1 s, several rescans)" "$expect" "$(events_total)"
tq_kill9
tq_start_as
sleep 1
assert_eq "nor after a kill -9 and a restart" "$expect" "$(events_total)"
printf '\r\n' >>"$P"
printf '"source":"web","party":"patient","type":"patient"}\n' >>"$PJ"
expect=$((expect + 2))
check_total "counted once their rest arrives" "$expect"

# The real thing: a tmpfs of 64 KiB, filled up by the writer (a filler file
# takes part of it); the feed file is reached through a symlink from the
# feed directory. Space comes back when the filler is deleted.
mkdir "$MNT"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k,mode=755 tmpfs "$MNT" 2>"$T/mount.err"; then
	MOUNTED=1
	printf '%s\r\n' "$CSV_HEADER" >"$MNT/calls-full.txt"
	head -c 16384 /dev/zero >"$MNT/filler"
	ln -s "$MNT/calls-full.txt" "$(csv_path full)"
	"$PY" - "$MNT/calls-full.txt" "$T/enospc" >"$T/enospc.out" 2>&1 <<'EOF_PY' &
import errno, os, sys, time
path, state = sys.argv[1], sys.argv[2]
line = "2026-03-12;12:00:%02d;Patientn\xe4mnden;Bokad;00:01:30;070-5550101;19700101-1234\r\n"
data = b"".join((line % (i % 60)).encode("cp1252") for i in range(2000))   # ~150 KiB
fd = os.open(path, os.O_WRONLY | os.O_APPEND)
off = 0
while True:                                   # until the disk is full
    try:
        off += os.write(fd, data[off:])
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        break
complete = data[:off].count(b"\n")
cut = off - (data[:off].rfind(b"\n") + 1)
print("ENOSPC after %d bytes: %d complete lines and %d bytes of the next" % (off, complete, cut))
with open(state + ".tmp", "w") as f:
    f.write("%d %d\n" % (complete, cut))
os.rename(state + ".tmp", state)
while not os.path.exists(state + ".go"):
    time.sleep(0.05)
end = data.find(b"\n", off) + 1             # the rest of the cut line
while off < end:
    off += os.write(fd, data[off:end])
EOF_PY
	ENOSPC_PID=$!
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $ENOSPC_PID"
	wait_for 10 test -s "$T/enospc" || bail "the ENOSPC writer did not fill the disk: $(cat "$T/enospc.out")"
	read -r complete cut <"$T/enospc"
	diag "$(cat "$T/enospc.out")"
	assert_ok "the disk filled up in the middle of a line ($cut bytes of it written)" [ "$cut" -gt 0 ]
	expect=$((expect + complete))
	check_total "ENOSPC mid-line on a full tmpfs: the complete lines are counted" "$expect"
	sleep 1
	assert_eq "the cut line is not counted while the disk stays full" "$expect" "$(events_total)"
	rm -f "$MNT/filler"
	touch "$T/enospc.go"
	wait "$ENOSPC_PID" || bail "the ENOSPC writer failed: $(cat "$T/enospc.out")"
	expect=$((expect + 1))
	check_total "space freed, the rest written: the cut line is counted once" "$expect"
	cp "$MNT/calls-full.txt" "$T/full-copy.txt"
else
	skip "ENOSPC on a real tmpfs" "mount -t tmpfs failed: $(cat "$T/mount.err" 2>/dev/null || echo "not root")"
fi

# ---------------------------------------------------------- 3. no inotify
if [ -n "$AS" ]; then
	assert_stops_cleanly
	# A helper holds every inotify instance nobody may have.
	# shellcheck disable=SC2086
	$AS "$PY" -c '
import ctypes, os, resource, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
libc = ctypes.CDLL(None, use_errno=True)
fds = []
while True:
    fd = libc.inotify_init1(0o2000000)       # IN_CLOEXEC
    if fd < 0:
        break
    fds.append(fd)
err = ctypes.get_errno()
print("%d %s" % (len(fds), os.strerror(err)), flush=True)
while True:                                   # until the test kills it
    time.sleep(60)
' <&- >"$T/inotify.out" 2>&1 &
	HOG_PID=$!
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $HOG_PID"
	wait_for 10 test -s "$T/inotify.out" || bail "the inotify helper did not start"
	diag "inotify instances taken by the helper: $(cat "$T/inotify.out")"
	tq_start_as
	max=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo "?")
	if wait_for 5 grep -q "inotify unavailable (Too many open files); relying on the rescan every $RESCAN_MS ms" \
	    "$TQ_LOG"; then
		ok "teleqd logs that it relies on the rescan (max_user_instances $max)"
	elif [ "$(cut -d' ' -f1 "$T/inotify.out")" -lt "$max" ] 2>/dev/null; then
		skip "inotify unavailable" "the helper could not take all $max instances (descriptor limit?)"
	else
		not_ok "teleqd logs that it relies on the rescan (max_user_instances $max)"
	fi
	gen_csv "$(csv_path ok2)" 400 --append --no-header --seed 17 --from 2026-03-01 --days 31
	t0=$(now_ms)
	expect=$((expect + 400))
	check_total "without inotify, appends are counted ($(($(now_ms) - t0)) ms)" "$expect"
	gen_csv "$(csv_path new1)" 700 --seed 18 --from 2026-04-01 --days 30
	json_line PN-n-1 2026-04-02T10:00:00+02:00 >"$(jsonl_path new1)"
	expect=$((expect + 701))
	check_total "without inotify, new files are found" "$expect"
	mv "$(csv_path new1)" "$T/feeds/calls-new1.txt.1"
	gen_csv "$(csv_path new1)" 300 --seed 19 --from 2026-04-01 --days 30
	expect=$((expect + 300))
	check_total "without inotify, a rotated file's successor is read" "$expect"
	kill "$HOG_PID" 2>/dev/null || true
	wait "$HOG_PID" 2>/dev/null || true
else
	skip "inotify instances exhausted" "$WHY_ROOT (the helper must take another user's instances, not root's)"
fi

# ---------------------------------------------------------- everything
files=
for f in "$T"/feeds/*; do
	case $f in
	*/calls-full.txt) ;;        # the symlink into the tmpfs: its copy instead
	*) files="$files $f" ;;
	esac
done
[ -e "$T/full-copy.txt" ] && files="$files $T/full-copy.txt"
dump_counters "$T/got.txt"
# shellcheck disable=SC2086
oracle_dump "$T/want.txt" $files
assert_files_equal "every counter equals the independent computation" "$T/want.txt" "$T/got.txt"
assert_ok "the daemon still runs" alive "$TQ_PID"
assert_stops_cleanly
done_testing

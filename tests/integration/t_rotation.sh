#!/bin/sh
# t_rotation.sh — log rotation in all its forms, counted exactly once.
#
#   - rename + create while the writer keeps writing to the old file
#     (rotated name outside the pattern, and inside it)
#   - copytruncate; truncate and regrow past the old offset (running and
#     stopped): detected by the file's head, not only by its size
#   - a file deleted while being read: drained, then closed (no descriptor
#     on a deleted file afterwards, checked in /proc/PID/fd)
#   - rename + create while the daemon is stopped
#   - a deleted file replaced while stopped (its inode possibly reused)
# The CSV feed has no ids, so a line read twice would show as a double.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
# Rotated-away files are kept open 1 s after their last growth (5 s shipped).
write_config rotate_wait_ms=1000
tq_start
expect=0

# check_total DESCRIPTION: waits for $expect events, then makes sure no more
# arrive (a double would come late).
check_total() {
	assert_counted_once "$1" "$expect" 60 || :
}

# chunk NAME N SEED [--no-header]: N generated lines into $T/NAME.
seed=100
chunk() {
	seed=$((seed + 1))
	gen_csv "$T/$1" "$2" --seed "$seed" --from 2025-06-01 --days 61 ${3:-}
}

# new_file FILE NAME N DESCRIPTION: FILE (re)written with chunk NAME of N
# lines, which are then counted (check_total DESCRIPTION).
new_file() {
	chunk "$2" "$3"
	cat "$T/$2" >"$1"
	expect=$((expect + $3))
	check_total "$4"
}

# ------------------------------------------- rename + create, outside the pattern
A=$(csv_path a)
chunk a0 20000
for i in 1 2 3 4 5 6; do chunk "a$i" 10000 --no-header; done
exec 3>>"$A"
cat "$T/a0" >&3
cat "$T/a1" >&3
sleep 0.05
cat "$T/a2" >&3
mv "$A" "$A.1"                     # logrotate: the pattern no longer matches it
cat "$T/a3" >&3                    # the writer has not reopened yet: old file
sleep 0.05
cat "$T/a4" >&3
exec 3>>"$A"                       # it reopens: a new file under the old name
printf '%s\r\n' "$CSV_HEADER" >&3
cat "$T/a5" >&3
sleep 0.05
cat "$T/a6" >&3
exec 3>&-
expect=$((expect + 80000))
check_total "rename+create while writing: old file drained, new file read from its start"

# ------------------------------------------- rename + create, inside the pattern
B=$(csv_path b)
chunk b0 20000
chunk b1 10000 --no-header
chunk b2 10000
exec 4>>"$B"
cat "$T/b0" >&4
mv "$B" "$(csv_path b-1)"          # still matches the pattern: must not be read again
cat "$T/b1" >&4
exec 4>>"$B"
cat "$T/b2" >&4
exec 4>&-
expect=$((expect + 40000))
check_total "rotated name still matching the pattern: the file is not read again"

# ------------------------------------------------------------- copytruncate
C=$(csv_path c)
new_file "$C" c0 5000 "file before copytruncate"
cp "$C" "$C.1"
: >"$C"
chunk c1 3000
cat "$T/c1" >>"$C"
expect=$((expect + 3000))
check_total "copytruncate: the truncated file is read again from its start"

# Truncate and at once regrow past the old offset: only the head tells.
chunk c2 8000
: >"$C"
cat "$T/c2" >>"$C"
expect=$((expect + 8000))
check_total "truncate then regrow past the old offset (running)"

assert_stops_cleanly
chunk c3 12000
: >"$C"
cat "$T/c3" >>"$C"
tq_start
expect=$((expect + 12000))
check_total "truncate then regrow past the old offset while stopped"

# --------------------------------------------------- deleted while being read
D=$(csv_path d)
chunk d0 200000
before=$(events_total)
mv "$T/d0" "$D"
wait_for 20 _counted_more "$before" || true
rm -f "$D"
expect=$((expect + 200000))
check_total "a file deleted while being read is drained to its end"

# Every rotated file is gone now too; the daemon must let go of all of them.
rm -f "$A.1" "$C.1"
if wait_for 15 _no_deleted_fds; then
	ok "no descriptor left on deleted files"
else
	not_ok "no descriptor left on deleted files"
	deleted_fds | sed 's/^/#   /'
fi
assert_ok "the daemon still runs" alive "$TQ_PID"

# ------------------------------------------- rename + create while stopped
E=$(csv_path e)
new_file "$E" e0 2000 "file before a rotation while stopped"
assert_stops_cleanly
chunk e1 1000 --no-header
cat "$T/e1" >>"$E"                 # written after the stop, before the rotation
mv "$E" "$(csv_path e-old)"        # rotated to a name the pattern matches
chunk e2 1500
cat "$T/e2" >"$E"
tq_start
expect=$((expect + 2500))
check_total "rotation while stopped: old file finished from its offset, new one read whole"

# ----------------------------------- a deleted file replaced while stopped
G=$(csv_path g)
new_file "$G" g0 3000 "file before its replacement"
assert_stops_cleanly
old_ino=$(stat -c %i "$G")
rm -f "$G"
chunk g1 5000                      # larger than the old offset
cat "$T/g1" >"$G"
new_ino=$(stat -c %i "$G")
if [ "$old_ino" = "$new_ino" ]; then
	diag "the new file reuses the old inode $old_ino"
else
	diag "the file system gave a new inode ($old_ino -> $new_ino); the check is weaker"
fi
tq_start
expect=$((expect + 5000))
check_total "a replaced file (same name, maybe same inode) is read from its start"

assert_eq "day hashes agree with month hashes" "$(events_total)" "$(day_events_total)"
assert_stops_cleanly "SIGTERM at the end: exit status 0"

done_testing

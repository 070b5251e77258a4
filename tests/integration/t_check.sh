#!/bin/sh
# t_check.sh — `teleqd -n` checks what the start needs, with the rules the
# start applies (one reader of secret files, src/secret.c):
#
#   - redis.password_file and dedup.secret_file: missing, not a regular
#     file, accessible by others, empty or too short, too long: exit 1, one
#     line naming the file and the rule; every problem is listed;
#   - the daemon refuses the same files at start with the same words, at
#     error level (<3>), and exits 1; teleqctl too;
#   - a sendmail written out that is not executable: exit 1 (config_load);
#     the default sendmail missing: a warning line, exit 0;
#   - a missing feed directory: one warning line per directory, exit 0
#     (the writer may create it later; the daemon's rescan finds it).
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
write_config

pass_file=$(conf_value password_file "$CONF")
secret_file=$(conf_value secret_file "$CONF")
[ -n "$pass_file" ] && [ -n "$secret_file" ] || bail "the test config has no password_file/secret_file"
cp "$pass_file" "$T/pass.good"
cp "$secret_file" "$T/secret.good"

# check [CONF]: teleqd -n; sets rc and out (stdout and stderr).
check() {
	rc=0
	out=$("$TELEQD" -n -c "${1:-$CONF}" 2>&1) || rc=$?
}

# restore: the good password and secret files, 0600.
restore() {
	rm -rf "$pass_file" "$secret_file"
	cp "$T/pass.good" "$pass_file"
	cp "$T/secret.good" "$secret_file"
	chmod 600 "$pass_file" "$secret_file"
}

# refused DESCRIPTION REGEX: -n exits 1, says REGEX, never "configuration OK".
refused() {
	check
	assert_eq "$1: teleqd -n exits 1" 1 "$rc"
	assert_match "$1: it says why" "$2" "$out"
	assert_no_match "$1: not 'configuration OK'" 'configuration OK' "$out"
}

check
assert_eq "the test config passes, without a warning" "0 configuration OK" "$rc $out"

# --- redis.password_file
P=$(printf '%s' "$pass_file" | sed 's/[].[\*^$]/\\&/g')
S=$(printf '%s' "$secret_file" | sed 's/[].[\*^$]/\\&/g')
rm -f "$pass_file"
refused "missing password file" "^(<3>)?redis\.password_file $P: No such file or directory$"
restore
chmod 644 "$pass_file"
refused "password file 0644" \
	"^(<3>)?redis\.password_file $P: accessible by others \(mode 0644\); run chmod o-rwx$"
chmod 602 "$pass_file"
refused "password file writable by others (0602)" "redis\.password_file $P: accessible by others \(mode 0602\)"
restore
rm -f "$pass_file"
mkdir -m 700 "$pass_file"
refused "password file a directory" "redis\.password_file $P: not a regular file"
restore
: >"$pass_file"
refused "empty password file" "redis\.password_file $P: empty"
restore
head -c 5000 /dev/zero | tr '\0' x >"$pass_file"
refused "password file of 5000 bytes" "redis\.password_file $P: longer than 4096 bytes"
restore

# --- dedup.secret_file
rm -f "$secret_file"
refused "missing dedup secret" \
	"^(<3>)?dedup\.secret_file $S: No such file or directory \(make install creates it; see teleqd\(8\), FILES\)$"
restore
chmod 640 "$secret_file"
check
assert_eq "dedup secret root:group 0640 is fine" "0 configuration OK" "$rc $out"
chmod 604 "$secret_file"
refused "dedup secret readable by others (0604)" \
	"dedup\.secret_file $S: accessible by others \(mode 0604\); run chmod o-rwx"
restore
printf '0123456789abcde' >"$secret_file"
refused "dedup secret of 15 bytes" "dedup\.secret_file $S: 15 bytes; it needs at least 16"
restore

# Every problem is listed, then one summary line.
rm -f "$pass_file" "$secret_file"
check
assert_eq "both missing: exit 1" 1 "$rc"
assert_eq "both missing: two error lines and the summary" \
	"redis.password_file dedup.secret_file the" \
	"$(printf '%s\n' "$out" | sed 's/^<[0-9]>//' | awk '{ print $1 }' | paste -sd' ' | sed 's|[^ ]*teleqd\.yaml:|the|')"
restore

# --- the daemon: the same files refused at start, at error level, exit 1
# (before: a warning, and systemd restarted it every 5 s).
daemon_refuses() {
	drc=0
	timeout 10 "$TELEQD" -c "$CONF" </dev/null >"$T/start.out" 2>&1 || drc=$?
	check
	assert_eq "$1: the daemon exits 1 at start" 1 "$drc"
	want=$(printf '%s\n' "$out" | grep -E "$2" | head -n 1)
	assert_ne "$1: -n names it" "" "$want"
	assert_match "$1: the daemon logs it at error level (<3>)" "^<3>(redis: )?$2" "$(cat "$T/start.out")"
	assert_contains "$1: in -n's words" "$want" \
		"$(grep '^<3>' "$T/start.out" | sed 's/^<3>\(redis: \)\{0,1\}/<3>/')"
}
rm -f "$secret_file"
daemon_refuses "missing dedup secret" 'dedup\.secret_file'
restore
chmod 644 "$pass_file"
daemon_refuses "password file 0644" 'redis\.password_file'
restore

# teleqctl reads the password with the same rules and words (after connecting).
redis_start
chmod 602 "$pass_file"
rc=0
"$TELEQCTL" -c "$CONF" status >/dev/null 2>"$T/ctl.err" || rc=$?
assert_ne "teleqctl refuses a password file writable by others" 0 "$rc"
assert_match "teleqctl: the same words" \
	"redis\.password_file $P: accessible by others \(mode 0602\); run chmod o-rwx" "$(cat "$T/ctl.err")"
restore

# --- sendmail
chmod 644 "$T/sendmail"
check
assert_eq "a sendmail written out but not executable: exit 1" 1 "$rc"
assert_match "it says so" "sendmail program '.*' is not executable" "$out"
chmod 755 "$T/sendmail"
grep -v "sendmail: \[$T/sendmail" "$CONF" >"$T/default-sendmail.yaml"
check "$T/default-sendmail.yaml"
if [ -x /usr/sbin/sendmail ]; then
	assert_eq "the default sendmail, installed: no warning" "0 configuration OK" "$rc $out"
else
	assert_eq "the default sendmail missing: exit 0" 0 "$rc"
	assert_match "with a warning naming it" \
		'^(<4>)?warning: alerts\.mail: the sendmail program /usr/sbin/sendmail is not an executable file' "$out"
fi

# --- a missing feed directory: a warning per directory, exit 0
sed "s|\"$T/feeds/|\"$T/later/|" "$CONF" >"$T/later.yaml"
ndirs=$(sed -n 's|^[ \t]*path: "\(.*\)/[^/]*"$|\1|p' "$T/later.yaml" | sort -u | wc -l)
check "$T/later.yaml"
assert_eq "missing feed directory: exit 0" 0 "$rc"
assert_contains "and configuration OK" "configuration OK" "$out"
assert_eq "one warning line per missing directory ($ndirs)" "$ndirs" \
	"$(printf '%s\n' "$out" | grep -c -E "^(<4>)?warning: feed [a-z_]+: directory $T/later does not exist \(yet\)")"
mkdir "$T/later"
check "$T/later.yaml"
assert_eq "once it exists: no warning" "0 configuration OK" "$rc $out"

done_testing

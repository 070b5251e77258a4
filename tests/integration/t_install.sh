#!/bin/sh
# t_install.sh — `make install` and `make uninstall` into a staging root,
# the man pages, and the logrotate examples.
#
#   - make install DESTDIR=$T/root PREFIX=/usr BUILD=$BUILD installs exactly
#     the expected files with the expected modes (the binaries already built
#     in $BUILD: nothing is rebuilt, so parallel test runs are safe);
#   - the installed programs run (--version), the unit names the installed
#     paths (also for the default PREFIX=/usr/local), the sysusers.d file
#     creates the user, the example config passes `teleqd -n`;
#   - each man page renders without a warning (groff -ww, man --warnings),
#     documents every option of --help and every key of the config
#     reference, and the example of teleqd.yaml(5) passes `teleqd -n`;
#   - the logrotate examples rotate every feed of the shipped config, pass
#     `logrotate -d`, rotate to names the feed patterns do not match, and a real logrotate run with each of them
#     under a running teleqd keeps the counts exact (rename+create: every
#     line; copytruncate: every line written outside logrotate's window);
#   - make install creates etc/teleqd/dedup.key (64 hex digits; root:teleqd
#     0640 as root with the group teleqd, else 0600) and never overwrites it;
#   - a first install that works (as root): the user teleqd (created with
#     useradd --system when absent, removed at the end), the installed
#     example config pointed at a private redis-server whose only user for
#     teleqd has the ACL of README.md's service steps, a password file
#     root:teleqd 0640 and the installed key: the installed teleqd -n and
#     --once run as teleqd count the lines, teleqctl status shows the feeds;
#   - make uninstall removes every file it installed and leaves the
#     administrator's own config and the dedup key.
# Checks needing groff, man, lexgrog, systemd-sysusers or logrotate are
# reported as "ok N - ... # skip" when the tool is missing.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins

# skip DESCRIPTION REASON: a check that could not run here.
skip() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $1 # skip $2"
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# mk TARGET [VAR=VALUE...]: make in the source tree without the parent
# make's flags (-j, SAN=1 ... from `make check`); output in $T/make.log.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TQ_ROOT" "$@" >"$T/make.log" 2>&1
}

# The system user teleqd, as systemd-sysusers would create it from
# teleqd.conf (root only; removed at the end when this test created it).
CREATED_USER=
AS_ROOT=
if [ "$(id -u)" -eq 0 ]; then
	AS_ROOT=1
	if ! getent passwd teleqd >/dev/null; then
		useradd --system --user-group --no-create-home --home-dir / \
			--shell /usr/sbin/nologin --comment "teleqd feed counter" teleqd ||
			bail "useradd teleqd failed"
		CREATED_USER=1
	fi
fi
_install_cleanup() {
	_ist=$?
	if [ -n "$CREATED_USER" ]; then
		userdel teleqd 2>/dev/null
		getent group teleqd >/dev/null && groupdel teleqd 2>/dev/null
	fi
	(exit $_ist)
	_cleanup
}
trap _install_cleanup EXIT

R=$T/root
rc=0
mk install DESTDIR="$R" PREFIX=/usr BUILD="$BUILD" || rc=$?
assert_eq "make install DESTDIR=... PREFIX=/usr BUILD=$BUILD: exit status 0" 0 "$rc"
[ $rc -eq 0 ] || { diag_file "$T/make.log"; bail "make install failed"; }

# ------------------------------------------------------------ the file tree

# path mode, one a line: everything make install must put, and nothing else.
if [ -n "$AS_ROOT" ]; then KEYMODE=640; else KEYMODE=600; fi
cat >"$T/expected" <<EOF
etc/teleqd/dedup.key $KEYMODE
etc/teleqd/teleqd.yaml.example 644
lib/systemd/system/teleqd.service 644
usr/bin/teleqctl 755
usr/lib/sysusers.d/teleqd.conf 644
usr/sbin/teleqd 755
usr/share/bash-completion/completions/teleqctl 644
usr/share/doc/teleqd/README.md 644
usr/share/doc/teleqd/examples/logrotate/teleq-copytruncate 644
usr/share/doc/teleqd/examples/logrotate/teleq-create 644
usr/share/doc/teleqd/examples/systemd/postfix.conf 644
usr/share/man/man1/teleqctl.1 644
usr/share/man/man5/teleqd.yaml.5 644
usr/share/man/man8/teleqd.8 644
EOF
(cd "$R" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort |
	while IFS= read -r f; do echo "$f $(stat -c %a "$f")"; done) >"$T/installed"
assert_files_equal "installs exactly the expected files, with their modes" \
	"$T/expected" "$T/installed"

# The dedup key: 64 hex digits (32 random bytes), never overwritten.
K=$R/etc/teleqd/dedup.key
assert_match "dedup.key: 64 hex digits" '^[0-9a-f]{64}$' "$(cat "$K")"
assert_eq "dedup.key: 64 bytes" 64 "$(wc -c <"$K")"
if [ -n "$AS_ROOT" ]; then
	assert_eq "dedup.key: root:teleqd 0640" "root teleqd 640" "$(stat -c '%U %G %a' "$K")"
else
	skip "dedup.key: root:teleqd 0640" "not root: 0600, owned by $(id -un)"
fi
sum=$(sha256sum <"$K")
rc=0
mk install DESTDIR="$R" PREFIX=/usr BUILD="$BUILD" || rc=$?
assert_eq "make install again: exit status 0" 0 "$rc"
assert_eq "make install again keeps the dedup key" "$sum" "$(sha256sum <"$K")"
assert_contains "and says so" "dedup.key exists: kept" "$(cat "$T/make.log")"
R3=$T/root-nokey
rc=0
mk install DESTDIR="$R3" PREFIX=/usr BUILD="$BUILD" DEDUP_KEY=0 || rc=$?
assert_eq "make install DEDUP_KEY=0 (packages) creates no key" "0 no" \
	"$rc $(test -e "$R3/etc/teleqd/dedup.key" && echo yes || echo no)"
rm -rf "$R3"

# Copies are byte for byte (the unit is generated: checked below).
assert_ok "usr/sbin/teleqd is \$BUILD/teleqd" cmp -s "$TELEQD" "$R/usr/sbin/teleqd"
assert_ok "usr/bin/teleqctl is \$BUILD/teleqctl" cmp -s "$TELEQCTL" "$R/usr/bin/teleqctl"
while read -r dst src; do
	assert_ok "$dst is $src" cmp -s "$TQ_ROOT/$src" "$R/$dst"
done <<EOF
etc/teleqd/teleqd.yaml.example conf/teleqd.yaml
usr/lib/sysusers.d/teleqd.conf systemd/teleqd.sysusers
usr/share/man/man1/teleqctl.1 man/teleqctl.1
usr/share/man/man5/teleqd.yaml.5 man/teleqd.yaml.5
usr/share/man/man8/teleqd.8 man/teleqd.8
usr/share/doc/teleqd/README.md README.md
usr/share/doc/teleqd/examples/logrotate/teleq-create conf/logrotate/teleq-create
usr/share/doc/teleqd/examples/logrotate/teleq-copytruncate conf/logrotate/teleq-copytruncate
usr/share/doc/teleqd/examples/systemd/postfix.conf systemd/postfix.conf
usr/share/bash-completion/completions/teleqctl conf/bash-completion/teleqctl
EOF

v=$("$R/usr/sbin/teleqd" --version 2>&1 || true)
assert_match "installed teleqd --version runs" '^teleqd [0-9]+\.[0-9]+' "$v"
v=$("$R/usr/bin/teleqctl" --version 2>&1 || true)
assert_match "installed teleqctl --version runs" '^teleqctl [0-9]+\.[0-9]+' "$v"

# The example as installed, its secret files at hand (-n reads what the
# start needs: t_check): it passes; warnings only (feed directories and the
# default sendmail that need not exist here).
(umask 077 && echo example-password >"$T/example.pass")
sed -e "s|^\([ \t]*password_file:\).*|\1 $T/example.pass|" \
    -e "s|^\([ \t]*secret_file:\).*|\1 $K|" "$R/etc/teleqd/teleqd.yaml.example" >"$T/example-installed.yaml"
rc=0
out=$("$R/usr/sbin/teleqd" -n -c "$T/example-installed.yaml" 2>&1) || rc=$?
assert_eq "installed example config, with the installed key, passes teleqd -n" "0 configuration OK" \
	"$rc $(printf '%s\n' "$out" | sed 's/^<[0-9]>//' | grep -v '^warning: ')"

# The unit names the installed program and config (PREFIX=/usr).
U=$R/lib/systemd/system/teleqd.service
assert_eq "unit: ExecStart= is \$(SBINDIR)/teleqd" "/usr/sbin/teleqd -c /etc/teleqd/teleqd.yaml" \
	"$(sed -n 's/^ExecStart=//p' "$U")"
assert_match "unit: Documentation= names the installed README" \
	'^Documentation=file:///usr/share/doc/teleqd/README\.md$' "$(cat "$U")"
assert_no_match "unit: no @placeholder@ left" '@[A-Z]+@' "$(cat "$U")"

# The default prefix: /usr/local everywhere in the unit.
R2=$T/root-local
rc=0
mk install DESTDIR="$R2" BUILD="$BUILD" || rc=$?
assert_eq "make install with the default PREFIX: exit status 0" 0 "$rc"
assert_eq "default PREFIX: unit's ExecStartPre= is /usr/local/sbin/teleqd -n" \
	"/usr/local/sbin/teleqd -n -c /etc/teleqd/teleqd.yaml" \
	"$(sed -n 's/^ExecStartPre=//p' "$R2/lib/systemd/system/teleqd.service" 2>/dev/null)"
assert_ok "default PREFIX: teleqd in /usr/local/sbin" test -x "$R2/usr/local/sbin/teleqd"
assert_ok "default PREFIX: teleqd(8) in /usr/local/share/man/man8" \
	test -f "$R2/usr/local/share/man/man8/teleqd.8"

# The sysusers.d file creates the system user and group teleqd.
if have systemd-sysusers; then
	mkdir -p "$T/sysroot/etc"
	rc=0
	systemd-sysusers --root="$T/sysroot" - <"$R/usr/lib/sysusers.d/teleqd.conf" \
		>"$T/sysusers.log" 2>&1 || rc=$?
	assert_eq "systemd-sysusers accepts teleqd.conf" 0 "$rc"
	assert_match "it creates the system user teleqd (no login shell)" \
		'^teleqd:x:[0-9]+:[0-9]+:[^:]*:/:/usr/sbin/nologin$' "$(cat "$T/sysroot/etc/passwd" 2>/dev/null)"
	assert_match "and the group teleqd" '^teleqd:x:[0-9]+:' "$(cat "$T/sysroot/etc/group" 2>/dev/null)"
else
	skip "systemd-sysusers accepts teleqd.conf" "systemd-sysusers not installed"
fi

# ---------------------------------------------------------------- man pages

MAN=$R/usr/share/man
PAGES="man8/teleqd.8 man1/teleqctl.1 man5/teleqd.yaml.5"
for p in $PAGES; do
	if have groff; then
		out=$(LC_ALL=C groff -man -ww -z "$MAN/$p" 2>&1 || echo "groff failed")
		assert_eq "$p: groff -man -ww -z prints no warning" "" "$out"
	else
		skip "$p: groff -man -ww -z prints no warning" "groff not installed"
	fi
	if have man; then
		rc=0
		MANWIDTH=80 man --warnings -l "$MAN/$p" >"$T/page.txt" 2>"$T/page.err" || rc=$?
		assert_eq "$p: man --warnings -l renders it without warnings" "0 " "$rc $(cat "$T/page.err")"
		assert_eq "$p: rendered page has NAME, SYNOPSIS, DESCRIPTION and SEE ALSO" \
			"NAME SYNOPSIS DESCRIPTION SEE ALSO" \
			"$(grep -E '^(NAME|SYNOPSIS|DESCRIPTION|SEE ALSO)$' "$T/page.txt" | paste -sd' ')"
	else
		skip "$p: man --warnings -l renders it without warnings" "man not installed"
	fi
	if have lexgrog; then
		assert_ok "$p: lexgrog parses its NAME line (whatis, apropos)" \
			sh -c 'lexgrog "$1" >/dev/null 2>&1' lexgrog "$MAN/$p"
	else
		skip "$p: lexgrog parses its NAME line" "lexgrog (man-db) not installed"
	fi
done

# rendered NAME: the page as plain text (man if present, else groff -Tascii).
rendered() {
	if have man; then
		MANWIDTH=200 man -l "$MAN/$1" 2>/dev/null
	elif have groff; then
		LC_ALL=C groff -man -Tascii -P-cbou "$MAN/$1" 2>/dev/null
	fi
}

if have man || have groff; then
	# Every long option of --help is documented.
	for prog in teleqd:man8/teleqd.8 teleqctl:man1/teleqctl.1; do
		bin=${prog%%:*} page=${prog#*:}
		if [ "$bin" = teleqd ]; then exe=$TELEQD; else exe=$TELEQCTL; fi
		text=$(rendered "$page" | sed 's/‐/-/g')
		opts=$("$exe" --help 2>&1 | grep -o -E -e '--[a-z][a-z-]+' | sort -u)
		missing=
		for o in $opts; do
			case $text in *"$o"*) ;; *) missing="$missing $o" ;; esac
		done
		assert_eq "$page documents every option of $bin --help" "" "$missing"
	done
	# teleqctl's commands are documented.
	text=$(rendered man1/teleqctl.1)
	for c in report alerts status; do
		assert_match "teleqctl(1) documents the command $c" "^ {7}$c( |$)" "$text"
	done
	# Every key of conf/teleqd.yaml's reference comment is in teleqd.yaml(5).
	text=$(rendered man5/teleqd.yaml.5)
	keys=$(sed -n '1,/^[^#]/p' "$TQ_ROOT/conf/teleqd.yaml" | grep -o -E '^#[ ]+[a-z_]+:' |
		sed 's/^#[ ]*//' | sort -u)
	missing=
	for k in $keys; do
		case $text in *"$k"*) ;; *) missing="$missing $k" ;; esac
	done
	assert_eq "teleqd.yaml(5) has every key of conf/teleqd.yaml's reference" "" "$missing"
	for k in http: listen: alerts: templates: sendmail:; do
		assert_contains "teleqd.yaml(5) documents $k" "$k" "$text"
	done
else
	skip "man pages document every option and config key" "neither man nor groff installed"
fi

# The example of teleqd.yaml(5) is a valid configuration (its sendmail
# replaced by the test's, which exists everywhere, its secret files by the
# test's; its feed directories need not exist: warnings).
awk '/^\.SH EXAMPLE/ { f = 1; next } f && /^\.EX/ { g = 1; next } g && /^\.EE/ { exit } g' \
	"$MAN/man5/teleqd.yaml.5" |
	sed -e 's/\\-/-/g' -e 's/\\(:o/\xc3\xb6/g' -e "s|sendmail: \[.*\]|sendmail: [$T/sendmail]|" \
	    -e "s|^\([ \t]*password_file:\).*|\1 $T/example.pass|" -e "s|^\([ \t]*secret_file:\).*|\1 $K|" \
	>"$T/example.yaml"
rc=0
out=$("$TELEQD" -n -c "$T/example.yaml" 2>&1) || rc=$?
assert_eq "the EXAMPLE of teleqd.yaml(5) passes teleqd -n" "0 configuration OK" \
	"$rc $(printf '%s\n' "$out" | sed 's/^<[0-9]>//' | grep -v '^warning: feed ')"

# ---------------------------------------------------------- logrotate examples

LR=$R/usr/share/doc/teleqd/examples/logrotate
ME=$(id -un)
MYGROUP=$(id -gn)

# lr_conf EXAMPLE OUT DIR: the example with its feed directories moved to
# DIR and the teleq user and group replaced by the current ones.
lr_conf() {
	sed -e "s|/var/log/teleq/|$3/|g" -e "s|/var/log/eservice/|$3/|g" \
	    -e "s/^\([ \t]*su\) teleq teleq/\1 $ME $MYGROUP/" \
	    -e "s/^\([ \t]*create [0-7]*\) teleq teleq/\1 $ME $MYGROUP/" "$1" >"$2"
}

# The feed patterns of the shipped config (last path components).
patterns=$(sed -n 's/^[ \t]*path:[ \t]*"\{0,1\}\/[^"]*\/\([^/"]*\)"\{0,1\}[ \t]*$/\1/p' \
	"$TQ_ROOT/conf/teleqd.yaml")

# The feed paths (globs) of the shipped config, whole.
feed_paths=$(sed -n 's/^[ \t]*path:[ \t]*"\{0,1\}\(\/[^"]*\)"\{0,1\}[ \t]*$/\1/p' \
	"$TQ_ROOT/conf/teleqd.yaml")
[ "$(echo "$feed_paths" | wc -w)" -ge 3 ] || bail "test bug: fewer than 3 feed paths in conf/teleqd.yaml"

# matches_feed NAME: true when NAME matches a feed pattern of the shipped config.
matches_feed() {
	for _pat in $patterns; do
		# shellcheck disable=SC2254
		case $1 in $_pat) return 0 ;; esac
	done
	return 1
}

if ! have logrotate; then
	skip "logrotate examples" "logrotate not installed (make deps)"
else
	for ex in teleq-create teleq-copytruncate; do
		assert_ok "$ex: installed" test -f "$LR/$ex"
		D=$T/lr-$ex
		mkdir -p "$D"
		lr_conf "$LR/$ex" "$T/$ex.conf" "$D"
		printf 'Datum;Tid\r\n' >"$D/calls-a.txt"
		printf '{"case_id":"1"}\n' >"$D/cases-a.jsonl"
		printf '{"case_id":"1","event":"confirmed"}\n' >"$D/case-events-a.jsonl"
		# Every feed of the shipped config has its files rotated by the example.
		globs=$(sed -n 's|^/\([^{]*\){[ \t]*$|/\1|p' "$LR/$ex")
		nocover=
		for p in $feed_paths; do
			case " $globs " in *" $p "*) ;; *) nocover="$nocover $p" ;; esac
		done
		assert_eq "$ex: rotates every feed of conf/teleqd.yaml ($(echo $feed_paths))" "" "$nocover"
		rc=0
		logrotate -d -f -s "$T/$ex.state" "$T/$ex.conf" >"$T/$ex.out" 2>&1 || rc=$?
		assert_eq "$ex: logrotate -d -f accepts it" 0 "$rc"
		assert_no_match "$ex: logrotate -d reports no error" '^error' "$(cat "$T/$ex.out")"
		for f in calls-a.txt cases-a.jsonl case-events-a.jsonl; do
			assert_match "$ex: logrotate -d would rotate $f" "^considering log $D/$f\$" "$(cat "$T/$ex.out")"
		done
		# What a rotation would create: names the feed patterns must not match.
		new=$(sed -n -e 's/^renaming [^ ]* to \([^ ]*\)$/\1/p' -e 's/^copying [^ ]* to \([^ ]*\)$/\1/p' \
			"$T/$ex.out")
		assert_ne "$ex: logrotate -d shows where the files would go" "" "$new"
		bad=
		for f in $new; do
			b=$(basename "$f")
			matches_feed "$b" && bad="$bad $b"
			matches_feed "$b.gz" && bad="$bad $b.gz"
		done
		assert_eq "$ex: rotated names ($(echo $new | xargs -n1 basename | paste -sd' ')) match no feed pattern" "" "$bad"
		if [ "$ex" = teleq-create ]; then
			assert_match "$ex: the new file is created 0640" '^creating new .* mode = 0640' "$(cat "$T/$ex.out")"
		else
			assert_match "$ex: the file is truncated in place" '^truncating ' "$(cat "$T/$ex.out")"
		fi
	done

	# A real rotation with each example under a running teleqd: the counts
	# stay exact. (logrotate needs to run as root for its `su`; as another
	# user the su lines are dropped.)
	redis_start
	write_config rotate_wait_ms=500 max_delay_ms=50 rescan_interval_ms=200
	tq_start
	F=$T/feeds
	CALLS=$(csv_path lr)
	[ "$(id -u)" -eq 0 ] || SU_DROP=1
	expect=0
	for ex in teleq-create teleq-copytruncate; do
		lr_conf "$LR/$ex" "$T/$ex.live.conf" "$F"
		rm -f "$CALLS"-*         # the previous run's rotated file (drained by now)
		[ -z "${SU_DROP:-}" ] || sed -i '/^[ \t]*su /d' "$T/$ex.live.conf"
		# Three days of calls, then the rotation, then more calls.
		[ -f "$CALLS" ] || printf '%s\r\n' "$CSV_HEADER" >"$CALLS"
		for d in 02 03 04; do
			for h in 08 09 10 11 12; do
				csv_line "2026-03-$d" "$h:00:00" >>"$CALLS"
			done
		done
		expect=$((expect + 15))
		wait_events "$expect" 20 || true
		assert_eq "$ex: lines before the rotation counted" "$expect" "$(events_total)"
		rc=0
		logrotate -f -s "$T/$ex.live.state" "$T/$ex.live.conf" >"$T/$ex.live.out" 2>&1 || rc=$?
		assert_eq "$ex: logrotate ran" 0 "$rc"
		[ $rc -eq 0 ] || diag_file "$T/$ex.live.out"
		rotated=$(ls "$CALLS"-* 2>/dev/null | wc -l)
		assert_eq "$ex: it rotated the file (one $(basename "$CALLS")-DATE beside it)" 1 "$rotated"
		if [ "$ex" = teleq-create ]; then
			assert_eq "$ex: the new file is empty, mode 0640" "0 640" "$(stat -c '%s %a' "$CALLS")"
		else
			assert_eq "$ex: the file was truncated" 0 "$(stat -c %s "$CALLS")"
		fi
		# The writer goes on (for rename+create: into the new file, which
		# has no header yet, as a writer reopening its file would write it).
		[ -s "$CALLS" ] || printf '%s\r\n' "$CSV_HEADER" >>"$CALLS"
		for h in 13 14 15 16; do
			csv_line 2026-03-05 "$h:00:00" >>"$CALLS"
		done
		expect=$((expect + 4))
		wait_events "$expect" 20 || true
		assert_eq "$ex: after logrotate and 4 more lines: every line counted once" \
			"$expect" "$(events_total)"
		sleep 1
		assert_eq "$ex: and nothing more later (the rotated file is not read again)" \
			"$expect" "$(events_total)"
	done
	assert_eq "no line rejected" 0 "$(rejects_total)"
	rc=0
	tq_stop || rc=$?
	assert_eq "teleqd stops with status 0" 0 "$rc"
fi

# ------------------------------------------------- a first install that works

# README.md's service steps on a private redis-server: the ACL user teleqd
# with the README's rules, the password file root:teleqd 0640, the installed
# key and config; teleqd runs as the user teleqd. (No systemd here:
# t_systemd checks the unit, t_sdnotify the notify protocol.)
if [ -z "$AS_ROOT" ]; then
	skip "the installed teleqd runs as the user teleqd against Redis" "not root"
elif ! command -v runuser >/dev/null 2>&1; then
	skip "the installed teleqd runs as the user teleqd against Redis" "runuser missing"
else
	ACL=$(sed -n 's/.*user teleqd on #\$h \([^"]*\)".*/\1/p' "$TQ_ROOT/README.md" | head -n 1)
	[ -n "$ACL" ] || bail "README.md: no 'user teleqd on #\$h RULES' line in the service steps"
	redis_stop
	rm -f "$SOCK"
	PW=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
	PF=$R/etc/teleqd/redis.pass
	(umask 027 && printf '%s' "$PW" >"$PF") && chgrp teleqd "$PF"
	H=$(sha256sum "$PF" | cut -d' ' -f1)
	# shellcheck disable=SC2086 # the ACL rules are words
	REDIS_USER= redis_start --unixsocketperm 777 --user teleqd on "#$H" $ACL
	# teleqd must reach the staging root and the feeds in $T
	chmod 711 "$T"
	C=$R/etc/teleqd/teleqd.yaml
	rewrite_config "$R/etc/teleqd/teleqd.yaml.example" "$C" listen=127.0.0.1:0
	sed -i -e "s|^\([ \t]*password_file:\).*|\1 $PF|" -e "s|^\([ \t]*secret_file:\).*|\1 $K|" "$C"
	chmod 644 "$C"
	rm -f "$T"/feeds/*
	CALLS=$(csv_path first)
	printf '%s\r\n' "$CSV_HEADER" >"$CALLS"
	for h in 08 09 10 11 12 13; do
		csv_line 2026-03-02 "$h:00:00" >>"$CALLS"
	done
	rcli FLUSHALL >/dev/null
	asuser() {
		timeout --foreground -k 5 120 runuser -u teleqd -- "$@"
	}
	rc=0
	out=$(asuser "$R/usr/sbin/teleqd" -n -c "$C" 2>&1) || rc=$?
	assert_eq "as teleqd: the installed teleqd -n passes (ExecStartPre=)" "0 configuration OK" \
		"$rc $(printf '%s\n' "$out" | sed 's/^<[0-9]>//' | grep -v '^warning: alerts\.mail')"
	rc=0
	asuser "$R/usr/sbin/teleqd" -c "$C" --once </dev/null >"$T/first.log" 2>&1 || rc=$?
	assert_eq "as teleqd: the installed teleqd --once exits 0" 0 "$rc"
	[ $rc -eq 0 ] || diag_file "$T/first.log"
	assert_eq "as teleqd, authenticated as the ACL user: the 6 calls are counted" 6 "$(events_total)"
	assert_eq "the Redis ACL refused no command" "0" \
		"$(rcli ACL LOG | grep -c -E '^(command|key|channel)$' || true)"
	rc=0
	"$R/usr/bin/teleqctl" -c "$C" status >"$T/status.out" 2>&1 || rc=$?
	assert_eq "the installed teleqctl status: exit 0" 0 "$rc"
	feeds=$(sed -n 's/^[ \t]*- name:[ \t]*\([a-z_]*\).*/\1/p' "$C" | head -n 3 | paste -sd' ')
	missing=
	for f in $feeds; do
		grep -q -w "$f" "$T/status.out" || missing="$missing $f"
	done
	assert_eq "teleqctl status shows the feeds ($feeds)" "" "$missing"
	[ -z "$missing" ] || diag_file "$T/status.out"
	# The key only root may read: -n as teleqd says who must read it.
	chgrp root "$K"
	rc=0
	out=$(asuser "$R/usr/sbin/teleqd" -n -c "$C" 2>&1) || rc=$?
	assert_eq "a key teleqd cannot read: -n as teleqd exits 1" 1 "$rc"
	assert_match "and says what to do" \
		"dedup\.secret_file $K: Permission denied \(the service's user teleqd must read it: make it root:teleqd mode 0640\)" "$out"
	chgrp teleqd "$K"
	rm -f "$PF"
	redis_stop
fi

# --------------------------------------------------------------- uninstall

# The administrator's own config must survive an uninstall.
echo "# local" >"$R/etc/teleqd/teleqd.yaml"
rc=0
mk uninstall DESTDIR="$R" PREFIX=/usr || rc=$?
assert_eq "make uninstall: exit status 0" 0 "$rc"
left=$(cd "$R" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort | paste -sd' ')
assert_eq "make uninstall removes every installed file (the admin's teleqd.yaml and the key stay)" \
	"etc/teleqd/dedup.key etc/teleqd/teleqd.yaml" "$left"
assert_ok "make uninstall removes /usr/share/doc/teleqd" test ! -e "$R/usr/share/doc/teleqd"
rm -f "$R/etc/teleqd/teleqd.yaml" "$R/etc/teleqd/dedup.key"
rc=0
mk uninstall DESTDIR="$R" PREFIX=/usr || rc=$?
assert_eq "make uninstall again (nothing left to remove): exit status 0" 0 "$rc"
assert_ok "then the empty /etc/teleqd goes too" test ! -e "$R/etc/teleqd"
rc=0
mk uninstall DESTDIR="$R2" || rc=$?
left=$(cd "$R2" && find . ! -type d | sed 's|^\./||' | paste -sd' ')
assert_eq "make uninstall with the default PREFIX removes every file but the key" \
	"0 etc/teleqd/dedup.key" "$rc $left"

done_testing

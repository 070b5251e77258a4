#!/bin/sh
# t_deb.sh — the Debian package, installed into this very system (root, and
# only when asked: TQ_DEB_CHECK=1, which `make deb-check` and .ci/run set;
# otherwise every check is skipped, so `make check` never needs root).
#
#   - make deb builds build/deb/teleqd_<TQ_VERSION>_<arch>.deb; lintian
#     reports no error;
#   - dpkg -i installs it: the binaries, the unit (enabled, not started), the
#     sysusers entry (the user teleqd exists), the man pages, the bash
#     completion, the examples and Grafana files, /etc/teleqd/teleqd.yaml as
#     a conffile, the de-dup key (64 hex digits, root:teleqd 0640); its
#     Recommends name redis-server;
#   - the installed teleqd -n, as the user teleqd and without -c, passes on
#     the installed config once the Redis password file exists;
#   - installing again keeps the key;
#   - the installed teleqd --once, as the user teleqd, with the installed
#     config pointed at test feeds and a private redis-server on a loopback
#     port, counts the lines, hashing ids with the installed key;
#   - dpkg --purge leaves none of the package's files, no /etc/teleqd, no
#     enablement symlink; the system user teleqd may stay (Debian keeps
#     system users). When this test created the user, it removes it.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins

if [ -z "${TQ_DEB_CHECK:-}" ] || [ "$(id -u)" -ne 0 ]; then
	skip "the .deb installed, run and purged" "installs into this system: root and TQ_DEB_CHECK=1 only (make deb-check)"
	done_testing
fi
for t in dpkg-buildpackage dh lintian runuser; do
	command -v $t >/dev/null 2>&1 || bail "$t missing (make deps)"
done
dpkg-query -W -f='${Status}' teleqd 2>/dev/null | grep -q 'not-installed' ||
	! dpkg-query -W teleqd >/dev/null 2>&1 || bail "a teleqd package is installed already: not touching it"
for f in /usr/sbin/teleqd /usr/bin/teleqctl /etc/teleqd; do
	[ ! -e "$f" ] || bail "$f exists (make install?): not installing over it"
done

USER_BEFORE=
getent passwd teleqd >/dev/null && USER_BEFORE=1
INSTALLED=
_deb_cleanup() {
	_dst=$?
	# a failed run must not leave the package behind
	[ -z "$INSTALLED" ] || dpkg --purge teleqd >/dev/null 2>&1 || true
	if [ -z "$USER_BEFORE" ] && getent passwd teleqd >/dev/null; then
		userdel teleqd 2>/dev/null || true
		if getent group teleqd >/dev/null; then groupdel teleqd 2>/dev/null || true; fi
	fi
	(exit $_dst)
	_cleanup
}
trap _deb_cleanup EXIT

# mk TARGET: make in the source tree without the parent make's flags.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TQ_ROOT" "$@" >"$T/make.log" 2>&1
}

VERSION=$(sed -n 's/^#define TQ_VERSION *"\(.*\)"/\1/p' "$TQ_ROOT/include/core.h")
DEB=$TQ_ROOT/build/deb/teleqd_${VERSION}_$(dpkg --print-architecture).deb
start=$(now_ms)
tree_status() {
	git -C "$TQ_ROOT" status --porcelain --ignored=no 2>/dev/null || :
}
before=$(tree_status)
rc=0
mk deb || rc=$?
assert_eq "make deb: exit status 0" 0 "$rc"
[ $rc -eq 0 ] || { diag_file "$T/make.log"; bail "make deb failed"; }
diag "make deb: $(( ($(now_ms) - start) / 1000 )) s"
assert_ok "make deb built $(basename "$DEB") (the version of include/core.h)" test -f "$DEB"
assert_no_match "lintian: no error" '^E: ' "$(cat "$T/make.log")"
diag "lintian: $(grep -c -E '^[WIP]: ' "$T/make.log" || true) warnings/infos"
assert_eq "the source tree stays clean (no build output outside build/)" "" \
	"$(cd "$TQ_ROOT" && ls -d debian/teleqd debian/.debhelper debian/files debian/debhelper-build-stamp \
		../teleqd_* 2>/dev/null | paste -sd' ')"
assert_eq "git status is as before make deb" "$before" "$(tree_status)"
assert_eq "Recommends: redis-server" "redis-server" "$(dpkg-deb -f "$DEB" Recommends)"

# ----------------------------------------------------------------- install

rc=0
dpkg -i "$DEB" >"$T/dpkg.log" 2>&1 || rc=$?
INSTALLED=1
assert_eq "dpkg -i: exit status 0" 0 "$rc"
[ $rc -eq 0 ] || { diag_file "$T/dpkg.log"; bail "dpkg -i failed"; }
dpkg -L teleqd >"$T/files"
for f in /usr/sbin/teleqd /usr/bin/teleqctl /lib/systemd/system/teleqd.service \
	/usr/lib/sysusers.d/teleqd.conf /usr/share/man/man8/teleqd.8.gz \
	/usr/share/man/man1/teleqctl.1.gz /usr/share/man/man5/teleqd.yaml.5.gz \
	/usr/share/bash-completion/completions/teleqctl \
	/usr/share/doc/teleqd/examples/logrotate/teleq-create \
	/usr/share/doc/teleqd/examples/logrotate/teleq-copytruncate \
	/usr/share/teleqd/grafana/dashboards/teleqd.json /etc/teleqd/teleqd.yaml; do
	assert_ok "installed: $f" test -f "$f"
done
assert_ok "/etc/teleqd/teleqd.yaml is the shipped config" cmp -s "$TQ_ROOT/conf/teleqd.yaml" /etc/teleqd/teleqd.yaml
assert_contains "/etc/teleqd/teleqd.yaml is a conffile" "/etc/teleqd/teleqd.yaml" \
	"$(dpkg-query -W -f='${Conffiles}' teleqd)"
assert_eq "the installed teleqd --version" "teleqd $VERSION" "$(/usr/sbin/teleqd --version)"
assert_ok "sysusers: the user teleqd exists" sh -c "getent passwd teleqd >/dev/null"
K=/etc/teleqd/dedup.key
assert_match "the de-dup key: 64 hex digits" '^[0-9a-f]{64}$' "$(cat "$K")"
assert_eq "the de-dup key: root:teleqd 0640" "root teleqd 640" "$(stat -c '%U %G %a' "$K")"
assert_ok "the unit is enabled (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/teleqd.service
if [ -d /run/systemd/system ]; then
	assert_ne "the unit is not started" active "$(systemctl is-active teleqd 2>/dev/null || true)"
else
	skip "the unit is not started" "systemd is not running here"
fi
assert_match "the installed bash completion loads" 'complete .*-F [_a-zA-Z0-9]+ teleqctl$' \
	"$(bash --norc --noprofile -c '. /usr/share/bash-completion/completions/teleqctl; complete -p teleqctl' 2>&1)"

# The Redis password, as README's service steps make it.
(umask 027 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >/etc/teleqd/redis.pass)
chgrp teleqd /etc/teleqd/redis.pass
asuser() {
	timeout --foreground -k 5 60 runuser -u teleqd -- "$@"
}
rc=0
out=$(cd / && asuser /usr/sbin/teleqd -n 2>&1) || rc=$?
assert_eq "as teleqd, no -c: the installed teleqd -n passes on the installed config" "0" "$rc"
assert_contains "and says so" "configuration OK" "$out"
[ $rc -eq 0 ] || diag "$out"

sum=$(sha256sum <"$K")
rc=0
dpkg -i "$DEB" >"$T/dpkg2.log" 2>&1 || rc=$?
assert_eq "dpkg -i again: exit status 0" 0 "$rc"
assert_eq "and the de-dup key is kept" "$sum" "$(sha256sum <"$K")"

# ------------------------------------------------- --once as teleqd, for real

write_config        # CSV_GLOB and friends; the config itself is made below
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis_start --port "$PORT" --bind 127.0.0.1
C=$T/deb.yaml
rewrite_config /etc/teleqd/teleqd.yaml "$C" listen=127.0.0.1:0
sed -i -e "s|^\([ \t]*address:\).*|\1 127.0.0.1:$PORT|" \
	-e "s|^\([ \t]*secret_file:\).*|\1 $K|" "$C"
chgrp teleqd "$T/redis.pass" && chmod 640 "$T/redis.pass"
chmod 644 "$C"
chmod 711 "$T"
CALLS=$(csv_path deb)
printf '%s\r\n' "$CSV_HEADER" >"$CALLS"
for h in 08 09 10 11 12 13; do
	csv_line 2026-03-02 "$h:00:00" >>"$CALLS"
done
CASES=$(jsonl_path deb)
printf '%s\n' '{"case_id":"deb-1","created":"2026-03-02T09:14:00+01:00","source":"web","party":"patient","type":"patient"}' '{"case_id":"deb-1","created":"2026-03-02T09:14:00+01:00","source":"web","party":"patient","type":"patient"}' >"$CASES"
rc=0
(cd / && asuser /usr/sbin/teleqd -c "$C" --once </dev/null) >"$T/once.log" 2>&1 || rc=$?
assert_eq "as teleqd: the installed teleqd --once against 127.0.0.1:$PORT exits 0" 0 "$rc"
[ $rc -eq 0 ] || diag_file "$T/once.log"
assert_eq "the 6 calls and the case (its id twice: once) are counted" 7 "$(events_total)"
rc=0
/usr/bin/teleqctl -c "$C" status >"$T/status.out" 2>&1 || rc=$?
assert_eq "the installed teleqctl status: exit 0" 0 "$rc"
redis_stop

# ------------------------------------------------------------------- purge

rc=0
dpkg --purge teleqd >"$T/purge.log" 2>&1 || rc=$?
assert_eq "dpkg --purge: exit status 0" 0 "$rc"
[ $rc -eq 0 ] && INSTALLED=
[ $rc -eq 0 ] || diag_file "$T/purge.log"
left=
while IFS= read -r f; do
	[ -d "$f" ] && continue         # shared directories (/usr/share/man/man8 ...) stay
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done <"$T/files"
assert_eq "no file of the package is left" "" "$left"
assert_ok "/etc/teleqd is gone (key, password file, config)" test ! -e /etc/teleqd
assert_ok "/usr/share/teleqd and /usr/share/doc/teleqd are gone" \
	test ! -e /usr/share/teleqd -a ! -e /usr/share/doc/teleqd
assert_ok "the enablement symlink is gone" test ! -e /etc/systemd/system/multi-user.target.wants/teleqd.service
assert_eq "dpkg knows it no more" "" "$(dpkg-query -W -f='${Status}' teleqd 2>/dev/null | grep -v not-installed || true)"
if getent passwd teleqd >/dev/null; then
	diag "the user teleqd stays (Debian keeps system users)"
else
	diag "the user teleqd is gone"
fi
diag "t_deb: $(( ($(now_ms) - start) / 1000 )) s in all"

done_testing

#!/bin/sh
# t_config.sh — `teleqd -n`: the shipped configuration passes; broken ones
# are refused with "file:line:col: problem" and a non-zero exit status.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins

# check_ok DESCRIPTION FILE: teleqd -n accepts FILE.
check_ok() {
	rc=0
	out=$("$TELEQD" -n -c "$2" 2>&1) || rc=$?
	assert_eq "$1: exit status 0" 0 "$rc"
	assert_contains "$1: prints 'configuration OK'" "configuration OK" "$out"
}

# broken NAME DESCRIPTION SED-SCRIPT [LINE]: the private config changed by
# SED-SCRIPT must be refused; with LINE, the message must point at that line.
broken() {
	f=$T/$1.yaml
	sed -e "$3" "$CONF" >"$f"
	cmp -s "$f" "$CONF" && bail "test bug: '$3' does not change the config"
	rc=0
	out=$("$TELEQD" -n -c "$f" 2>&1) || rc=$?
	assert_ne "$2: non-zero exit status" 0 "$rc"
	assert_no_match "$2: does not claim the configuration is OK" 'configuration OK' "$out"
	first=$(printf '%s\n' "$out" | grep -v '^$' | head -n 1)
	re=$(printf '%s' "$f" | sed 's/[].[\*^$]/\\&/g')
	assert_match "$2: message is '$f:LINE:COL: problem'" "^(<[0-9]>)?$re:[0-9]+:[0-9]+: .+" "$first"
	if [ -n "${4:-}" ]; then
		got=$(printf '%s\n' "$first" | sed -n "s|^\(<[0-9]>\)\{0,1\}$re:\([0-9]*\):.*|\2|p")
		assert_eq "$2: points at line $4" "$4" "$got"
	fi
}

# line_of ERE: number of the first line of the private config matching ERE.
line_of() {
	n=$(grep -n -E -e "$1" "$CONF" | head -n 1 | cut -d: -f1)
	[ -n "$n" ] || bail "test bug: /$1/ not in the config"
	echo "$n"
}

# The shipped file as it is, but with its secret files (which -n reads, as
# the start does: t_check) and its feed directories in $T.
write_config
sed -e "s|^\([ \t]*password_file:\).*|\1 $T/redis.pass|" \
    -e "s|^\([ \t]*secret_file:\).*|\1 $T/secret|" \
    -e "s|/var/log/[a-z]*/|$T/feeds/|" "$TQ_ROOT/conf/teleqd.yaml" >"$T/shipped.yaml"
check_ok "shipped conf/teleqd.yaml" "$T/shipped.yaml"

check_ok "private test config" "$CONF"

# redis.sentinels and redis.master_name (issue 19) in place of redis.address:
# accepted when right; each sentinel address is checked by the parser the
# daemon uses, and the two keys go together.
l=$(line_of '^[ \t]+address:')
sed -e "${l}s|.*|  sentinels: [\"127.0.0.1:26379\", \"[::1]:26380\"]\\n  master_name: tq|" \
    "$CONF" >"$T/sentinels.yaml"
check_ok "sentinels instead of an address" "$T/sentinels.yaml"
broken sentinel_addr "a sentinel without a port" \
	"${l}s|.*|  sentinels: [\"127.0.0.1:26379\", \"127.0.0.1\"]\\n  master_name: tq|" "$l"
broken sentinel_no_name "sentinels without master_name" \
	"${l}s|.*|  sentinels: [\"127.0.0.1:26379\"]|" "$l"
broken sentinel_bad_name "a master_name with a space" \
	"${l}s|.*|  sentinels: [\"127.0.0.1:26379\"]\\n  master_name: \"my master\"|" "$((l + 1))"
broken sentinel_and_address "sentinels beside an address" \
	"${l}s|\$|\\n  sentinels: [\"127.0.0.1:26379\"]\\n  master_name: tq|" "$l"

# A config that is not YAML at all: an unterminated flow mapping.
l=$(line_of '^[ \t]+csv:[ \t]*\{')
broken yaml_syntax "unterminated flow mapping" "${l}s/}[ \t]*\$//"

# An unterminated quoted string.
l=$(line_of '^timezone:')
broken yaml_quote "unterminated quote" "${l}s/: .*/: \"Europe\/Stockholm/"

# A relative feed path (paths must be absolute).
l=$(line_of '^[ \t]+path:')
broken relative_path "relative feed path" "${l}s|path:.*|path: feeds/calls-*.txt|" "$l"

# A glob in a directory component.
broken glob_dir "glob in a directory of a feed path" "${l}s|path: \"\(.*\)/|path: \"\1*/|" "$l"

# An unknown key (a typo never falls back to a default).
l=$(line_of '^[ \t]+max_line:')
broken unknown_key "unknown key max_lines" "${l}s/max_line:/max_lines:/" "$l"

# An out-of-range value.
broken max_line_range "max_line 0 out of range" "${l}s/max_line:.*/max_line: 0/" "$l"

# A filter naming an event kind no feed produces.
l=$(line_of '^[ \t]+numerator:[ \t]*\{ *event: *call\.booked')
broken unknown_event "indicator filter with an unknown event kind" "${l}s/call\.booked/call.bokad/" "$l"

# A target that is not "OP NUMBER".
l=$(line_of '^[ \t]+target:')
broken bad_target "target without an operator" "${l}s/target:.*/target: \"55%\"/" "$l"

# A time zone that does not exist.
l=$(line_of '^timezone:')
broken bad_zone "unknown time zone" "${l}s|timezone:.*|timezone: Europe/Stockholmm|" "$l"

# An id without dedup.secret_file.
l=$(line_of '^[ \t]+secret_file:')
broken no_secret "id without dedup.secret_file" "${l}d"

# A missing file.
rc=0
out=$("$TELEQD" -n -c "$T/does-not-exist.yaml" 2>&1) || rc=$?
assert_ne "missing config file: non-zero exit status" 0 "$rc"
assert_contains "missing config file: names the file" "$T/does-not-exist.yaml" "$out"

# Without -c, teleqd reads the default config, the same file as teleqctl
# (the default both --help texts name): not a usage error.
ctl_default=$("$TELEQCTL" --help | sed -n 's/.*-c, --config FILE.*(default \([^)]*\)).*/\1/p')
assert_eq "teleqctl --help names its default config" "/etc/teleqd/teleqd.yaml" "$ctl_default"
assert_contains "teleqd --help names the same default" "(default $ctl_default)" "$("$TELEQD" --help)"
rc=0
out=$("$TELEQD" -n 2>&1) || rc=$?
assert_ne "teleqd -n without -c: not a usage error (exit 2)" 2 "$rc"
if [ -e "$ctl_default" ]; then
	assert_match "teleqd -n without -c: checks $ctl_default" \
		"configuration OK|$(printf '%s' "$ctl_default" | sed 's/[].[\*^$]/\\&/g')" "$out"
else
	assert_contains "teleqd -n without -c: names $ctl_default" "$ctl_default" "$out"
fi

done_testing

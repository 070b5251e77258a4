#!/bin/sh
# t_completion.sh — bash completion for teleqctl (conf/bash-completion/teleqctl,
# installed by make install and the .deb as
# share/bash-completion/completions/teleqctl).
#
# Sourced into a real bash: `complete -p teleqctl` names its function; the
# words it offers are the ones teleqctl's own --help lists: the commands of
# its usage lines, the long options of its Options, the formats of --format,
# the commands' own words (alerts --test) and file names after -c and -o.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins

COMP=$TQ_ROOT/conf/bash-completion/teleqctl
command -v bash >/dev/null 2>&1 || bail "bash missing"
[ -f "$COMP" ] || bail "$COMP missing"

HELP=$("$TELEQCTL" --help)
# The commands: the word after "[-c FILE]" on each usage line.
cmds=$(printf '%s\n' "$HELP" | sed -n 's/^\(Usage:\)\{0,1\} *teleqctl \[-c FILE\] \([a-z]*\).*/\2/p' |
	LC_ALL=C sort -u | paste -sd' ')
[ "$(echo "$cmds" | wc -w)" -ge 5 ] || bail "test bug: commands from --help: '$cmds'"
# The long options of the Options section.
longopts=$(printf '%s\n' "$HELP" | sed -n '/^Options:/,/^$/p' | grep -o -e '--[a-z][a-z-]*' |
	LC_ALL=C sort -u | paste -sd' ')
# The formats of --format on the report usage line.
formats=$(printf '%s\n' "$HELP" | sed -n 's/.*report PERIOD \[--format \([a-z|]*\)\].*/\1/p' |
	tr '|' '\n' | LC_ALL=C sort -u | paste -sd' ')
[ -n "$formats" ] || bail "test bug: no formats in --help"

# comp WORD...: what the completion offers for the command line WORD...
# (the cursor on the last word), sorted, one line.
comp() {
	bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		fn=$(complete -p teleqctl | sed -n "s/.*-F \([^ ]*\) teleqctl$/\1/p")
		"$fn" teleqctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' comp "$COMP" "$@" | LC_ALL=C sort -u | paste -sd' '
}

rc=0
out=$(bash --norc --noprofile -c '. "$1" && complete -p teleqctl' x "$COMP" 2>&1) || rc=$?
assert_eq "sourced in bash: complete -p teleqctl succeeds" 0 "$rc"
assert_match "complete -p teleqctl: a function completes teleqctl" '^complete .*-F [_a-zA-Z0-9]+ teleqctl$' "$out"

assert_eq "teleqctl <TAB>: the commands of teleqctl's usage ($cmds)" "$cmds" "$(comp teleqctl '')"
assert_eq "teleqctl re<TAB>: report" "report" "$(comp teleqctl re)"
assert_eq "teleqctl -c FILE s<TAB>: set status" "set status" "$(comp teleqctl -c /x.yaml s)"
assert_eq "teleqctl report --format <TAB>: the formats of --help ($formats)" "$formats" \
	"$(comp teleqctl report 2026-03 --format '')"
assert_eq "teleqctl report -f j<TAB>: json" "json" "$(comp teleqctl report -f j)"
assert_eq "teleqctl status --<TAB>: every long option of --help" "$longopts" "$(comp teleqctl status --)"
assert_eq "teleqctl alerts --t<TAB>: --test --today" "--test --today" "$(comp teleqctl alerts --t)"
mkdir -p "$T/cdir"
: >"$T/cdir/site.yaml"
assert_eq "teleqctl -c <dir>/si<TAB>: the file" "$T/cdir/site.yaml" "$(comp teleqctl -c "$T/cdir/si")"
assert_eq "teleqctl report X -o <dir>/si<TAB>: the file" "$T/cdir/site.yaml" \
	"$(comp teleqctl report 2026-Q1 -o "$T/cdir/si")"

done_testing

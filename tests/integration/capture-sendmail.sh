#!/bin/sh
# capture-sendmail.sh — a stand-in for sendmail in t_notify.sh.
#
#   capture-sendmail.sh OUT [--exit N] [SENDMAIL-ARGS...]
#
# Stores its standard input in OUT (complete files only: written to a
# temporary name, then renamed), its arguments one per line in OUT.args,
# and the descriptors it inherited ("fd target" lines) in OUT.fds. With
# --exit N it still reads the message but then fails like a sendmail whose
# queue is unavailable: a line on standard error and exit status N.
set -eu
out=$1
shift
code=0
if [ "${1:-}" = --exit ]; then
	code=$2
	shift 2
fi
# The descriptors a child of this shell inherits: everything the spawner
# passed on, plus ls's own directory descriptor and its stdout (the shell's
# own descriptors, like the script it reads, are close-on-exec).
ls -l /proc/self/fd >"$out.fds.tmp"
: >"$out.args.tmp"
for a in "$@"; do
	printf '%s\n' "$a" >>"$out.args.tmp"
done
cat >"$out.tmp"
mv "$out.fds.tmp" "$out.fds"
mv "$out.args.tmp" "$out.args"
if [ "$code" != 0 ]; then
	rm -f "$out.tmp"
	echo "capture-sendmail: simulated failure (queue unavailable)" >&2
	echo "a second line that must not be in the detail" >&2
	exit "$code"
fi
mv "$out.tmp" "$out"

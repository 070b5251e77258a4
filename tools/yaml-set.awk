# yaml-set.awk — a teleqd config made private to one run: the one rewriter
# of tests/integration/lib.sh (rewrite_config), tools/demo.sh and
# bench/run.sh.
#
#   awk -f tools/yaml-set.awk [-v feeds=DIR] [-v addr=ADDRESS]
#       [-v pass=FILE] [-v secret=FILE] [-v overrides="KEY=VALUE ..."]
#       CONFIG >OUT
#
# Only block-style "KEY: value" lines (also list items, "- KEY: value") are
# touched, in this order:
#   - KEY named in overrides (KEY=VALUE pairs separated by spaces, so a
#     VALUE has none): every such line gets that value;
#   - path, when feeds is set: the file pattern is kept, its directory
#     becomes feeds;
#   - address, password_file, secret_file, when addr, pass, secret are set:
#     that value.
# Everything else, comments and layout included, is printed as it is.
BEGIN {
	n = split(overrides, ov, " ")
	for (i = 1; i <= n; i++) {
		e = index(ov[i], "=")
		if (e > 1)
			repl[substr(ov[i], 1, e - 1)] = substr(ov[i], e + 1)
	}
}
# unquote(v): a scalar's value without leading blanks, quotes or comment
function unquote(v) {
	sub(/^[ \t]+/, "", v)
	if (v ~ /^"/) { v = substr(v, 2); sub(/".*$/, "", v); return v }
	if (v ~ /^\047/) { v = substr(v, 2); sub(/\047.*$/, "", v); return v }
	sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v)
	return v
}
match($0, /^[ \t]*(-[ \t]+)?[A-Za-z_][A-Za-z0-9_]*:([ \t]|$)/) {
	head = substr($0, 1, RLENGTH)
	rest = substr($0, RLENGTH + 1)
	key = head
	sub(/^[ \t]*(-[ \t]+)?/, "", key)
	sub(/:.*$/, "", key)
	lead = head
	sub(/[A-Za-z_][A-Za-z0-9_]*:.*$/, "", lead)
	if (key in repl) { print lead key ": " repl[key]; next }
	if (key == "path" && feeds != "") {
		v = unquote(rest)
		sub(/^.*\//, "", v)
		print lead "path: \"" feeds "/" v "\""
		next
	}
	if (key == "address" && addr != "") { print lead "address: \"" addr "\""; next }
	if (key == "password_file" && pass != "") { print lead "password_file: " pass; next }
	if (key == "secret_file" && secret != "") { print lead "secret_file: " secret; next }
}
{ print }

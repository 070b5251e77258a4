#!/bin/sh
# Turns a config file into a C string literal for the fuzz harnesses:
#   sh tests/fuzz/embed-conf.sh conf/teleqd.yaml > build/teleqd.yaml.h
# gives `static const char CONF_TELEQD_YAML[]`. Backslashes, quotes and '?'
# (trigraphs in strict C11) are escaped; bytes are kept as they are (UTF-8).
set -eu
printf '/* generated from %s by tests/fuzz/embed-conf.sh */\n' "$1"
printf 'static const char CONF_TELEQD_YAML[] =\n'
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"
printf ';\n'

#!/bin/sh
# Turns a text file (a Lua script) into a C string literal: LUA_<name>.
# Usage: embed.sh src/commit.lua > build/commit.lua.h
set -eu
name=$(basename "$1" .lua | tr -c 'A-Za-z0-9\n' '_')
printf 'static const char LUA_%s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"
printf ';\n'

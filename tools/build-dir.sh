# shellcheck shell=sh
# tools/build-dir.sh — the start every top-level script shares (sourced;
# POSIX sh): tests/integration/run.sh, tests/torture/run.sh, bench/run.sh and
# tools/demo.sh. The caller sets ROOT (the repository's top); this moves
# there and makes BUILD (default build/rel) absolute, so it still names the
# build after a later cd.
cd "$ROOT" || exit 1
BUILD=${BUILD:-build/rel}
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac

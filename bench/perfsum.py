#!/usr/bin/env python3
"""bench/perfsum.py PERF.DATA [N]: the top of a perf profile by self time, for
`make bench BENCH_PROFILE=1`.

Debian's redis-server is stripped: its embedded Lua interpreter shows as bare
addresses. Each such address is named after the nearest exported (dynamic)
symbol below it, e.g. "~lua_yield" (ldo.c and what the linker put after it),
and summed by that name; addresses whose nearest symbol is a Lua one (lua_*,
luaL_*, luaopen_*) are also summed as "Lua interpreter (embedded)".
"""
import bisect
import os
import re
import subprocess
import sys


def dynsyms(path):
    """Sorted (address, name) of the exported functions of an ELF file."""
    try:
        out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    syms = []
    for l in out.splitlines():
        p = l.split()
        if len(p) == 3 and p[1] in "Tt":
            syms.append((int(p[0], 16), p[2]))
    syms.sort()
    return syms


def main():
    data = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio", "-g", "none",
                          "--sort", "dso,sym", "-F", "overhead,dso,sym"],
                         capture_output=True, text=True).stdout
    rows = []
    for l in rep.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*\S)", l)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(4)))
    # the binaries perf saw (build ids): path of each dso name
    paths = {}
    bl = subprocess.run(["perf", "buildid-list", "-i", data], capture_output=True, text=True).stdout
    for l in bl.splitlines():
        p = l.split(None, 1)
        if len(p) == 2 and os.path.isfile(p[1]):
            paths.setdefault(os.path.basename(p[1]), p[1])
    cache = {}
    agg, lua = {}, 0.0
    for pct, dso, sym in rows:
        name = sym
        if re.fullmatch(r"0x[0-9a-f]+", sym) and dso in paths:
            if dso not in cache:
                cache[dso] = dynsyms(paths[dso])
            syms = cache[dso]
            i = bisect.bisect_right([a for a, _ in syms], int(sym, 16)) - 1
            if i >= 0:
                name = "~" + syms[i][1]
        if re.match(r"~?lua(L_|open_|_)", name):
            lua += pct
        key = (dso, name)
        agg[key] = agg.get(key, 0.0) + pct
    for (dso, name), pct in sorted(agg.items(), key=lambda x: -x[1])[:top]:
        print("  %6.2f%%  %-20s %s" % (pct, dso[:20], name))
    if lua:
        print("  %6.2f%%  in all: Lua interpreter (embedded; ~name = nearest exported symbol below)" % lua)


if __name__ == "__main__":
    main()

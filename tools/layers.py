#!/usr/bin/env python3
"""tools/layers.py — `make layers`: no module calls up.

README.md draws the layers of src/ in one fenced block after the line
`<!-- layers: checked by tools/layers.py -->`: one line a layer, the top
first, `<number> <name>: <file.c> ...`. A file may use what files of its own
layer or of a lower one define; a reference to a symbol defined in a file of
a higher layer is an upward call and fails the check. Callbacks are not
references (a function pointer handed down is the way up), so the check is
exactly "who names whom".

The references are read from the objects (`nm`): for each BUILD/<file>.o,
its undefined symbols are matched to the object that defines them. Every
src/*.c must be in exactly one layer, and every layer file must exist, so the
drawing cannot go stale silently.

Usage: tools/layers.py [BUILD]      (default build/rel; run `make` first)
       tools/layers.py --self-test  (the check finds a planted upward call)
Exit status: 0 clean, 1 an upward call or a file out of the drawing,
2 usage or a missing object.
"""
import glob
import os
import re
import subprocess
import sys

MARK = "<!-- layers: checked by tools/layers.py -->"


def read_layers(readme_text):
    """Returns [(number, name, [files])] from the README's block, top first.

    Raises ValueError naming the README line of anything malformed.
    """
    lines = readme_text.splitlines()
    try:
        at = next(i for i, l in enumerate(lines) if l.strip() == MARK)
    except StopIteration:
        raise ValueError("README.md: no line %r" % MARK)
    i = at + 1
    if i >= len(lines) or not lines[i].startswith("```"):
        raise ValueError("README.md:%d: a ``` block must follow the layers mark" % (i + 1))
    layers = []
    for i in range(i + 1, len(lines)):
        l = lines[i]
        if l.startswith("```"):
            break
        if not l.strip():
            continue
        m = re.match(r"^\s*(\d+)\s+([^:]+):\s*(.*)$", l)
        if not m:
            raise ValueError("README.md:%d: expected '<n> <name>: <file.c> ...'" % (i + 1))
        files = re.findall(r"[A-Za-z0-9_]+\.c", m.group(3))
        if not files:
            raise ValueError("README.md:%d: layer %s names no file" % (i + 1, m.group(1)))
        layers.append((int(m.group(1)), m.group(2).strip(), files))
    else:
        raise ValueError("README.md:%d: the layers block is not closed" % (at + 1))
    nums = [n for n, _, _ in layers]
    if nums != sorted(nums, reverse=True) or len(set(nums)) != len(nums):
        raise ValueError("README.md:%d: layers must be listed top first, numbers falling" % (at + 1))
    return layers


def upward(layer_of, defs, refs):
    """Pure: the upward references.

    layer_of: file -> layer number; defs: symbol -> defining file;
    refs: file -> set of symbols it references but does not define.
    Returns sorted [(caller, symbol, callee)] where callee's layer is above
    caller's.
    """
    out = []
    for caller, syms in refs.items():
        for s in syms:
            callee = defs.get(s)
            if callee is None or callee == caller:
                continue
            if layer_of[callee] > layer_of[caller]:
                out.append((caller, s, callee))
    return sorted(out)


def read_objects(build, files):
    """Returns (defs, refs) of BUILD/<file>.o for each file (see upward)."""
    defs, refs = {}, {}
    for f in files:
        obj = os.path.join(build, f[:-2] + ".o")
        if not os.path.exists(obj):
            raise FileNotFoundError("%s: no such object (run make first)" % obj)
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        refs[f] = set()
        for line in out.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in "TDBR":
                defs[p[2]] = f
            elif len(p) == 2 and p[0] == "U":
                refs[f].add(p[1])
    return defs, refs


def check(root, build):
    with open(os.path.join(root, "README.md"), encoding="utf-8") as fh:
        layers = read_layers(fh.read())
    layer_of, name_of = {}, {}
    bad = 0
    for n, name, files in layers:
        for f in files:
            if f in layer_of:
                print("README.md: %s is in layers %d and %d" % (f, layer_of[f], n))
                bad = 1
            layer_of[f] = n
            name_of[n] = name
    srcs = {os.path.basename(p) for p in glob.glob(os.path.join(root, "src", "*.c"))}
    for f in sorted(srcs - set(layer_of)):
        print("README.md: src/%s is in no layer" % f)
        bad = 1
    for f in sorted(set(layer_of) - srcs):
        print("README.md: layer file %s is not in src/" % f)
        bad = 1
    if bad:
        return 1
    defs, refs = read_objects(build, sorted(layer_of))
    ups = upward(layer_of, defs, refs)
    for caller, s, callee in ups:
        print("src/%s (layer %d %s) calls %s of src/%s (layer %d %s, above it)"
              % (caller, layer_of[caller], name_of[layer_of[caller]], s, callee,
                 layer_of[callee], name_of[layer_of[callee]]))
    if ups:
        return 1
    edges = sum(1 for c, ss in refs.items() for s in ss if defs.get(s, c) != c)
    print("layers: %d files in %d layers, %d references between files, none upward"
          % (len(layer_of), len(layers), edges))
    return 0


def self_test():
    text = "\n".join([
        "x", MARK, "```", "2 top: a.c", "1 mid: b.c c.c", "0 base: d.c", "```", ""])
    layers = read_layers(text)
    assert [n for n, _, _ in layers] == [2, 1, 0], layers
    layer_of = {f: n for n, _, fs in layers for f in fs}
    defs = {"fa": "a.c", "fb": "b.c", "fc": "c.c", "fd": "d.c"}
    clean = {"a.c": {"fb", "fd", "printf"}, "b.c": {"fc", "fd"}, "c.c": {"fb"}, "d.c": set()}
    assert upward(layer_of, defs, clean) == [], upward(layer_of, defs, clean)
    planted = dict(clean, **{"d.c": {"fb"}, "c.c": {"fa"}})
    got = upward(layer_of, defs, planted)
    assert got == [("c.c", "fa", "a.c"), ("d.c", "fb", "b.c")], got
    for broken in ("x\n" + MARK + "\n```\n1 a: a.c\n2 b: b.c\n```\n",
                   "x\n" + MARK + "\n```\n1 a a.c\n```\n",
                   "x\n" + MARK + "\n```\n1 a: a.c\n"):
        try:
            read_layers(broken)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % broken)
    print("layers self-test: an upward call and three malformed drawings found")
    return 0


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    if len(argv) > 2:
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    build = argv[1] if len(argv) > 1 else os.path.join(root, "build", "rel")
    try:
        return check(root, build)
    except (ValueError, FileNotFoundError) as e:
        print("layers: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""
hdr-includes.py — which of include/*.h a C file uses (include what you use).

    python3 tools/hdr-includes.py FILE...          prints FILE: the headers
    python3 tools/hdr-includes.py --fix FILE...    replaces its #include "teleqd.h"

The headers are read for what each declares at file scope: functions,
externs, typedefs, macros, struct/enum/union tags and enumerators. A file
uses a header when it names one of them (a tag only after struct, enum or
union; comments and string literals do not count). 'struct event' is both
teleqd's (map.h) and libevent's: a file holding only libevent events does
not need map.h, so check a map.h it is given for 'event' alone. The result
is a starting point: the build (-Werror) and `make hdrcheck` decide.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INC = os.path.join(ROOT, 'include')
SKIP = {'feed_int.h'}      # private to feed*.c, included by name
# opaque types: declared (struct x;) by their module's header only
OPAQUE = {'store': 'store.h', 'cases': 'cases.h', 'feedset': 'feed.h', 'httpd': 'http.h',
          'http_reply': 'http.h', 'notify': 'notify.h', 'pipeline': 'pipeline.h',
          'sdnotify': 'sdnotify.h', 'storealarm': 'storealarm.h', 'tz': 'tz.h'}


def strip(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\\n])*'", "''", text)


def declared(path):
    """(tags, names) a header declares at file scope."""
    text = strip(open(path).read())
    tags, names = set(), set()
    for m in re.finditer(r'^\s*#\s*define\s+(\w+)', text, flags=re.M):
        if not re.fullmatch(r'TQ_\w+_H', m.group(1)):
            names.add(m.group(1))
    text = re.sub(r'^\s*#[^\n]*', ' ', text, flags=re.M)
    for m in re.finditer(r'\b(?:struct|enum|union)\s+(\w+)\s*\{', text):
        tags.add(m.group(1))
    for m in re.finditer(r'\benum\s+\w*\s*\{([^}]*)\}', text):
        for item in m.group(1).split(','):
            im = re.match(r'\s*(\w+)', item)
            if im:
                names.add(im.group(1))
    # file-scope statements: drop every brace block, split at ';'
    flat, depth = [], 0
    for ch in text:
        if ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
        elif depth == 0:
            flat.append(ch)
    for stmt in ''.join(flat).split(';'):
        stmt = ' '.join(stmt.split())
        if not stmt or re.fullmatch(r'(struct|enum|union) \w+', stmt):
            continue
        m = re.search(r'(\w+)\s*\(', stmt)
        if m:                               # a function, or a function typedef
            names.add(m.group(1))
            continue
        m = re.search(r'(\w+)\s*(\[[^\]]*\])*\s*$', stmt)
        if m and stmt.startswith(('extern', 'typedef')):
            names.add(m.group(1))
    return tags, names


def index():
    tags, names = dict(OPAQUE), {}
    for h in sorted(os.listdir(INC)):
        if not h.endswith('.h') or h in SKIP:
            continue
        t, n = declared(os.path.join(INC, h))
        for x in t:
            tags.setdefault(x, h)
        for x in n:
            names.setdefault(x, h)
    return tags, names


def used(path, tags, names):
    text = strip(open(path).read())
    text = re.sub(r'^\s*#\s*include[^\n]*', ' ', text, flags=re.M)
    out = set()
    for m in re.finditer(r'(?:\b(struct|enum|union)\s+)?\b([A-Za-z_]\w*)', text):
        kw, name = m.groups()
        if kw and name in tags:
            out.add(tags[name])
        elif name in names:
            out.add(names[name])
    out.discard(os.path.basename(path))
    return ['core.h'] * ('core.h' in out) + sorted(out - {'core.h'})


def main(argv):
    fix = argv[:1] == ['--fix']
    files = argv[1:] if fix else argv
    if not files:
        sys.exit(__doc__)
    tags, names = index()
    for f in files:
        hs = used(f, tags, names)
        if fix:
            text = open(f).read()
            new = '\n'.join('#include "%s"' % h for h in hs)
            text2 = re.sub(r'^#include "teleqd\.h"[ \t]*$', lambda _: new, text, count=1,
                           flags=re.M)
            if text2 != text:
                open(f, 'w').write(text2)
        print('%s: %s' % (f, ' '.join(hs)))


if __name__ == '__main__':
    main(sys.argv[1:])

#!/usr/bin/env python3
"""grafana_check.py -- checks conf/grafana's dashboards against a real teleqd.

Used by t_grafana.sh; needs no Grafana. Each mode prints one line per
problem (nothing when all is well) and exits 1 when there is any.

  grafana_check.py redis DASHDIR TITLES -- REDIS-CLI-ARGS...
      Every Redis panel's query (the redis-datasource plugin's fields
      command, keyName, field, start, end, count; ${prefix} from the
      dashboard's constant) is run with `redis-cli REDIS-CLI-ARGS --no-raw`
      (the read-only ACL user over TCP in the test). An error reply
      (NOPERM, WRONGTYPE, ...) is a problem; so is an empty reply (an empty
      stream, a hash without the fields), except the half-year stream of a
      growth indicator (no value without last year's half: the committee's
      data starts in 2025). TITLES: lines "name<TAB>kind<TAB>title" of every
      configured indicator (from teleqd's own ind:<name>:month hashes).

  grafana_check.py titles DASHDIR TITLES
      Every indicator has a row titled exactly its Swedish title and panels
      reading hist:<name>:month, :quarter, :half and ind:<name>:month; every
      Redis panel's title starts with the Swedish title of the indicator it
      reads; no title names a template variable or a bare indicator name.

  grafana_check.py prom DASHDIR SCRAPE
      Every Prometheus panel's expr names at least one teleqd_ metric, each
      metric it names is in SCRAPE (a /metrics body of a running teleqd),
      and each label it groups or matches by (by (...), {label=...},
      {{label}} in the legend) is carried by one of those metrics.
"""
import glob
import json
import os
import re
import subprocess
import sys

REDIS_TYPE = "redis-datasource"
PROM_TYPE = "prometheus"


def dashboards(d):
    out = []
    for f in sorted(glob.glob(os.path.join(d, "*.json"))):
        with open(f, encoding="utf-8") as fh:
            out.append((os.path.basename(f), json.load(fh)))
    if not out:
        sys.exit("grafana_check: no dashboard JSON in %s" % d)
    return out


def panels(dash):
    """Every panel, rows' nested panels too."""
    def walk(ps):
        for p in ps:
            yield p
            yield from walk(p.get("panels", []))
    return list(walk(dash.get("panels", [])))


def constants(dash):
    return {v["name"]: v.get("query", "") for v in dash.get("templating", {}).get("list", [])
            if v.get("type") == "constant"}


def ds_type(dash, panel, target):
    ds = target.get("datasource") or panel.get("datasource") or {}
    t = ds.get("type", "")
    if t:
        return t
    uid = ds.get("uid", "")
    if uid.startswith("${") or uid.startswith("$"):
        name = uid.strip("${}")
        for v in dash.get("templating", {}).get("list", []):
            if v.get("name") == name and v.get("type") == "datasource":
                return v.get("query", "")
    return ""


def subst(s, consts):
    for k, v in consts.items():
        s = s.replace("${%s}" % k, v).replace("$%s" % k, v)
    return s


def read_titles(path):
    titles = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            name, kind, title = line.split("\t", 2)
            titles[name] = (kind, title)
    if not titles:
        sys.exit("grafana_check: no indicators in %s" % path)
    return titles


KEY_RX = re.compile(r"(?:^|:)(ind|hist):([a-z0-9_]+):([a-z0-9-]+)$")


def redis_targets(dash):
    consts = constants(dash)
    for p in panels(dash):
        for t in p.get("targets", []):
            if ds_type(dash, p, t) == REDIS_TYPE:
                yield p, t, consts


def argv_of(t, consts):
    """The redis-cli argv of a target as the plugin sends it."""
    cmd = (t.get("command") or "").lower()
    if t.get("type", "command") != "command" or not cmd:
        return None, "query type %r / command %r is not a plain command" % (t.get("type"), cmd)
    key = subst(t.get("keyName", ""), consts)
    argv = [cmd.upper(), key]
    if cmd in ("hmget", "hget"):
        argv += subst(t.get("field", ""), consts).split()
    elif cmd in ("xrange", "xrevrange"):
        lo, hi = ("-", "+") if cmd == "xrange" else ("+", "-")
        argv += [t.get("start") or lo, t.get("end") or hi]
        if t.get("count"):
            argv += ["COUNT", str(t["count"])]
    elif cmd not in ("hgetall", "smembers", "get", "xlen", "hlen", "scard"):
        return None, "command %s is not one the check knows" % cmd
    if any("$" in a for a in argv):
        return None, "unresolved variable in %s" % " ".join(argv)
    return argv, None


def mode_redis(dashdir, titles_path, cli):
    titles = read_titles(titles_path)
    bad = []
    n = 0
    for fname, dash in dashboards(dashdir):
        for p, t, consts in redis_targets(dash):
            where = "%s: panel %r target %s" % (fname, p.get("title"), t.get("refId"))
            n += 1
            argv, err = argv_of(t, consts)
            if err:
                bad.append("%s: %s" % (where, err))
                continue
            r = subprocess.run(cli + ["--no-raw"] + argv, capture_output=True, text=True, timeout=10)
            out = r.stdout.strip()
            if r.returncode != 0 or "(error)" in out or r.stderr.strip():
                bad.append("%s: %s -> %s" % (where, " ".join(argv), (out + " " + r.stderr).strip()))
                continue
            lines = [l for l in out.splitlines() if l.strip()]
            empty = (not lines or out == "(empty array)" or out == "(nil)"
                     or all(l.endswith("(nil)") for l in lines))
            if empty:
                m = KEY_RX.search(argv[1])
                kind = titles.get(m.group(2), ("", ""))[0] if m else ""
                if m and m.group(1) == "hist" and m.group(3) == "half" and kind == "growth":
                    continue
                bad.append("%s: %s -> empty (%s)" % (where, " ".join(argv), out))
    if n == 0:
        bad.append("no Redis panel query in %s" % dashdir)
    return bad


def mode_titles(dashdir, titles_path):
    titles = read_titles(titles_path)
    bad = []
    rows = set()
    read = {}          # indicator -> set of "hist:month", "ind:month", ...
    names = set(titles)
    for fname, dash in dashboards(dashdir):
        for p in panels(dash):
            title = p.get("title", "")
            if "$" in title:
                bad.append("%s: panel title %r names a variable, not the indicator's title" % (fname, title))
            words = set(re.findall(r"[a-z0-9_]+", title))
            if words & names:
                bad.append("%s: panel title %r holds an indicator's name" % (fname, title))
            if p.get("type") == "row":
                rows.add(title)
        for p, t, consts in redis_targets(dash):
            key = subst(t.get("keyName", ""), consts)
            m = KEY_RX.search(key)
            if not m:
                continue
            name = m.group(2)
            if name not in titles:
                bad.append("%s: panel %r reads %s, not a configured indicator" % (fname, p.get("title"), key))
                continue
            read.setdefault(name, set()).add("%s:%s" % (m.group(1), m.group(3)))
            want = titles[name][1]
            if not p.get("title", "").startswith(want):
                bad.append("%s: panel %r reads %s: its title should start with %r"
                           % (fname, p.get("title"), key, want))
    for name, (kind, title) in sorted(titles.items()):
        if title not in rows:
            bad.append("no row titled %r (indicator %s)" % (title, name))
        for k in ("hist:month", "hist:quarter", "hist:half", "ind:month"):
            if k not in read.get(name, set()):
                bad.append("no panel reads %s for %s (%s)" % (k.replace(":", ":%s:" % name), name, title))
    return bad


SAMPLE_RX = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s")


def scrape_labels(path):
    """metric name -> set of label names, from a Prometheus text body."""
    have = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            m = SAMPLE_RX.match(line)
            if not m:
                continue
            labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
            have.setdefault(m.group(1), set()).update(labels)
    return have


def mode_prom(dashdir, scrape):
    have = scrape_labels(scrape)
    bad = []
    n = 0
    for fname, dash in dashboards(dashdir):
        for p in panels(dash):
            for t in p.get("targets", []):
                if ds_type(dash, p, t) != PROM_TYPE:
                    continue
                n += 1
                expr = t.get("expr", "")
                where = "%s: panel %r target %s" % (fname, p.get("title"), t.get("refId"))
                metrics = set(re.findall(r"\b(teleqd_[a-z0-9_]+|process_[a-z0-9_]+)\b", expr))
                if not metrics:
                    bad.append("%s: expr %r names no teleqd metric" % (where, expr))
                    continue
                missing = sorted(m for m in metrics if m not in have)
                if missing:
                    bad.append("%s: /metrics has no %s" % (where, ", ".join(missing)))
                    continue
                carried = set().union(*(have[m] for m in metrics))
                used = set()
                for grp in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
                    used.update(x.strip() for x in grp.split(",") if x.strip())
                for sel in re.findall(r"\{([^}]*)\}", expr):
                    used.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", sel))
                used.update(re.findall(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", t.get("legendFormat", "")))
                unknown = sorted(used - carried)
                if unknown:
                    bad.append("%s: label %s on none of %s" % (where, ", ".join(unknown), ", ".join(sorted(metrics))))
    if n == 0:
        bad.append("no Prometheus panel query in %s" % dashdir)
    return bad


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "redis" and a[3] == "--":
        bad = mode_redis(a[1], a[2], a[4:])
    elif len(a) == 3 and a[0] == "titles":
        bad = mode_titles(a[1], a[2])
    elif len(a) == 3 and a[0] == "prom":
        bad = mode_prom(a[1], a[2])
    else:
        sys.exit(__doc__)
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

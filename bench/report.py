#!/usr/bin/env python3
"""bench/report.py RESULTS.CSV [RUNTIME_MS]: the table of `make bench`.

Reads the results.csv written by bench/run.sh ('#' lines: the machine;
then one row per measurement) and prints an aligned summary with the
targets of issue "Performance: a benchmark" beside the figures (informative
only: the exit status is 0 whatever the figures).
"""
import csv
import sys

# Targets: informative marks beside the figures.
T_CSV_EPS = 3_000_000
T_JSONL_EPS = 2_000_000
T_RSS_KIB = 16 * 1024
T_LIVE_P99_MS = 20.0        # at 1,000 events/s, append to indicator
T_LIVE_CPU_PCT = 50.0       # at 50,000 events/s, of one core
T_LINEAR = 1.25             # cost per event, largest size / smallest size
FORMATS = ("csv", "jsonl", "jsonl-noid")  # jsonl-noid: the jsonl file with no id mapped


def num(s):
    if s is None or s == "":
        return None
    try:
        return float(s)
    except ValueError:
        return None


def count(v):
    """1234567 -> '1,234,567'."""
    return "-" if v is None else "{:,}".format(int(round(v)))


def rate(v):
    """events/s for humans: 950, 12.3k, 4.01M."""
    if v is None:
        return "-"
    if v >= 1e6:
        return "%.2fM" % (v / 1e6)
    if v >= 1e3:
        return "%.1fk" % (v / 1e3)
    return "%.0f" % v


def kib(v):
    if v is None:
        return "-"
    if v >= 1024 * 1024:
        return "%.1f GiB" % (v / 1048576)
    if v >= 1024:
        return "%.1f MiB" % (v / 1024)
    return "%.0f KiB" % v


def nbytes(v):
    return "-" if v is None else kib(v / 1024)


def ms(v):
    return "-" if v is None else ("%.2f" % v if v < 10 else "%.1f" % v)


def pct(v):
    return "-" if v is None else "%.0f%%" % v


def mark(ok):
    return "[ ok ]" if ok else "[MISS]"


def table(head, rows, right=None):
    """Aligned columns; right: indexes of right-aligned columns."""
    right = set(range(1, len(head))) if right is None else set(right)
    w = [len(h) for h in head]
    for r in rows:
        for i, c in enumerate(r):
            w[i] = max(w[i], len(c))
    out = []
    for r in [head] + rows:
        out.append("  ".join(c.rjust(w[i]) if i in right else c.ljust(w[i])
                             for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def main():
    path = sys.argv[1]
    runtime_ms = int(sys.argv[2]) if len(sys.argv) > 2 else None
    header = []
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    for l in lines:
        if l.startswith("#"):
            header.append(l[1:].strip())
    rows = list(csv.DictReader(l for l in lines if not l.startswith("#")))
    for r in rows:
        for k in list(r):
            if k not in ("name", "format"):
                r[k] = num(r[k])

    print("teleqd benchmark (make bench)")
    for h in header:
        print("  " + h)
    if runtime_ms is not None:
        s = runtime_ms / 1000
        print("  total run time: %dm%02ds" % (s // 60, s % 60))
    print()

    def find(name, fmt, events=None):
        for r in rows:
            if r["name"] == name and r["format"] == fmt and (events is None or r["events"] == events):
                return r
        return None

    sizes = sorted({r["events"] for r in rows if r["name"] == "backfill"})
    label = {"backfill": "teleqd --once", "backfill-2x": "  +N, resumed",
             "wc-l": "wc -l", "redis-pipe": "redis-cli --pipe"}

    # ---------------------------------------------------------- backfill
    out = []
    for n in sizes:
        for fmt in FORMATS:
            for name in ("backfill", "backfill-2x", "wc-l", "redis-pipe"):
                r = find(name, fmt, n)
                if not r:
                    continue
                out.append([label[name], fmt, count(r["events"]), "%.3f" % r["seconds"],
                            rate(r["events_per_s"]),
                            "-" if r["mib_per_s"] is None else "%.0f" % r["mib_per_s"],
                            kib(r["peak_rss_kib"]),
                            "-" if r["cpu_pct"] is None else "%.0f%%" % r["cpu_pct"],
                            "-" if r["redis_cpu_pct"] is None else "%.0f%%" % r["redis_cpu_pct"],
                            count(r["commits"]), count(r["redis_cmds"]),
                            "-" if r["redis_eval_ms"] is None else "%.0f" % r["redis_eval_ms"],
                            nbytes(r["redis_mem_bytes"]), pct(r.get("other_cpu_pct"))])
    if out:
        print("Backfill: one format at a time into an empty Redis; same files for wc -l (page cache")
        print("warm) and redis-cli --pipe (one HINCRBY per CSV line, protocol made beforehand)")
        print(table(["", "format", "events", "seconds", "events/s", "MiB/s", "peak RSS", "CPU",
                     "redis CPU", "commits", "redis cmds", "EVAL ms", "redis mem", "others"], out,
                    right=range(2, 14)))
        print("  (redis cmds: every command Redis executed, including those run inside the EVALs and")
        print("   MULTIs; EVAL ms: Redis time inside commit EVALs; CPU: % of one core over the wall time;")
        print("   others: CPU the rest of the machine used meanwhile, % of one core;")
        print("   jsonl-noid: the same JSON lines with no id mapped, so no de-duplication sets)")
        print()

    # ------------------------------------------------------------ ratios
    rat = []
    for n in sizes:
        for fmt in FORMATS:
            # the jsonl-noid rows read the jsonl file: the same reading floor
            b, w, p = (find("backfill", fmt, n), find("wc-l", fmt.split("-")[0], n),
                       find("redis-pipe", fmt, n))
            if not b:
                continue
            rw = b["seconds"] / w["seconds"] if w and w["seconds"] else None
            rp = b["seconds"] / p["seconds"] if p and p["seconds"] else None
            rat.append([fmt, count(n), "-" if rw is None else "%.1f x" % rw,
                        "-" if rp is None else "%.2f x" % rp,
                        "-" if rp is None else ("teleqd %.1f x faster" % (1 / rp) if rp < 1
                                                else "teleqd %.1f x slower" % rp)])
    if rat:
        print("Ratios of wall time (teleqd / other)")
        print(table(["format", "events", "teleqd/wc", "teleqd/pipe", "vs one HINCRBY per event"], rat,
                    right=(1, 2, 3)))
        print()

    # ------------------------------------------------------------ linear
    lin = {}
    if len(sizes) > 1:
        cost = []
        for fmt in FORMATS:
            per = [(n, find("backfill", fmt, n)) for n in sizes]
            per = [(n, r["seconds"] / n * 1e6) for n, r in per if r]
            if len(per) > 1:
                lin[fmt] = per[-1][1] / per[0][1]
                cost.append([fmt] + ["%.3f" % c for _, c in per] + ["%.2f" % lin[fmt]])
        if cost:
            print("Cost per event, microseconds (wall / events)")
            print(table(["format"] + [count(n) for n in sizes] + ["largest/smallest"], cost))
            print()

    # ------------------------------------------------------------ memory
    mem = []
    for n in sizes:
        b, b2 = find("backfill", "csv", n), find("backfill-2x", "csv", n)
        if b and b2:
            mem.append("  csv (no ids), 730 days: after %s events %s, after %s events %s (x %.2f)" % (
                count(n), nbytes(b["redis_mem_bytes"]), count(2 * n), nbytes(b2["redis_mem_bytes"]),
                b2["redis_mem_bytes"] / b["redis_mem_bytes"] if b["redis_mem_bytes"] else 0))
    js = [(n, find("backfill", "jsonl", n)) for n in sizes]
    js = [(n, r) for n, r in js if r and r["redis_mem_bytes"] is not None]
    if js:
        # Every line of the jsonl file has its own id, so the ids remembered are the
        # events; the de-dup buckets are the memory beyond the same file without ids.
        def per_id(n, r):
            noid = find("backfill", "jsonl-noid", n)
            base = noid["redis_mem_bytes"] if noid and noid["redis_mem_bytes"] is not None else 0
            return (r["redis_mem_bytes"] - base) / n
        mem.append("  jsonl (case ids, de-dup buckets), 730 days: " + ", ".join(
            "%s events %s (%.1f B/event)" % (count(n), nbytes(r["redis_mem_bytes"]),
                                             r["redis_mem_bytes"] / n) for n, r in js))
        mem.append("  de-dup buckets (jsonl minus jsonl-noid): " + ", ".join(
            "%.1f B per remembered id at %s ids" % (per_id(n, r), count(n)) for n, r in js))
        lua = [(n, r["redis_lua_bytes"]) for n, r in js if r.get("redis_lua_bytes")]
        if lua:
            mem.append("  Redis's Lua heap after the jsonl backfill (not in used_memory): " + ", ".join(
                "%s events %s" % (count(n), nbytes(v)) for n, v in lua))
    if mem:
        print("Redis memory used afterwards (used_memory minus the empty server)")
        print("\n".join(mem))
        print()

    # -------------------------------------------------------------- live
    live = [r for r in rows if r["name"] == "live"]
    if live:
        out = []
        for r in live:
            out.append([r["format"], count(r["events_per_s"]), count(r["events"]),
                        ms(r["p50_ms"]), ms(r["p99_ms"]), ms(r["ind_p50_ms"]), ms(r["ind_p99_ms"]),
                        "-" if r["cpu_pct"] is None else "%.1f%%" % r["cpu_pct"],
                        "-" if r["redis_cpu_pct"] is None else "%.1f%%" % r["redis_cpu_pct"],
                        kib(r["peak_rss_kib"]), pct(r.get("other_cpu_pct"))])
        print("Live: teleqd following a file appended at a fixed rate; latency from write(2) to the")
        print("first 0.5 ms poll showing the lines committed (counters) / in the indicator hash")
        print(table(["format", "events/s", "lines", "counters p50", "p99 ms", "indicator p50",
                     "p99 ms", "teleqd CPU", "redis CPU", "peak RSS", "others"], out))
        print()

    # ------------------------------------------------------------- noise
    other = [r["other_cpu_pct"] for r in rows if r.get("other_cpu_pct") is not None]
    if other and max(other) >= 20:
        print("Note: other processes used up to %.0f%% of a core (mean %.0f%%) during the measurements" % (
            max(other), sum(other) / len(other)))
        print("(column 'others'; the machine has %s): the figures are pessimistic where it is high." % (
            next((h.split(",")[0].split(": ")[1] for h in header if h.startswith("machine:")), "?")))
        print()

    # ----------------------------------------------------------- targets
    print("Targets (informative)")
    main_n = None
    for h in header:
        if h.startswith("sizes:") and "main size" in h:
            try:
                main_n = float(h.split("main size")[1].split(";")[0])
            except ValueError:
                pass
    if main_n not in sizes and sizes:
        main_n = sizes[-1]
    for fmt, t, what in (("csv", T_CSV_EPS, ""), ("jsonl-noid", T_JSONL_EPS, " (no ids)"),
                         ("jsonl", T_JSONL_EPS, " (every line's id de-duplicated in Redis)")):
        r = find("backfill", fmt, main_n)
        if r:
            print("  %s backfill %s >= %s events/s%s: %s at %s events" % (
                mark(r["events_per_s"] >= t), fmt, count(t), what, rate(r["events_per_s"]),
                count(main_n)))
    rss = [(r["peak_rss_kib"], r) for r in rows if r["name"] in ("backfill", "backfill-2x", "live")
           and r["peak_rss_kib"] is not None]
    if rss:
        worst, wr = max(rss, key=lambda x: x[0])
        print("  %s peak RSS <= 16 MiB: at most %s (%s %s, %s events)" % (
            mark(worst <= T_RSS_KIB), kib(worst), wr["name"], wr["format"], count(wr["events"])))
        for fmt in FORMATS:
            f = [x for x in rss if x[1]["format"] == fmt]
            if f:
                w, r = max(f, key=lambda x: x[0])
                print("         %s: at most %s (%s, %s events)" % (fmt, kib(w), r["name"], count(r["events"])))
    for r in live:
        if r["events_per_s"] == 1000:
            v = r["ind_p99_ms"] if r["ind_p99_ms"] is not None else r["p99_ms"]
            print("  %s live %s p99 < %.0f ms at 1,000/s (append to indicator): %s ms (counters %s ms)" % (
                mark(v is not None and v < T_LIVE_P99_MS), r["format"], T_LIVE_P99_MS, ms(v), ms(r["p99_ms"])))
    for r in live:
        if r["events_per_s"] == 50000:
            print("  %s live %s CPU < %.0f %% of one core at 50,000/s: %.1f %% (Redis %.1f %%)" % (
                mark(r["cpu_pct"] < T_LIVE_CPU_PCT), r["format"], T_LIVE_CPU_PCT, r["cpu_pct"],
                r["redis_cpu_pct"]))
    for fmt, v in lin.items():
        print("  %s cost linear across sizes (%s): per-event cost largest/smallest %.2f (<= %.2f)" % (
            mark(v <= T_LINEAR), fmt, v, T_LINEAR))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""committee_deadlines.py -- reference computation of the deadline indicators.

An independent computation (python3 standard library only) of the
Kvalitetsstyrning deadline indicators (issue 8) from the committee's sample
feeds, for the integration test to compare teleqd's Redis counters with:

    tools/committee_deadlines.py --now "2026-04-03 00:05" DIR
    tools/committee_deadlines.py --now "2026-04-03 00:05" --cases F --events F

DIR holds cases-committee.jsonl (the case.opened lines) and
case-events-committee.jsonl (teleq-gen --committee DIR writes both). It
prints one JSON object: for each cohort and each period of 2025 and 2026
(months 2026-03, quarters 2026-Q1, halves 2026-H1, years 2026) the cases
met, missed, decided (= met + missed) and pending at --now, and value =
met / decided (null without a decided case). --text prints the non-empty
periods as a table instead.

The rules (those of src/cohort.c, include/cohort.h):
  - a case is a case_id; a cohort member is a case with a start event of
    the cohort, and it belongs to the local (Europe/Stockholm) month of its
    earliest start;
  - the earliest stop counts (later duplicates change nothing), whatever
    the order of the lines; a stop before the start is met (a wait of 0);
  - hours are elapsed time and strict: started at t, "24h" is met up to
    t + 24*3600 - 1 (exactly 24 hours later is missed); days and weeks run
    to the end of the local date n days after the start's local date
    (opened 2 March at any hour, "7d" is met up to 9 March 23:59:59 local);
  - an extension (provider_postponed with "until": a date) moves the
    deadline to the end of that local day, never earlier; of several dates
    the latest wins, in whatever order they are read;
  - at --now: a stop at or before the deadline is met, a later one missed;
    without a stop the case is pending up to and including its deadline,
    missed after it.
Times are whole seconds: a fraction is dropped, as teleqd does. Every line
of the files counts, whatever its time (teleqd counts every line it reads,
also one stamped later than its calendar); --only-known ignores the events
stamped after --now instead (what the office knew at --now).

The cohorts (start -> stop, deadline):
  confirmation_24h          case.opened of a patient/relative case -> confirmed, 24h
  first_contact_7d          case.opened of a patient/relative case -> first_contact, 7d
  support_7d                support_requested -> support_appointed, 7d
  provider_reply_4w         provider_asked age adult -> provider_replied, 4w, extended
                            by provider_postponed
  provider_reply_2w         provider_asked age child -> provider_replied, 2w, extended
  provider_reply_in_time    the sum of the two above ("svar inom svarstid (två,
                            fyra veckor samt uppskov)", the 2025 indicator)
  provider_reply_eventually provider_asked (any age) -> provider_replied, 52w: "svar
                            inom tid eller efter tre påminnelser", every reply counts
For the provider cohorts each period also has "extended" (members with an
uppskov: each case once, in the month of its start, however many
postponements it had and whenever they were granted; teleqd's
deadline:<indicator>|extended, which t_deadline compares month by month,
and the follow-up's "Uppskov: < 19 år 1 ärende, > 19 år 18 ärenden" for
Q1 2026) and "met_by_extension" (met, but missed without the uppskov).

Exit status 0, or 2 for bad arguments or input.
"""

import argparse
import datetime
import json
import math
import os
import sys
import zoneinfo

TZ = zoneinfo.ZoneInfo("Europe/Stockholm")
YEARS = (2025, 2026)

# name -> (start kind, start filter, stop kind, span, extension kind)
COHORTS = {
    "confirmation_24h": ("case.opened", ("party", {"patient", "relative"}), "confirmed", "24h", None),
    "first_contact_7d": ("case.opened", ("party", {"patient", "relative"}), "first_contact", "7d", None),
    "support_7d": ("support_requested", None, "support_appointed", "7d", None),
    "provider_reply_4w": ("provider_asked", ("age", {"adult"}), "provider_replied", "4w",
                          "provider_postponed"),
    "provider_reply_2w": ("provider_asked", ("age", {"child"}), "provider_replied", "2w",
                          "provider_postponed"),
    "provider_reply_eventually": ("provider_asked", None, "provider_replied", "52w", None),
}
SUMS = {"provider_reply_in_time": ("provider_reply_4w", "provider_reply_2w")}
EXTENDED = {"provider_reply_4w", "provider_reply_2w", "provider_reply_in_time"}
EVENT_KINDS = {"confirmed", "first_contact", "support_requested", "support_appointed",
               "provider_asked", "provider_replied", "provider_postponed"}


class InputError(Exception):
    pass


def parse_instant(text, where):
    """ISO 8601 with Z or an offset -> UTC seconds (a fraction dropped)."""
    try:
        dt = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise InputError("%s: bad time %r" % (where, text))
    if dt.tzinfo is None:
        raise InputError("%s: time without a zone %r" % (where, text))
    return math.floor(dt.timestamp())


def local_date(utc):
    return datetime.datetime.fromtimestamp(utc, TZ).date()


def day_end(date):
    """The last second of local date: the next day's local 00:00 minus one."""
    nxt = date + datetime.timedelta(days=1)
    midnight = datetime.datetime(nxt.year, nxt.month, nxt.day, tzinfo=TZ)
    return int(midnight.timestamp()) - 1


def base_deadline(span, start):
    n, unit = int(span[:-1]), span[-1]
    if unit == "h":
        return start + n * 3600 - 1
    days = n * 7 if unit == "w" else n
    return day_end(local_date(start) + datetime.timedelta(days=days))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield "%s:%d" % (path, no), json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError("%s:%d: %s" % (path, no, e))


def load(cases_path, events_path):
    """All events as (case_id, kind, utc, attrs) tuples."""
    evs = []
    for where, r in read_jsonl(cases_path):
        evs.append((r["case_id"], "case.opened", parse_instant(r.get("created"), where),
                    {"party": r.get("party")}))
    for where, r in read_jsonl(events_path):
        kind = r.get("event")
        if kind not in EVENT_KINDS:
            raise InputError("%s: unknown event %r" % (where, kind))
        attrs = {}
        if kind == "provider_asked":
            if r.get("age") not in ("child", "adult"):
                raise InputError("%s: provider_asked without age child/adult" % where)
            attrs["age"] = r["age"]
        if kind == "provider_postponed":
            try:
                attrs["until"] = datetime.date.fromisoformat(r["until"])
            except (KeyError, TypeError, ValueError):
                raise InputError("%s: provider_postponed without an until date" % where)
        evs.append((r["case_id"], kind, parse_instant(r.get("at"), where), attrs))
    return evs


def period_ids(utc):
    d = local_date(utc)
    return ("%04d-%02d" % (d.year, d.month), "%04d-Q%d" % (d.year, (d.month + 2) // 3),
            "%04d-H%d" % (d.year, 1 if d.month <= 6 else 2), "%04d" % d.year)


def empty_periods(extended):
    out = {}
    for y in YEARS:
        ids = ["%04d-%02d" % (y, m) for m in range(1, 13)]
        ids += ["%04d-Q%d" % (y, q) for q in range(1, 5)]
        ids += ["%04d-H1" % y, "%04d-H2" % y, "%04d" % y]
        for p in ids:
            out[p] = {"met": 0, "missed": 0, "decided": 0, "pending": 0}
            if extended:
                out[p].update(extended=0, met_by_extension=0)
    return out


def cohort(evs, spec, now, extended):
    start_kind, filt, stop_kind, span, ext_kind = spec
    starts, stops, exts = {}, {}, {}
    for cid, kind, utc, attrs in evs:
        if kind == start_kind and (filt is None or attrs.get(filt[0]) in filt[1]):
            starts[cid] = min(starts.get(cid, utc), utc)
        elif kind == stop_kind:
            stops[cid] = min(stops.get(cid, utc), utc)
        elif ext_kind and kind == ext_kind:
            exts[cid] = max(exts.get(cid, attrs["until"]), attrs["until"])
    periods = empty_periods(extended)
    for cid, start in starts.items():
        base = base_deadline(span, start)
        deadline = max(base, day_end(exts[cid])) if cid in exts else base
        stop = stops.get(cid)
        if stop is not None:
            out = "met" if stop <= deadline else "missed"
        else:
            out = "pending" if now <= deadline else "missed"
        for p in period_ids(start):
            c = periods.get(p)
            if c is None:
                continue
            c[out] += 1
            if out != "pending":
                c["decided"] += 1
            if extended and cid in exts:
                c["extended"] += 1
                if out == "met" and stop > base:
                    c["met_by_extension"] += 1
    return periods


def add_values(periods):
    for c in periods.values():
        c["value"] = round(c["met"] / c["decided"], 4) if c["decided"] else None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", help="directory with cases-committee.jsonl and "
                    "case-events-committee.jsonl")
    ap.add_argument("--cases", help="the case feed (case.opened lines)")
    ap.add_argument("--events", help="the case event feed")
    ap.add_argument("--now", required=True, help='local calendar time "YYYY-MM-DD HH:MM[:SS]" '
                    "(Europe/Stockholm)")
    ap.add_argument("--only-known", action="store_true",
                    help="ignore events stamped after --now")
    ap.add_argument("--text", action="store_true", help="a table of the non-empty periods")
    a = ap.parse_args(argv)
    cases = a.cases or (a.dir and os.path.join(a.dir, "cases-committee.jsonl"))
    events = a.events or (a.dir and os.path.join(a.dir, "case-events-committee.jsonl"))
    if not cases or not events:
        ap.error("give DIR, or --cases and --events")
    try:
        local_now = datetime.datetime.fromisoformat(a.now)
    except ValueError:
        ap.error("--now: want YYYY-MM-DD HH:MM")
    if local_now.tzinfo is not None:
        ap.error("--now is local time, without a zone")
    now = int(local_now.replace(tzinfo=TZ).timestamp())
    try:
        evs = load(cases, events)
    except (OSError, InputError, KeyError) as e:
        print("committee_deadlines: %s" % e, file=sys.stderr)
        return 2
    if a.only_known:
        evs = [e for e in evs if e[2] <= now]

    result = {}
    for name, spec in COHORTS.items():
        result[name] = cohort(evs, spec, now, name in EXTENDED)
    for name, parts in SUMS.items():
        tot = empty_periods(name in EXTENDED)
        for part in parts:
            for p, c in result[part].items():
                for k, v in c.items():
                    tot[p][k] += v
        result[name] = tot
    for periods in result.values():
        add_values(periods)

    if a.text:
        now_txt = datetime.datetime.fromtimestamp(now, TZ).isoformat()
        print("at %s%s" % (now_txt, ", events after it ignored" if a.only_known else ""))
        print("%-26s %-8s %5s %6s %7s %7s %6s %s" % ("cohort", "period", "met", "missed",
              "decided", "pending", "value", "uppskov (met by it)"))
        for name, periods in result.items():
            for p, c in periods.items():
                if c["decided"] or c["pending"]:
                    v = "%.1f%%" % (100 * c["value"]) if c["value"] is not None else "-"
                    ext = "%d (%d)" % (c["extended"], c["met_by_extension"]) if "extended" in c else ""
                    print("%-26s %-8s %5d %6d %7d %7d %6s %s" % (name, p, c["met"], c["missed"],
                          c["decided"], c["pending"], v, ext))
        return 0
    json.dump({"now": datetime.datetime.fromtimestamp(now, TZ).isoformat(),
               "only_known": a.only_known, "cohorts": result},
              sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""grafana-dashboards.py -- writes conf/grafana's two dashboards.

    python3 tools/grafana-dashboards.py conf/teleqd.yaml conf/grafana/dashboards

writes into the directory:

  teleqd.json      "teleqd: indikatorer", from the indicators of the config:
                   per indicator a row titled with its Swedish title, and
                   panels whose titles start with it: closed months, quarters
                   and half-years (XRANGE of K hist:<name>:month|quarter|half)
                   and the month to date (HMGET of K ind:<name>:month), read
                   through the Redis data source (uid teleqd-redis);
  teleqd-ops.json  "teleqd: drift", from teleqd's Prometheus metrics (uid
                   teleqd-prometheus): events per feed, rejects, commit
                   latency, feed freshness, the outbox, Redis.

Run it again after changing the indicators (names, titles, kinds) in your
own teleqd.yaml and copy the result where Grafana's dashboard provider reads
(README, section Grafana). Needs python3-yaml. The shipped files are this
script's output for conf/teleqd.yaml (t_grafana checks it).
"""
import json
import os
import sys

import yaml

REDIS = {"type": "redis-datasource", "uid": "${datasource}"}
PROM = {"type": "prometheus", "uid": "${datasource}"}

# insertNulls: a gap, not a line, between two points farther apart than
# the longest period of the kind (a period without a value has no entry)
DAY_MS = 86400000
PERIODS = [
    ("month", "per månad", 33 * DAY_MS),
    ("quarter", "per kvartal", 95 * DAY_MS),
    ("half", "per halvår", 187 * DAY_MS),
]


def indicators(conf_path):
    with open(conf_path, encoding="utf-8") as fh:
        conf = yaml.safe_load(fh)
    out = []
    for ind in conf.get("indicators") or []:
        kind = ind.get("kind", "ratio")
        if kind == "manual":
            continue        # no counters, no history streams: the report has them
        out.append((ind["name"], ind.get("title", ind["name"]), kind))
    return out


def prefix_of(conf_path):
    with open(conf_path, encoding="utf-8") as fh:
        r = (yaml.safe_load(fh) or {}).get("redis") or {}
    return "%s{%s}:" % (r.get("prefix", "teleq:"), r.get("tag", "teleqd"))


def redis_target(ref, command, key, field=None):
    t = {"datasource": REDIS, "refId": ref, "type": "command", "command": command,
         "keyName": key, "query": "", "streaming": False}
    if field:
        t["field"] = field
    return t


def history_panel(pid, name, title, kind, period, label, gap, x, y, w):
    defaults = {
        "unit": "percentunit", "decimals": 0,
        "color": {"mode": "palette-classic"},
        "custom": {"drawStyle": "line", "lineWidth": 2, "showPoints": "always", "pointSize": 6,
                   "spanNulls": False, "insertNulls": gap, "fillOpacity": 0},
    }
    if kind != "growth":
        defaults.update({"min": 0, "max": 1})
    return {
        "type": "timeseries", "id": pid,
        "title": "%s: %s" % (title, label),
        "description": "XRANGE of %shist:%s:%s: one point per closed period with a value "
                       "(at its first local midnight); a period without a value is a gap, "
                       "not 0." % ("${prefix}", name, period),
        "datasource": REDIS,
        "gridPos": {"h": 8, "w": w, "x": x, "y": y},
        "targets": [redis_target("A", "xrange", "${prefix}hist:%s:%s" % (name, period))],
        "transformations": [
            {"id": "filterFieldsByName", "options": {"include": {"names": ["$time", "value", "target"]}}},
            {"id": "organize", "options": {"renameByName": {"value": "Utfall", "target": "Mål"}}},
        ],
        "fieldConfig": {
            "defaults": defaults,
            "overrides": [{
                "matcher": {"id": "byName", "options": "Mål"},
                "properties": [
                    {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
                    {"id": "custom.showPoints", "value": "never"},
                    {"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
                ],
            }],
        },
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "none"}},
    }


def stat_panel(pid, name, title, label, fields, unit, names, x, y, w, h, desc):
    return {
        "type": "stat", "id": pid,
        "title": "%s: %s" % (title, label),
        "description": desc,
        "datasource": REDIS,
        "gridPos": {"h": h, "w": w, "x": x, "y": y},
        "targets": [redis_target("A", "hmget", "${prefix}ind:%s:month" % name, fields)],
        "fieldConfig": {
            "defaults": {"unit": unit, "decimals": 0, "color": {"mode": "fixed", "fixedColor": "blue"},
                         "noValue": "–"},
            "overrides": [{"matcher": {"id": "byName", "options": f},
                           "properties": [{"id": "displayName", "value": n}]}
                          for f, n in names],
        },
        "options": {"reduceOptions": {"values": False, "calcs": ["lastNotNull"], "fields": ""},
                    "orientation": "horizontal", "textMode": "value_and_name", "colorMode": "value",
                    "graphMode": "none", "justifyMode": "auto"},
    }


def datasource_var(kind, uid, label):
    return {"type": "datasource", "name": "datasource", "label": label, "query": kind,
            "current": {"text": uid, "value": uid}, "hide": 0, "refresh": 1, "regex": "",
            "options": []}


def indicators_dashboard(inds, prefix):
    panels = []
    pid = 1
    y = 0
    for name, title, kind in inds:
        panels.append({"type": "row", "id": pid, "title": title, "collapsed": False, "panels": [],
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}})
        pid += 1
        y += 1
        x = 0
        for (period, label, gap), w in zip(PERIODS, (8, 5, 5)):
            panels.append(history_panel(pid, name, title, kind, period, label, gap, x, y, w))
            pid += 1
            x += w
        panels.append(stat_panel(
            pid, name, title, "månaden hittills", "value target", "percentunit",
            [("value", "Utfall"), ("target", "Mål")], x, y, 6, 4,
            "HMGET of ${prefix}ind:%s:month value target: the month that contains today." % name))
        pid += 1
        panels.append(stat_panel(
            pid, name, title, "underlag", "numerator denominator", "none",
            [("numerator", "Täljare"), ("denominator", "Nämnare")], x, y + 4, 6, 4,
            "HMGET of ${prefix}ind:%s:month numerator denominator (for a growth: "
            "this period's count and last year's)." % name))
        pid += 1
        y += 8
    return dashboard(INDICATORS, [
        datasource_var("redis-datasource", "teleqd-redis", "Redis"),
        {"type": "constant", "name": "prefix", "label": "Key prefix",
         "description": "<redis.prefix>{<redis.tag>}: of teleqd.yaml", "query": prefix, "hide": 2},
    ], panels)


def prom_target(ref, expr, legend):
    return {"datasource": PROM, "refId": ref, "expr": expr, "legendFormat": legend, "range": True}


def ts(pid, title, desc, unit, x, y, w, targets, h=8, minimum=None):
    defaults = {"unit": unit, "color": {"mode": "palette-classic"},
                "custom": {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}}
    if minimum is not None:
        defaults["min"] = minimum
    return {"type": "timeseries", "id": pid, "title": title, "description": desc, "datasource": PROM,
            "gridPos": {"h": h, "w": w, "x": x, "y": y},
            "targets": [prom_target(chr(ord("A") + i), e, l) for i, (e, l) in enumerate(targets)],
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(pid, title, desc, x, y, w, targets, mappings=None, h=4):
    return {"type": "stat", "id": pid, "title": title, "description": desc, "datasource": PROM,
            "gridPos": {"h": h, "w": w, "x": x, "y": y},
            "targets": [prom_target(chr(ord("A") + i), e, l) for i, (e, l) in enumerate(targets)],
            "fieldConfig": {"defaults": {"unit": "none", "decimals": 0, "mappings": mappings or [],
                                         "color": {"mode": "thresholds"},
                                         "thresholds": {"mode": "absolute", "steps": [
                                             {"color": "green", "value": None}]}},
                            "overrides": []},
            "options": {"reduceOptions": {"values": False, "calcs": ["lastNotNull"], "fields": ""},
                        "orientation": "auto", "textMode": "value_and_name", "colorMode": "value",
                        "graphMode": "none", "justifyMode": "auto"}}


def ops_dashboard():
    yes_no = [{"type": "value", "options": {"0": {"text": "nej", "color": "red"},
                                             "1": {"text": "ja", "color": "green"}}}]
    p = [
        stat(1, "Redis", "teleqd_redis_connected, teleqd_redis_responsive, teleqd_redis_policy_ok "
             "(maxmemory-policy noeviction), teleqd_lease_held (this daemon writes): 1 = ja.",
             0, 0, 12, [("teleqd_redis_connected", "ansluten"), ("teleqd_redis_responsive", "svarar"),
                        ("teleqd_redis_policy_ok", "noeviction"), ("teleqd_lease_held", "skriver")],
             yes_no),
        stat(2, "Utkorg", "teleqd_outbox_pending: alert deliveries not done yet (queued, or waiting "
             "for a retry); teleqd_alerts_parked: parked after ambiguous mail outcomes (README, Alerts).",
             12, 0, 6, [("teleqd_outbox_pending", "väntar"), ("teleqd_alerts_parked", "parkerade")]),
        stat(3, "Tysta flöden", "teleqd_feed_stale: 1 while a feed has read no line for its max_silence.",
             18, 0, 6, [("teleqd_feed_stale", "{{feed}}")], [
                 {"type": "value", "options": {"0": {"text": "ok", "color": "green"},
                                               "1": {"text": "tyst", "color": "red"}}}]),
        ts(4, "Händelser per flöde", "Events counted per feed and minute: "
           "rate(teleqd_events_total[5m]) * 60.", "short", 0, 4, 12,
           [("sum by (feed) (rate(teleqd_events_total[5m])) * 60", "{{feed}}")], minimum=0),
        ts(5, "Avvisade rader", "Lines rejected per feed and reason in the last hour "
           "(teleqd_rejects_total; the reasons are README's bad-input table).", "short", 12, 4, 12,
           [("sum by (feed, reason) (increase(teleqd_rejects_total[1h])) > 0", "{{feed}}: {{reason}}")],
           minimum=0),
        ts(6, "Commit-latens", "One Redis commit (the Lua EVAL) from send to reply: the median and "
           "the 99th percentile over 5 minutes of teleqd_commit_duration_seconds; failed commits "
           "per minute from teleqd_commit_failures_total.", "s", 0, 12, 12,
           [("histogram_quantile(0.5, sum by (le) (rate(teleqd_commit_duration_seconds_bucket[5m])))", "median"),
            ("histogram_quantile(0.99, sum by (le) (rate(teleqd_commit_duration_seconds_bucket[5m])))", "p99"),
            ("rate(teleqd_commit_failures_total[5m]) * 60", "misslyckade per minut")], minimum=0),
        ts(7, "Flödenas färskhet", "Seconds since a line of the feed was last read: time() - "
           "teleqd_feed_last_line_timestamp_seconds (the daemon's calendar). Compare with the "
           "feed's max_silence.", "s", 12, 12, 12,
           [("time() - teleqd_feed_last_line_timestamp_seconds", "{{feed}}")], minimum=0),
        ts(8, "Eftersläpning", "Bytes of the followed files not read yet (teleqd_file_behind_bytes, "
           "summed per feed).", "bytes", 0, 20, 12,
           [("sum by (feed) (teleqd_file_behind_bytes)", "{{feed}}")], minimum=0),
        ts(9, "Larm och leveranser", "Alerts queued per kind and deliveries per channel and result "
           "in the last hour (teleqd_alerts_queued_total, teleqd_alert_deliveries_total), and the "
           "outbox (teleqd_outbox_pending).", "short", 12, 20, 12,
           [("sum by (kind) (increase(teleqd_alerts_queued_total[1h])) > 0", "köade: {{kind}}"),
            ("sum by (channel, result) (increase(teleqd_alert_deliveries_total[1h])) > 0",
             "{{channel}}: {{result}}"),
            ("teleqd_outbox_pending", "i utkorgen")], minimum=0),
    ]
    return dashboard(OPERATIONS, [datasource_var("prometheus", "teleqd-prometheus", "Prometheus")], p)


# what differs between the two dashboards: the data source plugin it needs
# (id, name, version), uid, title, description, time zone, refresh, time range
META = ("ds_id", "ds_name", "ds_version", "uid", "title", "description", "timezone", "refresh", "from")
INDICATORS = dict(zip(META, (
    "redis-datasource", "Redis", "2.2.0", "teleqd-indicators", "teleqd: indikatorer",
    "The indicators from teleqd's Redis keys (README, section Grafana); "
    "made by tools/grafana-dashboards.py from teleqd.yaml.",
    "Europe/Stockholm", "5m", "now-2y")))
OPERATIONS = dict(zip(META, (
    "prometheus", "Prometheus", "1.0.0", "teleqd-operations", "teleqd: drift",
    "teleqd's own health from its /metrics (README, sections Grafana and "
    "Running as a service); made by tools/grafana-dashboards.py.",
    "browser", "1m", "now-24h")))


def dashboard(meta, variables, panels):
    """The dashboard around its panels (Grafana 10, schema 38)."""
    return {
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
            {"type": "datasource", "id": meta["ds_id"], "name": meta["ds_name"],
             "version": meta["ds_version"]},
            {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
            {"type": "panel", "id": "stat", "name": "Stat", "version": ""},
        ],
        "uid": meta["uid"],
        "title": meta["title"],
        "description": meta["description"],
        "tags": ["teleqd"],
        "timezone": meta["timezone"],
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 38,
        "version": 1,
        "refresh": meta["refresh"],
        "time": {"from": meta["from"], "to": "now"},
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": variables},
        "panels": panels,
    }


def write(path, obj):
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(path + ".tmp", path)
    print(path)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    conf, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    inds = indicators(conf)
    if not inds:
        sys.exit("grafana-dashboards: no counted indicators in %s" % conf)
    write(os.path.join(out, "teleqd.json"), indicators_dashboard(inds, prefix_of(conf)))
    write(os.path.join(out, "teleqd-ops.json"), ops_dashboard())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""bench/commit-eval.py [N_IDS] [REPS]: where the time of one commit EVAL goes.

An analysis aid beside `make bench` (which does not run it): it starts a
private redis-server (unix socket under bench/out/commit-eval, no
persistence), sends src/commit.lua as teleqd would for a JSONL batch of
N_IDS (default 50000, the default batch.max_events) case-id events spread
over 18 days of one month, and reports the time Redis spent inside each EVAL
(INFO commandstats) and the client's round trip, averaged over REPS runs
(default 5), for the script as shipped and for variants that leave parts
out. The variants show the cost of each part; they are not replacements
(they skip checks the real script must make).

The arguments follow protocol "tq1" (the top of src/commit.lua): KEYS files,
deadletter, stats, day keys, the month key, the seen set; ARGV tq1, epoch,
now, maxlen, #D #M #S #R, the EXPIREAT, no counts, N id events (seen index,
day index, month index, field, 16-byte id), one position, no rejects or
dead letters, one maximum. If the protocol changes, change build() here.
"""
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K = "teleq:{teleqd}:"
FIELDS = ["case.opened|channel=digital|party=patient|type=patient_case",
          "case.opened|channel=phone|party=relative|type=information_case"]


class Redis:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = b""

    @staticmethod
    def resp(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def reply(self):
        l = self._line()
        t = l[:1]
        if t == b"-":
            raise RuntimeError(l.decode(errors="replace"))
        if t in b"+:":
            return l[1:]
        if t == b"$":
            n = int(l[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(1 << 20)
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            return [self.reply() for _ in range(int(l[1:]))]
        raise RuntimeError("bad reply %r" % l)

    def send(self, raw):
        self.s.sendall(raw)
        return self.reply()

    def cmd(self, *a):
        return self.send(self.resp(*a))

    def evalstats(self):
        st = self.cmd("INFO", "commandstats").decode()
        m = re.search(r"cmdstat_eval:calls=(\d+),usec=(\d+)", st)
        return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def build(script, idbase, n, days=18):
    """The EVAL teleqd sends for n id events (protocol tq1)."""
    dkeys = [K + "day:2026-03-%02d" % (d + 1) for d in range(days)]
    keys = [K + "files", K + "deadletter", K + "stats"] + dkeys + [K + "month:2026-03", K + "seen:2026-03"]
    month_i, seen_i = 3 + days + 1, 3 + days + 2
    argv = ["tq1", "1", "1795454641000", "10000", str(days), "1", "1", "0", "4102444800", "0", str(n)]
    for i in range(n):
        argv += [str(seen_i), str(4 + i * days // n), str(month_i), FIELDS[i % 2],
                 hashlib.md5(b"%d" % (idbase + i)).digest()]
    argv += ["1", "cases:1:2", "123 456 1 ab /x", "0", "0", "1", "last_event:cases", "1795454641"]
    return Redis.resp("EVAL", script, str(len(keys)), *keys, *argv)


# Ids grouped by (seen, day, month, field): one header and k ids per group,
# so one argument per id instead of five. A sketch to size the gain only.
GROUPED = r"""#!lua
local CHUNK = 500
local nd = tonumber(ARGV[5])
local ai = 10
local ng = tonumber(ARGV[ai])
local incr, member, adds = {}, {}, {}
local events, dups = 0, 0
for _ = 1, ng do
  local sk, dk, mk, f, k = tonumber(ARGV[ai+1]), tonumber(ARGV[ai+2]), tonumber(ARGV[ai+3]), ARGV[ai+4], tonumber(ARGV[ai+5])
  ai = ai + 5
  local m = member[sk]; if not m then m = {}; member[sk] = m end
  local a = adds[sk]; if not a then a = {}; adds[sk] = a end
  local new = 0
  for i = ai + 1, ai + k, CHUNK do
    local j = math.min(i + CHUNK - 1, ai + k)
    local res = redis.call('SMISMEMBER', KEYS[sk], unpack(ARGV, i, j))
    for x = 1, #res do
      local id = ARGV[i + x - 1]
      if res[x] == 1 or m[id] then dups = dups + 1 else m[id] = true; new = new + 1; a[#a + 1] = id end
    end
  end
  ai = ai + k
  for _, key in ipairs({dk, mk}) do
    local t = incr[key]; if not t then t = {}; incr[key] = t end
    t[f] = (t[f] or 0) + new
  end
  events = events + new
end
for key, t in pairs(incr) do for f, d in pairs(t) do if d ~= 0 then redis.call('HINCRBY', KEYS[key], f, d) end end end
for sk, l in pairs(adds) do
  for i = 1, #l, CHUNK do redis.call('SADD', KEYS[sk], unpack(l, i, math.min(i + CHUNK - 1, #l))) end
end
return {events, dups}
"""


def build_grouped(idbase, n, days=18):
    dkeys = [K + "day:2026-03-%02d" % (d + 1) for d in range(days)]
    keys = [K + "files", K + "deadletter", K + "stats"] + dkeys + [K + "month:2026-03", K + "seen:2026-03"]
    month_i, seen_i = 3 + days + 1, 3 + days + 2
    groups = {}
    for i in range(n):
        groups.setdefault((4 + i * days // n, FIELDS[i % 2]), []).append(hashlib.md5(b"%d" % (idbase + i)).digest())
    argv = ["tq1", "1", "1795454641000", "10000", str(days), "1", "1", "0", "4102444800", str(len(groups))]
    for (d, f), ids in groups.items():
        argv += [str(seen_i), str(d), str(month_i), f, str(len(ids))] + ids
    return Redis.resp("EVAL", GROUPED, str(len(keys)), *keys, *argv)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    full = open(os.path.join(ROOT, "src", "commit.lua")).read()
    variants = [("commit.lua as shipped", full)]
    noset = (full.replace("local res = redis.call('SMISMEMBER', KEYS[sk], unpack(l, i, j))", "local res = {}")
                 .replace("redis.call('SADD', KEYS[sk], unpack(l, i, math.min(i + CHUNK - 1, #l)))", "")
                 .replace("redis.call('EXPIREAT', KEYS[seen_lo + j - 1], expire[j])", ""))
    if noset != full:
        variants.append(("  without SMISMEMBER/SADD/EXPIREAT", noset))
    fastint = full.replace("""	if type(s) ~= 'string' or #s > 18 or not string.match(s, '^%-?%d+$') then
		fail('bad ' .. what)
	end
	return tonumber(s)""", """	local v = tonumber(s)
	if not v then fail('bad ' .. what) end
	return v""")
    if fastint != full:
        variants.append(("  int() by tonumber, no string.match", fastint))
    variants.append(("  a script reading each ARGV once", "#!lua\nlocal n = 0 for i = 1, #ARGV do n = n + #ARGV[i] end return {n, 0}"))
    variants.append(("  an empty script, the same arguments", "#!lua\nreturn {0, 0}"))

    d = os.path.join(ROOT, "bench", "out", "commit-eval")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    sock = os.path.join(d, "redis.sock")
    srv = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
                            "--save", "", "--appendonly", "no", "--dir", d, "--logfile", os.path.join(d, "redis.log")],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                try:
                    r = Redis(sock)
                    if r.cmd("PING") == b"PONG":
                        break
                except OSError:
                    pass
            time.sleep(0.05)
        else:
            sys.exit("commit-eval: redis-server did not start (see %s/redis.log)" % d)
        print("one commit EVAL of %d id events (one month, 18 days), mean of %d; load average %s"
              % (n, reps, open("/proc/loadavg").read().split()[0]))
        print("%-40s %12s %12s %10s" % ("", "in EVAL ms", "round trip", "us/event"))

        def run(name, make):
            r.cmd("FLUSHALL")
            r.cmd("HSET", K + "stats", "epoch", "1")
            # a month set of the size a 2-year backfill reaches (~85,000 ids)
            for base in range(0, 85000, 5000):
                r.cmd("SADD", K + "seen:2026-03", *[hashlib.md5(b"pre%d" % i).digest() for i in range(base, base + 5000)])
            c0, u0 = r.evalstats()
            tot = 0.0
            for i in range(reps):
                raw = make(10_000_000 * (i + 1))
                t = time.perf_counter()
                r.send(raw)
                tot += time.perf_counter() - t
            c1, u1 = r.evalstats()
            us = (u1 - u0) / (c1 - c0)
            print("%-40s %12.1f %12.1f %10.2f" % (name, us / 1000, tot / reps * 1000, us / n))

        for name, script in variants:
            run(name, lambda base, s=script: build(s, base, n))
        run("ids grouped by (day, field) (sketch)", lambda base: build_grouped(base, n))
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()

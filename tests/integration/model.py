#!/usr/bin/env python3
"""model.py — the property test of t_model.sh: random file operations on
teleqd's feeds against a reference model of what must be counted.

  model.py config OUT --feeds DIR --sock SOCK --passfile F --secret F [--user U]
      writes the daemon's config (the model's feeds; one source of truth)
  model.py run --teleqd PATH --conf OUT --feeds DIR --sock SOCK --passfile F
               --log FILE --seed N --steps N [--user U] [--avoid a,b,c]
               [--slow FACTOR] [--killed FILE]
      one seeded run; exit status 0 when every checkpoint and the end agree
      with the model, 1 with the seed, a minimal diff and the operation log.

The feeds (four, one daemon):
  csv   c-*.csv    CSV, short header, an id column (quoted fields with ';')
  jsonl j-*.jsonl  JSON lines with an id
  long  l-*.csv    CSV whose header is longer than 1 KiB, with an id
  noid  n-*.csv    CSV without an id: no rewrite; every line counts

The operations, chosen at random (seeded): append N lines (sometimes leaving
a partial last line, completed by a later append), rotate by rename+create
(by hand, or a real `logrotate` in create mode), copytruncate (by hand, or
logrotate's copytruncate), delete the live file, expire (delete) a rotated
file, rewrite in place (id feeds: kept rows shuffled, some dropped, new
ones), stop (SIGTERM), kill -9 (at a random moment, also right after a
start: mid-backfill), start, and catch up (a checkpoint).

The model. Ids are never reused across feeds, and a row with an id always
carries the same day and kind, so an id feed must count exactly the set of
distinct ids ever completed (newline written) in a file teleqd follows; the
feed without ids must count every completed line once. The grammar keeps
that exact by never destroying data teleqd may not have committed:
  - a file is renamed (rotated) only while Redis holds a committed position
    for its inode that fits its content (offset within the file, head
    fingerprint equal): teleqd finds a file renamed while it was stopped by
    inode and fingerprint only; or when it holds no complete line;
  - delete, copytruncate, rewrite and expire happen only when the file is
    caught up: the committed position (files hash) is at its last complete
    line, with the fingerprint of the bytes there. With the daemon running
    the op waits for that; with it stopped it is skipped when not so;
  - the writer completes its partial line before a rotation, copytruncate or
    rewrite (a delete drops it: the line never completed, never counts);
  - rewrites stay detectable as the README documents (size below the old
    offset, or the first min(offset, 1 KiB) bytes changed); only the long
    header hides a change in the head, which is what that feed probes.
A checkpoint waits (bounded) until every followed file is caught up, then
compares every day counter with the model; the end completes every line,
waits, compares, restarts the daemon, waits until every rotated file is
closed and no descriptor on a deleted file is left, and compares again.

--avoid skips operations that hit known bugs: a = every delete, recreate,
expire, copytruncate and rewrite on the long-header feed (inode reuse, or a
file truncated or rewritten and regrown past the stored offset, behind a
header > 1 KiB: the head fingerprint covers the header only); b = rows
written after a copytruncate without a header (a writer that keeps its
descriptor); c = quoted fields (an unclosed quote at the end of a file);
g = deleting (delete, recreate, expire, logrotate's compress) a followed file
that holds no row: its stored position (offset 0, or the header only) fits
any file that later gets its inode, which teleqd then adopts as that
feed's file "renamed away while stopped" and counts again, even a file of
another feed (feed.c adopt_unmatched / tf_matches); f = a rewrite, or a
delete and write again on the same inode, whose complete lines end at the
stored offset: teleqd reads it again but never commits the new head
fingerprint (feedset_positions compares offset and line only), so the
stored position keeps describing the old content.

--probe r: rename a file as soon as Redis holds any position for its inode,
also one that no longer fits its content (rewritten shorter or truncated
while the daemon was stopped). teleqd then takes the renamed file for
another file on that inode and drops its position (feed.c adopt_one): the
rows written since are lost. Not in the README either way; left out by
default, where a rename waits for a position that fits.
"""
import argparse
import datetime
import fnmatch
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter

# ------------------------------------------------------------ siphash

FP_KEY = b"teleqd-fp-head-1"    # src/tailfile.c fp_key
FP_MAX = 1024                   # TQ_FP_MAX
M64 = 0xFFFFFFFFFFFFFFFF


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def siphash24(key, data):
    k0, k1 = struct.unpack("<QQ", key)
    v0 = k0 ^ 0x736f6d6570736575
    v1 = k1 ^ 0x646f72616e646f6d
    v2 = k0 ^ 0x6c7967656e657261
    v3 = k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & M64; v1 = _rotl(v1, 13); v1 ^= v0; v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & M64; v3 = _rotl(v3, 16); v3 ^= v2
            v0 = (v0 + v3) & M64; v3 = _rotl(v3, 21); v3 ^= v0
            v2 = (v2 + v1) & M64; v1 = _rotl(v1, 17); v1 ^= v2; v2 = _rotl(v2, 32)

    n = len(data)
    end = n - n % 8
    for i in range(0, end, 8):
        m = struct.unpack_from("<Q", data, i)[0]
        v3 ^= m
        rounds(2)
        v0 ^= m
    last = (n & 0xFF) << 56
    for i, c in enumerate(data[end:]):
        last |= c << (8 * i)
    v3 ^= last
    rounds(2)
    v0 ^= last
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3

# -------------------------------------------------------------- redis


class Redis:
    """A minimal RESP client on a unix socket (stdlib only)."""

    def __init__(self, path, user, password):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        if user:
            self.cmd("AUTH", user, password)

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError("redis: " + rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)

    def hgetall(self, key):
        r = self.cmd("HGETALL", key)
        return {r[i].decode(): r[i + 1].decode() for i in range(0, len(r), 2)}

    def scan(self, pattern):
        cur, keys = "0", []
        while True:
            cur, batch = self.cmd("SCAN", cur, "MATCH", pattern, "COUNT", 1000)
            cur = cur.decode()
            keys += [k.decode() for k in batch]
            if cur == "0":
                return sorted(set(keys))

# -------------------------------------------------------------- feeds


class Feed:
    def __init__(self, name, glob, fmt, has_id, header, kinds):
        self.name, self.glob, self.fmt = name, glob, fmt
        self.has_id, self.header, self.kinds = has_id, header, kinds

    def matches(self, fname):
        return fnmatch.fnmatchcase(fname, self.glob)

    def live_name(self, slot):
        return self.glob.replace("*", slot)


LONG_EXTRA = 64          # extra columns of the long header: 64 x 23 bytes
LONG_HEADER = ("Id;Datum;Tid;Resultat;" + ";".join(
    "Extra_kolumn_nummer_%02d" % i for i in range(LONG_EXTRA)) + "\r\n").encode()
assert len(LONG_HEADER) > 1024
FEEDS = [
    Feed("csv", "c-*.csv", "csv", True, b"Id;Datum;Tid;Resultat;Notering\r\n",
         {"ok": "c.ok", "busy": "c.busy", "full": "c.full"}),
    Feed("jsonl", "j-*.jsonl", "jsonl", True, None, {"a": "j.a", "b": "j.b"}),
    Feed("long", "l-*.csv", "csv", True, LONG_HEADER, {"ok": "l.ok", "busy": "l.busy"}),
    Feed("noid", "n-*.csv", "csv", False, b"Datum;Tid;Resultat;Lopnummer\r\n",
         {"ok": "n.ok", "busy": "n.busy"}),
]
FEED = {f.name: f for f in FEEDS}
KIND_FEED = {kind: f.name for f in FEEDS for kind in f.kinds.values()}
SLOTS = ["a", "b"]


def write_config(a):
    def feed_yaml(f):
        y = ["  - name: %s" % f.name,
             '    path: "%s/%s"' % (a.feeds, f.glob),
             "    format: %s" % f.fmt,
             "    start_at: beginning",
             "    rotate_wait_ms: 500"]
        if f.fmt == "csv":
            y.append('    csv: { delimiter: ";", quote: "\\"", header: true }')
            y.append('    time: { fields: [Datum, Tid], format: "%Y-%m-%d %H:%M:%S" }')
            if f.has_id:
                y.append("    id: Id")
            y.append("    event:\n      field: Resultat")
        else:
            y.append("    time: { field: created, format: iso8601 }")
            y.append("    id: case_id")
            y.append("    event:\n      field: kind")
        y.append("      map: { %s }" % ", ".join("%s: %s" % kv for kv in sorted(f.kinds.items())))
        return "\n".join(y)

    user = "  user: %s\n" % a.user if a.user else ""
    text = """# t_model.sh: the property test's feeds (tests/integration/model.py)
timezone: Europe/Stockholm
redis:
  address: "unix:%s"
%s  password_file: %s
  prefix: "teleq:"
  tag: teleqd
dedup:
  secret_file: %s
  window_days: 3660
batch:
  max_events: 500
  max_delay_ms: 20
rescan_interval_ms: 500
feeds:
%s
""" % (a.sock, user, a.passfile, a.secret, "\n".join(feed_yaml(f) for f in FEEDS))
    with open(a.out, "w") as fh:
        fh.write(text)

# --------------------------------------------------------------- model


class Failure(Exception):
    pass


class FileObj:
    """One file on disk as the writer knows it."""
    seq = 0

    def __init__(self, feed, path, followed=True):
        FileObj.seq += 1
        self.uid = FileObj.seq
        self.feed = feed
        self.path = path
        self.content = bytearray()
        self.rows = []           # (end offset, key) of complete rows
        self.partial = None      # (key, rest bytes) of the line being written
        self.followed = followed  # a copy (copytruncate) is not
        self.known = False       # had a committed position when rotated
        self.headerless = False  # truncated under a writer that keeps writing rows
        self.ino = None

    @property
    def name(self):
        return os.path.basename(self.path)

    @property
    def live(self):
        return self.followed and self.feed.matches(self.name)

    def complete_len(self):
        return self.content.rfind(b"\n") + 1


class Driver:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.avoid = set(x for x in a.avoid.split(",") if x)
        self.probe = set(x for x in a.probe.split(",") if x)
        self.slow = a.slow
        pw = open(a.passfile).read().strip() if a.passfile else ""
        self.r = Redis(a.sock, a.user, pw)
        self.kp = "teleq:{teleqd}:"
        self.files = []          # FileObj on disk (live, rotated, copies)
        self.ids = {}            # (feed, id) -> (day, kind): id feeds
        self.noid = Counter()    # (day, kind): feed without ids
        self.next_id = 0
        self.proc = None
        self.lock = threading.Lock()
        self.timer = None
        self.timer_gen = 0
        self.victim = None
        self.log = []            # the operation log
        self.rot = 0
        self.lr = 0
        self.compress = {}       # live path -> its logrotate config compresses
        self.stats = Counter()
        self.logf = open(a.log, "ab")
        today = datetime.date.today()
        # recent days, inside any de-duplication window
        self.days = [(today - datetime.timedelta(days=k)).isoformat() for k in range(1, 13)]

    # ----------------------------------------------------------- helpers
    def note(self, text):
        self.log.append(text)
        self.logf.write(("### model seed %d: %s\n" % (self.a.seed, text)).encode())
        self.logf.flush()

    def p(self, path):
        return os.path.join(self.a.feeds, path)

    def file_at(self, feed, slot):
        path = self.p(feed.live_name(slot))
        for f in self.files:
            if f.path == path:
                return f
        return None

    def new_row(self, feed):
        self.next_id += 1
        n = self.next_id
        day = self.rng.choice(self.days)
        kind = self.rng.choice(sorted(feed.kinds))
        t = "%02d:%02d:%02d" % (self.rng.randrange(8, 17), self.rng.randrange(60), self.rng.randrange(60))
        if feed.name == "jsonl":
            key = "J%d" % n
            line = ('{"case_id":"%s","created":"%sT%sZ","kind":"%s","n":%d}\n'
                    % (key, day, "11" + t[2:], kind, self.rng.randrange(10 ** 6))).encode()
        elif feed.name == "csv":
            key = "C%d" % n
            if "c" not in self.avoid and self.rng.random() < 0.3:
                note = '"fri text; med ""citat"" %d"' % n
            else:
                note = "n%d" % n
            line = ("%s;%s;%s;%s;%s\r\n" % (key, day, t, kind, note)).encode()
        elif feed.name == "long":
            key = "L%d" % n
            extra = ";".join("x" if self.rng.random() < 0.2 else "" for _ in range(LONG_EXTRA))
            line = ("%s;%s;%s;%s;%s\r\n" % (key, day, t, kind, extra)).encode()
        else:
            key = "N%d" % n
            line = ("%s;%s;%s;%d\r\n" % (day, t, kind, n)).encode()
        return (key, day, feed.kinds[kind]), line

    def count_row(self, f, key):
        """A row completed in file f (a followed file): into the model."""
        if not f.followed:
            return
        k, day, kind = key
        if f.feed.has_id:
            self.ids[(f.feed.name, k)] = (day, kind)
        else:
            self.noid[(day, kind)] += 1

    def disk_write(self, f, data):
        with open(f.path, "ab") as fh:
            fh.write(data)
        f.content += data
        if f.ino is None:
            f.ino = os.stat(f.path).st_ino

    def resync(self):
        """Paths by inode after renames (logrotate shifts .1 to .2 ...)."""
        byino = {}
        for n in os.listdir(self.a.feeds):
            st = os.stat(self.p(n))
            byino[st.st_ino] = self.p(n)
        for f in self.files:
            if f.ino is not None and f.ino in byino:
                f.path = byino.pop(f.ino)
        return byino        # inodes the model does not know yet

    def check_disk(self):
        for f in self.files:
            with open(f.path, "rb") as fh:
                if fh.read() != bytes(f.content):
                    raise Failure("driver: %s differs from the model's content" % f.path)

    # ------------------------------------------------------------ daemon
    def running(self):
        with self.lock:
            if self.proc is None:
                return False
            if self.proc.poll() is None:
                return True
            p, self.proc = self.proc, None
        if p is self.victim:
            self.note("(the kill -9 timer struck)")
            self.stats["timer-struck"] += 1
            return False
        raise Failure("teleqd exited on its own (status %s)" % p.returncode)

    def arm_kill(self, ms):
        """kill -9 in ms, whatever the driver is doing then."""
        self.disarm()
        proc = self.proc
        gen = self.timer_gen

        def strike():
            with self.lock:
                if gen != self.timer_gen or self.proc is not proc or proc.poll() is not None:
                    return
                self.victim = proc
                self.record_kill(proc)
                proc.kill()
                proc.wait()     # dead before the driver can signal it again
        self.timer = threading.Timer(ms / 1000, strike)
        self.timer.start()

    def disarm(self):
        with self.lock:
            self.timer_gen += 1         # a strike waiting for the lock gives up
            if self.timer:
                self.timer.cancel()
                self.timer = None

    def record_kill(self, p):
        if self.a.killed:
            with open(self.a.killed, "a") as fh:
                fh.write("%d\n" % p.pid)

    def start(self):
        if self.running():
            return False
        self.logf.flush()
        self.started_at = os.fstat(self.logf.fileno()).st_size
        self.proc = subprocess.Popen([self.a.teleqd, "-c", self.a.conf], stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        return True

    def stop(self):
        if not self.running():
            return
        # a SIGTERM before the handlers are in place ends any program (as
        # kill -9 would): stop only a daemon that has said it started
        self.wait("teleqd to log that it started", self.said_started, 30)
        self.disarm()
        if not self.running():
            return
        with self.lock:
            p, self.proc = self.proc, None
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=15 * self.slow)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise Failure("teleqd ignored SIGTERM for %d s" % (15 * self.slow))
        if rc != 0:
            raise Failure("teleqd exited with status %d after SIGTERM" % rc)

    def said_started(self):
        with open(self.a.log, "rb") as fh:
            fh.seek(self.started_at)
            return b"started: " in fh.read() or "not yet"

    def kill9(self):
        self.disarm()
        if not self.running():
            return
        with self.lock:
            p, self.proc = self.proc, None
        self.record_kill(p)
        p.kill()
        p.wait()

    def shutdown(self):
        self.disarm()
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    # ----------------------------------------------------- redis views
    def entries(self):
        """(feed, ino) -> (offset, fplen, fp, taillen, tailfp) of the committed
        positions (src/position.c; the feeds' start markers left out)."""
        out = {}
        for k, v in self.r.hgetall(self.kp + "files").items():
            if k.endswith(":started"):
                continue
            feed, _dev, ino = k.rsplit(":", 2)
            t = v.split(" ", 7)
            off, fplen, fp = int(t[0]), int(t[2]), int(t[3], 16)
            taillen, tailfp = (int(t[4]), int(t[5], 16)) if not t[4].startswith("/") else (0, 0)
            out[(feed, int(ino))] = (off, fplen, fp, taillen, tailfp)
        return out

    @staticmethod
    def fits(content, e):
        """Position e still describes content: head and tail fingerprints."""
        off, fplen, fp, taillen, tailfp = e
        return (off <= len(content) and fplen <= off and taillen <= off and
                siphash24(FP_KEY, bytes(content[:fplen])) == fp and
                siphash24(FP_KEY, bytes(content[off - taillen:off])) == tailfp)

    def counters(self):
        got = Counter()
        for k in self.r.scan(self.kp + "day:*"):
            day = k[len(self.kp) + 4:]
            for field, n in self.r.hgetall(k).items():
                if not field.startswith("deadline:"):
                    got[(day, field)] += int(n)
        return got

    def expected(self):
        want = Counter(self.noid)
        for (day, kind) in self.ids.values():
            want[(day, kind)] += 1
        return want

    def rejects(self):
        out = {}
        for f in FEEDS:
            h = self.r.hgetall(self.kp + "rejects:" + f.name)
            bad = {k: v for k, v in h.items() if k != "lines" and v != "0"}
            if bad:
                out[f.name] = bad
        return out

    def caught_up(self, f, ent):
        """f's data is all committed (see the module comment)."""
        e = ent.get((f.feed.name, f.ino))
        if e is None:
            return not f.rows or (not f.live and f.known)
        if not f.rows:
            return True
        if e[0] != f.complete_len():
            return False
        return self.fits(f.content, e)

    def known(self, f, ent):
        """teleqd would recognise f by its inode: a committed position whose
        offset and head fingerprint fit f's content (feed.c adopt_one), or
        there is nothing to lose."""
        if not f.rows:
            return True
        e = ent.get((f.feed.name, f.ino))
        if e is None:
            return False
        if "r" in self.probe:
            return True
        return self.fits(f.content, e)

    def wait(self, what, cond, limit=60):
        """Polls cond() (20 ms) until true; a Failure after limit s (times --slow)."""
        end = time.monotonic() + limit * self.slow
        while True:
            if not self.running():      # the kill timer struck: systemd restarts it
                self.start()
                self.note("start again")
            r = cond()
            if r is True:
                return
            if time.monotonic() > end:
                raise Failure("timed out after %g s waiting for %s%s" % (
                    limit * self.slow, what, (": " + r) if isinstance(r, str) else ""))
            time.sleep(0.02)

    def pending(self, files):
        ent = self.entries()
        bad = [f for f in files if f.followed and not self.caught_up(f, ent)]
        if not bad:
            return True
        out = []
        for f in bad[:4]:
            e = ent.get((f.feed.name, f.ino))
            out.append("%s (inode %d, %d rows): committed %s, complete length %d" % (
                f.name, f.ino, len(f.rows), "offset %d fplen %d" % e[:2] if e else "nothing",
                f.complete_len()))
        return "; ".join(out)

    def wait_file(self, f):
        self.wait("%s to be caught up" % f.name, lambda: self.pending([f]))

    def checkpoint(self, what):
        self.wait("every file to be caught up (%s)" % what, lambda: self.pending(self.files))
        self.compare(what)

    def compare(self, what):
        want, got = self.expected(), self.counters()
        if want == got:
            self.stats["checkpoint"] += 1
            return
        lines = []
        for k in sorted(set(want) | set(got)):
            if want[k] != got[k]:
                lines.append("  day %s %-8s model %6d  teleqd %6d  (%+d)" % (
                    k[0], k[1], want[k], got[k], got[k] - want[k]))
        per = Counter()
        for k in set(want) | set(got):
            per[KIND_FEED.get(k[1], k[1])] += got[k] - want[k]
        raise Failure("%s: the counters differ from the model (teleqd minus model by feed: %s)\n%s%s" % (
            what, ", ".join("%s %+d" % kv for kv in sorted(per.items()) if kv[1]),
            "\n".join(lines[:30]),
            "\n  rejects: %s" % self.rejects() if self.rejects() else ""))

    # ---------------------------------------------------------- writing
    def complete_partial(self, f):
        if f.partial:
            key, rest = f.partial
            f.partial = None
            self.disk_write(f, rest)
            f.rows.append((len(f.content), key))
            self.count_row(f, key)
            return True
        return False

    def op_append(self, feed, slot, n, leave_partial):
        f = self.file_at(feed, slot)
        if f is None:
            f = FileObj(feed, self.p(feed.live_name(slot)))
            self.files.append(f)
        self.complete_partial(f)
        buf = bytearray()
        if feed.header and not f.content and not f.headerless:
            buf += feed.header
        base = len(f.content)
        rows = []
        for _ in range(n):
            key, line = self.new_row(feed)
            buf += line
            rows.append((base + len(buf), key))
        part = None
        if leave_partial:
            key, line = self.new_row(feed)
            cut = self.rng.randrange(1, len(line))
            buf += line[:cut]
            part = (key, line[cut:])
        self.disk_write(f, bytes(buf))
        for end, key in rows:
            f.rows.append((end, key))
            self.count_row(f, key)
        f.partial = part
        return "append %s %d rows%s" % (f.name, n, ", partial line" if part else "")

    # ------------------------------------------------------- rotations
    def precondition(self, f, need):
        """need 'known' or 'caught': waits while running; False when stopped and not so."""
        if self.running():
            if need == "known":
                self.wait("a committed position of %s" % f.name,
                          lambda: self.known(f, self.entries()) or "none yet")
            else:
                self.wait_file(f)
            return True
        ent = self.entries()
        return self.known(f, ent) if need == "known" else self.caught_up(f, ent)

    def op_rotate(self, f, slot, use_logrotate):
        self.complete_partial(f)
        if not self.precondition(f, "known"):
            return None
        f.known = True
        if use_logrotate:
            # like conf/logrotate/teleq-create: with compress and
            # delaycompress, this run compresses the file the last one
            # renamed (F.1 -> F.2.gz, F.1 deleted): it must be caught up
            compress = self.lr_compress(f)
            prev = [g for g in self.files if g.path == f.path + ".1"]
            if compress and prev and (self.risky_g(prev[0]) or (
                    prev[0].followed and not self.precondition(prev[0], "caught"))):
                return None
            self.logrotate(f, "create", compress)
            self.compressed(prev, compress)
            self.adopt(self.resync(), f.feed)
            how = "logrotate create%s" % (", compress, delaycompress" if compress else "")
        else:
            self.rot += 1
            new = "%s.r%d" % (f.path, self.rot)
            os.rename(f.path, new)
            f.path = new
            nf = FileObj(f.feed, self.p(f.feed.live_name(slot)))
            self.disk_write(nf, b"")
            self.files.append(nf)
            how = "rename+create"
        return "%s %s -> %s" % (how, f.feed.live_name("?"), f.name)

    def compressed(self, prev, compress):
        """With compress and delaycompress logrotate (create mode) has
        compressed the previous F.1 into F.2.gz and deleted it: forgotten
        before resync, which would take a new file reusing its inode for it."""
        for g in prev if compress else []:
            if os.path.exists(g.path) and os.stat(g.path).st_ino == g.ino:
                raise Failure("driver: logrotate did not compress %s:\n%s" % (
                    g.path, "\n".join(l for l in self.lr_out.splitlines() if "does not exist" not in l)))
            self.files.remove(g)

    def adopt(self, inos, feed):
        for ino, path in inos.items():
            nf = FileObj(feed, path, followed=feed.matches(os.path.basename(path)))
            nf.ino = ino
            with open(path, "rb") as fh:
                nf.content = bytearray(fh.read())
            self.files.append(nf)
            if not nf.followed:
                # a copy: the rows it holds as opaque bytes (it is never read)
                nf.rows = []

    def lr_compress(self, f):
        """One logrotate config per file name, as in a deployment: runs that
        differ in compress would rename F.1 over an uncompressed F.2."""
        if f.path not in self.compress:
            self.compress[f.path] = self.rng.random() < 0.5
        return self.compress[f.path]

    def logrotate(self, f, mode, compress=False):
        """A real logrotate -f run on f: numbered names (F.1, F.2 ...; no
        dateext, whose names collide within a day), never the pattern."""
        self.lr += 1
        conf = os.path.join(self.a.work, "lr-%d.conf" % self.lr)
        comp = "compress\n\tdelaycompress" if compress else "nocompress"
        with open(conf, "w") as fh:
            fh.write("%s {\n\t%s\n\trotate 1000\n\tmissingok\n\t%s\n}\n" % (f.path, mode, comp))
        r = subprocess.run(["logrotate", "-v", "-f", "-s", os.path.join(self.a.work, "lr.state"), conf],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lr_out = r.stdout.decode(errors="replace")
        if r.returncode != 0:
            raise Failure("logrotate failed: %s" % self.lr_out)

    def op_copytruncate(self, f, slot, use_logrotate):
        self.complete_partial(f)
        if not self.precondition(f, "caught"):
            return None
        old = bytes(f.content)
        # logrotate 3.21 with copytruncate and delaycompress leaves F.1 in
        # place (and overwrites it): a name whose config compresses is
        # copied by hand instead
        use_logrotate = use_logrotate and not self.lr_compress(f)
        if use_logrotate:
            self.logrotate(f, "copytruncate")
            self.adopt(self.resync(), f.feed)
        else:
            self.rot += 1
            cp = FileObj(f.feed, "%s.c%d" % (f.path, self.rot), followed=False)
            shutil.copyfile(f.path, cp.path)
            cp.content = bytearray(old)
            cp.ino = os.stat(cp.path).st_ino
            self.files.append(cp)
            os.truncate(f.path, 0)
        f.content = bytearray()
        f.rows = []
        # a writer that keeps its descriptor goes on with rows, no header
        # (only after it wrote one: a file truncated before its first row
        # still gets its header; teleqd has no columns to keep otherwise)
        f.headerless = (bool(f.feed.header) and bool(old) and "b" not in self.avoid and
                        self.rng.random() < 0.5)
        regrow = ""
        if self.rng.random() < 0.4:
            # a fast writer: past the old size before teleqd may look
            while len(f.content) <= len(old):
                self.op_append(f.feed, slot, self.rng.randrange(1, 30), False)
            regrow = ", regrown to %d at once" % len(f.content)
        return "%scopytruncate %s (%d bytes)%s%s" % (
            "logrotate " if use_logrotate else "", f.name, len(old),
            ", rows go on without a header" if f.headerless else "", regrow)

    def op_delete(self, f):
        if self.risky_g(f) or (f.followed and not self.precondition(f, "caught")):
            return None
        f.partial = None            # never completed: never counted
        os.unlink(f.path)
        self.files.remove(f)
        return "delete %s (%d bytes)" % (f.name, len(f.content))

    def op_recreate(self, f, slot):
        """Deleted and written again at once (its inode likely reused), at
        least as long as before: a stale position must not fit it."""
        old = len(f.content)
        old_complete = f.complete_len()
        if self.op_delete(f) is None:
            return None
        self.op_append(f.feed, slot, max(1, len(f.rows) + self.rng.randrange(-2, 10)),
                       self.rng.random() < 0.3)
        nf = self.file_at(f.feed, slot)
        if "f" in self.avoid and nf.complete_len() == old_complete:
            self.op_append(f.feed, slot, 1, False)
        if nf.ino == f.ino:
            self.stats["same-inode"] += 1
        return "recreate %s: %d bytes -> %d%s" % (nf.name, old, len(nf.content),
                                                 " (same inode)" if nf.ino == f.ino else "")

    def op_rewrite(self, f):
        self.complete_partial(f)
        if not self.precondition(f, "caught"):
            return None
        old = bytes(f.content)
        O = f.complete_len()
        head = f.feed.header or b""
        keep = [key for _, key in f.rows if self.rng.random() < 0.75]
        self.rng.shuffle(keep)
        oldlines = {}
        for i, (end, key) in enumerate(f.rows):
            start = f.rows[i - 1][0] if i else (len(head) if old.startswith(head) and head else 0)
            oldlines[key] = old[start:end]
        new = [(key, oldlines[key]) for key in keep]
        for _ in range(self.rng.randrange(0, 6)):
            new.append(self.new_row(f.feed))
        fpl = min(O, FP_MAX)

        def build(rows):
            return head + b"".join(line for _, line in rows)

        def detectable(data):
            return len(data) < O or data[:fpl] != old[:fpl] or data[:O] == old[:O]
        data = build(new)
        if not detectable(data):
            if len(head) < FP_MAX:
                new.insert(0, self.new_row(f.feed))
            while not detectable(build(new)) and keep:
                drop = keep.pop()
                new = [r for r in new if r[0] != drop]
            data = build(new)
            if not detectable(data):
                return None
        if "f" in self.avoid and len(data) == O:
            new.append(self.new_row(f.feed))
            data = build(new)
            if not detectable(data):
                return None
        with open(f.path, "r+b") as fh:
            fh.truncate(0)
            fh.write(data)
        f.content = bytearray(data)
        f.headerless = False
        f.rows = []
        pos = len(head)
        for key, line in new:
            pos += len(line)
            f.rows.append((pos, key))
            self.count_row(f, key)
        return "rewrite %s: %d bytes -> %d (%d rows kept, %d new)" % (
            f.name, len(old), len(data), len(keep), len(new) - len(keep))

    # -------------------------------------------------------------- run
    def pick_file(self, pred):
        cands = [f for f in self.files if pred(f)]
        return self.rng.choice(cands) if cands else None

    def risky_g(self, f):
        """--avoid g: a followed file holding no row is never deleted (its
        position, offset 0 or the header only, fits any file that reuses
        its inode)."""
        return "g" in self.avoid and f.followed and not f.rows

    def long_ok(self, f):
        return not (f.feed.name == "long" and "a" in self.avoid)

    def step(self):
        rng = self.rng
        running = self.running()
        ops = [("append", 30), ("bigappend", 3), ("rotate", 6), ("logrotate", 4),
               ("copytruncate", 3), ("lr_copytruncate", 3), ("delete", 3), ("expire", 3),
               ("recreate", 3),
               ("rewrite", 5), ("catchup", 8), ("quiesce", 4)]
        if running:
            ops += [("stop", 3), ("kill9", 5), ("killtimer", 3)]
        else:
            ops += [("start", 14), ("startkill", 5)]
        op = rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
        feed = rng.choice(FEEDS)
        slot = rng.choice(SLOTS)
        live = self.file_at(feed, slot)
        text = None
        if op == "append":
            text = self.op_append(feed, slot, rng.randrange(1, 30), rng.random() < 0.35)
        elif op == "bigappend":
            text = self.op_append(feed, slot, rng.randrange(2000, 8000), rng.random() < 0.35)
        elif op in ("rotate", "logrotate") and live:
            text = self.op_rotate(live, slot, op == "logrotate")
        elif op in ("copytruncate", "lr_copytruncate") and live and self.long_ok(live):
            text = self.op_copytruncate(live, slot, op == "lr_copytruncate")
        elif op == "delete" and live and self.long_ok(live):
            text = self.op_delete(live)
        elif op == "recreate" and live and self.long_ok(live):
            text = self.op_recreate(live, slot)
        elif op == "killtimer" and running:
            ms = rng.randrange(0, 1500)
            self.arm_kill(ms)
            text = "kill -9 in %d ms (timer)" % ms
        elif op == "expire":
            f = self.pick_file(lambda f: not f.live and self.long_ok(f))
            if f:
                text = self.op_delete(f)
        elif op == "rewrite" and live and feed.has_id and self.long_ok(live):
            text = self.op_rewrite(live)
        elif op == "catchup" and running:
            self.checkpoint("checkpoint")
            text = "catch up: counters equal the model"
        elif op == "quiesce" and running:
            self.checkpoint("checkpoint")
            if rng.random() < 0.5:
                self.stop()
                text = "catch up, stop"
            else:
                self.kill9()
                text = "catch up, kill -9"
        elif op == "stop":
            self.stop()
            text = "stop (SIGTERM)"
        elif op == "kill9":
            ms = rng.randrange(0, 300)
            time.sleep(ms / 1000)
            self.kill9()
            text = "kill -9 after %d ms" % ms
        elif op == "start":
            self.start()
            text = "start"
        elif op == "startkill":
            self.start()
            ms = rng.randrange(0, 400)
            time.sleep(ms / 1000)
            self.kill9()
            text = "start, kill -9 after %d ms" % ms
        if text:
            self.stats[op] += 1
            self.note(text)
        self.resync_check()

    def resync_check(self):
        extra = self.resync()
        if extra:
            raise Failure("driver: unexpected files %s" % sorted(extra.values()))
        for f in self.files:
            if os.stat(f.path).st_size != len(f.content):
                raise Failure("driver: %s (inode %s) has %d bytes, the model wrote %d" % (
                    f.path, f.ino, os.stat(f.path).st_size, len(f.content)))

    def finish(self):
        self.disarm()
        self.running()
        self.check_disk()
        for f in self.files:
            if f.live and self.complete_partial(f):
                self.note("complete the partial line of %s" % f.name)
        if self.start():
            self.note("start")
        self.checkpoint("end")
        self.note("end: counters equal the model; restart")
        self.stop()
        self.start()
        self.checkpoint("end, after a restart")

        def closed():
            # A rotated file that still exists keeps its stored position
            # (a pattern matching it again resumes it, issue 16) but no
            # descriptor; the position of a deleted file is dropped.
            ent = self.entries()
            known = {(f.feed.name, f.ino) for f in self.files}
            stale = ["%s:%d" % k for k in ent if k not in known]
            if stale:
                return "positions of deleted files still stored: %s" % " ".join(stale[:5])
            rotated = {os.path.realpath(f.path): f.name for f in self.files
                       if f.followed and not f.live}
            open_rot, fds = [], []
            for fd in os.listdir("/proc/%d/fd" % self.proc.pid):
                try:
                    t = os.readlink("/proc/%d/fd/%s" % (self.proc.pid, fd))
                except OSError:
                    continue
                if t in rotated:
                    open_rot.append(rotated[t])
                if t.endswith(" (deleted)") and "/valgrind_proc_" not in t:
                    fds.append(t)
            if open_rot:
                return "rotated files still open: %s" % " ".join(open_rot[:5])
            if fds:
                return "descriptors on deleted files: %s" % " ".join(fds[:5])
            return True
        self.wait("every rotated file closed and no descriptor on a deleted file", closed, 30)
        self.compare("end, rotated files closed")
        self.stop()


def run(a):
    # the harness's timeout: end here, through the finally that kills teleqd
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    d = Driver(a)
    ok = False
    t0 = time.monotonic()
    try:
        d.note("begin: %d steps" % a.steps)
        for i in range(a.steps):
            d.step()
        d.finish()
        ok = True
    except Failure as e:
        msg = str(e)
    except Exception as e:     # the driver itself: still show where it was
        import traceback
        msg = "driver error: " + "".join(traceback.format_exception(e))
    finally:
        d.shutdown()
    secs = time.monotonic() - t0
    summary = ", ".join("%s %d" % kv for kv in sorted(d.stats.items()))
    ev = sum(d.expected().values())
    if ok and os.environ.get("MODEL_VERBOSE") == "1":
        for i, t in enumerate(d.log):
            print("#   %3d %s" % (i, t))
    if ok:
        print("# seed %d: %d steps, %d events, %.1f s (%s)" % (a.seed, a.steps, ev, secs, summary))
        return 0
    print("# seed %d FAILED after %d operations (%.1f s): %s" % (a.seed, len(d.log), secs, msg))
    print("# reproduce: MODEL_SEED=%d MODEL_STEPS=%d%s%s sh tests/integration/run.sh t_model" % (
        a.seed, a.steps, " MODEL_AVOID=" + a.avoid if a.avoid else "",
        " MODEL_PROBE=" + a.probe if a.probe else ""))
    print("# operation log:")
    for i, t in enumerate(d.log):
        print("#   %3d %s" % (i, t))
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["config", "run"])
    ap.add_argument("out", nargs="?")
    ap.add_argument("--feeds", required=True)
    ap.add_argument("--sock", required=True)
    ap.add_argument("--user", default="")
    ap.add_argument("--passfile", default="")
    ap.add_argument("--secret", default="")
    ap.add_argument("--teleqd")
    ap.add_argument("--conf")
    ap.add_argument("--work")
    ap.add_argument("--log")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--avoid", default="")
    ap.add_argument("--probe", default="")
    ap.add_argument("--slow", type=float, default=1)
    ap.add_argument("--killed", default="")
    a = ap.parse_args()
    if a.cmd == "config":
        write_config(a)
        return 0
    return run(a)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""faults_writer.py — a feed writer for the fault-injection tests (t_faults_*).

    faults_writer.py [--csv FILE] [--jsonl FILE] [options]

Appends TeleQ call lines (CSV, Windows-1252, CRLF, header at the start of
every new file) and/or case lines (JSON) at a steady rate, in chunks, the
way a logging application does. Every line is a function of its index, so a
run continued with --start K writes exactly what one long run would have.

Line i of the call log has the result CALLS[i % 10] (6 booked, 2 queue
full, 1 abandoned, 1 closed: 6 of 9 offered calls booked, 66.7 %); case i
has the dimensions CASES[i % 10] (3 of 9 patient/relative cases digital,
33.3 %), id PREFIX-<i>, and every --dups-th case is a byte-identical
re-export of case i-7. Dates cycle through --days days from --from.

Options:
  --lines N       stop after N lines per feed           --seconds S  stop after S s
  --rate R        lines per second per feed (0: as fast as possible)
  --start K       index of the first line
  --chunk-ms MS   one write per feed every MS ms (default 10)
  --split         a chunk ends in the middle of a line; its rest starts the
                  next chunk (a partial last line is almost always present)
  --reopen        open the file (O_APPEND, never O_CREAT) for every chunk, as
                  a writer that follows create-mode rotation (waits while the
                  name is missing)
  --rotate S      every S seconds rename the file away (csv: NAME.rN, outside
                  the glob; jsonl: NAME-rN.jsonl, inside it), write one more
                  chunk to the renamed file, then create a new one
  --stop-file F   stop when F exists
  --count-file F  at exit: JSON {"lines": complete lines written per feed,
                  "next": the next index, "rotations": N}
  --log DIR       also append every complete line to DIR/<basename> (what
                  was written, whatever happens to the feed files)
  --id-prefix P   case id prefix (default LV)
SIGTERM ends it cleanly: the partial line is completed first.
"""
import argparse
import datetime
import json
import os
import signal
import sys
import time

CSV_HEADER = "Datum;Tid;Kö;Resultat;Väntetid;Telefonnummer;Personnummer\r\n".encode("cp1252")
QUEUE = "Patientnämnden"
CALLS = ["Bokad", "Kön full", "Bokad", "Bokad", "Avbruten", "Bokad", "Kön full", "Bokad",
         "Stängt", "Bokad"]
CASES = [("web", "patient", "patient"), ("phone", "patient", "patient"),
         ("web", "patient", "information"), ("letter", "relative", "information"),
         ("phone", "patient", "patient"), ("web", "relative", "patient"),
         ("visit", "relative", "patient"), ("phone", "patient", "patient"),
         ("web", "provider", "patient"), ("letter", "patient", "patient")]

stop = False


def on_term(signum, frame):
    global stop
    stop = True


class Feed:
    def __init__(self, path, kind, a):
        self.path = path
        self.kind = kind
        self.a = a
        self.fd = -1
        self.pending = b""     # the rest of a split line, written first next time
        self.lines = 0         # complete lines written
        self.rot = 0
        self.log = None
        if a.log:
            self.log = open(os.path.join(a.log, os.path.basename(path)), "ab")
            if kind == "csv" and self.log.tell() == 0:
                self.log.write(CSV_HEADER)
        self.day0 = datetime.date.fromisoformat(a.start_day)

    def line(self, i):
        a = self.a
        day = self.day0 + datetime.timedelta(days=i % a.days)
        sec = (i // a.days * 7 + 1) % 86400
        hms = "%02d:%02d:%02d" % (sec // 3600, sec // 60 % 60, sec % 60)
        if self.kind == "csv":
            s = "%s;%s;%s;%s;00:01:30;070-5550101;19700101-1234\r\n" % (
                day.isoformat(), hms, QUEUE, CALLS[i % 10])
            return s.encode("cp1252")
        if a.dups and i % a.dups == a.dups - 1 and i >= 7:
            i -= 7
            day = self.day0 + datetime.timedelta(days=i % a.days)
            sec = (i // a.days * 7 + 1) % 86400
            hms = "%02d:%02d:%02d" % (sec // 3600, sec // 60 % 60, sec % 60)
        src, party, typ = CASES[i % 10]
        # a fixed +02:00 offset: April to October is summer time in Stockholm
        return ('{"case_id":"%s-%010d","created":"%sT%s+02:00","source":"%s","party":"%s",'
                '"type":"%s","phone":"073-5550199","personnummer":"19650505-4321"}\n' % (
                    a.id_prefix, i, day.isoformat(), hms, src, party, typ)).encode()

    def open(self, create):
        flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC | (os.O_CREAT if create else 0)
        while True:
            try:
                self.fd = os.open(self.path, flags, 0o644)
                break
            except FileNotFoundError:
                if stop:
                    return False
                time.sleep(0.001)      # logrotate renamed it and creates it again
        if self.kind == "csv" and os.fstat(self.fd).st_size == 0:
            os.write(self.fd, CSV_HEADER)
        return True

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
        self.fd = -1

    def write(self, first, n, split):
        """Lines first..first+n-1; with split, keeps part of the last one back."""
        body = b"".join(self.line(i) for i in range(first, first + n))
        if self.log:
            self.log.write(body)
        data = self.pending + body
        self.pending = b""
        if split and n > 0:
            last = len(self.line(first + n - 1))
            cut = len(data) - last // 2
            data, self.pending = data[:cut], data[cut:]
        if self.a.reopen and not self.open(False):
            return
        if data:
            os.write(self.fd, data)
        self.lines += n
        if self.a.reopen:
            self.close()

    def finish(self):
        if self.pending:
            if self.a.reopen:
                self.open(False)
            os.write(self.fd, self.pending)
            self.pending = b""
        self.close()
        if self.log:
            self.log.close()

    def rotate(self, first, n):
        """rename+create: the writer writes once more to the old file, then reopens."""
        self.rot += 1
        if self.kind == "csv":
            new = "%s.r%d" % (self.path, self.rot)
        else:
            new = "%s-r%d.jsonl" % (self.path[:-len(".jsonl")], self.rot)
        os.rename(self.path, new)
        self.write(first, n, False)         # completes the split line too
        self.close()
        self.open(True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--csv")
    p.add_argument("--jsonl")
    p.add_argument("--lines", type=int, default=0)
    p.add_argument("--seconds", type=float, default=0)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--chunk-ms", type=float, default=10)
    p.add_argument("--split", action="store_true")
    p.add_argument("--reopen", action="store_true")
    p.add_argument("--rotate", type=float, default=0)
    p.add_argument("--stop-file")
    p.add_argument("--count-file")
    p.add_argument("--log")
    p.add_argument("--dups", type=int, default=0)
    p.add_argument("--start-day", default="2026-04-01")
    p.add_argument("--days", type=int, default=5)
    p.add_argument("--id-prefix", default="LV")
    a = p.parse_args()
    if a.split and a.reopen:
        sys.exit("--split and --reopen do not go together")
    signal.signal(signal.SIGTERM, on_term)
    feeds = []
    if a.csv:
        feeds.append(Feed(a.csv, "csv", a))
    if a.jsonl:
        feeds.append(Feed(a.jsonl, "jsonl", a))
    if not feeds:
        sys.exit("nothing to write")
    if not a.reopen:
        for f in feeds:
            f.open(True)
    t0 = time.monotonic()
    next_rot = t0 + a.rotate if a.rotate else None
    i = a.start
    done = 0
    per_chunk_max = 5000
    while not stop:
        now = time.monotonic()
        if a.seconds and now - t0 >= a.seconds:
            break
        if a.lines and done >= a.lines:
            break
        if a.stop_file and os.path.exists(a.stop_file):
            break
        if a.rate > 0:
            due = int((now - t0) * a.rate) - done
        else:
            due = per_chunk_max
        if a.lines:
            due = min(due, a.lines - done)
        due = min(due, per_chunk_max)
        if due > 0:
            if next_rot and now >= next_rot:
                for f in feeds:
                    f.rotate(i, due)
                next_rot = now + a.rotate
            else:
                for f in feeds:
                    f.write(i, due, a.split)
            i += due
            done += due
        if a.rate > 0:
            time.sleep(a.chunk_ms / 1000)
    for f in feeds:
        f.finish()
    if a.count_file:
        with open(a.count_file + ".tmp", "w") as fh:
            json.dump({"lines": done, "next": i, "rotations": max(f.rot for f in feeds)}, fh)
        os.rename(a.count_file + ".tmp", a.count_file)


if __name__ == "__main__":
    main()

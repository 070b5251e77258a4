#!/usr/bin/env python3
"""notify_socket.py — a stand-in for systemd's notification socket.

    notify_socket.py SOCKET OUT

Binds an AF_UNIX SOCK_DGRAM socket at SOCKET (what NOTIFY_SOCKET names)
and appends every datagram received to OUT as one line: the time it
arrived (milliseconds since the epoch), a space, and the datagram with
each newline written as the two characters backslash and n (sd_notify
sends several assignments in one datagram, "RELOADING=1\\nMONOTONIC_USEC=…").
Each line is flushed at once so a test can poll the file. Runs until
SIGTERM.
"""
import os
import signal
import socket
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(out, "a", encoding="utf-8", errors="backslashreplace") as fh:
        while True:
            data = s.recv(65536)
            text = data.decode("utf-8", errors="backslashreplace")
            fh.write("%d %s\n" % (time.time() * 1000, text.replace("\n", "\\n")))
            fh.flush()


if __name__ == "__main__":
    main()

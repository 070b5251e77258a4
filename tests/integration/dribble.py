#!/usr/bin/python3
"""dribble.py — slow HTTP clients for t_http_starve.sh (loopback only).

  dribble.py PORT CLIENTS SECONDS OUT
      CLIENTS connections to 127.0.0.1:PORT, each sending one byte of a
      request that never ends every 2 to 4 s. A connection the server
      closes is opened again 0.5 to 1 s later. After SECONDS every
      connection is closed and OUT gets "key value" lines:
        connects        connections established
        server_closed   connections the server closed
        max_closed_age  longest life of a connection the server closed, s
        max_open_age    oldest connection still open at the end, s
        refused         connection attempts that failed
  dribble.py probe PORT TIMEOUT
      GET /healthz once; prints "STATUS SECONDS" (STATUS 000: no answer
      within TIMEOUT seconds).

Bounded: CLIENTS and SECONDS come from the test; nothing but 127.0.0.1.
"""
import errno
import random
import selectors
import socket
import sys
import time

# a request line and headers that never end: the server never gets a whole request
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200


def probe(port, timeout):
    t0 = time.monotonic()
    status = "000"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(max(0.01, timeout - (time.monotonic() - t0)))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            parts = data.split(b" ", 2)
            if len(parts) >= 2 and parts[0].startswith(b"HTTP/"):
                status = parts[1].decode("ascii", "replace")
    except OSError:
        pass
    print("%s %.3f" % (status, time.monotonic() - t0))


class Client:
    def __init__(self):
        self.sock = None
        self.opened = 0.0       # when connected
        self.next_at = 0.0      # next byte, or next connect attempt
        self.pos = 0
        self.connecting = False


def run(port, nclients, seconds, out):
    sel = selectors.DefaultSelector()
    stats = {"connects": 0, "server_closed": 0, "max_closed_age": 0.0, "refused": 0}
    clients = [Client() for _ in range(nclients)]
    start = time.monotonic()
    end = start + seconds
    for i, c in enumerate(clients):
        c.next_at = start + i * 0.002   # spread the first connects a little

    def close(c, by_server):
        now = time.monotonic()
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        c.sock = None
        if by_server:
            stats["server_closed"] += 1
            stats["max_closed_age"] = max(stats["max_closed_age"], now - c.opened)
        c.next_at = now + random.uniform(0.5, 1.0)

    while True:
        now = time.monotonic()
        if now >= end:
            break
        for c in clients:
            if c.sock is None and now >= c.next_at:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                r = s.connect_ex(("127.0.0.1", port))
                if r not in (0, errno.EINPROGRESS):
                    s.close()
                    stats["refused"] += 1
                    c.next_at = now + random.uniform(0.5, 1.0)
                    continue
                c.sock, c.connecting, c.pos = s, True, 0
                c.next_at = now + 5.0   # connect timeout
                sel.register(s, selectors.EVENT_WRITE, c)
            elif c.sock is not None and c.connecting and now >= c.next_at:
                sel.unregister(c.sock)
                c.sock.close()
                c.sock = None
                stats["refused"] += 1
                c.next_at = now + random.uniform(0.5, 1.0)
            elif c.sock is not None and not c.connecting and now >= c.next_at:
                try:
                    c.sock.send(REQUEST[c.pos:c.pos + 1])
                    c.pos = (c.pos + 1) if c.pos + 1 < len(REQUEST) else len(REQUEST) - 1
                    c.next_at = now + random.uniform(2.0, 4.0)
                except OSError:
                    close(c, True)
        for key, ev in sel.select(timeout=0.05):
            c = key.data
            if c.connecting:
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    sel.unregister(c.sock)
                    c.sock.close()
                    c.sock = None
                    stats["refused"] += 1
                    c.next_at = time.monotonic() + random.uniform(0.5, 1.0)
                    continue
                c.connecting = False
                c.opened = time.monotonic()
                stats["connects"] += 1
                c.next_at = c.opened        # the first byte at once
                sel.modify(c.sock, selectors.EVENT_READ, c)
            else:
                try:
                    data = c.sock.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    close(c, True)
    now = time.monotonic()
    max_open = 0.0
    for c in clients:
        if c.sock is not None:
            if not c.connecting:
                max_open = max(max_open, now - c.opened)
            c.sock.close()
    with open(out, "w") as f:
        for k in ("connects", "server_closed", "refused"):
            f.write("%s %d\n" % (k, stats[k]))
        f.write("max_closed_age %.3f\n" % stats["max_closed_age"])
        f.write("max_open_age %.3f\n" % max_open)


if __name__ == "__main__":
    if sys.argv[1] == "probe":
        probe(int(sys.argv[2]), float(sys.argv[3]))
    else:
        run(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])

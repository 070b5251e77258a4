#!/usr/bin/python3
"""connect_proxy.py — a tiny HTTP proxy for t_webhook_tls.sh (loopback only).

    connect_proxy.py DIR [--lifetime SECONDS]

Listens on 127.0.0.1 on an ephemeral port and writes the port to DIR/port
(atomically, once listening). "CONNECT host:port" opens a tunnel (answers
200, then relays bytes both ways: it never sees inside TLS); a request in
absolute form ("POST http://host:port/path HTTP/1.1") is passed on to
host:port in origin form. Each request line is appended to DIR/log. A
CONNECT to the host:port written in DIR/deny is answered 403. Exits after
--lifetime seconds (default 300).
"""
import os
import socket
import sys
import threading
import urllib.parse


def relay(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def handle(c, d, lock):
    try:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = c.recv(4096)
            if not chunk:
                c.close()
                return
            head += chunk
        line, _, rest = head.partition(b"\r\n")
        with lock, open(os.path.join(d, "log"), "a") as fh:
            fh.write(line.decode("ascii", "replace") + "\n")
        method, target, version = line.decode("ascii").split(" ", 2)
        try:
            with open(os.path.join(d, "deny")) as fh:
                deny = fh.read().strip()
        except FileNotFoundError:
            deny = None
        if method == "CONNECT" and target == deny:
            c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            extra = rest.partition(b"\r\n\r\n")[2]
            if extra:
                up.sendall(extra)
        else:
            u = urllib.parse.urlsplit(target)
            up = socket.create_connection((u.hostname, u.port or 80), timeout=10)
            path = u.path or "/"
            if u.query:
                path += "?" + u.query
            up.sendall(("%s %s %s\r\n" % (method, path, version)).encode("ascii") + rest)
        up.settimeout(None)
        c.settimeout(None)
        t = threading.Thread(target=relay, args=(up, c), daemon=True)
        t.start()
        relay(c, up)
        t.join(10)
    except (OSError, ValueError):
        pass
    finally:
        c.close()


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: connect_proxy.py DIR [--lifetime SECONDS]")
    d = args[0]
    lifetime = float(args[2]) if len(args) == 3 and args[1] == "--lifetime" else 300.0
    lock = threading.Lock()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    tmp = os.path.join(d, ".port.tmp")
    with open(tmp, "w") as fh:
        fh.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, os.path.join(d, "port"))
    threading.Timer(lifetime, lambda: os._exit(0)).start()
    while True:
        c, _ = srv.accept()
        c.settimeout(10)
        threading.Thread(target=handle, args=(c, d, lock), daemon=True).start()


if __name__ == "__main__":
    main()

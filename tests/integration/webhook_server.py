#!/usr/bin/python3
"""webhook_server.py — a tiny webhook receiver for t_notify.sh (loopback only).

    webhook_server.py DIR [--lifetime SECONDS] [--tls CERT KEY]

Listens on 127.0.0.1 on an ephemeral port and writes the port to DIR/port
(atomically, once listening). Every request is saved as DIR/req-N.json:
{"method", "path", "headers": {name: value}, "body": text}. The answer
for each request is read from DIR/status when that file exists (default
200), after sleeping DIR/delay seconds when that file exists. Exits after
--lifetime seconds (default 300) so a crashed test leaves nothing behind.
With --tls it speaks https with the PEM certificate (chain) CERT and its
key KEY (t_webhook_tls.sh); a failed handshake is logged to DIR/tls.log.
"""
import http.server
import json
import os
import ssl
import sys
import threading
import time


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: webhook_server.py DIR [--lifetime SECONDS] [--tls CERT KEY]")
    d = args[0]
    lifetime = 300.0
    tls = None
    i = 1
    while i < len(args):
        if args[i] == "--lifetime" and i + 1 < len(args):
            lifetime = float(args[i + 1])
            i += 2
        elif args[i] == "--tls" and i + 2 < len(args):
            tls = (args[i + 1], args[i + 2])
            i += 3
        else:
            sys.exit("webhook_server.py: bad argument %r" % args[i])
    counter = [0]
    lock = threading.Lock()

    def setting(name, default):
        try:
            with open(os.path.join(d, name)) as fh:
                return fh.read().strip() or default
        except FileNotFoundError:
            return default

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            with lock:
                counter[0] += 1
                k = counter[0]
            rec = {
                "method": self.command,
                "path": self.path,
                "request_version": self.request_version,
                "headers": {h: v for h, v in self.headers.items()},
                "body": body.decode("utf-8", errors="replace"),
                "body_is_utf8": True,
            }
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                rec["body_is_utf8"] = False
            tmp = os.path.join(d, ".req-%d.tmp" % k)
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(rec, fh, ensure_ascii=False)
            os.rename(tmp, os.path.join(d, "req-%d.json" % k))
            time.sleep(float(setting("delay", "0")))
            status = int(setting("status", "200"))
            reply = b'{"ok": true}\n' if status < 300 else b'{"error": "test"}\n'
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass            # the client gave up (timeout test)
            self.close_connection = True

        do_POST = do_any
        do_PUT = do_any
        do_GET = do_any

        def log_message(self, fmt, *a):
            pass

    class TLSServer(http.server.ThreadingHTTPServer):
        # The handshake runs in the handler's thread (not in accept), so
        # a client that refuses the certificate does not stall the others.
        def get_request(self):
            sock, addr = self.socket.accept()
            return ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    class TLSHandler(Handler):
        def setup(self):
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as e:
                with open(os.path.join(d, "tls.log"), "a") as fh:
                    fh.write("handshake failed: %s\n" % e)
                raise
            super().setup()

    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        srv = TLSServer(("127.0.0.1", 0), TLSHandler)
    else:
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = os.path.join(d, ".port.tmp")
    with open(tmp, "w") as fh:
        fh.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(d, "port"))
    threading.Timer(lifetime, srv.shutdown).start()
    srv.serve_forever()
    os._exit(0)


if __name__ == "__main__":
    main()

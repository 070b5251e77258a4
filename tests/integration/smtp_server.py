#!/usr/bin/python3
"""smtp_server.py — a loopback SMTP server for t_notify.sh (python3-aiosmtpd).

    smtp_server.py DIR [--lifetime SECONDS]

Listens on 127.0.0.1 on an ephemeral port and writes the port to DIR/port
(atomically, once listening). Every message accepted is saved as
DIR/msg-N.eml (the DATA exactly as received, CRLF line ends, dot-stuffing
undone) with DIR/msg-N.env.json ({"mail_from", "rcpt_tos", "peer"}).
Exits after --lifetime seconds (default 300) so a crashed test leaves
nothing behind.
"""
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class SaveHandler:
    """aiosmtpd handler: one pair of files per message."""

    def __init__(self, d):
        self.d = d
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.d, "msg-%d" % self.n)
        with open(base + ".env.json.tmp", "w") as fh:
            json.dump({"mail_from": envelope.mail_from,
                       "rcpt_tos": list(envelope.rcpt_tos),
                       "peer": str(session.peer[0])}, fh)
        with open(base + ".eml.tmp", "wb") as fh:
            fh.write(envelope.original_content or envelope.content)
        # The message last: the test waits for it, then reads both.
        os.rename(base + ".env.json.tmp", base + ".env.json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"


async def serve(d, lifetime):
    loop = asyncio.get_running_loop()
    handler = SaveHandler(d)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test.example"), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tmp = os.path.join(d, ".port.tmp")
    with open(tmp, "w") as fh:
        fh.write("%d\n" % port)
    os.rename(tmp, os.path.join(d, "port"))
    await asyncio.sleep(lifetime)
    server.close()


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: smtp_server.py DIR [--lifetime SECONDS]")
    lifetime = 300.0
    if len(args) == 3 and args[1] == "--lifetime":
        lifetime = float(args[2])
    asyncio.run(serve(args[0], lifetime))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""smtp_server.py — a loopback SMTP server for t_notify.sh (python3-aiosmtpd).

    smtp_server.py DIR [--lifetime SECONDS] [--drop-after-data]

Listens on 127.0.0.1 on an ephemeral port and writes the port to DIR/port
(atomically, once listening). Every message accepted is saved as
DIR/msg-N.eml (the DATA exactly as received, CRLF line ends, dot-stuffing
undone) with DIR/msg-N.env.json ({"mail_from", "rcpt_tos", "peer"}).
Exits after --lifetime seconds (default 300) so a crashed test leaves
nothing behind.

--drop-after-data: a relay that takes the message and hangs up before its
final reply. The whole DATA is read and saved as above (the message *was*
taken), then the connection is closed without the "250" (or any reply) to
the end-of-data dot: the client cannot know whether the message went on.
"""
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class SaveHandler:
    """aiosmtpd handler: one pair of files per message."""

    def __init__(self, d, drop_after_data=False):
        self.d = d
        self.n = 0
        self.drop_after_data = drop_after_data

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
        if self.drop_after_data:
            # Abort (RST, nothing more written): aiosmtpd's push of the
            # reply below then goes to a closed transport and is dropped.
            server.transport.abort()
        return "250 Message accepted for delivery"


async def serve(d, lifetime, drop_after_data):
    loop = asyncio.get_running_loop()
    handler = SaveHandler(d, drop_after_data)
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
    usage = "usage: smtp_server.py DIR [--lifetime SECONDS] [--drop-after-data]"
    if not args:
        sys.exit(usage)
    lifetime = 300.0
    drop = False
    rest = args[1:]
    while rest:
        if rest[0] == "--lifetime" and len(rest) >= 2:
            lifetime = float(rest[1])
            rest = rest[2:]
        elif rest[0] == "--drop-after-data":
            drop = True
            rest = rest[1:]
        else:
            sys.exit(usage)
    asyncio.run(serve(args[0], lifetime, drop))


if __name__ == "__main__":
    main()

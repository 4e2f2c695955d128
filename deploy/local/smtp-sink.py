#!/usr/bin/python3
"""SMTP sink for Touchpoint's test stack (Debian python3-aiosmtpd).

Three listeners on one event loop:
  submission  STARTTLS required before anything else, then AUTH PLAIN/LOGIN required
  smtps       implicit TLS, AUTH PLAIN/LOGIN required
  plain       no TLS offered at all (so a client can prove it refuses to send credentials in clear)

Every accepted message lands in the spool as NNNNNN.eml (the DATA bytes exactly as received,
dot-stuffing removed) and then NNNNNN.json ({"mail_from", "rcpt_tos", ...}). Both are written to a
temporary name and renamed, and the .json comes last: once it exists, the .eml is complete.

Recipients whose local part starts with "reject" get 550, with "tempfail" get 451.
Exit status 3 means a listener port was already taken (the stack script then picks new ports).
"""

import argparse
import asyncio
import errno
import json
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# Requiring AUTH without aiosmtpd's own STARTTLS state is intended on the implicit-TLS listener:
# the whole connection is TLS there, aiosmtpd just cannot see it.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

PORT_IN_USE_EXIT = 3
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class Spool:
    """Numbers messages NNNNNN in arrival order, continuing after a restart."""

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        numbers = [int(name[:6]) for name in os.listdir(directory)
                   if len(name) >= 6 and name[:6].isdigit()]
        self.next_number = max(numbers, default=0) + 1

    def _write_atomically(self, name, data):
        final = os.path.join(self.directory, name)
        partial = os.path.join(self.directory, "." + name + ".partial")
        with open(partial, "wb") as handle:
            handle.write(data)
        os.rename(partial, final)

    def store(self, content, metadata):
        number = self.next_number
        self.next_number += 1
        stem = "%06d" % number
        self._write_atomically(stem + ".eml", content)
        self._write_atomically(stem + ".json",
                               json.dumps(metadata, ensure_ascii=False, indent=1).encode("utf-8"))
        return stem


class SinkHandler:
    def __init__(self, spool, listener):
        self.spool = spool
        self.listener = listener

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local_part = address.rsplit("@", 1)[0].lower()
        if local_part.startswith("reject"):
            return "550 5.1.1 <%s>: recipient rejected by test sink" % address
        if local_part.startswith("tempfail"):
            return "451 4.3.0 <%s>: temporary failure from test sink" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        metadata = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "listener": self.listener,
            "auth_user": _login_name(session),
        }
        stem = self.spool.store(envelope.original_content, metadata)
        return "250 2.0.0 OK queued as %s" % stem


def _login_name(session):
    data = getattr(session, "auth_data", None)
    if isinstance(data, LoginPassword):
        return data.login.decode("utf-8", "replace")
    return None


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        accepted = (isinstance(auth_data, LoginPassword)
                    and auth_data.login == self.user and auth_data.password == self.password)
        return AuthResult(success=accepted, handled=False, auth_data=auth_data if accepted else None)


async def serve(args):
    loop = asyncio.get_running_loop()
    spool = Spool(args.spool)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    authenticator = Authenticator(args.user, args.password)

    def factory(listener, **options):
        def make():
            return SMTP(SinkHandler(spool, listener), hostname="localhost",
                        data_size_limit=MAX_MESSAGE_BYTES, enable_SMTPUTF8=True,
                        authenticator=authenticator, loop=loop, **options)
        return make

    listeners = [
        (args.starttls_port, None,
         factory("submission", tls_context=tls, require_starttls=True, auth_required=True)),
        (args.smtps_port, tls,
         factory("smtps", auth_required=True, auth_require_tls=False)),
        (args.plain_port, None,
         factory("plain", auth_require_tls=False)),
    ]
    servers = []
    for port, server_tls, make in listeners:
        try:
            servers.append(await loop.create_server(make, host=args.host, port=port, ssl=server_tls))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                print("smtp-sink: port %d already in use" % port, file=sys.stderr, flush=True)
                sys.exit(PORT_IN_USE_EXIT)
            raise

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    with open(args.pid_file + ".tmp", "w") as handle:
        handle.write("%d\n" % os.getpid())
    os.rename(args.pid_file + ".tmp", args.pid_file)
    print("smtp-sink: listening on %s ports %d (STARTTLS), %d (TLS), %d (plain); spool %s"
          % (args.host, args.starttls_port, args.smtps_port, args.plain_port, args.spool), flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--starttls-port", type=int, required=True)
    parser.add_argument("--smtps-port", type=int, required=True)
    parser.add_argument("--plain-port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--pid-file", required=True)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A real SMTP server for tests (aiosmtpd), on loopback.

Speaks implicit TLS (smtps), STARTTLS or plain SMTP; offers AUTH PLAIN/LOGIN against one fixed
user and password; stores every accepted message as <n>.eml (the raw bytes received) next to
<n>.json (envelope: mail_from, rcpt_tos, login, tls) in --maildir. The .eml appears last, so a
reader that sees it also finds its envelope.

On start it prints "PORT <n>" (and "CA <path>" when TLS is on) on stdout, one line each, then
serves until SIGTERM/SIGINT.

--decode FILE prints a stored .eml as JSON as a mail client reads it (Python's email package
decodes the MIME and RFC 2047 encodings): subject, from, to, date, message_id, content_type,
transfer_encoding, body, header_names.

Certificates: --cert-dir holds ca.pem, server.pem, server.key; missing ones are made with openssl
(a throwaway CA and a server certificate for 127.0.0.1 and localhost).

Run with Debian's python (/usr/bin/python3), which has python3-aiosmtpd.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import subprocess
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_certs(cert_dir):
    """Creates a test CA and a server certificate signed by it, unless present."""
    ca, key, cert = (os.path.join(cert_dir, n) for n in ("ca.pem", "server.key", "server.pem"))
    if all(os.path.exists(p) for p in (ca, key, cert)):
        return ca, cert, key
    os.makedirs(cert_dir, exist_ok=True)
    ca_key = os.path.join(cert_dir, "ca.key")
    csr = os.path.join(cert_dir, "server.csr")
    ext = os.path.join(cert_dir, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2",
        "-subj", "/CN=frigate-health test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", ext)
    return ca, cert, key


class Mailbox:
    """aiosmtpd handler writing each message to the mail directory."""

    def __init__(self, maildir, data_delay):
        self.maildir = maildir
        self.data_delay = data_delay
        self.count = 0

    def _write(self, name, data):
        tmp = os.path.join(self.maildir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.maildir, name))

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay > 0:
            await asyncio.sleep(self.data_delay)
        self.count += 1
        login = session.auth_data.login.decode() if isinstance(
            session.auth_data, LoginPassword) else None
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "login": login, "tls": session.ssl is not None or server.transport.get_extra_info(
                    "sslcontext") is not None}
        self._write(f"{self.count:04d}.json", json.dumps(meta).encode())
        self._write(f"{self.count:04d}.eml", envelope.original_content or envelope.content)
        return "250 2.0.0 Message accepted"


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        # handled=False lets aiosmtpd answer 535 itself; handled=True without a reply would
        # leave the client waiting.
        return AuthResult(success=True, auth_data=auth_data) if ok else AuthResult(success=False, handled=False)
    return authenticate


def decode(path):
    """Prints what a mail client would show for a stored message."""
    import email
    import email.policy
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    h = lambda name: str(msg[name]) if msg[name] is not None else ""
    out = {
        "subject": h("subject"),
        "from": h("from"),
        "to": [a.addr_spec for a in msg["to"].addresses] if msg["to"] is not None else [],
        "date": h("date"),
        "message_id": h("message-id"),
        "mime_version": h("mime-version"),
        "content_type": msg.get_content_type(),
        "charset": msg.get_content_charset(),
        "transfer_encoding": h("content-transfer-encoding"),
        "body": msg.get_content(),
        "header_names": list(msg.keys()),
        "defects": [type(d).__name__ for d in msg.defects],
    }
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--decode":
        return decode(sys.argv[2])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Also: smtp_server.py --decode FILE.eml")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    p.add_argument("--tls", choices=["implicit", "starttls", "none"], default="starttls")
    p.add_argument("--cert-dir", help="certificates (made when missing); needed unless --tls none")
    p.add_argument("--maildir", required=True, help="where received messages are written")
    p.add_argument("--user", default="", help="accepted login (AUTH offered only when set)")
    p.add_argument("--password", default="")
    p.add_argument("--require-auth", action="store_true", help="refuse mail without AUTH")
    p.add_argument("--data-delay", type=float, default=0.0,
                   help="seconds to wait before answering DATA (a slow server)")
    args = p.parse_args()
    if args.tls != "none" and not args.cert_dir:
        p.error("--cert-dir is required with --tls implicit|starttls")
    os.makedirs(args.maildir, exist_ok=True)

    context = None
    ca = None
    if args.tls != "none":
        ca, cert, key = make_certs(args.cert_dir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

    handler = Mailbox(args.maildir, args.data_delay)
    options = dict(
        hostname="smtp.test",
        auth_required=args.require_auth,
        # With implicit TLS the whole connection is encrypted although aiosmtpd cannot tell;
        # with STARTTLS, AUTH is offered only after the upgrade (as real servers do).
        auth_require_tls=(args.tls == "starttls"),
        tls_context=context if args.tls == "starttls" else None,
        require_starttls=(args.tls == "starttls"),
        timeout=30,
    )
    if args.user:
        options["authenticator"] = authenticator_for(args.user, args.password)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(64)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, loop=loop, **options), sock=sock,
        ssl=context if args.tls == "implicit" else None))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    if ca:
        print(f"CA {ca}", flush=True)
    loop.run_until_complete(stop.wait())
    server.close()
    loop.run_until_complete(server.wait_closed())
    return 0


if __name__ == "__main__":
    sys.exit(main())

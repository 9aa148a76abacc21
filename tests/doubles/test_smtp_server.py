"""The SMTP double speaks AUTH LOGIN as mail servers do (tests/doubles/smtp_server.py)."""
import base64
import pathlib
import socket

from fhc_testlib import PY, Proc

SERVER = pathlib.Path(__file__).resolve().parent / "smtp_server.py"


def reply(f):
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line.rstrip("\r\n"))
        if len(line) < 4 or line[3] != "-":
            return lines


def test_auth_login_challenges_are_username_and_password(tmp_path):
    p = Proc([PY, SERVER, "--port", "0", "--tls", "none", "--maildir", tmp_path, "--user", "me",
              "--password", "pw"], name="smtp")
    try:
        port = int(p.wait_for(r"^PORT (\d+)").group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            f = s.makefile("rb")
            reply(f)
            s.sendall(b"EHLO client\r\n")
            assert any("AUTH" in line and "LOGIN" in line for line in reply(f))
            s.sendall(b"AUTH LOGIN\r\n")
            # What Alertmanager's loginAuth (and every mail client) expects.
            assert reply(f) == ["334 " + base64.b64encode(b"Username:").decode()]
            s.sendall(base64.b64encode(b"me") + b"\r\n")
            assert reply(f) == ["334 " + base64.b64encode(b"Password:").decode()]
            s.sendall(base64.b64encode(b"pw") + b"\r\n")
            assert reply(f)[0].startswith("235")
    finally:
        p.stop()

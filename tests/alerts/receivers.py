"""Real endpoints on loopback that stand in for MS Teams, ntfy and an SMTP server.

The HTTPS receiver and the SMTP server (STARTTLS + AUTH, via aiosmtpd) use a throwaway self-signed certificate that
the client side trusts through SSL_CERT_FILE / REQUESTS_CA_BUNDLE, so TLS is verified exactly as in production.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.processes import free_port


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost, valid for one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Records every POST; answers according to ``behaviour[path_prefix]``: "ok", "500" or "slow"."""

    base_url: str
    requests: list[Request] = field(default_factory=list)
    behaviour: dict[str, str] = field(default_factory=dict)
    slow_seconds: float = 5.0

    def received(self, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]


@contextmanager
def https_receiver(cert: Path, key: Path) -> Iterator[HttpReceiver]:
    port = free_port()
    receiver = HttpReceiver(base_url=f"https://127.0.0.1:{port}")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parsed = urlparse(self.path)
            with lock:
                receiver.requests.append(
                    Request(parsed.path, parse_qs(parsed.query), dict(self.headers.items()), body)
                )
            mode = next((m for p, m in receiver.behaviour.items() if parsed.path.startswith(p)), "ok")
            if mode == "slow":
                time.sleep(receiver.slow_seconds)
            status = 500 if mode == "500" else 200
            payload = b'{"id":"x"}' if status == 200 else b'{"error":"boom"}'
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout): that is the point of "slow"

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.socket = server_tls_context(cert, key).wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    port: int
    username: str
    password: str
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


@contextmanager
def smtp_server(cert: Path, key: Path, username: str, password: str) -> Iterator[Mailbox]:
    """aiosmtpd that requires STARTTLS before anything and AUTH (LOGIN/PLAIN) before mail."""
    mailbox = Mailbox(port=free_port(), username=username, password=password)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            mailbox.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            mailbox.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == username
            and auth_data.password.decode() == password
        )
        if ok:
            mailbox.logins.append(username)
        return AuthResult(success=ok)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=mailbox.port,
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()

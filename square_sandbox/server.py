"""HTTP front: Bearer auth, scopes, Square's error bodies, faults, routing (admin requests go to ``admin.py``)."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import socketserver
import time
import urllib.parse

from square_sandbox.admin import Admin
from square_sandbox.api import Endpoint, SquareEndpoints
from square_sandbox.clock import Clock
from square_sandbox.errors import SquareError, not_found, unauthorized
from square_sandbox.faults import Faults
from square_sandbox.money_api import MoneyEndpoints
from square_sandbox.operations_truth import OperationsTruth
from square_sandbox.params import QueryParams, parse_query
from square_sandbox.reference_api import ReferenceEndpoints
from square_sandbox.reporting.endpoints import ReportingEndpoints
from square_sandbox.routes import Routes
from square_sandbox.scopes import ALL_SCOPES, Grants
from square_sandbox.store import Store
from square_sandbox.store_api import StoreEndpoints
from square_sandbox.world import World


class Sandbox:
    """Everything a request needs; one per server process."""

    def __init__(
        self,
        world: World,
        clock: Clock,
        faults: Faults,
        token: str,
        reporting_lag_seconds: int = 0,
        scopes: frozenset[str] = ALL_SCOPES,
    ) -> None:
        self.world = world
        self.clock = clock
        self.faults = faults
        self.token = token
        self.grants = Grants(scopes)
        self.store = Store(world)
        self.api = SquareEndpoints(world, self.store, clock)
        self.reference = ReferenceEndpoints(world, clock)
        self.store_operations = StoreEndpoints(world, self.store, clock)
        self.money = MoneyEndpoints(world, self.store, clock, self.store.generator)
        self.reporting = ReportingEndpoints(world, self.store, clock, reporting_lag_seconds)
        self.routes = Routes(
            {
                **self.api.routes,
                **self.reference.routes,
                **self.store_operations.routes,
                **self.money.routes,
                **self.reporting.routes,
            }
        )
        self.truths = OperationsTruth(world, self.store_operations, self.money)
        self.admin = Admin(self)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SquareSandbox/1.0"
    sandbox: Sandbox  # set on the subclass built by make_server

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes: without TCP_NODELAY the second waits for the client's delayed
        # ACK (~40 ms a response).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        path, query = parsed.path.rstrip("/") or "/", parse_query(parsed.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reporting = path.startswith("/reporting/")
        try:
            if path.startswith("/_sandbox/"):
                if not ipaddress.ip_address(self.client_address[0]).is_loopback:
                    raise SquareError(
                        403, "AUTHENTICATION_ERROR", "FORBIDDEN", "Admin endpoints answer loopback only."
                    )
                self._send(*self.sandbox.admin.answer(method, path, query, body))
                return
            endpoint = self._route(method, path, query)
            if self.headers.get("Authorization", "") != f"Bearer {self.sandbox.token}":
                raise unauthorized()
            self.sandbox.grants.check(path)
            hits = self.sandbox.faults.draw(
                has_cursor="cursor" in query or (method == "POST" and b'"cursor"' in body)
            )
            if not self._answered_by_fault(hits, reporting):
                self._send(200, endpoint(query, body, "invalid_cursor" in hits))
        except SquareError as error:
            self._send_error(error, reporting)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:
            failure = SquareError(
                500, "API_ERROR", "INTERNAL_SERVER_ERROR", f"Sandbox failure: {type(error).__name__}"
            )
            self._send_error(failure, reporting)
            raise

    def _send_error(self, error: SquareError, reporting: bool, headers: dict[str, str] | None = None) -> None:
        """Square's error body, or the Reporting API's ``{"error": ...}`` on its paths."""
        self._send(error.status, error.reporting_body() if reporting else error.body(), headers)

    def _route(self, method: str, path: str, query: QueryParams) -> Endpoint:
        """The endpoint for ``method path``; path parameters ({shift_id}, ...) join ``query``."""
        endpoint, methods = self.sandbox.routes.match(method, path, query)
        if endpoint is not None:
            return endpoint
        if methods:
            raise SquareError(
                405, "INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}."
            )
        raise not_found(f"Unknown endpoint {method} {path}.")

    def _answered_by_fault(self, hits: list[str], reporting: bool) -> bool:
        """Play the injected faults; True when one of them is the whole answer."""
        settings = self.sandbox.faults.settings
        if "slow" in hits:
            time.sleep(settings.slow_seconds)
        if "drop_connection" in hits:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if "rate_limited" in hits:
            error = SquareError(429, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded: retry later.")
            self._send_error(error, reporting, {"Retry-After": str(settings.retry_after_seconds)})
            return True
        if "server_error" in hits or "permanent_failure" in hits:
            if "permanent_failure" not in hits and self.sandbox.faults.coin():
                error = SquareError(
                    503, "API_ERROR", "SERVICE_UNAVAILABLE", "The service is temporarily unavailable."
                )
            else:
                error = SquareError(500, "API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error occurred.")
            self._send_error(error, reporting)
            return True
        return False


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(sandbox: Sandbox, host: str, port: int) -> Server:
    handler = type("SandboxHandler", (Handler,), {"sandbox": sandbox})
    return Server((host, port), handler)

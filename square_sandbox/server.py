"""HTTP front: Bearer auth, Square's error bodies, faults, and the ``/_sandbox`` admin endpoints."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import socketserver
import time
import urllib.parse

import orjson

from square_sandbox.api import Endpoint, SquareEndpoints
from square_sandbox.clock import Clock
from square_sandbox.errors import SquareError, bad_request, not_found, unauthorized
from square_sandbox.faults import Faults, FaultSettings
from square_sandbox.params import QueryParams, business_day, json_object, location_param, parse_query, single
from square_sandbox.store import Store
from square_sandbox.timeutil import InvalidTime, format_us, parse_rfc3339
from square_sandbox.truth import location_day_summary, truth_row
from square_sandbox.world import World

TRUTH_KINDS = {"orders": "order", "payments": "payment", "refunds": "refund"}


class Sandbox:
    """Everything a request needs; one per server process."""

    def __init__(self, world: World, clock: Clock, faults: Faults, token: str) -> None:
        self.world = world
        self.clock = clock
        self.faults = faults
        self.token = token
        self.store = Store(world)
        self.api = SquareEndpoints(world, self.store, clock)

    # -- admin ---------------------------------------------------------------------------------------------

    def admin(self, method: str, path: str, query: QueryParams, body: bytes) -> tuple[int, bytes]:
        if path == "/_sandbox/clock":
            return 200, self._clock(method, body)
        if path == "/_sandbox/faults":
            return 200, self._faults(method, body)
        if path == "/_sandbox/ground-truth" and method == "GET":
            return 200, self._ground_truth(query)
        if path.startswith("/_sandbox/truth/") and method == "GET":
            return 200, self._truth(path, query)
        raise not_found(f"Unknown admin endpoint {method} {path}.")

    def _clock(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            request = json_object(body, "body")
            if "now" in request:
                try:
                    self.clock.set(parse_rfc3339(request["now"]))
                except InvalidTime as error:
                    raise bad_request("INVALID_TIME", str(error), "now") from None
            elif "advance_seconds" in request:
                seconds = request["advance_seconds"]
                if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                    raise bad_request(
                        "EXPECTED_FLOAT", "advance_seconds must be a number.", "advance_seconds"
                    )
                self.clock.advance(seconds)
            else:
                raise bad_request("MISSING_REQUIRED_PARAMETER", "Send `now` or `advance_seconds`.")
        return orjson.dumps({"now": format_us(self.clock.now())})

    def _faults(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            try:
                self.faults.replace(FaultSettings.from_mapping(json_object(body, "body")))
            except (TypeError, ValueError) as error:
                raise bad_request("INVALID_VALUE", str(error)) from None
        return orjson.dumps(self.faults.settings.as_dict())

    def _ground_truth(self, query: QueryParams) -> bytes:
        day = business_day(single(query, "date") or "")
        location_id = single(query, "location_id")
        if location_id:
            locations = [location_param(self.world, location_id, "location_id")]
        else:
            locations = self.world.locations
        now = self.clock.now()
        days = [location_day_summary(self.store, location, day, now) for location in locations]
        return orjson.dumps({"as_of": format_us(now), "days": days})

    def _truth(self, path: str, query: QueryParams) -> bytes:
        plural = path.rsplit("/", 1)[-1]
        if plural not in TRUTH_KINDS:
            raise not_found(f"No truth for {path}.")
        try:
            start = parse_rfc3339(single(query, "start") or "")
            end = parse_rfc3339(single(query, "end") or "")
        except InvalidTime as error:
            raise bad_request("INVALID_TIME", f"start and end must be RFC 3339: {error}") from None
        now = self.clock.now()
        ranges = {"created_at": (start, end - 1)}
        records = self.store.all_records(TRUTH_KINDS[plural], self.world.locations, ranges, now)
        return orjson.dumps({plural: [truth_row(record) for record in records]})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SquareSandbox/1.0"
    sandbox: Sandbox  # set on the subclass built by make_server

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
        try:
            if path.startswith("/_sandbox/"):
                if not ipaddress.ip_address(self.client_address[0]).is_loopback:
                    raise SquareError(
                        403, "AUTHENTICATION_ERROR", "FORBIDDEN", "Admin endpoints answer loopback only."
                    )
                self._send(*self.sandbox.admin(method, path, query, body))
                return
            endpoint = self._route(method, path)
            if self.headers.get("Authorization", "") != f"Bearer {self.sandbox.token}":
                raise unauthorized()
            hits = self.sandbox.faults.draw(
                has_cursor="cursor" in query or (method == "POST" and b'"cursor"' in body)
            )
            if not self._answered_by_fault(hits):
                self._send(200, endpoint(query, body, "invalid_cursor" in hits))
        except SquareError as error:
            self._send(error.status, error.body())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:
            failure = SquareError(
                500, "API_ERROR", "INTERNAL_SERVER_ERROR", f"Sandbox failure: {type(error).__name__}"
            )
            self._send(500, failure.body())
            raise

    def _route(self, method: str, path: str) -> Endpoint:
        routes = self.sandbox.api.routes
        endpoint = routes.get((method, path))
        if endpoint is not None:
            return endpoint
        if any(route_path == path for _, route_path in routes):
            raise SquareError(
                405, "INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}."
            )
        raise not_found(f"Unknown endpoint {method} {path}.")

    def _answered_by_fault(self, hits: list[str]) -> bool:
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
            self._send(429, error.body(), {"Retry-After": str(settings.retry_after_seconds)})
            return True
        if "server_error" in hits or "permanent_failure" in hits:
            if "permanent_failure" not in hits and self.sandbox.faults.coin():
                error = SquareError(
                    503, "API_ERROR", "SERVICE_UNAVAILABLE", "The service is temporarily unavailable."
                )
            else:
                error = SquareError(500, "API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error occurred.")
            self._send(error.status, error.body())
            return True
        return False


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(sandbox: Sandbox, host: str, port: int) -> Server:
    handler = type("SandboxHandler", (Handler,), {"sandbox": sandbox})
    return Server((host, port), handler)

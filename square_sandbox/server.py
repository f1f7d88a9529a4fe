"""HTTP front: Bearer auth, Square's error bodies, faults, and the ``/_sandbox`` admin endpoints."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import socketserver
import time
import urllib.parse

import orjson

from square_sandbox.api import SquareApi, business_day, parse_query
from square_sandbox.clock import Clock
from square_sandbox.errors import SquareError, bad_request, not_found, unauthorized
from square_sandbox.faults import Faults, FaultSettings
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
        self.api = SquareApi(world, self.store, clock)

    # -- admin ---------------------------------------------------------------------------------------------

    def admin(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, bytes]:
        if path == "/_sandbox/clock":
            if method == "POST":
                request = _admin_json(body)
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
            return 200, orjson.dumps({"now": format_us(self.clock.now())})
        if path == "/_sandbox/faults":
            if method == "POST":
                try:
                    self.faults.replace(FaultSettings.from_mapping(_admin_json(body)))
                except (TypeError, ValueError) as error:
                    raise bad_request("INVALID_VALUE", str(error)) from None
            return 200, orjson.dumps(self.faults.settings.as_dict())
        if path == "/_sandbox/ground-truth" and method == "GET":
            day = business_day((query.get("date") or [""])[-1])
            location_id = (query.get("location_id") or [None])[-1]
            if location_id:
                location = self.world.locations_by_id.get(location_id)
                if location is None:
                    raise not_found(f"Location `{location_id}` not found.", "location_id")
                locations = [location]
            else:
                locations = self.world.locations
            now = self.clock.now()
            days = [location_day_summary(self.store, location, day, now) for location in locations]
            return 200, orjson.dumps({"as_of": format_us(now), "days": days})
        if path.startswith("/_sandbox/truth/") and method == "GET":
            kind = TRUTH_KINDS.get(path.rsplit("/", 1)[-1])
            if kind is None:
                raise not_found(f"No truth for {path}.")
            try:
                start = parse_rfc3339((query.get("start") or [""])[-1])
                end = parse_rfc3339((query.get("end") or [""])[-1])
            except InvalidTime as error:
                raise bad_request("INVALID_TIME", f"start and end must be RFC 3339: {error}") from None
            now = self.clock.now()
            records = self.store.all_records(
                kind, self.world.locations, {"created_at": (start, end - 1)}, now
            )
            return 200, orjson.dumps({TRUTH_KINDS_PLURAL[kind]: [truth_row(record) for record in records]})
        raise not_found(f"Unknown admin endpoint {method} {path}.")


TRUTH_KINDS_PLURAL = {value: key for key, value in TRUTH_KINDS.items()}


def _admin_json(body: bytes) -> dict:
    try:
        payload = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError:
        raise bad_request("EXPECTED_JSON_BODY", "The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise bad_request("EXPECTED_OBJECT", "The body must be a JSON object.")
    return payload


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
        sandbox = self.sandbox
        try:
            if path.startswith("/_sandbox/"):
                if not ipaddress.ip_address(self.client_address[0]).is_loopback:
                    raise SquareError(
                        403, "AUTHENTICATION_ERROR", "FORBIDDEN", "Admin endpoints answer loopback only."
                    )
                status, payload = sandbox.admin(method, path, query, body)
                self._send(status, payload)
                return
            handler = sandbox.api.routes.get((method, path))
            if handler is None:
                if any(route_path == path for _, route_path in sandbox.api.routes):
                    raise SquareError(
                        405,
                        "INVALID_REQUEST_ERROR",
                        "METHOD_NOT_ALLOWED",
                        f"{method} is not allowed on {path}.",
                    )
                raise not_found(f"Unknown endpoint {method} {path}.")
            if self.headers.get("Authorization", "") != f"Bearer {sandbox.token}":
                raise unauthorized()
            has_cursor = "cursor" in query or (method == "POST" and b'"cursor"' in body)
            hits = sandbox.faults.draw(has_cursor)
            if "slow" in hits:
                time.sleep(sandbox.faults.settings.slow_seconds)
            if "drop_connection" in hits:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if "rate_limited" in hits:
                error = SquareError(
                    429, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded: retry later."
                )
                self._send(
                    429, error.body(), {"Retry-After": str(sandbox.faults.settings.retry_after_seconds)}
                )
                return
            if "server_error" in hits or "permanent_failure" in hits:
                if "permanent_failure" not in hits and sandbox.faults.coin():
                    error = SquareError(
                        503, "API_ERROR", "SERVICE_UNAVAILABLE", "The service is temporarily unavailable."
                    )
                else:
                    error = SquareError(
                        500, "API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error occurred."
                    )
                self._send(error.status, error.body())
                return
            self._send(200, handler(query, body, "invalid_cursor" in hits))
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


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(sandbox: Sandbox, host: str, port: int) -> Server:
    handler = type("SandboxHandler", (Handler,), {"sandbox": sandbox})
    return Server((host, port), handler)

"""A loopback proxy in front of the sandbox that fails every query for one business day (500, Square's error body),
and passes everything else through: a range pull through it commits the days before that one, then fails."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator

import httpx

from square_sales.partitions import business_day_bounds

FAILURE = json.dumps(
    {
        "errors": [
            {"category": "API_ERROR", "code": "INTERNAL_SERVER_ERROR", "detail": "Injected by the test."}
        ]
    }
).encode()


def _parse(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _query_start(path: str, query: str, body: bytes) -> dt.datetime | None:
    """When a query asks for objects *created* from: a SearchOrders created_at filter, a list's begin_time."""
    if path.endswith("/orders/search") and body:
        created = (
            json.loads(body).get("query", {}).get("filter", {}).get("date_time_filter", {}).get("created_at")
        )
        return _parse(created.get("start_at")) if created else None
    return _parse(urllib.parse.parse_qs(query).get("begin_time", [None])[-1])


@contextlib.contextmanager
def failing_day(square_url: str, day: dt.date, timezone: str) -> Iterator[str]:
    """A proxy URL: queries for ``day``'s objects fail, all else reaches ``square_url``."""
    start, end = business_day_bounds(day, timezone)
    client = httpx.Client(base_url=square_url, timeout=30)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._relay("GET")

        def do_POST(self) -> None:
            self._relay("POST")

        def _relay(self, method: str) -> None:
            path, _, query = self.path.partition("?")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            asked_from = _query_start(path, query, body)
            if asked_from is not None and start <= asked_from < end:
                self._answer(500, FAILURE, "application/json")
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            response = client.request(method, self.path, content=body or None, headers=headers)
            self._answer(response.status_code, response.content, response.headers.get("content-type", ""))

        def _answer(self, status: int, content: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        client.close()

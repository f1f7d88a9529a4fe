"""A misbehaving Square on loopback: a real HTTP server that answers each request through a rule of the test.

A rule receives the request (method, path, query, JSON body) and, when the server proxies a real Square (the
sandbox), the upstream answer; it returns what to send back. So a test can replay Square's OpenAPI examples
forever, answer HTTP 200 with an ``errors`` array, or take the sandbox's real orders and drop their ``created_at``.

    with misbehaving_square(rule, upstream=sandbox.base_url) as url:
        api = SquareApi(url, token)
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson


@dataclass
class Request:
    method: str
    path: str  # e.g. /v2/orders/search
    query: dict[str, str]
    body: Any  # the JSON body of a POST, else None
    upstream: Any = None  # the upstream answer's JSON (proxy mode), else None
    upstream_status: int = 200


@dataclass
class Answer:
    body: Any  # JSON-able, or bytes sent as they are
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Rule = Callable[[Request], Answer]


def passthrough(request: Request) -> Answer:
    return Answer(request.upstream, request.upstream_status)


def _handler(
    rule: Rule, upstream: str | None, calls: list[Request]
) -> type[http.server.BaseHTTPRequestHandler]:
    client = httpx.Client(base_url=upstream, timeout=30) if upstream else None

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _serve(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(
                self.command,
                parsed.path,
                dict(urllib.parse.parse_qsl(parsed.query)),
                orjson.loads(raw) if raw else None,
            )
            if client is not None:
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() in ("authorization", "square-version")
                }
                reply = client.request(self.command, self.path, content=raw, headers=headers)
                request.upstream_status = reply.status_code
                request.upstream = reply.json() if reply.content else {}
            calls.append(request)
            answer = rule(request)
            # The standard library's encoder: it also writes integers beyond 64 bits, as a broken API might.
            payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve  # the names http.server calls

    return Handler


class SquareDouble:
    def __init__(self, url: str, calls: list[Request]) -> None:
        self.url = url
        self.calls = calls

    def requests_to(self, path: str) -> int:
        return sum(1 for call in self.calls if call.path == path)


@contextlib.contextmanager
def misbehaving_square(rule: Rule, upstream: str | None = None) -> Iterator[SquareDouble]:
    calls: list[Request] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(rule, upstream, calls))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="square-double", daemon=True)
    thread.start()
    try:
        yield SquareDouble(f"http://127.0.0.1:{server.server_address[1]}", calls)
    finally:
        server.shutdown()
        server.server_close()

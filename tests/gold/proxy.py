"""A TCP proxy in front of Azurite that can take the lake down: at a chosen request (e.g. a Delta commit), or on
demand, it drops the connection and refuses every later one until restored. A real network fault, not a mock."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator


class LakeProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.down = threading.Event()
        self.cut_at: re.Pattern[bytes] | None = None
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_when(self, request_pattern: bytes) -> None:
        """Go down when a request matching ``request_pattern`` (a regex over its bytes) is about to pass."""
        self.cut_at = re.compile(request_pattern)

    def restore(self) -> None:
        self.cut_at = None
        self.down.clear()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with (
            contextlib.closing(client),
            socket.create_connection(("127.0.0.1", self.target_port)) as upstream,
        ):
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()
            self._pump(client, upstream, True)

    def _pump(self, source: socket.socket, sink: socket.socket, requests: bool) -> None:
        with contextlib.suppress(OSError):
            for chunk in _chunks(source):
                if requests and self.cut_at is not None and self.cut_at.search(chunk):
                    self.down.set()
                if self.down.is_set():
                    break
                sink.sendall(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _chunks(source: socket.socket) -> Iterator[bytes]:
    while chunk := source.recv(65536):
        yield chunk

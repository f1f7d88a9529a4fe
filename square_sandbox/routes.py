"""Matching a request's method and path to an endpoint; templates like ``/v2/payouts/{payout_id}/payout-entries``
put their path parameters among the query parameters."""

from __future__ import annotations

from collections.abc import Callable

Endpoint = Callable  # (query, body, stale_cursor) -> JSON answer


class Routes:
    def __init__(self, routes: dict[tuple[str, str], Endpoint]) -> None:
        self.exact = {key: endpoint for key, endpoint in routes.items() if "{" not in key[1]}
        self.templates = [(method, path.strip("/").split("/"), endpoint)
                          for (method, path), endpoint in routes.items() if "{" in path]  # fmt: skip

    def match(self, method: str, path: str, query: dict) -> tuple[Endpoint | None, set[str]]:
        """(endpoint, None) when found; else (None, the methods the path answers to) for a 405 or 404."""
        methods = {known for known, known_path in self.exact if known_path == path}
        endpoint = self.exact.get((method, path))
        if endpoint is not None:
            return endpoint, methods
        parts = path.strip("/").split("/")
        for known, template, candidate in self.templates:
            found = _parameters(template, parts)
            if found is None:
                continue
            if known == method:
                query.update({name: [value] for name, value in found.items()})
                return candidate, methods
            methods.add(known)
        return None, methods

    def __iter__(self):
        yield from self.exact
        yield from ((method, "/" + "/".join(template)) for method, template, _ in self.templates)


def _parameters(template: list[str], parts: list[str]) -> dict[str, str] | None:
    if len(template) != len(parts):
        return None
    found = {}
    for expected, part in zip(template, parts, strict=True):
        if expected.startswith("{") and expected.endswith("}"):
            found[expected[1:-1]] = part
        elif expected != part:
            return None
    return found

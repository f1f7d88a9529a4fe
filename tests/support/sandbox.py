"""Start the Square sandbox server (``python -m square_sandbox``) for a test and talk to its admin API.

with sandbox(locations=3, orders_per_day=40, seed=7, start_date=date(2026, 10, 1),
             now=datetime(2026, 10, 20, 12, tzinfo=UTC)) as square:
    client = Square(token=square.token, base_url=square.base_url)
    square.advance(timedelta(days=2))
    square.ground_truth(date(2026, 10, 5))["days"]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.support.processes import REPO_ROOT, free_port, running

TOKEN = "sandbox-token"


def _rfc3339(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"{value!r} needs a time zone")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class SandboxHandle:
    def __init__(self, base_url: str, token: str, log_path: Path) -> None:
        self.base_url = base_url
        self.token = token
        self.log_path = log_path
        self._http = httpx.Client(base_url=base_url, timeout=60)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = self._http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    # -- clock -----------------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return _parse(self._call("GET", "/_sandbox/clock")["now"])

    def set_clock(self, when: dt.datetime) -> dt.datetime:
        return _parse(self._call("POST", "/_sandbox/clock", json={"now": _rfc3339(when)})["now"])

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        return _parse(
            self._call("POST", "/_sandbox/clock", json={"advance_seconds": delta.total_seconds()})["now"]
        )

    # -- faults ----------------------------------------------------------------------------------------

    def set_faults(self, **rates) -> dict:
        """E.g. ``set_faults(rate_limited=0.2, drop_connection=0.1)``; ``set_faults()`` switches them off."""
        return self._call("POST", "/_sandbox/faults", json=rates)

    # -- reporting -------------------------------------------------------------------------------------

    def set_reporting(self, **settings) -> dict:
        """E.g. ``set_reporting(continue_wait_polls=2, freshness_lag_seconds=3600)``; no arguments: the defaults."""
        return self._call("POST", "/_sandbox/reporting", json=settings)

    # -- scopes and drift ------------------------------------------------------------------------------

    def set_scopes(self, **grants) -> dict:
        """``set_scopes(denied=["REPORTING_READ"])`` or ``set_scopes(granted=[...])``; no arguments: the start-up grants."""
        return self._call("POST", "/_sandbox/scopes", json=grants)

    def set_drift(self, catalog_object_type: str | None = None) -> dict:
        """Put an object of ``catalog_object_type`` (a type clients may not know) in every catalog page."""
        return self._call("POST", "/_sandbox/drift", json={"catalog_object_type": catalog_object_type})

    # -- truth -----------------------------------------------------------------------------------------

    def ground_truth(self, date: dt.date, location_id: str | None = None) -> dict:
        """``{"as_of": ..., "days": [{location_id, date, order_count, gross_sales, ...}]}`` as of the clock."""
        params = {"date": date.isoformat()}
        if location_id:
            params["location_id"] = location_id
        return self._call("GET", "/_sandbox/ground-truth", params=params)

    def truth(self, kind: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
        """Rows for ``kind`` (orders | payments | refunds) created in [start, end) and visible as of the clock."""
        body = self._call(
            "GET", f"/_sandbox/truth/{kind}", params={"start": _rfc3339(start), "end": _rfc3339(end)}
        )
        return body[kind]


def request_page(
    client: httpx.Client, method: str, path: str, payload: dict | None, cursor: str | None
) -> httpx.Response:
    """One page of a Square listing: ``payload`` as query parameters (GET) or JSON body (POST), with ``cursor``."""
    extra = {"cursor": cursor} if cursor else {}
    if method == "GET":
        return client.get(path, params={**(payload or {}), **extra})
    return client.post(path, json={**(payload or {}), **extra})


def command(port: int, **options) -> list[str]:
    """CLI arguments for ``options`` (``orders_per_day=40`` -> ``--orders-per-day 40``, ``True`` -> a bare flag)."""
    args = [sys.executable, "-m", "square_sandbox", "--port", str(port)]
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, dt.datetime):
            args += [flag, _rfc3339(value)]
        elif isinstance(value, dt.date):
            args += [flag, value.isoformat()]
        else:
            args += [flag, str(value)]
    return args


@contextlib.contextmanager
def sandbox(**options) -> Iterator[SandboxHandle]:
    """Run the sandbox on a free loopback port until the block ends.

    Options map to CLI flags: ``locations=3, orders_per_day=40, seed=7, start_date=date, now=datetime,
    offline_share=0.02, token=..., fault_rate_limited=0.1, ...``. Small volumes keep tests fast.
    """
    defaults = {"locations": 3, "orders_per_day": 40, "seed": 7}
    options = {**defaults, **options}
    port = free_port()
    token = options.get("token", TOKEN)
    with tempfile.TemporaryDirectory(prefix="square-sandbox-") as folder:
        log_path = Path(folder) / "sandbox.log"
        env = {"PYTHONPATH": str(REPO_ROOT)}
        with running(command(port, **options), port, env=env, log_path=log_path, timeout=60):
            handle = SandboxHandle(f"http://127.0.0.1:{port}", token, log_path)
            try:
                yield handle
            finally:
                handle.close()

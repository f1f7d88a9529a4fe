"""``python -m square_sandbox``: run the local Square API server (see README.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys

from square_sandbox.clock import Clock
from square_sandbox.faults import Faults, FaultSettings
from square_sandbox.scopes import ALL_SCOPES, parse_scopes
from square_sandbox.server import Sandbox, make_server
from square_sandbox.timeutil import US_PER_DAY, InvalidTime, from_us, parse_rfc3339
from square_sandbox.world import SandboxConfig, World


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _timestamp(text: str) -> int:
    try:
        return parse_rfc3339(text)
    except InvalidTime as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _scopes(text: str) -> frozenset[str]:
    try:
        return parse_scopes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m square_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one (default 8765)")
    parser.add_argument("--token", default="sandbox-token", help="the Bearer token clients must send")
    parser.add_argument("--seed", type=int, default=42, help="all data derives from it (default 42)")
    parser.add_argument("--locations", type=int, default=5, help="stores in the chain (default 5)")
    parser.add_argument(
        "--orders-per-day", type=int, default=1500, help="about this many orders per store-day"
    )
    parser.add_argument(
        "--start-date", type=dt.date.fromisoformat, help="first business day (default: 60 days before now)"
    )
    parser.add_argument(
        "--offline-share", type=_probability, default=0.02, help="share of sales taken offline"
    )
    parser.add_argument(
        "--refund-share", type=_probability, default=0.02, help="share of sales refunded later"
    )
    parser.add_argument(
        "--now", type=_timestamp, help="simulated now, RFC 3339 (default: real time, running)"
    )
    parser.add_argument("--day-cache", type=int, default=48, help="location-days kept in memory (default 48)")
    parser.add_argument(
        "--late-cache", type=int, default=2048, help="late segments kept in memory (default 2048)"
    )
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=768,
        help="memory the cached location-days may take, about (default 768)",
    )
    parser.add_argument(
        "--reporting-lag-seconds",
        type=int,
        default=0,
        help="the Reporting API's data is this much older than the clock (default 0)",
    )
    parser.add_argument(
        "--catalog-objects", type=int, default=200, help="catalog size with its long tail (default 200)"
    )
    parser.add_argument(
        "--customers", type=int, default=0, help="customer profiles (default: 150 per location)"
    )
    parser.add_argument(
        "--scopes",
        type=_scopes,
        default=ALL_SCOPES,
        help="granted OAuth scopes, comma separated (default: all)",
    )
    faults = parser.add_argument_group("faults (probability per request)")
    faults.add_argument(
        "--fault-rate-limited", type=_probability, default=0.0, help="429 RATE_LIMITED + Retry-After"
    )
    faults.add_argument("--fault-server-error", type=_probability, default=0.0, help="500 or 503")
    faults.add_argument(
        "--fault-slow", type=_probability, default=0.0, help="answer after --fault-slow-seconds"
    )
    faults.add_argument("--fault-slow-seconds", type=float, default=2.0)
    faults.add_argument(
        "--fault-drop-connection", type=_probability, default=0.0, help="close without answering"
    )
    faults.add_argument(
        "--fault-invalid-cursor", type=_probability, default=0.0, help="reject a valid cursor"
    )
    faults.add_argument(
        "--fault-permanent-failure", action="store_true", help="every Square call fails with 500"
    )
    faults.add_argument(
        "--fault-retry-after", type=int, default=1, help="Retry-After seconds on 429 (default 1)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    clock = Clock(args.now)
    start_date = args.start_date or from_us(clock.now() - 60 * US_PER_DAY).date()
    try:
        config = SandboxConfig(
            seed=args.seed,
            locations=args.locations,
            orders_per_day=args.orders_per_day,
            start_date=start_date,
            offline_share=args.offline_share,
            refund_share=args.refund_share,
            day_cache_size=args.day_cache,
            late_cache_size=args.late_cache,
            cache_mb=args.cache_mb,
            catalog_objects=args.catalog_objects,
            customers=args.customers,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    faults = Faults(
        FaultSettings(
            rate_limited=args.fault_rate_limited,
            server_error=args.fault_server_error,
            slow=args.fault_slow,
            slow_seconds=args.fault_slow_seconds,
            drop_connection=args.fault_drop_connection,
            invalid_cursor=args.fault_invalid_cursor,
            permanent_failure=args.fault_permanent_failure,
            retry_after_seconds=args.fault_retry_after,
        ),
        seed=args.seed,
    )
    sandbox = Sandbox(World(config), clock, faults, args.token, args.reporting_lag_seconds, args.scopes)
    server = make_server(sandbox, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"Square sandbox listening on http://{host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

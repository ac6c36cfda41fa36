"""`python -m bench.emulator --port 0 --seed 1 ...`: serve a synthetic org until SIGTERM or SIGINT.

The first stdout line is JSON: {"url", "api_v3_url", "org", "now", "seed", ...sizes}.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from .cli import add_world_arguments, world_config_from
from .graphql_api import github_schema
from .seed import generate_world
from .server import EmulatorSettings, start_in_thread


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    add_world_arguments(parser)
    limits = parser.add_argument_group("rate limits and faults")
    limits.add_argument("--core-limit", type=int, default=5_000, help="core requests per window (1 hour)")
    limits.add_argument("--search-limit", type=int, default=30, help="search requests per window (1 minute)")
    limits.add_argument("--graphql-limit", type=int, default=5_000, help="GraphQL points per window (1 hour)")
    limits.add_argument(
        "--reset-seconds", type=float, default=None, help="one window length for both budgets"
    )
    limits.add_argument(
        "--fail-rate", type=float, default=0.0, help="share of requests answered 502 (seeded)"
    )
    limits.add_argument(
        "--secondary-limit-every",
        type=int,
        default=0,
        help="every Nth API request gets a secondary-limit 403 with retry-after: 1",
    )
    return parser


def settings_from(args: argparse.Namespace) -> EmulatorSettings:
    return EmulatorSettings(
        core_limit=args.core_limit,
        search_limit=args.search_limit,
        reset_seconds=args.reset_seconds,
        fail_rate=args.fail_rate,
        secondary_limit_every=args.secondary_limit_every,
        fault_seed=args.seed,
        graphql_limit=args.graphql_limit,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    world = generate_world(world_config_from(args))
    running = start_in_thread(world, settings_from(args), args.host, args.port)
    # GitHub's schema takes seconds to build: built now, not on the first query.
    threading.Thread(target=github_schema, name="graphql-schema", daemon=True).start()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    info = {
        "url": running.url,
        "api_v3_url": f"{running.url}/api/v3",
        **running.emulator.info(),
        "startup_seconds": round(time.perf_counter() - started, 3),
    }
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

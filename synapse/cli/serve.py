"""``synapse serve``: run the local backend in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

COMMAND = "serve"


def _positive(text: str) -> int:
    """An argparse type: a whole number >= 1 (a page size of 0 makes no pages)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``serve`` subcommand to the top-level parser."""
    parser = subparsers.add_parser(
        COMMAND,
        help="run a local Synapse backend (SQLite) in the foreground",
        description="Run the local Synapse backend on this machine until interrupted (Ctrl-C or SIGTERM).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--db", default=None, help="SQLite file that keeps the data (default: in memory)")
    parser.add_argument("--token", default="devtoken", help="access token clients must send (default: devtoken)")
    parser.add_argument("--data-dir", default=None, help="folder for uploaded files (default: next to --db)")
    parser.add_argument("--page-size", type=_positive, default=100, help="default page size (default: 100)")
    parser.add_argument(
        "--max-page-size", type=_positive, default=1000, help="largest page a page_size request gets (default: 1000)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--seed", action="store_true", help="load the sample dataset when the store is empty")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from ..testing.server import LocalBackend

    backend = LocalBackend(
        db=args.db,
        token=args.token,
        host=args.host,
        port=args.port,
        page_size=args.page_size,
        max_page_size=args.max_page_size,
        latency=args.latency,
        data_dir=args.data_dir,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            backend.start()
        except OSError as exc:
            print(f"synapse {COMMAND}: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        if args.seed and backend.count("projects") == 0:
            backend.seed_sample()
        print(f"Synapse local backend listening on {backend.url}", flush=True)
        print(f"Token: {backend.token}", flush=True)
        print(f"Data: {args.db or 'in memory'} (files in {backend.data_dir})", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
        print("Stopping.", flush=True)
        return 0
    finally:
        backend.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

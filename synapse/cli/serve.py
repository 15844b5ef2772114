"""``synapse serve``: run the local backend in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import textwrap
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from .common import guarded, local_backend_class

if TYPE_CHECKING:
    from synapse.testing import LocalBackend

COMMAND = "serve"
WIDTH = 100


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
        epilog='Needs the server extra: pip install "synapse-orm[server]".',
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
    return guarded(COMMAND, lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    backend = local_backend_class()(
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
        seeded = backend.seed_sample() if args.seed and backend.count("projects") == 0 else None
        print(f"Synapse local backend listening on {backend.url}", flush=True)
        print(f"Token: {backend.token}", flush=True)
        print(f"Data: {args.db or 'in memory'} (files in {backend.data_dir})", flush=True)
        if args.seed:
            print("", textwrap.fill(seed_report(backend, seeded), WIDTH), sep="\n", flush=True)
        print(f"\nConnect with: export SYNAPSE_BASE_URL={backend.url} SYNAPSE_API_TOKEN={backend.token}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
        print("Stopping.", flush=True)
        return 0
    finally:
        backend.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def seed_report(backend: LocalBackend, ids: dict[str, Any] | None) -> str:
    """One paragraph on what ``--seed`` loaded (counts per family, the ids to start from), or why it did not."""
    if ids is None:
        return (
            f"--seed: the store already holds data ({_count(backend, 'projects', 'project')}, "
            f"{_count(backend, 'tasks', 'task')}), so no sample data was added."
        )
    project = backend.get("projects", ids["project"]) or {}
    collection = backend.get("data_collections", ids["data_collection"]) or {}
    plugin = backend.get("plugins", ids["plugin"]) or {}
    return (
        f"Sample data: project {ids['project']} ({project.get('name')!r}) with {_count(backend, 'tasks', 'task')} "
        f"({_count(backend, 'task_tags', 'task tag')}, {_count(backend, 'assignments', 'assignment')}); "
        f"data collection {ids['data_collection']} ({collection.get('name')!r}) with "
        f"{_count(backend, 'data_units', 'data unit')} over {_count(backend, 'data_files', 'data file')}; "
        f"plugin {ids['plugin']} ({plugin.get('code')!r}) with {_count(backend, 'plugin_releases', 'release')}; "
        f"agent {ids['agent']}; {_count(backend, 'storages', 'storage')}; model {ids['model']}; "
        f"ground truth dataset {ids['ground_truth_dataset']} with version {ids['ground_truth_dataset_version']} "
        f"({_count(backend, 'ground_truth_events', 'event')}). Try: Project.get({ids['project']}), "
        f"Plugin.get({plugin.get('code')!r}).run(action='train', agent={ids['agent']})."
    )


def _count(backend: LocalBackend, kind: str, noun: str) -> str:
    count = backend.count(kind)
    return f"{count} {noun}{'' if count == 1 else 's'}"

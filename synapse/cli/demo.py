"""``synapse demo``: run a realistic pipeline against an embedded backend and print what it cost.

Without ``--url`` and ``--token`` nothing leaves the machine: a ``LocalBackend`` is started in a
temporary folder (removed at exit) with a fresh random token. With both, the same pipeline
creates real objects on that backend.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from synapse import APIConnectionError, AuthenticationError, Session

from .common import Hints, check_reachable, fail, guarded, local_backend_class
from .demo_steps import DemoOptions, Pipeline

COMMAND = "demo"
FULL = DemoOptions(files=600, big_file_mib=64, chunk_mib=16, workers=8, progress=True)
QUICK = DemoOptions(files=40, big_file_mib=6, chunk_mib=2, workers=8, progress=True)
HINTS: Hints = {
    AuthenticationError: "Check --token (the demo does not read SYNAPSE_API_TOKEN)",
    APIConnectionError: "Check --url and that the backend is running",
}
NEXT_STEPS = """
Try next:
  python -m synapse shell --local   a Python prompt on a backend with sample data (-c CODE runs code)
  python -m synapse demo --help     other sizes, or --url/--token to run this on your backend
  docs/quickstart.md                the same calls, one at a time"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``demo`` subcommand to the top-level parser."""
    parser = subparsers.add_parser(
        COMMAND,
        help="run a sample pipeline against an embedded local backend",
        description=(
            "Start an embedded local backend in a temporary folder and drive a full pipeline through "
            "the object model: storage, data collection, file uploads (one big file in chunks), data units, "
            "project, tasks, annotations, tags, plugin release and run, job logs, model, ground truth. "
            "The big upload is interrupted on purpose halfway and then resumed. "
            "Prints a summary of items, bytes uploaded, requests and seconds per step. "
            'The embedded backend needs the server extra: pip install "synapse-orm[server]".'
        ),
        epilog=(
            f"Full run: {FULL.files} files plus a {FULL.big_file_mib} MiB file sent in {FULL.chunk_mib} MiB chunks. "
            f"--quick: {QUICK.files} files plus a {QUICK.big_file_mib} MiB file in {QUICK.chunk_mib} MiB chunks "
            "(still several chunks). --url and --token together run it against a real backend "
            "(it creates objects there)."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="a small, fast run (for CI)")
    parser.add_argument(
        "--files",
        type=_positive,
        metavar="N",
        help=f"small files, half PNG images and half JSON labels (default {FULL.files}, --quick {QUICK.files})",
    )
    parser.add_argument(
        "--big-file-mib",
        type=_positive,
        metavar="MIB",
        help=f"size of the big file (default {FULL.big_file_mib}, --quick {QUICK.big_file_mib})",
    )
    parser.add_argument(
        "--chunk-mib",
        type=_positive,
        metavar="MIB",
        help=f"chunk size for the big file (default {FULL.chunk_mib}, --quick {QUICK.chunk_mib})",
    )
    parser.add_argument("--workers", type=_positive, metavar="N", help="parallel uploads (default 8)")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress bars (default: when stderr is a terminal and tqdm is installed)",
    )
    parser.add_argument(
        "--url", help="run against this backend API URL instead, e.g. http://127.0.0.1:8000/api/v1 (needs --token)"
    )
    parser.add_argument("--token", help="API token for --url")
    parser.set_defaults(handler=run)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def options_from(args: argparse.Namespace) -> DemoOptions:
    base = QUICK if args.quick else FULL
    return DemoOptions(
        files=args.files or base.files,
        big_file_mib=args.big_file_mib or base.big_file_mib,
        chunk_mib=args.chunk_mib or base.chunk_mib,
        workers=args.workers or base.workers,
        progress=sys.stderr.isatty() if args.progress is None else bool(args.progress),
    )


def run(args: argparse.Namespace) -> int:
    if bool(args.url) != bool(args.token):
        return fail(COMMAND, "--url and --token go together (the demo ignores SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN)")
    return guarded(COMMAND, lambda: _run(args, options_from(args)), HINTS)


def _run(args: argparse.Namespace, options: DemoOptions) -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="synapse-demo-") as folder, _session(args, Path(folder)) as session:
        check_reachable(session)
        pipeline = Pipeline(session, Path(folder) / "work", options, lambda line: _say(session, line))
        summary = pipeline.run()
    _say(session, "")
    _say(session, summary.render())
    _say(session, f"\ndemo finished in {time.monotonic() - started:.1f}s")
    _say(session, NEXT_STEPS)
    return 0


@contextlib.contextmanager
def _session(args: argparse.Namespace, folder: Path) -> Iterator[Session]:
    """A session on the explicit backend, or on a fresh embedded one living in ``folder``."""
    if args.url:
        session = Session(args.url, api_token=args.token)
        _say(session, f"synapse demo: running against {session.base_url} (this creates objects there)")
        with session:
            yield session
        return
    with local_backend_class()(db=folder / "backend.sqlite3", token=new_token(), job_duration=1.0) as backend:
        session = Session(backend.url, api_token=backend.token)
        _say(session, f"synapse demo: embedded backend at {backend.url} (temporary folder, removed at exit)")
        with session:
            yield session
        session.close()


def new_token() -> str:
    """A throwaway token for the embedded backend (never printed)."""
    return secrets.token_urlsafe(16)


def _say(session: Session, line: str) -> None:
    print(session.redact(line), flush=True)

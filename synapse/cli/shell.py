"""``synapse shell``: an interactive Python with a connected session and every resource class.

IPython is used when it is installed and stdin is a terminal; otherwise (or with ``--plain``
or ``SYNAPSE_SHELL=plain``) the standard library's ``code.interact``, so scripted input and
CI work the same way.
"""

from __future__ import annotations

import argparse
import code
import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from .. import __version__
from ..transport.session import Session, set_default_session
from .common import check_reachable, guarded, open_session

COMMAND = "shell"

HEADER = """\
synapse {version} shell, connected to {url}{origin}
In scope: synapse, session, BackendClient{backend}, and every resource class:
  {classes}
"""

EXAMPLES = (
    ("p = Project.get({project})", "one GET; getting it again sends nothing while fresh"),
    ("p.tasks.count()", "the server's count in one request"),
    ("qs = Task.filter(project={project})", "lazy: nothing is sent until you iterate or slice"),
    ("qs[:5]", "fetches only the page it needs"),
    ("t = qs.first(); t.status; dir(t)", "fields tab-complete; dict(t.fields()) shows them all"),
    ("t.project is p", "the same object: one per id per session"),
    ("t.refresh()", "re-read from the server"),
    ("session.request_count", "requests sent so far"),
    ("with session.no_requests(): ...", "fail if the block sends anything"),
    ("help(Task)", "fields and actions of a class"),
)

FOOTER = "Exit with Ctrl-D (or exit())."


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``shell`` subcommand to the top-level parser."""
    parser = subparsers.add_parser(
        COMMAND,
        help="interactive Python with a connected session",
        description=(
            "Open an interactive Python with a connected session and every resource class imported. "
            "Connects with --url/--token, else SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN; "
            "--local starts an embedded backend loaded with sample data instead."
        ),
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--local", action="store_true", help="start an embedded local backend with sample data")
    target.add_argument("--url", help="backend API base URL (default: $SYNAPSE_BASE_URL)")
    parser.add_argument("--token", help="API token (default: $SYNAPSE_API_TOKEN)")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="use the standard Python console even when IPython is installed (also: SYNAPSE_SHELL=plain)",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    plain = bool(args.plain) or os.environ.get("SYNAPSE_SHELL", "").lower() == "plain"
    return guarded(COMMAND, lambda: _run(args, plain))


def _run(args: argparse.Namespace, plain: bool) -> int:
    if not args.local:
        return _interact(open_session(args.url, args.token), None, "", plain)
    with _local_backend() as backend:
        session = Session(backend.url, api_token=backend.token)
        return _interact(session, backend, " (embedded backend with sample data)", plain)


@contextlib.contextmanager
def _local_backend() -> Iterator[Any]:
    from ..testing import LocalBackend

    with LocalBackend() as backend:
        backend.seed_sample()
        yield backend


def _interact(session: Session, backend: Any, origin: str, plain: bool) -> int:
    try:
        check_reachable(session)
        set_default_session(session)
        namespace = _namespace(session, backend)
        banner = _cheat_sheet(session, backend, origin, namespace)
        if plain or not sys.stdin.isatty() or not _start_ipython(namespace, banner):
            _enable_completion(namespace)
            code.interact(banner=banner, local=namespace, exitmsg="")
    finally:
        set_default_session(None)
        session.close()
    return 0


def _namespace(session: Session, backend: Any) -> dict[str, Any]:
    """What the user finds in scope: the package, the session and all resource classes."""
    import synapse
    from synapse import resources
    from synapse.client import BackendClient

    namespace: dict[str, Any] = {"synapse": synapse, "session": session, "BackendClient": BackendClient}
    namespace.update({name: getattr(resources, name) for name in resources.__all__})
    if backend is not None:
        namespace["backend"] = backend
    return namespace


def _cheat_sheet(session: Session, backend: Any, origin: str, namespace: dict[str, Any]) -> str:
    classes = sorted(name for name, value in namespace.items() if isinstance(value, type) and name != "BackendClient")
    header = HEADER.format(
        version=__version__,
        url=session.base_url,
        origin=origin,
        backend=", backend (the local server)" if backend is not None else "",
        classes=_wrap(classes, width=90, indent="  "),
    )
    project = _first_project_id(namespace)
    examples = [code.format(project=project) for code, _ in EXAMPLES]
    width = max(len(line) for line in examples) + 2
    lines = [f"  {line.ljust(width)}{note}" for line, (_, note) in zip(examples, EXAMPLES, strict=True)]
    return "\n".join([header, *lines, "", FOOTER, ""])


def _first_project_id(namespace: dict[str, Any]) -> int:
    """A real project id for the examples (1 when the backend has none yet)."""
    first = namespace["Project"].all().page_size(1).first()
    return int(first.id) if first is not None and first.id is not None else 1


def _wrap(names: list[str], *, width: int, indent: str) -> str:
    lines: list[str] = []
    line = ""
    for name in names:
        piece = f"{name}, "
        if line and len(indent) + len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line.rstrip().rstrip(","))
    return f"\n{indent}".join(lines)


def _start_ipython(namespace: dict[str, Any], banner: str) -> bool:
    """Start IPython if it is installed; False means fall back to the plain console."""
    try:
        ipython = importlib.import_module("IPython")
    except ImportError:
        return False
    print(banner)
    ipython.start_ipython(argv=["--no-banner", "--no-confirm-exit"], user_ns=namespace)
    return True


def _enable_completion(namespace: dict[str, Any]) -> None:
    """Tab completion of names and attributes (fields included) in the plain console."""
    try:
        import readline
        import rlcompleter
    except ImportError:
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind("tab: complete")

"""``synapse shell``: Python with a connected session and every resource class, at a prompt or scripted.

At a prompt: IPython when it is installed and stdin is a terminal; otherwise (or with ``--plain``
or ``SYNAPSE_SHELL=plain``) the standard library's console, so piped input and CI work the same
way. ``-c CODE`` and a script path run without a prompt, as ``python -c`` and ``python script.py``
do, and exit non-zero when the code raises.
"""

from __future__ import annotations

import argparse
import code
import contextlib
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import synapse
from synapse import APIConnectionError, AuthenticationError, ConfigurationError, Session, set_default_session

from .common import EXIT_FAILURE, Hints, check_reachable, guarded, local_backend_class

COMMAND = "shell"

NO_BACKEND = (
    "no backend to connect to: pass --url URL and --token TOKEN, set SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN, "
    "or use --local for an embedded backend with sample data"
)
HINTS: Hints = {
    AuthenticationError: "Check --token (default: $SYNAPSE_API_TOKEN) for this backend",
    APIConnectionError: "Check --url (default: $SYNAPSE_BASE_URL) and that the backend is running",
}

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
        help="Python with a connected session: a prompt, -c CODE or a script",
        description=(
            "Open an interactive Python with a connected session and every resource class imported, "
            "or run -c CODE or a script in that scope. "
            "Connects with --url/--token, else SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN; "
            "--local starts an embedded backend loaded with sample data instead."
        ),
        epilog=(
            "Exit status: 1 when -c CODE or the script raised (its traceback is printed), or when input piped "
            "to the prompt raised at least once; 1 with one line on stderr when the backend cannot be reached."
        ),
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--local", action="store_true", help="start an embedded local backend with sample data (needs the server extra)"
    )
    target.add_argument(
        "--url", help="backend API URL with its prefix, e.g. http://127.0.0.1:8000/api/v1 (default: $SYNAPSE_BASE_URL)"
    )
    parser.add_argument("--token", help="API token (default: $SYNAPSE_API_TOKEN)")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="use the standard Python console even when IPython is installed (also: SYNAPSE_SHELL=plain)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-c", dest="code", metavar="CODE", help="run CODE instead of opening a prompt")
    source.add_argument("script", nargs="?", help="run this Python file instead of opening a prompt")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    plain = bool(args.plain) or os.environ.get("SYNAPSE_SHELL", "").lower() == "plain"
    return guarded(COMMAND, lambda: _run(args, plain), HINTS)


def _run(args: argparse.Namespace, plain: bool) -> int:
    if not args.local:
        return _start(_open_session(args.url, args.token), None, "", args, plain)
    with _local_backend() as backend:
        session = Session(backend.url, api_token=backend.token)
        return _start(session, backend, " (embedded backend with sample data)", args, plain)


def _open_session(url: str | None, token: str | None) -> Session:
    """A session from the options, else the ``SYNAPSE_*`` variables; a problem is told in the CLI's terms."""
    if not (url or os.environ.get("SYNAPSE_BASE_URL")):
        raise ConfigurationError(None, NO_BACKEND)
    try:
        return Session(url, api_token=token)
    except ConfigurationError as exc:
        raise ConfigurationError(None, f"bad backend URL (--url or SYNAPSE_BASE_URL): {exc.detail}") from None


@contextlib.contextmanager
def _local_backend() -> Iterator[Any]:
    with local_backend_class()() as backend:
        backend.seed_sample()
        yield backend


def _start(session: Session, backend: Any, origin: str, args: argparse.Namespace, plain: bool) -> int:
    try:
        check_reachable(session)
        set_default_session(session)
        namespace = _namespace(session, backend)
        if args.code is not None:
            return _execute(args.code, "<string>", namespace)
        if args.script is not None:
            namespace["__file__"] = args.script
            return _execute(Path(args.script).read_text(encoding="utf-8"), args.script, namespace)
        return _interact(namespace, _cheat_sheet(session, backend, origin, namespace), plain)
    finally:
        set_default_session(None)
        session.close()


def _execute(source: str, filename: str, namespace: dict[str, Any]) -> int:
    """Run code as ``python -c`` or ``python script.py`` would: its traceback and status 1 when it raises."""
    namespace["__name__"] = "__main__"
    try:
        exec(compile(source, filename, "exec"), namespace)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except Exception as exc:
        # Skip this function's frame: the traceback starts in the user's code, as Python's would.
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next if exc.__traceback__ else None)
        return EXIT_FAILURE
    return 0


def _exit_status(code: object) -> int:
    """``sys.exit(code)`` semantics: None is 0, an int is itself, anything else is printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_FAILURE


class _Console(code.InteractiveConsole):
    """The plain console, remembering whether any input raised (piped input then exits non-zero)."""

    failed = False

    def showtraceback(self) -> None:
        self.failed = True
        super().showtraceback()

    def showsyntaxerror(self, filename: str | None = None, **kwargs: Any) -> None:
        self.failed = True
        super().showsyntaxerror(filename, **kwargs)


def _interact(namespace: dict[str, Any], banner: str, plain: bool) -> int:
    """A prompt. At a terminal a mistake is part of exploring; piped input that raised exits with status 1."""
    if not plain and sys.stdin.isatty() and _start_ipython(namespace, banner):
        return 0
    _enable_completion(namespace)
    console = _Console(namespace)
    console.interact(banner=banner, exitmsg="")
    return EXIT_FAILURE if console.failed and not sys.stdin.isatty() else 0


def _namespace(session: Session, backend: Any) -> dict[str, Any]:
    """What the user finds in scope: the package, the session, BackendClient and every resource class."""
    namespace: dict[str, Any] = {"synapse": synapse, "session": session, "BackendClient": synapse.BackendClient}
    for name in synapse.__all__:
        value = getattr(synapse, name)
        if isinstance(value, type) and hasattr(value, "DoesNotExist"):  # the resource classes
            namespace[name] = value
    if backend is not None:
        namespace["backend"] = backend
    return namespace


def _cheat_sheet(session: Session, backend: Any, origin: str, namespace: dict[str, Any]) -> str:
    classes = sorted(
        name for name, value in namespace.items() if isinstance(value, type) and name not in ("BackendClient",)
    )
    header = HEADER.format(
        version=synapse.__version__,
        url=session.base_url,
        origin=origin,
        backend=", backend (the local server)" if backend is not None else "",
        classes=_wrap(classes, width=90, indent="  "),
    )
    project = _first_project_id(namespace)
    examples = [line.format(project=project) for line, _ in EXAMPLES]
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
        import IPython
    except ImportError:
        return False
    print(banner)
    IPython.start_ipython(argv=["--no-banner", "--no-confirm-exit"], user_ns=namespace)
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

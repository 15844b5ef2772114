"""What every subcommand shares: turning failures into one line, and connecting.

A command returns an exit code instead of raising, so ``main()`` stays a dispatcher and a
user never sees a traceback for an expected failure (bad option, backend down, missing extra,
Ctrl-C).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from synapse import ClientError, NotFoundError, Session

if TYPE_CHECKING:
    from synapse.testing import LocalBackend

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
MAX_MESSAGE = 400
SERVER_EXTRA = 'pip install "synapse-orm[server]"'

#: A command's own advice per error class, in place of the library's (which names Python arguments).
Hints = Mapping[type[ClientError], str]


class MissingExtra(Exception):
    """An optional dependency the command needs is not installed; the message says what to install."""


def one_line(text: str) -> str:
    """Collapse a message to one bounded line (multi-line upload reports included)."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def fail(command: str, message: str) -> int:
    """Print ``synapse <command>: error: <message>`` to stderr and return the failure code."""
    print(f"synapse {command}: error: {one_line(message)}", file=sys.stderr)
    return EXIT_FAILURE


def guarded(command: str, body: Callable[[], int], hints: Hints | None = None) -> int:
    """Run ``body``; a synapse error, an OS error, a missing extra or Ctrl-C becomes one line and an exit code.

    Session errors are already free of credentials (the session redacts them).
    """
    try:
        return body()
    except KeyboardInterrupt:
        print(f"synapse {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MissingExtra as exc:
        return fail(command, str(exc))
    except ClientError as exc:
        return fail(command, describe(exc, hints or {}))
    except OSError as exc:
        return fail(command, f"{type(exc).__name__}: {exc}")


def describe(exc: ClientError, hints: Hints) -> str:
    """``Type: message``, where a library hint is replaced by the command's hint for that error class."""
    text = str(exc)
    advice = next((hint for cls, hint in hints.items() if isinstance(exc, cls)), None)
    if advice is not None and exc.hint:
        text = text.removesuffix(f". {exc.hint}") + f". {advice}"
    return f"{type(exc).__name__}: {text}"


def local_backend_class() -> type[LocalBackend]:
    """``LocalBackend``, or :class:`MissingExtra` when the ``server`` extra (werkzeug) is not installed."""
    try:
        from synapse.testing import LocalBackend
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != "werkzeug":
            raise
        raise MissingExtra(f"the local backend needs the server extra: {SERVER_EXTRA}") from None
    return LocalBackend


def check_reachable(session: Session) -> None:
    """One quick request without retries, so a wrong URL or token fails fast and clearly."""
    try:
        session.request("GET", "projects/", params={"page_size": 1}, retries=0)
    except NotFoundError:
        raise NotFoundError(
            404,
            f"no Synapse API at {session.base_url} (GET projects/ answered 404); "
            "the URL includes the API prefix, e.g. http://127.0.0.1:8000/api/v1",
        ) from None

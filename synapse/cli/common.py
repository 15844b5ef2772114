"""What every subcommand shares: turning failures into one line, and connecting.

A command returns an exit code instead of raising, so ``main()`` stays a dispatcher and a
user never sees a traceback for an expected failure (bad option, backend down, Ctrl-C).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..errors import ClientError
from ..transport.session import Session

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
MAX_MESSAGE = 400


def one_line(text: str) -> str:
    """Collapse a message to one bounded line (multi-line upload reports included)."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def fail(command: str, message: str) -> int:
    """Print ``synapse <command>: error: <message>`` to stderr and return the failure code."""
    print(f"synapse {command}: error: {one_line(message)}", file=sys.stderr)
    return EXIT_FAILURE


def guarded(command: str, body: Callable[[], int]) -> int:
    """Run ``body``; a synapse error, an OS error or Ctrl-C becomes one line and an exit code.

    Session errors are already free of credentials (the session redacts them).
    """
    try:
        return body()
    except KeyboardInterrupt:
        print(f"synapse {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ClientError as exc:
        return fail(command, f"{type(exc).__name__}: {exc}")
    except OSError as exc:
        return fail(command, f"{type(exc).__name__}: {exc}")


def open_session(url: str | None, token: str | None) -> Session:
    """A session from explicit options, else from the ``SYNAPSE_*`` variables."""
    return Session(url, api_token=token)


def check_reachable(session: Session) -> None:
    """One quick request without retries, so a wrong URL or token fails fast and clearly."""
    session.request("GET", "projects/", params={"page_size": 1}, retries=0)

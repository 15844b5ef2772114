"""``python -m synapse`` / ``synapse``: a dispatcher over the subcommands in ``synapse.cli``.

Each subcommand lives in its own module with ``register(subparsers)`` that sets a ``handler``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, cast

from . import __version__
from .cli import demo, samples, serve, shell


class OneLineParser(argparse.ArgumentParser):
    """Report a bad option in one line (no usage dump), so scripts and people see the cause."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="synapse", description="Synapse client tools.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>", parser_class=OneLineParser)
    for module in (serve, demo, shell, samples):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return int(cast(Callable[[argparse.Namespace], int], handler)(args))


if __name__ == "__main__":
    sys.exit(main())

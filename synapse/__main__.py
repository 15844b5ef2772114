"""``python -m synapse`` / ``synapse``: a dispatcher over the subcommands in ``synapse.cli``.

Each subcommand lives in its own module with ``register(subparsers)`` that sets a ``handler``
default; a module not present in this installation is simply not offered.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from typing import cast

#: Subcommand modules under ``synapse.cli``, in the order ``--help`` lists them.
SUBCOMMANDS = ("serve", "demo", "shell")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="synapse", description="Synapse client tools.")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for name in SUBCOMMANDS:
        module_name = f"synapse.cli.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(subparsers)
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

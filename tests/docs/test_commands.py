"""Every ``python -m synapse ...`` command the README and the docs show is one the CLI accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from synapse.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[2]
# Up to the end of a code span or line, a shell operator or a comment.
COMMAND = re.compile(r"(?:python -m synapse|`synapse)(?P<args>(?: [^`&|#\n]*)?)")


def documented_commands() -> list[tuple[str, list[str]]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for match in COMMAND.finditer(text):
            args = shlex.split(match["args"])
            if args:  # not the bare name in prose, nor `synapse.connect()`
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{page.relative_to(ROOT).as_posix()}:{line}", args))
    return found


COMMANDS = documented_commands()


def test_the_docs_show_every_command() -> None:
    shown = {args[0] for _, args in COMMANDS}
    assert {"serve", "demo", "shell", "samples", "--version"} <= shown


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_documented_command_parses(where: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:  # --version, --help
        assert exc.code == 0, capsys.readouterr().err

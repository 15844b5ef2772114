"""Every command explains itself, and bad options fail with a clear message and a non-zero code."""

from __future__ import annotations

import pytest

from synapse.__main__ import main

COMMANDS = ("serve", "demo", "shell", "samples")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_explains_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: synapse {command}")
    assert "--help" in out and "options:" in out


def test_top_level_help_lists_my_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in COMMANDS)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--bogus"], "unrecognized arguments: --bogus"),
        (["demo", "--files", "0"], "argument --files: expected a positive integer, got '0'"),
        (["shell", "--local", "--url", "http://x"], "argument --url: not allowed with argument --local"),
        (["shell", "-c", "print(1)", "script.py"], "argument script: not allowed with argument -c"),
    ],
)
def test_bad_options_fail_clearly(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("synapse") and f": error: {message}" in lines[0]
    assert "Traceback" not in err

"""Every command explains itself, and bad options fail with a clear message and a non-zero code."""

from __future__ import annotations

import pytest

from synapse.__main__ import SUBCOMMANDS, main


@pytest.mark.parametrize("command", SUBCOMMANDS)
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
    assert "demo" in out and "shell" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--bogus"], "unrecognized arguments: --bogus"),
        (["demo", "--files", "0"], "argument --files: expected a positive integer, got '0'"),
        (["shell", "--local", "--url", "http://x"], "argument --url: not allowed with argument --local"),
    ],
)
def test_bad_options_fail_clearly(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("synapse") and last.endswith(f": error: {message}")
    assert "Traceback" not in err

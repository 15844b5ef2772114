"""``synapse samples``: the files the docs upload, written where asked, never over the reader's own."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from synapse.__main__ import main


def test_writes_the_docs_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "new" / "folder"
    assert main(["samples", str(folder)]) == 0
    assert capsys.readouterr().out == f"wrote 18 example files (3.0 MiB) in {folder}\n"
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == sorted(
        [
            "cat.png",
            "cat.json",
            "dog.png",
            "scan.ppm",
            "plugin.zip",
            "model.zip",
            *(f"images/{i:03d}.png" for i in range(12)),
        ]
    )
    images = [folder / "cat.png", folder / "dog.png", *sorted((folder / "images").glob("*.png"))]
    assert all(path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for path in images)
    assert len({path.read_bytes() for path in images}) == len(images)  # distinct files, distinct MD5s
    assert json.loads((folder / "cat.json").read_text()) == {"label": "cat"}
    assert (folder / "scan.ppm").read_bytes().startswith(b"P6\n")
    assert (folder / "scan.ppm").stat().st_size > 3 * 1024 * 1024 - 4096  # several 1 MiB chunks
    for archive in ("plugin.zip", "model.zip"):
        assert zipfile.ZipFile(folder / archive).testzip() is None


def test_existing_files_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cat.png").write_bytes(b"my own cat")
    assert main(["samples", str(tmp_path)]) == 0
    assert capsys.readouterr().out.endswith("; kept 1 that already existed\n")
    assert (tmp_path / "cat.png").read_bytes() == b"my own cat"
    assert main(["samples", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"wrote 0 example files (0) in {tmp_path}; kept 18 that already existed\n"


def test_default_folder_is_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["samples"]) == 0
    assert (tmp_path / "images" / "011.png").is_file()


def test_a_folder_that_is_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("")
    assert main(["samples", str(tmp_path / "taken")]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("synapse samples: error: ")

"""The repository holds no leftovers of a merge: no conflict markers in code, tests, docs or config."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("synapse", "tests", "docs", "benchmarks", "README.md", "pyproject.toml", "mkdocs.yml", ".ci")
MARKERS = ("<<<<<<< ", ">>>>>>> ", "||||||| ")


def test_no_conflict_markers() -> None:
    found = []
    for entry in CHECKED:
        path = ROOT / entry
        files = (
            [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        )
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            found += [
                f"{file.relative_to(ROOT)}:{n}"
                for n, line in enumerate(text.splitlines(), 1)
                if line.startswith(MARKERS)
            ]
    assert found == []

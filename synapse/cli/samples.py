"""``synapse samples [DIR]``: write the files the documentation examples upload.

The docs name ``cat.png``, ``images/*.png``, ``scan.ppm``... relative to the folder they run in;
this makes them (also from Python, with :func:`write_example_files`), so every page runs as
written in an empty folder. Existing files are kept: they may be the reader's own.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from .common import guarded
from .sample_data import WRITE_BLOCK, model_archive, plugin_archive, png_bytes, write_scan
from .summary import human_bytes

COMMAND = "samples"
IMAGES = 12


def _png(size: int, seed: int) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(png_bytes(size, size, seed))


def _makers() -> dict[str, Callable[[Path], object]]:
    """Relative path -> how to write it."""
    makers: dict[str, Callable[[Path], object]] = {
        "cat.png": _png(32, 1),
        "cat.json": lambda path: path.write_text(json.dumps({"label": "cat"})),
        "dog.png": _png(32, 2),
    }
    for index in range(IMAGES):
        makers[f"images/{index:03d}.png"] = _png(24, 100 + index)
    makers["scan.ppm"] = lambda path: write_scan(path, 3 * WRITE_BLOCK)  # 3 MiB: several 1 MiB chunks
    makers["plugin.zip"] = lambda path: plugin_archive(path, "image-tools", "1.0.0")
    makers["model.zip"] = lambda path: model_archive(path, "classifier")
    return makers


def write_example_files(folder: str | Path = ".") -> list[Path]:
    """Write the docs' example files into ``folder`` and return those written; existing files are kept."""
    written = []
    for name, make in _makers().items():
        path = Path(folder) / name
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
        written.append(path)
    return written


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``samples`` subcommand to the top-level parser."""
    parser = subparsers.add_parser(
        COMMAND,
        help="write the example files the docs upload (cat.png, images/, scan.ppm...)",
        description=(
            "Write the files the documentation examples upload into a folder: cat.png, cat.json, dog.png, "
            f"images/000.png to images/{IMAGES - 1:03d}.png, scan.ppm (3 MiB), plugin.zip and model.zip. "
            "Files that already exist are kept."
        ),
    )
    parser.add_argument("folder", nargs="?", default=".", help="where to write them (default: the current folder)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    return guarded(COMMAND, lambda: _run(Path(args.folder)))


def _run(folder: Path) -> int:
    written = write_example_files(folder)
    kept = len(_makers()) - len(written)
    size = human_bytes(sum(path.stat().st_size for path in written))
    note = f"; kept {kept} that already existed" if kept else ""
    print(f"wrote {len(written)} example files ({size}) in {folder}{note}")
    return 0

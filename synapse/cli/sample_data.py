"""Synthetic sample files for the demo and the documentation examples (``synapse samples``).

Everything is generated (small gradient PNGs, JSON labels, a raw PPM scan, zip archives of
JSON/Markdown), so nothing is downloaded and nothing looks like code, an executable or a secret.
"""

from __future__ import annotations

import json
import os
import random
import struct
import zipfile
import zlib
from pathlib import Path

LABELS = ("cat", "dog", "bird", "car", "tree")
WRITE_BLOCK = 1 << 20


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A valid RGB PNG: a diagonal gradient tinted by ``seed`` (every seed gives other bytes)."""
    tint = random.Random(seed)
    r0, g0, b0 = tint.randrange(256), tint.randrange(256), tint.randrange(256)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes(((r0 + x * 4) % 256, (g0 + y * 4) % 256, (b0 + x + y) % 256))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows)))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_image_pairs(folder: Path, count: int, *, size: int = 48) -> list[tuple[Path, Path]]:
    """``count`` (image, label JSON) pairs named ``sample_0000.png`` / ``sample_0000.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    pairs = []
    for index in range(count):
        image = folder / f"sample_{index:04d}.png"
        image.write_bytes(png_bytes(size, size, index))
        label = folder / f"sample_{index:04d}.json"
        label.write_text(json.dumps({"label": LABELS[index % len(LABELS)], "source": "synthetic", "index": index}))
        pairs.append((image, label))
    return pairs


def write_scan(path: Path, nbytes: int) -> Path:
    """A binary PPM image of about ``nbytes`` bytes of noise (too big for one multipart POST)."""
    width = 4096
    height = max(1, nbytes // (width * 3))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(f"P6\n{width} {height}\n255\n".encode())
        remaining = width * height * 3
        while remaining:
            block = min(WRITE_BLOCK, remaining)
            out.write(os.urandom(block))
            remaining -= block
    return path


def write_archive(path: Path, members: dict[str, str]) -> Path:
    """A zip of text members (configuration, notes): what a plugin or model package carries."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def plugin_archive(path: Path, code: str, version: str) -> Path:
    config = {"name": code, "code": code, "version": version, "actions": {"train": {}, "export": {}}}
    return write_archive(path, {"config.json": json.dumps(config, indent=2), "README.md": f"# {code}\n"})


def model_archive(path: Path, name: str) -> Path:
    weights = {"layers": [{"name": f"dense_{i}", "shape": [16, 16]} for i in range(4)], "classes": list(LABELS)}
    return write_archive(
        path, {"model.json": json.dumps({"name": name, "format": "json-weights"}), "weights.json": json.dumps(weights)}
    )

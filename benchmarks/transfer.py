"""Benchmarks that run in fresh subprocesses or move files: memory, upload, many, import.

* ``memory``: peak RSS growth while iterating N tasks, each N in a fresh process; the growth
  for the large N minus the growth for the small N must stay under 10 MB (memory is flat).
* ``upload``: one big file through ``chunked_upload`` against plain ``requests`` doing the same
  protocol (read, md5, PUT each chunk, POST the md5); throughput ratio and peak RSS growth.
* ``many``: ``upload_many`` of small files with 10 ms latency, ``workers=8`` against ``workers=1``.
* ``import``: ``from synapse import Task, DataFile, BackendClient`` against ``import requests, pydantic``,
  both from compiled bytecode.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.backend import ROOT, ServerProcess, child_env, run_probe
from benchmarks.common import Config, timed
from benchmarks.report import Row, Sample, ratios

MEMORY_TARGET_MB = 10.0
UPLOAD_TARGET = 0.85
UPLOAD_RSS_SLACK_MIB = 40
MANY_TARGET = 4.0
MANY_LATENCY = 0.01
MANY_FILE_BYTES = 64 * 1024
IMPORT_TARGET = 1.2
MIB = 1024 * 1024


def memory(server: ServerProcess, config: Config) -> list[Row]:
    small: list[float] = []
    large: list[float] = []
    runs = 2 if config.quick else min(config.repeats, 3)
    for _ in range(runs):
        for count, into in ((config.memory_small, small), (config.memory_large, large)):
            result = run_probe(
                "benchmarks.probe", "memory", "--url", server.url, "--token", server.token, "--count", str(count)
            )
            if result["count"] != count:
                raise RuntimeError(f"the memory probe saw {result['count']} tasks, expected {count}")
            into.append(float(result["growth_mib"]))
    difference = Sample.of([b - a for a, b in zip(small, large, strict=True)])
    return [
        Row(
            id="memory",
            what=f"peak RSS growth iterating {config.memory_large:,} vs {config.memory_small:,} tasks "
            "(fresh process each)",
            unit="MB",
            baseline=Sample.of(small),
            measured=Sample.of(large),
            compared=difference,
            compared_unit="MB",
            target_op="<=",
            target=MEMORY_TARGET_MB,
            target_text=f"<= {MEMORY_TARGET_MB:.0f} MB difference",
            note=f"baseline column = growth for {config.memory_small:,} tasks, synapse column = growth for "
            f"{config.memory_large:,}; MB = MiB.",
        )
    ]


def make_big_file(path: Path, size: int) -> None:
    """A file of ``size`` bytes: a random MiB repeated (hashing cost is the same as random data)."""
    block = os.urandom(MIB)
    with path.open("wb") as handle:
        written = 0
        while written < size:
            piece = block[: min(MIB, size - written)]
            handle.write(piece)
            written += len(piece)


def upload(server: ServerProcess, config: Config, workdir: Path) -> list[Row]:
    from synapse.transfers.uploads import CHUNK_SIZE

    path = workdir / "big.bin"
    if not path.exists() or path.stat().st_size != config.upload_bytes:
        make_big_file(path, config.upload_bytes)
    journal = workdir / "journal"
    journal.mkdir(exist_ok=True)
    common = [
        "--url",
        server.url,
        "--token",
        server.token,
        "--path",
        str(path),
        "--chunk-size",
        str(CHUNK_SIZE),
        "--journal",
        str(journal),
    ]
    base_s: list[float] = []
    ours_s: list[float] = []
    base_rss: list[float] = []
    ours_rss: list[float] = []
    runs = 2 if config.quick else max(3, min(config.repeats, 4))
    for run in range(runs):
        # Alternate the order, and start every upload with the previous one's bytes deleted and
        # flushed: otherwise the second upload of a pair pays for the first one's disk writeback.
        results: dict[str, dict[str, Any]] = {}
        for mode in ("raw", "synapse") if run % 2 == 0 else ("synapse", "raw"):
            _drop_media(server.db)
            os.sync()
            results[mode] = run_probe("benchmarks.probe", "upload", "--mode", mode, *common)
        base_s.append(results["raw"]["seconds"])
        ours_s.append(results["synapse"]["seconds"])
        base_rss.append(results["raw"]["growth_mib"])
        ours_rss.append(results["synapse"]["growth_mib"])
    _drop_media(server.db)
    size_mib = config.upload_bytes / MIB
    throughput = ratios(base_s, ours_s)  # synapse throughput / raw throughput = raw time / synapse time
    rss_limit = 2 * CHUNK_SIZE / MIB + UPLOAD_RSS_SLACK_MIB
    return [
        Row(
            id="upload/throughput",
            what=f"`chunked_upload` of one {size_mib:,.0f} MiB file ({CHUNK_SIZE // MIB} MiB chunks) "
            "vs raw requests doing the same protocol",
            unit="MiB/s",
            baseline=Sample.of([size_mib / s for s in base_s]),
            measured=Sample.of([size_mib / s for s in ours_s]),
            compared=throughput,
            target_op=">=",
            target=UPLOAD_TARGET,
            target_text=f">= {UPLOAD_TARGET:.2f}x throughput",
        ),
        Row(
            id="upload/rss",
            what="peak RSS growth during that upload (fresh process each)",
            unit="MB",
            baseline=Sample.of(base_rss),
            measured=Sample.of(ours_rss),
            compared=Sample.of(ours_rss),
            compared_unit="MB",
            target_op="<=",
            target=rss_limit,
            target_text=f"<= {rss_limit:.0f} MB (2 chunks + {UPLOAD_RSS_SLACK_MIB} MB)",
            note="MB = MiB; the baseline column is the raw loop's own growth (it builds each chunk's "
            "multipart body as one bytes object).",
        ),
    ]


def _drop_media(db: Path) -> None:
    """Delete uploaded bytes between runs so repeated 1 GiB uploads do not fill the disk."""
    media = db.parent / (db.name + ".files")
    if not media.is_dir():
        return
    for item in media.rglob("*"):
        if item.is_file() and item.stat().st_size > MIB:
            item.unlink(missing_ok=True)


def many(server: ServerProcess, config: Config, workdir: Path) -> list[Row]:
    import synapse
    from synapse.transfers.uploads import upload_many

    folder = workdir / "many"
    folder.mkdir(exist_ok=True)
    paths = []
    for index in range(config.many_files):
        path = folder / f"file-{index:05d}.bin"
        if not path.exists():
            path.write_bytes(os.urandom(MANY_FILE_BYTES))
        paths.append(path)
    serial: list[float] = []
    parallel: list[float] = []
    runs = 2 if config.quick else min(config.repeats, 3)
    for _ in range(runs):
        for workers, into in ((1, serial), (8, parallel)):
            session = synapse.Session(server.url, api_token=server.token)
            seconds, results = timed(functools.partial(upload_many, session, paths, workers=workers))
            session.close()
            if len(results) != len(paths):
                raise RuntimeError(f"upload_many returned {len(results)} results for {len(paths)} files")
            into.append(seconds)
    speedup = ratios(serial, parallel)
    return [
        Row(
            id="many",
            what=f"`upload_many` of {config.many_files:,} files of 64 KiB, {MANY_LATENCY * 1000:.0f} ms latency, "
            "workers=8 vs workers=1",
            unit="s",
            baseline=Sample.of(serial),
            measured=Sample.of(parallel),
            compared=speedup,
            target_op=">=",
            target=MANY_TARGET,
            target_text=f">= {MANY_TARGET:.0f}x faster",
            note="the checked value is the speed-up, workers=1 time / workers=8 time.",
        )
    ]


def _import_time(statement: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], env=env, cwd=ROOT, check=True)
    return time.perf_counter() - started


def _bytecode_env(cache: Path) -> dict[str, str]:
    """A child environment that keeps compiled bytecode, in ``cache`` rather than the source tree.

    pip compiles an installed package once; without a cache (``PYTHONDONTWRITEBYTECODE``) every
    run would compile our source again while the baseline's site-packages stay compiled.
    """
    env = child_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def import_time(config: Config) -> list[Row]:
    baseline_stmt = "import requests, pydantic"
    ours_stmt = "from synapse import Task, DataFile, BackendClient"
    base: list[float] = []
    ours: list[float] = []
    with tempfile.TemporaryDirectory(prefix="synapse-bench-pyc-") as cache:
        env = _bytecode_env(Path(cache))
        _import_time(ours_stmt, env)
        _import_time(baseline_stmt, env)
        for _ in range(config.import_runs):
            base.append(_import_time(baseline_stmt, env))
            ours.append(_import_time(ours_stmt, env))
    return [
        Row(
            id="import",
            what='`python -c "from synapse import Task, DataFile, BackendClient"` vs '
            '`python -c "import requests, pydantic"` '
            f"({config.import_runs} fresh processes each)",
            unit="s",
            baseline=Sample.of(base),
            measured=Sample.of(ours),
            compared=ratios(ours, base),
            target_op="<=",
            target=IMPORT_TARGET,
            target_text=f"<= {IMPORT_TARGET:.1f}x",
            note="both sides import from compiled bytecode (a private cache warmed by one run each), "
            "as after pip install; compiling our source on every run would time the compiler.",
        )
    ]

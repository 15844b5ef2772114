"""Run every benchmark and write ``benchmarks/RESULTS.md``.

    python -m benchmarks              # full sizes, 5 runs each (about 10 minutes on 2 cores)
    python -m benchmarks --quick      # small sizes, for CI (under a minute)
    python benchmarks/run.py --only iterate,n+1 --output /tmp/results.md

The local backend is started in a separate process for each latency setting (see
``benchmarks.backend``), seeded through ``LocalBackend.seed`` in a child process beforehand.
Benchmarks run one at a time; a benchmark that fails still leaves its rows in the table,
marked NOT RUN with the reason.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCHMARK_IDS = (
    "import",
    "iterate",
    "prefetch",
    "n+1",
    "memory",
    "upload",
    "many",
    "frames",
    "dask-read",
    "dask-upload",
)

#: The rows each benchmark writes (so a failing one still shows up), with their targets.
ROWS: dict[str, list[tuple[str, str, str]]] = {
    "iterate": [
        (f"iterate/{size}/{kind}", f"`Task.all()` {kind}, page_size {size}", target)
        for size in (100, 1000)
        for kind, target in (("objects", "<= 1.10x"), ("values", "<= 1.00x"))
    ],
    "prefetch": [("prefetch", "`Task.all()` with 20 ms latency", "<= 0.50x")],
    "memory": [("memory", "peak RSS growth, large vs small walk", "<= 10 MB difference")],
    "n+1": [
        ("n+1/lazy", "`task.project` of 1,000 tasks", "<= 10 requests"),
        ("n+1/expand", "same with expand", "0 extra requests"),
    ],
    "upload": [
        ("upload/throughput", "chunked upload throughput", ">= 0.85x"),
        ("upload/rss", "chunked upload peak RSS", "<= 2 chunks + 40 MB"),
    ],
    "many": [("many", "upload_many workers=8 vs 1", ">= 4x faster")],
    "import": [("import", "from synapse import Task, DataFile, BackendClient vs requests+pydantic", "<= 1.2x")],
    "frames": [
        ("frames/time", "`to_pandas()` vs pd.DataFrame of a raw loop's dicts", "<= 1.2x"),
        ("frames/memory", "peak RSS growth of `to_pandas()` over the DataFrame's size", "<= 1.5x the DataFrame"),
    ],
    "dask-read": [("dask/read", "`synapse.dask.read`, 4 worker processes vs `to_pandas()`", ">= 3x faster")],
    "dask-upload": [("dask/upload", "`synapse.dask.upload_many`, 4 x 4 vs `upload_many(workers=4)`", ">= 3x faster")],
}


def all_row_ids() -> list[str]:
    return [row_id for bench in BENCHMARK_IDS for row_id, _, _ in ROWS[bench]]


def main(argv: list[str] | None = None) -> int:
    from benchmarks import listing, pipelines, transfer
    from benchmarks.backend import ServerProcess, seed_database
    from benchmarks.common import Config
    from benchmarks.report import Row, console, not_run, write_markdown

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and fewer runs (CI)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per benchmark (default 5, quick 3)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(BENCHMARK_IDS)}")
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    parser.add_argument("--workdir", type=Path, default=None, help="keep databases and files here")
    args = parser.parse_args(argv)

    selected = [b for b in args.only.split(",") if b] or list(BENCHMARK_IDS)
    unknown = [b for b in selected if b not in BENCHMARK_IDS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARK_IDS)}")
    config = Config.make(args.quick, args.repeat)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="synapse-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows: list[Row] = []

    def run(bench: str, fn: Callable[[], list[Row]]) -> None:
        if bench not in selected:
            return
        print(f"-- {bench}", flush=True)
        began = time.perf_counter()
        try:
            produced = fn()
        except Exception as exc:
            traceback.print_exc()
            reason = f"{type(exc).__name__}: {exc}".replace("|", "/").replace("\n", " ")[:200]
            produced = [not_run(row_id, what, reason, target) for row_id, what, target in ROWS[bench]]
        rows.extend(produced)
        print(console(produced), flush=True)
        print(f"   ({time.perf_counter() - began:.1f} s)", flush=True)

    tasks_db = workdir / f"tasks-{config.tasks}.db"
    memory_db = workdir / f"tasks-{config.memory_large}.db"
    files_db = workdir / "files.db"
    frames_db = workdir / f"tasks-{config.frame_tasks}.db"
    try:
        run("import", lambda: transfer.import_time(config))
        if {"iterate", "n+1", "prefetch"} & set(selected) and not tasks_db.exists():
            print(f"seeding {config.tasks:,} tasks: {seed_database(tasks_db, config.tasks):.1f} s", flush=True)

        def with_server(db: Path, latency: float, fn: Callable[[ServerProcess], list[Row]]) -> Callable[[], list[Row]]:
            def go() -> list[Row]:
                with ServerProcess(db, latency=latency) as server:
                    return fn(server)

            return go

        run("iterate", with_server(tasks_db, 0.0, lambda s: listing.iterate(s, config)))
        run("n+1", with_server(tasks_db, 0.0, lambda s: listing.n_plus_one(s, config)))
        run("prefetch", with_server(tasks_db, listing.PREFETCH_LATENCY, lambda s: listing.prefetch(s, config)))
        if "memory" in selected and not memory_db.exists():
            took = seed_database(memory_db, config.memory_large)
            print(f"seeding {config.memory_large:,} tasks: {took:.1f} s", flush=True)
        run("memory", with_server(memory_db, 0.0, lambda s: transfer.memory(s, config)))
        run("upload", with_server(files_db, 0.0, lambda s: transfer.upload(s, config, workdir)))
        run("many", with_server(files_db, transfer.MANY_LATENCY, lambda s: transfer.many(s, config, workdir)))
        if "frames" in selected and not frames_db.exists():
            took = seed_database(frames_db, config.frame_tasks)
            print(f"seeding {config.frame_tasks:,} tasks: {took:.1f} s", flush=True)
        run("frames", with_server(frames_db, 0.0, lambda s: pipelines.frames(s, config)))
        if "dask-read" in selected and not tasks_db.exists():
            print(f"seeding {config.tasks:,} tasks: {seed_database(tasks_db, config.tasks):.1f} s", flush=True)
        read_latency = pipelines.READ_LATENCY
        run("dask-read", with_server(tasks_db, read_latency, lambda s: pipelines.dask_read(s, config, workdir)))
        upload_latency = pipelines.UPLOAD_LATENCY
        run("dask-upload", with_server(files_db, upload_latency, lambda s: pipelines.dask_upload(s, config, workdir)))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    elapsed = time.perf_counter() - started
    sizes = {
        "tasks": f"{config.tasks:,}",
        "memory walks": f"{config.memory_small:,} / {config.memory_large:,} tasks",
        "upload": f"{config.upload_bytes // (1024 * 1024):,} MiB",
        "many": f"{config.many_files:,} files x 64 KiB",
        "frames": f"{config.frame_tasks:,} tasks",
    }
    write_markdown(
        args.output,
        rows,
        mode="quick" if config.quick else "full",
        sizes=sizes,
        repeats=config.repeats,
        elapsed=elapsed,
    )
    print(f"\nwrote {args.output} ({elapsed:.0f} s)")
    return 0 if all(row.error is None for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

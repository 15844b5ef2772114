"""Pipeline benchmarks: frames, and dask reads and uploads on a ``LocalCluster`` of worker processes.

* ``frames``: ``Task.all().to_pandas()`` against ``pd.DataFrame`` of the dicts a raw ``requests``
  loop kept (same page size, 1000); time ratio, then in fresh processes the peak RSS growth of
  ``to_pandas()`` over the DataFrame's own size (arrays plus the Python objects of its object
  columns, counted once).
* ``dask-read``: ``synapse.dask.read`` on 4 worker processes (one thread each, one partition each)
  against ``to_pandas()`` in one process, 20 ms of server latency, page_size 100.
* ``dask-upload``: ``synapse.dask.upload_many`` of 64 KiB files on 4 workers x 4 threads against
  ``collection.upload_many(workers=4)`` in one process, 10 ms of latency; fresh files and a fresh
  collection for every run, so no run finds the previous one's uploads.

Workers find the backend through a ``SessionSpec`` (URL, and the name of the variable holding the
token); the benchmark process sets that variable before the cluster starts its workers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.backend import ServerProcess, run_probe
from benchmarks.common import Config, list_path, models, timed
from benchmarks.report import Row, Sample, ratios

FRAMES_TIME_TARGET = 1.2
FRAMES_MEMORY_TARGET = 1.5
FRAMES_PAGE_SIZE = 1000
READ_TARGET = 3.0
READ_LATENCY = 0.02
UPLOAD_TARGET = 3.0
UPLOAD_LATENCY = 0.01
UPLOAD_FILE_BYTES = 64 * 1024
TOKEN_VARIABLE = "BENCH_SYNAPSE_TOKEN"


def _frame_probe(server: ServerProcess, mode: str) -> dict[str, Any]:
    return run_probe("benchmarks.frames_probe", "--mode", mode, "--url", server.url, "--token", server.token)


def frames(server: ServerProcess, config: Config) -> list[Row]:
    import pandas as pd

    import synapse
    from benchmarks.frames_probe import raw_rows

    task_model, _ = models()
    url = f"{server.url}/{list_path(task_model)}"
    session = synapse.Session(server.url, api_token=server.token)
    query = task_model.all().using(session).page_size(FRAMES_PAGE_SIZE)
    query.to_pandas(columns=["id"])  # warm up both sides
    raw_rows(url, server.headers, FRAMES_PAGE_SIZE)
    base: list[float] = []
    ours: list[float] = []
    for _ in range(config.repeats):
        seconds, frame = timed(lambda: pd.DataFrame(raw_rows(url, server.headers, FRAMES_PAGE_SIZE)))
        base.append(seconds)
        rows = len(frame)
        del frame
        seconds, frame = timed(query.to_pandas)
        ours.append(seconds)
        if len(frame) != rows or rows != config.frame_tasks:
            raise RuntimeError(
                f"to_pandas() gave {len(frame)} rows, the raw loop {rows}, expected {config.frame_tasks}"
            )
        del frame
    session.close()
    peaks: list[float] = []
    sizes: list[float] = []
    held: list[float] = []
    raw_peaks: list[float] = []
    for _ in range(1 if config.quick else 2):
        raw_peaks.append(_frame_probe(server, "raw")["peak_mib"])
        probe = _frame_probe(server, "synapse")
        peaks.append(probe["peak_mib"])
        sizes.append(probe["deep_mib"])
        held.append(probe["held_mib"])
    return [
        Row(
            id="frames/time",
            what=f"`Task.all().to_pandas()` of {config.frame_tasks:,} tasks vs `pd.DataFrame` of a raw requests "
            f"loop's dicts (page_size {FRAMES_PAGE_SIZE})",
            unit="s",
            baseline=Sample.of(base),
            measured=Sample.of(ours),
            compared=ratios(ours, base),
            target_op="<=",
            target=FRAMES_TIME_TARGET,
            target_text=f"<= {FRAMES_TIME_TARGET:.1f}x",
        ),
        Row(
            id="frames/memory",
            what="peak RSS growth of that `to_pandas()` over the DataFrame's size (fresh process each)",
            unit="MB",
            baseline=Sample.of(sizes),
            measured=Sample.of(peaks),
            compared=ratios(peaks, sizes),
            target_op="<=",
            target=FRAMES_MEMORY_TARGET,
            target_text=f"<= {FRAMES_MEMORY_TARGET:.1f}x the DataFrame",
            note=f"MB = MiB. Baseline column = the DataFrame's own size (arrays plus the Python objects its object "
            f"columns hold, each counted once), synapse column = peak RSS growth while building it; the RSS the "
            f"DataFrame still holds afterwards is {Sample.of(held).median:.0f} MiB (Python's allocator overhead on "
            f"those objects), so the peak is the frame itself. The raw loop (all dicts, then `pd.DataFrame`) peaks at "
            f"{Sample.of(raw_peaks).median:.0f} MiB for the same rows.",
        ),
    ]


@contextmanager
def _cluster(server: ServerProcess, workdir: Path, workers: int, threads: int) -> Iterator[Any]:
    """A LocalCluster whose worker processes get the token variable and a cache folder of their own."""
    from distributed import Client, LocalCluster

    saved = {name: os.environ.get(name) for name in (TOKEN_VARIABLE, "SYNAPSE_CACHE_DIR")}
    os.environ[TOKEN_VARIABLE] = server.token
    os.environ["SYNAPSE_CACHE_DIR"] = str(workdir / "cache")
    try:
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=threads, processes=True, dashboard_address=None, silence_logs=40
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dask_read(server: ServerProcess, config: Config, workdir: Path) -> list[Row]:
    import synapse
    import synapse.dask
    from synapse.transport.spec import SessionSpec

    task_model, _ = models()
    workers = 4
    spec = SessionSpec(server.url, token_env=TOKEN_VARIABLE)
    session = synapse.Session(server.url, api_token=server.token)
    query = task_model.all().using(session).page_size(100)
    single: list[float] = []
    spread: list[float] = []
    wide: list[float] = []
    with _cluster(server, workdir, workers, 1) as client:
        client.compute(synapse.dask.read(query, npartitions=workers, session_spec=spec)).result()  # warm up workers
        for _ in range(2 if config.quick else config.repeats):
            seconds, frame = timed(query.to_pandas)
            single.append(seconds)
            rows = len(frame)
            del frame
            wide.append(timed(query.prefetch(4 * workers).to_pandas)[0])
            seconds, frame = timed(
                lambda: client.compute(synapse.dask.read(query, npartitions=workers, session_spec=spec)).result()
            )
            spread.append(seconds)
            if len(frame) != rows or rows != config.tasks:
                raise RuntimeError(f"the dask read gave {len(frame)} rows, to_pandas() {rows}, expected {config.tasks}")
            del frame
    session.close()
    return [
        Row(
            id="dask/read",
            what=f"`synapse.dask.read` on {workers} worker processes vs `to_pandas()` in one, {config.tasks:,} tasks, "
            f"page_size 100, {READ_LATENCY * 1000:.0f} ms latency",
            unit="s",
            baseline=Sample.of(single),
            measured=Sample.of(spread),
            compared=ratios(single, spread),
            target_op=">=",
            target=READ_TARGET,
            target_text=f">= {READ_TARGET:.0f}x faster",
            note="the checked value is the speed-up, single-process time / dask time (planning, reading and "
            "gathering the frame in the caller included; cluster start-up excluded). For scale: one process with "
            f"as many pages in flight as the cluster ({4 * workers}) takes {Sample.of(wide).median:.2f} s here; "
            "the backend and the workers share this machine's cores.",
        )
    ]


def _fresh_items(folder: Path, count: int) -> list[dict[str, Any]]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    items = []
    for index in range(count):
        path = folder / f"file-{index:05d}.bin"
        path.write_bytes(os.urandom(UPLOAD_FILE_BYTES))
        items.append({"files": {"image": str(path)}, "meta": {"index": index}})
    return items


def dask_upload(server: ServerProcess, config: Config, workdir: Path) -> list[Row]:
    import synapse
    import synapse.dask
    from synapse.resources.data import DataCollection
    from synapse.transport.spec import SessionSpec

    workers, threads = (4, 4) if not config.quick else (2, 2)
    spec = SessionSpec(server.url, token_env=TOKEN_VARIABLE)
    session = synapse.Session(server.url, api_token=server.token)
    specs = [{"name": "image", "is_required": True, "is_primary": True, "file_type": "image"}]
    single: list[float] = []
    spread: list[float] = []
    wide: list[float] = []
    with _cluster(server, workdir, workers, threads) as client:
        for run in range(2 if config.quick else min(config.repeats, 3)):
            for mode, into in (("single", single), ("dask", spread), ("wide", wide)):
                items = _fresh_items(workdir / "dask-files", config.many_files)
                collection = DataCollection.create(name=f"{mode} {run}", file_specifications=specs, session=session)
                count = 4 if mode == "single" else workers * threads

                def upload(c: Any = collection, i: Any = items, n: int = count, how: str = mode) -> list[Any]:
                    if how != "dask":
                        return list(c.upload_many(i, workers=n))
                    return list(synapse.dask.upload_many(c, i, client=client, session_spec=spec))

                seconds, units = timed(upload)
                if len(units) != len(items):
                    raise RuntimeError(f"{mode} upload created {len(units)} units for {len(items)} items")
                into.append(seconds)
    session.close()
    return [
        Row(
            id="dask/upload",
            what=f"`synapse.dask.upload_many` of {config.many_files:,} files of 64 KiB on {workers} workers x "
            f"{threads} threads vs `upload_many(workers=4)` in one process, {UPLOAD_LATENCY * 1000:.0f} ms latency",
            unit="s",
            baseline=Sample.of(single),
            measured=Sample.of(spread),
            compared=ratios(single, spread),
            target_op=">=",
            target=UPLOAD_TARGET,
            target_text=f">= {UPLOAD_TARGET:.0f}x faster",
            note="the checked value is the speed-up, single-process time / dask time (cluster start-up excluded). "
            f"For scale: one process with `workers={workers * threads}` takes {Sample.of(wide).median:.2f} s here; "
            "the backend and the workers share this machine's cores.",
        )
    ]

"""Listing benchmarks: iterate, prefetch and n+1.

* ``iterate``: ``for t in Task.all()`` (and ``.values()``) over every task, page sizes 100 and
  1000, against a raw ``requests`` loop over the same pages (decode, follow ``next``).
* ``prefetch``: the same walk with 20 ms of server latency per request; the client fetches
  numbered pages ahead, so it should need well under the sequential loop's time.
* ``n+1``: ``task.project`` for 1,000 tasks spread over 10 projects, counting requests.
"""

from __future__ import annotations

import itertools
from typing import Any

from benchmarks.backend import ServerProcess
from benchmarks.common import Config, list_path, models, raw_walk, timed
from benchmarks.report import Row, Sample, ratios

ITERATE_TARGET = 1.10
VALUES_TARGET = 1.00
PREFETCH_TARGET = 0.5
PREFETCH_LATENCY = 0.02
OBJECTS_NOTE = (
    "objects rows: pages are downloaded as bytes on worker threads (6 ahead) and built one page at "
    "a time where they are consumed: pydantic-core validates the page's bytes into Task objects "
    "(about 2.4 us per row against 2.0 for json.loads of the same rows), the rows share one state "
    "object, the identity map takes the page in one bulk update, and the garbage collector stays "
    "paused while pages follow each other quickly (one collection per 50 ms instead of one per page)."
)


def _session(server: ServerProcess) -> Any:
    import synapse

    return synapse.Session(server.url, api_token=server.token)


def _walk_objects(server: ServerProcess, page_size: int, values: bool) -> int:
    task_model, _ = models()
    count = 0
    with _session(server) as session:
        query = task_model.all().using(session).page_size(page_size)
        if values:
            query = query.values()
        for _task in query:
            count += 1
        session.close()
    return count


def _compare(server: ServerProcess, config: Config, page_size: int, values: bool) -> tuple[Sample, Sample, Sample]:
    """Interleaved runs: baseline, synapse, baseline, synapse ..."""
    task_model, _ = models()
    url = f"{server.url}/{list_path(task_model)}"
    base: list[float] = []
    ours: list[float] = []
    for _ in range(config.repeats):
        seconds, count = timed(lambda: raw_walk(url, server.headers, {"page_size": page_size}))
        if count != config.tasks:
            raise RuntimeError(f"the raw loop saw {count} tasks, expected {config.tasks}")
        base.append(seconds)
        seconds, count = timed(lambda: _walk_objects(server, page_size, values))
        if count != config.tasks:
            raise RuntimeError(f"synapse yielded {count} tasks, expected {config.tasks}")
        ours.append(seconds)
    return Sample.of(base), Sample.of(ours), ratios(ours, base)


def iterate(server: ServerProcess, config: Config) -> list[Row]:
    rows = []
    for page_size in (100, 1000):
        for values in (False, True):
            # One warm-up walk so neither side pays first-touch costs (imports, SQLite cache).
            raw_walk(f"{server.url}/{list_path(models()[0])}", server.headers, {"page_size": page_size})
            _walk_objects(server, page_size, values)
            base, ours, ratio = _compare(server, config, page_size, values)
            target = VALUES_TARGET if values else ITERATE_TARGET
            kind = "values()" if values else "objects"
            note = "" if values or page_size != 100 else OBJECTS_NOTE
            rows.append(
                Row(
                    id=f"iterate/{page_size}/{'values' if values else 'objects'}",
                    what=f"`Task.all()` {kind}, {config.tasks:,} tasks, page_size {page_size} vs raw requests loop",
                    unit="s",
                    baseline=base,
                    measured=ours,
                    compared=ratio,
                    target_op="<=",
                    target=target,
                    target_text=f"<= {target:.2f}x",
                    note=note,
                )
            )
    return rows


def prefetch(server: ServerProcess, config: Config) -> list[Row]:
    base, ours, ratio = _compare(server, config, 100, False)
    return [
        Row(
            id="prefetch",
            what=f"`Task.all()` objects, {config.tasks:,} tasks, page_size 100, "
            f"{PREFETCH_LATENCY * 1000:.0f} ms latency vs raw sequential loop",
            unit="s",
            baseline=base,
            measured=ours,
            compared=ratio,
            target_op="<=",
            target=PREFETCH_TARGET,
            target_text=f"<= {PREFETCH_TARGET:.2f}x",
        )
    ]


def n_plus_one(server: ServerProcess, config: Config) -> list[Row]:
    """Requests sent to read ``.project`` of the first 1,000 tasks (10 projects)."""
    task_model, _ = models()
    lazy: list[float] = []
    expanded: list[float] = []
    wanted = 1000
    for _ in range(config.repeats):
        with _session(server) as session:
            tasks = list(itertools.islice(task_model.all().using(session).page_size(wanted), wanted))
            before = session.request_count
            projects = {task.project.id for task in tasks}
            lazy.append(session.request_count - before)
            session.close()
        if len(tasks) != wanted or len(projects) != 10:
            raise RuntimeError(f"expected {wanted} tasks over 10 projects, got {len(tasks)} over {len(projects)}")
        with _session(server) as session:
            query = task_model.all().using(session).page_size(wanted).expand("project")
            tasks = list(itertools.islice(query, wanted))
            before = session.request_count
            projects = {task.project.id for task in tasks}
            expanded.append(session.request_count - before)
            session.close()
    naive = Sample.of([float(wanted)])
    return [
        Row(
            id="n+1/lazy",
            what=f"`task.project` of {wanted:,} tasks over 10 projects (baseline: one GET per task)",
            unit="req",
            baseline=naive,
            measured=Sample.of(lazy),
            compared=Sample.of(lazy),
            compared_unit="req",
            target_op="<=",
            target=10,
            target_text="<= 10 requests",
        ),
        Row(
            id="n+1/expand",
            what='same with `.expand("project")` (extra requests after the list)',
            unit="req",
            baseline=naive,
            measured=Sample.of(expanded),
            compared=Sample.of(expanded),
            compared_unit="req",
            target_op="<=",
            target=0,
            target_text="0 extra requests",
        ),
    ]

"""Peak memory of building one DataFrame of every task, in a fresh process: ``python -m benchmarks.frames_probe``.

Prints one JSON object: rows, seconds, ``peak_mib`` (peak RSS growth while building), ``held_mib``
(RSS growth still held with the DataFrame alive, after a collection) and ``deep_mib`` (the
DataFrame's own size: its arrays plus every Python object its object columns reach, counted once).
``--mode raw`` is the baseline: a plain ``requests`` loop keeping every row's dict, then
``pd.DataFrame(rows)``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from typing import Any

import requests

from benchmarks.probe import MIB, PeakMeter, _current_rss


def raw_rows(url: str, headers: dict[str, str], page_size: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with requests.Session() as http:
        reply = http.get(url, params={"page_size": page_size}, headers=headers, timeout=60)
        while True:
            reply.raise_for_status()
            body = json.loads(reply.content)
            rows.extend(body["results"])
            if not body.get("next"):
                return rows
            reply = http.get(body["next"], headers=headers, timeout=60)


def deep_size(frame: Any) -> int:
    """Bytes of the frame's arrays, plus each distinct Python object its object columns reach."""
    total = int(frame.memory_usage(index=True, deep=False).sum())
    seen: set[int] = set()
    stack = [value for name in frame.columns if frame[name].dtype == object for value in frame[name].array]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        total += sys.getsizeof(value)
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    strings = [name for name in frame.columns if frame[name].dtype != object]
    return (
        total
        + int(frame[strings].memory_usage(index=False, deep=True).sum())
        - int(frame[strings].memory_usage(index=False, deep=False).sum())
    )


def measure(mode: str, url: str, token: str, page_size: int) -> dict[str, Any]:
    import pandas as pd

    import synapse
    from benchmarks.common import list_path, models

    task_model, project_model = models()
    session = synapse.Session(url, api_token=token)
    project_model.all().using(session).to_pandas()  # warm up: lazy imports, the connection, the parsers
    pd.DataFrame(raw_rows(f"{url}/{list_path(project_model)}", {"Synapse-Access-Token": f"Token {token}"}, 10))
    meter = PeakMeter()
    meter.start()
    started = time.perf_counter()
    if mode == "raw":
        headers = {"Synapse-Access-Token": f"Token {token}"}
        frame = pd.DataFrame(raw_rows(f"{url}/{list_path(task_model)}", headers, page_size))
    else:
        frame = task_model.all().using(session).page_size(page_size).to_pandas()
    seconds = time.perf_counter() - started
    peak = meter.growth_mib()
    gc.collect()
    held = (_current_rss() - meter.before) / MIB
    return {
        "rows": len(frame),
        "seconds": seconds,
        "peak_mib": peak,
        "held_mib": held,
        "deep_mib": deep_size(frame) / MIB,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.frames_probe")
    parser.add_argument("--mode", choices=("raw", "synapse"), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.mode, args.url, args.token, args.page_size)), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()

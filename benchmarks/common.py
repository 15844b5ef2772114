"""Helpers shared by the benchmark modules: timing, fresh sessions, the raw baseline loop."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests


@dataclass(frozen=True)
class Config:
    """Sizes and repeat counts for one runner invocation."""

    quick: bool
    repeats: int
    tasks: int
    memory_small: int
    memory_large: int
    upload_bytes: int
    many_files: int
    import_runs: int
    frame_tasks: int

    @classmethod
    def make(cls, quick: bool, repeats: int | None) -> Config:
        if quick:
            return cls(
                quick=True,
                repeats=repeats or 3,
                tasks=5_000,
                memory_small=2_000,
                memory_large=20_000,
                upload_bytes=64 * 1024 * 1024,
                many_files=200,
                import_runs=5,
                frame_tasks=5_000,
            )
        return cls(
            quick=False,
            repeats=repeats or 5,
            tasks=50_000,
            memory_small=10_000,
            memory_large=100_000,
            upload_bytes=1024 * 1024 * 1024,
            many_files=2_000,
            import_runs=15,
            frame_tasks=200_000,
        )


def models() -> tuple[type[Any], type[Any]]:
    """``(Task, Project)`` from the library, or ImportError when the resources are missing."""
    import synapse

    task = getattr(synapse, "Task", None)
    project = getattr(synapse, "Project", None)
    if task is None or project is None:
        from synapse.resources.projects import Project
        from synapse.resources.tasks import Task

        return Task, Project
    return task, project


def list_path(model: type[Any]) -> str:
    return str(model._meta.list_path)


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Collect before a timed run so garbage from the previous run is not charged to this one."""
    gc.collect()
    yield


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    with quiet_gc():
        started = time.perf_counter()
        result = fn()
        return time.perf_counter() - started, result


def raw_walk(url: str, headers: dict[str, str], params: dict[str, Any]) -> int:
    """The baseline: a plain ``requests`` loop that decodes each page and follows ``next``."""
    count = 0
    with requests.Session() as http:
        reply = http.get(url, params=params, headers=headers, timeout=60)
        while True:
            reply.raise_for_status()
            body = json.loads(reply.content)
            for _item in body["results"]:
                count += 1
            following = body.get("next")
            if not following:
                return count
            reply = http.get(following, headers=headers, timeout=60)

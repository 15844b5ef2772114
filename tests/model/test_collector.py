"""Walks pause the garbage collector only briefly and never leave it off."""

from __future__ import annotations

import gc
import time

from synapse import Project, Task
from synapse.orm._gc import HOLD_LIMIT
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import seed_tasks


def test_a_finished_walk_leaves_the_collector_on(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"title": "p"}])
    seed_tasks(backend, pid, 250)
    assert sum(1 for _ in Task.filter(project=pid).page_size(100)) == 250
    assert gc.isenabled()


def test_an_abandoned_walk_gives_the_collector_back_within_the_limit(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"title": "p"}])
    seed_tasks(backend, pid, 250)
    walk = iter(Task.filter(project=pid).page_size(100))
    next(walk)  # the caller stops in the middle of a page and keeps the walk suspended
    time.sleep(HOLD_LIMIT * 4)
    assert gc.isenabled(), "a suspended walk must not keep the collector paused"
    assert next(walk).id is not None
    del walk


def test_a_program_that_turned_the_collector_off_keeps_it_off(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"title": "p"}])
    seed_tasks(backend, pid, 150)
    gc.disable()
    try:
        assert len([task for task in Task.filter(project=pid)]) == 150
        assert Project.get(pid).title == "p"
        assert not gc.isenabled()
    finally:
        gc.enable()

"""Partitions: every item exactly once at the page size the server serves, checked pages, no secrets in pickles."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import cloudpickle
import pytest

from synapse import (
    ConfigurationError,
    IncompleteListingError,
    InvalidInputError,
    ListingChangedWarning,
    Session,
    Task,
)
from synapse.testing import LocalBackend
from synapse.transport.spec import SessionSpec

from ._common import requests_to, seed_tasks

READ_IN_CHILD = """
import pickle, sys
part = pickle.loads(open(sys.argv[1], "rb").read())
print(",".join(str(task.id) for task in part))
"""


def _ids_in_child(part: object, tmp_path: Path, env: dict[str, str]) -> list[int]:
    """Iterate a pickled partition in a fresh interpreter with only ``env`` for its settings."""
    path = tmp_path / f"part-{id(part)}.pickle"
    path.write_bytes(pickle.dumps(part))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    done = subprocess.run(
        [sys.executable, "-c", READ_IN_CHILD, str(path)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout.strip()
    return [int(value) for value in text.split(",")] if text else []


@pytest.mark.parametrize("n", [1, 3, 4, 20])
def test_partitions_yield_every_item_once_at_the_served_page_size(each: LocalBackend, n: int) -> None:
    seed_tasks(each, 1050)
    ids = [task.id for task in Task.all().order_by("id")]
    each.clear_log()
    parts = Task.all().partitions(n)
    assert len(parts) == n
    assert len(requests_to(each, "GET", "sdk/tasks/")) == 1, "one request plans them"
    served = 1000 if each.state.max_page_size >= 1000 else 100
    assert {part.size for part in parts} == {served}
    each.clear_log()
    read = [task.id for part in parts for task in part]
    assert read == ids
    assert sum(part.count() for part in parts) == 1050
    pages = requests_to(each, "GET", "sdk/tasks/")
    assert all(page.query["page_size"] == [str(served)] for page in pages)
    assert len(pages) == -(-1050 // served), "each page read once, empty partitions send nothing"


def test_partitions_keep_filters_ordering_and_mode(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 120)
    seed_tasks(backend, 30, is_discarded=True)
    query = Task.filter(is_discarded=True).order_by("-id").page_size(7)
    parts = query.partitions(3)
    assert [t.id for part in parts for t in part] == [t.id for t in query]
    values = [row["id"] for part in parts for row in part.values()]
    assert values == [t.id for t in query]
    assert "ordering=-id" in parts[0].describe()
    assert "ordering=id" in Task.all().partitions(1)[0].describe(), "without an ordering, partitions order by id"


def test_an_empty_listing_gives_empty_partitions(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"title": "empty"}])
    parts = Task.filter(project=pid).partitions(3)
    assert [list(part) for part in parts] == [[], [], []]
    assert [part.count() for part in parts] == [0, 0, 0]


def test_a_pickled_partition_carries_no_token_and_reads_in_another_process(
    backend: LocalBackend, tmp_path: Path
) -> None:
    seed_tasks(backend, 250)
    secret = backend.token
    session = Session(backend.url, api_token=secret)
    parts = Task.all().using(session).page_size(100).partitions(2)
    for part in parts:
        assert secret.encode() not in pickle.dumps(part)
        assert secret.encode() not in cloudpickle.dumps(part)
        assert secret not in repr(part)
    env = {"SYNAPSE_BASE_URL": backend.url, "SYNAPSE_API_TOKEN": secret}
    read = [i for part in parts for i in _ids_in_child(part, tmp_path, env)]
    assert read == [t.id for t in Task.all().using(session).order_by("id")]


def test_a_session_spec_names_the_token_variable_not_the_token(
    backend: LocalBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PIPELINE_TOKEN", raising=False)
    seed_tasks(backend, 30)
    session = Session(backend.url, api_token=backend.token)
    spec = SessionSpec(backend.url, token_env="PIPELINE_TOKEN", options={"max_retries": 1})
    [part] = Task.all().using(session).partitions(1, session_spec=spec)
    assert backend.token.encode() not in pickle.dumps(part)
    assert len(_ids_in_child(part, tmp_path, {"PIPELINE_TOKEN": backend.token})) == 30
    copy = pickle.loads(pickle.dumps(part))
    with pytest.raises(ConfigurationError, match=r"\$PIPELINE_TOKEN"):
        list(copy)


def test_session_specs_refuse_credentials(backend: LocalBackend) -> None:
    with pytest.raises(InvalidInputError, match="credentials"):
        SessionSpec(backend.url, options={"api_token": backend.token})
    with pytest.raises(InvalidInputError, match="password"):
        SessionSpec("https://user:hunter2@example.com/api")
    with pytest.raises(InvalidInputError, match="environment variable"):
        SessionSpec(backend.url, token_env="not a name")


def test_a_changed_count_warns_or_raises_in_strict_mode(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 250)
    parts = Task.all().page_size(100).partitions(3)
    strict = Task.all().page_size(100).strict().partitions(3)
    seed_tasks(backend, 1)
    with pytest.warns(ListingChangedWarning, match="250 items then, 251"):
        list(parts[1])
    with pytest.raises(IncompleteListingError, match="changed"):
        list(strict[0])


def test_a_page_that_disagrees_with_the_plan_raises(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 250)
    parts = Task.all().page_size(100).partitions(3)
    page = {"count": 250, "next": None, "previous": None, "results": [{"id": 1}]}
    backend.faults.add("sdk/tasks/", method="GET", status=200, body=page, times=1)
    with pytest.raises(IncompleteListingError, match="page 2 of 3 held 1 items"):
        list(parts[1])


def test_a_page_gone_since_planning_raises(backend: LocalBackend, session: Session) -> None:
    ids = seed_tasks(backend, 250)
    parts = Task.all().page_size(100).partitions(3)
    for pk in ids[:100]:
        Task.get(pk).delete()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ListingChangedWarning)
        with pytest.raises(IncompleteListingError, match="404"):
            list(parts[2])


def test_partitions_refuse_what_would_change_their_items(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 10)
    [part] = Task.all().partitions(1)
    with session.no_requests():
        for change in (
            lambda: part.filter(is_discarded=True),
            lambda: part.order_by("-id"),
            lambda: part.page_size(5),
            lambda: part.with_params(x=1),
            lambda: part[0],
            lambda: part.first(),
            lambda: part.partitions(2),
        ):
            with pytest.raises(InvalidInputError):
                change()
        assert "pages 1..1" in repr(part) and len(part) == 10
    assert part.values().only("id").prefetch(1).count() == 10
    assert part.to_pandas(columns=["id"])["id"].tolist() == [t.id for t in Task.all().order_by("id")]


def test_partition_frames_keep_their_place_in_the_listing(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 250)
    parts = Task.all().page_size(100).partitions(3)
    frames = [part.to_pandas(columns=["id"]) for part in parts]
    assert [frame.index[0] for frame in frames] == [0, 100, 200]
    assert [len(frame) for frame in frames] == [100, 100, 50]


def test_bad_partition_counts_are_refused(session: Session) -> None:
    with session.no_requests():
        for n in (0, -1, 1.5, True):
            with pytest.raises(InvalidInputError, match="positive int"):
                Task.all().partitions(n)  # type: ignore[arg-type]

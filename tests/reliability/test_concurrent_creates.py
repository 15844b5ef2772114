"""Creating objects from many threads while the server drops connections after it has processed them.

A POST that lost its answer must not be retried (the server may have acted), so no object is
ever created twice, and every call either returns its object or raises ResponseIncompleteError.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from synapse import Project
from synapse.errors import ResponseIncompleteError
from synapse.testing import LocalBackend
from synapse.testing.store import Query
from synapse.transport.session import Session

CALLS = 500
THREADS = 16


def test_concurrent_creates_under_dropped_answers_are_never_duplicated(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    backend.faults.add(
        "projects/", method="POST", status=None, drop_connection="after", times=None, probability=0.1, name="drop-after"
    )
    backend.faults.add("projects/", method="POST", status=503, times=None, probability=0.1, name="503")
    session = make_session(max_retries=8, pool_maxsize=THREADS)

    def create(n: int) -> tuple[str, str]:
        name = f"project-{n}"
        try:
            project = Project.create(name=name, session=session)
        except ResponseIncompleteError:
            return name, "incomplete"
        assert project.id is not None and project.name == name
        return name, "created"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = dict(pool.map(create, range(CALLS)))

    kinds = Counter(outcomes.values())
    stored = Counter(row["name"] for row in backend.store.find("projects", Query()))
    assert kinds["incomplete"] > 0 and kinds["created"] > 0
    assert max(stored.values()) == 1, "a retried POST created a duplicate"
    assert set(stored) == set(outcomes), "every reported call, and only those, created an object"
    assert sum(stored.values()) == kinds["created"] + kinds["incomplete"] == CALLS
    dropped = [r for r in backend.requests if r.fault == "drop-after"]
    assert len(dropped) == kinds["incomplete"]

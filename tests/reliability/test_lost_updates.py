"""An answer never rolls an object back: edits made while a save is in flight survive its reply,
and a slow refresh that answers after a newer save does not undo it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from synapse import Project
from synapse.testing import LocalBackend
from synapse.transport.session import Session


def test_an_edit_made_while_save_is_in_flight_stays_dirty_and_is_sent_next(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    session = make_session(timeout={"connect": 1, "read": 5, "total": 10})
    project = Project.create(title="first", session=session)
    backend.faults.add("projects/*", method="PATCH", delay=0.3, status=None, times=1)
    project.title = "second"
    saving = threading.Thread(target=project.save)
    saving.start()
    backend.wait_for_request("PATCH", rf"projects/{project.id}/", timeout=5)
    project.title = "third"  # edited while the PATCH carrying "second" is on its way
    saving.join(timeout=10)
    assert project.title == "third", "the reply did not overwrite the newer local edit"
    assert project.changed_fields() == {"title"}, "the newer edit is still unsaved"
    project.save()
    stored = backend.get("projects", project._require_id())  # type: ignore[arg-type]
    assert stored is not None and stored["title"] == "third"
    patches = [r for r in backend.requests if r.method == "PATCH"]
    assert len(patches) == 2


def test_a_refresh_answered_after_a_newer_save_does_not_roll_the_object_back(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    session = make_session(timeout={"connect": 1, "read": 5, "total": 10})
    project = Project.create(title="old", session=session)
    backend.faults.add("projects/*", method="GET", delay=0.3, status=None, times=1)
    refreshing = threading.Thread(target=project.refresh)
    refreshing.start()
    backend.wait_for_request("GET", rf"projects/{project.id}/", timeout=5)  # the GET read "old" first...
    project.title = "new"
    project.save()  # ...then the save answered
    refreshing.join(timeout=10)
    assert project.title == "new" and not project.is_dirty
    stored = backend.get("projects", project._require_id())  # type: ignore[arg-type]
    assert stored is not None and stored["title"] == "new"

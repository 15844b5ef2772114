"""Work done in upload pools still counts inside the caller's request guards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from synapse import RequestBudgetExceeded, UploadError
from synapse.transfers.uploads import upload_many
from synapse.transport.session import Session


def test_parallel_uploads_are_counted_by_expect_requests(session: Session, make_file: Callable[..., Path]) -> None:
    paths = [make_file(10, name=f"f{i}.bin", seed=i) for i in range(3)]
    with session.expect_requests(3):
        upload_many(session, paths, workers=3)


def test_no_requests_guard_stops_pool_uploads(session: Session, make_file: Callable[..., Path]) -> None:
    path = make_file(10)
    with session.no_requests(), pytest.raises(UploadError) as info:
        upload_many(session, [path], workers=2)
    assert isinstance(info.value.failures[0].error, RequestBudgetExceeded)

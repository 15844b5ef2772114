"""The request log sees a request when it arrives; tests wait for one instead of sleeping."""

from __future__ import annotations

import threading
import time

import pytest

from synapse.testing.server import LocalBackend

from ._api import Api


def test_a_slow_request_is_logged_before_it_is_answered(api: Api, backend: LocalBackend) -> None:
    backend.faults.add("projects/", method="POST", status=None, delay=0.5, times=1)
    sender = threading.Thread(target=api.post, args=("projects/",), kwargs={"json": {"name": "slow"}})
    started = time.monotonic()
    sender.start()
    arrived = backend.wait_for_request("POST", r"projects/", timeout=5)
    assert time.monotonic() - started < 0.4
    assert arrived.status is None and not arrived.finished and backend.count("projects") == 0
    done = backend.wait_for_request("POST", r"projects/", timeout=5, finished=True)
    assert done is arrived and done.status == 201 and backend.count("projects") == 1
    sender.join(timeout=5)


def test_wait_for_request_matches_the_whole_path_and_times_out(api: Api, backend: LocalBackend) -> None:
    api.get("projects/")
    assert backend.wait_for_request("get", r"projects/", timeout=0.1).status == 200
    with pytest.raises(TimeoutError, match="POST"):
        backend.wait_for_request("POST", r"projects/", timeout=0.1)
    with pytest.raises(TimeoutError):
        backend.wait_for_request("GET", r"projects", timeout=0.1)

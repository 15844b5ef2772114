"""Watching jobs at the prompt: console lines as they arrive (each once), progress, and stopping."""

from __future__ import annotations

import time
from typing import Any

import pytest

from synapse import BadRequestError, InvalidInputError, Job, JobStatus, ListingChangedWarning, Plugin
from synapse.testing import LocalBackend
from synapse.transport.session import Session
from tests.model._common import requests_to


@pytest.fixture
def trainer(backend: LocalBackend, session: Session) -> Plugin:
    backend.seed_sample(tasks=1)
    return Plugin.get("sample-trainer")


def running_job(backend: LocalBackend, *lines: str) -> Job:
    """A RUNNING job nobody drives but the test (the local runner only moves jobs it started)."""
    (jid,) = backend.seed("jobs", [{"status": "RUNNING", "action": "train", "progress_record": {}}])
    job = Job.get(jid)
    if lines:
        job.update(console_logs=[{"message": line} for line in lines])
    return job


def test_follow_prints_each_line_once_as_it_arrives(
    backend: LocalBackend, session: Session, trainer: Plugin, capsys: pytest.CaptureFixture[str]
) -> None:
    job = trainer.run(action="train", agent=1, params={})
    assert isinstance(job, Job)
    assert job.follow(timeout=10, poll=0.02) is job
    assert job.succeeded
    printed = capsys.readouterr().out.splitlines()
    assert (
        printed
        == job.log_lines()
        == ["Job started", "Running action train", "Half of the work is done", "Job finished"]
    )
    assert len(requests_to(backend, "GET", f"jobs/{job.id}/console_logs/")) > 2, "the log was listed on every poll"


def test_lines_that_arrive_between_polls_and_with_the_last_status_are_each_passed_once(
    backend: LocalBackend, session: Session
) -> None:
    job = running_job(backend, "line 0")
    received: list[tuple[str, JobStatus | None]] = []

    def agent(line: str) -> None:
        """Receives each line, and (as the job's agent) writes the next one; the 4th also ends the job."""
        received.append((line, job.status))
        n = len(received)
        if n < 4:
            session.request("PATCH", job.api_url(), json={"console_logs": [{"message": f"line {n}"}]})
        elif n == 4:
            ending = [{"message": "line 4"}, {"message": "done"}]
            session.request("PATCH", job.api_url(), json={"console_logs": ending, "status": "SUCCEEDED"})

    job.wait(timeout=10, poll=0.01, logs=agent)
    assert [line for line, _ in received] == ["line 0", "line 1", "line 2", "line 3", "line 4", "done"]
    assert all(status == JobStatus.RUNNING for _, status in received[:4]), "lines came while the job ran"
    assert received[-1][1] == JobStatus.SUCCEEDED, "the last lines were read after the final status"


def test_a_rewritten_log_prints_only_what_is_new_and_warns(backend: LocalBackend, session: Session) -> None:
    job = running_job(backend, "a", "b", "c")
    records = job.console_logs()
    received: list[str] = []

    def agent(line: str) -> None:
        received.append(line)
        if line == "c":  # the job ends; its log is now served from a copy that kept only the last lines
            kept = {"count": 3, "next": None, "previous": None, "results": [*records[1:], {"message": "d"}]}
            backend.faults.add(f"jobs/{job.id}/console_logs/", method="GET", status=200, times=None, body=kept)
            session.request("PATCH", job.api_url(), json={"status": "SUCCEEDED"})

    with pytest.warns(ListingChangedWarning, match="lines may be repeated or missing"):
        job.wait(timeout=10, poll=0.01, logs=agent)
    assert received == ["a", "b", "c", "d"]


def test_a_shortened_log_prints_nothing_again_and_warns(backend: LocalBackend, session: Session) -> None:
    job = running_job(backend, "a", "b", "c")
    records = job.console_logs()
    received: list[str] = []

    def agent(line: str) -> None:
        received.append(line)
        if line == "c":  # the job ends; its stored log lost the last line
            kept = {"count": 2, "next": None, "previous": None, "results": records[:2]}
            backend.faults.add(f"jobs/{job.id}/console_logs/", method="GET", status=200, times=None, body=kept)
            session.request("PATCH", job.api_url(), json={"status": "SUCCEEDED"})

    with pytest.warns(ListingChangedWarning):
        job.wait(timeout=10, poll=0.01, logs=agent)
    assert received == ["a", "b", "c"]


def test_wait_reports_progress_from_the_progress_record(
    backend: LocalBackend, session: Session, trainer: Plugin
) -> None:
    reports: list[tuple[int, int]] = []
    job = trainer.run(action="train", agent=1, params={})
    assert isinstance(job, Job)
    job.wait(timeout=10, poll=0.02, progress=lambda done, total: reports.append((done, total)))
    assert reports and reports[-1] == (100, 100)
    assert [done for done, _ in reports] == sorted({done for done, _ in reports}), "never backwards, never twice"
    assert job.progress_percent == 100.0


@pytest.mark.parametrize(
    ("record", "percent"),
    [
        ({"record": {"percent": 40}, "current_progress": {"overall": 42.5, "time_remaining": 3}}, 42.5),
        ({"percent": 5}, 5.0),
        ({"current_progress": {"overall": None}}, None),
        ({"p": 1}, None),
        ({}, None),
        (None, None),
        ({"percent": True}, None),
        ({"percent": 250}, 100.0),
    ],
)
def test_progress_percent_reads_the_shapes_jobs_report(record: Any, percent: float | None) -> None:
    assert Job(progress_record=record).progress_percent == percent


def test_stop_stops_a_pending_job(backend: LocalBackend, session: Session, trainer: Plugin) -> None:
    job = trainer.run(action="train", agent=1, params={})
    assert isinstance(job, Job)
    assert job.stop() is job
    assert job.status == JobStatus.STOPPED and job.is_finished and job.finished is not None
    time.sleep(0.3)  # longer than the job would have run
    assert job.refresh().status == JobStatus.STOPPED
    assert job.log_lines() == ["Job stopped"]


def test_a_finished_job_cannot_be_stopped(backend: LocalBackend, session: Session, trainer: Plugin) -> None:
    job = trainer.run(action="train", agent=1, params={})
    assert isinstance(job, Job)
    job.wait(timeout=10, poll=0.02)
    backend.clear_log()
    with pytest.raises(BadRequestError, match="cannot be stopped") as info:
        job.stop()
    assert info.value.status_code == 400
    assert info.value.field_errors == {"status": ["transition SUCCEEDED -> STOPPED is not allowed"]}
    assert len(requests_to(backend, "PATCH", f"jobs/{job.id}/")) == 1
    assert job.status == JobStatus.SUCCEEDED and job.refresh().status == JobStatus.SUCCEEDED


def test_stop_with_a_stale_status_is_decided_by_the_backend(backend: LocalBackend, session: Session) -> None:
    job = running_job(backend)
    backend.store.update("jobs", int(str(job.id)), {"status": "FAILED"})  # it ended since we last looked
    with pytest.raises(BadRequestError, match="transition FAILED -> STOPPED"):
        job.stop()
    assert job.refresh().status == JobStatus.FAILED


def test_each_poll_is_one_get_of_the_job_and_one_of_its_log(backend: LocalBackend, session: Session) -> None:
    job = running_job(backend)
    backend.store.update("jobs", int(str(job.id)), {"status": "SUCCEEDED"})  # ends before the first poll
    with session.expect_requests(3):  # the log, then one poll: the job, the log (read after the end)
        job.follow(timeout=5, poll=0.01)
    assert job.succeeded


def test_wrong_watch_options_are_refused_before_any_request(backend: LocalBackend, session: Session) -> None:
    job = running_job(backend)
    with session.no_requests():
        for options in ({"logs": "yes"}, {"progress": "bar"}, {"poll": 0}):
            with pytest.raises(InvalidInputError):
                job.wait(timeout=1, **options)

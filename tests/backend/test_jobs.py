"""Jobs move PENDING -> RUNNING -> SUCCEEDED (or FAILED on request) with console logs and progress;
a running job can be stopped, a finished one cannot change its status."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from synapse.testing.server import LocalBackend

from ._api import Api


def wait_for(api: Api, job_id: int, statuses: set[str], timeout: float = 2.5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"jobs/{job_id}/").json()
        if job["status"] in statuses:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached {statuses}")


def test_job_succeeds_with_logs(api: Api, sample: dict[str, Any]) -> None:
    job = api.post(f"plugins/{sample['plugin']}/run/", json={"action": "train", "params": {}}).json()
    assert job["status"] == "PENDING" and job["started"] is None
    running = wait_for(api, job["id"], {"RUNNING", "SUCCEEDED"})
    assert running["started"]
    done = wait_for(api, job["id"], {"SUCCEEDED"})
    assert done["finished"] and done["started"] <= done["finished"]
    assert done["progress_record"]["current_progress"]["overall"] == 100
    messages = [line["message"] for line in api.get(f"jobs/{job['id']}/console_logs/").json()["results"]]
    assert messages == ["Job started", "Running action train", "Half of the work is done", "Job finished"]
    tail = api.get(f"jobs/{job['id']}/tail_console_logs/")
    assert tail.text.splitlines() == messages


def test_job_fails_on_request(api: Api, sample: dict[str, Any]) -> None:
    for params in ({"fail": True}, {"should_fail": 1}):
        job = api.post("plugins/sample-trainer/run/", json={"action": "train", "params": params}).json()
        failed = wait_for(api, job["id"], {"FAILED", "SUCCEEDED"})
        assert failed["status"] == "FAILED"
        lines = api.get(f"jobs/{job['id']}/console_logs/").json()["results"]
        assert lines[-1]["level"] == "error"


def test_stopped_job_is_not_overruled(api: Api, sample: dict[str, Any]) -> None:
    job = api.post("plugins/sample-trainer/run/", json={"action": "train"}).json()
    api.patch(f"jobs/{job['id']}/", json={"status": "STOPPED"})
    time.sleep(0.4)
    assert api.get(f"jobs/{job['id']}/").json()["status"] == "STOPPED"
    assert api.get("jobs/", params={"status": "STOPPED"}).json()["count"] == 1


def test_stopping_a_running_job_cancels_its_remaining_steps(api: Api, sample: dict[str, Any]) -> None:
    job = api.post("plugins/sample-trainer/run/", json={"action": "train"}).json()
    wait_for(api, job["id"], {"RUNNING"})
    stopped = api.patch(f"jobs/{job['id']}/", json={"status": "STOPPED"})
    assert stopped.status_code == 200 and stopped.json()["status"] == "STOPPED" and stopped.json()["finished"]
    time.sleep(0.4)  # twice the job duration: a step still planned would have run by now
    after = api.get(f"jobs/{job['id']}/").json()
    assert after["status"] == "STOPPED" and after["progress_record"]["current_progress"]["overall"] < 100
    messages = [line["message"] for line in api.get(f"jobs/{job['id']}/console_logs/").json()["results"]]
    assert messages[-1] == "Job stopped" and "Job finished" not in messages


def test_a_finished_job_keeps_its_status(api: Api, sample: dict[str, Any]) -> None:
    job = api.post("plugins/sample-trainer/run/", json={"action": "train"}).json()
    wait_for(api, job["id"], {"SUCCEEDED"})
    for status in ("STOPPED", "pending", "FAILED"):
        refused = api.patch(f"jobs/{job['id']}/", json={"status": status, "meta": {"late": True}})
        assert refused.status_code == 400
        assert refused.json() == {"status": [f"transition SUCCEEDED -> {status.upper()} is not allowed"]}
    assert api.get(f"jobs/{job['id']}/").json()["meta"] != {"late": True}, "a refused PATCH changes nothing"
    same = api.patch(f"jobs/{job['id']}/", json={"status": "SUCCEEDED", "meta": {"note": 1}})
    assert same.status_code == 200 and same.json()["meta"] == {"note": 1}
    after = api.get(f"jobs/{job['id']}/").json()
    assert after["status"] == "SUCCEEDED" and after["meta"] == {"note": 1}


def test_unfinished_jobs_resume_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    with LocalBackend(db=db, job_duration=60) as slow:
        slow.seed_sample(tasks=1)
        api = Api(slow)
        pending = api.post("plugins/sample-trainer/run/", json={"params": {}}).json()
        running = api.post("plugins/sample-trainer/run/", json={"params": {"fail": True}}).json()
        slow.store.update("jobs", running["id"], {"status": "RUNNING"})
    with LocalBackend(db=db, job_duration=0.2) as restarted:
        api = Api(restarted)
        assert wait_for(api, pending["id"], {"SUCCEEDED"})["finished"]
        assert wait_for(api, running["id"], {"FAILED"})["finished"]

"""The token never shows: not in reprs, messages, log records, pickles or the demo's output."""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from synapse import BackendClient, Project
from synapse.errors import BadRequestError, ClientError, ServerError
from synapse.testing import LocalBackend
from synapse.transfers.uploads import upload_data_file
from synapse.transport.session import Session

from ._common import TOKEN


def test_reprs_and_strs_hide_the_token(session: Session) -> None:
    client = BackendClient.from_session(session)
    project = Project.create(name="p", session=session)
    for text in (repr(session), str(session), repr(client), str(client), repr(project), repr(Project.using(session))):
        assert TOKEN not in text


@pytest.mark.parametrize(
    "body",
    [
        {"detail": f"invalid token {TOKEN}"},
        {"name": [f"echo of header Token {TOKEN}"]},
        {"errors": {"nested": [f"{TOKEN}"]}},
        f"<html><title>proxy saw {TOKEN}</title></html>",
    ],
)
def test_error_bodies_that_echo_the_token_are_redacted(backend: LocalBackend, session: Session, body: object) -> None:
    backend.faults.add("projects/", method="POST", status=400, body=body, times=1)
    with pytest.raises(BadRequestError) as caught:
        Project.create(name="p", session=session)
    error = caught.value
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error.detail)
    assert TOKEN not in repr(error.field_errors)
    assert TOKEN not in str(pickle.loads(pickle.dumps(error)))


def test_token_in_a_url_path_is_redacted_in_errors(backend: LocalBackend, session: Session) -> None:
    agent = "a" * 40
    backend.faults.add("agents/*", method="GET", status=500, times=None)
    with session.secret(agent), pytest.raises(ServerError) as caught:
        session.get(f"agents/{agent}/node_install_script/")
    assert agent not in str(caught.value)


def test_debug_logging_never_records_the_token(
    backend: LocalBackend, session: Session, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    backend.faults.add("projects/*", method="GET", status=429, retry_after=0, times=1)
    backend.faults.add("projects/*", method="GET", status=None, drop_connection="before", times=1)
    project = Project.create(name="logged", session=session)
    Project.get(project.id, session=session, refresh=True)
    backend.faults.add("projects/", method="POST", status=401, body={"detail": f"bad {TOKEN}"}, times=1)
    with pytest.raises(ClientError):
        Project.create(name="x", session=session)
    source = tmp_path / "f.txt"
    source.write_text("hello")
    upload_data_file(session, source, chunked=True, chunk_size=2)
    assert caplog.records, "DEBUG logging was on"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(record.args)


def test_pickled_resources_carry_no_token(session: Session) -> None:
    project = Project.create(name="pickled", session=session)
    project.name = "edited"
    data = pickle.dumps(project)
    assert TOKEN.encode() not in data
    with session:
        copy = pickle.loads(data)
    assert copy.name == "edited" and copy.is_dirty
    with pytest.raises(TypeError):
        pickle.dumps(session)


@pytest.mark.skipif(
    not os.path.exists(Path(__file__).parents[2] / "synapse" / "cli" / "demo.py"), reason="no demo in this checkout"
)
def test_demo_output_never_shows_the_token(backend: LocalBackend, tmp_path: Path) -> None:
    env = {**os.environ, "SYNAPSE_CACHE_DIR": str(tmp_path / "cache")}
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
    result = run(
        [
            sys.executable,
            "-m",
            "synapse",
            "demo",
            "--quick",
            "--files",
            "4",
            "--big-file-mib",
            "1",
            "--chunk-mib",
            "1",
            "--no-progress",
            "--url",
            backend.url,
            "--token",
            TOKEN,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "demo finished" in result.stdout
    assert TOKEN not in result.stdout and TOKEN not in result.stderr

"""Bad arguments from the caller fail with a synapse error before any request is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from synapse import BackendClient, DataFile, DataUnit, Project, Task
from synapse.errors import ClientError, ConfigurationError, InvalidInputError, UploadError
from synapse.testing import LocalBackend
from synapse.transfers.uploads import chunked_upload, upload_data_file, upload_many
from synapse.transport.session import Session

BAD_IDS: list[Any] = ["../x", "1/2", None, 1.5, "", "a b", "x\n", "..", -1, True, "%2e%2e", [1], {"id": 1}]


@contextmanager
def nothing_sent(backend: LocalBackend) -> Iterator[None]:
    before = backend.request_count
    yield
    assert backend.request_count == before, "a request was sent for bad input"


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_bad_ids_are_refused_before_sending(backend: LocalBackend, session: Session, bad: Any) -> None:
    client = BackendClient.from_session(session)
    calls: list[Callable[[], object]] = [
        lambda: Task.get(bad, session=session),
        lambda: Project.get(bad, session=session),
        lambda: client.get_task(bad),
        lambda: client.get_project(bad),
        lambda: Task.bulk_create(bad, [1], session=session),
    ]
    with nothing_sent(backend):
        for call in calls:
            with pytest.raises(InvalidInputError):
                call()


def test_bad_files_are_refused_before_sending(backend: LocalBackend, session: Session, tmp_path: Path) -> None:
    missing = tmp_path / "missing.bin"
    folder = tmp_path / "folder"
    folder.mkdir()
    with nothing_sent(backend):
        for path in (missing, folder, 42, None):
            with pytest.raises(InvalidInputError):
                upload_data_file(session, path)  # type: ignore[arg-type]
            with pytest.raises(InvalidInputError):
                chunked_upload(session, path)  # type: ignore[arg-type]
            with pytest.raises(InvalidInputError):
                DataFile.upload(path, session=session)  # type: ignore[arg-type]
        with pytest.raises(UploadError) as caught:
            upload_many(session, [missing, folder])
        assert all(isinstance(failure.error, InvalidInputError) for failure in caught.value.failures)


@pytest.mark.parametrize("chunk_size", [0, -1, 1.5, "1", True])
def test_bad_chunk_sizes_are_refused_before_sending(
    backend: LocalBackend, session: Session, tmp_path: Path, chunk_size: Any
) -> None:
    source = tmp_path / "f.bin"
    source.write_bytes(b"abc")
    with nothing_sent(backend):
        for call in (chunked_upload, upload_data_file):
            with pytest.raises(InvalidInputError, match="chunk_size"):
                call(session, source, chunk_size=chunk_size)
        with pytest.raises(InvalidInputError, match="chunk_size"):
            upload_many(session, [source], chunk_size=chunk_size)


@pytest.mark.parametrize("workers", [0, -3, 1.5, None, True])
def test_bad_worker_counts_are_refused_before_sending(
    backend: LocalBackend, session: Session, tmp_path: Path, workers: Any
) -> None:
    source = tmp_path / "f.bin"
    source.write_bytes(b"abc")
    with nothing_sent(backend), pytest.raises(InvalidInputError, match="workers"):
        upload_many(session, [source], workers=workers)
    with nothing_sent(backend), pytest.raises(InvalidInputError, match="workers"):
        DataFile.upload_many([source], workers=workers, session=session)


def test_unknown_fields_on_save_are_refused_before_sending(backend: LocalBackend, session: Session) -> None:
    project = Project.create(name="p", session=session)
    project.nmae = "typo"
    with nothing_sent(backend), pytest.raises(InvalidInputError, match="nmae"):
        project.save()


def test_unserialisable_and_malformed_bodies_are_refused_before_sending(
    backend: LocalBackend, session: Session
) -> None:
    client = BackendClient.from_session(session)
    with nothing_sent(backend):
        with pytest.raises(InvalidInputError):
            Project.create(name="p", configuration={"when": object()}, session=session)
        with pytest.raises(InvalidInputError):
            client.create_tasks("not a dict")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            client.list_tasks(params=["page", 1])  # type: ignore[arg-type]
        with pytest.raises(ClientError):
            Project(name=123)


BAD_TOKENS = ["tok\r\nX-Injected: 1", "tok\n", "to ken", "tok€", "tok\x00", "tok\t"]


@pytest.mark.parametrize("bad", BAD_TOKENS, ids=repr)
@pytest.mark.parametrize("argument", ["api_token", "token", "agent_token", "tenant"])
def test_tokens_that_cannot_travel_in_a_header_are_refused(backend: LocalBackend, argument: str, bad: str) -> None:
    with nothing_sent(backend), pytest.raises(ConfigurationError, match=argument) as caught:
        options: dict[str, Any] = {argument: bad}
        Session(backend.url, **options)
    assert bad not in str(caught.value)


def test_a_token_from_the_environment_is_checked_too(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNAPSE_API_TOKEN", "read-from-a-file\n")
    with pytest.raises(ConfigurationError, match=r"SYNAPSE_API_TOKEN contains a line break"):
        Session(backend.url)


@pytest.mark.parametrize(
    "suffix",
    ["?page=2", "?", "#top", "/api v1", "/api\r\nv1", ":99999/api/v1", ":port/api/v1"],
    ids=repr,
)
def test_base_urls_that_would_misroute_every_request_are_refused(backend: LocalBackend, suffix: str) -> None:
    root = backend.root_url if suffix.startswith(":") else backend.url
    if suffix.startswith(":"):
        root = root.rsplit(":", 1)[0]
    with nothing_sent(backend), pytest.raises(ConfigurationError, match="base_url"):
        Session(root + suffix, api_token="t")


@pytest.mark.parametrize(
    "bad",
    [2**63, 10**30, 10**5000, "1" * 25, "9" * 4301],
    ids=["2**63", "10**30", "10**5000", "25 digits", "4301 digits"],
)
def test_ids_too_large_for_the_backend_are_refused_before_sending(
    backend: LocalBackend, session: Session, bad: Any
) -> None:
    client = BackendClient.from_session(session)
    with nothing_sent(backend):
        for call in (lambda: Project.get(bad, session=session), lambda: client.get_task(bad)):
            with pytest.raises(InvalidInputError, match="too large"):
                call()


def test_the_largest_id_the_backend_stores_is_sent(backend: LocalBackend, session: Session) -> None:
    with pytest.raises(Project.DoesNotExist):
        Project.get(2**63 - 1, session=session)
    assert backend.requests[-1].path == f"projects/{2**63 - 1}/"


def test_ids_too_large_to_print_are_refused_with_a_readable_message(backend: LocalBackend, session: Session) -> None:
    with nothing_sent(backend):
        for bad in (-(10**5000), [10**5000], "x" * 5000):
            with pytest.raises(InvalidInputError) as caught:
                Project.get(bad, session=session)
            assert len(str(caught.value)) < 300


def test_a_header_value_that_cannot_be_sent_is_refused_once_without_echoing_it(
    backend: LocalBackend, session: Session
) -> None:
    value = "hdr-SECRET-value"
    with nothing_sent(backend), pytest.raises(InvalidInputError, match="invalid header value") as caught:
        session.request("GET", "projects/", headers={"X-Note": f"{value}\r\nX-Injected: 1"})
    assert session.request_count == 1  # not retried
    chain = [caught.value, caught.value.__context__, caught.value.__cause__]
    assert all(value not in repr(error) for error in chain)
    assert caught.value.__context__ is None or caught.value.__context__.__context__ is None


def test_bad_bulk_items_are_refused_before_sending(backend: LocalBackend, session: Session, tmp_path: Path) -> None:
    (cid,) = backend.seed("data_collections", [{"name": "c"}])
    image = tmp_path / "a.txt"
    image.write_text("a")
    client = BackendClient.from_session(session)
    bad_items: list[Any] = [
        {"files": {"image": image}, "meta": "not a dict"},
        {"files": {"image": image}, "groups": 5},
        {"files": {"image": 42}},
        {"files": {}},
        "not an item",
    ]
    with nothing_sent(backend):
        for item in bad_items:
            with pytest.raises(InvalidInputError, match="item 1"):
                client.upload_data_collection(cid, [{"files": {"image": image}}, item])
        for batch_size in (0, -1, 1.5, True):
            with pytest.raises(InvalidInputError):
                Task.bulk_create(1, [1], batch_size=batch_size, session=session)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            DataUnit.bulk_create(cid, [{"files": {"image": {"checksum": "x"}}, "meta": []}], session=session)

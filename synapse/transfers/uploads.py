"""Uploading local files: chunked uploads, data files and parallel batches.

The chunked protocol itself lives in :mod:`._chunks`; this module adds the
public entry points, the choice between one multipart POST and chunks, the ``data_files/``
step with its checksum check, and the thread pool for batches (where one failing file must
not stop the others).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from ..errors import ClientError, IntegrityError, InvalidInputError, ResponseError, UploadError, UploadFailure
from ..transport.context import submit
from ..transport.envelope import list_items
from ..transport.session import Session
from . import CHUNK_SIZE
from ._chunks import ChunkedUpload, preview
from ._files import HashingReader, check_file, check_positive_int, file_md5, wire_name
from .progress import ProgressSpec, make_progress

__all__ = [
    "CHUNKED_THRESHOLD",
    "CHUNK_SIZE",
    "chunked_upload",
    "file_md5",
    "upload_data_file",
    "upload_many",
    "verify_checksums",
]

CHUNKED_THRESHOLD = CHUNK_SIZE
"""``upload_data_file(chunked=None)`` switches to the chunked protocol above this many bytes."""
VERIFY_BATCH = 1000


def _upload_chunked(
    session: Session,
    path: Path,
    *,
    chunk_size: int,
    progress: ProgressSpec,
    read_timeout: float | None,
    resume: bool,
    journal_dir: str | os.PathLike[str] | None,
) -> tuple[dict[str, Any], str]:
    size = path.stat().st_size
    with make_progress(progress, size, desc=path.name) as bar:
        upload = ChunkedUpload(
            session,
            path,
            chunk_size=chunk_size,
            read_timeout=read_timeout,
            progress=bar,
            resume=resume,
            journal_dir=Path(journal_dir) if journal_dir is not None else None,
        )
        return upload.run()


def chunked_upload(
    session: Session,
    path: str | os.PathLike[str],
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: ProgressSpec = None,
    read_timeout: float | None = None,
    resume: bool = True,
    journal_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Upload one file with the chunked protocol and return the finalize JSON.

    With ``resume`` an upload interrupted earlier (same file, size and mtime) continues from
    the server's offset. The server's checksum must equal our MD5, else :class:`IntegrityError`.
    """
    source = check_file(path)
    check_positive_int(chunk_size, "chunk_size")
    reply, _ = _upload_chunked(
        session,
        source,
        chunk_size=chunk_size,
        progress=progress,
        read_timeout=read_timeout,
        resume=resume,
        journal_dir=journal_dir,
    )
    return reply


def upload_data_file(
    session: Session,
    path: str | os.PathLike[str],
    *,
    chunked: bool | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: ProgressSpec = None,
    read_timeout: float | None = None,
    meta: dict[str, Any] | None = None,
    resume: bool = True,
    journal_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Create a data file (``data_files/``) from a local file and return the server's JSON.

    Small files go as one multipart POST; files above ``CHUNKED_THRESHOLD`` (or ``chunked=True``)
    use the chunked protocol first. The returned ``checksum`` must equal our MD5.
    """
    source = check_file(path)
    check_positive_int(chunk_size, "chunk_size")
    if meta is not None and not isinstance(meta, dict):
        raise InvalidInputError(None, f"meta must be a dict, got {type(meta).__name__}")
    size = source.stat().st_size
    use_chunked = size > CHUNKED_THRESHOLD if chunked is None else bool(chunked)
    timeouts = session.timeouts.with_read(read_timeout)
    if use_chunked:
        upload, md5 = _upload_chunked(
            session,
            source,
            chunk_size=chunk_size,
            progress=progress,
            read_timeout=read_timeout,
            resume=resume,
            journal_dir=journal_dir,
        )
        body: dict[str, Any] = {"chunked_upload": upload["id"]}
        if meta:
            body["meta"] = meta
        reply = session.request("POST", "data_files/", json=body, timeout=timeouts)
    else:
        with make_progress(progress, size, desc=source.name) as bar, HashingReader(source) as reader:
            fields = {"meta": json.dumps(meta)} if meta else None
            reply = session.request(
                "POST", "data_files/", data=fields, files={"file": (wire_name(source), reader)}, timeout=timeouts
            )
            md5 = reader.hexdigest()
            bar.advance_to(size)
    checksum = reply.get("checksum") if isinstance(reply, dict) else None
    if not isinstance(reply, dict) or not isinstance(checksum, str):
        raise ResponseError(None, f"data_files/ must answer with a 'checksum'; got {preview(reply)}")
    if checksum.lower() != md5:
        raise IntegrityError(None, f"{source.name}: the server's checksum {checksum} differs from the local md5 {md5}")
    data_file: dict[str, Any] = reply
    return data_file


def upload_many(
    session: Session,
    paths: Iterable[str | os.PathLike[str]],
    *,
    workers: int = 8,
    progress: ProgressSpec = None,
    chunked: bool | None = None,
    chunk_size: int = CHUNK_SIZE,
    skip_existing: bool = False,
    read_timeout: float | None = None,
    resume: bool = True,
    journal_dir: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """Upload many files in parallel over one session; results come back in input order.

    A failing item does not stop the others: when any fails, :class:`UploadError` is raised
    after all finished, with ``failures`` and ``results`` (None for the failed items).
    ``skip_existing`` asks the server which MD5s it already has and sends only the rest;
    ``resume`` continues chunked uploads interrupted earlier (see :func:`chunked_upload`).
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise InvalidInputError(None, "upload_many expects a list of paths; use upload_data_file for one file")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidInputError(None, f"workers must be an integer >= 1, got {workers!r}")
    check_positive_int(chunk_size, "chunk_size")
    items = list(paths)
    results: list[dict[str, Any] | None] = [None] * len(items)
    failures: dict[int, UploadFailure] = {}
    sources: dict[int, Path] = {}
    for index, item in enumerate(items):
        try:
            sources[index] = check_file(item)
        except InvalidInputError as exc:
            failures[index] = UploadFailure(str(item), str(exc), exc)
    sizes = {index: source.stat().st_size for index, source in sources.items()}
    with (
        make_progress(progress, sum(sizes.values()), desc=f"{len(items)} files") as bar,
        ThreadPoolExecutor(max_workers=min(workers, max(1, len(sources)))) as pool,
    ):
        if skip_existing and sources:
            for index, info in _existing(session, pool, sources, failures).items():
                results[index] = info
                bar.update(sizes[index])
        owner: dict[Path, int] = {}
        duplicates: dict[int, int] = {}
        futures = {}
        for index, source in sources.items():
            if results[index] is not None or index in failures:
                continue
            if source in owner:  # the same file twice: upload once, never two uploads sharing a journal
                duplicates[index] = owner[source]
                continue
            owner[source] = index
            future = submit(
                pool,
                upload_data_file,
                session,
                source,
                chunked=chunked,
                chunk_size=chunk_size,
                progress=bar,
                read_timeout=read_timeout,
                resume=resume,
                journal_dir=journal_dir,
            )
            futures[future] = index
        for future in as_completed(futures):
            index = futures[future]
            try:
                results[index] = future.result()
            except Exception as exc:
                failures[index] = UploadFailure(str(items[index]), str(exc) or type(exc).__name__, exc)
        for index, original in duplicates.items():
            results[index] = results[original]
            if original in failures:
                failures[index] = UploadFailure(str(items[index]), failures[original].reason, failures[original].error)
            bar.update(sizes[index])
    if failures:
        raise UploadError(failures=[failures[i] for i in sorted(failures)], results=results)
    return [result for result in results if result is not None]


def _existing(
    session: Session, pool: ThreadPoolExecutor, sources: dict[int, Path], failures: dict[int, UploadFailure]
) -> dict[int, dict[str, Any]]:
    """Which inputs the server already has (by MD5), with the server's data-file info when it shares it."""
    digests: dict[int, str] = {}
    hashing = {submit(pool, file_md5, source): index for index, source in sources.items()}
    for future in as_completed(hashing):
        index = hashing[future]
        try:
            digests[index] = future.result()
        except (OSError, ClientError) as exc:
            failures[index] = UploadFailure(str(sources[index]), str(exc), exc)
    known = {checksum.lower() for checksum in verify_checksums(session, digests.values())}
    wanted = {index: md5 for index, md5 in digests.items() if md5 in known}
    lookups = {submit(pool, _lookup, session, md5): index for index, md5 in wanted.items()}
    existing: dict[int, dict[str, Any]] = {}
    for lookup in as_completed(lookups):
        index = lookups[lookup]
        existing[index] = lookup.result() or {
            "checksum": wanted[index],
            "existing": True,
            "path": str(sources[index]),
        }
    return existing


def verify_checksums(session: Session, checksums: Iterable[str]) -> set[str]:
    """Which of these MD5 checksums the server already stores (``data_files/verify_checksums/``, 1,000 a request)."""
    if isinstance(checksums, (str, bytes)):
        raise InvalidInputError(None, "checksums must be a list of MD5 hex strings, not a single string")
    wanted = list(dict.fromkeys(checksums))
    if not all(isinstance(checksum, str) for checksum in wanted):
        raise InvalidInputError(None, "checksums must be a list of MD5 hex strings")
    found: set[str] = set()
    for start in range(0, len(wanted), VERIFY_BATCH):
        reply = session.request(
            "POST", "data_files/verify_checksums/", json={"checksums": wanted[start : start + VERIFY_BATCH]}
        )
        existing = reply.get("existing_checksums") if isinstance(reply, dict) else None
        if not isinstance(existing, list):
            raise ResponseError(None, f"verify_checksums must answer with 'existing_checksums'; got {preview(reply)}")
        found.update(str(value) for value in existing)
    return found


def _lookup(session: Session, md5: str) -> dict[str, Any] | None:
    """The server's data file with this checksum, if the backend lists data files by checksum."""
    try:
        page = session.request("GET", "data_files/", params={"checksum": md5, "page_size": 1})
    except ClientError:
        return None
    try:
        results = list_items(page, "data_files/")
    except ResponseError:
        return None
    if results and isinstance(results[0], dict):
        first: dict[str, Any] = results[0]
        if str(first.get("checksum", "")).lower() == md5:
            return first
    return None

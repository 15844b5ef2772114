"""The chunked upload protocol (``chunked_upload/``) for one file, with retry and resume.

PUT each chunk with ``Content-Range``, always from the offset the *server* confirmed, then
POST the MD5 to finalize. The file is read once; the MD5 only ever covers bytes the server
acknowledged, so whatever path the upload took (retries, rewinds, a resume in a new process)
the digest we send describes what the server holds. Memory stays at about one chunk: the
chunk is streamed into the request without a copy.
"""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from ..errors import (
    APIConnectionError,
    BadRequestError,
    ClientError,
    HTTPError,
    IntegrityError,
    InvalidInputError,
    RateLimitError,
    ResponseError,
    ServerError,
)
from ..transport.paths import check_id
from ..transport.session import Session
from ._files import EMPTY_MD5, HASH_BLOCK, ChunkBody, wire_name
from ._journal import FileIdentity, UploadJournal
from .progress import Progress

CHUNK_RETRIES = 3
"""Extra tries per chunk after the session's own retries gave up (each re-reads the server offset)."""
MAX_REWINDS = 3
"""Times the server may move an upload back below an offset it had confirmed before we give up:
a server that keeps losing what it accepted would otherwise take the file again and again."""
FINALIZE_RECHECKS = 5
FINALIZE_RECHECK_BUDGET = 60.0

_TRANSIENT = (APIConnectionError, ServerError, RateLimitError)
_GONE = (404, 410)


class _UploadGone(Exception):
    """The server no longer knows the upload (expired or deleted); start a new one."""


class ChunkedUpload:
    """One run of the chunked protocol for one file."""

    def __init__(
        self,
        session: Session,
        path: Path,
        *,
        chunk_size: int,
        read_timeout: float | None,
        progress: Progress,
        resume: bool,
        journal_dir: Path | None,
    ) -> None:
        self._session = session
        self._path = path
        self._identity = FileIdentity.of(path)
        self._total = self._identity.size
        self._chunk_size = chunk_size
        self._timeouts = session.timeouts.with_read(read_timeout)
        self._progress = progress
        self._resume = resume
        self._journal = UploadJournal(session.base_url, self._identity, chunk_size, journal_dir)
        self._id: str | int | None = None
        self._url: str | None = None
        self._md5 = hashlib.md5()
        self._hashed = 0
        self._sent = 0
        """The end of the furthest byte range sent (or resumed): no honest offset lies beyond it."""

    def run(self) -> tuple[dict[str, Any], str]:
        """Upload, finalize and verify; returns the server's final JSON and our MD5.

        The journal is only used when its lock is ours: another upload of the same file running
        meanwhile (another process) would otherwise continue and finalize the same server upload.
        """
        self._journal.claim()
        try:
            return self._run()
        finally:
            self._journal.release()

    def _run(self) -> tuple[dict[str, Any], str]:
        if self._total == 0:
            return self._finalize(), EMPTY_MD5
        with self._path.open("rb") as handle:
            offset = self._resume_offset() if self._resume else 0
            if isinstance(offset, dict):
                self._hash_to(handle, self._total)
                return self._verified(offset, self._md5.hexdigest()), self._md5.hexdigest()
            restarted = False
            while True:
                try:
                    self._send_from(handle, offset)
                    break
                except _UploadGone:
                    if restarted:
                        raise ResponseError(None, "the server lost the chunked upload twice; try again later") from None
                    restarted = True
                    self._journal.remove()
                    self._id = self._url = None
                    offset = self._sent = 0
            self._hash_to(handle, self._total)
        return self._finalize(), self._md5.hexdigest()

    # -- chunks ---------------------------------------------------------------------------

    def _send_from(self, handle: IO[bytes], offset: int) -> None:
        # The chunk is hashed in a helper thread while it is being sent (hashlib releases the
        # GIL), into a copy of the digest that is kept only once the server confirms the chunk.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="synapse-md5") as hasher:
            self._send_chunks(handle, offset, hasher)

    def _send_chunks(self, handle: IO[bytes], offset: int, hasher: ThreadPoolExecutor) -> None:
        stalls = rewinds = 0
        while offset < self._total:
            self._hash_to(handle, offset)
            length = min(self._chunk_size, self._total - offset)
            handle.seek(offset)
            chunk = handle.read(length)
            if len(chunk) != length:
                raise InvalidInputError(None, f"{self._path} changed while it was being uploaded")
            candidate = self._md5.copy()
            hashing = hasher.submit(candidate.update, chunk)
            self._sent = max(self._sent, offset + length)
            try:
                confirmed = self._put(chunk, offset)
            finally:
                hashing.result()
            if confirmed == offset + length:
                self._md5 = candidate
                self._hashed = confirmed
            del chunk, candidate, hashing  # free this chunk before the next read, so only one is ever alive
            if confirmed < offset:  # the server lost bytes it had confirmed
                rewinds += 1
                if rewinds > MAX_REWINDS:
                    raise ResponseError(
                        None,
                        f"the server moved the upload back below an offset it had confirmed, {rewinds} times "
                        f"(now {confirmed} of {self._total} bytes); giving up",
                    )
            stalls = stalls + 1 if confirmed <= offset else 0
            if stalls > CHUNK_RETRIES:
                raise ResponseError(None, f"the server keeps the upload at offset {confirmed}; giving up")
            offset = confirmed
            self._progress.advance_to(offset)

    def _put(self, chunk: bytes, offset: int) -> int:
        """Send one chunk; return the offset the server holds afterwards."""
        end = offset + len(chunk) - 1
        attempt = 0
        while True:
            body = ChunkBody(wire_name(self._path), chunk)
            headers = {"Content-Type": body.content_type, "Content-Range": f"bytes {offset}-{end}/{self._total}"}
            try:
                reply = self._session.request(
                    "PUT", self._url or "chunked_upload/", data=body, headers=headers, timeout=self._timeouts
                )
            except BadRequestError as exc:
                server_offset = _int_field(exc.detail, "offset")
                if self._id is None or server_offset is None:
                    raise
                return self._checked_offset(server_offset)
            except HTTPError as exc:
                if self._id is not None and exc.status_code in _GONE:
                    raise _UploadGone from exc
                if not isinstance(exc, _TRANSIENT) or attempt >= CHUNK_RETRIES:
                    raise
                server_offset = self._after_failure(attempt, exc)
            except APIConnectionError as exc:
                if attempt >= CHUNK_RETRIES:
                    raise
                server_offset = self._after_failure(attempt, exc)
            else:
                return self._accept(reply)
            attempt += 1
            if server_offset is not None and server_offset != offset:
                return server_offset

    def _after_failure(self, attempt: int, error: ClientError) -> int | None:
        """Wait, then ask the server where the upload stands (None when unknown)."""
        self._pause(attempt, error)
        if self._id is None:
            return None
        try:
            state = self._state()
        except _TRANSIENT:
            return None
        return self._checked_offset(_int_field(state, "offset"))

    def _accept(self, reply: Any) -> int:
        upload_id = reply.get("id") if isinstance(reply, dict) else None
        url = reply.get("url") if isinstance(reply, dict) else None
        if not isinstance(upload_id, (str, int)) or isinstance(upload_id, bool) or not isinstance(url, str):
            raise ResponseError(None, f"a chunk reply needs 'id', 'url' and 'offset'; got {preview(reply)}")
        if (upload_id, url) != (self._id, self._url):
            self._id, self._url = upload_id, url
            self._journal.save(upload_id, url)
        return self._checked_offset(_int_field(reply, "offset"))

    def _checked_offset(self, offset: int | None) -> int:
        if offset is None or not 0 <= offset <= self._total:
            raise ResponseError(
                None, f"the server reported an impossible upload offset {offset!r} (size {self._total})"
            )
        if offset > self._sent:
            raise ResponseError(
                None, f"the server reported offset {offset}, past the {self._sent} bytes sent; refusing to skip bytes"
            )
        return offset

    def _hash_to(self, handle: IO[bytes], target: int) -> None:
        """Make the MD5 cover exactly ``file[:target]``, reading locally only what is missing."""
        if self._hashed > target:
            self._md5 = hashlib.md5()
            self._hashed = 0
        handle.seek(self._hashed)
        while self._hashed < target:
            block = handle.read(min(HASH_BLOCK, target - self._hashed))
            if not block:
                raise InvalidInputError(None, f"{self._path} changed while it was being uploaded")
            self._md5.update(block)
            self._hashed += len(block)

    # -- server state ---------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        try:
            state = self._session.request("GET", f"chunked_upload/{self._id}/", timeout=self._timeouts)
        except HTTPError as exc:
            if exc.status_code in _GONE:
                raise _UploadGone from exc
            raise
        if not isinstance(state, dict):
            raise ResponseError(None, f"chunked upload state must be an object, got {preview(state)}")
        return state

    def _resume_offset(self) -> int | dict[str, Any]:
        """Continue a journaled upload: its server offset, 0 to start over, or its state if already complete."""
        saved = self._journal.load()
        if saved is None:
            return 0
        self._id, self._url = saved
        try:
            state = self._state()
        except _UploadGone:
            self._journal.remove()
            self._id = self._url = None
            return 0
        if state.get("completed_at"):
            return state
        offset = _int_field(state, "offset")
        if offset is None or not 0 <= offset <= self._total:
            self._journal.remove()
            self._id = self._url = None
            return 0
        if isinstance(state.get("url"), str):
            self._url = state["url"]
        self._sent = offset  # sent by the run that was interrupted
        return offset

    # -- finalize -------------------------------------------------------------------------

    def _finalize(self) -> dict[str, Any]:
        md5 = self._md5.hexdigest()
        reply: Any = None
        for round_ in range(2):
            try:
                reply = self._session.request(
                    "POST", self._url or "chunked_upload/", json={"md5": md5}, timeout=self._timeouts
                )
                break
            except BadRequestError as exc:
                self._journal.remove()
                raise IntegrityError(
                    400, f"the server refused to finalize {self._path.name} with md5 {md5}: {exc.detail}"
                ) from exc
            except APIConnectionError:
                if self._id is None:
                    raise
                completed, pending = self._recheck()
                if completed is not None:
                    reply = completed
                    break
                if not pending or round_ == 1:
                    raise
        return self._verified(reply, md5)

    def _recheck(self) -> tuple[dict[str, Any] | None, bool]:
        """After a lost finalize reply: (the completed state, or None; whether the server says it is pending)."""
        deadline = time.monotonic() + FINALIZE_RECHECK_BUDGET
        pending = False
        for attempt in range(FINALIZE_RECHECKS):
            self._session.retry.sleep(
                min(self._session.retry.backoff(attempt + 1), max(0.0, deadline - time.monotonic()))
            )
            try:
                state = self._state()
            except (APIConnectionError, ServerError, RateLimitError, _UploadGone):
                pending = False
                continue
            if state.get("completed_at"):
                return state, False
            pending = True
            if time.monotonic() >= deadline:
                break
        return None, pending

    def _verified(self, reply: Any, md5: str) -> dict[str, Any]:
        if not isinstance(reply, dict) or "id" not in reply:
            raise ResponseError(None, f"the finalize reply needs an 'id'; got {preview(reply)}")
        final: dict[str, Any] = reply if isinstance(reply.get("checksum"), str) else self._state_with_checksum(reply)
        checksum, size = final.get("checksum"), final.get("size")
        problem = None
        if not isinstance(checksum, str):
            problem = "the server confirmed no checksum for it"
        elif checksum.lower() != md5:
            problem = f"the server's checksum {checksum} differs from the local md5 {md5}"
        elif isinstance(size, int) and not isinstance(size, bool) and size != self._total:
            problem = f"the server stored {size} bytes, the file has {self._total}"
        self._journal.remove()
        if problem:
            raise IntegrityError(None, f"{self._path.name}: {problem}; the upload was not accepted")
        self._progress.advance_to(self._total)
        return final

    def _state_with_checksum(self, reply: dict[str, Any]) -> dict[str, Any]:
        """A finalize reply without a checksum proves nothing: ask for the upload's state instead."""
        try:
            if self._id is None:
                self._id = check_id(reply["id"], "chunked upload id")
            state = self._state()
        except (ClientError, _UploadGone):
            return reply
        return state if isinstance(state.get("checksum"), str) else reply

    def _pause(self, attempt: int, error: ClientError) -> None:
        retry_after = error.retry_after if isinstance(error, RateLimitError) else None
        self._session.retry.pause(attempt + 1, retry_after)


def _int_field(obj: Any, name: str) -> int | None:
    value = obj.get(name) if isinstance(obj, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def preview(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."

"""Downloading file URLs to disk: resumable, atomic and confined to the destination folder.

File URLs are presigned or public, so no credentials are ever sent (``auth=False``). The bytes
go to ``<name>.part`` and are renamed into place only when complete, so a reader never sees a
half-written file; an interrupted ``.part`` is continued with a ``Range`` request next time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import APIConnectionError, HTTPError, InvalidInputError, RateLimitError, ServerError
from ..transport.session import Session
from ..transport.settings import Timeouts
from .progress import Progress, ProgressSpec, make_progress

__all__ = ["DOWNLOAD_ATTEMPTS", "check_download_url", "download", "safe_name"]

DOWNLOAD_ATTEMPTS = 5
"""Tries per download; each one after the first continues from the bytes already on disk."""
_BLOCK = 1024 * 1024
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


def check_download_url(url: Any) -> str:
    """Only http(s) URLs are fetched; ``file://`` and friends could read local files."""
    if not isinstance(url, str):
        raise InvalidInputError(None, f"a download URL must be a string, got {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        shown = url if len(url) <= 80 else url[:80] + "..."
        raise InvalidInputError(None, f"refusing to download {shown!r}: only http(s) URLs are allowed")
    return url


def safe_name(name: Any) -> str:
    """A file name that stays inside its folder: no separators, no ``..``, nothing absolute."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(None, f"a file name must be a non-empty string, got {name!r}")
    if name in (".", "..") or any(sep in name for sep in ("/", "\\", "\x00")) or (os.altsep and os.altsep in name):
        raise InvalidInputError(None, f"refusing file name {name!r}: it would escape the destination folder")
    return name


def _target(url: str, dest: Any, filename: str | None) -> Path:
    if isinstance(dest, bool) or not isinstance(dest, (str, os.PathLike)):
        raise InvalidInputError(None, f"dest must be a folder or file path, got {type(dest).__name__}")
    dest_path = Path(dest).expanduser()
    if filename is None and not dest_path.is_dir() and not str(dest).endswith(("/", os.sep)):
        return dest_path.absolute()
    if filename is None:
        filename = unquote(PurePosixPath(urlsplit(url).path).name)
        if not filename:
            raise InvalidInputError(None, f"cannot tell a file name from {url!r}; pass filename=")
    folder = dest_path.absolute()
    target = folder / safe_name(filename)
    if target.parent != folder:
        raise InvalidInputError(None, f"refusing file name {filename!r}: it would escape {folder}")
    return target


def download(
    session: Session,
    url: str,
    dest: str | os.PathLike[str],
    *,
    filename: str | None = None,
    resume: bool = True,
    progress: ProgressSpec = None,
    overwrite: bool = False,
    read_timeout: float | None = None,
    attempts: int = DOWNLOAD_ATTEMPTS,
) -> Path:
    """Download ``url`` and return the local path.

    ``dest`` is a folder (the name comes from ``filename`` or the URL) or a file path. An existing
    file is kept and returned unless ``overwrite``. With ``resume`` a leftover ``<name>.part``
    is continued with a ``Range`` request (a server answering 200 restarts it).
    """
    check_download_url(url)
    target = _target(url, dest, filename)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise InvalidInputError(None, f"attempts must be an integer >= 1, got {attempts!r}")
    if target.is_dir():
        raise InvalidInputError(None, f"{target} is a folder; pass a file name")
    if target.exists() and not overwrite:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    if not resume:
        part.unlink(missing_ok=True)
    fetch = _Fetch(session, url, part, target.name, progress, session.timeouts.with_read(read_timeout))
    try:
        for attempt in range(attempts):
            try:
                fetch.once()
                break
            except HTTPError as exc:
                if exc.status_code == 416 and fetch.have():
                    part.unlink(missing_ok=True)
                elif not isinstance(exc, (ServerError, RateLimitError)) or attempt == attempts - 1:
                    raise
            except APIConnectionError:
                if attempt == attempts - 1:
                    raise
            session.retry.pause(attempt)
    finally:
        fetch.close()
    os.replace(part, target)
    return target


class _Fetch:
    """One download's state across attempts: the ``.part`` file and the progress reporter."""

    def __init__(
        self, session: Session, url: str, part: Path, name: str, progress: ProgressSpec, timeouts: Timeouts
    ) -> None:
        self._session = session
        self._url = url
        self._shown_url = url.split("?", 1)[0]
        self._part = part
        self._name = name
        self._progress_spec = progress
        self._timeouts = timeouts
        self._bar: Progress | None = None

    def have(self) -> int:
        try:
            return self._part.stat().st_size
        except FileNotFoundError:
            return 0

    def once(self) -> None:
        """One GET: append to the ``.part`` on a matching 206, else rewrite it from the start."""
        have = self.have()
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = f"bytes={have}-"
        with self._session.stream("GET", self._url, headers=headers, timeout=self._timeouts, auth=False) as response:
            start, expected = _expected(response.status, response.headers, have)
            if self._bar is None:
                self._bar = make_progress(self._progress_spec, expected or 0, desc=self._name)
            self._bar.advance_to(start)
            written = start
            with self._part.open("ab" if start else "wb") as handle:
                handle.truncate(start)
                for block in response.iter_bytes(_BLOCK):
                    handle.write(block)
                    written += len(block)
                    self._bar.advance_to(written)
        if expected is not None and written != expected:
            raise APIConnectionError(None, f"the download ended at {written} of {expected} bytes", url=self._shown_url)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _expected(status: int, headers: Any, have: int) -> tuple[int, int | None]:
    """(where the body starts in the file, the full size if known) for this response."""
    encoded = headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    length_header = headers.get("Content-Length")
    length = int(length_header) if length_header and length_header.isdigit() and not encoded else None
    if status == 206:
        match = _CONTENT_RANGE.match(headers.get("Content-Range", ""))
        if match is None or int(match.group(1)) != have:
            raise APIConnectionError(None, "the server answered a different byte range than requested")
        total = match.group(3)
        return have, int(total) if total.isdigit() else (have + length if length is not None else None)
    return 0, length

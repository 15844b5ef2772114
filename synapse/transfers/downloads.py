"""Downloading file URLs to disk: what ends up there is what the server holds, or an error.

File URLs are presigned or public, so no credentials are ever sent (``auth=False``). The bytes
go to a part file (see :mod:`._partfile`) and become the target only once complete and, when
the caller knows them (``DataFile`` does), checked against the size and MD5. An interrupted
download continues with ``Range`` + ``If-Range`` only from a part file of the same URL and
version. Bodies are asked for and accepted only without ``Content-Encoding``: a decoded body is
not the stored file, and a small compressed answer can expand without bound.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import (
    APIConnectionError,
    HTTPError,
    IntegrityError,
    InvalidInputError,
    RateLimitError,
    ResponseError,
    ServerError,
)
from ..transport.session import Session
from ._files import file_md5
from ._partfile import PartFile, publish
from .progress import Progress, ProgressSpec, make_progress

__all__ = ["DOWNLOAD_ATTEMPTS", "MAX_NAME_BYTES", "check_download_url", "download", "safe_name"]

DOWNLOAD_ATTEMPTS = 5
"""Tries per download; each one after the first continues from the bytes already on disk when it may."""
MAX_NAME_BYTES = 200
"""Longest file name taken from a URL; longer ones are shortened (the part and lock files add suffixes)."""
_BLOCK = 1024 * 1024
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")


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


def _fit(name: str) -> str:
    """A name from a URL, shortened (keeping its extension, plus a hash for uniqueness) to fit any file system."""
    if len(name.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES:
        return name
    suffix = PurePosixPath(name).suffix if len(PurePosixPath(name).suffix) <= 16 else ""
    tag = "-" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    stem = name[: len(name) - len(suffix)]
    while len((stem + tag + suffix).encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + tag + suffix


def _target(url: str, dest: Any, filename: str | None) -> Path:
    if isinstance(dest, bool) or not isinstance(dest, (str, os.PathLike)):
        raise InvalidInputError(None, f"dest must be a folder or file path, got {type(dest).__name__}")
    dest_path = Path(dest).expanduser()
    if filename is None and not dest_path.is_dir() and not str(dest).endswith(("/", os.sep)):
        return dest_path.absolute()
    if filename is None:
        filename = _fit(unquote(PurePosixPath(urlsplit(url).path).name))
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
    size: int | None = None,
    md5: str | None = None,
) -> Path:
    """Download ``url`` and return the local path.

    ``dest`` is a folder (the name comes from ``filename`` or the URL) or a file path. ``size``
    and ``md5``, when given, must match what arrives, else :class:`IntegrityError`. An existing
    file is kept (and no request sent) only when it matches ``md5``; otherwise it is replaced
    with ``overwrite=True`` and refused (:class:`InvalidInputError`) without.
    """
    check_download_url(url)
    target = _target(url, dest, filename)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise InvalidInputError(None, f"attempts must be an integer >= 1, got {attempts!r}")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise InvalidInputError(None, f"size must be a non-negative int, got {size!r}")
    if md5 is not None and (not isinstance(md5, str) or not _MD5.match(md5)):
        raise InvalidInputError(None, f"md5 must be 32 hex digits, got {md5!r}")
    md5 = md5.lower() if md5 else None
    if target.is_dir():
        raise InvalidInputError(None, f"{target} is a folder; pass a file name")
    if target.exists() and not overwrite:
        if md5 is not None and file_md5(target) == md5:
            return target
        reason = "holds other bytes than the server's" if md5 is not None else "cannot be checked (no checksum known)"
        raise InvalidInputError(None, f"{target} already exists and {reason}; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = PartFile(target, url, resume=resume)
    fetch = _Fetch(session, url, part, target.name, progress, read_timeout, size)
    fetched = False
    try:
        digest = fetch.run(attempts)
        fetched = True  # whatever happens next, these bytes are not worth continuing
        if md5 is not None and digest != md5:
            raise IntegrityError(None, f"{target.name}: downloaded MD5 {digest} differs from the server's {md5}")
        publish(part.path, target, digest, overwrite=overwrite)
    finally:
        fetch.close()
        part.close(keep=not fetched and not fetch.corrupt)
    return target


class _Fetch:
    """One download's attempts: requests, the bytes written, their MD5 and the progress reporter."""

    def __init__(
        self,
        session: Session,
        url: str,
        part: PartFile,
        name: str,
        progress: ProgressSpec,
        read_timeout: float | None,
        size: int | None,
    ) -> None:
        self._session = session
        self._url = url
        self._shown_url = url.split("?", 1)[0]
        self._part = part
        self._name = name
        self._progress_spec = progress
        self._timeouts = session.timeouts.with_read(read_timeout)
        self._size = size
        self._bar: Progress | None = None
        self.corrupt = False
        """True once the part file is known not to be the server's bytes (never continue it)."""

    def run(self, attempts: int) -> str:
        """Fetch until complete; returns the MD5 of the whole file."""
        attempt = 0
        while True:
            last = attempt >= attempts - 1
            try:
                return self._once()
            except HTTPError as exc:
                if exc.status_code == 416 and self._part.have():
                    self._part.restart()
                elif not isinstance(exc, (ServerError, RateLimitError)) or last:
                    raise
            except APIConnectionError:
                if last:
                    raise
            self._session.retry.pause(attempt)
            attempt += 1

    def _once(self) -> str:
        """One GET: continue the part file on a matching 206, else rewrite it from the start."""
        have = self._part.have()
        headers = {"Accept-Encoding": "identity"}
        if have and self._part.validator:
            headers["Range"] = f"bytes={have}-"
            headers["If-Range"] = self._part.validator  # the server sends the whole file if it changed
        with self._session.stream("GET", self._url, headers=headers, timeout=self._timeouts, auth=False) as response:
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                self.corrupt = True
                raise ResponseError(
                    response.status, f"the server sent the file {encoding}-encoded although identity was asked for"
                )
            start, total = self._placement(response.status, response.headers, have)
            expected = self._size if self._size is not None else total
            if total is not None and self._size is not None and total != self._size:
                self.corrupt = True
                raise IntegrityError(None, f"{self._name}: the server sends {total} bytes, the file has {self._size}")
            if self._bar is None:
                self._bar = make_progress(self._progress_spec, expected or 0, desc=self._name)
            self._bar.advance_to(start)
            digest = self._part.md5_so_far() if start else hashlib.md5()
            written = start
            with self._part.path.open("r+b" if start else "wb") as handle:
                handle.truncate(start)
                handle.seek(start)
                for block in response.iter_bytes(_BLOCK):
                    written += len(block)
                    if expected is not None and written > expected:
                        self.corrupt = True
                        raise IntegrityError(None, f"{self._name}: the server sent more than the {expected} bytes")
                    handle.write(block)
                    digest.update(block)
                    self._bar.advance_to(written)
        if expected is not None and written != expected:
            raise APIConnectionError(None, f"the download ended at {written} of {expected} bytes", url=self._shown_url)
        return str(digest.hexdigest())

    def _placement(self, status: int, headers: Any, have: int) -> tuple[int, int | None]:
        """(where the body starts in the file, the full size if known); a 200 restarts the part file."""
        length_header = headers.get("Content-Length")
        length = int(length_header) if length_header and length_header.isdigit() else None
        validator = _validator(headers)
        if status == 206:
            match = _CONTENT_RANGE.match(headers.get("Content-Range", ""))
            if match is None or int(match.group(1)) != have or not have:
                self._part.restart()
                raise APIConnectionError(None, "the server answered a different byte range than requested")
            total = int(match.group(3)) if match.group(3).isdigit() else None
            changed = validator is not None and validator != self._part.validator
            if changed or (self._part.total is not None and total != self._part.total):
                self._part.restart()  # not the version the part file holds: start over
                raise APIConnectionError(None, "the file changed on the server since the download began")
            return have, total
        self._part.remember(validator, length)
        return 0, length

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _validator(headers: Any) -> str | None:
    """What identifies this version of the file for ``If-Range``: a strong ETag, else Last-Modified."""
    etag = headers.get("ETag")
    if isinstance(etag, str) and etag and not etag.startswith("W/"):
        return etag
    modified = headers.get("Last-Modified")
    return modified if isinstance(modified, str) and modified else None

"""url_conversion: download the file URLs inside API objects and replace them with local paths.

Two spellings are accepted. The current one, ``{"files_fields": [...], "is_list": bool,
"coerce": callable}``, downloads each URL (in a thread pool, no credentials) into a cache
folder and stores a :class:`pathlib.Path`. The seed's ``{field: callable}`` applies the
callable to each URL of that field and stores the result, without downloading.

Everything is validated before the first download, so a malformed object fails fast instead
of leaving a half-converted result. Files are cached by the MD5 of the URL without its query
(presigned signatures change, the file does not), so a second conversion sends no request.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import mimetypes
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ..errors import InvalidInputError
from ..transport.context import submit
from ..transport.session import Session
from ._journal import cache_root, write_json_atomic
from .downloads import check_download_url, download

__all__ = ["convert_urls", "default_media_dir"]

_SPEC_KEYS = frozenset({"files_fields", "is_list", "coerce"})
_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_DEFAULT_MAX_FILES = 2000
_MANIFEST = ".synapse-cache.json"
_OWN_NAME = re.compile(r"^[0-9a-f]{32}(\.[A-Za-z0-9]{1,10})?$")
"""The names this cache writes: an MD5 and an optional extension."""


def default_media_dir() -> Path:
    """``$SYNAPSE_CACHE_DIR/media``, else the user cache folder (``~/.cache/synapse/media``, XDG aware)."""
    return cache_root() / "media"


@dataclass
class _Ref:
    """One URL inside an object and where its replacement goes."""

    container: dict[str, Any]
    key: str
    url: str
    nested: bool = False


def convert_urls(
    session: Session,
    obj: Any,
    spec: Mapping[str, Any],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    workers: int = 8,
) -> Any:
    """Rewrite the URL fields of ``obj`` in place (see the module docstring) and return it.

    A missing field is skipped; a field holding a list, ``None`` or a number is refused with
    :class:`InvalidInputError`, as are non-http(s) URLs. ``data:`` URIs are decoded locally.
    """
    if not isinstance(spec, Mapping):
        raise InvalidInputError(None, f"url_conversion must be a dict, got {type(spec).__name__}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidInputError(None, f"workers must be an integer >= 1, got {workers!r}")
    if not spec:
        return obj
    if "files_fields" in spec:
        fields, is_list, coerce = _parse_spec(spec)
        refs = _collect(_items(obj, is_list), fields)
        folder = Path(cache_dir).expanduser() if cache_dir is not None else default_media_dir()
        paths = _fetch_all(session, [ref.url for ref in refs], folder, workers)
        _apply(refs, lambda ref: coerce(paths[ref.url]) if coerce else paths[ref.url], rename=True)
        return obj
    transforms = dict(spec)
    bad = [key for key, value in transforms.items() if not callable(value)]
    if bad:
        raise InvalidInputError(
            None,
            f"url_conversion keys {bad} are neither files_fields/is_list/coerce nor {{field: callable}} entries",
        )
    auto_list = isinstance(obj, list) or (isinstance(obj, dict) and isinstance(obj.get("results"), list))
    for field, transform in transforms.items():
        refs = _collect(_items(obj, auto_list), [str(field)], check_urls=False)
        _apply(refs, _calling(transform), rename=False)
    return obj


def _calling(transform: Callable[[str], Any]) -> Callable[[_Ref], Any]:
    return lambda ref: transform(ref.url)


def _parse_spec(spec: Mapping[str, Any]) -> tuple[list[str], bool, Callable[[Path], Any] | None]:
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise InvalidInputError(None, f"unknown url_conversion keys {sorted(unknown)}; use {sorted(_SPEC_KEYS)}")
    fields = spec["files_fields"]
    if (
        isinstance(fields, str)
        or not isinstance(fields, (list, tuple))
        or not all(isinstance(field, str) and field for field in fields)
    ):
        raise InvalidInputError(None, f"files_fields must be a list of dotted field names, got {fields!r}")
    is_list = spec.get("is_list", False)
    if not isinstance(is_list, bool):
        raise InvalidInputError(None, f"is_list must be a bool, got {is_list!r}")
    coerce = spec.get("coerce")
    if coerce is not None and not callable(coerce):
        raise InvalidInputError(None, f"coerce must be a callable taking a Path, got {coerce!r}")
    return list(fields), is_list, coerce


def _items(obj: Any, is_list: bool) -> list[Any]:
    if not is_list:
        return [obj]
    if isinstance(obj, list):
        return obj
    results = obj.get("results") if isinstance(obj, dict) else None
    if not isinstance(results, list):
        raise InvalidInputError(None, "is_list needs a list or a page with a 'results' list")
    return results


def _collect(items: list[Any], fields: list[str], *, check_urls: bool = True) -> list[_Ref]:
    """Every URL to convert, after checking each field's shape (and each URL's scheme)."""
    refs: list[_Ref] = []
    for item in items:
        for field in fields:
            *parents, last = field.split(".")
            container = item
            for part in parents:
                container = container.get(part) if isinstance(container, dict) else None
            if not isinstance(container, dict) or last not in container:
                continue
            value = container[last]
            if isinstance(value, str):
                refs.append(_Ref(container, last, value))
            elif isinstance(value, dict):
                for key, entry in value.items():
                    if isinstance(entry, str):
                        refs.append(_Ref(value, key, entry))
                    elif isinstance(entry, dict) and isinstance(entry.get("url"), str):
                        refs.append(_Ref(entry, "url", entry["url"], nested=True))
            else:
                raise InvalidInputError(
                    None,
                    f"field {field!r} holds {type(value).__name__}; url_conversion needs a URL string or a dict "
                    "of URLs (disable url_conversion for this call or omit the field)",
                )
    if check_urls:
        for ref in refs:
            if not ref.url.startswith("data:"):
                check_download_url(ref.url)
    return refs


def _apply(refs: list[_Ref], convert: Callable[[_Ref], Any], *, rename: bool) -> None:
    """Store each converted value; downloads turn a nested ``url`` key into ``path``."""
    for ref in refs:
        value = convert(ref)
        if rename and ref.nested:
            del ref.container["url"]
            ref.container["path"] = value
        else:
            ref.container[ref.key] = value


def _fetch_all(session: Session, urls: list[str], folder: Path, workers: int) -> dict[str, Path]:
    unique = list(dict.fromkeys(urls))
    if not unique:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=min(workers, len(unique))) as pool:
        futures = [submit(pool, _fetch, session, url, folder) for url in unique]
        paths = {url: future.result() for url, future in zip(unique, futures, strict=True)}
    _prune(folder, set(paths.values()))
    return paths


def _fetch(session: Session, url: str, folder: Path) -> Path:
    if url.startswith("data:"):
        return _store_data_uri(url, folder)
    path = urlsplit(url).path
    suffix = PurePosixPath(unquote(path)).suffix
    key = url.split("?", 1)[0].split("#", 1)[0]
    name = hashlib.md5(key.encode()).hexdigest() + (suffix if _EXTENSION.match(suffix) else "")
    target = folder / name
    if target.is_file():
        with contextlib.suppress(OSError):
            os.utime(target)
        return target
    return download(session, url, folder, filename=name)


def _store_data_uri(uri: str, folder: Path) -> Path:
    """Decode ``data:[mime][;base64],payload`` into a file named by the content's MD5."""
    header, sep, payload = uri[5:].partition(",")
    if not sep:
        raise InvalidInputError(None, "malformed data: URI (no ',' before the payload)")
    params = header.split(";")
    try:
        content = base64.b64decode(payload, validate=False) if "base64" in params[1:] else unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise InvalidInputError(None, "malformed data: URI (bad base64 payload)") from None
    extension = mimetypes.guess_extension(params[0].strip().lower()) if params[0] else None
    target = folder / (hashlib.md5(content).hexdigest() + (extension or ""))
    if not target.is_file():
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    return target


def _prune(folder: Path, fetched: set[Path]) -> None:
    """Keep the cache at ``$SYNAPSE_MAX_TEMP_FILES`` entries (default 2000), dropping the oldest first.

    Only the cache's own entries are candidates: the names it wrote, listed in a manifest in the
    folder. A ``cache_dir`` may be a folder the caller also keeps their own files in.
    """
    try:
        limit = int(os.environ.get("SYNAPSE_MAX_TEMP_FILES", _DEFAULT_MAX_FILES))
    except ValueError:
        limit = _DEFAULT_MAX_FILES
    manifest = folder / _MANIFEST
    names = _entries(manifest) | {path.name for path in fetched if path.parent == folder and _OWN_NAME.match(path.name)}
    entries: list[tuple[float, str]] = []
    for name in names:
        with contextlib.suppress(OSError):
            entries.append((os.stat(folder / name).st_mtime, name))
    entries.sort()
    keep = {path.name for path in fetched}
    excess = len(entries) - limit
    for _, name in entries:
        if excess <= 0:
            break
        if name not in keep:
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
                excess -= 1
    remaining = sorted(name for name in names if (folder / name).exists())
    with contextlib.suppress(OSError):
        write_json_atomic(manifest, {"entries": remaining})


def _entries(manifest: Path) -> set[str]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get("entries") if isinstance(data, dict) else None
    return (
        {name for name in names if isinstance(name, str) and _OWN_NAME.match(name)}
        if isinstance(names, list)
        else set()
    )

"""Multipart bodies and file arguments, encoded the way the backend parses them.

Data fields come first and file parts last; a dict field is sent as a JSON string, a
list as one part per element, ``None`` is left out and anything else is sent as ``str()``
(so booleans read ``True``/``False``, which the server understands).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import InvalidInputError
from ._files import check_file


def form_fields(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The text parts of a multipart body, in the caller's key order."""
    fields: list[tuple[str, str]] = []
    for key, value in data.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        fields.extend((str(key), _text(item)) for item in values)
    return fields


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def upload_source(source: object, name: str = "file") -> str | os.PathLike[str]:
    """The local path behind a path or an open file, for uploads that need to re-read by path."""
    candidate = getattr(source, "name", None) if hasattr(source, "read") else source
    if isinstance(candidate, bool) or not isinstance(candidate, (str, os.PathLike)):
        raise InvalidInputError(None, f"{name} must be a path or an open file, not {type(source).__name__}")
    return candidate


@contextlib.contextmanager
def file_part(source: object, name: str = "file") -> Iterator[tuple[str, Any]]:
    """``(filename, binary file)`` for a multipart part.

    A path is opened here and closed afterwards; an open file belongs to the caller and
    is left open.
    """
    if hasattr(source, "read"):
        label = getattr(source, "name", None)
        filename = os.path.basename(label) if isinstance(label, str) and label else name
        yield filename, source
        return
    path = check_file(source)
    with path.open("rb") as handle:
        yield path.name, handle

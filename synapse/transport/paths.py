"""Checking ids before they are put into a URL path.

Ids are interpolated into paths (``tasks/{id}/``), so a value such as ``'../x'`` or
``'1/2'`` would address another endpoint. Ints and plain tokens (UUIDs, plugin codes,
``code@version``) pass; anything else is refused before a request is sent.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidInputError

_SAFE_ID = re.compile(r"[A-Za-z0-9_.@-]{1,200}")


def check_id(value: Any, what: str = "id") -> int | str:
    """Return ``value`` if it is safe to put in a URL path, else raise InvalidInputError."""
    if isinstance(value, bool):
        raise InvalidInputError(None, f"{what} must be an int or a string id, not a bool")
    if isinstance(value, int):
        if value < 0:
            raise InvalidInputError(None, f"{what} must not be negative, got {value}")
        return value
    if isinstance(value, str) and _SAFE_ID.fullmatch(value) and value not in (".", ".."):
        return value
    raise InvalidInputError(None, f"{what} must be an int or a plain token (letters, digits, _ . @ -), got {value!r}")

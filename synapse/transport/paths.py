"""Checking ids before they are put into a URL path.

Ids are interpolated into paths (``tasks/{id}/``), so a value such as ``'../x'`` or
``'1/2'`` would address another endpoint. Ints and plain tokens (UUIDs, plugin codes,
``code@version``) pass; anything else is refused before a request is sent. So are numbers the
backend cannot store (its ids are 64-bit: beyond that a lookup is a 404 at best, and an int of
more than 4300 digits cannot even be printed).
"""

from __future__ import annotations

import re
from typing import Any, Final

from ..errors import InvalidInputError

_SAFE_ID = re.compile(r"[A-Za-z0-9_.@-]{1,200}")
MAX_ID: Final = 2**63 - 1
"""The largest primary key the backend's database stores (a signed 64-bit integer)."""


def check_id(value: Any, what: str = "id") -> int | str:
    """Return ``value`` if it is safe to put in a URL path, else raise InvalidInputError."""
    if isinstance(value, bool):
        raise InvalidInputError(None, f"{what} must be an int or a string id, not a bool")
    if isinstance(value, int):
        if value < 0:
            raise InvalidInputError(None, f"{what} must not be negative, got {_shown(value)}")
        if value > MAX_ID:
            raise InvalidInputError(None, f"{what} is too large: ids are at most 2**63 - 1")
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > 19 or int(value) > MAX_ID:
            raise InvalidInputError(None, f"{what} is too large: ids are at most 2**63 - 1 ({len(value)} digits given)")
        return value
    if isinstance(value, str) and _SAFE_ID.fullmatch(value) and value not in (".", ".."):
        return value
    raise InvalidInputError(
        None, f"{what} must be an int or a plain token (letters, digits, _ . @ -), got {_shown(value)}"
    )


def _shown(value: Any) -> str:
    """A short repr for messages (an int of more than 4300 digits has none)."""
    try:
        text = repr(value)
    except ValueError:
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= 80 else f"{text[:77]}..."

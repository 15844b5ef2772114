"""What the request log records about each request, for tests to assert on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field


class HeaderMap(Mapping[str, str]):
    """Read-only headers with case-insensitive lookups, keeping the names as sent."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = dict(items)
        self._lower = {k.lower(): v for k, v in items}

    def __getitem__(self, key: str) -> str:
        return self._lower[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lower

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"HeaderMap({self._items!r})"


@dataclass
class RequestRecord:
    """One request as the server saw it.

    Logged when the request arrives, then completed in place: ``finished`` turns True once the
    handler is done (answered, refused or dropped). ``path`` is relative to the base URL
    (``tasks/1/``); ``status`` is None until then, and stays None when the connection was dropped
    without an answer; ``fault`` names the injected fault that applied, if any.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: HeaderMap
    body_size: int
    status: int | None = None
    fault: str | None = None
    duration: float = 0.0
    started: float = 0.0
    error: str | None = field(default=None, repr=False)
    finished: bool = False

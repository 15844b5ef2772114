"""Fault injection: make chosen routes fail, hang, drip their answer slowly or drop the connection.

Patterns are **globs** matched against the path relative to the base URL (no leading slash, query
excluded), where ``*`` also crosses ``/``: ``"tasks/*"`` matches ``tasks/5/`` and
``tasks/5/annotate_task_data/``; ``"sdk/tasks/"`` matches only that path; ``"*"`` matches all.
A pattern starting with ``re:`` (or a compiled ``re.Pattern``) is a regex, matched with ``search``.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

DropMode = Literal["before", "after"]

_names = itertools.count(1)


@dataclass
class Fault:
    """One injected failure. ``times=None`` means it applies forever."""

    pattern: re.Pattern[str]
    methods: frozenset[str] | None
    status: int | None = 503
    times: int | None = 3
    retry_after: int | float | str | None = None
    delay: float = 0.0
    drop_connection: DropMode | None = None
    drip: float = 0.0
    """Seconds to wait before each byte of the body: a server that answers, but too slowly."""
    probability: float = 1.0
    body: Any = None
    content_type: str | None = None
    name: str = ""
    hits: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    after_handler: bool = False
    """Run the handler first, then answer ``status`` anyway: a proxy's 502 after the backend acted."""

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return self.pattern.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(0, self.times - self.hits)


def compile_pattern(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    if isinstance(pattern, re.Pattern):
        return pattern
    if pattern.startswith("re:"):
        return re.compile(pattern[3:])
    return re.compile(fnmatch.translate(pattern.lstrip("/")))


class FaultSet:
    """The faults of one backend; thread-safe, first matching fault wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._rng = random.Random(0)

    def add(
        self,
        route_pattern: str | re.Pattern[str],
        method: str | list[str] | None = None,
        status: int | None = 503,
        times: int | None = 3,
        retry_after: int | float | str | None = None,
        delay: float = 0.0,
        drop_connection: DropMode | None = None,
        probability: float = 1.0,
        body: Any = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        name: str | None = None,
        drip: float = 0.0,
        after_handler: bool = False,
    ) -> Fault:
        if drop_connection not in (None, "before", "after"):
            raise ValueError("drop_connection must be None, 'before' or 'after'")
        if drip < 0:
            raise ValueError("drip must be a non-negative number of seconds per byte")
        if status is None and not delay and not drip and drop_connection is None:
            raise ValueError("a fault needs a status, a delay, a drip or drop_connection")
        if after_handler and (status is None or drop_connection is not None):
            raise ValueError("after_handler needs a status and no drop_connection")
        methods = None
        if method is not None:
            names = [method] if isinstance(method, str) else method
            methods = frozenset(m.upper() for m in names)
        fault = Fault(
            pattern=compile_pattern(route_pattern),
            methods=methods,
            status=status,
            times=times,
            retry_after=retry_after,
            delay=delay,
            drop_connection=drop_connection,
            drip=drip,
            probability=probability,
            body=body,
            content_type=content_type,
            headers=dict(headers or {}),
            name=name or f"fault-{next(_names)}:{route_pattern if isinstance(route_pattern, str) else 're'}",
            after_handler=after_handler,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f is not fault]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def seed(self, value: int) -> None:
        """Make ``probability`` draws reproducible."""
        with self._lock:
            self._rng.seed(value)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault applying to this request, counting it as used."""
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path):
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                fault.hits += 1
                return fault
        return None

    def __iter__(self) -> Any:
        with self._lock:
            return iter(list(self._faults))

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

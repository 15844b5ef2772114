"""Watching a job: its console lines as they arrive, and its progress.

The console log listing (``jobs/{id}/console_logs/``) answers the whole log every time, so
following it means printing what was not printed before. Lines are matched by position and
content: a listing that extends the lines already shown prints only the new tail; one that
does not (the backend switched from the agent's live log to its stored copy, or keeps only
the last lines) prints what follows the longest overlap and warns that lines may be repeated
or missing. The streamed ``tail_console_logs/`` route is not used: it needs a second
connection held open beside the status polls, and its framing differs between backends.

Progress comes from ``progress_record``, which the backend stores as the job reports it. The
official SDK's job logger sends ``{"record": ..., "current_progress": {"overall": percent}}``;
a bare ``{"percent": ...}`` is read too. Anything else has no percentage.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ..errors import ListingChangedWarning

LineSink = Callable[[str], Any]


def percent_of(record: Any) -> float | None:
    """The overall percentage (0-100) in a ``progress_record``, or None when it carries none."""
    if not isinstance(record, dict):
        return None
    current = record.get("current_progress")
    value = current.get("overall") if isinstance(current, dict) else record.get("percent")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return min(max(float(value), 0.0), 100.0)


class LogTail:
    """What part of a repeatedly listed console log is new since the last listing."""

    def __init__(self, job: str, sink: LineSink) -> None:
        self._job = job
        self._sink = sink
        self._shown: list[dict[str, Any]] = []
        self._warned = False

    def feed(self, records: list[dict[str, Any]]) -> None:
        """Send the lines of ``records`` not shown yet to the sink, in order."""
        seen = self._shown
        if records[: len(seen)] == seen:
            start = len(seen)
        else:
            # the log shrank (nothing new), or moved on: print what follows the lines already shown
            start = len(records) if seen[: len(records)] == records else _overlap(seen, records)
            if not self._warned:
                self._warned = True
                warnings.warn(
                    f"the console log of {self._job} changed between two listings; "
                    "lines may be repeated or missing (log_lines() gives the log as the backend has it now)",
                    ListingChangedWarning,
                    stacklevel=4,
                )
        for record in records[start:]:
            self._sink(str(record.get("message", "")))
        self._shown = records


def _overlap(seen: list[dict[str, Any]], records: list[dict[str, Any]]) -> int:
    """The length of the longest tail of ``seen`` that ``records`` starts with."""
    for size in range(min(len(seen), len(records)), 0, -1):
        if seen[-size:] == records[:size]:
            return size
    return 0

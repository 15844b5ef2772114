"""Per-step measurements for the demo: items, bytes, requests sent and wall time.

Kept apart from the pipeline so the demo reads as a list of steps and the table format
lives in one place (tests parse it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..transport.session import Session

COLUMNS = ("step", "items", "bytes", "requests", "seconds")


@dataclass
class Step:
    """One measured step. ``items`` and ``nbytes`` are filled in by the step's body."""

    name: str
    items: int = 0
    nbytes: int = 0
    requests: int = 0
    seconds: float = 0.0

    def add(self, items: int = 0, nbytes: int = 0) -> None:
        self.items += items
        self.nbytes += nbytes


class Summary:
    """Collects steps; requests are counted from the session's own counter."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.steps: list[Step] = []

    @contextmanager
    def step(self, name: str) -> Iterator[Step]:
        """Measure the block; the step is recorded even when the block raises."""
        current = Step(name)
        sent_before = self.session.request_count
        started = time.monotonic()
        try:
            yield current
        finally:
            current.seconds = time.monotonic() - started
            current.requests = self.session.request_count - sent_before
            self.steps.append(current)

    def total(self) -> Step:
        return Step(
            "total",
            items=sum(s.items for s in self.steps),
            nbytes=sum(s.nbytes for s in self.steps),
            requests=sum(s.requests for s in self.steps),
            seconds=sum(s.seconds for s in self.steps),
        )

    def render(self) -> str:
        """A plain-text table, one row per step plus a total row."""
        rows = [COLUMNS]
        for step in [*self.steps, self.total()]:
            rows.append(
                (step.name, str(step.items), human_bytes(step.nbytes), str(step.requests), f"{step.seconds:.2f}")
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines = []
        for index, row in enumerate(rows):
            numbers = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            cells = [row[0].ljust(widths[0]), *numbers]
            lines.append("  ".join(cells).rstrip())
            if index == 0 or index == len(rows) - 2:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join(lines)


def human_bytes(count: int) -> str:
    """``0``, ``812 B``, ``4.1 KiB``, ``64.0 MiB``."""
    if count < 1024:
        return f"{count} B" if count else "0"
    value = count / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"

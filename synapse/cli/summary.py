"""Per-step measurements for the demo: items (itemised), bytes uploaded, requests sent and wall time.

Kept apart from the pipeline so the demo reads as a list of steps and the table format
lives in one place (tests parse it).
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from synapse import Session

COLUMNS = ("step", "items", "uploaded", "requests", "seconds", "items are")
LEGEND = (
    "items: what the step created, changed or read, itemised in the last column; "
    "uploaded: file contents sent (other request bodies are not counted); "
    "requests: HTTP requests sent, retries included; seconds: wall time."
)
WIDTH = 100


@dataclass
class Step:
    """One measured step. The step's body itemises what it did with :meth:`add`."""

    name: str
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    nbytes: int = 0
    requests: int = 0
    seconds: float = 0.0

    def add(self, count: int, singular: str, plural: str | None = None, *, nbytes: int = 0) -> None:
        """Count ``count`` things of one kind (``plural`` defaults to ``singular + "s"``) and uploaded bytes."""
        key = (singular, plural or singular + "s")
        self.counts[key] = self.counts.get(key, 0) + count
        self.nbytes += nbytes

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    def itemised(self) -> str:
        """``600 files, 300 data units``."""
        parts = []
        for (singular, plural), count in self.counts.items():
            parts.append(f"{count} {singular if count == 1 else plural}")
        return ", ".join(parts)


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

    def total(self) -> tuple[int, int, int, float]:
        """Items, uploaded bytes, requests and seconds over every step."""
        return (
            sum(s.items for s in self.steps),
            sum(s.nbytes for s in self.steps),
            sum(s.requests for s in self.steps),
            sum(s.seconds for s in self.steps),
        )

    def render(self) -> str:
        """A plain-text table, one row per step plus a total row, then the legend."""
        rows: list[tuple[str, ...]] = [COLUMNS]
        for step in self.steps:
            rows.append(_row(step.name, step.items, step.nbytes, step.requests, step.seconds, step.itemised()))
        rows.append(_row("total", *self.total(), ""))
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines = []
        for index, row in enumerate(rows):
            numbers = [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
            lines.append("  ".join([row[0].ljust(widths[0]), *numbers, row[-1]]).rstrip())
            if index == 0 or index == len(rows) - 2:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join([*lines, "", textwrap.fill(LEGEND, WIDTH)])


def _row(name: str, items: int, nbytes: int, requests: int, seconds: float, what: str) -> tuple[str, ...]:
    return (name, str(items), human_bytes(nbytes), str(requests), f"{seconds:.2f}", what)


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

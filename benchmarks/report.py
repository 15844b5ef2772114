"""Samples, result rows and the RESULTS.md table.

Every benchmark produces one or more :class:`Row` objects. A row compares a measured number
(usually the median of the per-run ratios client/baseline, measured in the same run on the
same machine) with a target and says whether it passed. A row that could not be measured is
still written, with the reason, so a missing benchmark is visible rather than silent.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """Repeated measurements of one quantity."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Sample:
        if not values:
            raise ValueError("a sample needs at least one value")
        return cls(tuple(float(v) for v in values))

    @property
    def median(self) -> float:
        return float(statistics.median(self.values))

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def spread_pct(self) -> float:
        """(max - min) / median, in percent: how noisy the runs were."""
        median = self.median
        return 100.0 * (self.high - self.low) / median if median else 0.0


def ratios(measured: Sequence[float], baseline: Sequence[float]) -> Sample:
    """Per-run ratios of interleaved runs (run i of the client over run i of the baseline)."""
    return Sample.of([m / b for m, b in zip(measured, baseline, strict=True) if b > 0])


@dataclass
class Row:
    """One line of the results table."""

    id: str
    what: str
    unit: str
    measured: Sample | None = None
    baseline: Sample | None = None
    compared: Sample | None = None
    """The quantity checked against the target (a ratio, or an absolute number)."""
    compared_unit: str = "x"
    target_op: str = "<="
    target: float = 0.0
    target_text: str = ""
    note: str = ""
    error: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.error is not None or self.compared is None:
            return None
        value = self.compared.median
        return value <= self.target if self.target_op == "<=" else value >= self.target

    @property
    def verdict(self) -> str:
        passed = self.passed
        if passed is None:
            return "NOT RUN"
        return "pass" if passed else "MISS"


def not_run(row_id: str, what: str, reason: str, target_text: str) -> Row:
    return Row(id=row_id, what=what, unit="", target_text=target_text, error=reason)


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.2f} s"
    if unit in ("MB", "MiB/s", "MB/s"):
        return f"{value:.1f} {unit}"
    if unit == "x":
        return f"{value:.3f}x"
    if unit == "req":
        return f"{value:.0f} req"
    return f"{value:.3g} {unit}".strip()


def _cell(sample: Sample | None, unit: str) -> str:
    if sample is None:
        return "-"
    text = _fmt(sample.median, unit)
    if len(sample.values) > 1:
        text += f" ({_fmt(sample.low, unit)} .. {_fmt(sample.high, unit)})"
    return text


def table(rows: Sequence[Row]) -> str:
    header = (
        "| id | what | baseline, median (min .. max) | synapse, median (min .. max) "
        "| checked value, median (min .. max) | target | result |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for row in rows:
        if row.error is not None:
            lines.append(f"| {row.id} | {row.what} | - | - | - | {row.target_text} | NOT RUN: {row.error} |")
            continue
        lines.append(
            f"| {row.id} | {row.what} | {_cell(row.baseline, row.unit)} | {_cell(row.measured, row.unit)} "
            f"| {_cell(row.compared, row.compared_unit)} | {row.target_text} | {row.verdict} |"
        )
    return header + "\n".join(lines) + "\n"


def console(rows: Sequence[Row]) -> str:
    out = []
    for row in rows:
        if row.error is not None:
            out.append(f"{row.id:<28} NOT RUN  {row.error}")
        else:
            checked = _cell(row.compared, row.compared_unit)
            out.append(f"{row.id:<28} {row.verdict:<5} {checked:<40} target {row.target_text}")
    return "\n".join(out)


def write_markdown(
    path: Path,
    rows: Sequence[Row],
    *,
    mode: str,
    sizes: dict[str, str],
    repeats: int,
    elapsed: float,
    notes: Sequence[str] = (),
) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    parts = [
        "# Benchmark results",
        "",
        f"Mode: **{mode}**, {repeats} runs per benchmark (interleaved with the baseline), "
        f"generated {stamp} in {elapsed:.0f} s on {machine}.",
        "",
        "Regenerate with `python -m benchmarks` (full) or `python -m benchmarks --quick`. "
        "The local backend runs in a separate process; the client side of every row runs alone in "
        "the measuring process (or a fresh subprocess where noted). Ratios are per-run "
        "synapse/baseline pairs, so machine speed cancels out; absolute times are for orientation only.",
        "",
        "Sizes: " + ", ".join(f"{key} = {value}" for key, value in sizes.items()) + ".",
        "",
        table(rows),
    ]
    row_notes = [f"- **{row.id}**: {row.note}" for row in rows if row.note]
    if row_notes or notes:
        parts += ["## Notes", "", *row_notes, *(f"- {note}" for note in notes), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")

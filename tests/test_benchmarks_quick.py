"""The benchmark suite runs end to end in quick mode and writes every row.

This checks that the benchmarks work, not how fast the client is: timings on a shared CI
machine are too noisy to gate on. The full run (``python -m benchmarks``) is for humans.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("werkzeug")
pytest.importorskip("psutil")


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_quick_benchmarks_complete_and_write_every_row(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.run import all_row_ids
    finally:
        sys.path.remove(str(ROOT))
    output = tmp_path / "RESULTS.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output), "--workdir", str(tmp_path / "work")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    assert "Mode: **quick**" in text
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    for row_id in all_row_ids():
        assert row_id in rows, f"missing row {row_id}"
        assert "NOT RUN" not in rows[row_id], rows[row_id]
        assert rows[row_id].rstrip().endswith(("| pass |", "| MISS |")), rows[row_id]

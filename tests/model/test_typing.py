"""Type checkers accept what users write: assigning a related object, an id or None to a foreign key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
from synapse import Assignment, DataUnit, Job, Project, Task

task = Task.get(1)
unit: DataUnit | None = task.data_unit
tasks: list[Task] = list(Project.get(1).tasks.filter(status="pending"))
task.project = Project.get(2)
task.project = 3
task.project = None
project: Project | None = task.project
assignment = Assignment.get(1)
assignment.task = task
job = Job.get(1)
job.agent = 4
wrong = Task.get(2)
wrong.project = 1.5
"""


@pytest.mark.slow
def test_mypy_accepts_relation_assignment_and_rejects_wrong_types(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    limit = sys.getrecursionlimit()
    try:
        out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(snippet)])
    finally:
        sys.setrecursionlimit(limit)  # mypy raises it for itself; later tests rely on Python's default
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 1, out + err
    assert "snippet.py:16:" in errors[0] and '"float"' in errors[0]
    assert status == 1

"""The bulk journal behind ``upload_many``'s re-run guarantee holds when several processes write it at once,
as the worker processes of a cluster sharing one cache folder do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from synapse.transfers._journal import BulkJournal

RECORD = """
import sys
from pathlib import Path
from synapse.transfers._journal import BulkJournal

journal = BulkJournal("http://backend/api", "units", 7, Path(sys.argv[1]))
for i in range(150):
    journal.record({f"{sys.argv[2]}-{i}": {"id": i}})
journal.forget([f"{sys.argv[2]}-{i}" for i in range(0, 150, 2)])
"""


def test_processes_recording_at_once_lose_no_entry(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", RECORD, str(tmp_path), f"w{n}"], stderr=subprocess.PIPE)
        for n in range(4)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()[-2000:]
    entries = BulkJournal("http://backend/api", "units", 7, tmp_path).load()
    assert sorted(entries) == sorted(f"w{n}-{i}" for n in range(4) for i in range(1, 150, 2))

"""Memory stays bounded by about one chunk, whatever the file size."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from synapse.transfers.uploads import chunked_upload
from synapse.transport.session import Session

MIB = 1024 * 1024


@pytest.mark.slow
def test_peak_memory_of_a_200_mb_upload_stays_near_one_chunk(session: Session, tmp_path: Path) -> None:
    chunk = 8 * MIB
    source = tmp_path / "big.bin"
    with source.open("wb") as handle:  # sparse: quick to create, still 200 MB to read and send
        handle.truncate(200 * MIB)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        reply = chunked_upload(session, source, chunk_size=chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply["size"] == 200 * MIB
    # Measured in-process, so this includes the local server's buffers too (about 10 MiB in all).
    assert peak < 1.5 * chunk + 2 * MIB, f"peak {peak / MIB:.1f} MiB"

"""The reliability suite's token, fast session settings and credential checks."""

from __future__ import annotations

from typing import Any

from synapse.testing import LocalBackend

TOKEN = "rel-TOKEN-7f3a9c0d51e24b86a9d4c2e1f0b3a5d7"
FOREIGN_TOKEN = "foreign-host-token"
FAST: dict[str, Any] = {
    "backoff_factor": 0.001,
    "backoff_max": 0.01,
    "retry_after_max": 0.05,
    "timeout": {"connect": 1, "read": 0.5, "total": 2},
}


def assert_no_foreign_credentials(foreign: LocalBackend) -> None:
    """The foreign host's request log holds no header carrying our token."""
    for record in foreign.requests:
        for name, value in record.headers.items():
            assert TOKEN not in value, f"{name} leaked to {foreign.url}"

"""A local, SQLite-backed Synapse backend for tests, demos and benchmarks.

    from synapse.testing import LocalBackend

    with LocalBackend() as backend:          # in-memory; LocalBackend(db="x.db") persists
        backend.seed_sample()
        client_base_url, token = backend.url, backend.token   # http://127.0.0.1:<port>/api/v1

Creating tasks: a JSON list body answers a JSON list; ``{"project": p, "data": [...]}`` answers
``{"count": n, "results": [...]}`` (what the official client reads); one object answers one
object. See ``server.LocalBackend`` for the API and ``faults`` for fault injection.

This package never imports the client side of ``synapse``; werkzeug is imported only when
``LocalBackend`` is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synapse.testing.faults import Fault, FaultSet
    from synapse.testing.records import RequestRecord
    from synapse.testing.server import LocalBackend

__all__ = ["Fault", "FaultSet", "LocalBackend", "RequestRecord"]


def __getattr__(name: str) -> Any:
    if name == "LocalBackend":
        from synapse.testing.server import LocalBackend

        return LocalBackend
    if name in ("Fault", "FaultSet"):
        from synapse.testing import faults

        return getattr(faults, name)
    if name == "RequestRecord":
        from synapse.testing.records import RequestRecord

        return RequestRecord
    raise AttributeError(f"module 'synapse.testing' has no attribute {name!r}")

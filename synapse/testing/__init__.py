"""A local, SQLite-backed Synapse backend for tests, demos and benchmarks.

    from synapse.testing import LocalBackend

    with LocalBackend() as backend:          # in-memory; LocalBackend(db="x.db") persists
        backend.seed_sample()
        base_url, token = backend.url, backend.token   # http://127.0.0.1:<port>/api/v1

It follows the wire contract in ``synapse-api.md``. Choices where the contract leaves room:

- ``POST tasks/``: a JSON list body answers a JSON list; ``{"project": p, "data": [...]}``
  answers ``{"count": n, "results": [...]}`` (what the official client reads); one object
  answers one object. ``POST data_units/`` and ``POST logs/`` answer a list for a list body.
- File URLs (data files, data-unit ``files[*].url``, model ``file``, chunked upload ``file``)
  are absolute, under ``<url>/media/<key>/<name>``, need no auth and honour ``Range``.
- Chunked upload ids are 32-hex strings; a page past the end and ``page=abc`` are 404
  ``{"detail": "Invalid page."}``; ``page_size`` <= 0 or non-numeric is 400.
- Jobs created by ``plugins/{id|code}/run/`` run by themselves (PENDING -> RUNNING ->
  SUCCEEDED, or FAILED when ``params.fail``/``params.should_fail`` is truthy).
- List filters: ``field=v`` (repeat for IN), ``field__in=a,b``, ``__gt/__gte/__lt/__lte``,
  ``__contains/__icontains/__startswith``, ``__isnull``, nested ``meta__label=x``; ``tags=<id>``
  matches tasks/assignments carrying that tag; a plugin filter (``plugin_releases/?plugin=``,
  ``models/?plugin=``) takes a code or an id.
- Jobs left PENDING/RUNNING in a file database carry on when the backend starts again.

Fault injection lives in ``synapse.testing.faults``. This package never imports the client side
of ``synapse``; werkzeug is imported only when ``LocalBackend`` is first used.
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

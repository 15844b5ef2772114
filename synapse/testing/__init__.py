"""A local, SQLite-backed Synapse backend for tests, demos and benchmarks.

    from synapse.testing import LocalBackend

    with LocalBackend() as backend:          # in-memory; LocalBackend(db="x.db") persists
        backend.seed_sample()
        base_url, token = backend.url, backend.token   # http://127.0.0.1:<port>/api/v1

It follows the wire contract in ``synapse-api.md`` and, where Django REST Framework decides, does
what DRF does (``tests/conformance`` checks it against a real DRF application at several caps):
PageNumberPagination with ``page_size`` clamped to ``max_page_size`` while ``next``/``previous``
keep the requested size; an unusable ``page_size`` means the default size; a bad or past-the-end
``page`` is 404 ``{"detail": "Invalid page."}``; only the declared filters of each family filter
(``synapse.testing.filtersets``), with django-filter's 400 bodies, and any other parameter is
ignored; ``ordering`` keeps the family's readable fields and falls back to ordering by id.

Choices where the contract leaves room:

- ``POST tasks/``: a JSON list body answers a JSON list; ``{"project": p, "data": [...]}``
  answers ``{"count": n, "results": [...]}`` (what the official client reads); one object
  answers one object. ``POST data_units/`` and ``POST logs/`` answer a list for a list body.
- File URLs (data files, data-unit ``files[*].url``, model ``file``, chunked upload ``file``)
  are absolute, under ``<url>/media/<key>/<name>``, need no auth and honour ``Range``.
- Chunked upload ids are 32-hex strings.
- Jobs created by ``plugins/{id|code}/run/`` run by themselves (PENDING -> RUNNING ->
  SUCCEEDED, or FAILED when ``params.fail``/``params.should_fail`` is truthy). A given ``action``
  must be one of the release's ``available_actions`` (declared, or the keys of its
  ``config["actions"]``); a run without an action is accepted, as the seed-era payload has none.
- ``POST agents/`` mints a 40-hex token and shows it, with ``node_install_script``, only in that
  reply. A project needs a ``title``; v1 clients send ``name``, and either fills the other.
- Jobs left PENDING/RUNNING in a file database carry on when the backend starts again.

Deliberate differences from the real (DRF on PostgreSQL) backend, each for one reason:

- A missing row is 404 ``{"detail": "Not found."}``: DRF >= 3.15 words it "No <Model> matches the
  given query."; the wording depends on the DRF version, clients read the status.
- Ordering ties are broken by ascending id, and NULLs sort first ascending (SQLite); PostgreSQL
  guarantees no tie order and sorts NULLs last. A stable order keeps page walks deterministic.
- The orderable fields are the v2 schema's plus the v1 fields clients read (the v1 serializers are
  not published); list-valued fields (``tags``, ...) are not orderable, because Django would order
  through a many-to-many join and repeat rows.
- The default ordering of every family is by id; the real models may declare another.
- Rows are stored as sent: fields a real serializer would drop come back, and every row carries
  ``created``/``modified``. ``expand``, ``fields`` and ``omit`` work on every family.
- The ``plugin`` filter takes a plugin code as well as an id, as the contract sends ``plugin=<code>``.

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

"""SQLite storage for the local backend.

Each object lives as its JSON text in a per-kind table (``id INTEGER PRIMARY KEY, data TEXT``).
List pages are answered by joining the stored JSON strings, so the hot path (iterating tens of
thousands of tasks) never decodes and re-encodes rows. Filters use ``json_extract``; fields that
clients filter on constantly get an expression index (see ``schema.INDEXED``).

One connection guarded by one lock: an in-memory database can only be shared across threads
that way, and SQLite serialises writers anyway. Every statement is short, so the lock is never
held for long.

Ordering by a field other than ``id`` has no index to walk, so each page would sort the whole
table again; instead the sorted ids of a query are kept (a few queries, until the next write of
that kind) and every later page is a slice of them.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from synapse.testing.schema import ALL_KINDS, INDEXED

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Sorted id lists kept for non-id orderings (each is one list of ints per query).
SORTED_QUERIES_KEPT = 8


def dumps(value: Any) -> str:
    """Compact JSON text, the form every object is stored and served in."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _expr(path: str) -> str:
    if path == "id":
        return "id"
    parts = path.split("__")
    if not all(_NAME.match(part) for part in parts):
        raise ValueError(f"unsafe field path {path!r}")
    return "json_extract(data, '$." + ".".join(parts) + "')"


@dataclass
class Query:
    """A list query: filters are ANDed; each filter's values are ORed.

    Operators: ``in`` (the field equals one of the values), ``has`` (a list field holds one of
    them), ``gte``/``lte`` (compared with the first value)."""

    filters: list[tuple[str, str, list[Any]]] = field(default_factory=list)
    ordering: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for path, op, values in self.filters:
            expr = _expr(path)
            if op == "has":
                path_text = "$." + ".".join(path.split("__"))
                marks = ",".join("?" * len(values)) or "NULL"
                clauses.append(f"EXISTS (SELECT 1 FROM json_each(data, '{path_text}') WHERE value IN ({marks}))")
                params.extend(values)
            elif op == "in":
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{expr} IN ({','.join('?' * len(values))})")
                params.extend(values)
            else:
                sign = {"gte": ">=", "lte": "<="}[op]
                clauses.append(f"{expr} {sign} ?")
                params.append(values[0] if values else None)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def order_by(self) -> str:
        terms = [f"{_expr(path)} {'DESC' if desc else 'ASC'}" for path, desc in self.ordering]
        if not any(path == "id" for path, _ in self.ordering):
            terms.append("id ASC")
        return " ORDER BY " + ", ".join(terms)


class Store:
    """Thread-safe object store: ``kind`` -> ``id`` -> JSON object."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        with self._lock:
            if path:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, last INTEGER)")
            for kind in sorted(ALL_KINDS):
                self._conn.execute(f'CREATE TABLE IF NOT EXISTS "{kind}" (id INTEGER PRIMARY KEY, data TEXT NOT NULL)')
                for name in INDEXED.get(kind, ()):
                    self._conn.execute(f'CREATE INDEX IF NOT EXISTS "ix_{kind}_{name}" ON "{kind}" ({_expr(name)})')
            self._generation: dict[str, int] = dict.fromkeys(ALL_KINDS, 0)
            self._count_cache: dict[tuple[Any, ...], tuple[int, int]] = {}
            self._cursor_cache: dict[tuple[Any, ...], tuple[int, int]] = {}
            self._sorted_cache: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()
            self._last: dict[str, int] = {}
            for kind in ALL_KINDS:
                row = self._conn.execute(f'SELECT MAX(id) FROM "{kind}"').fetchone()
                seq = self._conn.execute("SELECT last FROM sequences WHERE kind = ?", (kind,)).fetchone()
                self._last[kind] = max(int(row[0] or 0), int(seq[0]) if seq else 0)

    def _touch(self, kind: str) -> None:
        """Invalidate cached counts and page cursors of ``kind`` (caller holds the lock)."""
        self._generation[kind] += 1
        for key in [key for key in self._sorted_cache if key[0] == kind]:
            del self._sorted_cache[key]
        if len(self._count_cache) > 4096:
            self._count_cache.clear()
        if len(self._cursor_cache) > 4096:
            self._cursor_cache.clear()

    @staticmethod
    def _table(kind: str) -> str:
        if kind not in ALL_KINDS:
            raise KeyError(kind)
        return f'"{kind}"'

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writes -------------------------------------------------------------------------------

    def insert_many(self, kind: str, objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store new objects, assigning ids (an explicit free ``id`` is kept). Returns them."""
        table = self._table(kind)
        stored: list[dict[str, Any]] = []
        with self._lock:
            rows: list[tuple[int, str]] = []
            last = self._last[kind]
            for obj in objects:
                given = obj.get("id")
                if isinstance(given, int) and not isinstance(given, bool) and given > 0:
                    new_id = given
                else:
                    last += 1
                    new_id = last
                last = max(last, new_id)
                obj = {"id": new_id, **{k: v for k, v in obj.items() if k != "id"}}
                rows.append((new_id, dumps(obj)))
                stored.append(obj)
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(f"INSERT OR REPLACE INTO {table} (id, data) VALUES (?, ?)", rows)
                self._conn.execute("INSERT OR REPLACE INTO sequences (kind, last) VALUES (?, ?)", (kind, last))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._last[kind] = last
            self._touch(kind)
        return stored

    def insert(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return self.insert_many(kind, [obj])[0]

    def replace(self, kind: str, obj: dict[str, Any]) -> None:
        """Overwrite the stored object with the same id."""
        with self._lock:
            self._conn.execute(f"UPDATE {self._table(kind)} SET data = ? WHERE id = ?", (dumps(obj), obj["id"]))
            self._touch(kind)

    def update(self, kind: str, obj_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Merge ``changes`` into the object atomically; returns the result or None if missing."""
        with self._lock:
            current = self.get(kind, obj_id)
            if current is None:
                return None
            current.update(changes)
            current["id"] = obj_id
            self.replace(kind, current)
            return current

    def delete(self, kind: str, obj_id: int) -> bool:
        with self._lock:
            cur = self._conn.execute(f"DELETE FROM {self._table(kind)} WHERE id = ?", (obj_id,))
            self._touch(kind)
            return cur.rowcount > 0

    def clear(self) -> None:
        """Remove every object and restart id sequences."""
        with self._lock:
            self._conn.execute("BEGIN")
            for kind in ALL_KINDS:
                self._conn.execute(f"DELETE FROM {self._table(kind)}")
            self._conn.execute("DELETE FROM sequences")
            self._conn.execute("COMMIT")
            self._last = dict.fromkeys(ALL_KINDS, 0)
            for kind in ALL_KINDS:
                self._touch(kind)

    # -- reads --------------------------------------------------------------------------------

    def get_text(self, kind: str, obj_id: int) -> str | None:
        with self._lock:
            row = self._conn.execute(f"SELECT data FROM {self._table(kind)} WHERE id = ?", (obj_id,)).fetchone()
        return str(row[0]) if row else None

    def get(self, kind: str, obj_id: int) -> dict[str, Any] | None:
        text = self.get_text(kind, obj_id)
        return json.loads(text) if text is not None else None

    def _texts(self, kind: str, ids: Sequence[int]) -> dict[int, str]:
        """Stored JSON texts by id (missing ids are simply absent)."""
        found: dict[int, str] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT id, data FROM {self._table(kind)} WHERE id IN ({','.join('?' * len(batch))})",
                    batch,
                ).fetchall()
            found.update((int(row_id), str(text)) for row_id, text in rows)
        return found

    def get_many(self, kind: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Objects by id (missing ids are simply absent)."""
        return {row_id: json.loads(text) for row_id, text in self._texts(kind, ids).items()}

    def find(self, kind: str, query: Query) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.page(kind, query)]

    def find_one(self, kind: str, field_path: str, value: Any) -> dict[str, Any] | None:
        rows = self.find(kind, Query(filters=[(field_path, "in", [value])], limit=1))
        return rows[0] if rows else None

    def count(self, kind: str, query: Query) -> int:
        where, params = query.where()
        key = (kind, where, *params)
        with self._lock:
            cached = self._count_cache.get(key)
            if cached is not None and cached[0] == self._generation[kind]:
                return cached[1]
            row = self._conn.execute(f"SELECT COUNT(*) FROM {self._table(kind)}{where}", params).fetchone()
            self._count_cache[key] = (self._generation[kind], int(row[0]))
        return int(row[0])

    def page(self, kind: str, query: Query) -> list[str]:
        """JSON texts of the matching objects, in order, limited and offset."""
        where, params = query.where()
        table = self._table(kind)
        order = query.order_by()
        if query.limit is None:
            with self._lock:
                return [str(row[0]) for row in self._conn.execute(f"SELECT data FROM {table}{where}{order}", params)]
        by_id = [path for path, _ in query.ordering] in ([], ["id"])
        if not by_id:
            return self._sorted_page(kind, query, where, params, order)
        descending = bool(query.ordering and query.ordering[0][1])
        key = (kind, where, descending, *params)
        with self._lock:
            generation = self._generation[kind]
            here = (*key, query.offset)
            hint = self._cursor_cache.get(here)
            if hint is not None and hint[0] == generation:
                # Sequential walk (page N+1 right after page N): continue after the last id seen
                # instead of skipping `offset` rows again.
                test = "id < ?" if descending else "id > ?"
                glue = " AND " if where else " WHERE "
                sql = f"SELECT id, data FROM {table}{where}{glue}{test}{order} LIMIT ?"
                rows = self._conn.execute(sql, [*params, hint[1], query.limit]).fetchall()
            else:
                # Skip the offset over ids only (an index walk) and fetch just this page's rows.
                sql = (
                    f"SELECT id, data FROM {table} WHERE id IN "
                    f"(SELECT id FROM {table}{where}{order} LIMIT ? OFFSET ?){order}"
                )
                rows = self._conn.execute(sql, [*params, query.limit, query.offset]).fetchall()
            if rows:
                after = (*key, query.offset + len(rows))
                self._cursor_cache[after] = (generation, int(rows[-1][0]))
        return [str(row[1]) for row in rows]

    def _sorted_page(self, kind: str, query: Query, where: str, params: list[Any], order: str) -> list[str]:
        """One page of a non-id ordering: sort the matching ids once, then slice."""
        table = self._table(kind)
        key = (kind, where, order, *params)
        with self._lock:
            ids = self._sorted_cache.get(key)
            if ids is not None:
                self._sorted_cache.move_to_end(key)
            else:
                ids = [int(row[0]) for row in self._conn.execute(f"SELECT id FROM {table}{where}{order}", params)]
                self._sorted_cache[key] = ids
                while len(self._sorted_cache) > SORTED_QUERIES_KEPT:
                    self._sorted_cache.popitem(last=False)
        wanted = ids[query.offset : query.offset + (query.limit or 0)]
        texts = self._texts(kind, wanted)
        # A row deleted between the two statements is skipped rather than served stale.
        return [texts[row_id] for row_id in wanted if row_id in texts]

    def existing_ids(self, kind: str, ids: Iterable[int]) -> set[int]:
        """The subset of ``ids`` that exist, without decoding any object."""
        unique = list(dict.fromkeys(ids))
        found: set[int] = set()
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT id FROM {self._table(kind)} WHERE id IN ({','.join('?' * len(batch))})", batch
                ).fetchall()
            found.update(int(row[0]) for row in rows)
        return found

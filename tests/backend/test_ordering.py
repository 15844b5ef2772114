"""Ordering by a non-id field: right order, every row once, and one sort per walk (not per page)."""

from __future__ import annotations

from synapse.testing.store import Query, Store

ROWS = 2_000


def walk(store: Store, ordering: list[tuple[str, bool]], size: int = 100) -> list[int]:
    ids: list[int] = []
    for offset in range(0, ROWS + size, size):
        page = store.find("tasks", Query(ordering=ordering, limit=size, offset=offset))
        ids.extend(int(obj["id"]) for obj in page)
    return ids


def test_walk_sorts_once_and_sees_every_row() -> None:
    store = Store()
    store.insert_many("tasks", [{"project": 1, "priority": (i * 7919) % 97} for i in range(ROWS)])
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    ids = walk(store, [("priority", True)])
    sorts = [sql for sql in statements if "ORDER BY json_extract" in sql]
    assert len(sorts) == 1, sorts[:3]
    assert sorted(ids) == list(range(1, ROWS + 1))
    priorities = {i: ((i - 1) * 7919) % 97 for i in ids}
    assert ids == sorted(ids, key=lambda i: (-priorities[i], i))  # ties broken by id, ascending
    store.close()


def test_a_write_invalidates_the_sorted_ids() -> None:
    store = Store()
    store.insert_many("tasks", [{"priority": n} for n in (5, 3, 9)])
    assert walk(store, [("priority", False)]) == [2, 1, 3]
    store.insert("tasks", {"priority": 1})
    store.delete("tasks", 3)
    assert walk(store, [("priority", False)]) == [4, 2, 1]
    store.close()

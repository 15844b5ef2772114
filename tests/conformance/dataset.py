"""The rows both backends are seeded with, in the local backend's wire shape (foreign keys as ids).

Values are chosen so that every declared filter selects a proper subset and every ordering used by
the tests differs from id order without ties (unique titles, unique ``created``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

COLLECTION_CATEGORIES = ("image", "video", "audio", "text", "pcd", "data")
PROJECT_CATEGORIES = ("image", "video", "audio", "text", "pcd", "prompt", "time_series")

COLLECTIONS = 6
PROJECTS = 30
UNITS = 260
TASKS = 1234

_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def timestamp(seconds: int) -> str:
    """A ``created`` value as the local backend writes it (UTC, microseconds, ``Z``)."""
    return (_EPOCH + timedelta(seconds=seconds)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def rows() -> dict[str, list[dict[str, Any]]]:
    """Every family's rows, parents first."""
    collections = [
        {
            "id": i,
            "name": f"collection {(i * 5) % 7}",
            "description": "",
            "category": COLLECTION_CATEGORIES[i % 6],
            "created": timestamp(1000 - i),
        }
        for i in range(1, COLLECTIONS + 1)
    ]
    projects = [
        {
            "id": i,
            "title": f"project {(i * 7) % 31:02d}",
            "name": f"project {(i * 7) % 31:02d}",
            "category": PROJECT_CATEGORIES[i % 7],
            "data_collection": (i % 4) or None,
            "created": timestamp((i * 11) % 31),
        }
        for i in range(1, PROJECTS + 1)
    ]
    units = [
        {"id": i, "data_collection": 1 + i % 3, "meta": {"index": i}, "created": timestamp((i * 17) % 263)}
        for i in range(1, UNITS + 1)
    ]
    tasks = []
    for i in range(1, TASKS + 1):
        has_data = i % 3 == 0
        tasks.append(
            {
                "id": i,
                "project": 1 + i % 5,
                "data_unit": None if i % 10 == 0 else 1 + i % UNITS,
                "data": {"value": i} if has_data else None,
                "has_data": has_data,
                "is_discarded": i % 7 == 0,
                "status": "completed" if i % 4 == 0 else "pending",
                "created": timestamp((i * 37) % TASKS),
            }
        )
    return {"data_collections": collections, "projects": projects, "data_units": units, "tasks": tasks}

"""The lean constructor for server data must build what ``model_construct`` would."""

from __future__ import annotations

from typing import Any, ClassVar

from synapse import Session, Task
from synapse.orm.resource import Resource


def _session() -> Session:
    return Session("http://127.0.0.1:9/api/v1", api_token="t")


def _wire() -> dict[str, Any]:
    return {
        "id": 7,
        "project": 3,
        "status": "pending",
        "data": {"image": "a.jpg", "boxes": [[1, 2], [3, 4]]},
        "meta": {"k": [1]},
        "created": "2026-01-01T00:00:00Z",
    }


def test_same_fields_extra_and_fields_set_as_model_construct() -> None:
    session = _session()
    task = Task._from_server(_wire(), session)
    reference = Task.model_construct(**Task._wire_to_fields(_wire(), {}, None))
    assert task.__dict__ == reference.__dict__
    assert task.__pydantic_extra__ == reference.__pydantic_extra__
    assert task.model_fields_set == reference.model_fields_set
    assert task.project_id == 3 and task.meta == {"k": [1]}
    assert task._bound_session() is session
    assert not task.is_dirty


def test_in_place_edits_of_fields_and_extras_are_seen() -> None:
    session = _session()
    task = Task._from_server(_wire(), session)
    task.data["boxes"][0].append(9)
    task.meta["k"].append(2)
    assert task.changed_fields() == {"data", "meta"}
    assert task.to_wire(task.changed_fields())["data"]["boxes"][0] == [1, 2, 9]


def test_server_dict_is_not_shared_with_the_object() -> None:
    wire = _wire()
    task = Task._from_server(wire, _session())
    wire["data"]["image"] = "changed.jpg"
    assert task.data["image"] == "a.jpg"


class _WithPostInit(Resource):
    api_path: ClassVar[str] = ""
    name: str | None = None
    calls: ClassVar[int] = 0

    def model_post_init(self, context: Any) -> None:
        type(self).calls += 1


def test_classes_with_their_own_post_init_keep_the_pydantic_path() -> None:
    before = _WithPostInit.calls
    obj = _WithPostInit._from_server({"id": 1, "name": "x", "other": 2}, _session())
    assert _WithPostInit.calls == before + 1
    assert obj.name == "x" and obj.__pydantic_extra__ == {"other": 2}
    obj.name = "y"
    assert obj.changed_fields() == {"name"}

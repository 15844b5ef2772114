"""``help()`` and ``dir()`` at the prompt: what a family offers, not pydantic's machinery."""

from __future__ import annotations

import pydoc
import re

import pytest

import synapse.resources  # noqa: F401 - loads every family into the registry
from synapse.orm.relations import BelongsTo, HasMany, registered
from synapse.orm.resource import Resource

FAMILIES = sorted(registered().values(), key=lambda cls: cls.__name__)
PYDANTIC_V1 = {"dict", "json", "copy", "parse_obj", "parse_raw", "parse_file", "schema", "schema_json", "validate"}
PYDANTIC_V1 |= {"construct", "from_orm", "update_forward_refs"}


def help_text(cls: type) -> str:
    return pydoc.render_doc(cls, renderer=pydoc.plaintext)  # type: ignore[attr-defined]  # not in typeshed


def actions(cls: type[Resource]) -> set[str]:
    """Public methods and properties the family and its mixins add to the common Resource API."""
    own = cls.__mro__[: cls.__mro__.index(Resource)]
    return {
        name
        for klass in own
        for name, value in vars(klass).items()
        if not name.startswith("_")
        and (callable(getattr(value, "__func__", value)) or isinstance(value, property))
        and not isinstance(value, type)
    }


def section(doc: str, title: str) -> list[str]:
    """The lines of one section of a generated docstring (empty when the family has none)."""
    lines = doc.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(title)]
    if not starts:
        return []
    body = lines[starts[0] + 1 :]
    return body[: body.index("")] if "" in body else body


@pytest.mark.parametrize("cls", FAMILIES, ids=lambda cls: cls.__name__)
def test_help_lists_fields_relations_filters_and_actions(cls: type[Resource]) -> None:
    text = help_text(cls)
    doc = cls.__doc__ or ""
    relation_ids = {r.id_attr if isinstance(r, BelongsTo) else r.ids_attr for r in cls._relations.values()}
    for name in set(cls.model_fields) - relation_ids:
        assert re.search(rf"^ \|      {name}: \S", text, re.MULTILINE), f"field {name} with its type"
    for relation in cls._relations.values():
        ids = relation.id_attr if isinstance(relation, BelongsTo) else relation.ids_attr
        own = "its id" if isinstance(relation, BelongsTo) else "their ids"
        assert re.search(rf"^ \|      {relation.name} -> .+ \({own}: {ids}\)$", text, re.MULTILINE), relation.name
    for name, value in vars(cls).items():
        if isinstance(value, HasMany):
            assert f"    {name} -> QuerySet of " in doc, name
    filters = section(doc, f"Filters ({cls.__name__}.filter(...)")
    for spec in cls._meta.filters.values():
        (line,) = [line for line in filters if line.startswith(f"    {spec.name}: ")]
        assert all(choice in line for choice in spec.choices), f"filter {spec.name} lists its choices"
    listed = section(doc, "Actions:")
    for name in actions(cls):
        assert [line for line in listed if re.match(rf"    {name}\b", line)], f"action {name}"
    assert not {name for name in re.findall(r"\bmodel_\w+", text)} - {"model_dump", "model_dump_json"}
    assert "__pydantic" not in text and "FieldInfo" not in text
    assert not {name for name in PYDANTIC_V1 if re.search(rf"^ \|  {name}\(", text, re.MULTILINE)}
    # The docstring (at most ~50 lines) plus pydoc's listing of the public API (about 110 lines shared by
    # every family, a third of them pydantic's own model_dump_json docstring, plus each family's actions).
    # With pydantic's internals listed, help() ran to 570-640 lines.
    assert len(text.splitlines()) < 250


def test_help_of_a_task_is_short_and_says_what_each_field_is() -> None:
    from synapse import Task

    text = help_text(Task)
    assert len(text.splitlines()) < 200  # 616 lines before, 385 of them pydantic internals
    for line in (
        "data_schema: TaskSchema | None (sent as 'schema'; one of dm_schema_v1, any)",
        "created: datetime | None (read-only)",
        "project -> Project (its id: project_id)",
        "tags -> list of TaskTag (their ids: tag_ids)",
        "assignments -> QuerySet of Assignment (Assignment.filter(task=...))",
        "is_discarded: True or False",
        "annotate(data, *, schema=None): Store annotation",
    ):
        assert line in text


def test_help_of_a_job_lists_its_status_choices_and_watching() -> None:
    from synapse import Job

    doc = Job.__doc__ or ""
    assert "status: JobStatus | None (one of PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED)" in doc
    assert "    status: one of PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED" in doc
    assert "    follow(timeout=600.0, poll=1.0, *, progress=None)" in doc
    assert "    stop(): " in doc


@pytest.mark.parametrize("cls", FAMILIES, ids=lambda cls: cls.__name__)
def test_dir_of_a_class_offers_what_a_user_calls(cls: type[Resource]) -> None:
    names = set(dir(cls))
    assert {"get", "filter", "all", "create", "get_or_create", "save", "refresh", "delete", "DoesNotExist"} <= names
    assert {"model_dump", "model_dump_json"} <= names
    assert actions(cls) <= names
    assert {relation.name for relation in cls._relations.values()} <= names
    assert not [name for name in names if name.startswith("_")]
    assert not [name for name in names if name.startswith("model_") and name not in ("model_dump", "model_dump_json")]
    assert not names & PYDANTIC_V1
    assert not names & set(cls.model_fields), "fields belong to objects"
    assert names <= set(dir(cls.model_construct())), "an object offers everything its class does"

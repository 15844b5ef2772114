"""Conventions every resource follows, checked for all of them at once."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import synapse
import synapse.resources
from synapse import NotFoundError
from synapse.orm.relations import BelongsTo, HasMany, registered, resolve
from synapse.orm.resource import Resource

RESOURCES = sorted(registered().values(), key=lambda cls: cls.__name__)
PACKAGE = Path(synapse.__file__).parent / "resources"


def test_every_family_is_registered() -> None:
    names = {cls.__name__ for cls in RESOURCES}
    assert {
        "Project",
        "Task",
        "TaskTag",
        "Assignment",
        "DataCollection",
        "DataFile",
        "DataUnit",
        "Plugin",
        "PluginRelease",
        "Agent",
        "Job",
        "Storage",
        "Model",
        "GroundTruthDataset",
        "GroundTruthVersion",
        "GroundTruthEvent",
    } <= names


@pytest.mark.parametrize("cls", RESOURCES, ids=lambda cls: cls.__name__)
def test_resource_conventions(cls: type[Resource]) -> None:
    meta = cls._meta
    assert getattr(synapse, cls.__name__) is cls, "exported from synapse"
    assert cls.__name__ in synapse.__all__
    assert meta.name == cls.__name__
    for path in (meta.path, meta.list_path):
        assert path.endswith("/") and not path.startswith("/")
    assert cls.__doc__ and cls.__doc__.strip()
    assert issubclass(cls.DoesNotExist, NotFoundError) and cls.DoesNotExist is not NotFoundError
    assert cls.DoesNotExist.__qualname__ == f"{cls.__name__}.DoesNotExist"
    relations = {relation.name: relation for relation in cls._relations.values()}
    for name in meta.repr_fields:
        assert name in cls.model_fields or name in relations, f"repr field {name}"
    for relation in cls._relations.values():
        attr = relation.id_attr if isinstance(relation, BelongsTo) else relation.ids_attr
        assert cls.model_fields[attr].alias == relation.key, f"{relation.name} is spelled {relation.key} on the wire"
        relation.target_class  # noqa: B018 - resolves, or raises LookupError
    for spec in meta.filters.values():
        if spec.target is not None:
            family: type[Resource] = resolve(spec.target)
            assert family._meta.name == spec.target, f"filter {spec.name} points at a family"
        if spec.kind == "choice":
            assert spec.choices, f"choice filter {spec.name} lists its choices"
    assert meta.expansions >= set(cls._relations), "every relation can be expanded"
    for value in vars(cls).values():
        if isinstance(value, HasMany):
            target = resolve(value.target)
            assert target._meta.list_path, f"{value.name} points at a listable resource"
            assert value.key in target._meta.filters, f"{value.name} filters {target.__name__} by a declared filter"
    # every typed field is optional so that partial (fields=...) responses load
    for name, field in cls.model_fields.items():
        assert not field.is_required(), f"{cls.__name__}.{name} must default to None"


def test_subclassing_a_family_does_not_replace_it() -> None:
    from synapse import Project, Task

    class MyProject(Project):
        """A user's own project class."""

    assert Task.project.target_class is Project
    assert registered()["Project"] is Project


def test_all_is_sorted_and_complete() -> None:
    assert list(synapse.__all__) == sorted(synapse.__all__)
    assert all(hasattr(synapse, name) for name in synapse.__all__)


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_resource_modules_declare_and_leave_orchestration_to_transfers(module: Path) -> None:
    source = module.read_text()
    assert len(source.splitlines()) < 300
    tree = ast.parse(source)
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert not imported & {"concurrent.futures", "threading", "multiprocessing"}, "no thread pools in resources/"
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            assert ast.get_docstring(node) or _is_trivial(node), f"{module.name}:{node.name} has no docstring"


def _is_trivial(node: ast.AST) -> bool:
    """Tiny properties and overrides whose name says it all."""
    return isinstance(node, ast.FunctionDef) and len(node.body) <= 2


def test_relations_are_descriptors_not_fields() -> None:
    for cls in RESOURCES:
        for name, value in inspect.getmembers(cls):
            if isinstance(value, (BelongsTo, HasMany)):
                assert name not in cls.model_fields


def test_tab_completion_offers_fields_and_actions_not_internals() -> None:
    from synapse import Task

    task = Task.model_validate({"id": 1, "project": 3, "custom_server_field": 3})
    names = dir(task)
    assert {"data", "project", "project_id", "tags", "tag_ids", "custom_server_field", "annotate", "save"} <= set(names)
    assert not [name for name in names if name.startswith("_")]
    assert not {"dict", "json", "parse_obj", "model_config"} & set(names)

"""Conventions every resource follows, checked for all of them at once."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import synapse
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
    assert getattr(synapse, cls.__name__) is cls, "exported from synapse"
    assert cls.__name__ in synapse.__all__
    assert cls.api_path.endswith("/") and not cls.api_path.startswith("/")
    assert cls.api_list_path is None or cls.api_list_path.endswith("/")
    assert cls.__doc__ and cls.__doc__.strip()
    assert issubclass(cls.DoesNotExist, NotFoundError) and cls.DoesNotExist is not NotFoundError
    assert cls.DoesNotExist.__qualname__ == f"{cls.__name__}.DoesNotExist"
    for name in cls.repr_fields:
        relation = cls.belongs_to.get(name)
        assert name in cls.model_fields or relation is not None, f"repr field {name}"
    for relation in cls.belongs_to.values():
        assert relation.id_attr in cls.model_fields, f"{relation.name} needs a typed {relation.id_attr}"
        relation.target_class  # noqa: B018 - resolves, or raises LookupError
    for value in vars(cls).values():
        if isinstance(value, HasMany):
            assert resolve(value.target).api_path, f"{value.name} points at a listable resource"
    # every typed field is optional so that partial (fields=...) responses load
    for name, field in cls.model_fields.items():
        assert not field.is_required(), f"{cls.__name__}.{name} must default to None"


def test_all_is_sorted_and_complete() -> None:
    assert list(synapse.__all__) == sorted(synapse.__all__)
    assert all(hasattr(synapse, name) for name in synapse.__all__)


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_resource_modules_stay_small(module: Path) -> None:
    source = module.read_text()
    assert len(source.splitlines()) < 500
    tree = ast.parse(source)
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

    task = Task.model_construct(id=1, status="pending", custom_server_field=3)
    names = dir(task)
    assert {"status", "project", "project_id", "custom_server_field", "annotate", "save"} <= set(names)
    assert not [name for name in names if name.startswith("_")]
    assert not {"dict", "json", "parse_obj", "model_config"} & set(names)

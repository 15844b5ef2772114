"""The declared list filters of each family, validated the way django-filter validates them.

The real backend filters lists with DjangoFilterBackend and ``filterset_fields``: only declared
parameters filter, anything else in the query is ignored, and a bad value of a declared filter is
a 400 whose body names every bad filter (in declaration order) with django-filter's own message.
A bad boolean is not an error there: it simply does not filter.

Each filter reads the LAST value of a repeated parameter (``QueryDict.get``), except the
multiple-choice ones, which read them all. An empty value never filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from synapse.testing.context import Ctx
from synapse.testing.http import ApiError
from synapse.testing.store import Query

#: A store filter: (field path, operator, values).
Condition = tuple[str, str, list[Any]]

_THAT_CHOICE = "Select a valid choice. That choice is not one of the available choices."
_NUL = "Null characters are not allowed."
_BOOLEANS: Final[dict[str, bool]] = {"1": True, "0": False, "true": True, "false": False}


@dataclass(frozen=True)
class Hop:
    """One step from a filter value to the ids a row's field must hold: the ``take`` values of the
    ``kind`` rows whose ``match`` field holds one of the current values."""

    kind: str
    match: str
    take: str = "id"


@dataclass(frozen=True)
class Filter:
    """One declared filter: query ``name``, django-filter ``kind``, the stored ``field`` it tests."""

    name: str
    kind: str
    field: str = ""
    target: str = ""
    choices: tuple[str, ...] = ()
    op: str = "in"
    via: tuple[Hop, ...] = ()

    @property
    def path(self) -> str:
        return self.field or self.name


def _fk(name: str, target: str, field: str = "", via: tuple[Hop, ...] = ()) -> Filter:
    return Filter(name, "fk", field, target, via=via)


def _choice(name: str, *choices: str) -> Filter:
    return Filter(name, "choice", choices=choices)


def _bool(name: str) -> Filter:
    return Filter(name, "bool")


_VERSION_OF_DATASET = (Hop("ground_truth_dataset_versions", "ground_truth_dataset"),)
_VERSION_OF_PROJECT = (*_VERSION_OF_DATASET, Hop("ground_truth_datasets", "project"))

#: Filtersets by name (the store kind, or the facade route that has its own set).
FILTERSETS: Final[dict[str, tuple[Filter, ...]]] = {
    "projects": (
        _choice("category", "image", "video", "audio", "text", "pcd", "prompt", "time_series"),
        _fk("data_collection", "data_collections"),
    ),
    "tasks": (
        _fk("project", "projects"),
        _fk("data_unit", "data_units"),
        _bool("has_data"),
        _bool("is_discarded"),
    ),
    "assignments": (
        _fk("project", "projects"),
        _fk("task", "tasks"),
        Filter("tasks", "number-in", "task"),
        Filter("users", "number-in", "user"),
        Filter("reviewers", "number-in", "reviewer"),
        Filter("tags", "number-in", "tags", op="has"),
        Filter("task_tags", "number-in", "task", via=(Hop("tasks", "tags"),)),
        _choice("status_label", "stand_by", "in_progress", "completed", "skipped"),
        _choice("status_review", "stand_by", "in_progress", "rejected", "completed", "skipped"),
        _bool("is_confirmed"),
        _bool("is_discarded"),
        _bool("is_discard_confirmed"),
        Filter("id", "number"),
        Filter("id__in", "number-in", "id"),
        Filter("created_after", "datetime", "created", op="gte"),
        Filter("created_before", "datetime", "created", op="lte"),
    ),
    "task_tags": (_fk("project", "projects"), _choice("category", "export", "project")),
    "data_collections": (_choice("category", "image", "video", "audio", "text", "pcd", "data"),),
    "data_units": (_fk("data_collection", "data_collections"),),
    "data_files": (Filter("checksum", "text"), _fk("data_collection", "data_collections")),
    "jobs": (_choice("status", "PENDING", "RUNNING", "STOPPED", "SUCCEEDED", "FAILED"), Filter("action", "text")),
    "models": (_bool("is_released"), _fk("project", "projects")),
    "plugins": (
        _choice(
            "category",
            "neural_net",
            "export",
            "upload",
            "smart_tool",
            "pre_annotation",
            "post_annotation",
            "data_validation",
            "converter",
        ),
        _bool("is_active"),
        Filter("code", "text"),
    ),
    "plugin_releases": (_fk("plugin", "plugins"), _bool("debug")),
    "storages": (_choice("category", "internal", "external"),),
    "ground_truth_datasets": (_fk("project", "projects"),),
    "ground_truth_dataset_versions": (
        _fk("ground_truth_dataset", "ground_truth_datasets"),
        _bool("is_archived"),
    ),
    "ground_truth_events": (
        Filter(
            "ground_truth_dataset_versions", "fk-multi", "ground_truth_dataset_version", "ground_truth_dataset_versions"
        ),
        _fk("ground_truth_dataset", "ground_truth_datasets", "ground_truth_dataset_version", _VERSION_OF_DATASET),
        _fk("ground_truth_dataset_version", "ground_truth_dataset_versions"),
        _fk("project", "projects", "ground_truth_dataset_version", _VERSION_OF_PROJECT),
    ),
    "ground_truths": (
        _fk("ground_truth_dataset", "ground_truth_datasets", "ground_truth_dataset_version", _VERSION_OF_DATASET),
        _fk("task", "tasks", "data_unit", (Hop("tasks", "id", "data_unit"),)),
        Filter(
            "ground_truth_dataset_versions", "fk-multi", "ground_truth_dataset_version", "ground_truth_dataset_versions"
        ),
    ),
    "serve_applications": (_fk("job", "jobs"),),
}


class _Invalid(Exception):
    """One filter's validation message."""


def _integer(value: str) -> int:
    """A pk the way Django's IntegerField reads it (``int()``: spaces, ``+``, ``_`` pass)."""
    try:
        number = int(value)
    except ValueError:
        raise _Invalid(_THAT_CHOICE) from None
    if not -(2**63) <= number < 2**63:
        raise _Invalid(_THAT_CHOICE)
    return number


def _pk(ctx: Ctx, spec: Filter, value: str) -> int:
    """The pk of an existing ``spec.target`` row (plugins may also be named by code)."""
    if "\x00" in value:
        raise _Invalid(_NUL)
    try:
        number = _integer(value)
    except _Invalid:
        if spec.target == "plugins":
            found = ctx.store.find_one("plugins", "code", value)
            if found is not None:
                return int(found["id"])
        raise
    if not ctx.store.existing_ids(spec.target, [number]):
        raise _Invalid(_THAT_CHOICE)
    return number


def _number(value: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise _Invalid("Enter a number.") from None
    if not number.is_finite():
        raise _Invalid("Enter a number.")
    return number


def _numbers_as_ids(numbers: list[Decimal]) -> list[int]:
    """Integral numbers (an id is never 1.5, so such a value matches nothing)."""
    return [int(n) for n in numbers if n == n.to_integral_value()]


def _datetime(value: str) -> str:
    """The value as the store writes ``created`` (UTC, microseconds, ``Z``), so text order is time order."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise _Invalid("Enter a valid date/time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _condition(ctx: Ctx, spec: Filter, raw: list[str]) -> Condition | None:
    """The store condition of one filter, None when it does not filter; raises _Invalid."""
    if spec.kind == "fk-multi":
        values = [v for v in raw if v != ""]
        if not values:
            return None
        ids: list[int] = []
        for value in values:
            try:
                ids.append(_pk(ctx, spec, value))
            except _Invalid as exc:
                if str(exc) == _NUL:
                    raise
                if not value.strip().lstrip("+-").isdigit():
                    raise _Invalid(f'"{value}" is not a valid value.') from None
                raise _Invalid(f"Select a valid choice. {value} is not one of the available choices.") from None
        return (spec.path, "in", ids)
    value = raw[-1]
    if spec.kind == "text":
        value = value.strip()
        if "\x00" in value:
            raise _Invalid(_NUL)
    if value == "":
        return None
    if spec.kind == "bool":
        flag = _BOOLEANS.get(value.lower())
        return None if flag is None else (spec.path, "in", [int(flag)])
    if spec.kind == "fk":
        return (spec.path, "in", [_pk(ctx, spec, value)])
    if spec.kind == "choice":
        if value not in spec.choices:
            raise _Invalid(f"Select a valid choice. {value} is not one of the available choices.")
        return (spec.path, "in", [value])
    if spec.kind == "number":
        return (spec.path, "in", _numbers_as_ids([_number(value)]))
    if spec.kind == "number-in":
        return (spec.path, spec.op, _numbers_as_ids([_number(part) for part in value.split(",")]))
    if spec.kind == "datetime":
        return (spec.path, spec.op, [_datetime(value)])
    return (spec.path, "in", [value])


def _follow(ctx: Ctx, hops: tuple[Hop, ...], values: list[Any]) -> list[Any]:
    """Walk the hops backwards, from the filter value to the values the row's field must hold."""
    for hop in reversed(hops):
        op = "has" if hop.match == "tags" else "in"
        rows = ctx.store.find(hop.kind, Query(filters=[(hop.match, op, values)]))
        values = [row.get(hop.take) for row in rows if row.get(hop.take) is not None]
    return values


def filter_conditions(ctx: Ctx, filterset: str) -> list[Condition]:
    """Store conditions for the declared filters present in the query; 400 naming every bad one."""
    conditions: list[Condition] = []
    errors: dict[str, list[str]] = {}
    for spec in FILTERSETS.get(filterset, ()):
        raw = ctx.args.getlist(spec.name)
        if not raw:
            continue
        try:
            condition = _condition(ctx, spec, raw)
        except _Invalid as exc:
            errors[spec.name] = [str(exc)]
            continue
        if condition is None:
            continue
        if spec.via:
            condition = (condition[0], "in", _follow(ctx, spec.via, condition[2]))
        conditions.append(condition)
    if errors:
        raise ApiError(400, errors)
    return conditions

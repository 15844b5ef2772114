"""What the local backend knows about each resource family.

One table of facts keeps the generic CRUD code free of per-family branches: which collections
exist, which fields point at other objects (validated on write, expandable on read) and which
fields get an SQLite index because clients filter on them constantly.
"""

from __future__ import annotations

from typing import Final

#: Every resource family served with generic CRUD, by collection name (= URL segment).
KINDS: Final[tuple[str, ...]] = (
    "projects",
    "tasks",
    "task_tags",
    "assignments",
    "data_collections",
    "data_files",
    "data_units",
    "plugins",
    "plugin_releases",
    "jobs",
    "agents",
    "storages",
    "models",
    "ground_truth_events",
    "ground_truth_datasets",
    "ground_truth_dataset_versions",
    "serve_applications",
    "logs",
)

#: Internal tables that are not exposed as collections.
INTERNAL_KINDS: Final[tuple[str, ...]] = ("chunked_uploads", "console_logs")

ALL_KINDS: Final[frozenset[str]] = frozenset(KINDS + INTERNAL_KINDS)

#: Foreign keys: kind -> {field: target kind}. Validated on create/update, expandable on read.
FOREIGN_KEYS: Final[dict[str, dict[str, str]]] = {
    "projects": {"data_collection": "data_collections"},
    "tasks": {"project": "projects", "data_unit": "data_units"},
    "task_tags": {"project": "projects"},
    "assignments": {"task": "tasks", "project": "projects"},
    "data_units": {"data_collection": "data_collections"},
    "plugin_releases": {"plugin": "plugins"},
    "jobs": {"plugin_release": "plugin_releases", "agent": "agents"},
    "models": {"plugin": "plugins", "plugin_release": "plugin_releases", "checkpoint": "models"},
    "ground_truth_events": {
        "ground_truth_dataset_version": "ground_truth_dataset_versions",
        "data_unit": "data_units",
    },
    "ground_truth_dataset_versions": {"ground_truth_dataset": "ground_truth_datasets"},
    "ground_truth_datasets": {"data_collection": "data_collections"},
}

#: Foreign keys that may be given as the target's `code` string instead of its id.
CODE_LOOKUPS: Final[frozenset[str]] = frozenset({"plugins"})

#: Fields that must be present on create (DRF answers "This field is required.").
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "tasks": ("project",),
    "data_units": ("data_collection",),
    "plugin_releases": ("plugin", "version"),
    "ground_truth_dataset_versions": ("ground_truth_dataset",),
    "serve_applications": ("job",),
}

#: Fields with an SQLite expression index, because lists are filtered on them all the time.
INDEXED: Final[dict[str, tuple[str, ...]]] = {
    "tasks": ("project", "data_unit"),
    "assignments": ("task", "project"),
    "data_units": ("data_collection",),
    "data_files": ("checksum",),
    "plugins": ("code",),
    "plugin_releases": ("plugin",),
    "agents": ("token",),
    "ground_truth_events": ("ground_truth_dataset_version",),
    "console_logs": ("job",),
    "chunked_uploads": ("uid",),
}

#: Fields the server owns; a client cannot overwrite them with PATCH/PUT.
READ_ONLY: Final[frozenset[str]] = frozenset(
    {"id", "created", "modified", "has_data", "available_actions", "token", "node_install_script"}
)

#: Fields stored but never read back: an agent's token is shown once, in the reply that minted it.
SECRET_FIELDS: Final[dict[str, frozenset[str]]] = {"agents": frozenset({"token", "node_install_script"})}

#: Fields a list may be ordered by (DRF's OrderingFilter accepts any readable serializer field):
#: the v2 schema's fields under their v1 names plus the v1 fields clients read. List-valued
#: fields (tags, groups, ...) are left out: ordering by a many-to-many duplicates rows in Django.
ORDERING_FIELDS: Final[dict[str, frozenset[str]]] = {
    kind: frozenset({"id", "created", *fields.split()})
    for kind, fields in {
        "projects": "title name description category configuration settings data_collection is_archived tenant"
        " category_display caution access_level count_max_assignments_per_task can_discard enable_workforce"
        " task_count",
        "tasks": "project data_unit workshop meta data schema is_discarded has_data status assignee",
        "task_tags": "project name category description meta color",
        "assignments": "project task user reviewer status_label status_review is_confirmed is_discarded data"
        " status assignee",
        "data_collections": "tenant name description category category_display meta caution access_level"
        " is_archived count_projects",
        "data_files": "checksum file_size meta storage file size filename",
        "data_units": "data_collection group checksum meta files",
        "plugins": "tenant code name category description is_active system_only is_public",
        "plugin_releases": "plugin version readme config run_schema installation_schema author meta debug"
        " is_released file",
        "jobs": "status action params progress_record metrics_record result meta queue error is_active"
        " plugin_release plugin agent modified completed started finished",
        "agents": "name url status",
        "storages": "name category provider is_default",
        "models": "name category is_released is_external tenant neural_net dataset description configuration"
        " plugin plugin_release checkpoint version file",
        "ground_truth_events": "ground_truth_dataset_version ground_truth_dataset data_unit data files meta"
        " data_size data_digest data_content_type",
        "ground_truth_datasets": "name tenant project description data_collection",
        "ground_truth_dataset_versions": "version name ground_truth_dataset description is_archived",
        "serve_applications": "job status data",
        "logs": "message level",
    }.items()
}

"""Machine learning: trained models and ground-truth datasets with their versions and events."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..orm.declare import Filter
from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource
from ..transfers import CHUNK_SIZE
from ..transport.defaults import get_session
from ..transport.session import Session
from ._transfers import download_file

if TYPE_CHECKING:
    from typing_extensions import Self

    from ..transfers.progress import ProgressSpec
    from .data import DataCollection, DataUnit
    from .plugins import Plugin, PluginRelease
    from .projects import Project


class Model(
    Resource,
    path="models/",
    repr=("name", "plugin"),
    read_only=("file", "checksum", "size"),
    filters=("is_released", Filter("project", "fk", target="Project")),
):
    """A trained model file registered with the plugin that produced (and serves) it."""

    name: str | None = None
    description: str | None = None
    version: str | None = None
    category: str | None = None
    is_released: bool | None = None
    is_external: bool | None = None
    configuration: dict[str, Any] | None = None
    file: str | None = None
    created: datetime | None = None

    plugin: BelongsTo[Plugin] = BelongsTo("Plugin", id_type=int | str)
    plugin_release: BelongsTo[PluginRelease] = BelongsTo("PluginRelease")
    checkpoint: BelongsTo[Model] = BelongsTo("Model")

    @classmethod
    def create(
        cls,
        *,
        session: Session | None = None,
        file: str | os.PathLike[str] | None = None,
        chunk_size: int = CHUNK_SIZE,
        progress: ProgressSpec = None,
        resume: bool = True,
        **fields: Any,
    ) -> Self:
        """Register a model; with ``file`` the file goes up first with the chunked protocol
        (continuing an interrupted upload of the same file when ``resume``) and the model
        points at that upload (``chunked_upload``)."""
        session = session or get_session()
        if file is not None:
            from ..transfers.uploads import chunked_upload

            upload = chunked_upload(session, file, chunk_size=chunk_size, progress=progress, resume=resume)
            fields["chunked_upload"] = upload["id"]
        return super().create(session=session, **fields)

    def download(self, dest: str | os.PathLike[str], *, progress: ProgressSpec = None, overwrite: bool = False) -> Path:
        """Fetch the model file to ``dest`` (a directory or a file path), checked like ``DataFile.download``."""
        return download_file(self, dest, progress=progress, overwrite=overwrite)


class GroundTruthDataset(Resource, path="ground_truth_datasets/", repr=("name",), filters=("project",)):
    """A curated set of reference annotations over a data collection, kept in versions."""

    name: str | None = None
    description: str | None = None

    project: BelongsTo[Project] = BelongsTo("Project")
    data_collection: BelongsTo[DataCollection] = BelongsTo("DataCollection")
    versions: ClassVar[HasMany[GroundTruthVersion]] = HasMany("GroundTruthVersion", "ground_truth_dataset")


class GroundTruthVersion(
    Resource,
    path="ground_truth_dataset_versions/",
    repr=("ground_truth_dataset", "name"),
    filters=("ground_truth_dataset", "is_archived"),
):
    """One frozen version of a ground-truth dataset; its ``events`` are the annotations."""

    name: str | None = None
    version: str | None = None
    description: str | None = None
    is_archived: bool | None = None
    created: datetime | None = None

    ground_truth_dataset: BelongsTo[GroundTruthDataset] = BelongsTo("GroundTruthDataset")
    events: ClassVar[HasMany[GroundTruthEvent]] = HasMany("GroundTruthEvent", "ground_truth_dataset_versions")


class GroundTruthEvent(
    Resource,
    path="ground_truth_events/",
    list_path="sdk/ground_truth_events/",
    repr=("ground_truth_dataset_version", "data_unit"),
    filters=(
        "ground_truth_dataset_version",
        Filter("ground_truth_dataset_versions", "fk-multi", target="GroundTruthVersion"),
        Filter("ground_truth_dataset", "fk", target="GroundTruthDataset"),
        Filter("project", "fk", target="Project"),
    ),
):
    """One ground-truth annotation of a data unit within a dataset version.

    Filter by several versions with ``GroundTruthEvent.filter(ground_truth_dataset_versions=[1, 2])``.
    """

    data: Any = None
    files: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None

    ground_truth_dataset_version: BelongsTo[GroundTruthVersion] = BelongsTo("GroundTruthVersion")
    data_unit: BelongsTo[DataUnit] = BelongsTo("DataUnit")

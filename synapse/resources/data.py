"""Data collections, the files uploaded into them and the data units grouping those files.

A collection declares *file specifications* (``image``, ``label``...); a data unit is one
item of the collection with one uploaded file per specification. Uploads go through
:mod:`synapse.transfers.uploads` (parallel, chunked above 50 MiB, resumable).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..enums import CollectionCategory
from ..errors import InvalidInputError
from ..orm.declare import Filter
from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource
from ..transfers import CHUNK_SIZE
from ..transport.defaults import get_session
from ..transport.paths import check_id
from ..transport.session import Session
from ._transfers import as_objects, check_batch_size, download_file, objects, transfer_paths, walker

if TYPE_CHECKING:
    from ..transfers.progress import ProgressSpec
    from .projects import Project
    from .tasks import Task

PathLike = str | os.PathLike[str]


class FileSpecification(BaseModel):
    """One named file slot of a collection (``image``, ``label``...) and whether it is required."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    name: str
    is_required: bool = False
    is_primary: bool = False
    file_type: str | None = None
    extensions: list[str] | None = None


class DataFile(
    Resource,
    path="data_files/",
    repr=("filename", "size"),
    read_only=("file", "checksum", "size"),
    filters=("checksum", Filter("data_collection", "fk", target="DataCollection")),
):
    """One uploaded file, known to the server by its MD5 ``checksum``."""

    file: str | None = None
    checksum: str | None = None
    size: int | None = None
    filename: str | None = None
    meta: dict[str, Any] | None = None
    created: datetime | None = None

    @classmethod
    def upload(
        cls,
        path: PathLike,
        *,
        chunked: bool | None = None,
        chunk_size: int = CHUNK_SIZE,
        progress: ProgressSpec = None,
        resume: bool = True,
        session: Session | None = None,
    ) -> DataFile:
        """Upload one local file (chunked above 50 MiB unless ``chunked`` says otherwise).

        With ``resume`` a chunked upload interrupted earlier for the same unchanged file
        continues from the server's offset instead of starting over.
        """
        from ..transfers import uploads

        session = session or get_session()
        reply = uploads.upload_data_file(
            session, path, chunked=chunked, chunk_size=chunk_size, progress=progress, resume=resume
        )
        return cls._from_server(reply, session)

    @classmethod
    def upload_many(
        cls,
        paths: Iterable[PathLike],
        *,
        workers: int = 8,
        progress: ProgressSpec = None,
        skip_existing: bool = False,
        resume: bool = True,
        session: Session | None = None,
    ) -> list[DataFile]:
        """Upload files in parallel, in input order.

        If some fail, the others still finish and :class:`UploadError` is raised with
        ``failures`` and ``results`` (a DataFile, or None for a failed path, per input).
        """
        session = session or get_session()
        from ..transfers import uploads

        with as_objects(cls, session):
            replies = uploads.upload_many(
                session, paths, workers=workers, progress=progress, skip_existing=skip_existing, resume=resume
            )
        return objects(cls, replies, session)

    @classmethod
    def checksums_exist(cls, checksums: Iterable[str], *, session: Session | None = None) -> set[str]:
        """Which of these MD5 checksums the server already stores (data_files/verify_checksums/)."""
        from ..transfers import uploads

        return uploads.verify_checksums(session or get_session(), checksums)

    def download(self, dest: PathLike, *, progress: ProgressSpec = None, overwrite: bool = False) -> Path:
        """Fetch the file to ``dest`` (a directory or a file path), checked against ``size`` and ``checksum``.

        An existing file there is kept only when it matches the checksum; see
        :func:`synapse.transfers.downloads.download`.
        """
        return download_file(self, dest, progress=progress, overwrite=overwrite)


class DataUnit(
    Resource, path="data_units/", repr=("data_collection",), read_only=("checksum",), filters=("data_collection",)
):
    """One item of a collection: its files by specification name, plus ``meta`` and ``groups``."""

    files: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    groups: list[str] | None = None
    checksum: str | None = None
    created: datetime | None = None

    data_collection: BelongsTo[DataCollection] = BelongsTo("DataCollection")
    tasks: ClassVar[HasMany[Task]] = HasMany("Task", "data_unit")

    @classmethod
    def bulk_create(
        cls,
        collection: Any,
        items: Mapping[str, Any] | Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 1000,
        session: Session | None = None,
    ) -> list[DataUnit]:
        """Create units from ``{"files": {name: {checksum, path}}, "meta", "groups"}`` items (one or many).

        Files must already be uploaded (see :meth:`DataCollection.upload` to do both). Sends a
        list body per batch. A batch whose answer is lost is looked up in the collection (by the
        files' checksums) before anything else is sent, so nothing is created twice;
        :class:`~synapse.errors.BulkCreateError` names the items not created, or in doubt.
        """
        session = session or get_session()
        collection_id = (
            collection._require_id() if isinstance(collection, Resource) else check_id(collection, "collection id")
        )
        many = [items] if isinstance(items, Mapping) else list(items)
        with as_objects(cls, session):
            from ..transfers.creates import create_units

            created = create_units(
                session,
                collection_id,
                many,
                paths=transfer_paths(),
                walk=walker(session),
                batch_size=check_batch_size(batch_size),
            )
        return objects(cls, created, session)


class DataCollection(
    Resource, path="data_collections/", repr=("name",), filters=("category",), expand=("file_specifications",)
):
    """A dataset definition: its file specifications and the data units uploaded into it."""

    name: str | None = None
    description: str | None = None
    category: CollectionCategory | None = None
    meta: dict[str, Any] | None = None
    is_archived: bool | None = None
    file_specifications: list[FileSpecification] | None = None
    created: datetime | None = None

    data_units: ClassVar[HasMany[DataUnit]] = HasMany("DataUnit", "data_collection")

    def specifications(self) -> dict[str, FileSpecification]:
        """The file specifications by name, fetched once (``expand=file_specifications``) if needed."""
        if self.__dict__.get("file_specifications") is None:  # not sent, or not loaded (fields=...)
            session = self._bound_session()
            self._accept(session.request("GET", self.api_url(), params={"expand": "file_specifications"}), session)
        return {spec.name: spec for spec in self.file_specifications or [] if isinstance(spec, FileSpecification)}

    def check_files(self, files: Mapping[str, PathLike]) -> dict[str, Path]:
        """Validate one unit's ``{spec name: path}`` before anything is uploaded."""
        if not isinstance(files, Mapping) or not files:
            raise InvalidInputError(None, "files must be a non-empty dict of {specification name: path}")
        specs = self.specifications()
        unknown = sorted(set(files) - set(specs))
        if unknown:
            raise InvalidInputError(None, f"{self!r} has no file specification(s) {unknown}; known: {sorted(specs)}")
        missing = sorted(name for name, spec in specs.items() if spec.is_required and name not in files)
        if missing:
            raise InvalidInputError(None, f"required file(s) {missing} missing for {self!r}")
        checked: dict[str, Path] = {}
        for name, path in files.items():
            if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
                raise InvalidInputError(None, f"file {name!r} must be a path, not {type(path).__name__}")
            if not Path(path).is_file():
                raise InvalidInputError(None, f"file {name!r}: no such file: {path}")
            checked[name] = Path(path)
        return checked

    def upload(
        self,
        files: Mapping[str, PathLike],
        meta: dict[str, Any] | None = None,
        groups: str | list[str] | None = None,
        *,
        progress: ProgressSpec = None,
        resume: bool = True,
    ) -> DataUnit:
        """Upload one unit's files, then create the data unit. Names are checked before any upload."""
        units = self.upload_many(
            [{"files": files, "meta": meta, "groups": groups}], workers=4, progress=progress, resume=resume
        )
        return units[0]

    def upload_many(
        self,
        items: Iterable[Mapping[str, Any]],
        *,
        workers: int = 8,
        batch_size: int = 1000,
        project: Project | int | None = None,
        progress: ProgressSpec = None,
        resume: bool = True,
    ) -> list[DataUnit]:
        """Upload many units: validate all, upload every file in parallel, create units (and tasks) in batches.

        An item whose file, unit or task failed is reported in :class:`UploadError` (``failures``
        name the item, ``results`` hold a DataUnit or None per item); the other items are still
        created, except after a batch left in doubt (then nothing more is). Running the same call
        again repeats no completed work: files the server has are recognised by checksum,
        interrupted chunked uploads continue (``resume``), and units and tasks the failed run
        created, or may have created (a lost answer), are looked up instead of created again (see
        :mod:`synapse.transfers.units`).
        """
        check_batch_size(batch_size)
        entries = list(items)
        checked: list[dict[str, Any]] = []
        for index, item in enumerate(entries):
            if not isinstance(item, Mapping):
                raise InvalidInputError(None, f"item {index}: expected a dict with 'files', got {type(item).__name__}")
            try:
                checked.append({**item, "files": self.check_files(item.get("files", {}))})
            except InvalidInputError as exc:
                raise InvalidInputError(None, f"item {index}: {exc.detail}") from None
        collection_id = self._require_id()
        project_id = project._require_id() if isinstance(project, Resource) else project
        session = self._bound_session()
        with as_objects(DataUnit, session):
            from ..transfers.units import upload_units

            units = upload_units(
                session,
                collection_id,
                checked,
                paths=transfer_paths(),
                walk=walker(session),
                project_id=project_id,
                workers=workers,
                batch_size=batch_size,
                progress=progress,
                resume=resume,
            )
        return objects(DataUnit, units, session)

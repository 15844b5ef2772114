"""Data collections, the files uploaded into them and the data units grouping those files.

A collection declares *file specifications* (``image``, ``label``...); a data unit is one
item of the collection with one uploaded file per specification. Uploads go through
:mod:`synapse.uploads` (parallel, chunked above 50 MiB, resumable).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .. import uploads
from ..downloads import download
from ..errors import InvalidInputError, ResponseError, UploadError, UploadFailure
from ..progress import ProgressSpec
from ..relations import BelongsTo, HasMany
from ..resource import Resource
from ..session import Session, get_session
from ._common import batches, results_of

if TYPE_CHECKING:
    from .projects import Project

PathLike = str | os.PathLike[str]


class FileSpecification(BaseModel):
    """One named file slot of a collection (``image``, ``label``...) and whether it is required."""

    model_config = ConfigDict(extra="allow")

    name: str
    is_required: bool = False
    is_primary: bool = False
    file_type: str | None = None
    extensions: list[str] | None = None


def _specs(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [FileSpecification.model_validate(v) if isinstance(v, dict) and "name" in v else v for v in value]


class DataFile(Resource):
    """One uploaded file, known to the server by its MD5 ``checksum``."""

    api_path: ClassVar[str] = "data_files/"
    repr_fields: ClassVar[tuple[str, ...]] = ("filename", "size")
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"file", "checksum", "size"})

    file: str | None = None
    checksum: str | None = None
    size: int | None = None
    filename: str | None = None
    meta: dict[str, Any] | None = None

    @classmethod
    def upload(
        cls,
        path: PathLike,
        *,
        chunked: bool | None = None,
        chunk_size: int = uploads.CHUNK_SIZE,
        progress: ProgressSpec = None,
        session: Session | None = None,
    ) -> DataFile:
        """Upload one local file (chunked above 50 MiB unless ``chunked`` says otherwise)."""
        session = session or get_session()
        reply = uploads.upload_data_file(session, path, chunked=chunked, chunk_size=chunk_size, progress=progress)
        return cls._from_server(reply, session)

    @classmethod
    def upload_many(
        cls,
        paths: Iterable[PathLike],
        *,
        workers: int = 8,
        progress: ProgressSpec = None,
        skip_existing: bool = False,
        session: Session | None = None,
    ) -> list[DataFile]:
        """Upload files in parallel, in input order.

        If some fail, the others still finish and :class:`UploadError` is raised with
        ``failures`` and ``results`` (a DataFile, or None for a failed path, per input).
        """
        session = session or get_session()
        try:
            replies = uploads.upload_many(session, paths, workers=workers, progress=progress,
                                          skip_existing=skip_existing)
        except UploadError as exc:
            results = [cls._from_server(r, session) if isinstance(r, dict) else None for r in exc.results]
            raise UploadError(failures=exc.failures, results=results) from exc
        return [cls._from_server(reply, session) for reply in replies]

    @classmethod
    def checksums_exist(cls, checksums: Iterable[str], *, session: Session | None = None) -> set[str]:
        """Which of these MD5 checksums the server already stores (data_files/verify_checksums/)."""
        session = session or get_session()
        wanted = list(dict.fromkeys(checksums))
        found: set[str] = set()
        for batch in batches(wanted):
            reply = session.request("POST", f"{cls.api_path}verify_checksums/", json={"checksums": batch})
            existing = reply.get("existing_checksums") if isinstance(reply, dict) else None
            if not isinstance(existing, list):
                raise ResponseError(None, "verify_checksums/ must answer with an 'existing_checksums' list")
            found.update(str(c) for c in existing)
        return found

    def download(self, dest: PathLike, *, progress: ProgressSpec = None, overwrite: bool = False) -> Path:
        """Fetch the file to ``dest`` (a directory or a file path)."""
        if not self.file:
            raise InvalidInputError(None, f"{self!r} has no file URL; refresh() it or check its upload")
        return download(self._bound_session(), self.file, dest, progress=progress, overwrite=overwrite)


class DataUnit(Resource):
    """One item of a collection: its files by specification name, plus ``meta`` and ``groups``."""

    api_path: ClassVar[str] = "data_units/"
    repr_fields: ClassVar[tuple[str, ...]] = ("data_collection",)

    data_collection_id: int | None = None
    files: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    groups: list[str] | None = None

    data_collection: ClassVar[BelongsTo[DataCollection]] = BelongsTo("DataCollection")

    @classmethod
    def bulk_create(
        cls, collection: Any, items: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, session: Session | None = None
    ) -> list[DataUnit]:
        """Create units from ``{"files": {name: {checksum, path}}, "meta", "groups"}`` items (one or many).

        Files must already be uploaded (see :meth:`DataCollection.upload` to do both).
        Sends a list body per batch of 1,000.
        """
        session = session or get_session()
        collection_id = collection.id if isinstance(collection, Resource) else collection
        many = [items] if isinstance(items, Mapping) else list(items)
        payloads = [{**_unit_payload(item), "data_collection": collection_id} for item in many]
        created: list[DataUnit] = []
        for batch in batches(payloads):
            reply = session.request("POST", cls.api_path, json=batch)
            created.extend(cls._from_server(item, session) for item in results_of(reply, "data units"))
        return created


def _unit_payload(item: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(item, Mapping) or not isinstance(item.get("files"), Mapping):
        raise InvalidInputError(None, "a data unit needs 'files': {spec name: {checksum, path}}")
    payload: dict[str, Any] = {"files": dict(item["files"]), "meta": dict(item.get("meta") or {})}
    groups = item.get("groups")
    if groups:
        payload["groups"] = [groups] if isinstance(groups, str) else [str(g) for g in groups]
    return payload


class DataCollection(Resource):
    """A dataset definition: its file specifications and the data units uploaded into it."""

    api_path: ClassVar[str] = "data_collections/"
    repr_fields: ClassVar[tuple[str, ...]] = ("name",)
    converters = {"file_specifications": _specs}

    name: str | None = None
    description: str | None = None
    category: str | None = None
    file_specifications: list[FileSpecification] | None = None

    data_units: ClassVar[HasMany[DataUnit]] = HasMany("DataUnit", "data_collection")

    def specifications(self) -> dict[str, FileSpecification]:
        """The file specifications by name, fetched once (``expand=file_specifications``) if needed."""
        if self.file_specifications is None:
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
            raise InvalidInputError(
                None, f"{self!r} has no file specification(s) {unknown}; known: {sorted(specs)}"
            )
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
    ) -> DataUnit:
        """Upload one unit's files, then create the data unit. Names are checked before any upload."""
        units = self.upload_many([{"files": files, "meta": meta, "groups": groups}], workers=4, progress=progress)
        return units[0]

    def upload_many(
        self,
        items: Iterable[Mapping[str, Any]],
        *,
        workers: int = 8,
        batch_size: int = 1000,
        project: Project | int | None = None,
        progress: ProgressSpec = None,
    ) -> list[DataUnit]:
        """Upload many units: validate all, upload every file in parallel, create units (and tasks) in batches.

        Files the server already has are not sent again, so a re-run after a failure is cheap.
        An item whose file failed is reported in :class:`UploadError` (``failures`` name the item,
        ``results`` hold a DataUnit or None per item); the other items are still created.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInputError(None, f"batch_size must be a positive int, got {batch_size!r}")
        entries = list(items)
        checked: list[dict[str, Path]] = []
        for index, item in enumerate(entries):
            if not isinstance(item, Mapping):
                raise InvalidInputError(None, f"item {index}: expected a dict with 'files', got {type(item).__name__}")
            try:
                checked.append(self.check_files(item.get("files", {})))
            except InvalidInputError as exc:
                raise InvalidInputError(None, f"item {index}: {exc.detail}") from None
        collection_id = self._require_id()
        session = self._bound_session()
        uploaded, failures = self._upload_files(session, checked, workers, progress)
        results: list[DataUnit | None] = [None] * len(entries)
        failed = {index for index, _ in failures}
        ready = [i for i in range(len(entries)) if i not in failed]
        for batch in batches(ready, batch_size):
            payloads = [
                {**_unit_payload({**entries[i], "files": _file_refs(checked[i], uploaded)}),
                 "data_collection": collection_id}
                for i in batch
            ]
            reply = session.request("POST", DataUnit.api_path, json=payloads)
            created = [DataUnit._from_server(data, session) for data in results_of(reply, "data units")]
            if len(created) != len(batch):
                raise ResponseError(None, f"data_units/ created {len(created)} units for {len(batch)} items")
            for index, unit in zip(batch, created, strict=True):
                results[index] = unit
            if project is not None:
                from .tasks import Task

                Task.bulk_create(project, created, session=session)
        if failures:
            raise UploadError(failures=[f for _, f in failures], results=list(results))
        return [unit for unit in results if unit is not None]

    @staticmethod
    def _upload_files(
        session: Session, checked: list[dict[str, Path]], workers: int, progress: ProgressSpec
    ) -> tuple[dict[Path, dict[str, Any]], list[tuple[int, UploadFailure]]]:
        """Upload every distinct file once; map failures back to the items that use them."""
        paths = list(dict.fromkeys(path for files in checked for path in files.values()))
        try:
            replies: list[dict[str, Any] | None] = list(
                uploads.upload_many(session, paths, workers=workers, progress=progress, skip_existing=True)
            )
            errors: dict[str, UploadFailure] = {}
        except UploadError as exc:
            replies = list(exc.results)
            errors = {failure.path: failure for failure in exc.failures}
        uploaded = {path: reply for path, reply in zip(paths, replies, strict=True) if isinstance(reply, dict)}
        failures: list[tuple[int, UploadFailure]] = []
        for index, files in enumerate(checked):
            for name, path in files.items():
                if path not in uploaded:
                    cause = errors.get(str(path))
                    reason = cause.reason if cause else "upload failed"
                    error = cause.error if cause else None
                    failures.append((index, UploadFailure(f"item {index} {name}={path}", reason, error)))
        return uploaded, failures


def _file_refs(files: dict[str, Path], uploaded: dict[Path, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {name: {"checksum": str(uploaded[path]["checksum"]), "path": str(path)} for name, path in files.items()}

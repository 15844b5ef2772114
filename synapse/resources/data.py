"""Data collections, the files uploaded into them and the data units grouping those files.

A collection declares *file specifications* (``image``, ``label``...); a data unit is one
item of the collection with one uploaded file per specification. Uploads go through
:mod:`synapse.transfers.uploads` (parallel, chunked above 50 MiB, resumable).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..errors import ClientError, InvalidInputError, NotFoundError, ResponseError, UploadError, UploadFailure
from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource
from ..transfers import uploads
from ..transfers._journal import BulkJournal
from ..transfers.downloads import download
from ..transfers.progress import ProgressSpec
from ..transport.context import submit
from ..transport.envelope import created_items
from ..transport.session import Session, get_session
from ._common import batches

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
        resume: bool = True,
        session: Session | None = None,
    ) -> DataFile:
        """Upload one local file (chunked above 50 MiB unless ``chunked`` says otherwise).

        With ``resume`` a chunked upload interrupted earlier for the same unchanged file
        continues from the server's offset instead of starting over.
        """
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
        try:
            replies = uploads.upload_many(
                session, paths, workers=workers, progress=progress, skip_existing=skip_existing, resume=resume
            )
        except UploadError as exc:
            results = [cls._from_server(r, session) if isinstance(r, dict) else None for r in exc.results]
            raise UploadError(failures=exc.failures, results=results) from exc
        return [cls._from_server(reply, session) for reply in replies]

    @classmethod
    def checksums_exist(cls, checksums: Iterable[str], *, session: Session | None = None) -> set[str]:
        """Which of these MD5 checksums the server already stores (data_files/verify_checksums/)."""
        return uploads.verify_checksums(session or get_session(), checksums)

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

    data_collection: BelongsTo[DataCollection] = BelongsTo("DataCollection")

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
            created.extend(cls._from_server(item, session) for item in created_items(reply, "data units"))
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

        An item whose file, unit batch or task batch failed is reported in :class:`UploadError`
        (``failures`` name the item, ``results`` hold a DataUnit or None per item); the other
        items are still created. Running the same call again repeats no completed work: files
        the server has are recognised by checksum, interrupted chunked uploads continue
        (``resume``), and units created by the failed run are found in a journal in the cache
        folder and fetched instead of created again. Not covered: a unit batch whose reply was
        lost in transit (the server may have created it unseen), and a run from another machine.
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
        project_id = project._require_id() if isinstance(project, Resource) else project
        session = self._bound_session()
        uploaded, failures = self._upload_files(session, checked, workers, progress, resume)
        failed = {index for index, _ in failures}
        ready = [i for i in range(len(entries)) if i not in failed]
        payloads = {
            i: {
                **_unit_payload({**entries[i], "files": _file_refs(checked[i], uploaded)}),
                "data_collection": collection_id,
            }
            for i in ready
        }
        keys = dict(
            zip(ready, BulkJournal.fingerprints([_identity(payloads[i], checked[i]) for i in ready]), strict=True)
        )
        run = _UnitRun(session, BulkJournal(session.base_url, "units", collection_id), project_id, failures)
        results: list[DataUnit | None] = [None] * len(entries)
        known = run.journal.load()
        earlier = {i: known[keys[i]] for i in ready if keys[i] in known}
        for index, unit in _fetch_units(session, earlier, workers, failures).items():
            results[index] = unit
        unchecked = {index for index, _ in failures}
        missing = [i for i in ready if results[i] is None and i not in unchecked]
        for batch in batches(missing, batch_size):
            for index, unit in run.create(batch, [payloads[i] for i in batch], keys).items():
                results[index] = unit
        if project_id is not None:
            untasked = [i for i in earlier if results[i] is not None and earlier[i].get("project") != project_id]
            for batch in batches(untasked, batch_size):
                run.tasks(batch, [results[i] for i in batch], keys)
        if failures:
            raise UploadError(
                failures=[f for _, f in sorted(failures, key=lambda pair: pair[0])], results=list(results)
            )
        run.journal.forget(list(keys.values()))
        return [unit for unit in results if unit is not None]

    @staticmethod
    def _upload_files(
        session: Session, checked: list[dict[str, Path]], workers: int, progress: ProgressSpec, resume: bool
    ) -> tuple[dict[Path, dict[str, Any]], list[tuple[int, UploadFailure]]]:
        """Upload every distinct file once; map failures back to the items that use them."""
        paths = list(dict.fromkeys(path for files in checked for path in files.values()))
        try:
            replies: list[dict[str, Any] | None] = list(
                uploads.upload_many(
                    session, paths, workers=workers, progress=progress, skip_existing=True, resume=resume
                )
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


class _UnitRun:
    """The unit and task requests of one ``upload_many`` call: each batch's outcome is journaled
    as soon as it is known, and a failing batch is reported against its items, not raised."""

    def __init__(
        self,
        session: Session,
        journal: BulkJournal,
        project_id: int | str | None,
        failures: list[tuple[int, UploadFailure]],
    ) -> None:
        self.session = session
        self.journal = journal
        self.project_id = project_id
        self.failures = failures

    def create(self, batch: list[int], payloads: list[dict[str, Any]], keys: dict[int, str]) -> dict[int, DataUnit]:
        """POST one batch of units, journal them, then create their tasks when a project is given."""
        try:
            reply = self.session.request("POST", DataUnit.api_path, json=payloads)
            created = [DataUnit._from_server(data, self.session) for data in created_items(reply, "data units")]
            if len(created) != len(batch):
                raise ResponseError(None, f"data_units/ created {len(created)} units for {len(batch)} items")
        except ClientError as exc:
            self._fail(batch, "creating the data unit failed", exc)
            return {}
        units = dict(zip(batch, created, strict=True))
        self.journal.record({keys[i]: {"unit": unit.id, "project": None} for i, unit in units.items()})
        if self.project_id is not None:
            self.tasks(batch, created, keys)
        return units

    def tasks(self, batch: list[int], units: list[Any], keys: dict[int, str]) -> None:
        """Create the batch's tasks and journal which project they went to."""
        from .tasks import Task

        try:
            Task.bulk_create(self.project_id, units, session=self.session)
        except ClientError as exc:
            self._fail(batch, f"creating the task in project {self.project_id} failed", exc)
            return
        self.journal.record(
            {keys[i]: {"unit": unit.id, "project": self.project_id} for i, unit in zip(batch, units, strict=True)}
        )

    def _fail(self, batch: list[int], what: str, exc: ClientError) -> None:
        reason = f"{what}: {exc}"
        self.failures.extend((i, UploadFailure(f"item {i}", reason, exc)) for i in batch)


def _identity(payload: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    """What makes two items the same unit: content and absolute location of each file, meta, groups."""
    refs = {name: [payload["files"][name]["checksum"], str(path.resolve())] for name, path in files.items()}
    return {"files": refs, "meta": payload.get("meta"), "groups": payload.get("groups")}


def _fetch_units(
    session: Session, known: dict[int, dict[str, Any]], workers: int, failures: list[tuple[int, UploadFailure]]
) -> dict[int, DataUnit]:
    """The journaled units that still exist on the server (a deleted one is simply created again).

    A unit that cannot be checked is reported, not created again, since it may well exist.
    """

    def fetch(entry: dict[str, Any]) -> DataUnit | None:
        try:
            return DataUnit.get(entry["unit"], refresh=True, session=session)
        except NotFoundError:
            return None

    if not known:
        return {}
    found: dict[int, DataUnit] = {}
    with ThreadPoolExecutor(max_workers=min(workers, len(known))) as pool:
        futures = {index: submit(pool, fetch, entry) for index, entry in known.items()}
        for index, future in futures.items():
            try:
                unit = future.result()
            except ClientError as exc:
                reason = f"checking the unit {known[index]['unit']} created by an earlier run failed: {exc}"
                failures.append((index, UploadFailure(f"item {index}", reason, exc)))
                continue
            if unit is not None:
                found[index] = unit
    return found


def _file_refs(files: dict[str, Path], uploaded: dict[Path, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {name: {"checksum": str(uploaded[path]["checksum"]), "path": str(path)} for name, path in files.items()}

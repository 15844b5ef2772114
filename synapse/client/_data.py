"""BackendClient methods for chunked uploads, data collections, data files and data units.

Uploads go through :mod:`synapse.transfers` (chunked above 50 MiB, MD5, resume, progress; units and
tasks through :mod:`synapse.transfers.units`), the same engine the object model uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError
from ..resources._transfers import transfer_paths, walker
from ..resources.data import DataCollection, DataUnit
from ..transfers import CHUNK_SIZE
from ..transport.paths import check_id
from . import _routes as routes
from ._base import FILES_PER_ITEM, JSON, ClientBase, Listing, UrlConversion

if TYPE_CHECKING:
    from ..transfers.progress import ProgressSpec

DATA_UNITS_READ_TIMEOUT = 60.0
"""The official client's read timeout for ``data_units/`` listings, which the server builds slowly."""


class DataClientMixin(ClientBase):
    """Chunked uploads, data collections, data files and data units."""

    def create_chunked_upload(
        self,
        file_path: Any,
        *,
        chunk_size: int = CHUNK_SIZE,
        on_progress: ProgressSpec = None,
        read_timeout: float | None = None,
    ) -> JSON:
        """Upload one file in chunks (50 MiB by default); returns the finalize JSON with the upload ``id``."""
        from ..transfers import uploads
        from ..transfers.forms import upload_source

        return uploads.chunked_upload(
            self.session,
            upload_source(file_path, "file_path"),
            chunk_size=chunk_size,
            progress=on_progress,
            read_timeout=read_timeout,
        )

    def get_chunked_upload(self, pk: int | str) -> JSON:
        return self._get(f"{routes.CHUNKED_UPLOADS}{check_id(pk, 'chunked upload id')}/")

    def list_data_collections(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list(DataCollection._meta.list_path, params, list_all)

    def list_data_collection(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        """Seed-era name of :meth:`list_data_collections`."""
        return self.list_data_collections(params, list_all)

    def get_data_collection(self, pk: int | str) -> JSON:
        return self._retrieve(DataCollection, pk, {"expand": "file_specifications"})

    def create_data_file(
        self,
        file_path: Any,
        use_chunked_upload: bool | None = None,
        *,
        read_timeout: float | None = None,
    ) -> JSON:
        """Upload one file to ``data_files/``; ``use_chunked_upload=None`` picks chunked above 50 MiB."""
        from ..transfers import uploads
        from ..transfers.forms import upload_source

        return uploads.upload_data_file(
            self.session, upload_source(file_path, "file_path"), chunked=use_chunked_upload, read_timeout=read_timeout
        )

    def upload_data_file(
        self,
        organized_file: Mapping[str, Any],
        collection_id: int,
        use_chunked_upload: bool | None = None,
        *,
        read_timeout: float | None = None,
    ) -> dict[str, Any]:
        """Upload every file of one organized file and return a new ``create_data_units`` item.

        The input is not changed (the seed-era client mutated it).
        """
        files = _organized_files(organized_file)
        uploaded = [
            self.create_data_file(path, use_chunked_upload, read_timeout=read_timeout) for path in files.values()
        ]
        return _data_unit_item(organized_file, collection_id, uploaded)

    def upload_data_collection(
        self,
        collection_id: int,
        data: Iterable[Mapping[str, Any]],
        *,
        project_id: int | None = None,
        batch_size: int = 1000,
        max_workers: int = 10,
        use_chunked_upload: bool | None = None,
    ) -> list[Any]:
        """Upload organized files in parallel and create their data units in batches.

        With ``project_id``, a task is created for every new data unit. Returns the created units.
        The same engine as ``DataCollection.upload_many``: a failed item raises :class:`UploadError`
        after the others are done, and a re-run creates nothing twice.
        """
        check_id(collection_id, "collection_id")
        if project_id is not None:
            check_id(project_id, "project_id")
        if batch_size < 1 or max_workers < 1:
            raise InvalidInputError(None, "batch_size and max_workers must be positive")
        from ..transfers.units import upload_units

        return upload_units(
            self.session,
            collection_id,
            list(data),
            paths=transfer_paths(),
            walk=walker(self.session),
            project_id=project_id,
            workers=max_workers,
            batch_size=batch_size,
            chunked=use_chunked_upload,
        )

    def create_data_units(self, uploaded_files: Mapping[str, Any] | list[Any]) -> JSON:
        """POST ``data_units/`` with one item or a list, sent unchanged."""
        return self._send("POST", DataUnit._meta.path, uploaded_files)

    def list_data_units(
        self,
        params: Mapping[str, Any] | None = None,
        url_conversion: UrlConversion = None,
        list_all: bool = False,
        *,
        page_size: int = 100,
        timeout: float = DATA_UNITS_READ_TIMEOUT,
    ) -> Listing:
        """Data units; with ``list_all`` each unit's ``files`` are downloaded unless ``url_conversion=False``.

        ``timeout`` is the read timeout of every page request (60 s, as the official client).
        """
        return self._list(
            DataUnit._meta.list_path, params, list_all, url_conversion, FILES_PER_ITEM, page_size, timeout
        )

    def get_data_unit(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._retrieve(DataUnit, pk, params)

    def verify_data_files_checksums(self, checksums: list[str]) -> JSON:
        """Which of these md5 checksums the server already has (``existing_checksums``, in input order)."""
        if not isinstance(checksums, list):
            raise InvalidInputError(None, f"checksums must be a list, not {type(checksums).__name__}")
        from ..transfers import uploads

        found = uploads.verify_checksums(self.session, checksums)
        return {"existing_checksums": [checksum for checksum in dict.fromkeys(checksums) if checksum in found]}

    def data_files_verify_checksums(self, checksums: list[str]) -> JSON:
        """Seed-era name of :meth:`verify_data_files_checksums`."""
        return self.verify_data_files_checksums(checksums)


def _organized_files(organized_file: object) -> Mapping[str, Any]:
    if not isinstance(organized_file, Mapping) or not isinstance(organized_file.get("files"), Mapping):
        raise InvalidInputError(None, "an organized file must be a dict with a 'files' dict of {spec name: path}")
    files: Mapping[str, Any] = organized_file["files"]
    return files


def _data_unit_item(organized_file: Mapping[str, Any], collection_id: int, uploaded: list[Any]) -> dict[str, Any]:
    """The ``create_data_units`` item for one organized file and its uploaded data files."""
    files = {
        name: {"checksum": result["checksum"], "path": str(path)}
        for (name, path), result in zip(organized_file["files"].items(), uploaded, strict=True)
    }
    item: dict[str, Any] = {"files": files, "data_collection": collection_id, "meta": organized_file.get("meta") or {}}
    groups = organized_file.get("groups")
    if groups:
        item["groups"] = [groups] if isinstance(groups, str) else list(groups)
    return item

"""BackendClient methods for models and ground truth (datasets' versions, events, ground truths)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..resources.ml import GroundTruthEvent, GroundTruthVersion, Model
from . import _routes as routes
from ._base import FILES_PER_ITEM, JSON, ClientBase, Listing, UrlConversion, object_arg

_MODEL_FILE: Mapping[str, Any] = {"files_fields": ["file"], "is_list": False}
GROUND_TRUTHS_READ_TIMEOUT = 60.0
"""The official client's read timeout for ``ground_truths/`` listings."""


class MLClientMixin(ClientBase):
    """Models, ground-truth versions, events and ground truths."""

    def list_models(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(Model._meta.list_path, params)

    def get_model(
        self,
        pk: int | str,
        params: Mapping[str, Any] | None = None,
        url_conversion: UrlConversion = None,
    ) -> JSON:
        """The model; its ``file`` URL is downloaded and replaced by a local path unless ``url_conversion=False``."""
        model = self._retrieve(Model, pk, params)
        conversion = _MODEL_FILE if url_conversion is None else url_conversion
        if not conversion:
            return model
        from ..transfers.url_conversion import convert_urls

        return convert_urls(self.session, model, dict(conversion))

    def create_model(self, data: Mapping[str, Any], *, file: Any = None) -> JSON:
        """Chunk-upload the file (``file=`` or the seed's ``data['file']``), then POST ``models/``.

        The body is the caller's fields plus ``chunked_upload``; the caller's dict is not changed.
        """
        fields = object_arg(data)
        embedded = fields.pop("file", None)
        source = file if file is not None else embedded
        if source is not None:
            from ..transfers import uploads
            from ..transfers.forms import upload_source

            fields["chunked_upload"] = uploads.chunked_upload(self.session, upload_source(source))["id"]
        return self._send("POST", Model._meta.path, fields)

    def list_ground_truth_events(
        self,
        params: Mapping[str, Any] | None = None,
        url_conversion: UrlConversion = None,
        list_all: bool = False,
        *,
        page_size: int = 100,
        page_retries: int = 0,
        page_retry_backoff: float = 2.0,
        throttle_seconds: float = 0.0,
        page_failures: list[dict[str, Any]] | None = None,
    ) -> Listing:
        """With ``list_all`` each event's ``files`` are downloaded unless ``url_conversion=False``."""
        return self._list(
            GroundTruthEvent._meta.list_path,
            params,
            list_all,
            url_conversion,
            FILES_PER_ITEM,
            page_size,
            page_retries=page_retries,
            page_retry_backoff=page_retry_backoff,
            throttle_seconds=throttle_seconds,
            page_failures=page_failures,
        )

    def list_ground_truth_events_data(
        self,
        params: Mapping[str, Any] | None = None,
        list_all: bool = False,
        *,
        page_size: int = 100,
    ) -> Listing:
        return self._list(routes.GROUND_TRUTH_EVENTS_DATA, params, list_all, page_size=page_size)

    def list_ground_truth_events_files(
        self,
        params: Mapping[str, Any] | None = None,
        list_all: bool = False,
        *,
        page_size: int = 100,
    ) -> Listing:
        return self._list(routes.GROUND_TRUTH_EVENTS_FILES, params, list_all, page_size=page_size)

    def list_ground_truths(
        self,
        params: Mapping[str, Any] | None = None,
        url_conversion: UrlConversion = None,
        list_all: bool = False,
        *,
        page_size: int = 100,
        timeout: float = GROUND_TRUTHS_READ_TIMEOUT,
    ) -> Listing:
        """Ground truths; with ``list_all`` their ``files`` are downloaded unless ``url_conversion=False``."""
        return self._list(routes.GROUND_TRUTHS, params, list_all, url_conversion, FILES_PER_ITEM, page_size, timeout)

    def list_ground_truth_versions(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(GroundTruthVersion._meta.list_path, params)

    def get_ground_truth_version(self, pk: int | str) -> JSON:
        return self._retrieve(GroundTruthVersion, pk)

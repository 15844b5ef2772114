"""BackendClient: the seed document's method-per-endpoint API, over a :class:`Session`.

Scripts written for the seed's ``BackendClient`` switch by changing one import. Every
method sends the caller's payload as given (the server decides what it accepts) and
returns the server's JSON unchanged. Ids are checked before they reach a URL path, so a
value like ``"../x"`` fails with :class:`InvalidInputError` before any request. The
underlying ``client.session`` is an ordinary :class:`synapse.Session`: facade calls and
ORM objects can share one connection pool and one identity map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote

from . import uploads
from ._forms import file_part, form_fields, upload_source
from ._listing import list_all as _list_all
from .config import TimeoutSpec
from .errors import ClientError, ConfigurationError, InvalidInputError, ResponseError
from .ids import check_id
from .progress import ProgressSpec
from .session import Session
from .url_conversion import convert_urls

__all__ = ["BackendClient"]

JSON = Any
"""Decoded JSON exactly as the server sent it (a dict, a list, text, or None for 204)."""
Listing = Any
"""A page dict, or ``(iterator, count)`` when called with ``list_all=True``."""
UrlConversion = Mapping[str, Any] | Literal[False] | None
"""Contract form ``{"files_fields", "is_list", "coerce"}`` or the seed's ``{field: callable}``;
``None`` means the method's default, ``False`` none."""

_FILES_PER_ITEM: Mapping[str, Any] = {"files_fields": ["files"], "is_list": True}
_MODEL_FILE: Mapping[str, Any] = {"files_fields": ["file"], "is_list": False}


def _payload(data: object, name: str = "data") -> Any:
    """The JSON body as given; anything but an object or a list is refused before sending."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, list):
        return data
    raise InvalidInputError(None, f"{name} must be a dict or a list, not {type(data).__name__}")


def _query(params: object) -> dict[str, Any]:
    """A copy of the caller's query params (so defaults can be added without changing them)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidInputError(None, f"params must be a dict, not {type(params).__name__}")
    return dict(params)


def _object(data: object, name: str = "data") -> dict[str, Any]:
    """A copy of a dict argument, so popping fields never changes the caller's dict."""
    if not isinstance(data, Mapping):
        raise InvalidInputError(None, f"{name} must be a dict, not {type(data).__name__}")
    return dict(data)


class BackendClient:
    """Synapse API client with the seed's method names, parameters and return shapes.

    Settings not passed fall back to ``SYNAPSE_BASE_URL``, ``SYNAPSE_API_TOKEN`` (or
    ``SYNAPSE_ACCESS_TOKEN``) and ``SYNAPSE_AGENT_TOKEN``. ``session_options`` go to
    :class:`Session` (``max_retries``, ``backoff_factor``, ...). Use as a context manager
    to close the connection pool at the end.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_token: str | None = None,
        agent_token: str | None = None,
        timeout: TimeoutSpec = None,
        *,
        access_token: str | None = None,
        authorization_token: str | None = None,
        token: str | None = None,
        tenant: str | None = None,
        url_host: str | None = None,
        session: Session | None = None,
        **session_options: Any,
    ) -> None:
        if session is None:
            session = Session(
                base_url, api_token, agent_token, tenant=tenant, timeout=timeout, access_token=access_token,
                token=token, authorization_token=authorization_token, url_host=url_host, **session_options,
            )
        else:
            settings = {"base_url": base_url, "api_token": api_token, "agent_token": agent_token,
                        "timeout": timeout, "access_token": access_token, "token": token, "tenant": tenant,
                        "authorization_token": authorization_token, "url_host": url_host, **session_options}
            given = sorted(name for name, value in settings.items() if value is not None)
            if given:
                raise ConfigurationError(None, f"pass either session= or connection settings, not both: {given}")
            if not isinstance(session, Session):
                raise ConfigurationError(None, f"session must be a synapse.Session, not {type(session).__name__}")
        self.session = session

    @classmethod
    def from_session(cls, session: Session) -> BackendClient:
        """A client over an existing session (same pool, credentials and identity map)."""
        return cls(session=session)

    @property
    def base_url(self) -> str:
        return self.session.base_url

    def __repr__(self) -> str:
        return f"<BackendClient over {self.session!r}>"

    def __enter__(self) -> BackendClient:
        self.session.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.session.__exit__(*exc)
        finally:
            self.close()

    def close(self) -> None:
        """Close pooled connections (the client reconnects if used again)."""
        self.session.close()

    # -- plumbing -------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> JSON:
        return self.session.request("GET", path, params=params)

    def _send(self, method: str, path: str, data: object, params: Mapping[str, Any] | None = None) -> JSON:
        return self.session.request(method, path, params=params, json=_payload(data))

    def _list(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        list_all: bool,
        url_conversion: UrlConversion = None,
        default_conversion: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        **per_page: Any,
    ) -> Listing:
        """One page as sent, or with ``list_all`` the ``(iterator, count)`` walk (conversion applies there only)."""
        query = _query(params)
        if page_size is not None:
            query.setdefault("page_size", page_size)
        if not list_all:
            return self._get(path, query)
        conversion = default_conversion if url_conversion is None else url_conversion or None
        return _list_all(self.session, path, query, url_conversion=conversion, **per_page)

    # -- annotation -----------------------------------------------------------------------

    def get_project(self, pk: int | str) -> JSON:
        return self._get(f"projects/{check_id(pk, 'project id')}/")

    def get_task(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(f"tasks/{check_id(pk, 'task id')}/", params)

    def annotate_task_data(self, pk: int | str, data: Mapping[str, Any], schema: str | None = None) -> JSON:
        """PUT the task's annotation data; ``schema`` is sent as a query param only when given."""
        params = {"schema": schema} if schema else None
        return self._send("PUT", f"tasks/{check_id(pk, 'task id')}/annotate_task_data/", data, params)

    def list_tasks(
        self, params: Mapping[str, Any] | None = None, url_conversion: UrlConversion = None, list_all: bool = False,
        *, page_retries: int = 0, page_retry_backoff: float = 2.0, throttle_seconds: float = 0.0,
    ) -> Listing:
        return self._list("sdk/tasks/", params, list_all, url_conversion, page_retries=page_retries,
                          page_retry_backoff=page_retry_backoff, throttle_seconds=throttle_seconds)

    def list_tasks_data(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list("sdk/tasks/data/", params, list_all)

    def list_tasks_files(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list("sdk/tasks/files/", params, list_all)

    def create_tasks(self, data: Mapping[str, Any] | list[Any]) -> JSON:
        """POST ``tasks/``: the seed's list of ``{project, data_unit}`` or ``{project, data: [...]}``."""
        return self._send("POST", "tasks/", data)

    def set_tags_tasks(self, data: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> JSON:
        return self._send("POST", "tasks/set_tags/", data, params)

    def list_task_tags(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get("task_tags/", params)

    def get_task_tag(self, pk: int | str) -> JSON:
        return self._get(f"task_tags/{check_id(pk, 'task tag id')}/")

    # -- core: chunked upload ---------------------------------------------------------------

    def create_chunked_upload(
        self, file_path: Any, *, chunk_size: int = uploads.CHUNK_SIZE,
        on_progress: ProgressSpec = None, read_timeout: float | None = None,
    ) -> JSON:
        """Upload one file in chunks (50 MiB by default); returns the finalize JSON with the upload ``id``."""
        return uploads.chunked_upload(self.session, upload_source(file_path, "file_path"), chunk_size=chunk_size,
                                      progress=on_progress, read_timeout=read_timeout)

    def get_chunked_upload(self, pk: int | str) -> JSON:
        return self._get(f"chunked_upload/{check_id(pk, 'chunked upload id')}/")

    # -- data collections -------------------------------------------------------------------

    def list_data_collections(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list("data_collections/", params, list_all)

    def list_data_collection(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        """Seed-era name of :meth:`list_data_collections`."""
        return self.list_data_collections(params, list_all)

    def get_data_collection(self, pk: int | str) -> JSON:
        return self._get(f"data_collections/{check_id(pk, 'data collection id')}/", {"expand": "file_specifications"})

    def create_data_file(
        self, file_path: Any, use_chunked_upload: bool | None = None, *, read_timeout: float | None = None,
    ) -> JSON:
        """Upload one file to ``data_files/``; ``use_chunked_upload=None`` picks chunked above 50 MiB."""
        return uploads.upload_data_file(self.session, upload_source(file_path, "file_path"),
                                        chunked=use_chunked_upload, read_timeout=read_timeout)

    def upload_data_file(
        self, organized_file: Mapping[str, Any], collection_id: int, use_chunked_upload: bool | None = None,
        *, read_timeout: float | None = None,
    ) -> dict[str, Any]:
        """Upload every file of one organized file and return a new ``create_data_units`` item.

        The input is not changed (the seed-era client mutated it).
        """
        files = _organized_files(organized_file)
        uploaded = [self.create_data_file(path, use_chunked_upload, read_timeout=read_timeout)
                    for path in files.values()]
        return _data_unit_item(organized_file, collection_id, uploaded)

    def upload_data_collection(
        self, collection_id: int, data: Iterable[Mapping[str, Any]], *, project_id: int | None = None,
        batch_size: int = 1000, max_workers: int = 10, use_chunked_upload: bool | None = None,
    ) -> list[Any]:
        """Upload organized files in parallel and create their data units in batches.

        With ``project_id``, a task is created for every new data unit. Returns the created units.
        """
        check_id(collection_id, "collection_id")
        if project_id is not None:
            check_id(project_id, "project_id")
        if batch_size < 1 or max_workers < 1:
            raise InvalidInputError(None, "batch_size and max_workers must be positive")
        items = list(data)
        files = [_organized_files(item) for item in items]
        created_all: list[Any] = []
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            paths = [path for spec in files[start:start + batch_size] for path in spec.values()]
            uploaded = iter(uploads.upload_many(self.session, paths, workers=max_workers, chunked=use_chunked_upload))
            units = [_data_unit_item(item, collection_id, [next(uploaded) for _ in item["files"]]) for item in batch]
            rows = _created_rows(self.create_data_units(units))
            if project_id is not None:
                self.create_tasks({"project": project_id, "data": [{"data_unit": row["id"]} for row in rows]})
            created_all.extend(rows)
        return created_all

    def create_data_units(self, uploaded_files: Mapping[str, Any] | list[Any]) -> JSON:
        """POST ``data_units/`` with one item or a list, sent unchanged."""
        return self._send("POST", "data_units/", uploaded_files)

    def list_data_units(
        self, params: Mapping[str, Any] | None = None, url_conversion: UrlConversion = None, list_all: bool = False,
        *, page_size: int = 100,
    ) -> Listing:
        """Data units; with ``list_all`` each unit's ``files`` are downloaded unless ``url_conversion=False``."""
        return self._list("data_units/", params, list_all, url_conversion, _FILES_PER_ITEM, page_size)

    def get_data_unit(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(f"data_units/{check_id(pk, 'data unit id')}/", params)

    def verify_data_files_checksums(self, checksums: list[str]) -> JSON:
        """Which of these md5 checksums the server already has (``existing_checksums``)."""
        return self._send("POST", "data_files/verify_checksums/", {"checksums": _payload(checksums, "checksums")})

    def data_files_verify_checksums(self, checksums: list[str]) -> JSON:
        """Seed-era name of :meth:`verify_data_files_checksums`."""
        return self.verify_data_files_checksums(checksums)

    # -- HITL -------------------------------------------------------------------------------

    def get_assignment(self, pk: int | str) -> JSON:
        return self._get(f"assignments/{check_id(pk, 'assignment id')}/")

    def list_assignments(
        self, params: Mapping[str, Any] | None = None, url_conversion: UrlConversion = None, list_all: bool = False,
        *, page_retries: int = 0, page_retry_backoff: float = 2.0, throttle_seconds: float = 0.0,
    ) -> Listing:
        return self._list("sdk/assignments/", params, list_all, url_conversion, page_retries=page_retries,
                          page_retry_backoff=page_retry_backoff, throttle_seconds=throttle_seconds)

    def list_assignments_data(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list("sdk/assignments/data/", params, list_all)

    def list_assignments_files(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list("sdk/assignments/files/", params, list_all)

    def set_tags_assignments(self, data: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> JSON:
        return self._send("POST", "assignments/set_tags/", data, params)

    # -- integration ------------------------------------------------------------------------

    def list_agents(self, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The agents of the first page (``results`` only, as the official client returns)."""
        return _results(self._get("agents/", params), "agents/")

    def health_check_agent(self, token: str) -> JSON:
        """POST ``agents/{token}/connect/`` with an empty body."""
        segment = str(check_id(token, "agent token"))
        try:
            return self.session.request("POST", f"agents/{segment}/connect/")
        except ClientError as error:
            raise _without(error, segment) from None

    def get_plugin(self, pk: int | str) -> JSON:
        return self._get(f"plugins/{check_id(pk, 'plugin id')}/")

    def create_plugin(self, data: Mapping[str, Any]) -> JSON:
        return self._send("POST", "plugins/", data)

    def update_plugin(self, pk: int | str, data: Mapping[str, Any]) -> JSON:
        """PUT (a full update, as the official client sends it)."""
        return self._send("PUT", f"plugins/{check_id(pk, 'plugin id')}/", data)

    def run_plugin(self, pk: int | str, data: Mapping[str, Any]) -> JSON:
        """POST ``plugins/{id or code}/run/``; returns a job or the action's direct result."""
        return self._send("POST", f"plugins/{check_id(pk, 'plugin')}/run/", data)

    def list_plugin_releases(
        self, plugin_code: int | str | None = None, *, params: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        """Releases of the first page (``results`` only), optionally of one plugin."""
        query = {"plugin": plugin_code, **_query(params)}
        return _results(self._get("plugin_releases/", query), "plugin_releases/")

    def get_plugin_release(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(f"plugin_releases/{check_id(pk, 'plugin release id')}/", params)

    def get_plugin_release_by_lookup(
        self, lookup: int | str, *, expand: str | None = "plugin", params: Mapping[str, Any] | None = None,
    ) -> JSON:
        """A release by pk or ``code@version``; everything but ``@`` is percent-encoded."""
        if isinstance(lookup, str) and lookup.strip(".") and lookup.isprintable():
            segment = quote(lookup, safe="@")
        else:
            segment = str(check_id(lookup, "lookup"))
        query = {"expand": expand, **_query(params)}
        return self._get(f"plugin_releases/{segment}/", query)

    def create_plugin_release(self, data: Mapping[str, Any], *, file: Any = None) -> JSON:
        """Create a release; with a file (``file=`` or the seed's ``data['file']``) as multipart.

        The file may be a path or an open binary file; the caller's dict is not changed.
        """
        fields = _object(data)
        embedded = fields.pop("file", None)
        source = file if file is not None else embedded
        if source is None:
            return self._send("POST", "plugin_releases/", fields)
        with file_part(source) as part:
            return self.session.request("POST", "plugin_releases/", data=form_fields(fields), files={"file": part})

    def list_jobs(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get("jobs/", params)

    def get_job(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(f"jobs/{check_id(pk, 'job id')}/", params)

    def update_job(self, pk: int | str, data: Mapping[str, Any]) -> JSON:
        """PATCH the job with the caller's fields as given (the server normalises ``status``)."""
        return self._send("PATCH", f"jobs/{check_id(pk, 'job id')}/", data)

    def list_job_console_logs(self, pk: int | str) -> JSON:
        return self._get(f"jobs/{check_id(pk, 'job id')}/console_logs/")

    def create_logs(self, data: Mapping[str, Any] | list[Any]) -> JSON:
        return self._send("POST", "logs/", data)

    def list_storages(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get("storages/", params)

    def get_storage(self, pk: int | str) -> JSON:
        """The storage as a dict, including its ``configuration``."""
        return self._get(f"storages/{check_id(pk, 'storage id')}/", {"with_configuration": True})

    def create_storage(self, data: Mapping[str, Any]) -> JSON:
        return self._send("POST", "storages/", data)

    def get_default_storage(self) -> JSON:
        """The internal storage marked ``is_default``, else the first internal one, else None."""
        body = self._get("storages/", {"category": "internal"})
        storages = body if isinstance(body, list) else _results(body, "storages/")
        return next((s for s in storages if isinstance(s, dict) and s.get("is_default")),
                    storages[0] if storages else None)

    # -- ML ---------------------------------------------------------------------------------

    def list_models(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get("models/", params)

    def get_model(
        self, pk: int | str, params: Mapping[str, Any] | None = None, url_conversion: UrlConversion = None,
    ) -> JSON:
        """The model; its ``file`` URL is downloaded and replaced by a local path unless ``url_conversion=False``."""
        model = self._get(f"models/{check_id(pk, 'model id')}/", params)
        conversion = _MODEL_FILE if url_conversion is None else url_conversion
        return convert_urls(self.session, model, dict(conversion)) if conversion else model

    def create_model(self, data: Mapping[str, Any], *, file: Any = None) -> JSON:
        """Chunk-upload the file (``file=`` or the seed's ``data['file']``), then POST ``models/``.

        The body is the caller's fields plus ``chunked_upload``; the caller's dict is not changed.
        """
        fields = _object(data)
        embedded = fields.pop("file", None)
        source = file if file is not None else embedded
        if source is not None:
            fields["chunked_upload"] = self.create_chunked_upload(source)["id"]
        return self._send("POST", "models/", fields)

    def list_ground_truth_events(
        self, params: Mapping[str, Any] | None = None, url_conversion: UrlConversion = None, list_all: bool = False,
        *, page_size: int = 100, page_retries: int = 0, page_retry_backoff: float = 2.0, throttle_seconds: float = 0.0,
    ) -> Listing:
        """With ``list_all`` each event's ``files`` are downloaded unless ``url_conversion=False``."""
        return self._list("sdk/ground_truth_events/", params, list_all, url_conversion, _FILES_PER_ITEM, page_size,
                          page_retries=page_retries, page_retry_backoff=page_retry_backoff,
                          throttle_seconds=throttle_seconds)

    def list_ground_truth_versions(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get("ground_truth_dataset_versions/", params)

    def get_ground_truth_version(self, pk: int | str) -> JSON:
        return self._get(f"ground_truth_dataset_versions/{check_id(pk, 'ground truth version id')}/")


def _results(body: Any, path: str) -> list[Any]:
    results = body.get("results") if isinstance(body, dict) else None
    if isinstance(results, list):
        return results
    raise ResponseError(None, f"expected a page with a 'results' list from {path}")


def _created_rows(created: Any) -> list[Any]:
    """Created objects from a list, a ``{results: [...]}`` envelope or a single object."""
    if isinstance(created, list):
        return created
    if isinstance(created, dict):
        return _results(created, "data_units/") if "results" in created else [created]
    raise ResponseError(None, f"data_units/ answered {type(created).__name__}, expected the created units")


def _without(error: ClientError, token: str) -> ClientError:
    """The same error with the agent token (which sits in the URL path) masked in its message."""
    segment, masked = f"agents/{token}/", "agents/***/"
    if error.url:
        error.url = error.url.replace(segment, masked)
    error.args = tuple(str(arg).replace(segment, masked) for arg in error.args)
    return error


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

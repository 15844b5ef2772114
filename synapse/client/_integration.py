"""BackendClient methods for agents, plugins and their releases, jobs, logs, serve applications and storages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from ..transfers.forms import file_part, form_fields
from ..transport.envelope import parse_page
from ..transport.paths import check_id
from ._base import JSON, ClientBase, Listing, object_arg, query

TAIL_IDLE_TIMEOUT = 3600.0
"""Seconds a tailed console log may stay silent. The official client waits forever; an
hour keeps a long quiet step alive without letting a dead connection hang a script."""


class IntegrationClientMixin(ClientBase):
    """Agents, plugins, plugin releases, jobs and their logs, serve applications, storages."""

    def list_agents(self, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The agents of the first page (``results`` only, as the official client returns)."""
        return parse_page(self._get("agents/", params), "agents/").results

    def health_check_agent(self, token: str) -> JSON:
        """POST ``agents/{token}/connect/`` with an empty body."""
        segment = str(check_id(token, "agent token"))
        with self.session.secret(segment):  # the token sits in the path: keep it out of errors and logs
            return self.session.request("POST", f"agents/{segment}/connect/")

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
        self,
        plugin_code: int | str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        """Releases of the first page (``results`` only), optionally of one plugin."""
        sent = {"plugin": plugin_code, **query(params)}
        return parse_page(self._get("plugin_releases/", sent), "plugin_releases/").results

    def get_plugin_release(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(f"plugin_releases/{check_id(pk, 'plugin release id')}/", params)

    def get_plugin_release_by_lookup(
        self,
        lookup: int | str,
        *,
        expand: str | None = "plugin",
        params: Mapping[str, Any] | None = None,
    ) -> JSON:
        """A release by pk or ``code@version``; everything but ``@`` is percent-encoded."""
        if isinstance(lookup, str) and lookup.strip(".") and lookup.isprintable():
            segment = quote(lookup, safe="@")
        else:
            segment = str(check_id(lookup, "lookup"))
        return self._get(f"plugin_releases/{segment}/", {"expand": expand, **query(params)})

    def create_plugin_release(self, data: Mapping[str, Any], *, file: Any = None) -> JSON:
        """Create a release; with a file (``file=`` or the seed's ``data['file']``) as multipart.

        The file may be a path or an open binary file; the caller's dict is not changed.
        """
        fields = object_arg(data)
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

    def tail_job_console_logs(self, pk: int | str) -> Iterator[str]:
        """Yield the job's console log lines as the server streams them (the request starts on first ``next``)."""
        path = f"jobs/{check_id(pk, 'job id')}/tail_console_logs/"
        timeouts = self.session.timeouts.with_read(TAIL_IDLE_TIMEOUT)
        with self.session.stream("GET", path, timeout=timeouts, auth=True) as response:
            yield from response.iter_lines()

    def create_logs(self, data: Mapping[str, Any] | list[Any]) -> JSON:
        return self._send("POST", "logs/", data)

    def create_serve_application(self, data: Mapping[str, Any]) -> JSON:
        return self._send("POST", "serve_applications/", data)

    def list_serve_applications(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list("serve_applications/", params, list_all)

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
        storages = parse_page(body, "storages/").results
        return next(
            (s for s in storages if isinstance(s, dict) and s.get("is_default")), storages[0] if storages else None
        )

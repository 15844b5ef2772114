"""BackendClient methods for agents, plugins and their releases, jobs, logs, serve applications and storages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..orm.routes import action_path, does_not_exist
from ..resources.jobs import Job
from ..resources.plugins import Agent, Plugin, PluginRelease, connect_agent, publish_release
from ..resources.storages import Storage, default_storage
from ..transport.envelope import parse_page
from . import _routes as routes
from ._base import JSON, ClientBase, Listing, object_arg, query

TAIL_IDLE_TIMEOUT = 3600.0
"""Seconds a tailed console log may stay silent. The official client waits forever; an
hour keeps a long quiet step alive without letting a dead connection hang a script."""


class IntegrationClientMixin(ClientBase):
    """Agents, plugins, plugin releases, jobs and their logs, serve applications, storages."""

    def list_agents(self, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The agents of the first page (``results`` only, as the official client returns)."""
        path = Agent._meta.list_path
        return parse_page(self._get(path, params), path).results

    def health_check_agent(self, token: str) -> JSON:
        """POST ``agents/{token}/connect/`` with an empty body (as :meth:`Agent.health_check`); the reply as sent."""
        return connect_agent(self.session, token)

    def get_plugin(self, pk: int | str) -> JSON:
        return self._retrieve(Plugin, pk)

    def create_plugin(self, data: Mapping[str, Any]) -> JSON:
        return self._send("POST", Plugin._meta.path, data)

    def update_plugin(self, pk: int | str, data: Mapping[str, Any]) -> JSON:
        """PUT (a full update, as the official client sends it)."""
        return self._write("PUT", Plugin, pk, data)

    def run_plugin(self, pk: int | str, data: Mapping[str, Any]) -> JSON:
        """POST ``plugins/{id or code}/run/``; returns a job or the action's direct result."""
        return self._write("POST", Plugin, pk, data, action="run")

    def list_plugin_releases(
        self,
        plugin_code: int | str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        """Releases of the first page (``results`` only), optionally of one plugin."""
        sent = {"plugin": plugin_code, **query(params)}
        path = PluginRelease._meta.list_path
        return parse_page(self._get(path, sent), path).results

    def get_plugin_release(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._retrieve(PluginRelease, pk, params)

    def get_plugin_release_by_lookup(
        self,
        lookup: int | str,
        *,
        expand: str | None = "plugin",
        params: Mapping[str, Any] | None = None,
    ) -> JSON:
        """A release by pk or ``code@version`` (put in the path as ``PluginRelease.get`` does)."""
        return self._retrieve(PluginRelease, lookup, {"expand": expand, **query(params)})

    def create_plugin_release(self, data: Mapping[str, Any], *, file: Any = None) -> JSON:
        """Create a release; with a file (``file=`` or the seed's ``data['file']``) as multipart.

        The file may be a path or an open binary file; the caller's dict is not changed.
        """
        fields = object_arg(data)
        embedded = fields.pop("file", None)
        return publish_release(self.session, fields, file if file is not None else embedded)

    def list_jobs(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(Job._meta.list_path, params)

    def get_job(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._retrieve(Job, pk, params)

    def update_job(self, pk: int | str, data: Mapping[str, Any]) -> JSON:
        """PATCH the job with the caller's fields as given (the server normalises ``status``)."""
        return self._write("PATCH", Job, pk, data)

    def list_job_console_logs(self, pk: int | str) -> JSON:
        return self._retrieve(Job, pk, action="console_logs")

    def tail_job_console_logs(self, pk: int | str) -> Iterator[str]:
        """Yield the job's console log lines as the server streams them (the request starts on first ``next``)."""
        path = action_path(Job, pk, "tail_console_logs")
        timeouts = self.session.timeouts.with_read(TAIL_IDLE_TIMEOUT)
        with does_not_exist(Job), self.session.stream("GET", path, timeout=timeouts, auth=True) as response:
            yield from response.iter_lines()

    def create_logs(self, data: Mapping[str, Any] | list[Any]) -> JSON:
        return self._send("POST", routes.LOGS, data)

    def create_serve_application(self, data: Mapping[str, Any]) -> JSON:
        return self._send("POST", routes.SERVE_APPLICATIONS, data)

    def list_serve_applications(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list(routes.SERVE_APPLICATIONS, params, list_all)

    def list_storages(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(Storage._meta.list_path, params)

    def get_storage(self, pk: int | str) -> JSON:
        """The storage as a dict, including its ``configuration``."""
        return self._retrieve(Storage, pk, {"with_configuration": True})

    def create_storage(self, data: Mapping[str, Any]) -> JSON:
        return self._send("POST", Storage._meta.path, data)

    def get_default_storage(self) -> JSON:
        """The internal storage marked ``is_default``, else the first internal one, else None (``Storage.default``)."""
        return default_storage(self.session)

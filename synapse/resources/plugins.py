"""Plugins (installable actions such as training or inference), their releases and the agents that run them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from pydantic import Field

from ..enums import PluginCategory
from ..errors import InvalidInputError
from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource
from ..orm.routes import action_path, does_not_exist
from ..transport.defaults import get_session
from ..transport.session import Session

if TYPE_CHECKING:
    from typing_extensions import Self

    from .jobs import Job


class Plugin(
    Resource,
    path="plugins/",
    repr=("code", "name"),
    update_method="PUT",
    lookups=("code",),
    filters=("category", "is_active", "code"),
):
    """An installable plugin. ``Plugin.get`` takes an id or the plugin's ``code``."""

    code: str | None = None
    name: str | None = None
    description: str | None = None
    category: PluginCategory | None = None
    is_active: bool | None = None
    is_public: bool | None = None
    created: datetime | None = None

    releases: ClassVar[HasMany[PluginRelease]] = HasMany("PluginRelease", "plugin")

    def run(
        self,
        action: str | None = None,
        agent: Any = None,
        params: dict[str, Any] | None = None,
        *,
        version: str | None = None,
        storage_id: int | None = None,
        job_id: int | None = None,
        debug: bool | None = None,
        **extra: Any,
    ) -> Job | Any:
        """Run an action (POST plugins/{id or code}/run/).

        Returns a :class:`Job` when the reply is one (it has ``id`` and ``status``), else the
        raw reply (e.g. a synchronous inference result). An unsaved ``Plugin(code="x")`` runs
        by code without fetching the plugin first.
        """
        from .jobs import Job

        ref = self.id if self.id is not None else self.code
        if ref is None:
            raise InvalidInputError(None, "this Plugin has neither an id nor a code to run it by")
        body = {
            "agent": agent.id if isinstance(agent, Resource) else agent,
            "action": action,
            "params": params,
            "version": version,
            "storage_id": storage_id,
            "job_id": job_id,
            "debug": debug,
            **extra,
        }
        session = self._bound_session()
        path = action_path(type(self), ref, "run")
        reply = session.request("POST", path, json={k: v for k, v in body.items() if v is not None})
        if isinstance(reply, dict) and "id" in reply and "status" in reply:
            return Job._from_server(reply, session)
        return reply


class PluginRelease(
    Resource,
    path="plugin_releases/",
    repr=("plugin", "version"),
    lookups=("code@version",),
    filters=("plugin", "debug"),
):
    """One published version of a plugin. ``PluginRelease.get`` takes an id or ``"code@version"``."""

    version: str | None = None
    config: dict[str, Any] | None = None
    requirements: list[str] | None = None
    debug: bool | None = None
    file: str | None = None
    readme: str | None = None
    available_actions: list[str] | None = None
    created: datetime | None = None

    plugin: BelongsTo[Plugin] = BelongsTo("Plugin", id_type=int | str)

    @classmethod
    def create(
        cls,
        *,
        session: Session | None = None,
        plugin: Any = None,
        version: str | None = None,
        file: str | os.PathLike[str] | None = None,
        config: dict[str, Any] | None = None,
        requirements: list[str] | None = None,
        debug: bool = False,
        **fields: Any,
    ) -> Self:
        """Publish a release. With ``file`` the body is multipart (config as JSON, one
        ``requirements`` part per item, ``debug`` as ``True``/``False``), else JSON."""
        if plugin is None or not version:
            raise InvalidInputError(None, "a plugin release needs plugin= (code or Plugin) and version=")
        if isinstance(plugin, Plugin):
            plugin = plugin.code or plugin._require_id()
        session = session or get_session()
        body: dict[str, Any] = {
            "plugin": plugin,
            "version": version,
            "config": config,
            "requirements": requirements,
            "debug": debug,
            **fields,
        }
        reply = publish_release(session, {k: v for k, v in body.items() if v is not None}, file)
        return cls._from_server(reply, session)


class Agent(Resource, path="agents/", repr=("name", "status"), read_only=("token", "node_install_script")):
    """A machine that runs plugin jobs. Its ``token`` is a secret and never shown in reprs."""

    name: str | None = None
    url: str | None = None
    status: str | None = None
    token: str | None = Field(None, repr=False)
    node_install_script: str | None = Field(None, repr=False)

    @property
    def is_connected(self) -> bool:
        return (self.status or "").lower() == "connected"

    @classmethod
    def health_check(cls, token: str, *, session: Session | None = None) -> Agent | Any:
        """Report the agent holding ``token`` as alive (see :func:`connect_agent`); the agent, when the reply is one."""
        session = session or get_session()
        reply = connect_agent(session, token)
        if isinstance(reply, dict) and "id" in reply:
            return cls._from_server(reply, session)
        return reply


def publish_release(session: Session, body: Mapping[str, Any], file: object = None) -> Any:
    """POST a release and return the reply as sent: JSON, or multipart when there is a file
    (a path or an open binary file; ``form_fields`` sends ``config`` as a JSON string)."""
    if file is None:
        return session.request("POST", PluginRelease._meta.path, json=dict(body))
    from ..transfers.forms import file_part, form_fields

    with file_part(file) as part:
        return session.request("POST", PluginRelease._meta.path, data=form_fields(body), files={"file": part})


def connect_agent(session: Session, token: str) -> Any:
    """POST ``agents/{token}/connect/`` with an empty body and return the reply as sent.

    The token is a secret inside the path: it is percent-encoded whole (no ``/`` or ``?`` in it
    can change the route) and redacted, as given and as encoded, from errors and log lines.
    A token no agent holds raises ``Agent.DoesNotExist``.
    """
    if not isinstance(token, str) or not token.strip() or token in (".", ".."):
        raise InvalidInputError(None, "agent token must be a non-empty string (and not a dot segment)")
    segment = quote(token, safe="")
    with session.secret(token, segment), does_not_exist(Agent, "no agent has this token"):
        return session.request("POST", f"{Agent._meta.path}{segment}/connect/")

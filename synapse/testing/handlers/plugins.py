"""Plugins, plugin releases, running plugins and agents."""

from __future__ import annotations

import secrets
from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import create_one, load, now_iso, object_response
from synapse.testing.http import ApiError, as_bool, as_list, body_dict, detail, file_storage, invalid, parse_int
from synapse.testing.media import safe_filename
from synapse.testing.routing import Router
from synapse.testing.store import Query


def find_plugin(ctx: Ctx, ref: str) -> dict[str, Any]:
    """A plugin by int id or by code."""
    number = parse_int(ref)
    plugin = ctx.store.get("plugins", number) if number is not None else ctx.store.find_one("plugins", "code", ref)
    if plugin is None:
        raise detail(404, "Not found.")
    return plugin


def latest_release(ctx: Ctx, plugin_id: int, version: str | None) -> dict[str, Any] | None:
    filters: list[tuple[str, str, list[Any]]] = [("plugin", "in", [plugin_id])]
    if version:
        filters.append(("version", "in", [version]))
    rows = ctx.store.find("plugin_releases", Query(filters=filters, ordering=[("id", True)], limit=1))
    return rows[0] if rows else None


def run_plugin(ctx: Ctx, params: dict[str, str]) -> Response:
    """Create a PENDING job (201) that the job runner then moves through its lifecycle."""
    plugin = find_plugin(ctx, params["ref"])
    body = body_dict(ctx.request)
    run_params = body.get("params", body.get("parameters", {}))
    if not isinstance(run_params, dict):
        raise invalid("params", "Expected a dictionary.")
    version = body.get("version")
    release = latest_release(ctx, plugin["id"], str(version) if version else None)
    if version and release is None:
        raise invalid("version", f'Release "{version}" of plugin "{plugin.get("code")}" does not exist.')
    action = body.get("action")
    if action is not None and str(action) not in (release or {}).get("available_actions", []):
        # The real backend validates the action against the release it runs (DRF ChoiceField wording).
        raise invalid("action", f'"{action}" is not a valid choice.')
    job = {
        "status": "PENDING",
        "action": body.get("action"),
        "plugin": plugin["id"],
        "plugin_release": release["id"] if release else None,
        "agent": body.get("agent"),
        "params": run_params,
        "storage_id": body.get("storage_id"),
        "debug": as_bool(body.get("debug", False)),
        "language": body.get("language", "ko"),
        "started": None,
        "finished": None,
        "progress_record": {},
        "metrics_record": {},
        "result": None,
        "meta": {"queue": {"position": 0, "reason": None}},
    }
    if isinstance(body.get("context"), dict):
        job["context"] = body["context"]
    created = create_one(ctx, "jobs", job)
    ctx.state.jobs.schedule(int(created["id"]))
    return object_response(ctx, "jobs", created, 201)


def create_release(ctx: Ctx, params: dict[str, str]) -> Response:
    """JSON or multipart (``config`` JSON string, repeated ``requirements``, ``debug`` True/False, ``file``)."""
    body = body_dict(ctx.request)
    upload = file_storage(body.pop("file", None))
    if "config" in body and not isinstance(body["config"], dict):
        raise invalid("config", "Expected a dictionary (a JSON object).")
    body["requirements"] = [str(r) for r in as_list(body.get("requirements"))]
    body["debug"] = as_bool(body.get("debug", False))
    body["version"] = str(body.get("version") or "")
    if upload is not None:
        key, size, md5 = ctx.state.media.save(upload.stream)
        name = safe_filename(upload.filename, "plugin.zip")
        body.update(file=ctx.state.media.url(key, name), checksum=md5, size=size)
    return object_response(ctx, "plugin_releases", create_one(ctx, "plugin_releases", body), 201)


def get_release(ctx: Ctx, params: dict[str, str]) -> Response:
    """By id, or by ``code@version`` (percent-encoded or not: codes may hold ``/``)."""
    lookup = params["lookup"]
    if parse_int(lookup) is not None:
        return object_response(ctx, "plugin_releases", load(ctx, "plugin_releases", lookup))
    code, sep, version = lookup.rpartition("@")
    if not sep:
        raise detail(404, "Not found.")
    plugin = ctx.store.find_one("plugins", "code", code)
    release = latest_release(ctx, plugin["id"], version) if plugin else None
    if release is None:
        raise detail(404, "Not found.")
    return object_response(ctx, "plugin_releases", release)


def connect_agent(ctx: Ctx, params: dict[str, str]) -> Response:
    agent = ctx.store.find_one("agents", "token", params["token"])
    if agent is None:
        raise detail(404, "Not found.")
    now = now_iso()
    agent = ctx.store.update("agents", agent["id"], {"status": "connected", "last_connected": now}) or agent
    return object_response(ctx, "agents", agent)


def create_agent(ctx: Ctx, params: dict[str, str]) -> Response:
    """Mint a 40-hex token; this reply is the only one that shows it (and the install script URL)."""
    agent = create_one(ctx, "agents", body_dict(ctx.request))
    token = secrets.token_hex(20)
    script = ctx.url(f"agents/{token}/node_install_script/")
    agent = ctx.store.update("agents", agent["id"], {"token": token, "node_install_script": script}) or agent
    return ctx.respond(agent, 201)


def node_install_script(ctx: Ctx, params: dict[str, str]) -> Response:
    """The install script an agent's URL points at; the token in the path is the credential."""
    agent = ctx.store.find_one("agents", "token", params["token"])
    if agent is None:
        raise detail(404, "Not found.")
    text = f"#!/bin/sh\n# Installs the Synapse agent node {agent.get('name') or agent['id']}.\n"
    return Response(text.encode(), content_type="text/x-shellscript; charset=utf-8")


def create_plugin(ctx: Ctx, params: dict[str, str]) -> Response:
    body = body_dict(ctx.request)
    code = body.get("code")
    if code is not None and ctx.store.find_one("plugins", "code", code):
        raise ApiError(400, {"code": ["plugin with this code already exists."]})
    return object_response(ctx, "plugins", create_one(ctx, "plugins", body), 201)


def register(router: Router) -> None:
    router.add("plugins/", "POST", create_plugin)
    router.add("plugins/<ref>/run/", "POST", run_plugin)
    router.add("plugin_releases/", "POST", create_release)
    router.add("plugin_releases/<lookup:path>/", "GET", get_release)
    router.add("agents/", "POST", create_agent)
    router.add("agents/<token>/connect/", "POST", connect_agent, auth="agent")
    router.add("agents/<token>/node_install_script/", "GET", node_install_script, auth="none")

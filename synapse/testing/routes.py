"""The route table: special routes first, then generic CRUD for every resource family."""

from __future__ import annotations

from synapse.testing.handlers import crud, files, jobs, media, misc, plugins, tasks, uploads
from synapse.testing.routing import Router
from synapse.testing.schema import KINDS


def build_router() -> Router:
    router = Router()
    for module in (media, uploads, tasks, files, plugins, jobs, misc):
        module.register(router)
    for kind in KINDS:
        crud.register(router, kind, put_merges=kind == "plugins")
    return router

"""File downloads: plain GET, no auth, Range support (206) so clients can resume."""

from __future__ import annotations

import mimetypes

from werkzeug.utils import send_file
from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.http import not_found
from synapse.testing.media import safe_filename
from synapse.testing.routing import Router


def download(ctx: Ctx, params: dict[str, str]) -> Response:
    path = ctx.state.media.path_for(params["key"])
    if path is None:
        raise not_found()
    name = safe_filename(params.get("name"), default=params["key"])
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return send_file(
        path, ctx.request.environ, mimetype=mimetype, download_name=name, conditional=True, etag=False, max_age=None
    )


def register(router: Router) -> None:
    router.add("media/<key>/<name>", "GET", download, auth="none")
    router.add("media/<key>/", "GET", download, auth="none")

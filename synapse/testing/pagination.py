"""DRF PageNumberPagination, answered from stored JSON texts without re-encoding them.

What DRF decides, done the same way: ``page_size`` is read with ``int()`` and clamped to
``max_page_size``; 0, a negative or a non-number silently means the default size (which no cap
touches). ``page`` is ``int()``-read too (``last`` = the last page); anything else, 0 or a page
past the end is 404 ``{"detail": "Invalid page."}``. ``next``/``previous`` are built from the
request's own absolute URI by replacing only ``page`` (the query sorted by key, as DRF re-encodes
it), so a clamped page keeps the requested ``page_size``; the ``previous`` of page 2 drops ``page``.
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs, quote, urlencode

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.http import detail

#: Characters Django's ``escape_uri_path`` leaves alone when it rebuilds the request path.
_PATH_SAFE = "/:@&+$,-_.!~*'()"


def page_size(ctx: Ctx) -> int:
    """DRF's ``get_page_size``: the last ``page_size`` value, capped; the default when unusable.
    Read with ``int()``, as DRF does: surrounding spaces, ``+`` and ``_`` are accepted."""
    values = ctx.args.getlist("page_size")
    if values:
        try:
            size = int(values[-1])
        except ValueError:
            size = 0
        if size > 0:
            return min(size, ctx.state.max_page_size)
    return ctx.state.page_size


def page_number(ctx: Ctx, size: int, count: int) -> int:
    """DRF's ``get_page_number`` plus Django's ``Paginator.validate_number``; 404 when invalid."""
    last = math.ceil(max(1, count) / size)
    raw = ctx.args.getlist("page")
    value = raw[-1] if raw else ""
    if value == "":
        return 1
    if value == "last":
        return last
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= last:
        raise detail(404, "Invalid page.")
    return number


def page_url(ctx: Ctx, page: int | None) -> str:
    """The request's absolute URI with ``page`` replaced (or removed when None), as DRF builds it."""
    raw = str(ctx.request.environ.get("QUERY_STRING", "")).encode("latin-1").decode("utf-8", "replace")
    query = parse_qs(raw, keep_blank_values=True)
    query.pop("page", None)
    if page is not None:
        query["page"] = [str(page)]
    text = urlencode(sorted(query.items()), doseq=True)
    path = ctx.url(quote(ctx.path, safe=_PATH_SAFE))
    return f"{path}?{text}" if text else path


def envelope(ctx: Ctx, count: int, rows: list[str], page: int, size: int) -> Response:
    """The page response, with the result objects joined as stored text."""
    last = math.ceil(max(1, count) / size)
    next_url = json.dumps(page_url(ctx, page + 1)) if page < last else "null"
    prev_url = json.dumps(page_url(ctx, None if page == 2 else page - 1)) if page > 1 else "null"
    text = f'{{"count":{count},"next":{next_url},"previous":{prev_url},"results":[{",".join(rows)}]}}'
    return ctx.respond_text(text)

"""DRF PageNumberPagination, answered from stored JSON texts without re-encoding them.

``next``/``previous`` are absolute (built from the request's Host) and keep every other query
parameter, because the official client re-sends nothing but the ``next`` URL.
"""

from __future__ import annotations

import json
import math
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.http import ApiError, detail


def page_params(ctx: Ctx) -> tuple[int, int]:
    """(page, page_size) from the query; bad values get a clear 4xx, never a 500."""
    raw_page = ctx.args.get("page", "1").strip() or "1"
    if raw_page == "last":
        page = -1
    elif raw_page.isdigit() and raw_page.isascii() and int(raw_page) >= 1:
        page = int(raw_page)
    else:
        raise detail(404, "Invalid page.")
    raw_size = ctx.args.get("page_size")
    if raw_size is None or raw_size.strip() == "":
        size = ctx.state.page_size
    elif raw_size.strip().isdigit() and raw_size.strip().isascii() and int(raw_size) >= 1:
        size = min(int(raw_size), ctx.state.max_page_size)
    else:
        raise ApiError(400, {"page_size": ["A valid positive integer is required."]})
    return page, size


def resolve_page(page: int, size: int, count: int) -> int:
    """The 1-based page number to serve; 404 past the end, like DRF."""
    last = max(1, math.ceil(count / size))
    if page == -1:
        return last
    if page > last:
        raise detail(404, "Invalid page.")
    return page


def page_url(ctx: Ctx, page: int, size: int) -> str:
    items = [(k, v) for k, v in ctx.args.items(multi=True) if k not in ("page", "page_size")]
    items += [("page", str(page)), ("page_size", str(size))]
    return ctx.url(quote(ctx.path, safe="/@:,")) + "?" + urlencode(items)


def envelope(ctx: Ctx, count: int, rows: list[str], page: int, size: int) -> Response:
    """The page response, with the result objects joined as stored text."""
    last = max(1, math.ceil(count / size))
    next_url = json.dumps(page_url(ctx, page + 1, size)) if page < last else "null"
    prev_url = json.dumps(page_url(ctx, page - 1, size)) if page > 1 else "null"
    text = f'{{"count":{count},"next":{next_url},"previous":{prev_url},"results":[{",".join(rows)}]}}'
    return ctx.respond_text(text)

"""Request budgets: prove how many requests a block of code sends.

``session.expect_requests(n)`` and ``session.no_requests()`` install a budget in the current
context; the session charges every attempt it sends against it and fails at the first one
over the limit, naming the request, so an accidental N+1 loop stops where it starts.
A budget counts only its own session's requests.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from ..errors import RequestBudgetExceeded


class _Budget:
    def __init__(self, owner: object, limit: int) -> None:
        self.owner = owner
        self.limit = limit
        self.sent: list[str] = []


_active: contextvars.ContextVar[tuple[_Budget, ...]] = contextvars.ContextVar("synapse_budgets", default=())


@contextlib.contextmanager
def budget(owner: object, limit: int, *, exact: bool) -> Iterator[None]:
    """Allow ``limit`` requests of ``owner`` inside the block (exactly that many if ``exact``)."""
    active = _Budget(owner, limit)
    token = _active.set((*_active.get(), active))
    try:
        yield
    finally:
        _active.reset(token)
    if exact and len(active.sent) != limit:
        raise RequestBudgetExceeded(
            None, f"expected {limit} request(s), the block sent {len(active.sent)}: {active.sent}"
        )


def charge(owner: object, label: str) -> None:
    """Count one request of ``owner`` in every enclosing budget of that owner (nested blocks
    included); raise before it is sent if any of them is spent."""
    for active in _active.get():
        if active.owner is not owner:
            continue
        active.sent.append(label)
        if len(active.sent) > active.limit:
            raise RequestBudgetExceeded(
                None, f"request #{len(active.sent)} in a block allowing {active.limit}: {label}"
            )

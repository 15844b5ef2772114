"""What the current thread of work is doing: its innermost ``with session:`` and its thread pools.

The current session is a context variable, so several threads (or asyncio tasks) can each be
inside their own ``with session:`` block. Worker threads start with an empty context, so a
``with session:`` block or a ``session.expect_requests(n)`` guard would not see requests sent
from a pool: every pool in the package submits through :func:`submit` instead of ``pool.submit``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .session import Session

T = TypeVar("T")

_current: contextvars.ContextVar[Session | None] = contextvars.ContextVar("synapse_session", default=None)
_scopes: contextvars.ContextVar[tuple[contextvars.Token[Session | None], ...]] = contextvars.ContextVar(
    "synapse_scopes", default=()
)


def current_session() -> Session | None:
    """The session of the innermost ``with session:`` block in this context, if any."""
    return _current.get()


def enter_scope(session: Session) -> None:
    """Make ``session`` current until the matching :func:`exit_scope` in this context."""
    _scopes.set((*_scopes.get(), _current.set(session)))


def exit_scope() -> None:
    stack = _scopes.get()
    if stack:
        _scopes.set(stack[:-1])
        _current.reset(stack[-1])


def submit(pool: Executor, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """``pool.submit`` that runs ``fn`` in a copy of the caller's context."""
    context = contextvars.copy_context()
    return pool.submit(context.run, fn, *args, **kwargs)

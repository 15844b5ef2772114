"""What the current thread of work is doing: its innermost ``with session:`` and its thread pools.

The current session is a context variable, so several threads (or asyncio tasks) can each be
inside their own ``with session:`` block. Worker threads start with an empty context, so a
``with session:`` block or a ``session.expect_requests(n)`` guard would not see requests sent
from a pool: every pool in the package submits through :func:`submit` instead of ``pool.submit``.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .session import Session

T = TypeVar("T")
K = TypeVar("K")

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


def ahead(fn: Callable[[K], T], keys: Iterable[K], window: int, name: str) -> Iterator[tuple[K, Future[T]]]:
    """``fn(key)`` for each key, up to ``window`` running at once, handed back in the keys' order.

    The next key is started before a finished one is handed back, so the window stays full
    while the caller works; whatever is still pending when the caller stops is cancelled.
    """
    pool = ThreadPoolExecutor(max_workers=window, thread_name_prefix=name)
    remaining = iter(keys)
    pending: deque[tuple[K, Future[T]]] = deque()

    def more() -> None:
        key = next(remaining, _DONE)
        if key is not _DONE:
            pending.append((key, submit(pool, fn, key)))

    try:
        for _ in range(window):
            more()
        while pending:
            done = pending.popleft()
            more()
            yield done
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)


_DONE: Any = object()

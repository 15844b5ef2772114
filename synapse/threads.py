"""Running work in thread pools without losing the caller's context.

Worker threads start with an empty ``contextvars`` context, so a ``with session:`` block or
a ``session.expect_requests(n)`` guard would not see requests sent from a pool. Every pool
in the package submits through :func:`submit` instead of ``pool.submit``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


def submit(pool: Executor, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """``pool.submit`` that runs ``fn`` in a copy of the caller's context."""
    context = contextvars.copy_context()
    return pool.submit(context.run, fn, *args, **kwargs)

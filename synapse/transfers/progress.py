"""Progress reporting for transfers, shared by uploads and downloads.

One small object hides the three ways a caller can ask for progress (a tqdm bar, a callback,
nothing) so the transfer code only ever calls ``update``/``advance_to``. It is thread-safe
because ``upload_many`` feeds one overall bar from many worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, Union

from ..errors import InvalidInputError

ProgressCallback = Callable[[int, int], Any]
ProgressSpec = Union[bool, ProgressCallback, "Progress", None]


class _Bar(Protocol):
    def update(self, n: float | None = ...) -> bool | None: ...

    def close(self) -> None: ...


class Progress:
    """A thread-safe counter of transferred units that reports to a bar, a callback or a parent."""

    def __init__(
        self,
        total: int,
        *,
        bar: _Bar | None = None,
        callback: ProgressCallback | None = None,
        parent: Progress | None = None,
    ) -> None:
        self.total = total
        self._done = 0
        self._bar = bar
        self._callback = callback
        self._parent = parent
        self._lock = threading.Lock()
        self._closed = False

    @property
    def done(self) -> int:
        return self._done

    def update(self, n: int) -> None:
        """Count ``n`` more units (ignored when not positive, so reports never go backwards)."""
        if n <= 0:
            return
        with self._lock:
            self._done += n
            if self._bar is not None:
                self._bar.update(n)
            if self._callback is not None:
                self._callback(self._done, self.total)
        if self._parent is not None:
            self._parent.update(n)

    def advance_to(self, done: int) -> None:
        """Move forward to an absolute count; a smaller count (a server rewinding) is ignored."""
        with self._lock:
            step = done - self._done
        self.update(step)

    def child(self, total: int) -> Progress:
        """A counter for one item whose increments also feed this (overall) counter."""
        return Progress(total, parent=self)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._bar is not None:
                self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_progress(progress: ProgressSpec, total: int, *, desc: str | None = None, unit: str = "B") -> Progress:
    """Build the reporter the caller asked for.

    ``True`` gives a tqdm bar when tqdm is installed (silently nothing otherwise), a callable is
    called with ``(done, total)``, ``None``/``False`` reports nothing, and an existing
    :class:`Progress` is wrapped as a child so nested transfers feed the caller's counter.
    """
    if isinstance(progress, Progress):
        return progress.child(total)
    if progress is None or progress is False:
        return Progress(total)
    if progress is True:
        return Progress(total, bar=_tqdm_bar(total, desc, unit))
    if callable(progress):
        return Progress(total, callback=progress)
    raise InvalidInputError(None, f"progress must be True, False, None or a callable(done, total), not {progress!r}")


def _tqdm_bar(total: int, desc: str | None, unit: str) -> _Bar | None:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar: _Bar = tqdm(
        total=total, desc=desc, unit=unit, unit_scale=unit == "B", unit_divisor=1024 if unit == "B" else 1000
    )
    return bar

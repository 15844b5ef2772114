"""The one retry policy: which failures are worth another attempt, and how long to wait first.

Every retry loop of the package (API requests, chunk uploads, the finalize recheck, downloads,
the facade's per-page retries) asks the session's :class:`RetryPolicy`, so backoff, jitter
and the ``Retry-After`` cap are the same everywhere. ``sleep`` and ``uniform`` are injectable
so tests can check the waits without waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from ..errors import ConfigurationError

REFUSED_STATUSES: Final = frozenset({429, 503})
"""Statuses with which the server refuses a request it did not apply: safe to retry even for a POST."""
GATEWAY_STATUSES: Final = frozenset({502, 504})
"""Statuses a gateway sends when the backend failed or was slow: it may have applied the request."""
RETRY_STATUSES: Final = REFUSED_STATUSES | GATEWAY_STATUSES
"""Statuses that may succeed on a later attempt."""
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods whose every route in the contract may be sent twice: PUTs store a whole value or a byte range."""
UNSENT_FAILURES: Final = frozenset({"refused", "connect_timeout"})
"""Failures before anything was sent that may pass on another attempt (not TLS: a certificate stays wrong)."""
LOST_ANSWER_FAILURES: Final = frozenset({"read_timeout", "dropped"})
"""Failures after the request was sent: only idempotent methods may try again."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, ``Retry-After`` honoured up to a cap.

    ``max_retries`` is the number of extra attempts; the wait before retry ``n`` (0-based) is
    drawn from the upper half of ``min(backoff_max, backoff_factor * 2**n)``, so clients that
    failed together retry apart.
    """

    max_retries: int = 3
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    uniform: Callable[[float, float], float] = field(default=random.uniform, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise ConfigurationError(None, f"max_retries must be a non-negative int, got {self.max_retries!r}")
        for name in ("backoff_factor", "backoff_max", "retry_after_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigurationError(None, f"{name} must be a non-negative number of seconds, got {value!r}")

    def backoff(self, attempt: int) -> float:
        """The jittered wait before retry number ``attempt`` (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_factor * (2**attempt))
        return self.uniform(ceiling / 2, ceiling) if ceiling > 0 else 0.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The server's ``Retry-After`` (capped) when it sent one, else the backoff."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.retry_after_max)
        return self.backoff(attempt)

    def pause(self, attempt: int, retry_after: float | None = None) -> float:
        """Wait before retry ``attempt``; returns the seconds waited."""
        seconds = self.delay(attempt, retry_after)
        if seconds > 0:
            self.sleep(seconds)
        return seconds

    def should_retry_status(self, method: str, status: int) -> bool:
        """Whether an answer with this status may be retried for this method.

        A 502/504 may come from a proxy after the backend applied the request, so only
        idempotent methods retry it; 429 and 503 mean the request was refused, not applied.
        """
        if status not in RETRY_STATUSES:
            return False
        return method in IDEMPOTENT_METHODS or status in REFUSED_STATUSES

    def should_retry_failure(self, method: str, kind: str) -> bool:
        """Whether an attempt that got no answer (``kind`` from the transport) may be made again."""
        return kind in UNSENT_FAILURES or (kind in LOST_ANSWER_FAILURES and not self.may_have_applied(method))

    @staticmethod
    def may_have_applied(method: str) -> bool:
        """Whether a lost answer leaves it unknown if the server acted on the request."""
        return method not in IDEMPOTENT_METHODS

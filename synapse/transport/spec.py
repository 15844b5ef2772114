"""How a worker process builds its own session, without the token ever travelling in a pickle.

Work shipped to other processes or machines (queryset partitions, distributed uploads) carries
no session: a :class:`Session` holds credentials and refuses to be pickled. By default a worker
uses its own ``synapse.get_session()``, built from its ``SYNAPSE_*`` environment variables. A
:class:`SessionSpec` says instead where the backend is and *where the worker finds the token*:
the name of an environment variable, or a function run on the worker (one that reads a secrets
manager, say). The spec is plain data, safe to pickle; each process builds one session per spec
and reuses it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigurationError, InvalidInputError
from .session import Session

OPTIONS = frozenset(
    {
        "timeout",
        "max_retries",
        "backoff_factor",
        "backoff_max",
        "retry_after_max",
        "cache_ttl",
        "cache_maxsize",
        "pool_maxsize",
        "verify",
        "max_answer_bytes",
        "strict",
        "url_host",
    }
)
"""Session settings a spec may carry: everything but credentials."""

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_sessions: dict[tuple[Any, ...], Session] = {}
_lock = threading.Lock()


@dataclass(frozen=True, init=False)
class SessionSpec:
    """Where a worker's session points and where it finds its token; never the token itself.

    ``base_url``: the API URL (``None``: the worker's ``SYNAPSE_BASE_URL``). ``token_env``: the
    name of the worker's environment variable holding the API token. ``token_factory``: a
    picklable function of no arguments that returns the token on the worker (wins over
    ``token_env``; it must fetch the token there, not close over it). ``options``: other
    :class:`Session` settings (timeouts, retries, ``verify``...).
    """

    base_url: str | None = None
    token_env: str = "SYNAPSE_API_TOKEN"
    token_factory: Callable[[], str] | None = None
    options: tuple[tuple[str, Any], ...] = ()

    def __init__(
        self,
        base_url: str | None = None,
        token_env: str = "SYNAPSE_API_TOKEN",
        token_factory: Callable[[], str] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        if base_url is not None:
            if not isinstance(base_url, str):
                raise InvalidInputError(None, f"base_url must be a string, not {type(base_url).__name__}")
            try:
                secret = urlsplit(base_url).password
            except ValueError:
                secret = None
            if secret:
                raise InvalidInputError(
                    None, "a base_url with a password would travel with the spec; give the worker its credentials"
                )
        if not isinstance(token_env, str) or not _VARIABLE.fullmatch(token_env):
            raise InvalidInputError(None, f"token_env names an environment variable, got {token_env!r}")
        if token_factory is not None and not callable(token_factory):
            raise InvalidInputError(None, "token_factory must be a function that returns the token on the worker")
        settings = dict(options or {})
        unknown = sorted(set(settings) - OPTIONS)
        if unknown:
            raise InvalidInputError(
                None, f"a SessionSpec carries no credentials or unknown settings: {unknown}; allowed: {sorted(OPTIONS)}"
            )
        object.__setattr__(self, "base_url", base_url)
        object.__setattr__(self, "token_env", token_env)
        object.__setattr__(self, "token_factory", token_factory)
        object.__setattr__(self, "options", tuple(sorted(settings.items())))

    def session(self) -> Session:
        """This process's session for the spec (built on first use, then reused)."""
        key = (self.base_url, self.token_env, self.token_factory, repr(self.options))
        with _lock:
            found = _sessions.get(key)
            if found is None:
                found = _sessions[key] = self.build()
            return found

    def build(self) -> Session:
        """A new session from the spec and this process's environment or token factory."""
        if self.token_factory is not None:
            token = self.token_factory()
            if not isinstance(token, str) or not token:
                raise ConfigurationError(None, "the SessionSpec's token_factory returned no token")
        else:
            token = os.environ.get(self.token_env, "")
            if not token:
                raise ConfigurationError(
                    None,
                    f"this process has no ${self.token_env}: set it where the work runs (the SessionSpec names it)",
                )
        return Session(self.base_url, api_token=token, **dict(self.options))


__all__ = ["SessionSpec"]

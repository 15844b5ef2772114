"""The process default session and the current one: ``connect()``, ``get_session()``.

The default is the one piece of module-level mutable state in the package; a ``with session:``
block overrides it for the code inside (a context variable, so threads and tasks do not mix).
"""

from __future__ import annotations

import threading
from typing import Any

from ..errors import ConfigurationError
from . import context
from .session import Session

_default_session: Session | None = None
_default_lock = threading.Lock()


def connect(base_url: str | None = None, api_token: str | None = None, **kwargs: Any) -> Session:
    """Create a session and make it the process default."""
    global _default_session
    session = Session(base_url, api_token, **kwargs)
    with _default_lock:
        _default_session = session
    return session


def get_session() -> Session:
    """The session of the innermost ``with session:`` block, else the process default.

    With neither, a default is built from ``SYNAPSE_*`` variables when they are set.
    """
    global _default_session
    current = context.current_session()
    if current is not None:
        return current
    with _default_lock:
        if _default_session is None:
            try:
                _default_session = Session()
            except ConfigurationError:
                raise ConfigurationError(
                    None,
                    "No Synapse session: call synapse.connect(base_url, api_token=...) "
                    "or set SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN",
                ) from None
        return _default_session


def set_default_session(session: Session | None) -> None:
    """Replace (or clear, with ``None``) the process default session."""
    global _default_session
    with _default_lock:
        _default_session = session

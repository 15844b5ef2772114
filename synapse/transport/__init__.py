"""The transport: everything between a Python call and the backend's HTTP answer.

:class:`Session` (settings, credentials, redaction, the request counter and budgets), the one
:class:`RetryPolicy`, the reader of answer envelopes, URL-path checks, and the context that
carries the current session into thread pools. Only :mod:`synapse.transport._http` touches the
HTTP library. Nothing here knows about resources or the object model.
"""

from .defaults import connect, get_session, set_default_session
from .retry import RetryPolicy
from .session import Session
from .settings import Timeouts

__all__ = ["RetryPolicy", "Session", "Timeouts", "connect", "get_session", "set_default_session"]

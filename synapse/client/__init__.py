"""BackendClient: the seed document's method-per-endpoint API, over a :class:`Session`.

Scripts written for the seed's ``BackendClient`` switch by changing one import. Every
method sends the caller's payload as given (the server decides what it accepts) and
returns the server's JSON unchanged. Ids are checked before they reach a URL path, so a
value like ``"../x"`` fails with :class:`InvalidInputError` before any request. The
underlying ``client.session`` is an ordinary :class:`synapse.Session`: facade calls and
ORM objects can share one connection pool and one identity map. The methods live in one
mixin per family, as in the seed's client.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from ..transport.session import Session
from ..transport.settings import TimeoutSpec
from ._annotation import AnnotationClientMixin
from ._data import DataClientMixin
from ._integration import IntegrationClientMixin
from ._ml import MLClientMixin

__all__ = ["BackendClient"]


class BackendClient(AnnotationClientMixin, DataClientMixin, IntegrationClientMixin, MLClientMixin):
    """Synapse API client with the seed's method names, parameters and return shapes.

    Settings not passed fall back to ``SYNAPSE_BASE_URL``, ``SYNAPSE_API_TOKEN`` (or
    ``SYNAPSE_ACCESS_TOKEN``) and ``SYNAPSE_AGENT_TOKEN``. ``session_options`` go to
    :class:`Session` (``max_retries``, ``backoff_factor``, ...). Use as a context manager
    to close the connection pool at the end.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_token: str | None = None,
        agent_token: str | None = None,
        timeout: TimeoutSpec = None,
        *,
        access_token: str | None = None,
        authorization_token: str | None = None,
        token: str | None = None,
        tenant: str | None = None,
        url_host: str | None = None,
        session: Session | None = None,
        **session_options: Any,
    ) -> None:
        if session is None:
            session = Session(
                base_url,
                api_token,
                agent_token,
                tenant=tenant,
                timeout=timeout,
                access_token=access_token,
                token=token,
                authorization_token=authorization_token,
                url_host=url_host,
                **session_options,
            )
        else:
            settings = {
                "base_url": base_url,
                "api_token": api_token,
                "agent_token": agent_token,
                "timeout": timeout,
                "access_token": access_token,
                "token": token,
                "tenant": tenant,
                "authorization_token": authorization_token,
                "url_host": url_host,
                **session_options,
            }
            given = sorted(name for name, value in settings.items() if value is not None)
            if given:
                raise ConfigurationError(None, f"pass either session= or connection settings, not both: {given}")
            if not isinstance(session, Session):
                raise ConfigurationError(None, f"session must be a synapse.Session, not {type(session).__name__}")
        self.session = session

    @classmethod
    def from_session(cls, session: Session) -> BackendClient:
        """A client over an existing session (same pool, credentials and identity map)."""
        return cls(session=session)

    @property
    def base_url(self) -> str:
        return self.session.base_url

    def __repr__(self) -> str:
        return f"<BackendClient over {self.session!r}>"

    def __enter__(self) -> BackendClient:
        self.session.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.session.__exit__(*exc)
        finally:
            self.close()

    def close(self) -> None:
        """Close pooled connections (the client reconnects if used again)."""
        self.session.close()

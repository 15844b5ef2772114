"""Resolving settings from arguments and ``SYNAPSE_*`` environment variables.

Kept apart from the transport so the rules (which argument wins, which variable is read,
how a timeout is spelled) can be read in one place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigurationError
from ._redact import without_userinfo

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_TOTAL_TIMEOUT = 300.0
DEFAULT_MAX_ANSWER_BYTES = 256 << 20
"""Far above any real page, far below what exhausts memory: a bomb or an endless body stops here."""

TimeoutSpec = float | int | tuple[float, float] | Mapping[str, float | None] | None


@dataclass(frozen=True)
class Timeouts:
    """Connect and read timeouts per attempt, plus a bound on reading one whole answer."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT
    total: float = DEFAULT_TOTAL_TIMEOUT

    @classmethod
    def parse(cls, spec: TimeoutSpec) -> Timeouts:
        """Accept the seed's dict form, a ``(connect, read)`` tuple or one number."""
        if spec is None:
            return cls()
        if isinstance(spec, bool):
            raise ConfigurationError(None, f"timeout must be a number, tuple or dict, not {spec!r}")
        if isinstance(spec, (int, float)):
            return cls._checked(float(spec), float(spec), DEFAULT_TOTAL_TIMEOUT)
        if isinstance(spec, tuple) and len(spec) == 2:
            return cls._checked(float(spec[0]), float(spec[1]), DEFAULT_TOTAL_TIMEOUT)
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"connect", "read", "total"}
            if unknown:
                raise ConfigurationError(None, f"unknown timeout keys {sorted(unknown)}; use connect/read/total")
            connect = spec.get("connect")
            read = spec.get("read")
            total = spec.get("total")
            return cls._checked(
                float(connect) if connect is not None else DEFAULT_CONNECT_TIMEOUT,
                float(read) if read is not None else DEFAULT_READ_TIMEOUT,
                float(total) if total is not None else DEFAULT_TOTAL_TIMEOUT,
            )
        raise ConfigurationError(None, f"timeout must be a number, tuple or dict, not {type(spec).__name__}")

    @classmethod
    def _checked(cls, connect: float, read: float, total: float) -> Timeouts:
        if connect <= 0 or read <= 0 or total <= 0:
            raise ConfigurationError(None, "timeouts must be positive numbers of seconds")
        return cls(connect, read, total)

    def with_read(self, read: float | None) -> Timeouts:
        """A copy with another read timeout (uploads of big chunks need more)."""
        if read is None:
            return self
        return Timeouts._checked(self.connect, float(read), max(self.total, float(read)))


@dataclass(frozen=True)
class Credentials:
    """The tokens a session sends. Never printed."""

    access_token: str | None = None
    authorization_token: str | None = None
    agent_token: str | None = None
    tenant: str | None = None

    def headers(self) -> dict[str, str]:
        """Auth headers exactly as the official client spells them."""
        headers: dict[str, str] = {}
        if self.access_token:
            headers["Synapse-Access-Token"] = f"Token {self.access_token}"
        if self.authorization_token:
            headers["Authorization"] = f"Token {self.authorization_token}"
        if self.tenant:
            headers["Synapse-Tenant"] = f"Token {self.tenant}"
        if self.agent_token:
            headers["SYNAPSE-Agent"] = f"Token {self.agent_token}"
        return headers

    def secrets(self) -> tuple[str, ...]:
        """Every value that must never appear in a message or log line."""
        values = (self.access_token, self.authorization_token, self.agent_token, self.tenant)
        return tuple(v for v in values if v)

    def describe(self) -> str:
        """Which kinds of credentials are set, without their values."""
        kinds = [
            name
            for name, value in (
                ("access-token", self.access_token),
                ("authorization-token", self.authorization_token),
                ("agent-token", self.agent_token),
                ("tenant", self.tenant),
            )
            if value
        ]
        return ",".join(kinds) or "none"


def _env(name: str, environ: Mapping[str, str]) -> str | None:
    value = environ.get(name)
    return value if value else None


def resolve_base_url(base_url: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The base URL from the argument or ``SYNAPSE_BASE_URL``, validated, without trailing slash."""
    env = os.environ if environ is None else environ
    url = base_url or _env("SYNAPSE_BASE_URL", env)
    if not url:
        raise ConfigurationError(
            None,
            "No Synapse base URL: pass base_url=... or set SYNAPSE_BASE_URL (and SYNAPSE_API_TOKEN for the token)",
        )
    if not isinstance(url, str):
        raise ConfigurationError(None, f"base_url must be a string, not {type(url).__name__}")
    shown = without_userinfo(url)
    example = "like https://api.synapse.sh or http://127.0.0.1:8000/api/v1"
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise ConfigurationError(None, f"base_url must not contain whitespace or control characters, got {shown!r}")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ConfigurationError(None, f"base_url is not a valid URL, got {shown!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(None, f"base_url must be an http(s) URL {example}, got {shown!r}")
    if "?" in url or "#" in url:
        raise ConfigurationError(
            None, f"base_url must not have a query or fragment (every request would carry or lose it), got {shown!r}"
        )
    try:
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError:
        raise ConfigurationError(None, f"base_url has an invalid port, got {shown!r}") from None
    return url.rstrip("/")


_TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")


def check_token(name: str, value: str) -> str:
    """A token goes into an HTTP header as is: visible ASCII only (no spaces, line breaks or other characters)."""
    if _TOKEN_CHARS.fullmatch(value):
        return value
    if "\r" in value or "\n" in value:
        problem = "a line break (read from a file? strip() it)"
    elif any(ch.isspace() for ch in value):
        problem = "whitespace"
    elif not value.isascii():
        problem = "a non-ASCII character"
    else:
        problem = "a control character"
    raise ConfigurationError(None, f"{name} contains {problem}; tokens are sent in HTTP headers as visible ASCII")


def resolve_credentials(
    *,
    api_token: str | None,
    access_token: str | None,
    token: str | None,
    authorization_token: str | None,
    agent_token: str | None,
    tenant: str | None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Merge the synonyms and fall back to the environment."""
    env = os.environ if environ is None else environ
    if api_token and access_token and api_token != access_token:
        raise ConfigurationError(None, "api_token and access_token are synonyms; pass only one")
    if token and authorization_token and token != authorization_token:
        raise ConfigurationError(None, "token and authorization_token are synonyms; pass only one")
    for name, value in (
        ("api_token", api_token),
        ("access_token", access_token),
        ("token", token),
        ("authorization_token", authorization_token),
        ("agent_token", agent_token),
        ("tenant", tenant),
    ):
        if value is not None and not isinstance(value, str):
            raise ConfigurationError(None, f"{name} must be a string, not {type(value).__name__}")
    chosen = {
        "api_token": _pick(
            ("api_token", api_token), ("access_token", access_token), env, "SYNAPSE_API_TOKEN", "SYNAPSE_ACCESS_TOKEN"
        ),
        "authorization_token": _pick(("token", token), ("authorization_token", authorization_token), env),
        "agent_token": _pick(("agent_token", agent_token), None, env, "SYNAPSE_AGENT_TOKEN"),
        "tenant": _pick(("tenant", tenant), None, env, "SYNAPSE_TENANT"),
    }
    for origin, value in chosen.values():
        if value is not None:
            check_token(origin, value)
    return Credentials(
        access_token=chosen["api_token"][1],
        authorization_token=chosen["authorization_token"][1],
        agent_token=chosen["agent_token"][1],
        tenant=chosen["tenant"][1],
    )


def _pick(
    first: tuple[str, str | None], second: tuple[str, str | None] | None, environ: Mapping[str, str], *variables: str
) -> tuple[str, str | None]:
    """The first value set, with the name it was given under (argument or variable), for error messages."""
    for name, value in (first, *([second] if second else [])):
        if value:
            return name, value
    for variable in variables:
        value = _env(variable, environ)
        if value:
            return variable, value
    return first[0], None


def as_float(value: Any, name: str) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(None, f"{name} must be a number, got {value!r}") from None
    if result < 0:
        raise ConfigurationError(None, f"{name} must not be negative, got {value!r}")
    return result


def count(value: Any, name: str, *, minimum: int = 1) -> int:
    """``value`` if it is an int of at least ``minimum`` (not a bool), else a ConfigurationError."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ConfigurationError(None, f"{name} must be {kind}, got {value!r}")
    return value

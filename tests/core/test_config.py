"""Configuration: arguments, environment variables and their errors, checked before any request."""

from __future__ import annotations

import pytest

import synapse
from synapse.transport.settings import Timeouts


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Configuration tests see only the variables they set themselves."""


def test_missing_base_url_says_what_to_set() -> None:
    with pytest.raises(synapse.ConfigurationError, match="SYNAPSE_BASE_URL"):
        synapse.Session()


def test_base_url_must_be_http() -> None:
    with pytest.raises(synapse.ConfigurationError, match="http"):
        synapse.Session("ftp://example.org")


def test_environment_fills_missing_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNAPSE_BASE_URL", "http://127.0.0.1:9/api/")
    monkeypatch.setenv("SYNAPSE_ACCESS_TOKEN", "env-access")
    monkeypatch.setenv("SYNAPSE_TENANT", "acme")
    session = synapse.Session()
    assert session.base_url == "http://127.0.0.1:9/api"
    assert session.url("projects/1/") == "http://127.0.0.1:9/api/projects/1/"
    assert "env-access" not in repr(session)
    assert "access-token" in repr(session) and "tenant" in repr(session)


def test_api_token_wins_over_access_token_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNAPSE_API_TOKEN", "from-api")
    monkeypatch.setenv("SYNAPSE_ACCESS_TOKEN", "from-access")
    session = synapse.Session("http://127.0.0.1:9")
    assert session.redact("x from-api y") == "x *** y"


def test_synonyms_must_agree() -> None:
    with pytest.raises(synapse.ConfigurationError, match="synonyms"):
        synapse.Session("http://127.0.0.1:9", api_token="a", access_token="b")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, (5.0, 30.0)),
        ({"connect": 2, "read": 7}, (2.0, 7.0)),
        ((1, 3), (1.0, 3.0)),
        (4, (4.0, 4.0)),
    ],
)
def test_timeout_forms(spec: object, expected: tuple[float, float]) -> None:
    timeouts = Timeouts.parse(spec)  # type: ignore[arg-type]
    assert (timeouts.connect, timeouts.read) == expected


@pytest.mark.parametrize("spec", [{"conect": 1}, -1, "fast", True])
def test_bad_timeouts_are_configuration_errors(spec: object) -> None:
    with pytest.raises(synapse.ConfigurationError):
        synapse.Session("http://127.0.0.1:9", timeout=spec)  # type: ignore[arg-type]


def test_no_session_anywhere_is_a_clear_error() -> None:
    synapse.set_default_session(None)
    with pytest.raises(synapse.ConfigurationError, match=r"synapse\.connect"):
        synapse.get_session()


def test_connect_sets_default_and_with_block_overrides() -> None:
    first = synapse.connect("http://127.0.0.1:9", api_token="t1")
    second = synapse.Session("http://127.0.0.1:10", api_token="t2")
    try:
        assert synapse.get_session() is first
        with second:
            assert synapse.get_session() is second
        assert synapse.get_session() is first
    finally:
        synapse.set_default_session(None)

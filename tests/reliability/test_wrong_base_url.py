"""A base URL without the API prefix is the most common first mistake: its 404s say so.

The API answers a 404 with DRF's JSON ``{"detail": ...}``; a path outside the API reaches
whatever serves the rest of the host, which answers with its own page. LocalBackend's faults play
that server for every path outside ``/api/v1`` (werkzeug's default 404 page).
"""

from __future__ import annotations

import pytest

from synapse import Project
from synapse.errors import NotFoundError
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import FAST, TOKEN

WERKZEUG_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again.</p>\n"
)


@pytest.fixture
def outside_the_api(backend: LocalBackend) -> LocalBackend:
    backend.faults.add("re:^/(?!api/v1/)", status=404, body=WERKZEUG_404, times=None)
    return backend


def test_a_base_url_without_the_api_prefix_says_the_base_url_may_be_wrong(outside_the_api: LocalBackend) -> None:
    pk = outside_the_api.seed("projects", [{"name": "p"}])[0]
    session = Session(outside_the_api.root_url, api_token=TOKEN, **FAST)
    with pytest.raises(Project.DoesNotExist) as caught:
        Project.get(pk, session=session)
    message = str(caught.value)
    assert "404 Not Found" in message
    assert "base URL" in message and "/api/v1" in message
    assert outside_the_api.root_url in message


def test_a_json_404_that_is_not_the_apis_says_so_too(backend: LocalBackend, session: Session) -> None:
    backend.faults.add("projects/*", method="GET", status=404, body={"message": "no route"}, times=1)
    with pytest.raises(NotFoundError, match="base URL"):
        session.get("projects/1/")


def test_the_apis_own_404_is_only_a_missing_object(outside_the_api: LocalBackend, session: Session) -> None:
    with pytest.raises(Project.DoesNotExist) as caught:
        Project.get(999_999, session=session)
    assert "base URL" not in str(caught.value)


def test_a_file_host_404_is_not_blamed_on_the_base_url(session: Session, foreign: LocalBackend) -> None:
    foreign.faults.add("re:.*", method="GET", status=404, body=WERKZEUG_404, times=1)
    with pytest.raises(NotFoundError) as caught, session.stream("GET", f"{foreign.url}/media/gone.bin"):
        pass
    assert "base URL" not in str(caught.value)

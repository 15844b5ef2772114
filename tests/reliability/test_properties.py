"""Property-based tests: random field values survive save/get, and the local backend never answers 5xx."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synapse import Project, Task
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import TOKEN


def examples(count: int) -> settings:
    """Modest example counts keep the suite fast; the fixtures are reset per test, not per example."""
    return settings(
        max_examples=count, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=5)


@examples(40)
# A blank name is refused: the real backend requires a project title (DRF "may not be blank").
@pytest.mark.slow
@given(name=st.text(min_size=1, max_size=60).filter(str.strip), configuration=json_objects)
def test_project_fields_round_trip(session: Session, name: str, configuration: dict[str, Any]) -> None:
    project = Project.create(name=name, configuration=configuration, session=session)
    again = Project.get(project.id, refresh=True, session=session)
    assert again.name == name
    assert again.configuration == configuration


@examples(40)
@given(data=json_objects, edited=json_objects)
def test_task_data_round_trips_through_create_and_patch(
    backend: LocalBackend, session: Session, data: dict[str, Any], edited: dict[str, Any]
) -> None:
    project = backend.seed("projects", [{"name": "p"}])[0]
    task = Task.create(project=project, data=data, session=session)
    assert Task.get(task.id, refresh=True, session=session).data == data
    task.data = edited
    task.save()
    assert Task.get(task.id, refresh=True, session=session).data == edited


# -- fuzzing the local backend -------------------------------------------------------------

_GROUP = re.compile(r"\(\?P<[a-z_]+>\[\^/\]\+\)")


def route_templates(backend: LocalBackend) -> list[str]:
    """Every route as a path with ``{}`` where a path parameter goes."""
    templates = []
    for route in backend.app.router.routes:
        text = _GROUP.sub("{}", route.pattern.pattern.strip("^$"))
        templates.append(text.replace("\\", ""))
    return sorted(set(templates))


segments = st.one_of(
    st.integers(min_value=-5, max_value=10**20).map(str),
    st.text(alphabet="abcXYZ019-_.@%~", min_size=1, max_size=12),
    st.sampled_from(["0", "1", "-1", "1.5", "..", "%2F", "%00", "null", "9223372036854775808"]),
)
bodies = st.one_of(
    st.none(),
    st.binary(max_size=200),
    json_values.map(json.dumps),
    st.just('{"id": "abc", "project": "x", "data": [1, 2'),
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "image/png",
    ]
)
header_text = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=20)
auth = st.one_of(
    st.sampled_from([None, f"Token {TOKEN}", "Token wrong", "Bearer", "", f"token  {TOKEN} "]), header_text
)
queries = st.dictionaries(
    st.sampled_from(["page", "page_size", "expand", "ordering", "id__in", "project", "status", "fields", "x"]),
    st.one_of(segments, st.text(max_size=10)),
    max_size=4,
)
ranges = st.one_of(st.none(), header_text, st.just("bytes 0-0/1"), st.just("bytes 5-2/1"))


@pytest.mark.slow
@examples(400)
@given(
    data=st.data(),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    body=bodies,
    content_type=content_types,
    token=auth,
    query=queries,
    content_range=ranges,
)
def test_local_backend_never_answers_5xx_to_malformed_requests(
    backend: LocalBackend,
    data: st.DataObject,
    method: str,
    body: str | bytes | None,
    content_type: str | None,
    token: str | None,
    query: dict[str, str],
    content_range: str | None,
) -> None:
    template = data.draw(st.sampled_from(route_templates(backend)))
    path = template.format(*[data.draw(segments) for _ in range(template.count("{}"))])
    headers = {}
    if token is not None:
        headers["Synapse-Access-Token"] = token
    if content_type is not None:
        headers["Content-Type"] = content_type
    if content_range is not None:
        headers["Content-Range"] = content_range
    response = requests.request(
        method,
        f"{backend.url}/{path}",
        params=query,
        data=body,
        headers=headers,
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
    assert backend.errors == []

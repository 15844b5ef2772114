"""What a notebook shows: ``_repr_html_`` of querysets and objects (one request, escaped, the repr fields)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from synapse import Agent, Assignment, Project
from synapse.testing import LocalBackend
from synapse.transport.session import Session

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


class Table(HTMLParser):
    """The caption, the rows (header cells included) and the text after the table, as a browser reads them."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.caption = ""
        self.rows: list[list[str]] = []
        self.after: list[str] = []
        self.tags: list[str] = []
        self._where: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._where.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        self._where.pop()

    def handle_data(self, data: str) -> None:
        where = self._where[-1] if self._where else ""
        if where == "caption":
            self.caption += data
        elif where in ("td", "th"):
            self.rows[-1][-1] += data
        elif where == "p":
            self.after.append(data)


@pytest.fixture
def projects(backend: LocalBackend, session: Session) -> list[int]:
    titles = [f"project {n}" for n in range(24)] + [HOSTILE]
    ids = backend.seed("projects", [{"title": title} for title in titles])
    backend.clear_log()
    return ids


@pytest.fixture
def project_with_tasks(backend: LocalBackend, session: Session) -> Project:
    (pid,) = backend.seed("projects", [{"title": "with tasks"}])
    (cid,) = backend.seed("data_collections", [{"name": "dc"}])
    units = backend.seed("data_units", [{"data_collection": cid} for _ in range(3)])
    backend.seed("tasks", [{"project": pid, "data_unit": unit} for unit in units])
    return Project.get(pid)


def test_a_queryset_table_costs_one_request_and_shows_the_repr_fields(
    backend: LocalBackend, session: Session, projects: list[int]
) -> None:
    query = Project.all().order_by("id")
    with session.expect_requests(1):
        table = Table(query._repr_html_())
    header, *rows = table.rows
    assert header == ["id", "title"]
    assert rows == [[str(pk), f"project {n}"] for n, pk in enumerate(projects[:20])]
    assert table.after == ["first 20 shown"]
    assert table.caption == "Project GET projects/?ordering=id"


def test_a_queryset_table_escapes_what_the_server_sent(session: Session, projects: list[int]) -> None:
    query = Project.all().order_by("-id")
    markup = query._repr_html_()
    assert "<script>" not in markup and "<b>" not in markup
    table = Table(markup)
    assert set(table.tags) <= {"table", "caption", "tr", "th", "td", "p"}
    assert table.rows[1] == [str(projects[-1]), HOSTILE], "shown as the text it is"


def test_values_and_values_list_tables(session: Session, projects: list[int]) -> None:
    query = Project.all().order_by("-id")
    values = Table(query.values()._repr_html_())
    header, first = values.rows[:2]
    assert header == sorted(header) and {"id", "title"} <= set(header)
    assert first[header.index("id")] == str(projects[-1]) and first[header.index("title")] == HOSTILE
    flat = Table(query.values_list("title", flat=True)._repr_html_())
    assert flat.rows[0] == ["title"] and flat.rows[1] == [HOSTILE]


def test_a_short_queryset_has_no_truncation_note_and_an_empty_one_sends_nothing(
    backend: LocalBackend, session: Session, project_with_tasks: Project
) -> None:
    table = Table(project_with_tasks.tasks.order_by("id")._repr_html_())
    header, *rows = table.rows
    assert header == ["id", "project", "data_unit"] and len(rows) == 3
    assert all(row[1] == str(project_with_tasks.id) for row in rows)
    assert table.after == []
    with session.no_requests():
        empty = Table(Assignment.filter(id__in=[])._repr_html_())
    assert empty.rows == [["id", "task", "status_label", "status_review"]]


def test_an_object_table_sends_nothing_and_puts_the_repr_fields_first(session: Session, projects: list[int]) -> None:
    project = Project.get(projects[-1])
    project.description = "<i>draft</i>"
    with session.no_requests():
        markup = project._repr_html_()
    assert "<i>" not in markup and "<script>" not in markup
    table = Table(markup)
    assert table.caption == "Project"
    assert table.rows[:2] == [["id", str(project.id)], ["title", repr(HOSTILE)]]
    assert ["description", repr("<i>draft</i>")] in table.rows


def test_an_object_table_never_shows_a_secret(session: Session) -> None:
    agent = Agent.create(name="gpu-1")
    assert agent.token, "the backend sends an agent's token once, in the reply that minted it"
    markup = agent._repr_html_()
    assert agent.token not in markup and "token" not in markup
    assert ["name", "'gpu-1'"] in Table(markup).rows

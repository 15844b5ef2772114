"""Querysets as DataFrames, Arrow tables and streamed batches: typed from the declarations, read page by page."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pyarrow as pa
import pytest

from synapse import InvalidInputError, Project, ResponseError, SchemaWarning, Session, Task
from synapse.testing import LocalBackend

from ._common import requests_to, seed_tasks

DECLARED = ["id", "tags", "data", "meta", "schema", "is_discarded", "has_data", "created", "workshop", "project"]


def test_to_pandas_types_every_declared_field(each: LocalBackend) -> None:
    seed_tasks(each, 250, schema="sdk", workshop=None)
    frame = Task.all().to_pandas()
    rows = list(Task.all().order_by("id").values())

    assert list(frame.columns) == [*DECLARED, "data_unit"]
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "id": "Int64",
        "tags": "object",
        "data": "object",
        "meta": "object",
        "schema": "string",
        "is_discarded": "boolean",
        "has_data": "boolean",
        "created": "datetime64[us, UTC]",
        "workshop": "Int64",
        "project": "Int64",
        "data_unit": "Int64",
    }
    assert len(frame) == 250 and frame.index.equals(pd.RangeIndex(250))
    assert frame["id"].tolist() == [row["id"] for row in rows]
    assert frame["data"].tolist() == [row["data"] for row in rows], "JSON values stay as sent"
    assert frame["tags"].tolist() == [[] for _ in rows]
    assert frame["workshop"].isna().all() and frame["data_unit"].isna().all(), "absent foreign keys are <NA>"
    assert frame["created"].iloc[0] == pd.Timestamp(rows[0]["created"])
    assert frame["created"].dt.tz is not None


def test_frames_read_the_largest_pages_the_server_serves(each: LocalBackend) -> None:
    backend = each
    seed_tasks(backend, 250)
    backend.clear_log()
    Task.all().to_pandas()
    pages = requests_to(backend, "GET", "sdk/tasks/")
    assert all(page.query["page_size"] == ["1000"] for page in pages)
    assert len(pages) == (1 if backend.state.max_page_size >= 1000 else 3)


def test_columns_choose_order_and_ask_only_for_those_fields(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 10)
    backend.clear_log()
    frame = Task.all().to_pandas(columns=["project", "id"])
    assert list(frame.columns) == ["project", "id"]
    (page,) = requests_to(backend, "GET", "sdk/tasks/")
    assert page.query["fields"] == ["id,project"]
    only = Task.all().only("created").to_pandas()
    assert list(only.columns) == ["id", "created"]


def test_bad_columns_and_expansions_are_refused_before_any_request(session: Session) -> None:
    with session.no_requests():
        with pytest.raises(InvalidInputError, match="no field"):
            Task.all().to_pandas(columns=["nope"])
        with pytest.raises(InvalidInputError, match="list of field names"):
            Task.all().to_arrow(columns="id")
        with pytest.raises(InvalidInputError, match="expand"):
            Task.all().expand("project").to_pandas()
        with pytest.raises(InvalidInputError, match="positive int"):
            Task.all().iter_batches(0)


def test_an_empty_listing_is_an_empty_typed_frame(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"title": "empty"}])
    frame = Task.filter(project=pid).to_pandas()
    assert len(frame) == 0 and str(frame.dtypes["created"]) == "datetime64[us, UTC]"
    table = Task.filter(project=pid).to_arrow()
    assert table.num_rows == 0 and table.schema.field("id").type == pa.int64()


def test_to_arrow_types_and_json_text(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 20, tags=[3, 4])
    table = Task.all().to_arrow()
    schema = table.schema
    assert schema.field("id").type == pa.int64()
    assert schema.field("created").type == pa.timestamp("us", tz="UTC")
    assert schema.field("tags").type == pa.list_(pa.int64())
    assert schema.field("is_discarded").type == pa.bool_()
    assert isinstance(schema.field("data").type, pa.JsonType)
    rows = list(Task.all().order_by("id").values())
    assert [json.loads(text) for text in table.column("data").to_pylist()] == [row["data"] for row in rows]
    assert table.column("tags").to_pylist()[0] == [3, 4]
    assert table.column("workshop").null_count == 20


def test_a_value_of_the_wrong_type_keeps_its_column_as_objects_with_a_warning(
    backend: LocalBackend, session: Session
) -> None:
    seed_tasks(backend, 3)
    seed_tasks(backend, 1, workshop="not-an-id")
    with pytest.warns(SchemaWarning, match="workshop"):
        frame = Task.all().to_pandas()
    assert frame["workshop"].dtype == object
    assert frame["workshop"].tolist()[-1] == "not-an-id"
    assert str(frame["project"].dtype) == "Int64"
    with pytest.raises(ResponseError, match="workshop"):
        Task.all().to_arrow()
    strict = Session(backend.url, api_token=backend.token, strict=True)
    with pytest.raises(ResponseError, match="workshop"):
        Task.all().using(strict).to_pandas()


def test_iter_batches_streams_bounded_batches(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 1050)
    ids = [row["id"] for row in Task.all().order_by("id").values()]
    batches = list(Task.all().page_size(100).iter_batches(400))
    assert [batch.num_rows for batch in batches] == [400, 400, 250]
    assert [i for batch in batches for i in batch.column("id").to_pylist()] == ids
    frames = list(Task.all().page_size(100).iter_batches(400, columns=["id"], format="pandas"))
    assert [len(frame) for frame in frames] == [400, 400, 250]
    assert [frame.index[0] for frame in frames] == [0, 400, 800], "rows keep their place in the listing"


def test_the_first_batch_needs_only_the_first_pages(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 2000)
    backend.clear_log()
    batches = Task.all().page_size(100).prefetch(2).iter_batches(150)
    first = next(batches)
    assert first.num_rows == 150
    assert len(requests_to(backend, "GET", "sdk/tasks/")) <= 4, "batches stream: no walk to the end first"
    batches.close()


def test_a_listing_that_changes_during_a_frame_warns_as_a_walk_does(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 300)
    batches = Task.all().page_size(100).prefetch(1).iter_batches(100)
    next(batches)
    seed_tasks(backend, 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rest = list(batches)
    assert sum(batch.num_rows for batch in rest) >= 200
    assert any("changed" in str(w.message) for w in caught)


def test_frames_of_other_families(backend: LocalBackend, session: Session) -> None:
    backend.seed("projects", [{"title": "alpha", "description": "first"}])
    frame = Project.all().to_pandas(columns=["id", "title", "created"])
    assert frame.to_dict("list")["title"] == ["alpha"]
    assert str(frame.dtypes["title"]) == "string"

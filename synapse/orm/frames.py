"""Querysets as pandas DataFrames and Arrow tables, built page by page from the raw rows.

Frames skip the object model: each page is decoded as plain dicts (as ``values()`` yields
them), the walker checks it as for any listing, and every ``CHUNK_ROWS`` rows are turned into
typed columns, so memory holds the growing columns plus a few pages, never a list of every row
or object. Column names and types come from the family's declarations (``synapse.orm._columns``):

============  ====================  ===========================
kind          pandas                Arrow
============  ====================  ===========================
int (ids,     ``Int64`` (nullable)  ``int64``
foreign keys)
float         ``Float64``           ``float64``
bool          ``boolean``           ``bool``
text, enums   ``string``            ``string``
date-time     ``datetime64[us,      ``timestamp[us, UTC]``
              UTC]``
list of ints  ``object`` (lists)    ``list<int64>``
or strings                          ``list<string>``
JSON          ``object`` (as sent)  ``arrow.json`` (JSON text)
============  ====================  ===========================

A value whose JSON type its column cannot hold (the server and this client disagree on the
schema) turns a pandas column into ``object`` with one :class:`~synapse.errors.SchemaWarning`
(``Session(strict=True)`` raises :class:`~synapse.errors.ResponseError` instead), as objects
keep such values as sent; an Arrow column has a fixed type, so there it is an error.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigurationError, InvalidInputError, ResponseError, SchemaWarning
from . import _evaluate
from ._columns import ACCEPTS, Column, choose
from .pagination import MAX_PAGE_SIZE

if TYPE_CHECKING:
    from .queryset import QuerySet

CHUNK_ROWS = 16_384
"""Rows converted to typed columns at a time: few enough that their raw values stay a few MB."""

_WARNED: set[tuple[str, str]] = set()
_WARN_LOCK = threading.Lock()


def require(module: str, extra: str, what: str) -> Any:
    """Import an optional dependency, or say in one line which extra brings it."""
    try:
        return __import__(module)
    except ImportError:
        raise ConfigurationError(
            None, f"{what} needs {module}, an optional extra: pip install 'synapse-orm[{extra}]'"
        ) from None


# -- the rows ------------------------------------------------------------------------------


def prepare(qs: QuerySet[Any], names: Sequence[str] | None) -> tuple[QuerySet[Any], list[Column]]:
    """The values-mode queryset to walk and the columns to build, checked before any request."""
    if qs.expansions:
        raise InvalidInputError(
            None, "frames hold related objects as ids: drop expand(), or make a frame of the related family and merge"
        )
    if names is None and qs.loaded_fields:
        names = qs.loaded_fields
    elif names is None and qs.mode == "values_list":
        names = qs.columns
    columns = choose(qs.model, names)
    query = qs.values()
    if names is not None:
        query = query.only(*(column.name for column in columns))
    if query.size is None:
        query = query.page_size(MAX_PAGE_SIZE)  # frames read everything: the fewest requests the server allows
    return query, columns


def _pages(query: QuerySet[Any]) -> Iterator[list[Any]]:
    from .partitions import Partition, window_pages

    if query.empty:
        return
    fetch = _evaluate.fetcher(query)
    pages = window_pages(query, fetch) if isinstance(query, Partition) else _evaluate.pages(query, fetch)
    for page in pages:
        if not all(type(row) is dict for row in page.results):
            raise ResponseError(None, f"expected {query.model.__name__} objects in the page {page.url}")
        yield page.results


def row_chunks(query: QuerySet[Any], size: int) -> Iterator[list[dict[str, Any]]]:
    """The listing's rows in lists of ``size`` (the last one shorter)."""
    buffer: list[dict[str, Any]] = []
    for rows in _pages(query):
        buffer.extend(rows)
        while len(buffer) >= size:
            yield buffer[:size]
            del buffer[:size]
    if buffer:
        yield buffer


def offset_of(query: QuerySet[Any]) -> int:
    """Where a partition's rows start in the whole listing (0 for a whole queryset)."""
    return int(getattr(query, "offset", 0))


# -- pandas --------------------------------------------------------------------------------


def pandas_dtype(pd: Any, column: Column) -> Any:
    return {
        "int": "Int64",
        "float": "Float64",
        "bool": "boolean",
        "str": pd.StringDtype(),
        "datetime": pd.DatetimeTZDtype("us", "UTC"),
    }.get(column.kind, object)


def empty_frame(model: type[Any], names: Sequence[str] | None = None) -> Any:
    """A DataFrame with no rows and the columns' dtypes (what ``dask`` calls *meta*)."""
    pd = require("pandas", "pandas", "empty_frame()")
    columns = choose(model, names)
    data = {column.name: pd.Series([], dtype=pandas_dtype(pd, column)) for column in columns}
    return pd.DataFrame(data, index=pd.RangeIndex(0))


class PandasColumns:
    """Turns rows into typed pandas arrays, remembering which columns had to fall back to objects."""

    def __init__(self, model: type[Any], columns: list[Column], strict: bool) -> None:
        self.pd = require("pandas", "pandas", "to_pandas()")
        import numpy

        self.np = numpy
        self.model = model
        self.columns = columns
        self.strict = strict
        self.fallen: set[str] = set()

    def convert(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {column.name: self._array(column, [row.get(column.name) for row in rows]) for column in self.columns}

    def _array(self, column: Column, values: list[Any]) -> Any:
        if column.name in self.fallen:
            return self._objects(values)
        accepts = ACCEPTS.get(column.kind)
        if accepts is not None:
            seen = set(map(type, values))
            if not seen <= accepts:
                return self._fall_back(column, values, ", ".join(sorted(t.__name__ for t in seen - accepts)))
        pd = self.pd
        try:
            if column.kind == "datetime":
                return pd.to_datetime(values, utc=True, format="ISO8601").as_unit("us").array
            if column.kind in ("int", "float", "bool", "str"):
                return pd.array(values, dtype=pandas_dtype(pd, column))
        except (ValueError, TypeError, OverflowError) as exc:
            return self._fall_back(column, values, str(exc).splitlines()[0])
        return self._objects(values)

    def _objects(self, values: list[Any]) -> Any:
        return self.np.fromiter(values, dtype=object, count=len(values))

    def _fall_back(self, column: Column, values: list[Any], problem: str) -> Any:
        where = f"{self.model.__name__}.{column.name}"
        said = f"the backend sent {where} values its {column.kind} column cannot hold ({problem})"
        if self.strict:
            raise ResponseError(None, said)
        self.fallen.add(column.name)
        with _WARN_LOCK:
            first = (where, column.kind) not in _WARNED
            _WARNED.add((where, column.kind))
        if first:
            warnings.warn(
                f"{said}; the column keeps them as sent (dtype object). Session(strict=True) raises instead",
                SchemaWarning,
                stacklevel=5,
            )
        return self._objects(values)

    def frame(self, chunks: list[dict[str, Any]], start: int) -> Any:
        """One DataFrame of converted chunks (consumed: each column's parts are dropped once joined)."""
        pd, np = self.pd, self.np
        if not chunks:
            return empty_frame(self.model, [column.name for column in self.columns])
        data: dict[str, Any] = {}
        for column in self.columns:
            parts = [chunk.pop(column.name) for chunk in chunks]
            if column.name in self.fallen:
                parts = [part if isinstance(part, np.ndarray) else np.asarray(part, dtype=object) for part in parts]
            data[column.name] = parts[0] if len(parts) == 1 else self._concat(parts)
        index = pd.RangeIndex(start, start + len(data[self.columns[0].name]))
        for name, values in data.items():
            if isinstance(values, np.ndarray):  # kept as objects: pandas would otherwise infer str from all-str values
                data[name] = pd.Series(values, index=index, dtype=object, copy=False)
        return pd.DataFrame(data, index=index, copy=False)

    def _concat(self, parts: list[Any]) -> Any:
        if all(isinstance(part, self.np.ndarray) for part in parts):
            return self.np.concatenate(parts)
        return self.pd.concat([self.pd.Series(part, copy=False) for part in parts], ignore_index=True).array


def to_pandas(qs: QuerySet[Any], names: Sequence[str] | None = None) -> Any:
    """The whole listing as one DataFrame, built ``CHUNK_ROWS`` rows at a time."""
    query, columns = prepare(qs, names)
    builder = PandasColumns(qs.model, columns, _strict(query))
    chunks = [builder.convert(rows) for rows in row_chunks(query, CHUNK_ROWS)]
    return builder.frame(chunks, offset_of(query))


# -- Arrow ---------------------------------------------------------------------------------


def arrow_type(pa: Any, column: Column) -> Any:
    return {
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "str": pa.string(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "int_list": pa.list_(pa.int64()),
        "str_list": pa.list_(pa.string()),
        "json": pa.json_(pa.string()),
    }[column.kind]


def arrow_schema(model: type[Any], names: Sequence[str] | None = None) -> Any:
    pa = require("pyarrow", "arrow", "arrow_schema()")
    return pa.schema([pa.field(column.name, arrow_type(pa, column)) for column in choose(model, names)])


def arrow_batch(model: type[Any], columns: list[Column], schema: Any, rows: list[dict[str, Any]]) -> Any:
    """One RecordBatch of ``rows``; a value its column's Arrow type cannot hold is a ResponseError."""
    import pyarrow as pa

    arrays = []
    for column, field in zip(columns, schema, strict=True):
        values = [row.get(column.name) for row in rows]
        accepts = ACCEPTS.get(column.kind)
        try:
            if accepts is not None and not set(map(type, values)) <= accepts:
                raise TypeError(", ".join(sorted({type(v).__name__ for v in values} - {t.__name__ for t in accepts})))
            if column.kind == "datetime":
                array = pa.array(values, pa.string()).cast(field.type)
            elif column.kind == "json":
                text = pa.array([None if v is None else json.dumps(v) for v in values], pa.string())
                array = pa.ExtensionArray.from_storage(field.type, text)
            else:
                array = pa.array(values, field.type)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ResponseError(
                None,
                f"the backend sent {model.__name__}.{column.name} values its Arrow {field.type} column cannot "
                f"hold ({problem}); to_pandas() keeps such values as sent",
            ) from None
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def to_arrow(qs: QuerySet[Any], names: Sequence[str] | None = None) -> Any:
    """The whole listing as one Arrow table of record batches of ``CHUNK_ROWS`` rows."""
    pa = require("pyarrow", "arrow", "to_arrow()")
    query, columns = prepare(qs, names)
    schema = arrow_schema(qs.model, [column.name for column in columns])
    batches = [arrow_batch(qs.model, columns, schema, rows) for rows in row_chunks(query, CHUNK_ROWS)]
    return pa.Table.from_batches(batches, schema=schema)


# -- batches -------------------------------------------------------------------------------


def iter_batches(
    qs: QuerySet[Any], size: int, names: Sequence[str] | None = None, kind: Literal["arrow", "pandas"] = "arrow"
) -> Generator[Any, None, None]:
    """Record batches (or DataFrames) of ``size`` rows, the last one shorter; memory stays a few batches."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidInputError(None, f"batch size must be a positive int, got {size!r}")
    if kind not in ("arrow", "pandas"):
        raise InvalidInputError(None, f"batches are 'arrow' record batches or 'pandas' DataFrames, not {kind!r}")
    query, columns = prepare(qs, names)
    if kind == "arrow":
        require("pyarrow", "arrow", "iter_batches()")
        schema = arrow_schema(qs.model, [column.name for column in columns])
        return (arrow_batch(qs.model, columns, schema, rows) for rows in row_chunks(query, size))
    builder = PandasColumns(qs.model, columns, _strict(query))
    return _frames(builder, row_chunks(query, size), offset_of(query))


def _frames(builder: PandasColumns, chunks: Iterable[list[dict[str, Any]]], start: int) -> Generator[Any, None, None]:
    for rows in chunks:
        yield builder.frame([builder.convert(rows)], start)
        start += len(rows)


def _strict(query: QuerySet[Any]) -> bool:
    return bool(getattr(query.session, "strict", False))

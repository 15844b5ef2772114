"""Dask for listings and uploads that outgrow one process: ``read`` and ``upload_many`` (extra ``dask``).

``read(qs, npartitions)`` plans ``qs.partitions(...)`` (one request) and returns a lazy
``dask.dataframe.DataFrame`` whose partitions each read their pages wherever they run, typed
like ``qs.to_pandas()``. ``upload_many(collection, items)`` cuts the items into chunks and runs
``collection.upload_many`` on each chunk on a ``distributed`` cluster's workers, which must
reach the files (the same paths on every machine, or shared storage).

Workers use their own ``synapse.get_session()`` (``SYNAPSE_*`` variables in their
environment), or the :class:`~synapse.transport.spec.SessionSpec` passed as ``session_spec``;
nothing shipped to them holds a token. See ``docs/pipelines.md``.
"""

from __future__ import annotations

import math
import pickle
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import _dask_chunks as chunks
from .errors import ConfigurationError, InvalidInputError, UploadError, UploadFailure
from .orm import frames
from .orm.partitions import plan, split
from .transport.spec import SessionSpec

if TYPE_CHECKING:
    from .orm.queryset import QuerySet
    from .resources.data import DataCollection, DataUnit

PAGES_PER_PARTITION = 20
"""``read()`` without ``npartitions``: one partition per this many pages."""


def _dask() -> tuple[Any, Any, Any]:
    try:
        import dask
        import dask.dataframe as dd
        import distributed
    except ImportError:
        raise ConfigurationError(
            None,
            "synapse.dask needs dask[dataframe] and distributed, an optional extra: pip install 'synapse-orm[dask]'",
        ) from None
    return dask, dd, distributed


def read(
    qs: QuerySet[Any],
    npartitions: int | None = None,
    *,
    columns: Sequence[str] | None = None,
    session_spec: SessionSpec | None = None,
    strict: bool = True,
) -> Any:
    """The listing as a lazy dask DataFrame of ``npartitions`` partitions (one request now, to plan them).

    Rows are indexed by their position in the listing. ``strict`` (the default) makes a partition
    that finds the listing changed raise instead of warn: a warning on a worker goes unseen.
    """
    dask, dd, _ = _dask()
    if npartitions is not None and (
        isinstance(npartitions, bool) or not isinstance(npartitions, int) or npartitions < 1
    ):
        raise InvalidInputError(None, f"npartitions must be a positive int, got {npartitions!r}")
    _, chosen = frames.prepare(qs, columns)
    names = [column.name for column in chosen]
    meta = frames.empty_frame(qs.model, names)
    query = qs.strict() if strict else qs
    [whole] = plan(query, 1, session_spec)
    if npartitions is None:
        npartitions = math.ceil((whole.pages[1] - 1) / PAGES_PER_PARTITION)
    parts = [part for part in split(whole, npartitions) if part.pages[1] > part.pages[0]]
    total = parts[0].total
    divisions = None
    if strict and total:
        divisions = (*(part.offset for part in parts), total - 1)
    # Dask would otherwise turn object columns into strings, and JSON values (dicts, lists) into text.
    # Each call is a new read of a live listing, never the cached result of an earlier one: hence the nonce.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(
            _read_partition,
            parts,
            args=[names, uuid.uuid4().hex],
            meta=meta,
            divisions=divisions,
            label="synapse-read",
        )


def _read_partition(part: QuerySet[Any], names: list[str], _nonce: str) -> Any:
    return part.to_pandas(names)


def upload_many(
    collection: DataCollection,
    items: Iterable[Mapping[str, Any]],
    *,
    client: Any = None,
    chunk_size: int = 25,
    workers_per_task: int = 1,
    batch_size: int = 1000,
    project: Any = None,
    resume: bool = True,
    session_spec: SessionSpec | None = None,
) -> list[DataUnit]:
    """``collection.upload_many(items)`` spread over a ``distributed.Client``'s workers, in chunks.

    Returns the units in input order. As with ``upload_many``, a failing item is reported in
    :class:`UploadError` (``failures``, and ``results`` with a unit or None per item) while the
    others complete, and running the same call again repeats no completed work: each chunk runs
    ``collection.upload_many`` (files recognised by checksum, chunked uploads resumed, units
    journaled) and records, item by item, the units it created, so a chunk run again (a re-run,
    or dask retrying the task of a worker that died) fetches them instead of creating them again.
    The records live in each worker's cache folder (``SYNAPSE_CACHE_DIR``): on several machines,
    point it at storage they share. Keep ``chunk_size`` and the items' order between runs.
    """
    _, _, distributed = _dask()
    for name, value in (("chunk_size", chunk_size), ("workers_per_task", workers_per_task)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError(None, f"{name} must be a positive int, got {value!r}")
    if session_spec is not None and not isinstance(session_spec, SessionSpec):
        raise InvalidInputError(None, f"session_spec must be a SessionSpec, not {type(session_spec).__name__}")
    entries = [chunks.plain_item(index, item) for index, item in enumerate(items)]
    collection._require_id()
    if client is None:
        try:
            client = distributed.get_client()
        except ValueError:
            raise ConfigurationError(
                None, "no dask client: pass client=, or create a distributed.Client first"
            ) from None
    session = collection._bound_session()
    options = {"workers": workers_per_task, "batch_size": batch_size, "project": project, "resume": resume}
    blob = pickle.dumps(collection)
    jobs = [
        chunks.Chunk(start, tuple(entries[start : start + chunk_size]), blob, options, session_spec)
        for start in range(0, len(entries), chunk_size)
    ]
    futures = client.map(chunks.run, jobs, pure=False)
    results: list[DataUnit | None] = [None] * len(entries)
    failures: list[UploadFailure] = []
    records: list[str] = []
    for job, future in zip(jobs, futures, strict=True):
        try:
            outcome: chunks.Outcome = future.result()
        except Exception as exc:  # the task died with its worker, or could not run at all
            last = job.start + len(job.items) - 1
            reason = f"the task for items {job.start}..{last} failed: {type(exc).__name__}: {exc}"
            failures.extend(UploadFailure(f"item {job.start + i}", reason) for i in range(len(job.items)))
            continue
        with session:
            units = pickle.loads(outcome.units)
        results[job.start : job.start + len(units)] = units
        failures.extend(
            UploadFailure(chunks.renumber(path, job.start.__add__), reason) for path, reason in outcome.failures
        )
        records.append(outcome.record)
    if failures:
        raise UploadError(failures=failures, results=results)
    if records:
        client.run(chunks.forget, records)
    return [unit for unit in results if unit is not None]


__all__ = ["read", "upload_many"]

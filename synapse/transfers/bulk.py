"""Bulk creates (tasks, data units) that reconcile instead of guessing.

A bulk POST whose answer is lost, unreadable or a proxy's 502/504 may or may not have been
applied: sending it again could create everything twice, giving up could leave the caller
believing nothing exists. So before anything else is created, the parent's listing is read
(newest first, stopping once every item is accounted for) to find what the batch did create;
only items proven absent are sent again. Each item's outcome is journaled as soon as it is
known, so a re-run after a failure, or a crash, looks up what an earlier run created (or may
have created) instead of creating it again.

Nothing here knows the object model: the resource layer passes the paths, a listing walker and
how to recognise an item on the server (:class:`Family`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import APIConnectionError, ClientError, ResponseError, ServerError, UploadFailure
from ..transport.envelope import created_items
from ..transport.session import Session
from ._journal import BulkJournal

__all__ = ["LOOKUP_PAGE_SIZE", "SEND_ROUNDS", "BulkCreate", "Family", "Outcome", "Walk", "in_doubt"]

Walk = Callable[[str, Mapping[str, Any]], Iterable[Any]]
"""Every item of a listing, given its path and query params (the object model's page walker)."""

SEND_ROUNDS = 3
"""POSTs per batch at most: the first, then re-sends of the items a look-up proved absent."""
LOOKUP_PAGE_SIZE = 1000
_DOUBT_STATUSES = frozenset({502, 504})
_DOUBT = {"doubt": True}


def in_doubt(error: ClientError) -> bool:
    """Whether a failed create may have been applied: its answer was lost or unreadable, or a proxy's 502/504."""
    if isinstance(error, (APIConnectionError, ResponseError)):
        return True
    return isinstance(error, ServerError) and error.status_code in _DOUBT_STATUSES


@dataclass(frozen=True)
class Family:
    """How one family is created in bulk and found again on the server.

    ``key`` gives the same value for an item's payload and for the server object created from
    it (None when the object does not say); ``same`` picks, among several items sharing a key,
    the one an object matches exactly.
    """

    what: str
    create_path: str
    list_path: str
    list_params: Mapping[str, Any]
    body: Callable[[list[dict[str, Any]]], Any]
    key: Callable[[Mapping[str, Any]], Hashable | None]
    journal: BulkJournal
    same: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] = lambda payload, obj: True


@dataclass
class Outcome:
    """Per item: the server object, or a failure; ``adopted`` holds the journal entries of items
    an earlier run had created."""

    results: list[dict[str, Any] | None]
    failures: dict[int, UploadFailure] = field(default_factory=dict)
    adopted: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def in_doubt(self) -> list[int]:
        return sorted(index for index, failure in self.failures.items() if failure.in_doubt)


class BulkCreate:
    """One bulk create over ``payloads``: every item ends created, failed, or in doubt (and journaled)."""

    def __init__(
        self,
        session: Session,
        family: Family,
        walk: Walk,
        payloads: list[dict[str, Any]],
        fingerprints: list[str],
        labels: list[str],
    ) -> None:
        self._session = session
        self._family = family
        self._walk = walk
        self._payloads = payloads
        self._fingerprints = fingerprints
        self._labels = labels
        self.outcome = Outcome([None] * len(payloads))

    def run(self, batch_size: int, after_batch: Callable[[list[int]], None] | None = None) -> Outcome:
        """Adopt what an earlier run created, then create the rest in batches; ``after_batch`` gets
        the indices each batch created (or found)."""
        todo = self._adopt_earlier()
        for start in range(0, len(todo), batch_size):
            if self.outcome.in_doubt:  # settle the doubt (a later run looks again) before creating more
                for i in todo[start:]:
                    self._fail(i, "not sent: an earlier batch is in doubt", None)
                break
            created = self._create(todo[start : start + batch_size])
            if created and after_batch is not None:
                after_batch(created)
        return self.outcome

    def note(self, indices: list[int], **extra: Any) -> None:
        """Journal more about created items (the project their tasks went to), for the next run."""
        entries = {}
        for i in indices:
            obj = self.outcome.results[i]
            if obj is not None:
                entries[self._fingerprints[i]] = {"id": obj.get("id"), **extra}
        self._family.journal.record(entries)

    def forget(self) -> None:
        """Drop this call's journal entries (after a clean run)."""
        self._family.journal.forget(self._fingerprints)

    # -- steps --------------------------------------------------------------------------

    def _adopt_earlier(self) -> list[int]:
        known = self._family.journal.load()
        earlier = {i: known[fp] for i, fp in enumerate(self._fingerprints) if fp in known}
        if earlier:
            ids = {i: entry.get("id") for i, entry in earlier.items()}
            try:
                found, conclusive = self._look(list(earlier), ids)
            except ClientError as exc:
                for i in earlier:
                    self._fail(i, f"looking up what an earlier run created failed: {exc}", exc, doubt=True)
                found, conclusive = {}, True
            for i, obj in found.items():
                self.outcome.results[i] = obj
                self.outcome.adopted[i] = earlier[i]
            for i in earlier:
                if i not in found and not _is_id(ids[i]) and not conclusive:
                    why = f"an earlier run may have created it, and the server's {self._family.what} do not say"
                    self._fail(i, why, None, doubt=True)
        results, failures = self.outcome.results, self.outcome.failures
        return [i for i in range(len(results)) if results[i] is None and i not in failures]

    def _create(self, batch: list[int]) -> list[int]:
        """POST one batch; after an answer in doubt, look before sending again. Returns the indices now created."""
        family, pending = self._family, list(batch)
        done: list[int] = []
        last: ClientError | None = None
        for _ in range(SEND_ROUNDS):
            started = time.monotonic()
            try:
                reply = self._session.request(
                    "POST", family.create_path, json=family.body([self._payloads[i] for i in pending])
                )
                created = created_items(reply, family.what)
                if len(created) != len(pending):
                    raise ResponseError(None, f"{family.create_path} created {len(created)} for {len(pending)} items")
            except ClientError as exc:
                if not in_doubt(exc):
                    for i in pending:
                        self._fail(i, str(exc), exc)
                    return done
                last = exc
                family.journal.record({self._fingerprints[i]: _DOUBT for i in pending})
                try:
                    found, conclusive = self._look(pending, {})
                except ClientError as look_exc:
                    for i in pending:
                        why = f"the answer was lost ({exc}) and looking the items up failed ({look_exc})"
                        self._fail(i, why, look_exc, doubt=True)
                    return done
                self._record(found)
                done += list(found)
                pending = [i for i in pending if i not in found]
                if pending and not conclusive:
                    for i in pending:
                        why = f"the answer was lost ({exc}) and the {family.what} listed do not say what they came from"
                        self._fail(i, why, exc, doubt=True)
                    return done
                if pending and self._may_still_run(exc, started):
                    for i in pending:
                        why = (
                            f"no answer in time ({exc}); the server may still be creating them, so they were not resent"
                        )
                        self._fail(i, why, exc, doubt=True)
                    return done
                if not pending:
                    return done
                continue
            self._record(dict(zip(pending, created, strict=True)))
            return done + pending
        family.journal.forget([self._fingerprints[i] for i in pending])  # the last look proved them absent
        for i in pending:
            self._fail(i, f"{SEND_ROUNDS} tries each lost their answer and a look-up found nothing ({last})", last)
        return done

    def _may_still_run(self, error: ClientError, started: float) -> bool:
        """A gateway timeout, or a failure that took the whole read timeout: the server may still be at
        work, so a look-up finding nothing proves nothing yet (a later run looks again)."""
        if error.status_code == 504:  # a gateway timeout, whichever error class the transport reports it with
            return True
        return time.monotonic() - started >= self._session.timeouts.read * 0.9

    def _look(self, indices: list[int], ids: Mapping[int, Any]) -> tuple[dict[int, dict[str, Any]], bool]:
        """Which of these items exist on the server: by journaled id, else by key (objects this run
        already holds excluded). Also says whether absence is proven: every object seen had a key."""
        family = self._family
        by_id = {value: i for i, value in ids.items() if _is_id(value)}
        by_key: dict[Hashable, list[int]] = {}
        for i in indices:
            if not _is_id(ids.get(i)):
                by_key.setdefault(family.key(self._payloads[i]), []).append(i)
        taken = {obj["id"] for obj in self.outcome.results if obj is not None and _is_id(obj.get("id"))}
        left, found, conclusive = len(indices), {}, True
        listing = self._walk(family.list_path, {**family.list_params, "ordering": "-id", "page_size": LOOKUP_PAGE_SIZE})
        try:
            for obj in listing:
                oid = obj.get("id") if isinstance(obj, dict) else None
                if not _is_id(oid) or oid in taken:
                    continue
                if oid in by_id:
                    index = by_id.pop(oid)
                else:
                    key = family.key(obj)
                    conclusive = conclusive and key is not None
                    queue = by_key.get(key) if key is not None else None
                    if not queue:
                        continue
                    index = next((i for i in queue if family.same(self._payloads[i], obj)), queue[0])
                    queue.remove(index)
                found[index], left = obj, left - 1
                taken.add(oid)
                if not left:
                    break
        finally:
            close = getattr(listing, "close", None)
            if callable(close):
                close()  # stop a prefetching walker now, not when it is collected
        return found, conclusive

    # -- bookkeeping --------------------------------------------------------------------

    def _record(self, created: Mapping[int, dict[str, Any]]) -> None:
        for i, obj in created.items():
            self.outcome.results[i] = obj
        self._family.journal.record({self._fingerprints[i]: {"id": obj.get("id")} for i, obj in created.items()})

    def _fail(self, index: int, reason: str, error: BaseException | None, *, doubt: bool = False) -> None:
        self.outcome.failures[index] = UploadFailure(self._labels[index], reason, error, doubt)


def _is_id(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)

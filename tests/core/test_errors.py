"""The error tree: seed-era attributes, typed subclasses, no secrets."""

from __future__ import annotations

import pickle

import pytest

import synapse
from synapse import errors
from synapse.transport.statuses import error_for_status


def test_every_error_is_a_client_error_and_exported() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Warning):
            assert getattr(synapse, name) is obj, f"{name} is not exported from synapse"
        elif isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, synapse.ClientError), name
            assert getattr(synapse, name) is obj, f"{name} is not exported from synapse"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (405, errors.MethodNotAllowedError),
        (409, errors.ConflictError),
        (422, errors.BadRequestError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (413, errors.HTTPError),
    ],
)
def test_status_maps_to_class(status: int, cls: type) -> None:
    error = error_for_status(status, {"detail": "nope"}, method="GET", url="http://h/x/")
    assert type(error) is cls
    assert error.status_code == status
    assert error.response == error.reason == error.detail == {"detail": "nope"}
    assert str(error).startswith(f"{status}: nope")


def test_field_errors_are_kept() -> None:
    error = error_for_status(400, {"name": ["This field is required."]})
    assert isinstance(error, errors.BadRequestError)
    assert error.field_errors == {"name": ["This field is required."]}
    assert "name: This field is required." in str(error)


def test_errors_pickle_with_their_data() -> None:
    error = error_for_status(429, {"detail": "slow"}, retry_after=3.0)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.RateLimitError
    assert copy.status_code == 429 and copy.retry_after == 3.0


def test_upload_error_lists_failures() -> None:
    error = errors.UploadError(failures=[errors.UploadFailure("a.jpg", "missing")], results=[None])
    assert "a.jpg: missing" in str(error)
    assert error.results == [None]

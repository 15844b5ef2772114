"""The public surface is pinned: a name joins or leaves ``synapse`` only by changing this file too."""

from __future__ import annotations

import inspect

import synapse
from synapse import errors

PUBLIC = [
    "APIConnectionError",
    "APITimeoutError",
    "Agent",
    "Assignment",
    "AuthenticationError",
    "BackendClient",
    "BadRequestError",
    "BulkCreateError",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "DataCollection",
    "DataFile",
    "DataUnit",
    "DeferredFieldError",
    "FileSpecification",
    "GroundTruthDataset",
    "GroundTruthEvent",
    "GroundTruthVersion",
    "HTTPError",
    "IncompleteListingError",
    "IntegrityError",
    "InvalidInputError",
    "Job",
    "JobStatus",
    "JobTimeoutError",
    "ListingChangedWarning",
    "MethodNotAllowedError",
    "Model",
    "MultipleObjectsReturned",
    "NotFoundError",
    "PermissionDeniedError",
    "Plugin",
    "PluginRelease",
    "Project",
    "QuerySet",
    "RateLimitError",
    "ReadOnlyFieldError",
    "RequestBudgetExceeded",
    "Resource",
    "ResponseError",
    "ResponseIncompleteError",
    "RetryPolicy",
    "SchemaWarning",
    "ServerError",
    "Session",
    "Storage",
    "StorageCategory",
    "StorageProvider",
    "TLSError",
    "Task",
    "TaskTag",
    "UploadError",
    "UploadFailure",
    "__version__",
    "connect",
    "get_session",
    "set_default_session",
]


def test_public_names_are_pinned() -> None:
    assert synapse.__all__ == PUBLIC


def test_every_public_name_resolves() -> None:
    missing = [name for name in synapse.__all__ if getattr(synapse, name, None) is None]
    assert missing == []


def test_every_name_of_synapse_errors_is_exported() -> None:
    not_exported = [name for name in errors.__all__ if getattr(synapse, name, None) is not getattr(errors, name)]
    assert not_exported == []
    assert set(errors.__all__) <= set(synapse.__all__)


def test_every_class_of_synapse_errors_is_listed() -> None:
    """A new error class cannot be forgotten in ``errors.__all__`` (and so, above, in ``synapse``)."""
    classes = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and obj.__module__ == errors.__name__ and not name.startswith("_")
    }
    assert classes == set(errors.__all__)

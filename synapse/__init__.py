"""synapse: drive the Synapse backend with plain Python objects.

The public surface is :data:`__all__` (pinned by a test). The package is layered, each layer
importing only the ones below it::

    client (BackendClient facade) -> resources (families) -> orm (object model) -> transport (HTTP)
    transfers (uploads, downloads) -> transport

Resource classes, the object model and ``BackendClient`` load on first use: defining ~20
pydantic models is most of the import cost, and a script that only needs a Session should
not pay it.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .enums import JobStatus, StorageCategory, StorageProvider
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BulkCreateError,
    ClientError,
    ConfigurationError,
    ConflictError,
    DeferredFieldError,
    HTTPError,
    IncompleteListingError,
    IntegrityError,
    InvalidInputError,
    JobTimeoutError,
    ListingChangedWarning,
    MethodNotAllowedError,
    MultipleObjectsReturned,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReadOnlyFieldError,
    RequestBudgetExceeded,
    ResponseError,
    ResponseIncompleteError,
    SchemaWarning,
    ServerError,
    TLSError,
    UploadError,
    UploadFailure,
)
from .transport import RetryPolicy, Session, connect, get_session, set_default_session

if TYPE_CHECKING:
    from .client import BackendClient
    from .orm import QuerySet, Resource
    from .resources import (
        Agent,
        Assignment,
        DataCollection,
        DataFile,
        DataUnit,
        FileSpecification,
        GroundTruthDataset,
        GroundTruthEvent,
        GroundTruthVersion,
        Job,
        Model,
        Plugin,
        PluginRelease,
        Project,
        Storage,
        Task,
        TaskTag,
    )

_ORM = frozenset({"QuerySet", "Resource"})
_CLIENT = frozenset({"BackendClient"})


def __getattr__(name: str) -> Any:
    if name in _ORM:
        from . import orm as module
    elif name in _CLIENT:
        from . import client as module  # type: ignore[no-redef]
    elif name in __all__ and not name.startswith("_"):
        from . import resources as module  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
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

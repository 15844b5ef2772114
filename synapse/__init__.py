"""synapse: drive the Synapse backend with plain Python objects."""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .budget import RequestBudgetExceeded
from .enums import StorageCategory, StorageProvider
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConfigurationError,
    ConflictError,
    HTTPError,
    IntegrityError,
    InvalidInputError,
    JobTimeoutError,
    MethodNotAllowedError,
    MultipleObjectsReturned,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    ResponseIncompleteError,
    ServerError,
    UploadError,
)
from .session import Session, connect, get_session, set_default_session

if TYPE_CHECKING:
    from .backend import BackendClient
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

# Resource classes and BackendClient are imported on first use: defining ~20 pydantic models
# is most of the import cost, and scripts that only need a Session should not pay it.
_RESOURCES = (
    "Agent",
    "Assignment",
    "DataCollection",
    "DataFile",
    "DataUnit",
    "FileSpecification",
    "GroundTruthDataset",
    "GroundTruthEvent",
    "GroundTruthVersion",
    "Job",
    "Model",
    "Plugin",
    "PluginRelease",
    "Project",
    "Storage",
    "Task",
    "TaskTag",
)
_LAZY: dict[str, str] = {"BackendClient": ".backend", **dict.fromkeys(_RESOURCES, ".resources")}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
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
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "DataCollection",
    "DataFile",
    "DataUnit",
    "FileSpecification",
    "GroundTruthDataset",
    "GroundTruthEvent",
    "GroundTruthVersion",
    "HTTPError",
    "IntegrityError",
    "InvalidInputError",
    "Job",
    "JobTimeoutError",
    "MethodNotAllowedError",
    "Model",
    "MultipleObjectsReturned",
    "NotFoundError",
    "PermissionDeniedError",
    "Plugin",
    "PluginRelease",
    "Project",
    "RateLimitError",
    "RequestBudgetExceeded",
    "ResponseError",
    "ResponseIncompleteError",
    "ServerError",
    "Session",
    "Storage",
    "StorageCategory",
    "StorageProvider",
    "Task",
    "TaskTag",
    "UploadError",
    "__version__",
    "connect",
    "get_session",
    "set_default_session",
]

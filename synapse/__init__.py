"""synapse: drive the Synapse backend with plain Python objects."""

from ._version import __version__
from .backend import BackendClient
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
from .session import RequestBudgetExceeded, Session, connect, get_session, set_default_session

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BackendClient",
    "BadRequestError",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "HTTPError",
    "IntegrityError",
    "InvalidInputError",
    "MethodNotAllowedError",
    "MultipleObjectsReturned",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestBudgetExceeded",
    "ResponseError",
    "ResponseIncompleteError",
    "ServerError",
    "Session",
    "StorageCategory",
    "StorageProvider",
    "UploadError",
    "__version__",
    "connect",
    "get_session",
    "set_default_session",
]

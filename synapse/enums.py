"""Enumerations the backend uses on the wire.

They mix in ``str`` so a member can go straight into a JSON body or a query string and
compares equal to the plain value the server sends back.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["JobStatus", "StorageCategory", "StorageProvider"]


class _StrEnum(str, Enum):
    def __str__(self) -> str:
        return str(self.value)


class StorageCategory(_StrEnum):
    """Whether a storage is managed by the platform or belongs to the customer."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class StorageProvider(_StrEnum):
    """Storage providers known to this client. The server may add others; see :meth:`parse`."""

    AMAZON_S3 = "amazon_s3"
    AZURE = "azure"
    DIGITAL_OCEAN = "digital_ocean"
    FILE_SYSTEM = "file_system"
    FTP = "ftp"
    SFTP = "sftp"
    MINIO = "minio"
    GCP = "gcp"
    SYNOLOGY = "synology"
    SMB = "smb"

    @classmethod
    def parse(cls, value: str) -> StorageProvider | str:
        """The member for ``value``, or ``value`` itself when the provider is new to us.

        The provider field is free-form on the server, so an unknown code must not break a read.
        """
        try:
            return cls(value)
        except ValueError:
            return value


class JobStatus(_StrEnum):
    """Lifecycle of a plugin run. The server spells statuses in upper case."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @property
    def terminal(self) -> bool:
        """True once the job will not change status again (so waiting can stop)."""
        return self in (JobStatus.STOPPED, JobStatus.SUCCEEDED, JobStatus.FAILED)

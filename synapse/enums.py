"""Enumerations the backend uses on the wire.

They mix in ``str`` so a member can go straight into a JSON body or a query string and
compares equal to the plain value the server sends back.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "CollectionCategory",
    "JobStatus",
    "LabelStatus",
    "PluginCategory",
    "ProjectCategory",
    "ReviewStatus",
    "StorageCategory",
    "StorageProvider",
    "TagCategory",
    "TaskSchema",
]


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


class ProjectCategory(_StrEnum):
    """What a project annotates."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    TEXT = "text"
    PCD = "pcd"
    PROMPT = "prompt"
    TIME_SERIES = "time_series"


class CollectionCategory(_StrEnum):
    """What a data collection holds."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    TEXT = "text"
    PCD = "pcd"
    DATA = "data"


class PluginCategory(_StrEnum):
    """What a plugin does."""

    NEURAL_NET = "neural_net"
    EXPORT = "export"
    UPLOAD = "upload"
    SMART_TOOL = "smart_tool"
    PRE_ANNOTATION = "pre_annotation"
    POST_ANNOTATION = "post_annotation"
    DATA_VALIDATION = "data_validation"
    CONVERTER = "converter"


class TaskSchema(_StrEnum):
    """The schema a task's annotation ``data`` follows."""

    DM_SCHEMA_V1 = "dm_schema_v1"
    ANY = "any"


class TagCategory(_StrEnum):
    """Whether a task tag is for project work or marks tasks for export."""

    PROJECT = "project"
    EXPORT = "export"


class LabelStatus(_StrEnum):
    """Where an assignment's labelling stands."""

    STAND_BY = "stand_by"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"


class ReviewStatus(_StrEnum):
    """Where an assignment's review stands."""

    STAND_BY = "stand_by"
    IN_PROGRESS = "in_progress"
    REJECTED = "rejected"
    COMPLETED = "completed"
    SKIPPED = "skipped"

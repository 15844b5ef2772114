"""Every Synapse resource class, one module per family."""

from .data import DataCollection, DataFile, DataUnit, FileSpecification
from .hitl import Assignment
from .jobs import Job
from .ml import GroundTruthDataset, GroundTruthEvent, GroundTruthVersion, Model
from .plugins import Agent, Plugin, PluginRelease
from .projects import Project
from .storages import Storage
from .tasks import Task, TaskTag

__all__ = [
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
]

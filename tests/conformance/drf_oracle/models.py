"""The oracle's tables: the fields the local backend stores for these families, nothing more."""

from __future__ import annotations

from django.db import models

PROJECT_CATEGORIES = ("image", "video", "audio", "text", "pcd", "prompt", "time_series")
COLLECTION_CATEGORIES = ("image", "video", "audio", "text", "pcd", "data")


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class DataCollection(models.Model):
    name = models.CharField(max_length=200, blank=True, default="")
    description = models.CharField(max_length=200, blank=True, default="")
    category = models.CharField(max_length=20, choices=_choices(COLLECTION_CATEGORIES), default="image")
    created = models.DateTimeField()

    class Meta:
        app_label = "drf_oracle"
        ordering = ["id"]


class Project(models.Model):
    title = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True, default="")
    category = models.CharField(max_length=20, choices=_choices(PROJECT_CATEGORIES), default="image")
    data_collection = models.ForeignKey(DataCollection, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField()

    class Meta:
        app_label = "drf_oracle"
        ordering = ["id"]


class DataUnit(models.Model):
    data_collection = models.ForeignKey(DataCollection, on_delete=models.CASCADE)
    meta = models.JSONField(default=dict)
    created = models.DateTimeField()

    class Meta:
        app_label = "drf_oracle"
        ordering = ["id"]


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    data_unit = models.ForeignKey(DataUnit, null=True, on_delete=models.SET_NULL)
    data = models.JSONField(null=True)
    status = models.CharField(max_length=20, blank=True, default="")
    has_data = models.BooleanField(default=False)
    is_discarded = models.BooleanField(default=False)
    created = models.DateTimeField()

    class Meta:
        app_label = "drf_oracle"
        ordering = ["id"]

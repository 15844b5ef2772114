"""Serializers, viewsets and URLs, written the way the real backend's DRF code is."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from .models import DataCollection, DataUnit, Project, Task
from .settings import MAX_PAGE_SIZE, TOKEN


class _User:
    is_authenticated = True


class TokenAuthentication(BaseAuthentication):
    """``Synapse-Access-Token: Token <t>`` or ``Authorization: Token <t>``, like the client sends."""

    def authenticate(self, request: Request) -> tuple[Any, str] | None:
        for key in ("HTTP_SYNAPSE_ACCESS_TOKEN", "HTTP_AUTHORIZATION"):
            parts = request.META.get(key, "").split()
            if not parts:
                continue
            if len(parts) == 2 and parts[0].lower() in ("token", "bearer") and parts[1] == TOKEN:
                return _User(), TOKEN
            raise exceptions.AuthenticationFailed("Invalid token.")
        return None

    def authenticate_header(self, request: Request) -> str:
        return "Token"


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class ProjectSerializer(serializers.ModelSerializer[Project]):
    class Meta:
        model = Project
        fields = "__all__"


class TaskSerializer(serializers.ModelSerializer[Task]):
    class Meta:
        model = Task
        fields = "__all__"


class DataCollectionSerializer(serializers.ModelSerializer[DataCollection]):
    class Meta:
        model = DataCollection
        fields = "__all__"


class DataUnitSerializer(serializers.ModelSerializer[DataUnit]):
    class Meta:
        model = DataUnit
        fields = "__all__"


class _Base(viewsets.ModelViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]


class ProjectViewSet(_Base):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_fields = ["category", "data_collection"]


class TaskViewSet(_Base):
    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_fields = ["project", "data_unit", "has_data", "is_discarded"]


class DataCollectionViewSet(_Base):
    queryset = DataCollection.objects.all()
    serializer_class = DataCollectionSerializer
    filterset_fields = ["category"]


class DataUnitViewSet(_Base):
    queryset = DataUnit.objects.all()
    serializer_class = DataUnitSerializer
    filterset_fields = ["data_collection"]


router = SimpleRouter()
router.register("projects", ProjectViewSet)
router.register("sdk/tasks", TaskViewSet, basename="sdk-task")
router.register("tasks", TaskViewSet)
router.register("data_collections", DataCollectionViewSet)
router.register("data_units", DataUnitViewSet)

urlpatterns = [path("api/v1/", include(router.urls))]

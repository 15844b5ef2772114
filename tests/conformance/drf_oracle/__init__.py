"""A small real Django REST Framework application: the oracle the local backend is compared with.

It serves the project, task, data-collection and data-unit families under ``/api/v1/`` the way the
real backend is built (PageNumberPagination with ``page_size`` and a ``max_page_size``,
DjangoFilterBackend with ``filterset_fields``, OrderingFilter) and is run in its own process by
``python -m tests.conformance.drf_oracle`` (see ``__main__``), so Django's global settings never
touch the test process.
"""

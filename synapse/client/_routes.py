"""The routes the facade calls that no resource family declares, each named once.

Every other path is derived from a family's declaration (``Task._meta.list_path``,
:func:`synapse.orm.routes.detail_path`...). These endpoints have no object of their own in
the object model: upload sessions, log records, serve applications, ground truths, and the
``data``/``files`` variants of the SDK listings.
"""

from __future__ import annotations

CHUNKED_UPLOADS = "chunked_upload/"
LOGS = "logs/"
SERVE_APPLICATIONS = "serve_applications/"
GROUND_TRUTHS = "ground_truths/"
TASKS_DATA = "sdk/tasks/data/"
TASKS_FILES = "sdk/tasks/files/"
ASSIGNMENTS_DATA = "sdk/assignments/data/"
ASSIGNMENTS_FILES = "sdk/assignments/files/"
GROUND_TRUTH_EVENTS_DATA = "sdk/ground_truth_events/data/"
GROUND_TRUTH_EVENTS_FILES = "sdk/ground_truth_events/files/"

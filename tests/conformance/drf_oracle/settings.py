"""Django settings of the oracle, read from the environment its launcher sets."""

from __future__ import annotations

import os

MAX_PAGE_SIZE = int(os.environ.get("ORACLE_MAX_PAGE_SIZE", "1000"))
TOKEN = os.environ.get("ORACLE_TOKEN", "devtoken")

SECRET_KEY = "conformance-oracle"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.conformance.drf_oracle.api"
INSTALLED_APPS = ["tests.conformance.drf_oracle"]
MIDDLEWARE: list[str] = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("ORACLE_DB", ":memory:")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}

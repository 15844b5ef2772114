"""``python -m tests.conformance.drf_oracle``: seed the oracle and serve it on loopback.

Prints ``PORT <n>`` once it answers; stops when its standard input closes (so it never outlives the
test run that started it) or on SIGTERM. Environment: ``ORACLE_MAX_PAGE_SIZE``, ``ORACLE_TOKEN``.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path


def _seed() -> None:
    from tests.conformance.dataset import rows

    from .models import DataCollection, DataUnit, Project, Task

    data = rows()

    def created(row: dict[str, object]) -> datetime:
        return datetime.fromisoformat(str(row["created"]).replace("Z", "+00:00"))

    DataCollection.objects.bulk_create(
        DataCollection(
            id=r["id"], name=r["name"], description=r["description"], category=r["category"], created=created(r)
        )
        for r in data["data_collections"]
    )
    Project.objects.bulk_create(
        Project(
            id=r["id"],
            title=r["title"],
            name=r["name"],
            category=r["category"],
            data_collection_id=r["data_collection"],
            created=created(r),
        )
        for r in data["projects"]
    )
    DataUnit.objects.bulk_create(
        DataUnit(id=r["id"], data_collection_id=r["data_collection"], meta=r["meta"], created=created(r))
        for r in data["data_units"]
    )
    Task.objects.bulk_create(
        Task(
            id=r["id"],
            project_id=r["project"],
            data_unit_id=r["data_unit"],
            data=r["data"],
            has_data=r["has_data"],
            is_discarded=r["is_discarded"],
            status=r["status"],
            created=created(r),
        )
        for r in data["tasks"]
    )


def main() -> None:
    folder = tempfile.mkdtemp(prefix="drf-oracle-")
    os.environ["ORACLE_DB"] = str(Path(folder) / "db.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.conformance.drf_oracle.settings"
    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from werkzeug.serving import make_server

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    _seed()
    # One log line per request would fill the stderr pipe the test run never reads, and a full
    # pipe blocks the server mid-request (seen after ~600 requests): log errors only.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, get_wsgi_application(), threaded=True)

    def stop_when_stdin_closes() -> None:
        sys.stdin.read()
        server.shutdown()

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    print(f"PORT {server.socket.getsockname()[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        for name in os.listdir(folder):
            os.unlink(Path(folder) / name)
        os.rmdir(folder)


if __name__ == "__main__":
    main()

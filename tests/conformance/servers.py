"""Start the DRF oracle and the local backend with the same data and the same page-size cap.

``pytest`` fixtures (see ``conftest.py``) use these once per session: every cap gets one oracle
process and one LocalBackend, both seeded with ``dataset.rows()``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from synapse.testing import LocalBackend
from tests.conformance.dataset import rows

TOKEN = "conformance-token"
ROOT = Path(__file__).resolve().parents[2]
CAPS = (50, 100, 1000)
"""The ``max_page_size`` values both backends are run with."""


@dataclass
class Server:
    """Where a backend answers: ``url`` is the API base (``http://127.0.0.1:<port>/api/v1``)."""

    url: str
    token: str = TOKEN
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def get(self, path_and_query: str, headers: dict[str, str] | None = None) -> requests.Response:
        """One raw GET (``path_and_query`` relative to the base, sent as written)."""
        sent = {"Synapse-Access-Token": f"Token {self.token}"} if headers is None else headers
        return self.session.get(f"{self.url}/{path_and_query}", headers=sent, timeout=30)

    def relative(self, url: str | None) -> str | None:
        """A link without its scheme, host and port, so two servers' links can be compared."""
        if url is None:
            return None
        parts = urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")


class Oracle:
    """The DRF application in a subprocess; stops when its standard input closes."""

    def __init__(self, max_page_size: int) -> None:
        env = {**os.environ, "ORACLE_MAX_PAGE_SIZE": str(max_page_size), "ORACLE_TOKEN": TOKEN}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.conformance.drf_oracle"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def ready(self) -> Server:
        """Wait for the ``PORT <n>`` line and return the server."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the DRF oracle did not start: {line}{self._stderr()}")
        return Server(f"http://127.0.0.1:{int(line.split()[1])}/api/v1")

    def _stderr(self) -> str:
        return self.process.stderr.read() if self.process.stderr and self.process.poll() is not None else ""

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@dataclass
class Pair:
    """The oracle and the local backend configured alike."""

    cap: int
    drf: Server
    local: Server
    backend: LocalBackend


def seeded_local_backend(max_page_size: int) -> LocalBackend:
    """A started LocalBackend with the conformance rows and the given cap."""
    backend = LocalBackend(token=TOKEN, max_page_size=max_page_size).start()
    data: dict[str, list[dict[str, Any]]] = rows()
    for kind, objects in data.items():
        backend.seed(kind, objects)
    return backend

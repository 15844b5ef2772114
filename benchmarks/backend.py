"""The local backend, run in its own process so the client process is measured alone.

``python -m benchmarks.backend seed --db PATH --tasks N`` fills an SQLite file through
``LocalBackend.seed`` (a bulk insert, no HTTP) and exits. :class:`ServerProcess` then serves
that file with ``python -m synapse serve --db PATH --port <free> --latency ...`` and waits until
the API answers. Only the child processes import ``synapse.testing``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

TOKEN = "bench-token"
PROJECTS = 10
ROOT = Path(__file__).resolve().parent.parent


def task_row(index: int, project_ids: list[int]) -> dict[str, Any]:
    """A task shaped like the backend's (the v2 schema's task fields): ids, flags, a nested dict and a list."""
    return {
        "project": project_ids[index % len(project_ids)],
        "data_unit": index + 1,
        "data": {"image": f"images/{index:07d}.jpg", "width": 640, "height": 480},
        "meta": {"source": "bench", "batch": index // 1000},
        "has_data": True,
        "is_discarded": index % 50 == 0,
        "tags": [],
    }


def seed(db: Path, tasks: int, projects: int = PROJECTS) -> None:
    from synapse.testing import LocalBackend

    backend = LocalBackend(db=db, token=TOKEN)
    try:
        project_ids = backend.seed("projects", [{"title": f"project {i}", "description": ""} for i in range(projects)])
        batch = 10_000
        for start in range(0, tasks, batch):
            rows = [task_row(i, project_ids) for i in range(start, min(tasks, start + batch))]
            backend.seed("tasks", rows)
    finally:
        backend.stop()
        backend.store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backend")
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--db", type=Path, required=True)
    seeding.add_argument("--tasks", type=int, required=True)
    seeding.add_argument("--projects", type=int, default=PROJECTS)
    args = parser.parse_args(argv)
    seed(args.db, args.tasks, args.projects)


# -- parent side ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    for key in list(env):
        if key.startswith("SYNAPSE_"):
            del env[key]
    return env


def run_probe(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m <module> args`` in a fresh process; its last stdout line is a JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=child_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args[:1])} failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def seed_database(db: Path, tasks: int) -> float:
    """Seed ``db`` in a child process; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.backend", "seed", "--db", str(db), "--tasks", str(tasks)],
        check=True,
        env=child_env(),
        cwd=ROOT,
    )
    return time.perf_counter() - started


class ServerProcess:
    """A running backend child; use as a context manager."""

    def __init__(self, db: Path, *, latency: float = 0.0, page_size: int = 100) -> None:
        self.db = db
        self.latency = latency
        self.page_size = page_size
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v1"
        self.token = TOKEN
        self._proc: subprocess.Popen[str] | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Synapse-Access-Token": f"Token {self.token}"}

    def __enter__(self) -> ServerProcess:
        command = [
            sys.executable,
            "-m",
            "synapse",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db),
            "--token",
            self.token,
            "--latency",
            str(self.latency),
            "--page-size",
            str(self.page_size),
        ]
        self._proc = subprocess.Popen(command, env=child_env(), cwd=ROOT, stdout=subprocess.DEVNULL, text=True)
        self._wait_ready(timeout=30.0)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with requests.Session() as http:
            while time.monotonic() < deadline:
                assert self._proc is not None
                if self._proc.poll() is not None:
                    raise RuntimeError(f"the backend process exited with status {self._proc.returncode}")
                try:
                    reply = http.get(f"{self.url}/projects/", params={"page_size": 1}, headers=self.headers, timeout=2)
                    if reply.status_code == 200:
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the backend did not answer on {self.url} within {timeout:.0f} s")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


if __name__ == "__main__":
    main()

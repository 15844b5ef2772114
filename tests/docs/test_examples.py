"""Every ```python block of README.md and docs/*.md runs against a local backend.

A page's blocks run in page order in one shared namespace, so a later block may use names an
earlier one defined; running one block alone first runs the blocks above it. There is no way to
mark a Python block as "do not run": a block fenced with another Python spelling (``py``,
``pycon``...) or with no language fails a test instead of being skipped. A block that defines pytest-style ``test_*``
functions has them called, with a fresh ``LocalBackend`` for ``synapse_backend``.

Each page runs as a reader would copy it: in a fresh, empty folder (a page that uploads
``cat.png`` makes it first, as its text says), against ``python -m synapse serve --seed`` started
the way the quickstart starts it, with ``SYNAPSE_BASE_URL`` and ``SYNAPSE_API_TOKEN`` set by the
quickstart's ``export`` line (only the port differs: the server picks a free one). Nothing else is
prepared; upload journals go to a cache folder outside the page's folder.
"""

from __future__ import annotations

import inspect
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from synapse import set_default_session
from synapse.testing import LocalBackend

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
RUNNABLE = "python"
PYTHONISH = re.compile(r"^(py|python|pycon|ipython)", re.IGNORECASE)
QUICKSTART = ROOT / "docs" / "quickstart.md"
SERVE_COMMAND = "python -m synapse serve --seed"
EXPORT = re.compile(r"^export SYNAPSE_BASE_URL=(?P<url>\S+) SYNAPSE_API_TOKEN=(?P<token>\S+)$")


@dataclass(frozen=True)
class Example:
    """One runnable block: where it is and its source."""

    page: Path
    line: int
    source: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def extract(page: Path) -> list[Example]:
    """The runnable blocks of one page; ``line`` is the first line of code (1-based)."""
    return [Example(page, line, source) for line, info, source in fenced_blocks(page) if info == RUNNABLE]


def fenced_blocks(page: Path) -> list[tuple[int, str, str]]:
    """Every fenced block of one page: (first line of code, info string, source)."""
    blocks: list[tuple[int, str, str]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, info = opening["fence"], opening["info"].strip()
        body: list[str] = []
        start = index + 1
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index])
            index += 1
        index += 1
        blocks.append((start + 1, info, "\n".join(body) + "\n"))
    return blocks


def all_examples() -> list[Example]:
    return [example for page in pages() for example in extract(page)]


@dataclass
class PageRun:
    """The folder and shared namespace of one page, and which of its blocks already ran."""

    page: Path
    folder: Path
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__docs__"})
    done: dict[int, Exception | None] = field(default_factory=dict)

    def run_through(self, example: Example, before: list[Example]) -> None:
        """Run the earlier blocks of the page once (if not yet run), then ``example``."""
        for earlier in before:
            if earlier.line not in self.done:
                self._run(earlier)
            failure = self.done[earlier.line]
            if failure is not None:
                raise AssertionError(
                    f"{earlier.name} failed ({type(failure).__name__}: {failure}); "
                    f"{example.name} depends on the state it builds"
                )
        self._run(example)
        failure = self.done[example.line]
        if failure is not None:
            raise failure

    def _run(self, example: Example) -> None:
        # Pad with blank lines so tracebacks point at the real line of the Markdown file.
        padded = "\n" * (example.line - 1) + example.source
        before = set(self.namespace)
        try:
            exec(compile(padded, str(example.page), "exec"), self.namespace)
            for name in sorted(set(self.namespace) - before):
                if name.startswith("test_") and callable(self.namespace[name]):
                    call_test(self.namespace[name])
        except Exception as exc:
            self.done[example.line] = exc
        else:
            self.done[example.line] = None


def call_test(function: Any) -> None:
    """Run a pytest-style test defined by an example, with the fixtures it names."""
    names = list(inspect.signature(function).parameters)
    unknown = [name for name in names if name != "synapse_backend"]
    if unknown:
        raise AssertionError(f"example test {function.__name__} asks for unsupported fixtures {unknown}")
    if not names:
        function()
        return
    with LocalBackend(job_duration=0.2) as backend:
        function(synapse_backend=backend)


EXAMPLES = all_examples()


@dataclass(frozen=True)
class Served:
    """What ``serve`` printed: its URL and token."""

    url: str
    token: str


def quickstart_setup() -> tuple[list[str], str, str]:
    """The quickstart's command that starts the backend, and the URL and token its ``export`` line sets."""
    lines = [
        line.split("#")[0].strip()
        for _, info, source in fenced_blocks(QUICKSTART)
        if info == "bash"
        for line in source.splitlines()
    ]
    [serve] = [line for line in lines if line.startswith(SERVE_COMMAND)]
    [export] = [match for line in lines if (match := EXPORT.match(line))]
    return serve.split()[3:], export["url"], export["token"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The quickstart's ``serve`` command, on a free port (8000 may be taken) and with its own working folder."""
    args, _, _ = quickstart_setup()
    log = tmp_path_factory.mktemp("serve") / "stderr.txt"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "synapse", *args, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=log.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    assert process.stdout is not None
    try:
        printed = ""
        while "Press Ctrl-C" not in printed:
            line = process.stdout.readline()
            assert line, f"serve exited: {log.read_text()}"
            printed += line
        url = re.search(r"listening on (\S+)", printed)
        token = re.search(r"^Token: (\S+)$", printed, re.MULTILINE)
        assert url and token, printed
        yield Served(url[1], token[1])
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


@pytest.fixture(scope="module")
def page_runs() -> Iterator[dict[Path, PageRun]]:
    runs: dict[Path, PageRun] = {}
    yield runs
    set_default_session(None)


@pytest.fixture
def docs_env(served: Served, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's shell after the quickstart's ``export`` line, with the port ``serve`` picked."""
    for name in ("SYNAPSE_ACCESS_TOKEN", "SYNAPSE_AGENT_TOKEN", "SYNAPSE_TENANT"):
        monkeypatch.delenv(name, raising=False)
    _, url, token = quickstart_setup()
    monkeypatch.setenv("SYNAPSE_BASE_URL", url.replace("127.0.0.1:8000", urlsplit(served.url).netloc))
    monkeypatch.setenv("SYNAPSE_API_TOKEN", token)
    monkeypatch.setenv("SYNAPSE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "docs-cache"))


def test_quickstart_export_line_matches_what_serve_prints(served: Served) -> None:
    _, url, token = quickstart_setup()
    assert url.replace("127.0.0.1:8000", urlsplit(served.url).netloc) == served.url
    assert token == served.token


def test_no_python_block_escapes_the_run() -> None:
    skipped = [
        f"{page.relative_to(ROOT).as_posix()}:{line} ({info})"
        for page in pages()
        for line, info, _ in fenced_blocks(page)
        if info != RUNNABLE and (not info or PYTHONISH.match(info))
    ]
    assert not skipped, f"blocks that would not run; name their language, ```python for Python: {skipped}"


def test_docs_have_examples() -> None:
    assert len({example.page for example in EXAMPLES}) >= 8, "README.md and docs/ should carry runnable examples"


@pytest.mark.usefixtures("docs_env")
@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example(
    example: Example,
    page_runs: dict[Path, PageRun],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = page_runs.get(example.page)
    if run is None:
        # A page starts with no default session and in an empty folder, as a reader's fresh interpreter would.
        set_default_session(None)
        run = page_runs[example.page] = PageRun(example.page, tmp_path_factory.mktemp(example.page.stem))
    monkeypatch.chdir(run.folder)
    before = [other for other in EXAMPLES if other.page == example.page and other.line < example.line]
    run.run_through(example, before)

"""Every ```python block of README.md and docs/*.md runs against a local backend.

A page's blocks run in page order in one shared namespace, so a later block may use names an
earlier one defined; running one block alone first runs the blocks above it. There is no way to
mark a Python block as "do not run": a block fenced with another Python spelling (``py``,
``pycon``...) or with no language fails a test instead of being skipped. A block that defines pytest-style ``test_*``
functions has them called, with a fresh ``LocalBackend`` for ``synapse_backend``.

The blocks see ``SYNAPSE_BASE_URL`` and ``SYNAPSE_API_TOKEN`` pointing at a seeded
``LocalBackend`` (so ``synapse.connect()`` works with no arguments) and run in a scratch folder
holding the files they name (``cat.png``, ``images/*.png``...).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from synapse import set_default_session
from synapse.cli.samples import write_example_files
from synapse.testing import LocalBackend

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
RUNNABLE = "python"
PYTHONISH = re.compile(r"^(py|python|pycon|ipython)", re.IGNORECASE)


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
    """The shared namespace of one page and which of its blocks already ran."""

    page: Path
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


@pytest.fixture(scope="module")
def docs_backend() -> Iterator[LocalBackend]:
    with LocalBackend(job_duration=0.2) as backend:
        backend.seed_sample()
        yield backend


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    write_example_files(folder)
    return folder


@pytest.fixture(scope="module")
def page_runs() -> Iterator[dict[Path, PageRun]]:
    runs: dict[Path, PageRun] = {}
    yield runs
    set_default_session(None)


@pytest.fixture
def docs_env(docs_backend: LocalBackend, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SYNAPSE_ACCESS_TOKEN", "SYNAPSE_AGENT_TOKEN", "SYNAPSE_TENANT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SYNAPSE_BASE_URL", docs_backend.url)
    monkeypatch.setenv("SYNAPSE_API_TOKEN", docs_backend.token)
    monkeypatch.setenv("SYNAPSE_CACHE_DIR", str(scratch / ".cache"))
    monkeypatch.chdir(scratch)


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
def test_example(example: Example, page_runs: dict[Path, PageRun]) -> None:
    run = page_runs.get(example.page)
    if run is None:
        # A page starts with no default session, as a reader's fresh interpreter would.
        set_default_session(None)
        run = page_runs[example.page] = PageRun(example.page)
    before = [other for other in EXAMPLES if other.page == example.page and other.line < example.line]
    run.run_through(example, before)

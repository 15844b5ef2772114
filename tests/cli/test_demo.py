"""``synapse demo``: the quick run completes, reports every step and never prints the token."""

from __future__ import annotations

import re

import pytest

from synapse.__main__ import main
from synapse.cli import demo
from synapse.cli.demo_steps import Pipeline
from synapse.testing import LocalBackend

STEPS = (
    "storage",
    "data collection",
    "upload files + data units",
    "big file (chunked)",
    "project + tasks",
    "annotate",
    "tags",
    "queries + identity map",
    "plugin + release",
    "plugin run + job",
    "model",
    "ground truth",
)
TOKEN = "tok-3f9c2a7d5e8b1c4f"


def summary_rows(output: str) -> dict[str, list[str]]:
    """Rows of the summary table by step name: [items, uploaded, requests, seconds, items are]."""
    rows: dict[str, list[str]] = {}
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("step") and "requests" in line)
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if set(line.replace(" ", "")) == {"-"}:
            continue
        name, *cells = re.split(r"\s{2,}", line.strip())
        rows[name] = cells
    return rows


@pytest.mark.slow
def test_quick_demo_runs_every_step(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(demo, "new_token", lambda: TOKEN)
    assert main(["demo", "--quick", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    rows = summary_rows(out)
    assert list(rows) == [*STEPS, "total"]
    for name in STEPS:
        items, _, requests, seconds, itemised = rows[name]
        assert int(items) > 0, name
        assert int(requests) > 0, name
        assert float(seconds) >= 0
        assert sum(int(count) for count in re.findall(r"(\d+) ", itemised)) == int(items), (name, itemised)
    assert rows["upload files + data units"][4] == "40 files, 20 data units"
    assert rows["tags"][4] == "2 tags, 25 tasks tagged"
    assert rows["big file (chunked)"][1] == "6.0 MiB"
    assert rows["total"][0] == str(sum(int(rows[name][0]) for name in STEPS))
    assert "generated 43 sample files" in out and "20 PNG images, 20 JSON labels" in out
    legend = " ".join(out[out.index("\nitems: ") :].split())
    for column in ("items:", "uploaded: file contents sent", "requests: HTTP requests sent", "seconds: wall time"):
        assert column in legend
    assert out.rstrip().endswith("docs/quickstart.md                the same calls, one at a time")
    assert "python -m synapse shell --local" in out.split("Try next:")[1]
    assert "SUCCEEDED" in out and "| Job finished" in out
    assert TOKEN not in out + err


def test_demo_against_an_explicit_backend_hides_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalBackend(token=TOKEN, job_duration=0.1) as backend:
        code = main(["demo", "--quick", "--no-progress", "--files", "10", "--url", backend.url, "--token", TOKEN])
        assert backend.count("data_units") == 5
    out, err = capsys.readouterr()
    assert code == 0, err
    assert backend.url in out
    assert TOKEN not in out + err


def test_big_file_is_interrupted_then_resumed_without_resending_chunks(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalBackend(token=TOKEN, job_duration=0.1) as backend:
        code = main(["demo", "--quick", "--no-progress", "--files", "4", "--url", backend.url, "--token", TOKEN])
        ranges = [r.headers.get("Content-Range", "") for r in backend.requests if r.method == "PUT"]
        scan = backend.get("data_files", backend.count("data_files"))
        assert scan is not None, "the demo's big file was uploaded"
        scan_size = scan["size"]
        state_reads = [r for r in backend.requests if r.method == "GET" and r.path.startswith("chunked_upload/")]
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "interrupted on purpose after 4.0 MiB of 6.0 MiB" in out
    chunk_puts = [r for r in ranges if r.endswith(f"/{scan_size}")]
    assert len(chunk_puts) == len(set(chunk_puts)) == 4  # every chunk sent once, across both calls
    assert len(state_reads) == 1  # the resume asked the server for its offset


def test_url_without_token_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--url", "http://127.0.0.1:9/api/v1"]) == 1
    _, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        "synapse demo: error: --url and --token go together (the demo ignores SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN)"
    ]


def test_wrong_token_names_the_option_the_demo_reads(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalBackend(token=TOKEN) as backend:
        assert main(["demo", "--quick", "--url", backend.url, "--token", "not-the-token"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("synapse demo: error: AuthenticationError: 401")
    assert line.endswith("Check --token (the demo does not read SYNAPSE_API_TOKEN)")


def test_unreachable_backend_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--url", "http://127.0.0.1:9/api/v1", "--token", TOKEN]) == 1
    _, err = capsys.readouterr()
    [line] = err.strip().splitlines()
    assert line.startswith("synapse demo: error: APIConnectionError: could not connect to the backend")
    assert line.endswith("Check --url and that the backend is running")
    assert TOKEN not in err


def test_a_failing_step_is_one_line_and_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalBackend(token=TOKEN) as backend:
        backend.faults.add("plugins/*/run/", method="POST", status=400, body={"agent": ["Agent is offline."]})
        code = main(["demo", "--quick", "--no-progress", "--files", "4", "--url", backend.url, "--token", TOKEN])
    _, err = capsys.readouterr()
    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith("synapse demo: error: BadRequestError: 400: agent: Agent is offline.")


def test_ctrl_c_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(self: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Pipeline, "run", interrupted)
    assert main(["demo", "--quick", "--no-progress"]) == 130
    _, err = capsys.readouterr()
    assert err.strip().splitlines() == ["synapse demo: interrupted"]

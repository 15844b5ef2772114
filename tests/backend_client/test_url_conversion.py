"""url_conversion in the contract's form and the seed's {field: callable} form, applied to list_all walks."""

from __future__ import annotations

from pathlib import Path

from synapse import BackendClient
from synapse.testing import LocalBackend


def test_seed_form_transforms_each_item_of_every_page(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    backend.seed("tasks", [{"project": pid, "files": {"image": f"/media/{i}.jpg"}} for i in range(150)])
    tasks, count = client.list_tasks(
        params={"project": pid}, list_all=True, url_conversion={"files": lambda url: f"https://cdn.example.com{url}"}
    )
    images = [t["files"]["image"] for t in tasks]
    assert count == 150 and images == [f"https://cdn.example.com/media/{i}.jpg" for i in range(150)]


def test_plain_list_calls_ignore_url_conversion(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    backend.seed("tasks", [{"project": pid, "files": {"image": "/media/a.jpg"}}])
    page = client.list_tasks(params={"project": pid}, url_conversion={"files": lambda url: "changed"})
    assert page["results"][0]["files"] == {"image": "/media/a.jpg"}


def _uploaded_units(client: BackendClient, backend: LocalBackend, tmp_path: Path, n: int) -> list[bytes]:
    cid = backend.seed("data_collections", [{"name": "c"}])[0]
    contents = [f"image-{i}".encode() * 20 for i in range(n)]
    items = []
    for i, content in enumerate(contents):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(content)
        items.append({"files": {"image": path}})
    client.upload_data_collection(cid, items)
    return contents


def test_data_units_list_all_downloads_files_by_default(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    contents = _uploaded_units(client, backend, tmp_path, 3)
    units, count = client.list_data_units(list_all=True)
    paths = [unit["files"]["image"]["path"] for unit in units]
    assert count == 3 and all(isinstance(p, Path) for p in paths)
    assert [p.read_bytes() for p in paths] == contents


def test_url_conversion_false_and_contract_form(backend: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    _uploaded_units(client, backend, tmp_path, 2)
    units, _ = client.list_data_units(list_all=True, url_conversion=False)
    assert all(unit["files"]["image"]["url"].startswith("http") for unit in units)
    spec = {"files_fields": ["files"], "is_list": True, "coerce": lambda path: path.name}
    coerced, _ = client.list_data_units(list_all=True, url_conversion=spec)
    assert all(isinstance(unit["files"]["image"]["path"], str) for unit in coerced)


def test_ground_truth_events_default_conversion(backend: LocalBackend, client: BackendClient) -> None:
    dataset = backend.seed("ground_truth_datasets", [{"name": "d"}])[0]
    version = backend.seed("ground_truth_dataset_versions", [{"ground_truth_dataset": dataset}])[0]
    backend.seed("ground_truth_events", [{"ground_truth_dataset_version": version, "files": {}}])
    events, count = client.list_ground_truth_events(params={"ground_truth_dataset_versions": [version]}, list_all=True)
    assert count == 1 and next(events)["files"] == {}
    assert backend.requests[-1].query["page_size"] == ["100"]

"""The sample dataset behind ``LocalBackend.seed_sample()`` and ``python -m synapse serve --seed``.

Small but touching every family, so a client can be explored against it right away.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING, Any

from synapse.testing.media import MediaStore

if TYPE_CHECKING:
    from synapse.testing.server import LocalBackend

#: Token of the sample agent (40 hex characters, like real agent tokens).
SAMPLE_AGENT_TOKEN = "a" * 40


def _stored_file(media: MediaStore, content: bytes, name: str) -> dict[str, Any]:
    key, size, md5 = media.save(io.BytesIO(content))
    return {"file": media.url(key, name), "checksum": md5, "size": size, "filename": name, "meta": {}}


def load_sample(backend: LocalBackend, tasks: int = 300) -> dict[str, Any]:
    """Insert the sample objects; returns the main ids (``project``, ``task_ids``, ...)."""
    media = backend.state.media
    seed = backend.seed
    [collection] = seed(
        "data_collections",
        [
            {
                "name": "Sample images",
                "category": "image",
                "file_specifications": [
                    {
                        "name": "image",
                        "file_type": "image",
                        "is_required": True,
                        "is_primary": True,
                        "extensions": [".jpg", ".png"],
                    },
                    {
                        "name": "meta_json",
                        "file_type": "data",
                        "is_required": False,
                        "is_primary": False,
                        "extensions": [".json"],
                    },
                ],
            }
        ],
    )
    [project] = seed(
        "projects",
        [
            {
                "title": "Sample project",
                "name": "Sample project",
                "data_collection": collection,
                "configuration": {"classification": {"classes": ["cat", "dog"]}},
            }
        ],
    )
    tags = seed(
        "task_tags",
        [
            {"name": "review", "color": "#ff0000", "project": project},
            {"name": "easy", "color": "#00ff00", "project": project},
        ],
    )
    files = [_stored_file(media, f"sample image {i}\n".encode() * 8, f"image_{i}.png") for i in range(5)]
    file_ids = seed("data_files", files)
    units = []
    for i in range(tasks):
        f = files[i % len(files)]
        units.append(
            {
                "data_collection": collection,
                "files": {
                    "image": {
                        "url": f["file"],
                        "checksum": f["checksum"],
                        "path": f["filename"],
                        "size": f["size"],
                        "data_file": file_ids[i % len(files)],
                    }
                },
                "meta": {"index": i, "label": "cat" if i % 2 else "dog"},
                "groups": [],
            }
        )
    unit_ids = seed("data_units", units)
    task_ids = seed(
        "tasks",
        [
            {
                "project": project,
                "data_unit": unit_ids[i],
                "status": "pending" if i % 3 else "completed",
                "data": {},
                "tags": [tags[0]] if i % 10 == 0 else [],
            }
            for i in range(tasks)
        ],
    )
    seed("assignments", [{"task": t, "project": project, "status": "pending", "data": {}} for t in task_ids[:20]])
    [plugin] = seed("plugins", [{"name": "Sample trainer", "code": "sample-trainer", "category": "neural_net"}])
    [release] = seed(
        "plugin_releases",
        [
            {
                "plugin": plugin,
                "version": "1.0.0",
                "config": {"actions": {"train": {}, "inference": {}}},
                "available_actions": ["train", "inference"],
                "requirements": [],
                "debug": False,
            }
        ],
    )
    [agent] = seed(
        "agents",
        [{"name": "local-agent", "status": "connected", "token": SAMPLE_AGENT_TOKEN, "url": "http://127.0.0.1:8001"}],
    )
    storages = seed(
        "storages",
        [
            {
                "name": "Internal",
                "category": "internal",
                "provider": "file_system",
                "is_default": True,
                "configuration": {"location": "/data"},
            },
            {
                "name": "S3 bucket",
                "category": "external",
                "provider": "amazon_s3",
                "is_default": False,
                "configuration": {"bucket_name": "sample", "region_name": "us-east-1"},
            },
        ],
    )
    model_bytes = b"sample model weights\n" * 32
    [model] = seed(
        "models",
        [
            {
                "name": "Sample model",
                "plugin": plugin,
                "plugin_release": release,
                "configuration": {"epochs": 1},
                **{k: v for k, v in _stored_file(media, model_bytes, "model.pt").items() if k != "meta"},
            }
        ],
    )
    [dataset] = seed("ground_truth_datasets", [{"name": "Sample ground truth", "data_collection": collection}])
    [version] = seed(
        "ground_truth_dataset_versions", [{"ground_truth_dataset": dataset, "name": "v1", "is_archived": False}]
    )
    seed(
        "ground_truth_events",
        [
            {
                "ground_truth_dataset_version": version,
                "data_unit": unit_ids[i],
                "files": units[i]["files"],
                "data": {"label": "cat" if i % 2 else "dog"},
            }
            for i in range(min(10, tasks))
        ],
    )
    return {
        "data_collection": collection,
        "project": project,
        "task_tags": tags,
        "data_files": file_ids,
        "data_units": unit_ids,
        "tasks": task_ids,
        "plugin": plugin,
        "plugin_release": release,
        "agent": agent,
        "agent_token": SAMPLE_AGENT_TOKEN,
        "storages": storages,
        "model": model,
        "ground_truth_dataset": dataset,
        "ground_truth_dataset_version": version,
        "checksum": hashlib.md5(model_bytes).hexdigest(),
    }

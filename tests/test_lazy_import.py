"""``import synapse`` stays cheap: resource models and the backend client load on first use."""

from __future__ import annotations

import subprocess
import sys

import synapse


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_synapse_defers_models_and_never_loads_the_server() -> None:
    loaded = _modules_after("import synapse")
    assert "synapse.resources" not in loaded
    assert "synapse.client" not in loaded
    assert "synapse.orm" not in loaded
    assert "werkzeug" not in loaded
    assert "synapse.testing" not in loaded


def test_lazy_names_resolve_and_are_listed() -> None:
    loaded = _modules_after("from synapse import Task, BackendClient")
    assert "synapse.resources.tasks" in loaded and "synapse.client" in loaded
    for name in synapse.__all__:
        assert getattr(synapse, name) is not None
    assert {"Task", "Project", "BackendClient"} <= set(dir(synapse))


def test_unknown_attribute_still_raises() -> None:
    try:
        synapse.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")

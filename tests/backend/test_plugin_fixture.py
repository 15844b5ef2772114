"""The ``synapse_backend`` pytest fixture (entry point ``synapse``) as a user would use it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixture_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_one(synapse_backend):
            synapse_backend.faults.add("projects/", status=503, times=None)
            r = requests.post(synapse_backend.url + "/projects/", json={"name": "a"},
                              headers={"Synapse-Access-Token": "Token " + synapse_backend.token})
            assert r.status_code == 503
            synapse_backend.seed("projects", [{"name": "kept?"}])

        def test_two_starts_clean(synapse_backend):
            assert synapse_backend.count("projects") == 0
            assert len(synapse_backend.faults) == 0
            assert synapse_backend.request_count == 0
        """
    )
    result = pytester.runpytest_subprocess("-q")  # the plugin comes from the pytest11 entry point
    result.assert_outcomes(passed=2)


def test_plugin_import_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, synapse.testing.pytest_plugin; "
        "print('werkzeug' in sys.modules, 'synapse.testing.server' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False"

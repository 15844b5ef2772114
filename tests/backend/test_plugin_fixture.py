"""The ``synapse_backend`` pytest fixture (entry point ``synapse``) as a user would use it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_server_error_fails_the_test_but_an_injected_fault_does_not(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def get(backend, path):
            return requests.get(backend.url + path, headers=backend.auth_headers, timeout=5)

        def test_crash(synapse_backend, monkeypatch):
            def boom(*args, **kwargs):
                raise RuntimeError("kaboom")

            monkeypatch.setattr(synapse_backend.store, "count", boom)
            assert get(synapse_backend, "/projects/").status_code == 500

        def test_injected_503(synapse_backend):
            synapse_backend.faults.add("projects/", status=503, times=1)
            assert get(synapse_backend, "/projects/").status_code == 503
            assert get(synapse_backend, "/projects/").status_code == 200

        def test_after_the_crash_starts_clean(synapse_backend):
            assert synapse_backend.errors == []
        """
    )
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*LocalBackend logged 1 server error(s) during this test:*", "GET projects/*kaboom*"])


@pytest.mark.slow
def test_capped_and_each_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_capped(synapse_backend_capped):
            b = synapse_backend_capped
            b.seed("projects", [{"name": str(i)} for i in range(150)])
            page = requests.get(b.url + "/projects/?page_size=1000", headers=b.auth_headers, timeout=5).json()
            assert len(page["results"]) == 100 and page["next"].endswith("?page=2&page_size=1000")

        def test_each(synapse_backend_each):
            b = synapse_backend_each
            b.seed("projects", [{"name": str(i)} for i in range(150)])
            page = requests.get(b.url + "/projects/?page_size=1000", headers=b.auth_headers, timeout=5).json()
            assert page["count"] == 150 and len(page["results"]) in (100, 150)
        """
    )
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=3)


def test_plugin_import_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, synapse.testing.pytest_plugin; "
        "print('werkzeug' in sys.modules, 'synapse.testing.server' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False"

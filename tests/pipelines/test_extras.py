"""Without an optional extra, the call that needs it says in one line which extra to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

ATTEMPT = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # importing it now fails, as when it is not installed
import synapse
from synapse import ConfigurationError, Session, Task
query = Task.all().using(Session("http://127.0.0.1:9/api/v1", api_token="x"))
try:
    {call}
except ConfigurationError as error:
    print(error)
else:
    print("no error")
"""


def _run(blocked: list[str], call: str) -> str:
    code = ATTEMPT.format(blocked=blocked, call=call)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(
    ("blocked", "call", "extra"),
    [
        (
            ["pandas"],
            "query.to_pandas()",
            "to_pandas() needs pandas, an optional extra: pip install 'synapse-orm[pandas]'",
        ),
        (
            ["pyarrow"],
            "query.to_arrow()",
            "to_arrow() needs pyarrow, an optional extra: pip install 'synapse-orm[arrow]'",
        ),
        (["pyarrow"], "next(query.iter_batches(10))", "pip install 'synapse-orm[arrow]'"),
        (["pandas"], "next(query.iter_batches(10, format='pandas'))", "pip install 'synapse-orm[pandas]'"),
        (
            ["dask", "dask.dataframe"],
            "import synapse.dask; synapse.dask.read(query)",
            "synapse.dask needs dask[dataframe] and distributed, an optional extra: pip install 'synapse-orm[dask]'",
        ),
    ],
)
def test_a_missing_extra_is_one_clear_line(blocked: list[str], call: str, extra: str) -> None:
    out = _run(blocked, call)
    assert extra in out
    assert out.count("\n") == 1, out


def test_the_extras_load_only_when_used() -> None:
    code = (
        "import sys, synapse; from synapse import Task; Task.all(); "
        "print(sorted({'pandas', 'pyarrow', 'dask'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"

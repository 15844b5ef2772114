"""Two uploaders of the same file at once: the journal has one owner, the server finalizes once."""

from __future__ import annotations

import hashlib
import threading

from synapse.testing import LocalBackend
from synapse.transport.session import Session


def test_concurrent_finalize_requests_of_one_upload_never_fail_the_server(
    session: Session, backend: LocalBackend
) -> None:
    statuses: list[int] = []
    for _ in range(25):
        data = b"x" * 50_000
        headers = {"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
        reply = session.request("PUT", "chunked_upload/", files={"file": ("f", data)}, headers=headers)
        md5 = hashlib.md5(data).hexdigest()

        def finalize(url: str = reply["url"], md5: str = md5) -> None:
            statuses.append(int(session.request("POST", url, json={"md5": md5})["status"]))

        threads = [threading.Thread(target=finalize) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [2] * 100, "every finalize saw the completed upload"
    assert not backend.errors

"""Measurements that need a fresh process: peak memory of a listing walk and of one upload.

Run by the benchmarks as ``python -m benchmarks.probe <kind> ...``; prints one JSON object.
Peak RSS is read from the kernel's high-water mark (``VmHWM``), reset just before the measured
work, so imports and set-up are not charged to it.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import requests

MIB = 1024 * 1024


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark for this process (Linux); False when unsupported."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _current_rss() -> int:
    value = _status_kib("VmRSS")
    if value is not None:
        return value * 1024
    import psutil

    return int(psutil.Process().memory_info().rss)


def _peak_rss() -> int:
    value = _status_kib("VmHWM")
    if value is not None:
        return value * 1024
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


class PeakMeter:
    """Peak RSS growth over the RSS at ``start()``."""

    def start(self) -> None:
        import gc

        gc.collect()
        _reset_peak()
        self.before = _current_rss()

    def growth_mib(self) -> float:
        return max(0, _peak_rss() - self.before) / MIB


def memory(url: str, token: str, count: int, page_size: int) -> dict[str, Any]:
    import synapse
    from benchmarks.common import models

    task_model, _ = models()
    with synapse.Session(url, api_token=token) as session:
        # Warm up: the first page loads every lazy import, the pool threads and the connection.
        warm = list(itertools.islice(task_model.all().using(session).page_size(page_size), page_size))
        del warm
        meter = PeakMeter()
        meter.start()
        seen = 0
        for _task in itertools.islice(task_model.all().using(session).page_size(page_size), count):
            seen += 1
        growth = meter.growth_mib()
    return {"count": seen, "growth_mib": growth}


def _multipart(filename: str, chunk: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="filename"\r\n\r\n{filename}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return b"".join((head, chunk, tail)), f"multipart/form-data; boundary={boundary}"


def raw_upload(url: str, token: str, path: Path, chunk_size: int) -> dict[str, Any]:
    """The baseline: read, md5 and PUT each chunk with plain ``requests``, then POST the md5."""
    headers = {"Synapse-Access-Token": f"Token {token}"}
    total = path.stat().st_size
    digest = hashlib.md5()
    target = f"{url}/chunked_upload/"
    offset = 0
    with requests.Session() as http, path.open("rb") as handle:
        while offset < total:
            handle.seek(offset)
            chunk = handle.read(chunk_size)
            digest.update(chunk)
            end = offset + len(chunk) - 1
            body, content_type = _multipart(path.name, chunk)
            del chunk
            reply = http.put(
                target,
                data=body,
                headers={**headers, "Content-Type": content_type, "Content-Range": f"bytes {offset}-{end}/{total}"},
                timeout=600,
            )
            del body
            reply.raise_for_status()
            state = reply.json()
            target, offset = state["url"], int(state["offset"])
        reply = http.post(target, json={"md5": digest.hexdigest()}, headers=headers, timeout=600)
        reply.raise_for_status()
        return dict(reply.json())


def upload(mode: str, url: str, token: str, path: Path, chunk_size: int, journal: Path) -> dict[str, Any]:
    if mode == "raw":
        meter = PeakMeter()
        meter.start()
        started = time.perf_counter()
        reply = raw_upload(url, token, path, chunk_size)
    else:
        import synapse
        from synapse.transfers.uploads import chunked_upload

        session = synapse.Session(url, api_token=token)
        meter = PeakMeter()
        meter.start()
        started = time.perf_counter()
        reply = chunked_upload(session, path, chunk_size=chunk_size, journal_dir=journal)
    seconds = time.perf_counter() - started
    if reply.get("size") not in (None, path.stat().st_size):
        raise RuntimeError(f"the server stored {reply.get('size')} bytes")
    return {"seconds": seconds, "growth_mib": meter.growth_mib()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    sub = parser.add_subparsers(dest="kind", required=True)
    mem = sub.add_parser("memory")
    mem.add_argument("--url", required=True)
    mem.add_argument("--token", required=True)
    mem.add_argument("--count", type=int, required=True)
    mem.add_argument("--page-size", type=int, default=100)
    up = sub.add_parser("upload")
    up.add_argument("--mode", choices=("raw", "synapse"), required=True)
    up.add_argument("--url", required=True)
    up.add_argument("--token", required=True)
    up.add_argument("--path", type=Path, required=True)
    up.add_argument("--chunk-size", type=int, required=True)
    up.add_argument("--journal", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.kind == "memory":
        result = memory(args.url, args.token, args.count, args.page_size)
    else:
        result = upload(args.mode, args.url, args.token, args.path, args.chunk_size, args.journal)
    print(json.dumps(result), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()

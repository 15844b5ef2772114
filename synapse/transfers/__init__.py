"""Transfers: moving files between disk and the backend, and bulk creates that must not double.

Plain and chunked uploads (MD5 while streaming, resume journals, parallel batches), downloads
that resume and verify, progress reporting, the official client's URL conversion, and the
reconciling bulk creates of tasks and data units (:mod:`.bulk`, :mod:`.creates`, :mod:`.units`).
It uses :mod:`synapse.transport` only; the resource classes pass in API paths and the page walker.
"""

CHUNK_SIZE = 50 * 1024 * 1024
"""The official client's chunk size (50 MiB); files larger than one chunk go up chunked by default."""

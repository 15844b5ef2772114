"""Transfers: moving files between disk and the backend.

Plain and chunked uploads (MD5 while streaming, resume journals, parallel batches), downloads
that resume and verify, progress reporting, and the official client's URL conversion. It uses
:mod:`synapse.transport` only; the resource classes call into it.
"""

"""Benchmarks for synapse: the client's cost measured against raw ``requests`` doing the same work.

Run ``python -m benchmarks`` (or ``--quick``); see ``benchmarks/run.py`` and ``RESULTS.md``.
"""

"""Subcommands of ``python -m synapse``; each module exposes ``register(subparsers)``."""

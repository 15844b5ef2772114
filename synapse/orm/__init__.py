"""The object model: resources as objects, lazy querysets, relations and one object per id.

:class:`Resource` is the active-record base class, :class:`QuerySet` a lazy, immutable list
request, :mod:`~synapse.orm.pagination` the walker of page envelopes, :mod:`~synapse.orm.relations`
the foreign-key descriptors and :mod:`~synapse.orm.identity` the per-session identity map. It
talks to the backend only through :mod:`synapse.transport`.
"""

from .queryset import QuerySet
from .relations import BelongsTo, HasMany
from .resource import Resource

__all__ = ["BelongsTo", "HasMany", "QuerySet", "Resource"]

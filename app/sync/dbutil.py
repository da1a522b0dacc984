"""Small typed helpers over peewee queries (its stubs type `.tuples()` rows as models)."""

from __future__ import annotations

from typing import Any


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """The rows of a select as plain tuples."""
    return [tuple(row) for row in query.tuples()]


def column(query: Any) -> set[Any]:
    """The distinct values of a single-column select."""
    return {row[0] for row in query.tuples()}

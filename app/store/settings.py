"""Typed access to the key/value settings table."""

from __future__ import annotations

import json
from typing import Any

from app.store.models import Setting


def get_setting(key: str, default: Any = None) -> Any:
    """The JSON value stored under key, or default."""
    row = Setting.get_or_none(Setting.key == key)
    if row is None:
        return default
    return json.loads(row.value)


def set_setting(key: str, value: Any) -> None:
    """Store value (JSON-serialisable) under key."""
    Setting.insert(key=key, value=json.dumps(value, ensure_ascii=False)).on_conflict_replace().execute()


def delete_setting(key: str) -> None:
    """Remove key if present."""
    Setting.delete().where(Setting.key == key).execute()

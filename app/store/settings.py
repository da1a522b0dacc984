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
    Setting.insert(
        key=key, value=json.dumps(value, ensure_ascii=False)
    ).on_conflict_replace().execute()


def delete_setting(key: str) -> None:
    """Remove key if present."""
    Setting.delete().where(Setting.key == key).execute()


# Setting keys shared by the engine, the command line and the desktop app.
XML_FOLDERS = "xml-folders"  # list[str]: folders intake watches (recursively)
SYNC_INTERVAL = "sync-interval"  # int seconds between engine cycles
SALES_CHANNEL = "sales-channel"  # int | None: Bling loja id put on orders
FINAL_STATUS = "final-status"  # str | None: status name (or id) set after the stock exit
DEFAULT_DEPOSIT = "default-deposit"  # int | None: deposit for stores without their own
OWN_CNPJS = "own-cnpjs"  # list[str]: the store chain's CNPJs (own NF-e model 55 count as sales)

"""The local store (peewee on SQLite in WAL mode)."""

from app.store.db import close_database, open_database

__all__ = ["close_database", "open_database"]

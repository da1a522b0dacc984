"""What every subcommand receives: resolved paths, the Bling URL, and lazy database access."""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from app.config import AppPaths
from app.store.db import open_database


@dataclass
class CliContext:
    paths: AppPaths
    bling_url: str
    verbose: bool = False
    _db: peewee.SqliteDatabase | None = field(default=None, repr=False)

    def db(self) -> peewee.SqliteDatabase:
        """Open (once) the local database, migrating it if needed."""
        if self._db is None:
            self._db = open_database(self.paths)
        return self._db

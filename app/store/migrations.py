"""Numbered schema migrations: a fresh database starts at the latest version; an older one is
copied aside first and then moved forward one atomic step at a time (habit from vorta).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import peewee
from playhouse.migrate import SqliteMigrator, migrate

from app.errors import StoreError
from app.store.models import ALL_MODELS, ApiUsage, Sale, SchemaVersion
from app.timeutil import utcnow

log = logging.getLogger(__name__)


def _step_2_api_usage(db: peewee.SqliteDatabase) -> None:
    """Version 2: count Bling requests per day."""
    db.create_tables([ApiUsage])


def _step_3_deposit_override(db: peewee.SqliteDatabase) -> None:
    """Version 3: a sale can be moved to another deposit than its store's."""
    migrator = SqliteMigrator(db)
    migrate(migrator.add_column("sale", "deposit_override_id", Sale.deposit_override_id))


# Version N's step takes a database at version N-1 to version N.
STEPS: dict[int, Callable[[peewee.SqliteDatabase], None]] = {
    2: _step_2_api_usage,
    3: _step_3_deposit_override,
}
LATEST_VERSION = max(STEPS)


def schema_v1_sql() -> str:
    """The DDL of schema version 1, as first released (used to test the chain)."""
    return resources.files("app.store").joinpath("schema_v1.sql").read_text(encoding="utf-8")


def current_version(db: peewee.SqliteDatabase) -> int | None:
    """The stored schema version, or None for an empty database."""
    if not db.table_exists(SchemaVersion._meta.table_name):
        return None
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return int(row.version) if row else None


def _backup(db_path: Path, backups: Path, version: int) -> Path:
    """Copy the database aside with SQLite's online backup (WAL content included)."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = backups / f"{db_path.stem}-v{version}-{stamp}.sqlite3"
    source = sqlite3.connect(db_path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def migrate_database(db: peewee.SqliteDatabase, db_path: Path, backups: Path) -> int:
    """Bring the database to LATEST_VERSION; returns the version it was at (0 when new)."""
    version = current_version(db)
    if version is None:
        with db.atomic():
            db.create_tables(ALL_MODELS)
            SchemaVersion.create(version=LATEST_VERSION)
        return 0
    if version > LATEST_VERSION:
        raise StoreError(
            "Este banco de dados foi criado por uma versão mais nova do Ponte. "
            "Atualize o Ponte para continuar.",
            details=f"db version {version} > supported {LATEST_VERSION}",
        )
    if version == LATEST_VERSION:
        return version
    if db_path.exists():
        copy = _backup(db_path, backups, version)
        log.info("database v%s copied to %s before migrating", version, copy)
    for target in range(version + 1, LATEST_VERSION + 1):
        with db.atomic():
            STEPS[target](db)
            SchemaVersion.update(version=target, migrated_at=utcnow()).execute()
        log.info("database migrated to v%s", target)
    return version

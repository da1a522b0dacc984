"""Opening the local SQLite database (WAL) and binding the models to it."""

from __future__ import annotations

import sqlite3

import peewee

from app.config import AppPaths
from app.errors import StoreError
from app.store.migrations import migrate_database
from app.store.models import database_proxy

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10000,
}


def open_database(paths: AppPaths) -> peewee.SqliteDatabase:
    """Open (creating or migrating as needed) the database under the data dir."""
    try:
        paths.ensure()
        db = peewee.SqliteDatabase(str(paths.database), pragmas=PRAGMAS, check_same_thread=False)
        db.connect(reuse_if_open=True)
    except (OSError, peewee.OperationalError, sqlite3.Error) as exc:
        raise StoreError(
            f"Não foi possível abrir o banco de dados em {paths.database}. "
            "Verifique se a pasta existe e se há permissão de escrita.",
            details=repr(exc),
        ) from exc
    except peewee.DatabaseError as exc:
        # Left where it is, untouched: the user (or support) decides what to do with it.
        raise StoreError(
            f"O arquivo {paths.database} não é um banco de dados do Ponte ou está danificado. "
            "Mova-o para outro lugar (ou ponha no lugar uma cópia da pasta backups) e rode o "
            "Ponte de novo.",
            details=repr(exc),
        ) from exc
    database_proxy.initialize(db)
    try:
        migrate_database(db, paths.database, paths.backups)
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        raise StoreError(
            "O banco de dados local está danificado ou não pôde ser atualizado. "
            "Uma cópia foi guardada na pasta de backups; procure o suporte.",
            details=repr(exc),
        ) from exc
    return db


def close_database() -> None:
    """Close the bound database, if any."""
    db = database_proxy.obj
    if db is not None and not db.is_closed():
        db.close()

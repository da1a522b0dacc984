"""The schema: fresh databases at the latest version; old ones backed up and migrated."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import peewee
import pytest

from app.config import AppPaths
from app.errors import StoreError
from app.store.db import close_database, open_database
from app.store.migrations import LATEST_VERSION, current_version, schema_v1_sql
from app.store.models import ApiUsage, Sale, SchemaVersion
from app.timeutil import utcnow


def _sale_values(key: str) -> dict[str, object]:
    return {
        "key": key,
        "model": 65,
        "environment": 1,
        "emission_mode": 1,
        "series": 1,
        "number": 10,
        "issued_at": utcnow(),
        "store_cnpj": "12345678000195",
        "products_total": Decimal("10.00"),
        "discount": Decimal("0.10"),
        "other": Decimal("0"),
        "total": Decimal("9.90"),
        "change": Decimal("0"),
        "numero_loja": key,
    }


def test_fresh_database_is_latest_and_wal(db: peewee.SqliteDatabase) -> None:
    assert current_version(db) == LATEST_VERSION
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_money_round_trips_exactly(db: peewee.SqliteDatabase) -> None:
    Sale.create(**_sale_values("1" * 44))
    sale = Sale.get(Sale.key == "1" * 44)
    assert sale.total == Decimal("9.90")
    assert isinstance(sale.total, Decimal)
    stored = db.execute_sql("SELECT total, typeof(total) FROM sale").fetchone()
    assert stored == ("9.90", "text")
    assert sale.issued_at.tzinfo is not None


def test_migrates_from_version_1_with_backup(app_paths: AppPaths) -> None:
    raw = sqlite3.connect(app_paths.database)
    raw.executescript(schema_v1_sql())
    raw.execute(
        "INSERT INTO sale (key, model, environment, emission_mode, series, number, issued_at,"
        " issued_at_offset, store_cnpj, store_name, products_total, discount, other, total,"
        " change, authorized, contingency, own_nfe, additional_info, warnings, source_file,"
        " state, numero_loja, stock_launched, cancel_requested, cancel_done, attempts,"
        " created_at, updated_at) VALUES ('2'||substr('0000000000000000000000000000000000000000000',1,43),"
        " 65, 1, 1, 1, 5, '2026-12-01T12:00:00.000000+00:00', '-03:00', '1', '', '5.00', '0',"
        " '0', '5.00', '0', 1, 0, 0, '', '[]', '', 'enviada', 'x', 1, 0, 0, 0,"
        " '2026-12-01T12:00:00.000000+00:00', '2026-12-01T12:00:00.000000+00:00')"
    )
    raw.commit()
    raw.close()

    db = open_database(app_paths)
    try:
        assert current_version(db) == LATEST_VERSION
        assert SchemaVersion.select().count() == 1
        sale = Sale.get()
        assert sale.total == Decimal("5.00")
        assert sale.deposit_override_id is None
        ApiUsage.create(day="2026-12-04", requests=3)
        backups = list(app_paths.backups.glob("ponte-v1-*.sqlite3"))
        assert len(backups) == 1
        copy = sqlite3.connect(backups[0])
        assert copy.execute("SELECT version FROM schema_version").fetchone()[0] == 1
        copy.close()
    finally:
        close_database()


def test_newer_database_is_refused(app_paths: AppPaths) -> None:
    db = open_database(app_paths)
    SchemaVersion.update(version=LATEST_VERSION + 1).execute()
    close_database()
    with pytest.raises(StoreError, match="versão mais nova"):
        open_database(app_paths)
    close_database()
    del db


def test_garbage_database_file_is_a_clear_error_and_kept(app_paths: AppPaths) -> None:
    app_paths.database.write_bytes(b"lixo, nao e SQLite" * 100)
    with pytest.raises(StoreError, match="não é um banco de dados do Ponte") as info:
        open_database(app_paths)
    close_database()
    assert info.value.title
    assert app_paths.database.read_bytes() == b"lixo, nao e SQLite" * 100

"""Shared fixtures. Fixture modules per area live in tests/fixtures/ and are loaded here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from app.config import AppPaths
from app.store.db import close_database, open_database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.fixtures.simulator",
    "tests.fixtures.keyring",
    "tests.fixtures.bling",
]

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    override = os.environ.get("PONTE_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


SHARED_DIR = _shared_dir()
SAMPLES_DIR = SHARED_DIR / "samples" / "nfce"
OPENAPI_PATH = SHARED_DIR / "reference" / "bling-openapi.json"


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repository (read in place, never copied)."""
    assert SHARED_DIR.is_dir(), f"shared/ not found at {SHARED_DIR}"
    return SHARED_DIR


@pytest.fixture
def samples_dir() -> Path:
    """The real NFC-e samples, read in place."""
    assert SAMPLES_DIR.is_dir(), f"samples not found at {SAMPLES_DIR}"
    return SAMPLES_DIR


@pytest.fixture
def openapi_path() -> Path:
    """The official Bling OpenAPI document, read in place."""
    assert OPENAPI_PATH.is_file(), f"OpenAPI spec not found at {OPENAPI_PATH}"
    return OPENAPI_PATH


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    """A fresh data dir."""
    paths = AppPaths(tmp_path / "data")
    paths.ensure()
    return paths


@pytest.fixture
def db(app_paths: AppPaths) -> Iterator[peewee.SqliteDatabase]:
    """A fresh local store at the latest schema version, bound to the models."""
    database = open_database(app_paths)
    yield database
    close_database()

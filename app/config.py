"""Paths (platformdirs) and the defaults that the rest of the engine reads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "PonteBling"
DEFAULT_BLING_URL = "https://api.bling.com.br/Api/v3"
DATABASE_NAME = "ponte.sqlite3"


def default_data_dir() -> Path:
    """The platform's per-user data folder, or PONTE_DATA_DIR when set."""
    override = os.environ.get("PONTE_DATA_DIR")
    if override:
        return Path(override)
    return user_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class AppPaths:
    """Where one installation keeps its files."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_NAME

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def quarantine(self) -> Path:
        return self.data_dir / "quarentena"

    def ensure(self) -> None:
        """Create the folders if they do not exist."""
        for folder in (self.data_dir, self.backups, self.logs, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)

"""The log file (technical details; users read the sync log in the database)."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path


def setup_logging(log_dir: Path, *, verbose: bool = False) -> Path:
    """Send logs to log_dir/ponte.log (rotating); returns the file path.

    One data dir, one log file: when a process switches data dirs (tests, the demo), the old
    file handler is replaced instead of kept, so each installation's log stays its own.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "ponte.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, RotatingFileHandler):
            if Path(handler.baseFilename) == path.resolve():
                root.setLevel(logging.DEBUG if verbose else logging.INFO)
                return path
            root.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return path

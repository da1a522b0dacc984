"""Running `ponte-bling` in process from the command-line tests."""

from __future__ import annotations

from app.cli import main
from app.config import AppPaths


def run(paths: AppPaths, *args: str) -> int:
    """`ponte-bling --data-dir <paths> ARGS...`, in process; the exit code."""
    return main(["--data-dir", str(paths.data_dir), *args])

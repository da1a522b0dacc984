"""Shared by the command-line tests: each test's log file goes away with its data dir."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sync.test_resolver_support import drop_file_log_handlers


@pytest.fixture(autouse=True)
def _own_log_file() -> Iterator[None]:
    yield
    drop_file_log_handlers()

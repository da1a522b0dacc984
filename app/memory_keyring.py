"""An in-memory keyring backend: for the demo's throwaway simulator credentials and for tests.

Never chosen by keyring's own discovery (not viable); it must be passed explicitly.
"""

from __future__ import annotations

import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A dict-backed keyring; `max_length` mimics Windows' per-entry cap."""

    priority = 0.01
    # keyring discovers every imported KeyringBackend subclass; with a priority above the
    # "fail" backend this one would silently become the default on a machine without a
    # keyring (tokens kept in memory, lost on exit). Not viable = only used when passed in.
    viable = False

    def __init__(self, max_length: int | None = 1280) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}
        self.max_length = max_length
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.max_length is not None and len(password) > self.max_length:
            raise keyring.errors.PasswordSetError(
                f"value of {len(password)} characters exceeds {self.max_length}"
            )
        self.writes += 1
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[(service, username)]

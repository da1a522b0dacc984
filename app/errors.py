"""User-facing errors: a short Portuguese title plus a message a store manager can act on.

Every error that can reach a person derives from PonteError; technical details go to the
log file, never into the message.
"""

from __future__ import annotations


class PonteError(Exception):
    """Base error with a Portuguese title and an actionable message."""

    title: str = "Erro"

    def __init__(self, message: str, *, title: str | None = None, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        self.details = details

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"


class ConfigError(PonteError):
    """Bad settings or command-line input."""

    title = "Configuração inválida"


class StoreError(PonteError):
    """The local database could not be opened or migrated."""

    title = "Banco de dados local"


class KeyringUnavailableError(PonteError):
    """No working OS keyring backend."""

    title = "Cofre de senhas indisponível"

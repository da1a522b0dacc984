"""Typed Bling errors with a Portuguese title and message (one boundary, maestral style).

The engine decides by type: transient errors wait and retry; `BlingOutcomeUnknownError` means a
write may have reached Bling (search before re-sending); validation errors are final for that
sale; `BlingNotConnectedError` pauses everything until the user reconnects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import PonteError


@dataclass(frozen=True)
class FieldError:
    """One entry of Bling's error `fields` (or of a `collection` inside it)."""

    code: int | None
    msg: str
    element: str | None = None
    namespace: str | None = None
    index: int | None = None
    collection: tuple[FieldError, ...] = field(default_factory=tuple)


class BlingError(PonteError):
    """Anything that went wrong talking to Bling."""

    title = "Erro no Bling"


class BlingNotConnectedError(BlingError):
    """No valid authorisation: the user must (re)connect Ponte to Bling."""

    title = "Reconecte o Bling"


class BlingTransientError(BlingError):
    """Temporary: timeouts, connection errors, 5xx, rate limits. Try again later."""

    title = "Bling indisponível no momento"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class BlingUnreachableError(BlingTransientError):
    """The Bling address does not answer (wrong URL, no network, simulator down)."""

    title = "Sem conexão com o Bling"


class BlingOutcomeUnknownError(BlingTransientError):
    """A write (POST/PATCH/PUT) may or may not have been applied by Bling."""

    title = "Resposta do Bling não recebida"


class BlingRateLimitedError(BlingTransientError):
    """HTTP 429: per-second or per-day limit reached."""

    title = "Limite de requisições do Bling"

    def __init__(self, message: str, *, period: str = "second", **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.period = period


class BlingApiError(BlingError):
    """A 4xx answer other than 401/429: final for that request."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_type: str = "",
        bling_message: str = "",
        description: str = "",
        fields: tuple[FieldError, ...] = (),
        title: str | None = None,
        details: str = "",
    ) -> None:
        super().__init__(message, title=title, details=details)
        self.status = status
        self.error_type = error_type
        self.bling_message = bling_message
        self.description = description
        self.fields = fields


class BlingValidationError(BlingApiError):
    """400 VALIDATION_ERROR / MISSING_REQUIRED_FIELD_ERROR / body errors."""

    title = "O Bling recusou os dados"


class BlingNotFoundError(BlingApiError):
    """404 RESOURCE_NOT_FOUND."""

    title = "Registro não encontrado no Bling"


class BlingForbiddenError(BlingApiError):
    """403 insufficient_scope / forbidden."""

    title = "Permissão insuficiente no Bling"


class BlingProtocolError(BlingTransientError):
    """An answer that is not the JSON Bling promises (malformed body)."""

    title = "Resposta inválida do Bling"

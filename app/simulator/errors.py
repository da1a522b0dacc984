"""Bling's error bodies, raised as exceptions by the resource handlers."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

TOO_MANY_REQUESTS_MESSAGE = "Limite de requisições atingido."
_TOO_MANY_DESCRIPTION = {
    "second": "O limite de requisições por segundo foi atingido, tente novamente mais tarde.",
    "day": "O limite de requisições por dia foi atingido, tente novamente amanhã.",
}


class ApiError(Exception):
    """An error answer in Bling's shape: {"error": {type, message, description, fields}}."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        description: str = "",
        fields: list[JsonObject] | None = None,
        extra: JsonObject | None = None,
    ) -> None:
        super().__init__(f"{status} {type_}: {message}")
        self.status = status
        self.type = type_
        self.message = message
        self.description = description
        self.fields = fields
        self.extra = extra or {}

    def body(self) -> JsonObject:
        error: JsonObject = {
            "type": self.type,
            "message": self.message,
            "description": self.description,
        }
        if self.fields is not None:
            error["fields"] = self.fields
        error.update(self.extra)
        return {"error": error}


class OAuthError(Exception):
    """A token-endpoint error in the OAuth shape: {"error": code, "error_description": text}."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description

    def body(self) -> JsonObject:
        return {"error": self.code, "error_description": self.description}


def field_error(
    code: int,
    msg: str,
    element: str,
    namespace: str,
    collection: list[JsonObject] | None = None,
) -> JsonObject:
    item: JsonObject = {"code": code, "msg": msg, "element": element, "namespace": namespace}
    if collection is not None:
        item["collection"] = collection
    return item


def collection_error(index: int, code: int, msg: str, element: str, namespace: str) -> JsonObject:
    return {"index": index, "code": code, "msg": msg, "element": element, "namespace": namespace}


def not_found(what: str = "O recurso requisitado não foi encontrado.") -> ApiError:
    return ApiError(404, "RESOURCE_NOT_FOUND", "Recurso não encontrado", what)


def method_not_allowed() -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        "Método não permitido",
        "O método HTTP utilizado não é permitido para este recurso.",
    )


def validation_error(
    message: str, description: str, fields: list[JsonObject] | None = None
) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, description, fields or [])


def bad_request(description: str, fields: list[JsonObject] | None = None) -> ApiError:
    return ApiError(400, "BAD_REQUEST", "Requisição inválida", description, fields)


def too_many_requests(period: str, limit: int) -> ApiError:
    """The 429 body exactly as Bling documents it (second or day)."""
    return ApiError(
        429,
        "TOO_MANY_REQUESTS",
        TOO_MANY_REQUESTS_MESSAGE,
        _TOO_MANY_DESCRIPTION[period],
        extra={"limit": limit, "period": period},
    )


def invalid_token(expired: bool) -> ApiError:
    return ApiError(
        401,
        "invalid_token",
        "invalid_token",
        "The access token provided has expired"
        if expired
        else "The access token provided is invalid",
    )


def malformed_auth_header() -> ApiError:
    return ApiError(400, "invalid_request", "invalid_request", "Malformed auth header")

"""Request and response values shared by the service and the resource handlers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from app.simulator.errors import ApiError, bad_request, field_error


class Query:
    """Query-string access with Bling's conventions (arrays as `name[]=a&name[]=b`)."""

    def __init__(self, raw: str) -> None:
        self._values: dict[str, list[str]] = parse_qs(raw, keep_blank_values=True)

    def get(self, name: str) -> str | None:
        values = self._values.get(name)
        if not values:
            return None
        value = values[-1].strip()
        return value if value != "" else None

    def get_list(self, name: str) -> list[str]:
        """Values of `name[]` (and `name[0]`, `name[1]`… which some clients send)."""
        values = [v.strip() for v in self._values.get(f"{name}[]", []) if v.strip() != ""]
        indexed = sorted(
            (
                k
                for k in self._values
                if k.startswith(f"{name}[") and k[len(name) + 1 : -1].isdigit()
            ),
            key=lambda k: int(k[len(name) + 1 : -1]),
        )
        for key in indexed:
            values.extend(v.strip() for v in self._values[key] if v.strip() != "")
        return values

    def get_int(
        self, name: str, default: int | None = None, *, minimum: int | None = None
    ) -> int | None:
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise _bad_param(name, f"O parâmetro {name} deve ser um número inteiro.") from None
        if minimum is not None and number < minimum:
            raise _bad_param(name, f"O parâmetro {name} deve ser maior ou igual a {minimum}.")
        return number

    def get_int_list(self, name: str) -> list[int]:
        out = []
        for value in self.get_list(name):
            try:
                out.append(int(value))
            except ValueError:
                raise _bad_param(
                    f"{name}[]", f"Os valores de {name}[] devem ser números inteiros."
                ) from None
        return out

    def get_choice(
        self, name: str, choices: tuple[str, ...], default: str | None = None
    ) -> str | None:
        value = self.get(name)
        if value is None:
            return default
        if value not in choices:
            raise _bad_param(
                name, f"Valor inválido para {name}. Valores aceitos: {', '.join(choices)}."
            )
        return value

    def get_date(self, name: str) -> date | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _bad_param(
                name, f"O parâmetro {name} deve estar no formato AAAA-MM-DD."
            ) from None

    def get_datetime(self, name: str) -> datetime | None:
        """`YYYY-MM-DD HH:MM:SS` (or a bare date, taken at midnight), naive São Paulo time."""
        value = self.get(name)
        if value is None:
            return None
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                return datetime.strptime(value, fmt)
            except ValueError:
                continue
        raise _bad_param(name, f"O parâmetro {name} deve estar no formato AAAA-MM-DD HH:MM:SS.")


def _bad_param(name: str, message: str) -> ApiError:
    return bad_request(message, [field_error(0, message, name, "QUERY")])


@dataclass
class Request:
    method: str
    path: str  # path below /Api/v3, e.g. "/produtos/123"
    query: Query
    headers: Mapping[str, str]
    body: bytes = b""

    def json(self, *, decimal: bool = False, required: bool = True) -> Any:
        """The JSON body (floats as Decimal when asked); Bling's 400s when empty or malformed."""
        text = self.body.decode("utf-8", errors="replace").strip()
        if not text:
            if not required:
                return None
            raise ApiError(
                400,
                "EMPTY_REQUEST_BODY",
                "Corpo da requisição vazio",
                "A requisição precisa de um corpo JSON.",
            )
        try:
            if decimal:
                return json.loads(text, parse_float=Decimal)
            return json.loads(text)
        except ValueError:
            raise ApiError(
                400,
                "INVALID_REQUEST_BODY",
                "Corpo da requisição inválido",
                "O corpo da requisição não é um JSON válido.",
            ) from None


@dataclass
class Response:
    status: int
    body: Any = None  # JSON value; None = no body (204)
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # non-JSON body (HTML pages)
    content_type: str = "application/json"
    drop: bool = False  # close the connection without answering

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, default=_json_default).encode("utf-8")


def obj(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (tolerant body access)."""
    return value if isinstance(value, dict) else {}


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        # Bling answers JSON numbers. The stdlib encoder cannot write a Decimal's own text, and
        # float's shortest repr of a 2-decimal amount ("17.49") is that same text on the wire.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def data(value: Any, status: int = 200) -> Response:
    """Bling's success envelope."""
    return Response(status, {"data": value})


def no_content() -> Response:
    return Response(204)

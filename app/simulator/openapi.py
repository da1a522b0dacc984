"""Request bodies checked against the official Bling OpenAPI document, read in place.

The document is loaded once per process and per path; compiled validators are cached. The
official `required` lists have a few defects for writes; `SPEC_RELAXATIONS` names each one
the simulator relaxes (applied to the loaded copy in memory, never to the file).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:bling-openapi"


@dataclass(frozen=True)
class Relaxation:
    """One defect of the official schemas that the simulator does not enforce."""

    schema: str  # components/schemas name
    required: str  # the property dropped from `required`
    reason: str


SPEC_RELAXATIONS: tuple[Relaxation, ...] = (
    Relaxation(
        "VendasItemDTO",
        "valorLista",
        "exigido pelo esquema mas nunca declarado como propriedade; integrações reais não enviam",
    ),
    Relaxation(
        "VendasParcelaDTO",
        "id",
        "o id da parcela é criado pelo Bling; integrações reais não enviam ao criar o pedido",
    ),
    Relaxation(
        "ProdutosVariacaoDTO",
        "atributos",
        "exigido pelo esquema mas nunca declarado como propriedade",
    ),
)
# Not listed on purpose: VendasItemDTO also requires `id`, which is read-only; the write
# validator already ignores read-only required properties, so no relaxation is needed there.


@dataclass(frozen=True)
class SchemaProblem:
    """One validation failure, located in the body."""

    element: str  # "itens[0].valor", "" for the body itself
    message: str  # Portuguese
    missing: bool  # a required property is absent


class SpecError(Exception):
    """The OpenAPI document could not be read or is not the Bling spec."""


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _format_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_REQUIRED_RE = re.compile(r"^'(.+)' is a required property$")


def _problem(error: Any) -> SchemaProblem:
    path = list(error.absolute_path)
    keyword = error.validator
    match = _REQUIRED_RE.match(error.message)
    if keyword == "required" and match:
        return SchemaProblem(
            _format_path([*path, match.group(1)]), "Campo obrigatório não informado.", True
        )
    element = _format_path(path)
    if keyword == "type":
        text = f"Tipo inválido: esperado {error.validator_value}."
    elif keyword == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        text = f"Valor não permitido. Valores aceitos: {allowed}."
    elif keyword == "format":
        text = f"Formato inválido: esperado {error.validator_value}."
    elif keyword == "readOnly":
        text = "Campo somente leitura: não pode ser enviado."
    elif keyword == "maxLength":
        text = f"Texto maior que o permitido ({error.validator_value} caracteres)."
    else:
        text = f"Valor inválido ({error.message})."
    return SchemaProblem(element, text, False)


class OpenApiSpec:
    """The Bling OpenAPI document with a registry and cached validators."""

    def __init__(self, path: Path, *, relaxed: bool = True) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SpecError(
                f"Não foi possível ler o arquivo OpenAPI {path}: {exc.strerror}."
            ) from exc
        except ValueError as exc:
            raise SpecError(f"O arquivo {path} não é um JSON válido.") from exc
        if (
            not isinstance(document, dict)
            or "paths" not in document
            or "components" not in document
        ):
            raise SpecError(f"O arquivo {path} não parece ser o OpenAPI do Bling.")
        if relaxed:
            _apply_relaxations(document)
        self.document: dict[str, Any] = document
        self.relaxed = relaxed
        resource = Resource.from_contents(document, default_specification=DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()

    def has_request_body(self, template: str, method: str) -> bool:
        op = self.document["paths"].get(template, {}).get(method.lower(), {})
        return "requestBody" in op

    def request_problems(self, template: str, method: str, body: Any) -> list[SchemaProblem]:
        """Problems of a request body against the operation's schema (write mode)."""
        pointer = _pointer(
            "",
            "paths",
            template,
            method.lower(),
            "requestBody",
            "content",
            "application/json",
            "schema",
        )
        validator = self._validator(("write", pointer))
        return _problems(validator, body)

    def response_problems(
        self, template: str, method: str, status: int, body: Any
    ) -> list[SchemaProblem]:
        """Problems of a response body against the operation's response schema (read mode)."""
        pointer = _pointer(
            "",
            "paths",
            template,
            method.lower(),
            "responses",
            str(status),
            "content",
            "application/json",
            "schema",
        )
        return _problems(self._validator(("read", pointer)), body)

    def schema_problems(
        self, schema_name: str, instance: Any, *, write: bool = False
    ) -> list[SchemaProblem]:
        """Problems of an instance against a components/schemas entry."""
        pointer = _pointer("", "components", "schemas", schema_name)
        return _problems(self._validator(("write" if write else "read", pointer)), instance)

    def _validator(self, key: tuple[str, str]) -> Any:
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                mode, pointer = key
                cls = OAS30WriteValidator if mode == "write" else OAS30ReadValidator
                validator = cls(
                    {"$ref": f"{SPEC_URI}#{pointer}"},
                    registry=self._registry,
                    format_checker=oas30_format_checker,
                )
                self._validators[key] = validator
            return validator


def _problems(validator: Any, instance: Any) -> list[SchemaProblem]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [_problem(e) for e in errors]


def _apply_relaxations(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for relaxation in SPEC_RELAXATIONS:
        schema = schemas.get(relaxation.schema)
        if schema is None:
            continue
        required = schema.get("required")
        if isinstance(required, list) and relaxation.required in required:
            schema["required"] = [r for r in required if r != relaxation.required]


@lru_cache(maxsize=4)
def _load(path: str, relaxed: bool) -> OpenApiSpec:
    return OpenApiSpec(Path(path), relaxed=relaxed)


def load_spec(path: Path, *, relaxed: bool = True) -> OpenApiSpec:
    """The spec at `path`, loaded once per process (SpecError when unreadable)."""
    return _load(str(Path(path).resolve()), relaxed)

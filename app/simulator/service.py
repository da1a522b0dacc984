"""One request through the simulated Bling: IP rules, OAuth, auth, budget, faults, handler."""

from __future__ import annotations

import base64
import binascii
import logging
import random
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from app.simulator.config import SimulatorConfig
from app.simulator.context import Ctx
from app.simulator.errors import (
    ApiError,
    OAuthError,
    invalid_token,
    malformed_auth_header,
    method_not_allowed,
    not_found,
    too_many_requests,
)
from app.simulator.guard import RequestGuard
from app.simulator.http import Query, Request, Response
from app.simulator.oauth import TokenAuthority
from app.simulator.openapi import OpenApiSpec, SchemaProblem
from app.simulator.pages import consent_page, error_page
from app.simulator.router import Route, match
from app.simulator.state import SimulatorState

log = logging.getLogger(__name__)

API_PREFIX = "/Api/v3"
_NAMESPACES = {
    "/produtos": "PRODUTOS",
    "/contatos": "CONTATOS",
    "/pedidos": "VENDAS",
    "/estoques": "ESTOQUES",
}


class SimulatorService:
    """The simulator without the socket: turns a request into a Response."""

    def __init__(
        self, config: SimulatorConfig, state: SimulatorState, spec: OpenApiSpec | None
    ) -> None:
        self.config = config
        self.state = state
        self.spec = spec
        self.tokens = TokenAuthority(config, state.clock)
        self.guard = RequestGuard(config, state)
        self.rng = random.Random(config.random_seed)
        self.ctx = Ctx(state, config, self.rng)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Response:
        parts = urlsplit(target)
        request = Request(method.upper(), parts.path, Query(parts.query), headers, body)
        with self.state.lock:
            self.state.counters.requests_total += 1
            now = self.state.clock.monotonic()
            try:
                self.guard.check_ip(now)
                response = self._dispatch(request, now)
            except ApiError as exc:
                if exc.status == 403 and exc.type == "FORBIDDEN":
                    self.state.counters.ip_blocked_answers += 1
                response = Response(exc.status, exc.body())
            except OAuthError as exc:
                response = Response(exc.status, exc.body())
            except Exception:
                log.exception("simulator failure on %s %s", method, target)
                response = Response(
                    500,
                    ApiError(
                        500, "SERVER_ERROR", "Erro interno", "Falha inesperada no simulador."
                    ).body(),
                )
            if response.status == 429:
                self.state.counters.too_many_requests += 1
            elif response.status == 401:
                self.state.counters.unauthorized += 1
            if response.status >= 400:
                self.guard.count_error(now)
        return response

    # dispatch
    def _dispatch(self, request: Request, now: float) -> Response:
        if not request.path.startswith(API_PREFIX + "/"):
            raise not_found()
        path = request.path[len(API_PREFIX) :].rstrip("/") or "/"
        if path == "/oauth/authorize":
            return self._authorize(request)
        if path == "/oauth/token":
            if request.method != "POST":
                raise method_not_allowed()
            self.guard.count_token_call(now)
            return self._token(request)
        if path == "/oauth/revoke":
            if request.method != "POST":
                raise method_not_allowed()
            self._client_credentials(request)
            token = self._form(request).get("token", [""])[0]
            self.tokens.revoke_token(token)
            return Response(200, {})
        return self._api(request, path, now)

    def _api(self, request: Request, path: str, now: float) -> Response:
        token = self._authenticate(request)
        self.guard.admit(now, self.state.clock.now().date())
        self.tokens.record_use(token)
        self.state.counters.api_requests += 1
        faults = self.config.faults
        if faults.burst429 and self.rng.random() < faults.burst429:
            raise too_many_requests("second", self.config.requests_per_second or 3)
        if faults.error5xx and self.rng.random() < faults.error5xx:
            self.state.counters.errors_5xx_injected += 1
            status = self.rng.choice((500, 503))
            raise ApiError(
                status,
                "SERVER_ERROR",
                "Erro interno do servidor" if status == 500 else "Serviço indisponível",
                "Ocorreu um erro inesperado; tente novamente mais tarde.",
            )
        route, params = match(request.method, path)
        self._validate_body(route, request)
        response = route.handler(self.ctx, request, params)
        if (
            route.is_write
            and response.status < 300
            and faults.drop_after_commit
            and self.rng.random() < faults.drop_after_commit
        ):
            self.state.counters.dropped_connections += 1
            response.drop = True
        return response

    def _authenticate(self, request: Request) -> str:
        header = request.headers.get("Authorization") or ""
        if not header:
            raise invalid_token(expired=False)
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise malformed_auth_header()
        self.tokens.check_access(token.strip())
        return token.strip()

    def _validate_body(self, route: Route, request: Request) -> None:
        spec = self.spec
        if spec is None or not spec.has_request_body(route.template, route.method):
            return
        body = request.json()
        problems = spec.request_problems(route.template, route.method, body)
        if problems:
            raise _schema_error(problems, _namespace(route.template))

    # oauth
    def _authorize(self, request: Request) -> Response:
        if request.method == "GET":
            params = {
                k: request.query.get(k) or "" for k in ("response_type", "client_id", "state")
            }
            decision = "autorizar" if self.config.auto_approve else None
        elif request.method == "POST":
            form = self._form(request)
            params = {k: form.get(k, [""])[0] for k in ("client_id", "state")}
            params["response_type"] = "code"
            decision = form.get("decisao", [""])[0]
        else:
            raise method_not_allowed()
        if params["client_id"] != self.config.client_id:
            return Response(
                400,
                raw=error_page("Aplicativo desconhecido (client_id inválido)."),
                content_type="text/html; charset=utf-8",
            )
        if params["response_type"] != "code":
            return Response(
                400,
                raw=error_page("response_type deve ser 'code'."),
                content_type="text/html; charset=utf-8",
            )
        state = params["state"]
        if decision is None:
            return Response(
                200,
                raw=consent_page(params["client_id"], state, API_PREFIX + "/oauth/authorize"),
                content_type="text/html; charset=utf-8",
            )
        if decision == "autorizar":
            query = {"code": self.tokens.new_code()}
        else:
            query = {"error": "access_denied", "error_description": "O usuário negou o acesso."}
        if state:
            query["state"] = state
        return Response(
            302,
            headers={"Location": _with_query(self.config.redirect_uri, query)},
            raw=b"",
            content_type="text/plain",
        )

    def _token(self, request: Request) -> Response:
        form = self._form(request)
        if "client_id" in form or "client_secret" in form:
            raise OAuthError(
                400,
                "invalid_request",
                "Client credentials must be sent only in the Authorization header (Basic).",
            )
        self._client_credentials(request)
        jwt = (request.headers.get("enable-jwt") or "").strip() == "1"
        grant = form.get("grant_type", [""])[0]
        if grant == "authorization_code":
            code = form.get("code", [""])[0]
            if not code:
                raise OAuthError(400, "invalid_request", "Missing parameter: code")
            return Response(200, self.tokens.exchange_code(code, jwt=jwt))
        if grant == "refresh_token":
            refresh = form.get("refresh_token", [""])[0]
            if not refresh:
                raise OAuthError(400, "invalid_request", "Missing parameter: refresh_token")
            return Response(200, self.tokens.refresh(refresh, jwt=jwt))
        raise OAuthError(400, "unsupported_grant_type", f"Grant type '{grant}' not supported")

    def _client_credentials(self, request: Request) -> None:
        header = (request.headers.get("Authorization") or "").strip()
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise OAuthError(
                401,
                "invalid_client",
                "Client credentials must be sent with HTTP Basic authentication",
            )
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(
                400, "invalid_request", "Malformed Basic authorization header"
            ) from None
        client_id, _, secret = decoded.partition(":")
        if client_id != self.config.client_id or secret != self.config.client_secret:
            raise OAuthError(401, "invalid_client", "Client authentication failed")

    @staticmethod
    def _form(request: Request) -> dict[str, list[str]]:
        return parse_qs(request.body.decode("utf-8", errors="replace"), keep_blank_values=True)


def _namespace(template: str) -> str:
    for prefix, namespace in _NAMESPACES.items():
        if template.startswith(prefix):
            return namespace
    return "API"


def _schema_error(problems: list[SchemaProblem], namespace: str) -> ApiError:
    fields: list[dict[str, Any]] = [
        {"code": 0, "msg": p.message, "element": p.element, "namespace": namespace}
        for p in problems
    ]
    if all(p.missing for p in problems):
        return ApiError(
            400,
            "MISSING_REQUIRED_FIELD_ERROR",
            "Campos obrigatórios não informados",
            "Um ou mais campos obrigatórios não foram informados.",
            fields,
        )
    return ApiError(
        400,
        "VALIDATION_ERROR",
        "Dados inválidos",
        "Os dados enviados não seguem o formato esperado pela API.",
        fields,
    )


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

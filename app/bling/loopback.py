"""The loopback callback of the OAuth2 login: a one-shot HTTP server on 127.0.0.1.

Bling redirects the browser to the redirect URI registered on the app with `code` and `state`
(or `error`). The server answers one plain Portuguese page, checks `state`, and stops.
"""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.bling.errors import BlingNotConnectedError
from app.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
ALLOWED_HOSTS = ("127.0.0.1",)


class LoginFailedError(BlingNotConnectedError):
    """The browser step of the login did not end in an authorization code."""

    title = "Conexão com o Bling não concluída"


@dataclass(frozen=True)
class RedirectTarget:
    host: str
    port: int
    path: str


def parse_redirect_uri(uri: str) -> RedirectTarget:
    """Validate the redirect URI: http on 127.0.0.1 with an explicit port."""
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in ALLOWED_HOSTS:
        raise ConfigError(
            f"O endereço de retorno {uri!r} não é aceito: o Ponte só recebe a autorização em "
            "http://127.0.0.1:PORTA/caminho, neste computador. Cadastre esse endereço no "
            "aplicativo do Bling e use --redirect-uri."
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if not port:
        raise ConfigError(
            f"O endereço de retorno {uri!r} precisa de uma porta, por exemplo "
            f"{DEFAULT_REDIRECT_URI}."
        )
    return RedirectTarget(host=parts.hostname or "127.0.0.1", port=port, path=parts.path or "/")


_PAGE = """<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;color:#222}}</style>
</head><body><h1>{title}</h1><p>{message}</p></body></html>"""


@dataclass
class _Outcome:
    code: str | None = None
    error: LoginFailedError | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.target.path:
            self._page(404, "Página não encontrada", "Este endereço não é o retorno do Bling.")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        outcome = self.server.judge(query)
        if outcome.code:
            self._page(
                200,
                "Ponte conectado ao Bling",
                "A autorização foi recebida. Pode fechar esta janela e voltar ao Ponte.",
            )
        else:
            assert outcome.error is not None
            self._page(400, "Conexão não concluída", outcome.error.message)
        self.server.finish(outcome)

    def _page(self, status: int, title: str, message: str) -> None:
        body = _PAGE.format(title=html.escape(title), message=html.escape(message)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The query string holds the authorization code: never log it.
        log.debug("callback server: %s", self.command)


class _CallbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target: RedirectTarget, state: str) -> None:
        self.target = target
        self.expected_state = state
        self.outcome: _Outcome | None = None
        self.done = threading.Event()
        super().__init__((target.host, target.port), _Handler)

    def judge(self, query: dict[str, str]) -> _Outcome:
        if query.get("state") != self.expected_state:
            return _Outcome(
                error=LoginFailedError(
                    "A resposta do Bling não corresponde a este pedido de conexão (state "
                    "diferente). Por segurança ela foi recusada; conecte de novo.",
                    details="state mismatch",
                )
            )
        if "error" in query:
            reason = query.get("error", "")
            if reason == "access_denied":
                text = "A autorização foi negada no Bling. Para conectar, aprove o acesso do Ponte."
            else:
                text = (
                    "O Bling não autorizou a conexão "
                    f"({reason}: {query.get('error_description', '')}). Conecte de novo."
                )
            return _Outcome(error=LoginFailedError(text, details=f"oauth error {reason}"))
        code = query.get("code", "")
        if not code:
            return _Outcome(
                error=LoginFailedError(
                    "O Bling voltou sem o código de autorização. Conecte de novo.",
                    details="no code",
                )
            )
        return _Outcome(code=code)

    def finish(self, outcome: _Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
            self.done.set()


class CallbackReceiver:
    """Listen on the redirect URI until one callback arrives (or the timeout passes)."""

    def __init__(self, redirect_uri: str, state: str) -> None:
        self.target = parse_redirect_uri(redirect_uri)
        try:
            self._server = _CallbackServer(self.target, state)
        except OSError as exc:
            raise ConfigError(
                f"Não foi possível escutar em {redirect_uri}: a porta {self.target.port} está em "
                "uso por outro programa. Feche-o ou cadastre outro endereço de retorno no "
                "aplicativo do Bling e use --redirect-uri.",
                details=repr(exc),
            ) from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="oauth-callback",
            daemon=True,
        )
        self._thread.start()

    def wait(self, timeout: float) -> str:
        """The authorization code; LoginFailedError on error, state mismatch or timeout."""
        try:
            if not self._server.done.wait(timeout):
                raise LoginFailedError(
                    f"O Bling não devolveu a autorização em {timeout:.0f} segundos. Abra o "
                    "endereço de autorização no navegador, aprove o acesso e tente de novo.",
                    details="callback timeout",
                )
            outcome = self._server.outcome
            assert outcome is not None
            if outcome.error is not None:
                raise outcome.error
            assert outcome.code is not None
            return outcome.code
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

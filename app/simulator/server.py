"""The loopback HTTP server around SimulatorService, run in a background thread."""

from __future__ import annotations

import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from app.simulator.config import Faults, SimulatorConfig
from app.simulator.openapi import load_spec
from app.simulator.seed import load_seed
from app.simulator.service import API_PREFIX, SimulatorService
from app.simulator.state import SimulatorState

log = logging.getLogger(__name__)
MAX_BODY = 10 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    service: SimulatorService

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        # Keep-alive connections outlive serve_forever(): without tracking them a "stopped"
        # simulator would go on answering clients that already hold a pooled connection.
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._stopping = False

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            if self._stopping:
                self.shutdown_request(request)
                return
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up every open client connection (their handler threads then end)."""
        with self._connections_lock:
            self._stopping = True
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                log.debug("connection already closed")

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self._stopping:
            log.debug("connection from %s cut by stop()", client_address)
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave in two writes: avoid the 40 ms stall
    server: _Server
    server_version = "BlingSimulador/1.0"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length > 0 else b""
        service = self.server.service
        response = service.handle(self.command, self.path, self.headers, body)  # type: ignore[arg-type]
        latency = service.config.faults.latency
        if latency > 0:
            time.sleep(latency)
        if response.drop:
            # The write is committed; the client never hears back.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                log.debug("connection already closed")
            return
        payload = response.encode()
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class RunningSimulator:
    """A simulator serving on loopback; stop() (or leaving the `with` block) shuts it down."""

    def __init__(self, config: SimulatorConfig, service: SimulatorService, server: _Server) -> None:
        self.config = config
        self.service = service
        self.state: SimulatorState = service.state
        self._server = server
        self.port = int(server.server_address[1])
        self.base_url = f"http://{config.host}:{self.port}{API_PREFIX}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"bling-sim-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def clock(self) -> Any:
        """The simulator's clock (tests call `sim.clock.advance(seconds)`)."""
        return self.state.clock

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/oauth/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth/token"

    def issue_tokens(self, *, jwt: bool = True) -> dict[str, Any]:
        """Mint a token pair like oauth/token would (not counted as a token call)."""
        return self.service.tokens.issue(jwt=jwt)

    def expire_access_tokens(self) -> None:
        """Make every access token expire now (refresh tokens keep working)."""
        self.service.tokens.expire_access_tokens()

    def revoke_all_tokens(self) -> None:
        """Revoke the user's authorisation (every access and refresh token)."""
        self.service.tokens.revoke_all()

    def set_faults(self, faults: Faults) -> None:
        """Change the injected faults while running."""
        with self.state.lock:
            self.config.faults = faults

    def stop(self) -> None:
        """Stop accepting, hang up open keep-alive connections, and wait for the threads."""
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def build_service(config: SimulatorConfig) -> SimulatorService:
    """The service with its seeded state (raises SpecError / ValueError on bad settings)."""
    spec = load_spec(config.openapi_path) if config.openapi_path is not None else None
    state = SimulatorState()
    load_seed(
        state, config.seed, extra_products=config.extra_products, initial_stock=config.initial_stock
    )
    return SimulatorService(config, state, spec)


def start_simulator(config: SimulatorConfig) -> RunningSimulator:
    """Serve the simulator on config.host:config.port (0 = a free port) in a daemon thread."""
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("O simulador só atende em 127.0.0.1 (loopback).")
    service = build_service(config)
    server = _Server((config.host, config.port), _Handler)
    server.service = service
    return RunningSimulator(config, service, server)

"""`ponte-bling status`: connection, token expiry, today's requests, sales by state, last syncs.

Reads only the keyring and the local store: it never calls the network.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.bling.throttle import DAILY_LIMIT, sao_paulo_today
from app.bling.usage import requests_on
from app.commands.context import CliContext
from app.credentials import CredentialStore
from app.errors import KeyringUnavailableError
from app.store.models import SyncState
from app.sync.catalog import KIND_LABELS, KIND_PRODUCTS
from app.sync.engine import sales_by_state
from app.sync.transitions import STATE_LABELS
from app.timeutil import format_br_datetime, utcnow

CONNECTION_LABELS = {
    "connected": "conectado",
    "not_connected": "não conectado (use 'ponte-bling login')",
    "reconnect_required": "reconexão necessária (use 'ponte-bling login')",
    "keyring_unavailable": "desconhecida: cofre de senhas indisponível",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="situação: conexão, limites, vendas por estado, última sincronização",
        description="Mostra a situação do Ponte sem acessar a internet.",
    )
    parser.add_argument("--json", action="store_true", help="saída em JSON")
    parser.set_defaults(func=handle)


@dataclass
class StatusReport:
    bling_url: str
    connection: str
    connection_detail: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    requests_today: int
    daily_limit: int
    sales: dict[str, int]
    sync: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "bling_url": self.bling_url,
            "connection": self.connection,
            "connection_detail": self.connection_detail,
            "access_token_expires_at": _iso(self.access_expires_at),
            "refresh_token_expires_at": _iso(self.refresh_expires_at),
            "requests_today": self.requests_today,
            "daily_limit": self.daily_limit,
            "sales": self.sales,
            "sync": self.sync,
        }


def collect(ctx: CliContext, credentials: CredentialStore | None = None) -> StatusReport:
    """Everything `status` shows, from the keyring and the local store only."""
    store = credentials or CredentialStore.for_url(ctx.bling_url)
    connection, detail, access, refresh = _connection(store)
    ctx.db()
    counts = sales_by_state()
    sync: dict[str, dict[str, Any]] = {}
    for state in SyncState.select().order_by(SyncState.kind):
        try:
            details = json.loads(state.details or "{}")
        except ValueError:
            details = {}
        sync[state.kind] = {
            "last_success_at": _iso(state.last_success_at),
            "last_attempt_at": _iso(state.last_attempt_at),
            "count": state.count,
            "last_error": state.last_error,
            "details": details,
        }
    return StatusReport(
        bling_url=ctx.bling_url,
        connection=connection,
        connection_detail=detail,
        access_expires_at=access,
        refresh_expires_at=refresh,
        requests_today=requests_on(sao_paulo_today()),
        daily_limit=DAILY_LIMIT,
        sales=counts,
        sync=sync,
    )


def _connection(
    store: CredentialStore,
) -> tuple[str, str | None, datetime | None, datetime | None]:
    try:
        status = store.token_status()
    except KeyringUnavailableError as exc:
        return "keyring_unavailable", exc.message, None, None
    if not status.has_tokens:
        return "not_connected", None, None, None
    if status.reconnect_reason:
        return (
            "reconnect_required",
            status.reconnect_reason,
            status.access_expires_at,
            status.refresh_expires_at,
        )
    if status.refresh_expires_at is not None and status.refresh_expires_at <= utcnow():
        return (
            "reconnect_required",
            "refresh token expired",
            status.access_expires_at,
            status.refresh_expires_at,
        )
    return "connected", None, status.access_expires_at, status.refresh_expires_at


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _when(moment: datetime | None) -> str:
    return format_br_datetime(moment) if moment is not None else "—"


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} itens"


def _product_breakdown(details: dict[str, Any]) -> str:
    """Bling counts each variation as a product; show parents, variations and simple apart."""
    return (
        f" (ativos: {details.get('parents', 0)} com variações, "
        f"{details.get('variations', 0)} variações, {details.get('simple', 0)} simples)"
    )


def render(report: StatusReport) -> str:
    """The Portuguese text of `status`."""
    lines = [f"Bling: {report.bling_url}"]
    lines.append(f"Conexão: {CONNECTION_LABELS.get(report.connection, report.connection)}")
    if report.connection == "keyring_unavailable" and report.connection_detail:
        lines.append(f"  {report.connection_detail}")
    if report.access_expires_at or report.refresh_expires_at:
        lines.append(f"  Token de acesso vale até: {_when(report.access_expires_at)}")
        lines.append(f"  Autorização (refresh) vale até: {_when(report.refresh_expires_at)}")
    used = report.requests_today
    percent = used * 100 / report.daily_limit if report.daily_limit else 0
    lines.append(
        f"Requisições hoje: {used:,} de {report.daily_limit:,}".replace(",", ".")
        + f" ({percent:.1f}%)".replace(".", ",")
    )
    lines.append("Vendas por estado:")
    width = max(len(label) for label in STATE_LABELS.values())
    for state, count in report.sales.items():
        label = STATE_LABELS.get(state, state)
        lines.append(f"  {label:<{width}}  {count}")
    lines.append("Última sincronização:")
    if not report.sync:
        lines.append("  nenhuma ainda")
    for kind, info in report.sync.items():
        success = info["last_success_at"]
        when = format_br_datetime(datetime.fromisoformat(success)) if success else "nunca"
        line = f"  {KIND_LABELS.get(kind, kind)}: {when}, {_items(info['count'])}"
        if kind == KIND_PRODUCTS and info["details"]:
            line += _product_breakdown(info["details"])
        if info["last_error"]:
            line += f" — último erro: {info['last_error']}"
        lines.append(line)
    return "\n".join(lines)


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    report = collect(ctx)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render(report))
    return 0

"""Words and formats the desktop app shows (Brazilian Portuguese)."""

from __future__ import annotations

from datetime import datetime

from app.timeutil import format_br_datetime, to_sao_paulo

LEVEL_LABELS = {"info": "Informação", "warning": "Aviso", "error": "Erro"}

CATEGORY_LABELS = {
    "intake": "Leitura das notas",
    "sale": "Venda",
    "catalog": "Catálogo",
    "auth": "Conexão",
    "engine": "Sincronização",
    "config": "Configuração",
}


def when(moment: datetime | None, *, empty: str = "—") -> str:
    """dd/mm/aaaa hh:mm in São Paulo time, or `empty`."""
    return format_br_datetime(moment) if moment is not None else empty


def when_seconds(moment: datetime | None) -> str:
    """dd/mm/aaaa hh:mm:ss in São Paulo time (the log wants the seconds)."""
    if moment is None:
        return "—"
    return to_sao_paulo(moment).strftime("%d/%m/%Y %H:%M:%S")


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"

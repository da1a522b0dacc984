"""`ponte-bling sync [--once]`: the sync engine without a display.

Exit codes: 0 the cycle ran (sales Bling refused are in `erro`, listed in the summary);
3 Bling is not connected (run `ponte-bling login`); 4 Bling could not be reached;
5 Bling's request limit was reached; 6 another Ponte process is syncing the same data dir;
1 any other Bling failure that stopped the cycle.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from tqdm import tqdm

from app.commands.context import CliContext
from app.sync.engine import (
    BUSY,
    NOT_CONNECTED,
    RATE_LIMITED,
    UNREACHABLE,
    CycleSummary,
    SyncEngine,
)
from app.sync.progress import ProgressEvent, Stage
from app.sync.transitions import STATE_LABELS

EXIT_CODES = {NOT_CONNECTED: 3, UNREACHABLE: 4, RATE_LIMITED: 5, BUSY: 6}

STAGE_LABELS = {
    Stage.INTAKE: "Notas do PDV",
    Stage.CATALOG: "Catálogo",
    Stage.RESOLVE: "Conferência",
    Stage.SEND: "Envio",
    Stage.CANCEL: "Cancelamentos",
    Stage.MOVE: "Depósitos",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="sincroniza com o Bling sem abrir a janela (lê notas, atualiza o catálogo, envia)",
        description=(
            "Roda o mesmo motor do aplicativo, sem janela: lê as notas das pastas do PDV, "
            "atualiza o catálogo do Bling quando preciso, confere produtos, pagamentos e lojas e "
            "envia as vendas prontas. Sem --once, repete no intervalo configurado "
            "(sync-interval) até Ctrl+C."
        ),
    )
    parser.add_argument("--once", action="store_true", help="roda um ciclo só e sai")
    parser.set_defaults(func=handle)


class ProgressBar:
    """One tqdm bar per stage, on stderr (hidden when stderr is not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: tqdm[Any] | None = None
        self.stage: Stage | None = None

    def __call__(self, event: ProgressEvent) -> None:
        label = STAGE_LABELS.get(event.stage)
        if label is None:
            self.close()
            return
        if event.stage != self.stage or self.bar is None:
            self.close()
            self.stage = event.stage
            self.bar = tqdm(
                total=event.total or None,
                desc=label,
                unit="venda" if event.stage in (Stage.SEND, Stage.CANCEL, Stage.MOVE) else "it",
                file=self.stream,
                disable=None,
                leave=False,
            )
        if event.total and self.bar.total != event.total:
            self.bar.total = event.total
        self.bar.n = event.done
        self.bar.set_postfix_str(event.message[:40], refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = None
        self.stage = None


def format_summary(summary: CycleSummary) -> str:
    """The end-of-cycle summary, in Portuguese."""
    seconds = 0.0
    if summary.finished_at is not None:
        seconds = (summary.finished_at - summary.started_at).total_seconds()
    out = summary.outbox
    lines = [
        f"Ciclo {'concluído' if summary.ok else 'interrompido'} em "
        + f"{seconds:.1f} s".replace(".", ",")
        + f", {summary.new_sales} venda(s) nova(s) lida(s) do PDV"
        + (", catálogo atualizado" if summary.catalog_refreshed else "")
        + ".",
        f"Neste ciclo: {out.sent} enviada(s), {out.created} pedido(s) criado(s), "
        f"{out.adopted} pedido(s) já existente(s) adotado(s), {out.cancelled} cancelada(s), "
        f"{out.moved} mudança(s) de depósito, {out.deferred} adiada(s), {out.failed} com erro, "
        f"{summary.ready} liberada(s) para envio, {summary.held} retida(s).",
    ]
    if out.stopped_reason:
        lines.append(out.stopped_reason)
    lines.append("Vendas por situação:")
    width = max(len(label) for label in STATE_LABELS.values())
    for state, count in summary.states.items():
        lines.append(f"  {STATE_LABELS.get(state, state):<{width}}  {count:>6}")
    for state in ("retida", "erro"):
        if summary.states.get(state):
            lines.append(
                f"Veja o motivo das vendas em '{state}' com: ponte-bling sales list --state {state}"
            )
    return "\n".join(lines)


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    from app.bling.connect import open_api

    bar = ProgressBar(sys.stderr)
    engine = SyncEngine(
        lambda: open_api(ctx.bling_url, data_dir=ctx.paths.data_dir),
        paths=ctx.paths,
        on_progress=bar,
    )
    while True:
        summary = engine.run_cycle()
        bar.close()
        print(format_summary(summary))
        if not summary.ok:
            print(f"Não foi possível sincronizar: {summary.error}", file=sys.stderr)
            if summary.error_kind == NOT_CONNECTED or args.once:
                return EXIT_CODES.get(summary.error_kind or "", 1)
        if args.once:
            return 0
        interval = engine.interval()
        print(f"Próximo ciclo em {interval:.0f} s (Ctrl+C para parar).", flush=True)
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            print("Sincronização parada.")
            return 0

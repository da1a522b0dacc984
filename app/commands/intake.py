"""`ponte-bling import PATH... [--json]` and `ponte-bling intake [--watch]`.

`import` takes in a folder, a ZIP (the accountant's monthly batch) or single XML files, with a
progress bar. `intake` scans the configured `xml-folders` once, or keeps watching them until
Ctrl+C. Both print a summary by result in Portuguese (or JSON for scripts).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.commands.context import CliContext
from app.errors import ConfigError
from app.sources.batch_import import import_paths
from app.sources.intake import Intake, IntakeSummary, Progress
from app.sources.watcher import FolderWatcher
from app.store.settings import XML_FOLDERS, get_setting


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="importa XML de uma pasta ou de um ZIP (lote da contabilidade)",
        description=(
            "Importa as notas (NFC-e) de uma pasta, de um arquivo ZIP ou de arquivos XML "
            "avulsos. Notas já lidas não são repetidas; cancelamentos são aplicados."
        ),
    )
    parser.add_argument(
        "sources", nargs="+", type=Path, metavar="CAMINHO", help="pasta, ZIP ou XML"
    )
    parser.add_argument("--json", action="store_true", help="resumo em JSON (para scripts)")
    parser.set_defaults(func=handle_import)

    parser = subparsers.add_parser(
        "intake",
        help="lê as pastas de XML configuradas (uma vez ou vigiando)",
        description=(
            "Lê as pastas configuradas com `ponte-bling config set xml-folders PASTA...`. "
            "Com --watch, continua vigiando e lê cada nota nova em segundos (Ctrl+C para sair)."
        ),
    )
    parser.add_argument("--watch", action="store_true", help="continuar vigiando as pastas")
    parser.add_argument("--json", action="store_true", help="resumo em JSON (para scripts)")
    parser.set_defaults(func=handle_intake)


def summary_json(summary: IntakeSummary) -> dict[str, Any]:
    return {
        "summary": summary.counts(),
        "missing_folders": summary.missing_folders,
        "files": [
            {
                "file": d.source,
                "result": str(d.outcome),
                "key": d.key,
                "reason": d.reason,
                "message": d.message,
            }
            for d in summary.decisions
        ],
    }


def _print_summary(summary: IntakeSummary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary_json(summary), ensure_ascii=False))
        return
    for line in summary.lines():
        print(line)


class _Bar:
    """A tqdm bar fed by intake's (done, total) progress callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, unit="arq", desc="Lendo XML", file=sys.stderr)
        elif self.bar.total != total:
            self.bar.reset(total=total)
            self.done = 0
        self.bar.update(done - self.done)
        self.done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            self.done = 0


def handle_import(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    bar = _Bar(enabled=not args.json and sys.stderr.isatty())
    progress: Progress = bar
    try:
        summary = import_paths(ctx.paths, list(args.sources), progress)
    finally:
        bar.close()
    _print_summary(summary, args.json)
    return 0


def handle_intake(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    folders = [Path(f) for f in get_setting(XML_FOLDERS, []) or []]
    if not folders:
        raise ConfigError(
            "Nenhuma pasta de XML configurada. Use `ponte-bling config set xml-folders PASTA` "
            "com a pasta onde o PDV grava os XML das NFC-e."
        )
    intake = Intake(ctx.paths, folders)
    bar = _Bar(enabled=not args.json and sys.stderr.isatty())
    summary = intake.scan_once(bar)
    bar.close()
    _print_summary(summary, args.json)
    for folder in summary.missing_folders:
        print(
            f"Aviso: a pasta {folder} não foi encontrada (confira o caminho ou a unidade de rede).",
            file=sys.stderr,
        )
    if not args.watch:
        return 0
    print("Vigiando as pastas; Ctrl+C para sair.", file=sys.stderr)
    lock = threading.Lock()

    def report(found: IntakeSummary) -> None:
        with lock:
            _print_summary(found, args.json)
            sys.stdout.flush()

    watcher = FolderWatcher(intake, on_summary=report)
    watcher.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    print("Vigilância encerrada.", file=sys.stderr)
    return 0

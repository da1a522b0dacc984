"""Intake benchmark: synthetic NFC-e files taken in from a folder, against nfelib parsing them.

    .venv/bin/python benchmarks/bench_intake.py [--count 10000] [--seed 1]

Generates `--count` sales (plus their cancellations and authorised contingency copies) into a
temporary folder, takes them in through the real intake (`Intake.scan_once`: stat, read,
classify, write sales/items/payments/events in a fresh store), and prints files per second.
Then parses the SAME files with nfelib (the official-XSD bindings; parse time only, file read
included as in intake) and prints the ratio. Targets: >= 1,000 files/s and >= 5x nfelib.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe
from nfelib.nfe.bindings.v4_0.proc_nfe_v4_00 import NfeProc
from nfelib.nfe_evento_cancel.bindings.v1_0.proc_evento_canc_nfe_v1_00 import ProcEventoNfe
from xsdata.formats.dataclass.parsers import XmlParser

from app.config import AppPaths
from app.sources.generator import default_catalog, generate_notes, write_files
from app.sources.intake import Intake
from app.store.db import close_database, open_database
from app.store.models import LogEvent, Sale, SaleItem, SalePayment, SourceFile

TARGET_RATE = 1000.0
TARGET_RATIO = 5.0


def _binding(path: Path) -> type:
    name = path.name
    if name.endswith("-procEventoNFe.xml"):
        return ProcEventoNfe
    if name.endswith("-nfe.xml"):
        return Nfe
    return NfeProc


def run(count: int, seed: int, workdir: Path, workers: int | None = None) -> int:
    folder = workdir / "xml"
    started = time.perf_counter()
    files = generate_notes(
        default_catalog(), count, seed=seed, cancel_ratio=0.02, contingency_ratio=0.02
    )
    paths = write_files(folder, files, by_month=True)
    generated = time.perf_counter() - started
    size = sum(p.stat().st_size for p in paths)
    print(f"Gerados {len(paths)} arquivos ({size / 1e6:.1f} MB) em {generated:.1f} s")
    # Intake leaves files modified in the last 2 s for the next scan (the PDV may still be
    # writing them): let the last ones settle so one scan takes everything.
    time.sleep(2.2)

    app_paths = AppPaths(workdir / "dados")
    open_database(app_paths)
    try:
        intake = Intake(app_paths, [folder], workers=workers)
        started = time.perf_counter()
        summary = intake.scan_once()
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        rescan = intake.scan_once()
        rescan_elapsed = time.perf_counter() - started
        rows = {
            "vendas": Sale.select().count(),
            "itens": SaleItem.select().count(),
            "pagamentos": SalePayment.select().count(),
            "arquivos": SourceFile.select().count(),
            "eventos": LogEvent.select().count(),
        }
    finally:
        close_database()
    rate = len(paths) / elapsed
    mode = f"{intake.workers} processos" if intake.workers > 1 else "1 processo"
    print(f"Intake ({mode}): {len(paths)} arquivos em {elapsed:.2f} s = {rate:,.0f} arquivos/s")
    print("  " + "; ".join(summary.lines()))
    print("  linhas gravadas: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
    print(
        f"  nova varredura sem mudanças: {rescan_elapsed * 1000:.0f} ms ({rescan.skipped} sem alteração)"
    )
    if summary.new_sales != count or rescan.files_read:
        print("ERRO: o intake não leu todas as notas (ou releu arquivos).")
        return 1

    parser = XmlParser()
    bindings = [(p, _binding(p)) for p in paths]
    started = time.perf_counter()
    for path, binding in bindings:
        parser.from_bytes(path.read_bytes(), binding)
    nfelib_elapsed = time.perf_counter() - started
    nfelib_rate = len(paths) / nfelib_elapsed
    ratio = rate / nfelib_rate
    print(
        f"nfelib: {len(paths)} arquivos em {nfelib_elapsed:.2f} s = {nfelib_rate:,.0f} arquivos/s"
    )
    print(f"Razão intake / nfelib: {ratio:.1f}x")
    ok = rate >= TARGET_RATE and ratio >= TARGET_RATIO
    print(
        f"Metas: >= {TARGET_RATE:,.0f} arquivos/s e >= {TARGET_RATIO:.0f}x nfelib: "
        + ("atingidas" if ok else "NÃO atingidas")
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="vendas a gerar")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="pasta de trabalho (mantida)")
    parser.add_argument(
        "--workers", type=int, default=None, help="processos de leitura (padrão: um por núcleo)"
    )
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run(args.count, args.seed, args.keep, args.workers)
    with tempfile.TemporaryDirectory(prefix="ponte-bench-intake-") as workdir:
        return run(args.count, args.seed, Path(workdir), args.workers)


if __name__ == "__main__":
    raise SystemExit(main())

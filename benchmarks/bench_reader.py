"""Reader micro-benchmark: `read_document` on in-memory synthetic NFC-e bytes, against nfelib.

    .venv/bin/python benchmarks/bench_reader.py [--count 3000] [--seed 1] [--repeat 3]
    .venv/bin/python benchmarks/bench_reader.py --profile   # cProfile of the reader only

No disk and no store: only the parse + read cost per file, so changes to `app/sources/nfce*.py`
can be measured apart from intake's store writes. Timed in CPU time of this process
(`time.process_time`), the best of `--repeat` rounds for both sides: on a shared 2-core machine
wall-clock figures swing by ±30 % with whatever else runs.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe
from nfelib.nfe.bindings.v4_0.proc_nfe_v4_00 import NfeProc
from nfelib.nfe_evento_cancel.bindings.v1_0.proc_evento_canc_nfe_v1_00 import ProcEventoNfe
from xsdata.formats.dataclass.parsers import XmlParser

from app.sources.document import DocumentKind
from app.sources.generator import GeneratedFile, default_catalog, generate_notes
from app.sources.nfce import read_document


def _binding(generated: GeneratedFile) -> type:
    name = generated.name
    if name.endswith("-procEventoNFe.xml"):
        return ProcEventoNfe
    if name.endswith("-nfe.xml"):
        return Nfe
    return NfeProc


def _time_reader(contents: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for data in contents:
            read_document(data)
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="vendas a gerar")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="rodadas (vale a melhor)")
    parser.add_argument("--profile", action="store_true", help="perfil cProfile do leitor")
    args = parser.parse_args()

    files = list(
        generate_notes(
            default_catalog(),
            args.count,
            seed=args.seed,
            cancel_ratio=0.02,
            contingency_ratio=0.02,
        )
    )
    contents = [f.content for f in files]
    size = sum(len(c) for c in contents)
    print(f"{len(contents)} arquivos em memória ({size / 1e6:.1f} MB)")

    kinds = [read_document(data).kind for data in contents]
    rejected = kinds.count(DocumentKind.REJECTED)
    if rejected:
        print(f"ERRO: {rejected} arquivos sintéticos rejeitados pelo leitor.")
        return 1

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for data in contents:
            read_document(data)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return 0

    reader = _time_reader(contents, args.repeat)
    per_file = reader / len(contents) * 1e6
    print(f"Leitor: {per_file:.0f} µs por arquivo = {len(contents) / reader:,.0f} arquivos/s")

    xml_parser = XmlParser()
    pairs = [(f.content, _binding(f)) for f in files]
    nfelib = float("inf")
    for _ in range(args.repeat):
        started = time.process_time()
        for data, binding in pairs:
            xml_parser.from_bytes(data, binding)
        nfelib = min(nfelib, time.process_time() - started)
    print(
        f"nfelib: {nfelib / len(contents) * 1e6:.0f} µs por arquivo = "
        f"{len(contents) / nfelib:,.0f} arquivos/s"
    )
    print(f"Razão leitor / nfelib: {nfelib / reader:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

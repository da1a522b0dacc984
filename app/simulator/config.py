"""Simulator settings and fault injection. Defaults are Bling's own limits."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

_RATIO_FAULTS = ("error5xx", "drop_after_commit", "burst429")
FAULT_NAMES = ("latency", *_RATIO_FAULTS, "token_ttl_requests")


@dataclass
class Faults:
    """Faults injected into answers (ratios are probabilities from 0 to 1)."""

    latency: float = 0.0  # seconds added to each answer
    error5xx: float = 0.0  # answer 500/503 before doing anything
    drop_after_commit: float = 0.0  # do the write, then close the connection without answering
    burst429: float = 0.0  # answer 429 (period second) although under the limit
    token_ttl_requests: int | None = None  # access tokens expire after N API requests

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Parse "latency=0.2,error5xx=0.1"; a bad spec raises ValueError (Portuguese)."""
        faults = cls()
        for raw in spec.split(","):
            part = raw.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip()
            value = value.strip()
            if not sep or not value:
                raise ValueError(
                    f"Falha mal escrita: '{part}'. Use nome=valor, por exemplo latency=0.2."
                )
            if name not in FAULT_NAMES:
                raise ValueError(f"Falha desconhecida: '{name}'. Opções: {', '.join(FAULT_NAMES)}.")
            if name == "token_ttl_requests":
                try:
                    count = int(value)
                except ValueError:
                    raise ValueError(
                        f"token_ttl_requests precisa ser um número inteiro, não '{value}'."
                    ) from None
                if count < 1:
                    raise ValueError("token_ttl_requests precisa ser 1 ou mais.")
                faults.token_ttl_requests = count
                continue
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"{name} precisa ser um número, não '{value}'.") from None
            if number != number or number < 0:  # NaN or negative
                raise ValueError(f"{name} não pode ser negativo.")
            if name in _RATIO_FAULTS and number > 1:
                raise ValueError(f"{name} é uma proporção entre 0 e 1, não {value}.")
            setattr(faults, name, number)
        return faults

    def describe(self) -> str:
        """Short text of the active faults (for the CLI banner)."""
        active = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) not in (0, 0.0, None)
        ]
        return ", ".join(active) if active else "nenhuma"


@dataclass
class SimulatorConfig:
    """How one simulated Bling account behaves."""

    host: str = "127.0.0.1"
    port: int = 0
    client_id: str = "ponte-demo"
    client_secret: str = "ponte-demo-secret"
    redirect_uri: str = "http://127.0.0.1:8765/callback"
    auto_approve: bool = False
    # "demo", "bench:N" (demo plus N generated simple products) or None (empty account)
    seed: str | None = None
    extra_products: int = 0  # generated simple products added on top of the seed
    openapi_path: Path | None = None  # validate request bodies against the official schemas
    faults: Faults = field(default_factory=Faults)
    requests_per_second: int = 3  # 0 = unlimited
    requests_per_day: int = 120_000  # 0 = unlimited
    access_token_ttl: int = 21_600
    refresh_token_ttl: int = 30 * 86_400
    code_ttl: int = 60
    # When an order is set to this status name Bling launches its stock in the default deposit.
    auto_launch_status: str | None = None
    random_seed: int = 0
    # Bling's IP protection; None disables a rule.
    token_calls_limit: int | None = 20  # token calls allowed per token_calls_window
    token_calls_window: float = 60.0
    token_block_seconds: float = 3_600.0
    ip_errors_limit: int | None = 300  # error answers allowed per ip_window
    ip_requests_limit: int | None = 600  # requests allowed per ip_window
    ip_window: float = 10.0
    ip_block_seconds: float = 600.0
    initial_stock: int = 100  # seeded balance per product per physical deposit

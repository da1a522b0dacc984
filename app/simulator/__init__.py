"""A local stand-in for the part of Bling API v3 that Ponte uses (see docs/simulator.md)."""

from app.simulator.config import Faults, SimulatorConfig
from app.simulator.openapi import SPEC_RELAXATIONS, SpecError
from app.simulator.seed import CatalogEntry, demo_catalog
from app.simulator.server import RunningSimulator, start_simulator
from app.simulator.state import SimulatorState

__all__ = [
    "SPEC_RELAXATIONS",
    "CatalogEntry",
    "Faults",
    "RunningSimulator",
    "SimulatorConfig",
    "SimulatorState",
    "SpecError",
    "demo_catalog",
    "start_simulator",
]

"""Progress events the engine reports while it works (no Qt here: the desktop app turns them
into signals, the command line into a tqdm bar)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)


class Stage(StrEnum):
    CYCLE = "cycle"  # a cycle started or ended
    INTAKE = "intake"  # reading the PDV's XML folders
    CATALOG = "catalog"  # pulling Bling's catalogue
    RESOLVE = "resolve"  # matching items, tenders and stores
    SEND = "send"  # creating orders and launching stock
    CANCEL = "cancel"  # undoing cancelled sales in Bling
    MOVE = "move"  # moving a sale's stock to another deposit
    PAUSED = "paused"  # the engine waits on the user (not connected) or was paused
    ERROR = "error"  # the cycle could not run; message says why


@dataclass(frozen=True)
class ProgressEvent:
    """One step of progress. `message` is Portuguese, for the user."""

    stage: Stage
    done: int
    total: int
    message: str
    sale_key: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]


class Reporter:
    """Calls the progress callback, never letting a broken display stop the engine."""

    def __init__(self, callback: ProgressCallback | None = None) -> None:
        self.callback = callback

    def __call__(
        self, stage: Stage, done: int, total: int, message: str, sale_key: str | None = None
    ) -> None:
        if self.callback is None:
            return
        try:
            self.callback(ProgressEvent(stage, done, total, message, sale_key))
        except Exception:  # a display error must not lose a sale in flight
            log.exception("progress callback failed")

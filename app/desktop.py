"""Where the command line hands over to the desktop app (ui/), loaded by name only.

The engine package never imports the desktop layer: headless commands and CI never load Qt
widgets, and the desktop app stays optional for a frozen console build.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any


def has_display() -> bool:
    """True where a window can be shown: Windows and macOS, or X11/Wayland with a display."""
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def desktop_function(module: str, name: str) -> Any:
    """A function of the desktop layer, e.g. ('ui.app', 'run_desktop')."""
    return getattr(importlib.import_module(module), name)

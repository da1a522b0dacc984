"""The application icon, with a small coloured dot for the tray state."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap


class TrayState(StrEnum):
    IDLE = "idle"  # connected, nothing wrong
    WORKING = "working"  # a cycle is running
    ATTENTION = "attention"  # held sales or not connected: the user must act
    ERROR = "error"  # Bling refused sales or the cycle failed


STATE_COLORS = {
    TrayState.IDLE: "#2da44e",
    TrayState.WORKING: "#0969da",
    TrayState.ATTENTION: "#d4a72c",
    TrayState.ERROR: "#cf222e",
}


def icon_path() -> Path:
    """resources/icons/ponte.svg beside the source tree, or inside a frozen bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources" / "icons" / "ponte.svg"


def _drawn_base(size: int) -> QPixmap:
    """The bridge drawn by hand, for when the SVG (or Qt's SVG plugin) is missing."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scale = size / 64
    painter.scale(scale, scale)
    painter.setBrush(QBrush(QColor("#1f6feb")))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12)
    pen = QPen(QColor("white"), 5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    arch = QPainterPath(QPointF(10, 40))
    arch.quadTo(QPointF(32, 14), QPointF(54, 40))
    painter.drawPath(arch)
    pen.setWidth(4)
    painter.setPen(pen)
    painter.drawLine(10, 40, 54, 40)
    painter.drawLine(20, 40, 20, 50)
    painter.drawLine(44, 40, 44, 50)
    painter.drawLine(32, 28, 32, 40)
    painter.end()
    return pixmap


def base_pixmap(size: int = 64) -> QPixmap:
    path = icon_path()
    if path.is_file():
        pixmap = QIcon(str(path)).pixmap(size, size)
        if not pixmap.isNull():
            return pixmap
    return _drawn_base(size)


def app_icon() -> QIcon:
    """The plain application icon."""
    icon = QIcon()
    for size in (16, 32, 64, 128):
        icon.addPixmap(base_pixmap(size))
    return icon


def tray_icon(state: TrayState) -> QIcon:
    """The application icon with a dot in the corner coloured by state."""
    size = 64
    pixmap = base_pixmap(size)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("white"), 3))
    painter.setBrush(QBrush(QColor(STATE_COLORS[state])))
    painter.drawEllipse(QRectF(38, 38, 24, 24))
    painter.end()
    return QIcon(pixmap)

"""The tray icon: state at a glance, and the few actions a store manager needs."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import TrayState, tray_icon


class Tray(QSystemTrayIcon):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(tray_icon(TrayState.WORKING), parent)
        self.state = TrayState.WORKING
        self.menu = QMenu()
        self.open_action = QAction("Abrir o Ponte", self.menu)
        self.sync_action = QAction("Sincronizar agora", self.menu)
        self.pause_action = QAction("Pausar a sincronização", self.menu)
        self.pause_action.setCheckable(True)
        self.quit_action = QAction("Sair do Ponte", self.menu)
        for action in (self.open_action, self.sync_action, self.pause_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.setContextMenu(self.menu)
        self.setToolTip("Ponte PDV → Bling")

    def set_state(self, state: TrayState, tooltip: str) -> None:
        if state != self.state:
            self.state = state
            self.setIcon(tray_icon(state))
        self.setToolTip(f"Ponte PDV → Bling\n{tooltip}")

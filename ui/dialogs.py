"""Every question and message box the app shows goes through one object, so tests can answer
them without a modal loop."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


class Dialogs:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self.parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def choose(
        self, title: str, text: str, choices: list[tuple[str, int | None]], current: int | None
    ) -> tuple[bool, int | None]:
        """(chosen?, value) from a list of (label, value)."""
        labels = [label for label, _ in choices]
        start = next((i for i, (_, v) in enumerate(choices) if v == current), 0)
        label, ok = QInputDialog.getItem(self.parent, title, text, labels, start, False)
        if not ok:
            return False, None
        return True, dict(choices).get(label)

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def choose_folder(self, title: str, start: str) -> str | None:
        folder = QFileDialog.getExistingDirectory(self.parent, title, start)
        return folder or None

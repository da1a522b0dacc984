"""A combo-box editor for a table column whose value is an id (or None)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QObject, Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.models.base import Index

Choices = Callable[[], list[tuple[str, int | None]]]


class ComboDelegate(QStyledItemDelegate):
    """Offers `choices()` (label, id); the chosen id is written with setData(EditRole)."""

    def __init__(self, choices: Choices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for label, value in self.choices():
            combo.addItem(label, value)
        # one pick is one decision: commit at once instead of waiting for focus to leave
        combo.activated.connect(lambda _row: self._commit(combo))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not isinstance(editor, QComboBox):
            return
        current = index.data(Qt.ItemDataRole.EditRole)
        for row in range(editor.count()):
            if editor.itemData(row) == current:
                editor.setCurrentIndex(row)
                return

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)

"""Small widgets the pages share."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget


def table_view(parent: QWidget | None = None, *, stretch_last: bool = True) -> QTableView:
    """A read-mostly table: whole-row selection, no grid clutter, alternating rows."""
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.SelectedClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
    )
    return view


def hint_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A wrapped explanatory line in a muted colour."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #57606a;")
    return label


def is_editing(view: QTableView) -> bool:
    return view.state() == QAbstractItemView.State.EditingState

"""The window's pages over a store with fabricated rows (no engine, no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.store.events import log_event
from app.store.models import PaymentMapping, Sale, StoreLocation, SyncState
from app.store.settings import DEFAULT_DEPOSIT, XML_FOLDERS, get_setting
from app.sync.resolver import resolve_pending
from tests.sync.test_resolver_support import STORE_B, make_sale, product, reload
from tests.ui.support import ScriptedDialogs, sale_at
from ui.main_window import MainWindow, counts_text
from ui.models.payments import FORMA_COLUMN
from ui.models.stores import DEPOSIT_COLUMN


def cells(model: object, row: int) -> list[str]:
    return [
        model.index(row, c).data()  # type: ignore[attr-defined]
        for c in range(model.columnCount())  # type: ignore[attr-defined]
    ]


def pick_in_combo_delegate(view: object, row: int, column: int, value: int | None) -> None:
    """What a double-click and a pick in the combo do: editor, choice, setModelData."""
    model = view.model()  # type: ignore[attr-defined]
    index = model.index(row, column)
    delegate = view.itemDelegateForColumn(column)  # type: ignore[attr-defined]
    editor = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), index)  # type: ignore[attr-defined]
    assert isinstance(editor, QComboBox)
    delegate.setEditorData(editor, index)
    position = editor.findData(value)
    assert position >= 0, f"{value} not offered"
    editor.setCurrentIndex(position)
    delegate.setModelData(editor, model, index)
    editor.deleteLater()


def test_window_opens_with_all_pages(window: MainWindow) -> None:
    assert window.page_titles() == [
        "Vendas",
        "Registro",
        "Pagamentos (DE-PARA)",
        "Lojas e depósitos",
        "Sincronização de dados",
    ]
    assert window.connection_label.text() == "Sincronização desligada"
    assert window.counts_label.text() == "Vendas: 0 na fila · 0 enviadas"
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)  # every page refreshes without error
    grabbed = window.grab()
    assert not grabbed.isNull() and grabbed.width() > 600


def test_sales_table_in_portuguese_with_brl_and_sao_paulo_time(
    window: MainWindow, catalog: None
) -> None:
    sale_at(
        "retida",
        total="1234.56",
        hold_reason="Forma de pagamento sem DE-PARA: Dinheiro.",
        issued_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
    )
    sale_at(
        "erro",
        total="0.5",
        store=STORE_B,
        store_name="Loja Shopping",
        error_title="Pedido recusado",
        error_message="O campo contato é obrigatório.",
        issued_at=datetime(2026, 3, 11, 2, 30, tzinfo=UTC),
    )
    sale_at("enviada", total="99.90", issued_at=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    page = window.sales_page
    page.refresh()
    model = page.model
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Total"
    rows = [cells(model, r) for r in range(model.rowCount())]
    # newest first; 02:30 UTC is 23:30 of the day before in São Paulo
    assert rows[0][0] == "10/03/2026 23:30"
    assert rows[0][2] == "Loja Shopping (45.997.418/0001-53)"
    assert rows[0][3] == "R$ 0,50"
    assert rows[0][4] == "erro"
    assert rows[0][5] == "Pedido recusado: O campo contato é obrigatório."
    assert rows[1][0] == "10/03/2026 12:00"
    assert rows[1][3] == "R$ 1.234,56"
    assert rows[1][4] == "retida"
    assert rows[1][5] == "Forma de pagamento sem DE-PARA: Dinheiro."
    assert rows[2][3] == "R$ 99,90" and rows[2][4] == "enviada" and rows[2][5] == ""
    assert page.count_label.text() == "3 vendas"

    page.set_filter(("retida", "erro"))
    assert [cells(model, r)[4] for r in range(model.rowCount())] == ["erro", "retida"]
    window.update_status()
    assert window.counts_label.text() == "Vendas: 0 na fila · 1 retida · 1 com erro · 1 enviada"


def test_sale_actions_retry_ignore_and_move_deposit(
    window: MainWindow, catalog: None, dialogs: ScriptedDialogs
) -> None:
    refused = sale_at("erro", error_title="Pedido recusado", error_message="x")
    held = sale_at("retida", hold_reason="Sem depósito")
    sent = sale_at("enviada", bling_order_id=123, stock_launched=True, stock_deposit_id=701)
    page = window.sales_page
    page.refresh()

    page.select_key(refused.key)
    page.retry_button.click()
    assert reload(refused).state == "nova"

    page.select_key(held.key)
    dialogs.confirm_answer = False
    page.ignore_button.click()
    assert reload(held).state == "retida"  # the user said no
    dialogs.confirm_answer = True
    page.ignore_button.click()
    assert reload(held).state == "ignorada"

    page.select_key(sent.key)
    page.ignore_button.click()  # a sale in Bling cannot be ignored: explained, not done
    assert reload(sent).state == "enviada"
    assert dialogs.messages[-1][0] == "error"
    assert "já foi enviada ao Bling" in dialogs.messages[-1][2]

    dialogs.choice = (True, 702)
    page.move_button.click()
    assert [value for _, value in dialogs.offered] == [701, 702]
    assert reload(sent).deposit_override_id == 702


def test_de_para_in_the_grid_writes_mapping_and_releases_held_sale(
    window: MainWindow, catalog: None
) -> None:
    StoreLocation.create(cnpj=sale_at().store_cnpj, deposit_id=701)
    held = Sale.get()
    resolve_pending()
    assert reload(held).state == "retida"  # tender 01 has no DE-PARA yet

    page = window.payments_page
    page.refresh()
    model = page.model
    row = next(
        r
        for r in range(model.rowCount())
        if model.row_at(r).tender_code == "01"  # type: ignore[union-attr]
    )
    assert cells(model, row)[0] == "01 – Dinheiro"
    assert cells(model, row)[1] == "Qualquer bandeira"
    assert cells(model, row)[FORMA_COLUMN] == "(escolha a forma)"
    assert cells(model, row)[4] == "1"  # one sale waits on this row

    pick_in_combo_delegate(page.view, row, FORMA_COLUMN, 501)

    mapping = PaymentMapping.get(
        (PaymentMapping.tender_code == "01") & (PaymentMapping.card_brand == "")
    )
    assert mapping.forma_id == 501
    assert reload(held).state == "pronta"
    assert cells(model, row)[FORMA_COLUMN] == "Dinheiro (501)"
    assert cells(model, row)[4] == "0"


def test_apply_suggestions_button(
    window: MainWindow, catalog: None, dialogs: ScriptedDialogs
) -> None:
    StoreLocation.create(cnpj=sale_at().store_cnpj, deposit_id=701)
    held = Sale.get()
    resolve_pending()
    page = window.payments_page
    page.refresh()
    assert page.apply_button.isEnabled()
    page.apply_button.click()
    assert PaymentMapping.get(PaymentMapping.tender_code == "01").forma_id == 501
    assert reload(held).state == "pronta"
    assert dialogs.messages[-1][1] == "Sugestões aplicadas"
    assert "1 venda(s) liberada(s)" in dialogs.messages[-1][2]
    assert not page.apply_button.isEnabled()


def test_store_deposit_and_default_deposit(window: MainWindow, catalog: None) -> None:
    sale_at(store=STORE_B, store_name="Loja Shopping")
    page = window.stores_page
    page.refresh()
    model = page.model
    assert cells(model, 0)[:3] == ["45.997.418/0001-53", "Loja Shopping", "1"]
    assert cells(model, 0)[DEPOSIT_COLUMN] == "(usar o depósito padrão)"
    assert cells(model, 0)[4] == "nenhum: as vendas ficam retidas"

    pick_in_combo_delegate(page.view, 0, DEPOSIT_COLUMN, 702)
    assert StoreLocation.get(StoreLocation.cnpj == STORE_B).deposit_id == 702
    assert cells(model, 0)[4] == "Loja Shopping (702)"

    pick_in_combo_delegate(page.view, 0, DEPOSIT_COLUMN, None)
    assert StoreLocation.get(StoreLocation.cnpj == STORE_B).deposit_id is None
    assert page.set_default_deposit(701)
    assert get_setting(DEFAULT_DEPOSIT) == 701
    assert page.default_combo.currentData() == 701
    assert cells(model, 0)[4] == "Loja Centro (701) (padrão)"


def test_sync_page_last_good_sync_products_split_and_one_way(
    window: MainWindow, dialogs: ScriptedDialogs, tmp_path: object
) -> None:
    moment = datetime(2026, 12, 4, 22, 15, tzinfo=UTC)
    SyncState.create(
        kind="produtos",
        last_success_at=moment,
        last_attempt_at=moment + timedelta(hours=1),
        count=5,
        last_error="Bling fora do ar",
        details=json.dumps({"parents": 1, "variations": 2, "simple": 2}),
    )
    product(1, None, kind="parent")
    product(2, "A-P", kind="variation", parent_id=1)
    product(3, "A-M", kind="variation", parent_id=1)
    product(4, "B")
    product(5, "C")
    page = window.sync_page
    page.refresh()
    rows = {cells(page.model, r)[0]: cells(page.model, r) for r in range(page.model.rowCount())}
    assert rows["Produtos"][1:] == ["04/12/2026 19:15", "5", "04/12/2026 20:15", "Bling fora do ar"]
    assert rows["Formas de pagamento"][1] == "nunca"
    assert "1 com variações (produto pai), 2 variações e 2 simples" in page.products_label.text()
    assert any("não descem" in label.text() for label in page.findChildren(type(page.folder_label)))

    dialogs.folder = str(tmp_path)
    page.folder_button.click()
    assert get_setting(XML_FOLDERS) == [str(tmp_path)]
    assert str(tmp_path) in page.folder_label.text()


def test_log_newest_first_and_only_new_rows_added(window: MainWindow, qtbot: QtBot) -> None:
    log_event("intake", "Nota lida: NFC-e 1.")
    sale = sale_at("erro")
    Sale.update(number=7).where(Sale.key == sale.key).execute()
    log_event("sale", "Venda recusada pelo Bling.", level="error", sale_key=sale.key)
    page = window.log_page
    page.refresh()
    model = page.model
    assert cells(model, 0)[1:] == ["Erro", "Venda", "7 / 1", "Venda recusada pelo Bling."]
    assert cells(model, 1)[1:] == ["Informação", "Leitura das notas", "", "Nota lida: NFC-e 1."]
    with qtbot.waitSignal(model.rowsInserted, timeout=1000):
        log_event("config", "DE-PARA definido.")
        page.refresh()
    assert model.rowCount() == 3 and cells(model, 0)[4] == "DE-PARA definido."
    page.problems_only.setChecked(True)
    assert model.rowCount() == 1


def test_counts_text() -> None:
    assert (
        counts_text({"nova": 1, "pronta": 2, "retida": 1, "erro": 3, "enviada": 1})
        == "Vendas: 3 na fila · 1 retida · 3 com erro · 1 enviada"
    )


def test_brand_row_without_own_forma_shows_the_fallback(window: MainWindow, catalog: None) -> None:
    make_sale(payments=[("03", "01")])
    page = window.payments_page
    page.refresh()
    model = page.model
    rows = {(r.tender_code, r.card_brand): n for n, r in enumerate(model.rows)}
    brand_row = rows[("03", "01")]
    assert cells(model, brand_row)[1] == "01 – Visa"
    assert cells(model, brand_row)[FORMA_COLUMN] == "(escolha a forma)"
    assert model.set_mapping("03", "", 502)
    brand_row = {(r.tender_code, r.card_brand): n for n, r in enumerate(model.rows)}[("03", "01")]
    assert cells(model, brand_row)[FORMA_COLUMN] == "(usa a de qualquer bandeira)"

"""The order's customer, against the simulator: consumer final unless the note names a CPF/CNPJ;
then the contact with that document, adopted when Bling has it and created when it does not."""

from __future__ import annotations

from app.bling.api import BlingApi
from app.documents import cnpj_with_check_digits, cpf_with_check_digits
from app.simulator import RunningSimulator
from app.store.models import Contact, Deposit, PaymentForm, Product
from app.sync.catalog import CatalogSync
from app.sync.outbox import Outbox
from tests.sync.test_outbox_fakes import make_sale, reload

CPF = cpf_with_check_digits("390533447")
CNPJ = cnpj_with_check_digits("112223330001")


def test_order_goes_to_the_document_contact_created_once_or_adopted(
    connected_api: BlingApi, sim: RunningSimulator
) -> None:
    CatalogSync(connected_api).refresh()
    product = Product.select().where(Product.kind == "simple").first()
    forma = PaymentForm.get(PaymentForm.description == "Dinheiro")
    deposit = Deposit.select().first()
    existing = connected_api.create_contact("Empresa Cliente Ltda", CNPJ)

    def sale(n: int, document: str | None) -> object:
        return make_sale(
            n,
            items=(("X", "1", "10.00", int(product.id)),),
            payments=(("01", "10.00", int(forma.id)),),
            total="10.00",
            document=document,
        )

    first, second, company, anonymous = (
        sale(1, CPF),
        sale(2, CPF),
        sale(3, CNPJ),
        sale(4, None),
    )
    with sim.state.lock:
        contacts_before = len(sim.state.contacts)
    summary = Outbox(connected_api, deposit_for=lambda s: int(deposit.id)).run()
    assert summary.sent == 4

    with sim.state.lock:
        by_document = {}
        for contact in sim.state.contacts.values():
            by_document.setdefault(contact.numero_documento, []).append(contact)
        # one new contact: the CPF, created once for its two sales; the CNPJ was adopted
        assert len(sim.state.contacts) == contacts_before + 1
        assert len(by_document[CPF]) == 1 and by_document[CPF][0].tipo == "F"
        orders = {
            row.key: sim.state.orders[int(reload(row).bling_order_id)]  # type: ignore[attr-defined]
            for row in (first, second, company, anonymous)
        }
        consumer = next(c for c in sim.state.contacts.values() if c.nome == "Consumidor Final")
    cpf_contact = by_document[CPF][0].id
    assert orders[first.key].contato_id == cpf_contact  # type: ignore[attr-defined]
    assert orders[second.key].contato_id == cpf_contact  # type: ignore[attr-defined]
    assert orders[company.key].contato_id == existing  # type: ignore[attr-defined]
    assert orders[anonymous.key].contato_id == consumer.id  # type: ignore[attr-defined]
    assert Contact.get(Contact.document == CPF).contact_id == cpf_contact

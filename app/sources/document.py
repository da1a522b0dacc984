"""What Ponte reads from one fiscal XML file: typed values shared by the reader, intake, the
synthetic generator and `ponte-bling inspect`. Money and quantities are Decimal, exact to the XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class DocumentKind(StrEnum):
    SALE = "sale"
    CANCELLATION = "cancellation"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Item:
    line: int  # det/@nItem
    code: str  # cProd
    gtin: str | None  # cEAN; None for "SEM GTIN" or empty
    description: str  # xProd
    unit: str  # uCom
    quantity: Decimal  # qCom, exact
    unit_price: Decimal  # vUnCom, exact
    total: Decimal  # vProd (gross line value)
    discount: Decimal = Decimal("0")  # vDesc
    other: Decimal = Decimal("0")  # vOutro + vFrete + vSeg
    counts_in_total: bool = True  # indTot == 1


@dataclass(frozen=True)
class Payment:
    type: str  # tPag, two digits ("01", "03", "17", "99"...)
    amount: Decimal  # vPag
    description: str | None = None  # xPag
    card_brand: str | None = None  # tBand, two digits
    authorization_code: str | None = None  # cAut
    integration_type: int | None = None  # tpIntegra (1 integrated, 2 standalone)
    acquirer_cnpj: str | None = None  # card/CNPJ


@dataclass(frozen=True)
class Totals:
    products: Decimal  # ICMSTot/vProd
    discount: Decimal  # ICMSTot/vDesc
    other: Decimal  # vOutro (+ vFrete + vSeg)
    total: Decimal  # vNF


@dataclass(frozen=True)
class Authorization:
    status: int | None  # infProt/cStat (None when there is no protocol)
    protocol: str | None  # nProt
    authorized: bool  # cStat in {100, 150} and chNFe matches the note's key
    received_at: datetime | None = None  # dhRecbto
    message: str | None = None  # xMotivo


@dataclass(frozen=True)
class CancellationInfo:
    """A cancellation event (110111, or 110112 by substitution) proven by retEvento 135/155."""

    key: str  # the cancelled note's key
    event_type: int  # 110111 | 110112
    protocol: str | None
    registered_at: datetime | None
    reason: str
    substitute_key: str | None = None  # chNFeRef of a 110112


@dataclass(frozen=True)
class SaleDocument:
    """One sale note (NFC-e model 65, or an own-CNPJ NF-e model 55)."""

    key: str
    key_valid: bool  # check digit verified
    model: int
    environment: int  # tpAmb (2 if either ide or infProt says 2)
    emission_mode: int  # tpEmis
    series: int
    number: int
    issued_at: datetime  # timezone-aware, the XML's own offset kept
    store_cnpj: str
    store_name: str  # xFant, else xNome
    customer_document: str | None
    customer_name: str | None
    items: tuple[Item, ...]
    totals: Totals
    payments: tuple[Payment, ...]
    change: Decimal  # vTroco
    authorization: Authorization
    additional_info: str  # infCpl
    layout_version: str  # "4.00", "3.10"
    cancellation: CancellationInfo | None = None  # a cancellation carried in the same file
    warnings: tuple[str, ...] = ()  # Portuguese: total mismatches, key mismatches...

    @property
    def contingency(self) -> bool:
        return self.emission_mode == 9

    @property
    def counts_as_sale(self) -> bool:
        """Authorised, or an offline-contingency note (a sale at once; its protocol comes later)."""
        return self.authorization.authorized or self.contingency


@dataclass(frozen=True)
class ReadResult:
    """The classification of one file. `document` is kept for a readable document even when it
    is rejected by policy (homologation, a purchase NF-e), so its figures can be shown."""

    kind: DocumentKind
    reason: str | None = None  # Portuguese, when rejected
    document: SaleDocument | None = None
    cancellation: CancellationInfo | None = None  # for kind == CANCELLATION
    key: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

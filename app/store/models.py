"""The local store: peewee models over SQLite.

Every table the engine and the desktop app share lives here. The schema version these
models describe is `app.store.migrations.LATEST_VERSION`; change a model only together with a
new migration step.
"""

from __future__ import annotations

import peewee

from app.store.fields import AwareDateTimeField, DecimalTextField
from app.timeutil import utcnow

database_proxy = peewee.DatabaseProxy()


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row: the schema version of this database."""

    version = peewee.IntegerField()
    migrated_at = AwareDateTimeField(default=utcnow)


class Setting(BaseModel):
    """Key/value settings; values are JSON text."""

    key = peewee.CharField(primary_key=True)
    value = peewee.TextField()


# --- Sales taken in from the PDV -------------------------------------------------------------

SALE_STATES = (
    "nova",
    "pronta",
    "enviando",
    "pedido_criado",
    "enviada",
    "retida",
    "erro",
    "cancelada",
    "ignorada",
)


class Sale(BaseModel):
    """One fiscal document (NFC-e, or an own-CNPJ NF-e) that is a sale, keyed by access key."""

    key = peewee.CharField(unique=True, max_length=44)
    model = peewee.IntegerField()
    environment = peewee.IntegerField()  # tpAmb: 1 production, 2 homologation
    emission_mode = peewee.IntegerField()  # tpEmis
    series = peewee.IntegerField()
    number = peewee.IntegerField()
    issued_at = AwareDateTimeField(index=True)
    issued_at_offset = peewee.CharField(default="")  # the XML's own offset, e.g. "-03:00"
    store_cnpj = peewee.CharField(index=True)
    store_name = peewee.CharField(default="")
    customer_document = peewee.CharField(null=True)
    customer_name = peewee.CharField(null=True)
    products_total = DecimalTextField()
    discount = DecimalTextField()
    other = DecimalTextField()
    total = DecimalTextField()
    change = DecimalTextField()
    authorized = peewee.BooleanField(default=False)
    protocol = peewee.CharField(null=True)
    contingency = peewee.BooleanField(default=False)
    own_nfe = peewee.BooleanField(default=False)  # model 55 issued by one of the store's CNPJs
    additional_info = peewee.TextField(default="")
    warnings = peewee.TextField(default="[]")  # JSON list of Portuguese strings
    source_file = peewee.TextField(default="")

    # Life in Ponte (design §4)
    state = peewee.CharField(default="nova", index=True)
    hold_reason = peewee.TextField(null=True)
    error_title = peewee.CharField(null=True)
    error_message = peewee.TextField(null=True)
    numero_loja = peewee.CharField(index=True)
    bling_order_id = peewee.BigIntegerField(null=True)
    deposit_override_id = peewee.BigIntegerField(null=True)
    stock_deposit_id = peewee.BigIntegerField(null=True)  # where stock was actually launched
    stock_launched = peewee.BooleanField(default=False)
    cancel_requested = peewee.BooleanField(default=False)
    cancel_done = peewee.BooleanField(default=False)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = AwareDateTimeField(null=True)
    created_at = AwareDateTimeField(default=utcnow)
    updated_at = AwareDateTimeField(default=utcnow)


class SaleItem(BaseModel):
    sale = peewee.ForeignKeyField(Sale, backref="items", on_delete="CASCADE")
    line = peewee.IntegerField()
    code = peewee.CharField()
    gtin = peewee.CharField(null=True)
    description = peewee.TextField()
    unit = peewee.CharField(default="UN")
    quantity = DecimalTextField()
    unit_price = DecimalTextField()
    total = DecimalTextField()
    discount = DecimalTextField()
    other = DecimalTextField()
    counts_in_total = peewee.BooleanField(default=True)  # indTot
    bling_product_id = peewee.BigIntegerField(null=True)


class SalePayment(BaseModel):
    sale = peewee.ForeignKeyField(Sale, backref="payments", on_delete="CASCADE")
    seq = peewee.IntegerField()
    tender_code = peewee.CharField()  # tPag, two digits
    description = peewee.CharField(null=True)  # xPag
    amount = DecimalTextField()
    card_brand = peewee.CharField(null=True)  # tBand, two digits
    authorization_code = peewee.CharField(null=True)  # cAut
    integration_type = peewee.IntegerField(null=True)  # tpIntegra
    bling_forma_id = peewee.BigIntegerField(null=True)


class Cancellation(BaseModel):
    """A cancellation event, kept even when it arrives before its sale."""

    key = peewee.CharField(unique=True, max_length=44)  # the cancelled note
    event_type = peewee.IntegerField()  # 110111 or 110112
    protocol = peewee.CharField(null=True)
    registered_at = AwareDateTimeField(null=True)
    reason = peewee.TextField(default="")
    substitute_key = peewee.CharField(null=True)  # chNFeRef of a 110112
    source_file = peewee.TextField(default="")
    received_at = AwareDateTimeField(default=utcnow)
    applied = peewee.BooleanField(default=False)


class SourceFile(BaseModel):
    """Every file intake has looked at, so it is never read twice."""

    path = peewee.TextField(unique=True)
    size = peewee.BigIntegerField()
    mtime_ns = peewee.BigIntegerField()
    status = peewee.CharField()  # done | waiting | quarantined
    kind = peewee.CharField(null=True)  # sale | cancellation | rejected
    key = peewee.CharField(null=True, index=True)
    reason = peewee.TextField(null=True)
    attempts = peewee.IntegerField(default=0)
    first_seen = AwareDateTimeField(default=utcnow)
    last_seen = AwareDateTimeField(default=utcnow)


# --- Mappings the user owns -------------------------------------------------------------------


class StoreLocation(BaseModel):
    """A physical store, known by the emitter CNPJ, and the Bling deposit its sales leave from."""

    cnpj = peewee.CharField(primary_key=True)
    name = peewee.CharField(default="")
    deposit_id = peewee.BigIntegerField(null=True)
    first_seen = AwareDateTimeField(default=utcnow)


class PaymentMapping(BaseModel):
    """DE-PARA: NFC-e tender (tPag, optionally card brand tBand) → Bling forma de pagamento."""

    tender_code = peewee.CharField()
    card_brand = peewee.CharField(default="")  # "" = any brand
    forma_id = peewee.BigIntegerField(null=True)
    suggested_forma_id = peewee.BigIntegerField(null=True)
    updated_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tender_code", "card_brand"), True),)


class ProductLink(BaseModel):
    """A manual link from a PDV product code to a Bling product id."""

    code = peewee.CharField(primary_key=True)
    product_id = peewee.BigIntegerField()
    created_at = AwareDateTimeField(default=utcnow)


# --- Bling catalogue cache --------------------------------------------------------------------


class Product(BaseModel):
    """A Bling product: simple, a parent with variations, or a variation."""

    id = peewee.BigIntegerField(primary_key=True)
    code = peewee.CharField(null=True, index=True)
    gtin = peewee.CharField(null=True, index=True)
    name = peewee.TextField(default="")
    kind = peewee.CharField()  # simple | parent | variation
    parent_id = peewee.BigIntegerField(null=True, index=True)
    price = DecimalTextField(null=True)
    unit = peewee.CharField(null=True)
    active = peewee.BooleanField(default=True)
    synced_at = AwareDateTimeField(default=utcnow)


class PaymentForm(BaseModel):
    """A Bling forma de pagamento."""

    id = peewee.BigIntegerField(primary_key=True)
    description = peewee.CharField()
    payment_type = peewee.IntegerField()  # tipoPagamento, same numbering as tPag
    active = peewee.BooleanField(default=True)
    is_default = peewee.BooleanField(default=False)
    card_brand = peewee.IntegerField(null=True)
    synced_at = AwareDateTimeField(default=utcnow)


class Deposit(BaseModel):
    """A Bling depósito (a stock location)."""

    id = peewee.BigIntegerField(primary_key=True)
    description = peewee.CharField()
    active = peewee.BooleanField(default=True)
    is_default = peewee.BooleanField(default=False)
    synced_at = AwareDateTimeField(default=utcnow)


class Contact(BaseModel):
    """Bling contacts Ponte has used, by CPF/CNPJ ("" = consumidor final)."""

    document = peewee.CharField(primary_key=True)
    contact_id = peewee.BigIntegerField()
    name = peewee.CharField(default="")


class OrderStatus(BaseModel):
    """A sales-order status (situação) of the account's Vendas module."""

    id = peewee.BigIntegerField(primary_key=True)
    name = peewee.CharField()
    value = peewee.IntegerField(null=True)


# --- Health and history -----------------------------------------------------------------------


class SyncState(BaseModel):
    """Per kind of data (products, formas, depósitos, contatos, situações, vendas...)."""

    kind = peewee.CharField(primary_key=True)
    last_success_at = AwareDateTimeField(null=True)
    last_attempt_at = AwareDateTimeField(null=True)
    count = peewee.IntegerField(default=0)
    last_error = peewee.TextField(null=True)
    details = peewee.TextField(default="{}")  # JSON: e.g. parents/variations/simple counts


class ApiUsage(BaseModel):
    """Requests made to Bling per day (São Paulo date), against the 120,000 daily budget."""

    day = peewee.CharField(primary_key=True)  # YYYY-MM-DD
    requests = peewee.IntegerField(default=0)


class LogEvent(BaseModel):
    """The sync log the user reads: every decision and transition, with date and time."""

    at = AwareDateTimeField(default=utcnow, index=True)
    level = peewee.CharField(default="info")  # info | warning | error
    category = peewee.CharField(index=True)  # intake | sale | catalog | auth | engine | config
    sale_key = peewee.CharField(null=True, index=True)
    file = peewee.TextField(null=True)
    message = peewee.TextField()  # Portuguese, for the user
    details = peewee.TextField(default="")


ALL_MODELS: list[type[BaseModel]] = [
    SchemaVersion,
    Setting,
    Sale,
    SaleItem,
    SalePayment,
    Cancellation,
    SourceFile,
    StoreLocation,
    PaymentMapping,
    ProductLink,
    Product,
    PaymentForm,
    Deposit,
    Contact,
    OrderStatus,
    SyncState,
    ApiUsage,
    LogEvent,
]

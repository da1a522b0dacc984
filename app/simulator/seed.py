"""Seeds: an empty account, the "demo" store chain, and bigger generated catalogues.

`demo_catalog()` exposes the sellable demo items as plain values so the synthetic NFC-e
generator and the demo sell exactly what the simulator knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.documents import cpf_with_check_digits, ean13
from app.simulator.models import (
    Contact,
    Deposit,
    OrderStatus,
    PaymentForm,
    Product,
    StatusModule,
)
from app.simulator.state import SimulatorState

CONSUMER_FINAL_NAME = "Consumidor Final"

# Bling's default sales statuses (ids seen in integrations; `valor` is the inherited basic value)
DEFAULT_SALES_STATUSES = (
    (6, "Em aberto", 0, "#E9DC40"),
    (9, "Atendido", 1, "#3FB57A"),
    (12, "Cancelado", 2, "#E45F5F"),
    (15, "Em andamento", 3, "#5D99E0"),
    (18, "Venda Agenciada", 4, "#A66FD0"),
    (21, "Em digitação", 5, "#999999"),
    (24, "Verificado", 6, "#2E7D32"),
)
SALES_MODULE_ID = 98310
OTHER_MODULES = ((98309, "Compras", "Pedidos de compra"), (98312, "Notas fiscais", "Notas fiscais"))


@dataclass(frozen=True)
class CatalogEntry:
    """One sellable demo SKU (a variation or a simple product)."""

    code: str
    gtin: str
    description: str
    unit: str
    price: Decimal
    active: bool = True
    parent_code: str | None = None


@dataclass(frozen=True)
class _Parent:
    code: str
    name: str
    price: Decimal
    brand: str
    axes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (axis, ((label, sku part), ...))


_PARENTS = (
    _Parent(
        "CAM-BAS",
        "Camiseta Básica",
        Decimal("49.90"),
        "Ponte Wear",
        (
            ("Tamanho", (("P", "P"), ("M", "M"), ("G", "G"))),
            ("Cor", (("Branca", "BR"), ("Preta", "PR"))),
        ),
    ),
    _Parent(
        "CAL-JEA",
        "Calça Jeans Slim",
        Decimal("159.90"),
        "Ponte Wear",
        (("Tamanho", (("38", "38"), ("40", "40"), ("42", "42"), ("44", "44"))),),
    ),
    _Parent(
        "TEN-CAS",
        "Tênis Casual",
        Decimal("229.90"),
        "Passo Firme",
        (("Tamanho", tuple((str(n), str(n)) for n in range(37, 43))),),
    ),
    _Parent(
        "MOL-CAP",
        "Moletom com Capuz",
        Decimal("119.90"),
        "Ponte Wear",
        (
            ("Tamanho", (("P", "P"), ("M", "M"), ("G", "G"))),
            ("Cor", (("Cinza", "CZ"), ("Azul", "AZ"))),
        ),
    ),
    _Parent(
        "MEI-CUR",
        "Meia Cano Curto",
        Decimal("19.90"),
        "Passo Firme",
        (("Cor", (("Branca", "BR"), ("Preta", "PR"), ("Cinza", "CZ"))),),
    ),
)

# code, name, unit, price, brand
_SIMPLE = (
    ("BON-ABA", "Boné Aba Curva", "UN", "59.90", "Ponte Wear"),
    ("CIN-COU", "Cinto de Couro", "UN", "89.90", "Ponte Wear"),
    ("CAR-COU", "Carteira de Couro", "UN", "79.90", "Ponte Wear"),
    ("MOC-URB", "Mochila Urbana", "UN", "199.90", "Trilha"),
    ("GAR-TER", "Garrafa Térmica 500 ml", "UN", "69.90", "Trilha"),
    ("OCU-SOL", "Óculos de Sol", "UN", "149.90", "Visão"),
    ("CHA-MET", "Chaveiro Metálico", "UN", "14.90", "Ponte Wear"),
    ("SAC-ECO", "Sacola Ecológica", "UN", "9.90", "Ponte Wear"),
    ("PER-AMA", "Perfume Amadeirado 100 ml", "UN", "189.90", "Aroma"),
    ("DES-AER", "Desodorante Aerossol", "UN", "17.49", "Aroma"),
    ("KIT-MEI", "Kit 3 Meias Esportivas", "KIT", "39.90", "Passo Firme"),
    ("PUL-PRA", "Pulseira de Prata", "UN", "129.00", "Brilho"),
    ("REL-DIG", "Relógio Digital", "UN", "249.90", "Tempo"),
    ("CAN-POR", "Caneca de Porcelana", "UN", "34.90", "Casa"),
    ("GUA-CHU", "Guarda-chuva Compacto", "UN", "44.90", "Casa"),
    ("CHI-SLI", "Chinelo Slide", "PAR", "39.99", "Passo Firme"),
    ("CAS-CAJ", "Castanha de Caju a Granel", "KG", "89.90", "Granel"),
    ("CAF-GRA", "Café em Grãos 500 g", "PCT", "42.50", "Granel"),
    ("LEN-SED", "Lenço de Seda", "UN", "64.90", "Brilho"),
    ("TOA-PRA", "Toalha de Praia", "UN", "74.90", "Casa"),
)
_INACTIVE = (("CAM-EST-OLD", "Camiseta Estampada (coleção antiga)", "UN", "39.90", "Ponte Wear"),)
_SERVICE = ("SRV-AJU", "Serviço de Ajuste de Barra", "UN", "25.00")

# descricao, tipoPagamento, bandeira, padrao, situacao
_FORMAS = (
    ("Dinheiro", 1, None, 1, 1),
    ("Cheque", 2, None, 0, 1),
    ("Cartão de crédito", 3, 99, 0, 1),
    ("Crédito Visa", 3, 1, 0, 1),
    ("Crédito Mastercard", 3, 2, 0, 1),
    ("Crédito Elo", 3, 6, 0, 1),
    ("Crédito American Express", 3, 3, 0, 1),
    ("Cartão de débito", 4, 99, 0, 1),
    ("Débito Visa", 4, 1, 0, 1),
    ("Débito Mastercard", 4, 2, 0, 1),
    ("Débito Elo", 4, 6, 0, 1),
    ("Crediário da loja", 5, None, 0, 1),
    ("Vale alimentação", 10, None, 0, 1),
    ("Vale refeição", 11, None, 0, 1),
    ("Vale presente", 12, None, 0, 1),
    ("Boleto bancário", 15, None, 0, 0),
    ("PIX", 17, None, 0, 1),
    ("PIX (QR estático)", 20, None, 0, 1),
    ("Crédito em loja", 21, None, 0, 1),
    ("Outros", 99, None, 0, 1),
)

DEMO_DEPOSITS = (
    ("Geral", True, 1),
    ("Loja Centro", False, 1),
    ("Loja Shopping", False, 1),
    ("Depósito Antigo", False, 0),
)


def _gtin(n: int) -> str:
    # 789 = GS1 Brasil; a fictitious company prefix keeps demo barcodes recognisable
    return ean13(f"7898765{n:05d}")


def _parent_entries() -> list[tuple[_Parent, list[tuple[str, str, str]]]]:
    """Per parent: (variation code, variation name "Tamanho:P;Cor:Branca", label suffix)."""
    out = []
    for parent in _PARENTS:
        combos: list[tuple[list[str], list[str], list[str]]] = [([], [], [])]
        for axis, values in parent.axes:
            combos = [
                ([*codes, part], [*names, f"{axis}:{label}"], [*labels, label])
                for codes, names, labels in combos
                for label, part in values
            ]
        out.append(
            (
                parent,
                [
                    (
                        "-".join([parent.code, *codes]),
                        ";".join(names),
                        " ".join(labels),
                    )
                    for codes, names, labels in combos
                ],
            )
        )
    return out


def demo_catalog() -> list[CatalogEntry]:
    """Every sellable SKU of the demo seed (variations and simple products, inactive flagged)."""
    entries: list[CatalogEntry] = []
    counter = 1
    for parent, variations in _parent_entries():
        counter += 1  # the parent's own GTIN slot
        for code, _name, label in variations:
            entries.append(
                CatalogEntry(
                    code,
                    _gtin(counter),
                    f"{parent.name} {label}",
                    "UN",
                    parent.price,
                    parent_code=parent.code,
                )
            )
            counter += 1
    for code, name, unit, price, _brand in _SIMPLE:
        entries.append(CatalogEntry(code, _gtin(counter), name, unit, Decimal(price)))
        counter += 1
    for code, name, unit, price, _brand in _INACTIVE:
        entries.append(CatalogEntry(code, _gtin(counter), name, unit, Decimal(price), active=False))
        counter += 1
    return entries


def bench_catalog(count: int, start: int = 1) -> list[CatalogEntry]:
    """`count` generated simple products (for "requests per catalogue of N SKUs" figures)."""
    return [
        CatalogEntry(
            f"BEN-{n:06d}",
            ean13(f"7891111{n % 100_000:05d}") if n < 100_000 else "",
            f"Produto de teste {n:06d}",
            "UN",
            Decimal(10 + n % 90) + Decimal("0.90"),
        )
        for n in range(start, start + count)
    ]


def parse_seed(seed: str | None) -> tuple[str | None, int]:
    """("demo" | None, extra products) from "demo", "bench:N" or None; ValueError if unknown."""
    if seed is None or seed == "" or seed == "vazio":
        return None, 0
    if seed == "demo":
        return "demo", 0
    if seed.startswith("bench:"):
        try:
            count = int(seed.split(":", 1)[1])
        except ValueError:
            raise ValueError(
                f"Semente inválida: '{seed}'. Use bench:N, por exemplo bench:5000."
            ) from None
        if count < 0:
            raise ValueError("bench:N precisa de N maior ou igual a zero.")
        return "demo", count
    raise ValueError(f"Semente desconhecida: '{seed}'. Use 'demo' ou 'bench:N'.")


def load_seed(
    state: SimulatorState, seed: str | None, *, extra_products: int = 0, initial_stock: int = 100
) -> None:
    """Fill an empty state: the base account always, the demo chain when asked."""
    kind, bench = parse_seed(seed)
    with state.lock:
        _load_base(state, demo=kind == "demo")
        if kind == "demo":
            _load_demo(state, initial_stock)
        total_extra = bench + extra_products
        if total_extra:
            _load_products(state, bench_catalog(total_extra), initial_stock)


def _load_base(state: SimulatorState, *, demo: bool) -> None:
    created = state.clock.now() - timedelta(days=400)
    consumer = Contact(
        id=state.new_id(), nome=CONSUMER_FINAL_NAME, tipo="F", codigo="", created_at=created
    )
    state.contacts[consumer.id] = consumer
    state.consumer_final_id = consumer.id
    sales = StatusModule(SALES_MODULE_ID, "Vendas", "Pedidos de venda")
    state.modules[sales.id] = sales
    for module_id, name, description in OTHER_MODULES:
        state.modules[module_id] = StatusModule(module_id, name, description)
    for status_id, name, valor, cor in DEFAULT_SALES_STATUSES:
        state.statuses[status_id] = OrderStatus(status_id, name, valor, SALES_MODULE_ID, cor)
    if not demo:
        deposit = Deposit(state.new_id(), "Geral", padrao=True)
        state.depositos[deposit.id] = deposit


def _load_demo(state: SimulatorState, initial_stock: int) -> None:
    for name, default, situacao in DEMO_DEPOSITS:
        deposit = Deposit(state.new_id(), name, situacao=situacao, padrao=default)
        state.depositos[deposit.id] = deposit
    for descricao, tipo, bandeira, padrao, situacao in _FORMAS:
        forma = PaymentForm(
            state.new_id(),
            descricao,
            tipo,
            situacao=situacao,
            padrao=padrao,
            bandeira=bandeira,
            cnpj_credenciadora="01027058000191" if bandeira else "",
        )
        state.formas[forma.id] = forma
    created = state.clock.now() - timedelta(days=200)
    for n, (first9, name, email) in enumerate(
        (
            ("529982247", "Maria Aparecida da Silva", "maria@example.com"),
            ("111444777", "João Pereira Santos", "joao@example.com"),
        ),
        start=1,
    ):
        contact = Contact(
            state.new_id(),
            name,
            "F",
            numero_documento=cpf_with_check_digits(first9),
            codigo=f"CLI-{n:03d}",
            email=email,
            created_at=created,
        )
        state.contacts[contact.id] = contact
    _load_products(state, [], initial_stock, demo=True)


def _stock_deposits(state: SimulatorState) -> list[int]:
    return [d.id for d in state.depositos.values() if d.situacao == 1]


def _load_products(
    state: SimulatorState, extra: list[CatalogEntry], initial_stock: int, *, demo: bool = False
) -> None:
    created = state.clock.now() - timedelta(days=30)
    stock = Decimal(initial_stock)
    deposits = _stock_deposits(state)

    def add(product: Product, with_stock: bool) -> None:
        product.created_at = product.changed_at = created
        state.products[product.id] = product
        if with_stock:
            for deposit_id in deposits:
                state.balances[(deposit_id, product.id)] = stock

    if demo:
        entries = {e.code: e for e in demo_catalog()}
        brands = {p.code: p.brand for p in _PARENTS}
        counter = 1
        for parent_def, variations in _parent_entries():
            counter += 1
            parent = Product(
                state.new_id(),
                parent_def.name,
                parent_def.code,
                parent_def.price,
                formato="V",
                marca=brands[parent_def.code],
            )
            add(parent, with_stock=False)
            for order, (code, var_name, _label) in enumerate(variations, start=1):
                entry = entries[code]
                child = Product(
                    state.new_id(),
                    entry.description,
                    code,
                    entry.price,
                    formato="S",
                    gtin=entry.gtin,
                    marca=parent.marca,
                    parent_id=parent.id,
                    variation_name=var_name,
                    variation_order=order,
                )
                add(child, with_stock=True)
                counter += 1
        brand_of = {row[0]: row[4] for row in (*_SIMPLE, *_INACTIVE)}
        for entry in entries.values():
            if entry.parent_code is not None:
                continue
            product = Product(
                state.new_id(),
                entry.description,
                entry.code,
                entry.price,
                unidade=entry.unit,
                gtin=entry.gtin,
                marca=brand_of[entry.code],
                situacao="A" if entry.active else "I",
            )
            add(product, with_stock=True)
        code, name, unit, price = _SERVICE
        add(Product(state.new_id(), name, code, Decimal(price), tipo="S", unidade=unit), False)
    for entry in extra:
        product = Product(
            state.new_id(),
            entry.description,
            entry.code,
            entry.price,
            unidade=entry.unit,
            gtin=entry.gtin,
        )
        add(product, with_stock=True)

"""The simulated account's entities. Money and quantities are Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class Product:
    id: int
    nome: str
    codigo: str
    preco: Decimal
    tipo: str = "P"  # P produto, S serviço
    situacao: str = "A"  # A ativo, I inativo, E excluído
    formato: str = "S"  # S simples, V com variações (parent), E composição
    unidade: str = "UN"
    gtin: str = ""
    marca: str = ""
    parent_id: int | None = None
    variation_name: str = ""  # "Tamanho:P;Cor:Branca"
    variation_order: int = 0
    descricao_curta: str = ""
    created_at: datetime | None = None
    changed_at: datetime | None = None

    @property
    def is_parent(self) -> bool:
        return self.formato == "V" and self.parent_id is None


@dataclass
class PaymentForm:
    id: int
    descricao: str
    tipo_pagamento: int
    situacao: int = 1
    padrao: int = 0
    finalidade: int = 3
    bandeira: int | None = None  # dadosCartao.bandeira for card forms
    card_kind: int = 2  # dadosCartao.tipo: 1 TEF, 2 POS
    cnpj_credenciadora: str = ""


@dataclass
class Deposit:
    id: int
    descricao: str
    situacao: int = 1
    padrao: bool = False
    desconsiderar_saldo: bool = False


@dataclass
class Contact:
    id: int
    nome: str
    tipo: str = "F"  # F física, J jurídica, E estrangeiro
    situacao: str = "A"
    numero_documento: str = ""
    codigo: str = ""
    fantasia: str = ""
    email: str = ""
    telefone: str = ""
    celular: str = ""
    created_at: datetime | None = None


@dataclass
class StatusModule:
    id: int
    nome: str
    descricao: str
    criar_situacoes: bool = True


@dataclass
class OrderStatus:
    id: int
    nome: str
    valor: int
    module_id: int
    cor: str = "#E9DC40"
    id_herdado: int = 0


@dataclass
class OrderItem:
    id: int
    produto_id: int
    codigo: str
    unidade: str
    quantidade: Decimal
    valor: Decimal
    desconto: Decimal  # percent
    descricao: str
    total: Decimal
    aliquota_ipi: Decimal = Decimal("0")
    descricao_detalhada: str = ""


@dataclass
class Installment:
    id: int
    data_vencimento: date
    valor: Decimal
    forma_id: int
    observacoes: str = ""
    caut: str = ""


@dataclass
class Order:
    id: int
    numero: int
    numero_loja: str
    data: date
    data_saida: date
    data_prevista: date
    contato_id: int
    situacao_id: int
    items: list[OrderItem]
    parcelas: list[Installment]
    total_produtos: Decimal
    total: Decimal
    desconto_valor: Decimal = Decimal("0")
    desconto_unidade: str = "REAL"
    outras_despesas: Decimal = Decimal("0")
    frete: Decimal = Decimal("0")
    loja_id: int = 0
    observacoes: str = ""
    observacoes_internas: str = ""
    numero_pedido_compra: str = ""
    stock_deposit_id: int | None = None  # deposit where the stock was launched, if launched
    created_at: datetime | None = None
    changed_at: datetime | None = None


@dataclass
class StockMovement:
    id: int
    produto_id: int
    deposito_id: int
    quantidade: Decimal  # signed: negative = exit
    operacao: str  # "S" saída, "E" entrada
    order_id: int | None
    at: datetime
    observacoes: str = ""


@dataclass
class BlockEvent:
    reason: str  # "token_calls" | "errors" | "requests"
    at: float
    until: float


@dataclass
class Counters:
    requests_total: int = 0  # every HTTP request received
    api_requests: int = 0  # authenticated API requests admitted past the rate limit
    token_calls: list[float] = field(default_factory=list)  # monotonic times of /oauth/token
    too_many_requests: int = 0  # 429 answers (real or injected)
    orders_created: int = 0
    errors_5xx_injected: int = 0
    dropped_connections: int = 0
    unauthorized: int = 0  # 401 answers
    ip_blocked_answers: int = 0
    max_requests_in_window: int = 0  # high-water mark of requests per IP window
    max_errors_in_window: int = 0  # high-water mark of error answers per IP window
    max_token_calls_in_window: int = 0  # high-water mark of token calls per token window

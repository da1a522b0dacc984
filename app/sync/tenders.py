"""NFC-e tender (tPag) and card brand (tBand) tables, with the names users read.

Bling's `tipoPagamento` uses the tPag numbering and `dadosCartao.bandeira` the tBand numbering
(01-09 and 99), which is what makes automatic suggestions possible (see mappings.py).
"""

from __future__ import annotations

import re
import unicodedata

# nfce.md §5.1, in Brazilian Portuguese.
TENDER_NAMES: dict[str, str] = {
    "01": "Dinheiro",
    "02": "Cheque",
    "03": "Cartão de crédito",
    "04": "Cartão de débito",
    "05": "Cartão da loja / crédito loja",
    "10": "Vale alimentação",
    "11": "Vale refeição",
    "12": "Vale presente",
    "13": "Vale combustível",
    "14": "Duplicata mercantil",
    "15": "Boleto bancário",
    "16": "Depósito bancário",
    "17": "PIX dinâmico",
    "18": "Transferência bancária / carteira digital",
    "19": "Fidelidade / cashback / crédito virtual",
    "20": "PIX estático",
    "21": "Crédito em loja",
    "22": "Pagamento eletrônico não informado",
    "90": "Sem pagamento",
    "99": "Outros",
}

# nfce.md §5.2.
BRAND_NAMES: dict[str, str] = {
    "01": "Visa",
    "02": "Mastercard",
    "03": "American Express",
    "04": "Sorocred",
    "05": "Diners Club",
    "06": "Elo",
    "07": "Hipercard",
    "08": "Aura",
    "09": "Cabal",
    "10": "Alelo",
    "11": "Banescard",
    "12": "CalCard",
    "13": "Credz",
    "14": "Discover",
    "15": "GoodCard",
    "16": "GreenCard",
    "17": "Hiper",
    "18": "JCB",
    "19": "Mais",
    "20": "MaxVan",
    "21": "Policard",
    "22": "RedeCompras",
    "23": "Sodexo",
    "24": "ValeCard",
    "25": "Verocheque",
    "26": "VR",
    "27": "Ticket",
    "99": "Outra bandeira",
}

# Words that name a brand inside a forma's description ("Cartão Crédito Master", "Amex").
# "99" has no alias on purpose: "outros" in a description says nothing about a brand.
_BRAND_ALIASES: dict[str, tuple[str, ...]] = {
    "01": ("visa",),
    "02": ("mastercard", "master", "maestro"),
    "03": ("american express", "amex"),
    "04": ("sorocred",),
    "05": ("diners club", "diners"),
    "06": ("elo",),
    "07": ("hipercard",),
    "08": ("aura",),
    "09": ("cabal",),
    "10": ("alelo",),
    "11": ("banescard",),
    "12": ("calcard",),
    "13": ("credz",),
    "14": ("discover",),
    "15": ("goodcard", "good card"),
    "16": ("greencard", "green card"),
    "17": ("hiper",),
    "18": ("jcb",),
    "19": ("mais",),
    "20": ("maxvan",),
    "21": ("policard",),
    "22": ("redecompras", "rede compras"),
    "23": ("sodexo", "pluxee"),
    "24": ("valecard",),
    "25": ("verocheque",),
    "26": ("vr",),
    "27": ("ticket",),
}

# Bling formas may be registered with the neighbouring PIX type; suggest across them.
RELATED_TENDERS: dict[str, tuple[str, ...]] = {"17": ("20",), "20": ("17",)}


def normalize_tender(code: str | int) -> str:
    """'3', 3 or '03' → '03'. Raises ValueError when it is not a 1-2 digit code."""
    text = str(code).strip()
    if not text.isdigit() or not 1 <= len(text) <= 2:
        raise ValueError(f"invalid tender code: {code!r}")
    return text.zfill(2)


def normalize_brand(brand: str | int | None) -> str:
    """'1', 1, '01' or a brand name ('visa') → '01'; None or '' → '' (any brand)."""
    if brand is None:
        return ""
    text = str(brand).strip()
    if not text:
        return ""
    if text.isdigit() and 1 <= len(text) <= 2:
        return text.zfill(2)
    found = brand_in_text(text)
    if found is None:
        raise ValueError(f"unknown card brand: {brand!r}")
    return found


def tender_label(code: str) -> str:
    """'03 Cartão de crédito' (unknown codes keep their number)."""
    name = TENDER_NAMES.get(code)
    return f"{code} {name}" if name else f"{code} (código desconhecido)"


def brand_label(brand: str) -> str:
    """'01 Visa'; '' → 'qualquer bandeira'."""
    if not brand:
        return "qualquer bandeira"
    name = BRAND_NAMES.get(brand)
    return f"{brand} {name}" if name else f"{brand} (bandeira desconhecida)"


def _plain_words(text: str) -> str:
    """Lower case, accents removed, punctuation turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " " + " ".join(re.findall(r"[a-z0-9]+", ascii_text.lower())) + " "


def brand_in_text(text: str) -> str | None:
    """The single brand named in text (whole words), or None when none or several are named."""
    words = _plain_words(text)
    found = {
        code
        for code, aliases in _BRAND_ALIASES.items()
        for alias in aliases
        if f" {alias} " in words
    }
    return found.pop() if len(found) == 1 else None

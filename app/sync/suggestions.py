"""Automatic DE-PARA suggestions: Bling's tipoPagamento uses the tPag numbering and
dadosCartao.bandeira the tBand numbering, so a tender usually has one obvious forma. A
suggestion is only stored; it is applied when the user accepts it (mappings.accept_suggestions).
"""

from __future__ import annotations

from app.store.models import PaymentForm, PaymentMapping
from app.sync.tenders import RELATED_TENDERS, brand_in_text, normalize_brand, normalize_tender


def _form_brand(form: PaymentForm) -> str | None:
    if form.card_brand:
        return f"{int(form.card_brand):02d}"
    return brand_in_text(form.description)


def suggest_forma(tender_code: str, card_brand: str = "") -> int | None:
    """The one active forma whose tipoPagamento matches the tender (and whose brand matches the
    row's brand, or that names no brand for a plain row); None when none or ambiguous."""
    code = normalize_tender(tender_code)
    brand = normalize_brand(card_brand)
    forms = list(PaymentForm.select().where(PaymentForm.active == True))  # noqa: E712
    for types in ((code,), RELATED_TENDERS.get(code, ())):
        wanted = {int(t) for t in types}
        candidates = [f for f in forms if f.payment_type in wanted]
        # A plain row (any brand) takes a forma that names no brand or Bling's "99 Outros".
        accepted = {brand} if brand else {None, "99"}
        pool = [f for f in candidates if _form_brand(f) in accepted]
        if len(pool) == 1:
            return int(pool[0].id)
        defaults = [f for f in pool if f.is_default]
        if len(pool) > 1 and len(defaults) == 1:
            return int(defaults[0].id)
        if pool:
            return None  # ambiguous: the user chooses
    return None


def refresh_open_suggestions() -> int:
    """Recompute the suggestion of every DE-PARA row still without a forma (after the formas
    were pulled); returns how many of them have one. Nothing is applied."""
    with_suggestion = 0
    for row in PaymentMapping.select().where(PaymentMapping.forma_id.is_null()):
        try:
            suggestion = suggest_forma(row.tender_code, row.card_brand)
        except ValueError:
            suggestion = None
        if suggestion != row.suggested_forma_id:
            PaymentMapping.update(suggested_forma_id=suggestion).where(
                (PaymentMapping.tender_code == row.tender_code)
                & (PaymentMapping.card_brand == row.card_brand)
            ).execute()
        with_suggestion += suggestion is not None
    return with_suggestion

"""Contacts: the built-in consumer, search by CPF/CNPJ, creation."""

from __future__ import annotations

from typing import Any

from app.documents import digits_only, is_valid_cnpj, is_valid_cpf
from app.simulator.context import Ctx, paginate
from app.simulator.errors import ApiError, field_error, not_found, validation_error
from app.simulator.http import Request, Response, data
from app.simulator.models import Contact

NS = "CONTATOS"
_PERSON_KIND = {1: "F", 2: "J", 3: "E"}


def contact_row(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "nome": contact.nome,
        "codigo": contact.codigo,
        "situacao": contact.situacao,
        "numeroDocumento": contact.numero_documento,
        "telefone": contact.telefone,
        "celular": contact.celular,
    }


def contact_detail(contact: Contact) -> dict[str, Any]:
    out = contact_row(contact)
    empty_address = {
        "endereco": "",
        "cep": "",
        "bairro": "",
        "municipio": "",
        "uf": "",
        "numero": "",
        "complemento": "",
    }
    out.update(
        {
            "fantasia": contact.fantasia,
            "tipo": contact.tipo,
            "indicadorIe": 9,
            "ie": "",
            "rg": "",
            "inscricaoMunicipal": "",
            "orgaoEmissor": "",
            "email": contact.email,
            "emailNotaFiscal": "",
            "orgaoPublico": "N",
            "endereco": {"geral": dict(empty_address), "cobranca": dict(empty_address)},
            "vendedor": {"id": 0},
            "financeiro": {"limiteCredito": 0, "condicaoPagamento": "", "categoria": {"id": 0}},
            "pais": {"nome": "BRASIL"},
            "tiposContato": [],
            "pessoasContato": [],
        }
    )
    return out


def consumer_final(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    contact_id = ctx.state.consumer_final_id
    contact = ctx.state.contacts.get(contact_id) if contact_id is not None else None
    if contact is None:
        raise not_found("Contato consumidor final não encontrado.")
    return data(contact_detail(contact))


def get_contact(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    contact = ctx.state.contacts.get(int(params["idContato"]))
    if contact is None or contact.situacao == "E":
        raise not_found("Contato não encontrado.")
    return data(contact_detail(contact))


def list_contacts(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    q = req.query
    criterio = q.get_int("criterio", 3)
    if criterio not in (1, 2, 3, 4):
        raise validation_error("Parâmetro inválido", "criterio deve ser 1, 2, 3 ou 4.")
    document = digits_only(q.get("numeroDocumento") or "")
    search = (q.get("pesquisa") or "").casefold()
    search_digits = digits_only(search)
    ids = set(q.get_int_list("idsContatos"))
    person = q.get_int("tipoPessoa")
    with_orders = {o.contato_id for o in ctx.state.orders.values()}

    def keep(c: Contact) -> bool:
        if criterio == 2:
            if c.situacao != "E":
                return False
        elif c.situacao == "E":
            return False
        if criterio == 4 and c.id in with_orders:
            return False
        if document and c.numero_documento != document:
            return False
        if ids and c.id not in ids:
            return False
        if person is not None and _PERSON_KIND.get(person) != c.tipo:
            return False
        if search:
            texts = (c.nome, c.fantasia, c.email, c.codigo)
            hit = any(search in t.casefold() for t in texts if t)
            if not hit and search_digits and search_digits == c.numero_documento:
                hit = True
            if not hit:
                return False
        return True

    rows = [c for c in ctx.state.contacts.values() if keep(c)]
    rows.sort(key=lambda c: c.id, reverse=criterio == 3)
    return data([contact_row(c) for c in paginate(q, rows)])


def create_contact(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    body = req.json()
    if not isinstance(body, dict):
        raise ApiError(
            400, "INVALID_REQUEST_BODY", "Corpo da requisição inválido", "Esperado um objeto JSON."
        )
    name = str(body.get("nome") or "").strip()
    if not name:
        raise ApiError(
            400,
            "MISSING_REQUIRED_FIELD_ERROR",
            "Não foi possível salvar o contato",
            "O nome do contato é obrigatório.",
            [field_error(0, "O nome do contato é obrigatório.", "nome", NS)],
        )
    kind = str(body.get("tipo") or "F")
    if kind not in ("F", "J", "E"):
        message = "Tipo de pessoa inválido. Use F, J ou E."
        raise validation_error(
            "Não foi possível salvar o contato", message, [field_error(0, message, "tipo", NS)]
        )
    document = digits_only(str(body.get("numeroDocumento") or ""))
    if document:
        valid = (
            is_valid_cpf(document)
            if kind == "F"
            else is_valid_cnpj(document)
            if kind == "J"
            else True
        )
        if not valid:
            label = "CPF" if kind == "F" else "CNPJ"
            message = f"O {label} informado é inválido."
            raise validation_error(
                "Não foi possível salvar o contato",
                "O contato não pode ser salvo, pois ocorreram problemas em sua validação.",
                [field_error(3, message, "numeroDocumento", NS)],
            )
    contact = Contact(
        ctx.state.new_id(),
        name,
        kind,
        situacao=str(body.get("situacao") or "A"),
        numero_documento=document,
        codigo=str(body.get("codigo") or ""),
        fantasia=str(body.get("fantasia") or ""),
        email=str(body.get("email") or ""),
        telefone=str(body.get("telefone") or ""),
        celular=str(body.get("celular") or ""),
        created_at=ctx.now(),
    )
    ctx.state.contacts[contact.id] = contact
    return data({"id": contact.id}, 201)

"""Products, variations, formas de pagamento, depósitos, contacts and statuses."""

from __future__ import annotations

from app.documents import is_valid_ean13
from app.simulator import RunningSimulator, demo_catalog
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api


def _all_pages(
    api: Api, path: str, limit: int, **params: object
) -> tuple[list[dict[str, object]], int]:
    rows: list[dict[str, object]] = []
    page = 1
    while True:
        batch = api.data(path, pagina=page, limite=limit, **params)
        rows.extend(batch)
        if len(batch) < limit:
            return rows, page
        page += 1


def test_demo_seed_is_a_believable_chain(sim: RunningSimulator) -> None:
    api = Api(sim)
    deposits = {d["descricao"]: d for d in api.data("/depositos")}
    assert {"Geral", "Loja Centro", "Loja Shopping"} <= set(deposits)
    assert [d["descricao"] for d in deposits.values() if d["padrao"]] == ["Geral"]
    catalog = demo_catalog()
    assert 40 <= len(catalog) <= 60
    assert all(is_valid_ean13(e.gtin) for e in catalog)
    assert len({e.code for e in catalog}) == len(catalog)
    assert any(not e.active for e in catalog)
    kinds = {f["tipoPagamento"] for f in api.data("/formas-pagamentos")}
    assert {1, 3, 4, 10, 11, 12, 17, 20, 99} <= kinds


def test_pagination_pages_until_a_short_page(sim_factory: SimFactory) -> None:
    sim = sim_factory(seed="bench:230")
    api = Api(sim)
    rows, pages = _all_pages(api, "/produtos", 100, criterio=5)
    total = len(sim.state.products)
    assert len(rows) == total
    assert pages == total // 100 + 1
    assert len({r["id"] for r in rows}) == total
    small, small_pages = _all_pages(api, "/produtos", 7, criterio=2, tipo="PS")
    assert small_pages == len(small) // 7 + 1
    assert api.data("/produtos", pagina=999) == []
    # limite above 100 is capped at 100
    assert len(api.data("/produtos", limite=500, criterio=5)) == 100
    bad = api.get("/produtos", pagina=0)
    assert bad.status_code == 400


def test_product_criteria_and_kinds(sim: RunningSimulator) -> None:
    api = Api(sim)
    active = api.data("/produtos", criterio=2)
    inactive = api.data("/produtos", criterio=3)
    assert active and all(r["situacao"] == "A" for r in active)
    assert [r["codigo"] for r in inactive] == ["CAM-EST-OLD"]
    latest = api.data("/produtos")  # Bling's default criterio 1: newest first
    ids = [r["id"] for r in latest]
    assert ids == sorted(ids, reverse=True)
    parents = api.data("/produtos", tipo="C", criterio=2)
    assert {r["codigo"] for r in parents} == {"CAM-BAS", "CAL-JEA", "TEN-CAS", "MOL-CAP", "MEI-CUR"}
    assert all(r["formato"] == "V" and "idProdutoPai" not in r for r in parents)
    variations = api.data("/produtos", tipo="V", criterio=2)
    assert len(variations) == 25 and all("idProdutoPai" in r for r in variations)
    simple = api.data("/produtos", tipo="PS", criterio=2)
    assert all("idProdutoPai" not in r and r["formato"] == "S" for r in simple)
    services = api.data("/produtos", tipo="S")
    assert [r["tipo"] for r in services] == ["S"]
    assert all("gtin" not in r for r in active)  # list rows carry no gtin, per the reference


def test_lookup_by_codes_gtins_and_ids(sim: RunningSimulator) -> None:
    api = Api(sim)
    catalog = {e.code: e for e in demo_catalog()}
    rows = api.data("/produtos", **{"codigos[]": ["CAM-BAS-M-PR", "BON-ABA", "NAO-EXISTE"]})
    assert {r["codigo"] for r in rows} == {"CAM-BAS-M-PR", "BON-ABA"}
    gtins = [catalog["TEN-CAS-40"].gtin, catalog["CAS-CAJ"].gtin]
    by_gtin = api.data("/produtos", **{"gtins[]": gtins})
    assert sorted(r["gtin"] for r in by_gtin) == sorted(gtins)
    assert {r["codigo"] for r in by_gtin} == {"TEN-CAS-40", "CAS-CAJ"}
    ids = [r["id"] for r in rows]
    assert {r["id"] for r in api.data("/produtos", **{"idsProdutos[]": ids})} == set(ids)


def test_changed_since_filter_and_one_year_window(sim: RunningSimulator) -> None:
    api = Api(sim)
    product = api.product("GAR-TER")
    now = sim.state.clock.now()
    since = now.strftime("%Y-%m-%d %H:%M:%S")
    assert api.data("/produtos", dataAlteracaoInicial=since) == []
    sim.clock.advance(2)
    assert api.patch(f"/produtos/{product['id']}", {"preco": 71.5}).status_code == 200
    changed = api.data("/produtos", criterio=2, dataAlteracaoInicial=since)
    assert [(r["codigo"], r["preco"]) for r in changed] == [("GAR-TER", 71.5)]
    too_wide = api.get(
        "/produtos",
        dataAlteracaoInicial="2024-01-01 00:00:00",
        dataAlteracaoFinal="2025-06-01 00:00:00",
    )
    assert too_wide.status_code == 400
    assert too_wide.json()["error"]["type"] == "VALIDATION_ERROR"


def test_product_detail_and_variations(sim: RunningSimulator) -> None:
    api = Api(sim)
    parent = api.product("CAM-BAS")
    detail = api.data(f"/produtos/{parent['id']}")
    assert detail["formato"] == "V"
    children = detail["variacoes"]
    assert [c["codigo"] for c in children][:2] == ["CAM-BAS-P-BR", "CAM-BAS-P-PR"]
    assert len(children) == 6
    assert all(c["variacao"]["produtoPai"]["id"] == parent["id"] for c in children)
    assert children[0]["variacao"]["nome"] == "Tamanho:P;Cor:Branca"
    assert all(is_valid_ean13(c["gtin"]) for c in children)
    same = api.data(f"/produtos/variacoes/{parent['id']}")
    assert [c["id"] for c in same["variacoes"]] == [c["id"] for c in children]
    child = api.data(f"/produtos/{children[0]['id']}")
    assert (
        child["gtin"] == children[0]["gtin"]
        and child["variacao"]["produtoPai"]["id"] == parent["id"]
    )
    simple = api.product("BON-ABA")
    assert api.get(f"/produtos/variacoes/{simple['id']}").status_code == 404
    assert api.get("/produtos/999").status_code == 404


def test_create_products_and_deactivate(sim: RunningSimulator) -> None:
    api = Api(sim)
    created = api.post(
        "/produtos",
        {
            "nome": "Regata Dry",
            "codigo": "REG-DRY",
            "preco": 39.9,
            "tipo": "P",
            "situacao": "A",
            "formato": "S",
            "unidade": "UN",
            "gtin": "7891000315507",
        },
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["data"]["id"]
    assert api.product("REG-DRY")["id"] == new_id
    parent = api.post(
        "/produtos",
        {
            "nome": "Bermuda",
            "codigo": "BER",
            "preco": 89.9,
            "tipo": "P",
            "situacao": "A",
            "formato": "V",
            "variacoes": [
                {
                    "nome": "Bermuda P",
                    "codigo": "BER-P",
                    "preco": 89.9,
                    "tipo": "P",
                    "situacao": "A",
                    "formato": "S",
                    "variacao": {
                        "nome": "Tamanho:P",
                        "ordem": 1,
                        "produtoPai": {"cloneInfo": True},
                    },
                },
                {
                    "nome": "Bermuda M",
                    "codigo": "BER-M",
                    "preco": 89.9,
                    "tipo": "P",
                    "situacao": "A",
                    "formato": "S",
                    "variacao": {
                        "nome": "Tamanho:M",
                        "ordem": 2,
                        "produtoPai": {"cloneInfo": True},
                    },
                },
            ],
        },
    )
    assert parent.status_code == 201, parent.text
    saved = parent.json()["data"]["variations"]["saved"]
    assert len(saved) == 2
    variations = api.data(f"/produtos/variacoes/{parent.json()['data']['id']}")["variacoes"]
    assert [v["codigo"] for v in variations] == ["BER-P", "BER-M"]
    duplicate = api.post(
        "/produtos",
        {"nome": "Outro", "codigo": "REG-DRY", "tipo": "P", "situacao": "A", "formato": "S"},
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["fields"][0]["element"] == "codigo"
    assert api.patch(f"/produtos/{new_id}/situacoes", {"situacao": "I"}).status_code == 204
    assert new_id in [r["id"] for r in api.data("/produtos", criterio=3)]
    assert new_id not in [r["id"] for r in api.data("/produtos", criterio=2)]


def test_formas_filters_and_card_brand(sim: RunningSimulator) -> None:
    api = Api(sim)
    everything = api.data("/formas-pagamentos")
    active = api.data("/formas-pagamentos", situacao=1)
    assert len(active) < len(everything)
    assert all(f["situacao"] == 1 for f in active)
    credit = api.data("/formas-pagamentos", **{"tiposPagamentos[]": [3]})
    assert {f["descricao"] for f in credit} >= {"Crédito Visa", "Crédito Mastercard"}
    assert all(f["tipoPagamento"] == 3 for f in credit)
    pix = api.data("/formas-pagamentos", descricao="pix")
    assert pix and all("PIX" in f["descricao"] for f in pix)
    visa = api.data(f"/formas-pagamentos/{api.forma('Crédito Visa')['id']}")
    assert visa["dadosCartao"]["bandeira"] == 1
    master = api.data(f"/formas-pagamentos/{api.forma('Débito Mastercard')['id']}")
    assert master["dadosCartao"]["bandeira"] == 2 and master["tipoPagamento"] == 4
    cash = api.data(f"/formas-pagamentos/{api.forma('Dinheiro')['id']}")
    assert "dadosCartao" not in cash and cash["padrao"] == 1
    assert api.get("/formas-pagamentos/1").status_code == 404


def test_depositos_default_to_active(sim: RunningSimulator) -> None:
    api = Api(sim)
    active = api.data("/depositos")
    assert "Depósito Antigo" not in {d["descricao"] for d in active}
    inactive = api.data("/depositos", situacao=0)
    assert [d["descricao"] for d in inactive] == ["Depósito Antigo"]
    one = api.data(f"/depositos/{active[1]['id']}")
    assert one == active[1]
    assert api.get("/depositos/123").status_code == 404


def test_empty_account_has_only_the_basics(sim_factory: SimFactory) -> None:
    sim = sim_factory(seed=None)
    api = Api(sim)
    assert api.data("/produtos", criterio=5) == []
    assert api.data("/formas-pagamentos") == []
    assert [d["descricao"] for d in api.data("/depositos")] == ["Geral"]
    assert api.data("/contatos/consumidor-final")["nome"] == "Consumidor Final"
    assert any(m["nome"] == "Vendas" for m in api.data("/situacoes/modulos"))


def test_contacts_search_and_create(sim: RunningSimulator) -> None:
    api = Api(sim)
    consumer = api.data("/contatos/consumidor-final")
    assert consumer["nome"] == "Consumidor Final"
    maria = api.data("/contatos", numeroDocumento="529.982.247-25", criterio=1)
    assert [c["nome"] for c in maria] == ["Maria Aparecida da Silva"]
    assert api.data("/contatos", pesquisa="joão")[0]["nome"] == "João Pereira Santos"
    created = api.post(
        "/contatos",
        {"nome": "Ana Lima", "tipo": "F", "situacao": "A", "numeroDocumento": "39053344705"},
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["data"]["id"]
    assert [c["id"] for c in api.data("/contatos", numeroDocumento="39053344705")] == [new_id]
    assert api.data("/contatos")[0]["id"] == new_id  # default criterio 3: latest first
    company = api.post(
        "/contatos",
        {"nome": "Loja X", "tipo": "J", "situacao": "A", "numeroDocumento": "11222333000181"},
    )
    assert company.status_code == 201
    bad = api.post(
        "/contatos",
        {"nome": "Errado", "tipo": "F", "situacao": "A", "numeroDocumento": "12345678900"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["element"] == "numeroDocumento"
    assert api.data(f"/contatos/{new_id}")["numeroDocumento"] == "39053344705"


def test_sales_statuses(sim: RunningSimulator) -> None:
    api = Api(sim)
    modules = api.data("/situacoes/modulos")
    sales = [m for m in modules if m["nome"] == "Vendas"]
    assert len(sales) == 1
    statuses = {s["nome"]: s["id"] for s in api.data(f"/situacoes/modulos/{sales[0]['id']}")}
    assert statuses["Em aberto"] == 6 and statuses["Atendido"] == 9
    assert statuses["Cancelado"] == 12 and statuses["Em andamento"] == 15
    assert api.get("/situacoes/modulos/1").status_code == 404


def test_unknown_path_and_wrong_method(sim: RunningSimulator) -> None:
    api = Api(sim)
    missing = api.get("/nada/aqui")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "RESOURCE_NOT_FOUND"
    wrong = api.session.delete(sim.base_url + "/depositos", timeout=5)
    assert wrong.status_code == 405 and wrong.json()["error"]["type"] == "METHOD_NOT_ALLOWED"


def test_extra_products_on_top_of_a_seed(sim_factory: SimFactory) -> None:
    sim = sim_factory(seed=None, extra_products=3)
    api = Api(sim)
    rows = api.data("/produtos", criterio=2)
    assert sorted(r["codigo"] for r in rows) == ["BEN-000001", "BEN-000002", "BEN-000003"]
    geral = api.deposit("Geral")["id"]
    balances = api.data(f"/estoques/saldos/{geral}", **{"idsProdutos[]": [r["id"] for r in rows]})
    assert {b["saldoFisicoTotal"] for b in balances} == {100}

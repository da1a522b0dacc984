"""The HTML pages of the authorization step (Portuguese, like Bling's)."""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:sans-serif;background:#f4f6f8;color:#222;margin:0}"
    "main{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px #0002}h1{font-size:1.3rem}button{font-size:1rem;padding:.6rem 1.4rem;"
    "margin-right:.6rem;border-radius:4px;border:1px solid #888;cursor:pointer}"
    "button.ok{background:#1a7f37;color:#fff;border-color:#1a7f37}small{color:#666}"
)


def _page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html lang='pt-BR'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


def consent_page(client_id: str, state: str, action: str) -> bytes:
    """Authorization page with the Autorizar / Negar buttons (a form POST)."""
    return _page(
        "Autorizar aplicativo - Bling (simulador)",
        "<h1>Autorizar acesso à sua conta Bling</h1>"
        f"<p>O aplicativo <strong>{escape(client_id)}</strong> quer acessar produtos, "
        "formas de pagamento, depósitos, contatos, pedidos de venda e estoques da sua conta.</p>"
        f"<form method='post' action='{escape(action)}'>"
        f"<input type='hidden' name='client_id' value='{escape(client_id)}'>"
        f"<input type='hidden' name='state' value='{escape(state)}'>"
        "<button class='ok' type='submit' name='decisao' value='autorizar'>Autorizar</button>"
        "<button type='submit' name='decisao' value='negar'>Negar</button>"
        "</form><p><small>Simulador local do Bling: nenhum dado sai deste computador.</small></p>",
    )


def error_page(message: str) -> bytes:
    return _page(
        "Erro na autorização - Bling (simulador)",
        f"<h1>Não foi possível autorizar</h1><p>{escape(message)}</p>",
    )

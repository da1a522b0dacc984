"""OAuth2 authorization code flow, token rotation and bearer checks of the simulator."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from app.simulator import RunningSimulator
from tests.conftest import SHARED_DIR
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api

BASIC = ("ponte-demo", "ponte-demo-secret")


def _authorize(sim: RunningSimulator, state: str = "st-123") -> str:
    response = requests.get(
        sim.authorize_url,
        params={"response_type": "code", "client_id": "ponte-demo", "state": state},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == [state]
    return query["code"][0]


def _token(
    sim: RunningSimulator, jwt: bool = True, auth: Any = BASIC, **form: str
) -> requests.Response:
    headers = {"enable-jwt": "1"} if jwt else {}
    return requests.post(sim.token_url, data=form, auth=auth, headers=headers, timeout=5)


def _exchange(sim: RunningSimulator, code: str, jwt: bool = True) -> requests.Response:
    return _token(sim, jwt, grant_type="authorization_code", code=code)


def test_auto_approve_redirects_to_registered_uri_with_code_and_state(
    sim: RunningSimulator,
) -> None:
    response = requests.get(
        sim.authorize_url,
        params={
            "response_type": "code",
            "client_id": "ponte-demo",
            "state": "abc",
            "redirect_uri": "http://evil.example/steal",  # ignored, like Bling
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:8765/callback"
    )
    assert parse_qs(location.query)["state"] == ["abc"]
    assert len(parse_qs(location.query)["code"][0]) >= 16


def test_consent_page_authorize_and_deny(sim_factory: SimFactory) -> None:
    sim = sim_factory(auto_approve=False, redirect_uri="http://127.0.0.1:9999/cb?x=1")
    page = requests.get(
        sim.authorize_url,
        params={"response_type": "code", "client_id": "ponte-demo", "state": "s1"},
        timeout=5,
    )
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "Autorizar" in page.text and "Negar" in page.text
    form = {"client_id": "ponte-demo", "state": "s1"}
    ok = requests.post(
        sim.authorize_url, data={**form, "decisao": "autorizar"}, allow_redirects=False, timeout=5
    )
    assert ok.status_code == 302
    query = parse_qs(urlsplit(ok.headers["Location"]).query)
    assert query["x"] == ["1"] and query["state"] == ["s1"] and query["code"]
    assert _exchange(sim, query["code"][0]).status_code == 200
    denied = requests.post(
        sim.authorize_url, data={**form, "decisao": "negar"}, allow_redirects=False, timeout=5
    )
    assert denied.status_code == 302
    query = parse_qs(urlsplit(denied.headers["Location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["s1"]
    assert "code" not in query


def test_unknown_client_gets_error_page(sim: RunningSimulator) -> None:
    response = requests.get(
        sim.authorize_url,
        params={"response_type": "code", "client_id": "outro", "state": "s"},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert "client_id inválido" in response.text


def test_code_exchange_jwt_and_opaque_tokens(sim: RunningSimulator) -> None:
    response = _exchange(sim, _authorize(sim))
    assert response.status_code == 200
    body = response.json()
    example = json.loads(
        (SHARED_DIR / "reference/bling-examples/oauth-token-response.json").read_text()
    )
    assert set(body) == set(example)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 21_600
    jwt = body["access_token"]
    assert 2_000 <= len(jwt) <= 3_000
    assert len(jwt.split(".")) == 3
    opaque = _exchange(sim, _authorize(sim), jwt=False).json()["access_token"]
    assert len(opaque) == 40 and "." not in opaque
    for token in (jwt, opaque):
        assert Api(sim, token).get("/depositos").status_code == 200


def test_code_is_single_use_and_reuse_revokes_the_user(sim: RunningSimulator) -> None:
    code = _authorize(sim)
    first = _exchange(sim, code).json()
    api = Api(sim, first["access_token"])
    assert api.get("/depositos").status_code == 200
    again = _exchange(sim, code)
    assert again.status_code == 400
    assert again.json()["error"]["type"] == "VALIDATION_ERROR"
    assert again.json()["error"]["message"] == "Invalid authorization code"
    assert api.get("/depositos").status_code == 401
    refresh = _token(sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert refresh.status_code == 400
    assert refresh.json()["error"] == "invalid_grant"


def test_code_expires_after_code_ttl(sim: RunningSimulator) -> None:
    code = _authorize(sim)
    sim.clock.advance(61)
    response = _exchange(sim, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    fresh = _authorize(sim)
    sim.clock.advance(59)
    assert _exchange(sim, fresh).status_code == 200


def test_client_credentials_only_through_basic(sim: RunningSimulator) -> None:
    code = _authorize(sim)
    in_body = _token(
        sim,
        auth=None,
        grant_type="authorization_code",
        code=code,
        client_id="ponte-demo",
        client_secret="ponte-demo-secret",
    )
    assert in_body.status_code == 400
    assert in_body.json()["error"] == "invalid_request"
    both = _token(sim, grant_type="authorization_code", code=code, client_id="ponte-demo")
    assert both.status_code == 400
    missing = _token(sim, auth=None, grant_type="authorization_code", code=code)
    assert missing.status_code == 401 and missing.json()["error"] == "invalid_client"
    wrong = _token(sim, auth=("ponte-demo", "errado"), grant_type="authorization_code", code=code)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    # the code was never consumed by the refused calls
    assert _exchange(sim, code).status_code == 200


def test_refresh_rotates_and_old_refresh_token_fails(sim: RunningSimulator) -> None:
    first = _exchange(sim, _authorize(sim)).json()
    second = _token(sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert pair["access_token"] != first["access_token"]
    stale = _token(sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert stale.status_code == 400
    assert stale.json() == {
        "error": "invalid_grant",
        "error_description": stale.json()["error_description"],
    }
    assert Api(sim, pair["access_token"]).get("/depositos").status_code == 200
    third = _token(sim, grant_type="refresh_token", refresh_token=pair["refresh_token"])
    assert third.status_code == 200


def test_access_token_expiry_gives_bling_401_body(sim_factory: SimFactory) -> None:
    sim = sim_factory(access_token_ttl=30)
    tokens = _exchange(sim, _authorize(sim)).json()
    assert tokens["expires_in"] == 30
    api = Api(sim, tokens["access_token"])
    assert api.get("/depositos").status_code == 200
    sim.clock.advance(31)
    response = api.get("/depositos")
    assert response.status_code == 401
    expected = json.loads(
        (SHARED_DIR / "reference/bling-examples/oauth-error-token-expired-401.json").read_text()
    )
    assert response.json() == expected
    renewed = _token(sim, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert Api(sim, renewed["access_token"]).get("/depositos").status_code == 200


def test_refresh_token_expires(sim_factory: SimFactory) -> None:
    sim = sim_factory(refresh_token_ttl=100)
    tokens = _exchange(sim, _authorize(sim)).json()
    sim.clock.advance(101)
    response = _token(sim, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_bearer_required_on_api_calls(sim: RunningSimulator) -> None:
    url = sim.base_url + "/produtos"
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 401 and missing.json()["error"]["type"] == "invalid_token"
    unknown = requests.get(url, headers={"Authorization": "Bearer nao-existe"}, timeout=5)
    assert unknown.status_code == 401
    malformed = requests.get(url, headers={"Authorization": "Basic abc"}, timeout=5)
    assert malformed.status_code == 400
    assert malformed.json()["error"]["description"] == "Malformed auth header"


def test_token_calls_are_counted_and_unsupported_grant(sim: RunningSimulator) -> None:
    before = len(sim.state.token_calls)
    response = _token(sim, grant_type="client_credentials")
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    assert len(sim.state.token_calls) == before + 1
    assert requests.get(sim.token_url, timeout=5).status_code == 405


def test_more_than_20_token_calls_in_a_minute_blocks_the_ip(sim_factory: SimFactory) -> None:
    sim = sim_factory(token_block_seconds=3_600)
    api = Api(sim)
    for _ in range(20):
        assert _token(sim, grant_type="refresh_token", refresh_token="x").status_code == 400
    assert sim.state.counters.max_token_calls_in_window == 20
    assert not sim.state.blocks
    blocked = _token(sim, grant_type="refresh_token", refresh_token="x")
    assert blocked.status_code == 403
    assert blocked.json()["error"]["type"] == "FORBIDDEN"
    assert [b.reason for b in sim.state.blocks] == ["token_calls"]
    assert api.get("/depositos").status_code == 403
    sim.clock.advance(3_601)
    assert api.get("/depositos").status_code == 200


def test_revoke_endpoint(sim: RunningSimulator) -> None:
    tokens = _exchange(sim, _authorize(sim)).json()
    response = requests.post(
        sim.base_url + "/oauth/revoke",
        data={"token": tokens["access_token"]},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200
    assert Api(sim, tokens["access_token"]).get("/depositos").status_code == 401

"""`ponte-bling status`: offline health report from the keyring and the local store."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from app.bling.throttle import sao_paulo_today
from app.cli import main
from app.config import AppPaths
from app.credentials import ClientCredentials, CredentialStore, TokenSet
from app.store.db import close_database, open_database
from app.store.models import SALE_STATES, ApiUsage, Sale, SyncState
from tests.fixtures.keyring import MemoryKeyring

URL = "http://127.0.0.1:9/Api/v3"  # nothing listens there: status must not need it


def _status(capsys: pytest.CaptureFixture[str], data_dir: Path, *extra: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), "--bling-url", URL, "status", *extra])
    return code, capsys.readouterr().out


def _sale(key_suffix: str, state: str) -> None:
    zero = Decimal("0")
    Sale.create(
        key=f"3526120000000000000065001000000{key_suffix:>013}"[:44],
        model=65,
        environment=1,
        emission_mode=1,
        series=1,
        number=int(key_suffix),
        issued_at=datetime(2026, 12, 4, 22, 30, tzinfo=UTC),
        store_cnpj="00000000000191",
        products_total=Decimal("10.00"),
        discount=zero,
        other=zero,
        total=Decimal("10.00"),
        change=zero,
        numero_loja=f"PONTE-{key_suffix}",
        state=state,
    )


def test_not_connected_and_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    code, out = _status(capsys, tmp_path / "data", "--json")
    assert code == 0
    report: dict[str, Any] = json.loads(out)
    assert report["connection"] == "not_connected"
    assert report["sales"] == {state: 0 for state in SALE_STATES}
    assert report["requests_today"] == 0
    assert report["daily_limit"] == 120_000
    assert report["sync"] == {}


def test_full_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    data_dir = tmp_path / "data"
    store = CredentialStore.for_url(URL)
    store.save_client(ClientCredentials("ponte-demo", "ponte-demo-secret"))
    obtained = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    store.save_tokens(
        TokenSet(
            "a" * 3000,
            "r" * 40,
            obtained + timedelta(hours=6),
            datetime.now(UTC) + timedelta(days=29),
            obtained,
        )
    )
    open_database(AppPaths(data_dir))
    try:
        _sale("1", "enviada")
        _sale("2", "enviada")
        _sale("3", "retida")
        ApiUsage.create(day=sao_paulo_today().isoformat(), requests=1234)
        SyncState.create(
            kind="produtos",
            last_success_at=datetime(2026, 12, 4, 22, 30, tzinfo=UTC),
            count=51,
            last_error=None,
            details=json.dumps({"parents": 3, "variations": 24, "simple": 24}),
        )
        SyncState.create(kind="formas", count=0, last_error="Bling fora do ar")
    finally:
        close_database()

    code, out = _status(capsys, data_dir, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["connection"] == "connected"
    assert report["access_token_expires_at"] == "2026-12-05T02:00:00+00:00"
    assert report["requests_today"] == 1234
    assert report["sales"]["enviada"] == 2
    assert report["sales"]["retida"] == 1
    assert set(report["sales"]) == set(SALE_STATES)
    assert report["sync"]["produtos"]["count"] == 51
    assert report["sync"]["produtos"]["details"] == {"parents": 3, "variations": 24, "simple": 24}
    assert report["sync"]["formas"]["last_error"] == "Bling fora do ar"
    assert "a" * 100 not in out  # never a token

    code, text = _status(capsys, data_dir)
    assert code == 0
    assert "Conexão: conectado" in text
    assert "Token de acesso vale até: 04/12/2026 23:00" in text  # São Paulo time
    assert "Requisições hoje: 1.234 de 120.000" in text
    assert re.search(r"^  enviada +2$", text, re.M) and re.search(r"^  retida +1$", text, re.M)
    assert (
        "produtos: 04/12/2026 19:30, 51 itens "
        "(ativos: 3 com variações, 24 variações, 24 simples)" in text
    )
    assert "formas: nunca, 0 itens — último erro: Bling fora do ar" in text


def test_reconnect_required(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    store = CredentialStore.for_url(URL)
    now = datetime.now(UTC)
    store.save_tokens(TokenSet("a", "r", now, now + timedelta(days=30), now))
    store.mark_reconnect_required("invalid_grant")
    code, out = _status(capsys, tmp_path / "data")
    assert code == 0
    assert "reconexão necessária" in out


def test_keyring_unavailable_still_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    keyring.set_keyring(fail.Keyring())  # memory_keyring's teardown restores the guard
    code, out = _status(capsys, tmp_path / "data", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["connection"] == "keyring_unavailable"
    assert "cofre de senhas" in report["connection_detail"]


def test_global_options_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    data_dir = tmp_path / "depois"
    code = main(["status", "--json", "--data-dir", str(data_dir), "--bling-url", URL + "/"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["bling_url"] == URL
    assert (data_dir / "ponte.sqlite3").is_file()
    # Before the subcommand still works, and the subcommand does not overwrite it.
    code = main(["--data-dir", str(tmp_path / "antes"), "status", "--json"])
    assert code == 0
    assert (tmp_path / "antes" / "ponte.sqlite3").is_file()


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0
    assert re.fullmatch(r"ponte-bling \d+\.\d+\.\d+\n", capsys.readouterr().out)
    with pytest.raises(SystemExit) as help_:
        main(["--help"])
    assert help_.value.code == 0
    out = capsys.readouterr().out
    for name in ("simulator", "login", "status", "--data-dir", "--bling-url"):
        assert name in out


@pytest.mark.parametrize(
    "url", ["lixo", "ftp://x/Api/v3", "http://", "http://127.0.0.1:99999/Api/v3"]
)
def test_malformed_bling_url_is_refused_in_portuguese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(tmp_path / "data"), "status", "--bling-url", url])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "erro: argumento --bling-url: endereço do Bling inválido" in err
    assert "Traceback" not in err
    assert not (tmp_path / "data").exists()  # refused before anything was touched

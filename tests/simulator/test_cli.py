"""`ponte-bling simulator`: serves until Ctrl+C; bad options give Portuguese errors."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from app.cli import main
from tests.conftest import OPENAPI_PATH


def _command(tmp_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data"), "simulator", *args]


def test_serves_until_interrupted(tmp_path: Path) -> None:
    process = subprocess.Popen(
        _command(
            tmp_path,
            "--port",
            "0",
            "--seed",
            "demo",
            "--openapi",
            str(OPENAPI_PATH),
            "--auto-approve",
            "--faults",
            "latency=0.01",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(5)]
        assert banner[-1].startswith("Ctrl+C")
        assert "--bling-url" in banner[1]
        first = banner[0]
        assert first.startswith("Simulador do Bling em http://127.0.0.1:")
        base_url = first.rsplit(" ", 1)[-1].strip()
        assert base_url.endswith("/Api/v3")
        authorize = requests.get(
            base_url + "/oauth/authorize",
            params={"response_type": "code", "client_id": "ponte-demo", "state": "s"},
            allow_redirects=False,
            timeout=5,
        )
        assert authorize.status_code == 302
        assert requests.get(base_url + "/depositos", timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "encerrado" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faults", "latencia=1"], "Falha desconhecida"),
        (["--faults", "error5xx=3"], "proporção"),
        (["--openapi", "/nao/existe.json"], "Não foi possível ler o arquivo OpenAPI"),
        (["--seed", "loja"], "Semente desconhecida"),
        (["--rate", "-1"], "não podem ser negativos"),
        (["--redirect-uri", "lixo"], "--redirect-uri inválido"),
    ],
)
def test_bad_options_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["--data-dir", str(tmp_path / "data"), "simulator", "--port", "0", *args])
    assert code != 0
    assert message in capsys.readouterr().err

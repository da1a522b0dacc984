"""Settings the user edits (command line `config`, later the desktop app): parse, validate,
store and show each key. Keys and their meaning live in app/store/settings.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.documents import digits_only, format_cnpj, is_valid_cnpj
from app.errors import ConfigError
from app.store.events import log_event
from app.store.models import Deposit, OrderStatus
from app.store.settings import (
    DEFAULT_DEPOSIT,
    FINAL_STATUS,
    OWN_CNPJS,
    SALES_CHANNEL,
    SYNC_INTERVAL,
    XML_FOLDERS,
    delete_setting,
    get_setting,
    set_setting,
)
from app.sync.mappings import active_deposit

MIN_SYNC_INTERVAL = 10


@dataclass(frozen=True)
class ConfigKey:
    name: str
    help: str  # Portuguese, one line
    parse: Callable[[Sequence[str], list[str]], Any]  # (values, warnings out) → stored value
    show: Callable[[Any], str]


def _joined(values: Sequence[str]) -> str:
    return " ".join(v.strip() for v in values).strip()


def _split_list(values: Sequence[str]) -> list[str]:
    parts: list[str] = []
    for value in values:
        for chunk in value.split(","):
            parts.extend(p.strip() for p in chunk.split(os.pathsep))
    return [p for p in parts if p]


def _parse_folders(values: Sequence[str], warnings: list[str]) -> list[str]:
    # One folder per argument (or os.pathsep-separated); never split on commas, which are
    # legal, and not rare, in Windows folder names.
    folders: list[str] = []
    parts = [p.strip() for value in values for p in value.split(os.pathsep)]
    for part in filter(None, parts):
        path = Path(part).expanduser().resolve()
        if not path.is_dir():
            warnings.append(
                f"Atenção: a pasta {path} não existe (ainda); ela será lida quando existir."
            )
        if str(path) not in folders:
            folders.append(str(path))
    return folders


def _parse_interval(values: Sequence[str], warnings: list[str]) -> int:
    text = _joined(values)
    try:
        seconds = int(text)
    except ValueError:
        raise ConfigError(
            f"Intervalo inválido: {text!r}. Informe um número inteiro de segundos."
        ) from None
    if seconds < MIN_SYNC_INTERVAL:
        raise ConfigError(
            f"Intervalo muito curto: {seconds} s. O mínimo é {MIN_SYNC_INTERVAL} segundos."
        )
    return seconds


def _parse_channel(values: Sequence[str], warnings: list[str]) -> int | None:
    text = _joined(values)
    if not text:
        return None
    if not text.isdigit() or int(text) <= 0:
        raise ConfigError(
            f"Canal de venda inválido: {text!r}. Informe o id numérico da loja (canal de venda) "
            "no Bling, ou um valor vazio para não usar canal."
        )
    return int(text)


def _parse_final_status(values: Sequence[str], warnings: list[str]) -> str | None:
    text = _joined(values)
    if not text:
        return None
    statuses = list(OrderStatus.select())
    if not statuses:
        warnings.append(
            "Atenção: as situações de pedido ainda não foram sincronizadas; o nome será "
            "conferido na próxima sincronização."
        )
        return text
    for status in statuses:
        if status.name.casefold() == text.casefold() or str(status.id) == text:
            return str(status.name)
    names = ", ".join(s.name for s in statuses)
    raise ConfigError(f"Situação {text!r} não existe no Bling. Situações disponíveis: {names}.")


def _parse_default_deposit(values: Sequence[str], warnings: list[str]) -> int | None:
    text = _joined(values)
    if not text:
        return None
    if not text.isdigit():
        raise ConfigError(
            f"Depósito inválido: {text!r}. Informe o id numérico do depósito no Bling."
        )
    return int(active_deposit(int(text)).id)


def _parse_cnpjs(values: Sequence[str], warnings: list[str]) -> list[str]:
    result: list[str] = []
    for part in _split_list(values):
        digits = digits_only(part)
        if not is_valid_cnpj(digits):
            raise ConfigError(f"CNPJ inválido: {part!r}. Confira os 14 dígitos.")
        if digits not in result:
            result.append(digits)
    return result


def _show_list(value: Any) -> str:
    return ", ".join(str(v) for v in value) if value else "(vazio)"


def _show_plain(value: Any) -> str:
    return "(vazio)" if value in (None, "") else str(value)


def _show_interval(value: Any) -> str:
    return "(vazio)" if value in (None, "") else f"{value} segundos"


def _show_deposit(value: Any) -> str:
    if value in (None, ""):
        return "(vazio)"
    deposit = Deposit.get_or_none(Deposit.id == int(value))
    return f"{value} ({deposit.description})" if deposit is not None else str(value)


def _show_cnpjs(value: Any) -> str:
    return ", ".join(format_cnpj(v) for v in value) if value else "(vazio)"


CONFIG_KEYS: dict[str, ConfigKey] = {
    k.name: k
    for k in (
        ConfigKey(
            XML_FOLDERS, "pastas de XML do PDV (separe por vírgula)", _parse_folders, _show_list
        ),
        ConfigKey(
            SYNC_INTERVAL,
            f"segundos entre ciclos (mínimo {MIN_SYNC_INTERVAL})",
            _parse_interval,
            _show_interval,
        ),
        ConfigKey(
            SALES_CHANNEL,
            "id da loja (canal de venda) no Bling; vazio = nenhum",
            _parse_channel,
            _show_plain,
        ),
        ConfigKey(
            FINAL_STATUS,
            "situação do pedido após a baixa de estoque (ex.: Atendido); vazio = não mudar",
            _parse_final_status,
            _show_plain,
        ),
        ConfigKey(
            DEFAULT_DEPOSIT,
            "depósito das lojas sem depósito próprio; vazio = nenhum",
            _parse_default_deposit,
            _show_deposit,
        ),
        ConfigKey(
            OWN_CNPJS, "CNPJs da rede (NF-e própria conta como venda)", _parse_cnpjs, _show_cnpjs
        ),
    )
}


def config_key(name: str) -> ConfigKey:
    """The key definition, or a ConfigError listing the valid keys."""
    key = CONFIG_KEYS.get(name)
    if key is None:
        valid = ", ".join(CONFIG_KEYS)
        raise ConfigError(f"Chave desconhecida: {name!r}. Chaves válidas: {valid}.")
    return key


def set_config(name: str, values: Sequence[str]) -> tuple[Any, list[str]]:
    """Parse, validate and store a setting; empty values clear it. Returns (value, warnings)."""
    key = config_key(name)
    warnings: list[str] = []
    value = key.parse(values, warnings)
    if value is None:
        delete_setting(name)
    else:
        set_setting(name, value)
    log_event("config", f"Configuração {name} = {key.show(value)}.")
    return value, warnings


def get_config(name: str) -> Any:
    """The stored value of a key (None when unset)."""
    config_key(name)
    return get_setting(name)


def show_config(name: str) -> str:
    """The stored value formatted for people."""
    return config_key(name).show(get_setting(name))

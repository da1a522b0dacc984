#!/usr/bin/env bash
# Installs what Ponte needs on a fresh Debian machine (run as root or with sudo available):
# Qt's system libraries, gnome-keyring + D-Bus for the Secret Service test, and a virtual
# environment in .venv with the project and its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Qt 6 (PySide6) runtime libraries, offscreen and xcb
  libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  # Secret Service for the keyring test
  dbus dbus-x11 gnome-keyring
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo ">> instalando pacotes do sistema: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo ">> criando ambiente virtual em .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.ponte-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo ">> instalando dependências Python"
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v WARNING || true
  .venv/bin/python -m pip install -q -e '.[dev]' 2>&1 | grep -vE "WARNING|^\s*$|!!|wheel_obj|strategy" || true
  .venv/bin/python -c "import app, PySide6, peewee, keyring, nfelib" 
  touch "$stamp"
fi

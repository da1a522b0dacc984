#!/usr/bin/env bash
# Installs what Ponte needs on a fresh Debian machine (run as root or with sudo available):
# Qt's system libraries, gnome-keyring + D-Bus for the Secret Service test, and a virtual
# environment in .venv with the project and its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# One entry per need; "a|b" = the first name this Debian knows (Debian 13 renamed several
# libraries with a t64 suffix). A name the archive does not have is skipped with a warning,
# never fatal: the Python checks below say what is really missing.
APT_PACKAGES=(
  # Python's venv module (Debian ships it separately)
  python3-venv
  # Qt 6 (PySide6) runtime libraries, offscreen and xcb
  libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  "libglib2.0-0t64|libglib2.0-0" libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libx11-xcb1
  # Secret Service for the keyring test
  dbus gnome-keyring
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
available() { LC_ALL=C apt-cache policy "$1" 2>/dev/null | grep -q "Candidate: [^(]"; }

missing=()
for entry in "${APT_PACKAGES[@]}"; do
  IFS='|' read -r -a names <<<"$entry"
  found=""
  for name in "${names[@]}"; do installed "$name" && found="$name" && break; done
  [ -n "$found" ] || missing+=("$entry")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != "0" ] && [ -z "$SUDO" ]; then
    echo "!! faltam pacotes do sistema (${missing[*]}) e não há root nem sudo para instalá-los" >&2
  else
    echo ">> atualizando a lista de pacotes do sistema"
    $SUDO apt-get update -qq || echo "!! apt-get update falhou; seguindo com a lista que existe" >&2
    to_install=()
    for entry in "${missing[@]}"; do
      IFS='|' read -r -a names <<<"$entry"
      chosen=""
      for name in "${names[@]}"; do available "$name" && chosen="$name" && break; done
      if [ -n "$chosen" ]; then to_install+=("$chosen"); else echo "!! pacote indisponível neste sistema, pulado: $entry" >&2; fi
    done
    if [ "${#to_install[@]}" -gt 0 ]; then
      echo ">> instalando pacotes do sistema: ${to_install[*]}"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${to_install[@]}" >/dev/null \
        || echo "!! apt-get install falhou (veja acima); seguindo" >&2
    fi
  fi
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "!! o Ponte precisa de Python 3.11 ou mais novo ($PYTHON: $("$PYTHON" --version 2>&1 || echo ausente))." >&2
  echo "   Instale-o ou aponte outro com PYTHON=/caminho/python3.11 bash scripts/..." >&2
  exit 1
fi
# A venv made while python3-venv was missing has no pip: make it again.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  echo ">> criando ambiente virtual em .venv"
  "$PYTHON" -m venv --clear .venv
fi
# pip is noisy even when all is well: show its output only when it fails.
pip_install() {
  local log
  log="$(mktemp)"
  if ! .venv/bin/python -m pip install -q --disable-pip-version-check "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "!! falhou a instalação das dependências Python (pip install $*); veja acima." >&2
    exit 1
  fi
  rm -f "$log"
}
stamp=".venv/.ponte-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo ">> instalando dependências Python"
  pip_install --upgrade pip
  pip_install -e '.[dev]'
  .venv/bin/python -c "import app, PySide6, peewee, keyring, nfelib"
  touch "$stamp"
fi

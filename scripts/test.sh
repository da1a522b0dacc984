#!/usr/bin/env bash
# The whole test suite: lint (ruff), types (mypy strict on app/ and ui/), tests (pytest), with a
# D-Bus session and an unlocked gnome-keyring so the real Secret Service test runs too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1

echo ">> ruff"
.venv/bin/ruff check app ui tests benchmarks
.venv/bin/ruff format --check app ui tests benchmarks
echo ">> mypy (strict em app/ e ui/)"
.venv/bin/mypy
echo ">> pytest"
exec dbus-run-session -- bash scripts/with-keyring.sh .venv/bin/python -m pytest "$@"

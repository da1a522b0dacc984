#!/usr/bin/env bash
# Sets up and runs Ponte against the built-in Bling simulator with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/ponte-bling demo "$@"

#!/usr/bin/env bash
# Inside a D-Bus session: start gnome-keyring's Secret Service with an unlocked login keyring,
# then run the given command. Used by the test command for the real keyring test.
set -euo pipefail
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
export PONTE_SECRET_SERVICE=1
eval "$(printf 'ponte-test\n' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
export GNOME_KEYRING_CONTROL
exec "$@"

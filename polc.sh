#!/usr/bin/env bash
# Entry point for a fresh machine: makes ./.venv with everything polc needs (once, and again
# whenever pyproject.toml changes), then runs the `polc` command in it.
#   ./polc.sh up     run the whole system on embedded defaults
#   ./polc.sh test   run the test suite
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${POLC_PYTHON:-python3}"
stamp="$venv/.polc-installed"
want="$(sha256sum "$here/pyproject.toml" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$here[test]"
  echo "$want" > "$stamp"
fi
exec "$venv/bin/polc" "$@"

#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need
# (the reference `age` and `minisign` binaries and tmux from Debian when this
# machine can, the Python test dependencies into ./.venv), lints, then pytest.
set -euo pipefail
cd "$(dirname "$0")"

need=()
for tool in age minisign tmux zstd; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  if $SUDO apt-get update -qq >/dev/null 2>&1 \
     && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; then
    echo "test.sh: installed ${need[*]}"
  else
    echo "test.sh: could not install ${need[*]}; interop tests will be skipped" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  PY=.venv/bin/python
fi
"$PY" -m pip install -q --disable-pip-version-check -e '.[test]'
"$PY" -m ruff check .
exec "$PY" -m pytest -q "$@"

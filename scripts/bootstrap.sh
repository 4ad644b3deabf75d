#!/usr/bin/env bash
# Set up (or bring up to date) the project's virtual environment in .venv with uv.
# Needs only Python 3.11+; uv itself is installed into .tools/ when it is not on PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${DORP_PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Dorp needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1 || echo missing)." >&2
  echo "Point DORP_PYTHON at a newer interpreter." >&2
  exit 2
fi

if command -v uv >/dev/null 2>&1; then
  uv=uv
else
  uv="$root/.tools/bin/uv"
  if [ ! -x "$uv" ]; then
    echo "Installing uv into .tools/ (once) ..." >&2
    "$python" -m venv "$root/.tools"
    "$root/.tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
  fi
fi

export UV_PYTHON_DOWNLOADS=never
cd "$root"
"$uv" sync --locked --quiet --python "$python"

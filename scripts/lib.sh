# Shared by the scripts in this folder: find or install uv, then install the workspace.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Only PyPI is reachable: never let uv try to download a Python build.
export UV_PYTHON_DOWNLOADS=never

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then return 0; fi
  local tools="${KINDRED_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kindred}/uv-tool"
  if [[ ! -x $tools/bin/uv ]]; then
    echo "kindred: installing uv from PyPI into $tools (first time only)..." >&2
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check "uv>=0.5,<1"
  fi
  export PATH="$tools/bin:$PATH"
}

ensure_workspace() {
  ensure_uv
  (cd "$REPO_ROOT" && uv sync --all-packages --frozen --quiet)
}

docker_engine() {
  command -v docker >/dev/null 2>&1 && timeout 15 docker info >/dev/null 2>&1
}

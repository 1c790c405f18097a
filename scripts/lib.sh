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

# The browser tests drive Debian's Chromium (Playwright's own download is not used). Installed
# from Debian's packages when missing; CHROMIUM_PATH names another executable.
ensure_browser() {
  if [[ -n ${CHROMIUM_PATH:-} && -x ${CHROMIUM_PATH} ]] || command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  local apt=(apt-get -y -q -o Dpkg::Use-Pty=0 install --no-install-recommends chromium)
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "kindred: Chromium is missing and cannot be installed without root:" \
        "run 'apt-get install chromium' (the browser tests fail until it is there)" >&2
      return 0
    fi
  fi
  echo "kindred: installing Debian's chromium for the browser tests (first time only)..." >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null ||
    { "${sudo[@]}" apt-get -q update >/dev/null && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null; } ||
    echo "kindred: installing chromium failed; the browser tests will say so" >&2
}

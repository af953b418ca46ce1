#!/usr/bin/env bash
# Regenerates the locks that tools/setup.sh installs from (`npm run lock`): tools/lock/requirements.txt from
# requirements-dev.txt and the local packages' declared dependencies, and tools/lock/node.txt, with exact versions
# and sha256 hashes, by pip-compile (pip-tools) in a throwaway venv. Without arguments every pin moves to the newest
# release the declared ranges allow; arguments replace that, e.g. `npm run lock -- --upgrade-package boto3`, or
# `npm run lock -- --no-upgrade` to re-resolve after editing a range while keeping the other pins.
# Uses pip's own configuration (find-links, extra indexes): torch stays the CPU build that lies on disk here.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$root"

pip_tools_version="7.6.2"
python="${MIRAGE_PYTHON:-python3.11}"
compile_args=("$@")
[[ ${#compile_args[@]} -gt 0 ]] || compile_args=(--upgrade)

tool_venv="$(mktemp -d)"
trap 'rm -rf "$tool_venv"' EXIT
echo "lock: installing pip-tools $pip_tools_version into a throwaway venv"
"$python" -m venv "$tool_venv"
"$tool_venv/bin/python" -m pip install --quiet "pip-tools==$pip_tools_version"

# pip-compile's own notes on the editable local packages ("not pinned ... may be rejected") are expected: pip never
# sees them in the lock, setup installs them with --no-deps.
compile() {
  local input="$1" output="$2"
  shift 2
  echo "lock: $input -> $output"
  CUSTOM_COMPILE_COMMAND="npm run lock" "$tool_venv/bin/pip-compile" --quiet --generate-hashes --strip-extras \
    --no-emit-index-url --no-emit-find-links --output-file "$output" "$@" "${compile_args[@]}" "$input"
}
compile tools/lock/requirements.in tools/lock/requirements.txt \
  --unsafe-package mirage-detector --unsafe-package mirage-gpu-worker --unsafe-package mirage-trackers
compile tools/lock/node.in tools/lock/node.txt

"$tool_venv/bin/python" tools/lock/check.py

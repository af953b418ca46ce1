# Puts the repository's Node first on PATH: the Node 24 that tools/setup.sh installs into .venv/node where the
# machine's Node is older than 22 (npm runs our scripts with whatever Node it was started by). No-op where there is
# none. Sourced by setup, test-all and apps/cli/bin/mirage; executed, it runs its arguments with that PATH
# (`bash tools/node-env.sh nx run-many -t lint`).
_mirage_node_bin="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)/.venv/node/bin"
if [[ -x "$_mirage_node_bin/node" ]]; then
  [[ "$PATH" == "$_mirage_node_bin:"* ]] || export PATH="$_mirage_node_bin:$PATH"
  # Tools that re-run "the current Node" read these (npm set them to the Node that started it), and node-gyp
  # would build against the headers of ~/.npmrc's nodedir (the machine's Node) instead of this one's.
  export NODE="$_mirage_node_bin/node"
  export npm_node_execpath="$NODE"
  npm_config_nodedir="$(dirname "$(dirname "$(readlink -f "$NODE")")")"
  export npm_config_nodedir
fi
unset _mirage_node_bin

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  exec "$@"
fi

#!/usr/bin/env bash
# The repository's test command (`npm test`): installs what is missing, starts a private local stack
# (PostgreSQL, S3, Temporal) in .mirage-test/, runs build, lint and test of every nx project against it,
# always stops the stack, and ends with one summary line.
# Env: MIRAGE_TEST_HOME (state dir, default .mirage-test/), MIRAGE_TEST_PROJECTS (comma-separated nx projects,
# default all), and the `mirage up` settings (MIRAGE_*_PORT, MIRAGE_PORT_BASE, DATABASE_URL, S3_ENDPOINT, ...).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

bash tools/setup.sh
# npm started this script with the machine's Node: from here on nx, vitest, tsx and the stack run on the one setup chose.
# shellcheck source=tools/node-env.sh
source tools/node-env.sh
echo "test-all: $(command -v node) $(node --version)"

mirage="$root/apps/cli/bin/mirage"
default_home="$root/.mirage-test"
export MIRAGE_HOME="${MIRAGE_TEST_HOME:-$default_home}"

stop_stack() {
  "$mirage" down >/dev/null || echo "test-all: could not stop the test stack in $MIRAGE_HOME; run: MIRAGE_HOME=$MIRAGE_HOME $mirage down" >&2
}

# Leftovers of an interrupted run are stopped; the default test home then starts from empty data.
"$mirage" down >/dev/null
if [[ "$MIRAGE_HOME" == "$default_home" ]]; then
  rm -rf "$default_home"
fi
trap stop_stack EXIT
# A stack already up on the default ports (`npm run demo` leaves one) must not stop the tests: unless the caller
# chose ports, the private stack takes a family of free ones.
if [[ -z "${MIRAGE_TEMPORAL_PORT:-}${MIRAGE_PG_PORT:-}${MIRAGE_S3_PORT:-}${MIRAGE_PORT_BASE:-}${DATABASE_URL:-}${S3_ENDPOINT:-}${TEMPORAL_ADDRESS:-}" ]]; then
  eval "$(node_modules/.bin/tsx infra/local/scripts/free-stack-ports.ts)"
fi
"$mirage" up --core
set -a
# shellcheck disable=SC1091
source "$MIRAGE_HOME/stack.env"
set +a

selection=()
if [[ -n "${MIRAGE_TEST_PROJECTS:-}" ]]; then
  selection=("--projects=$MIRAGE_TEST_PROJECTS")
  project_count="$(tr ',' '\n' <<<"$MIRAGE_TEST_PROJECTS" | grep -c .)"
else
  project_count="$(NX_DAEMON=false npx nx show projects | grep -c .)"
fi
run_log="$(mktemp)"
trap 'stop_stack; rm -f "$run_log"' EXIT

set +e
NX_DAEMON=false npx nx run-many -t build lint test --parallel=1 --outputStyle=stream "${selection[@]}" 2>&1 | tee "$run_log"
status="${PIPESTATUS[0]}"
set -e
# Colours out, once: the counts and the failure report below read plain text.
sed -i 's/\x1b\[[0-9;]*m//g' "$run_log"

# Test counts from vitest ("Tests  43 passed (43)") and pytest ("278 passed in 24s" / "58 passed, 2 skipped in").
passed="$(grep -oE '(Tests +[0-9]+ passed|[0-9]+ passed(,| in))' "$run_log" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}' || true)"
if [[ "$status" -eq 0 ]]; then
  echo "all $project_count projects built, linted and tested"
  echo "tests: $passed passed, 0 failed"
  exit 0
fi
# nx lists each failed task as "- project:target" after its summary.
failed="$(sed -n '/failed/,$p' "$run_log" | grep -oE -- '- [A-Za-z0-9@/_.-]+:(build|lint|test)' | sed 's/^- //' | sort -u | tr '\n' ' ')"
# A CI log keeps only its tail: each failed task's own last lines are printed again here, after nx's summary.
for task in $failed; do
  echo "test-all: the last lines of $task:"
  # the task's section runs from its "> nx run" header to the next; nx prefixes each of its lines "project: "
  awk -v header="> nx run $task" -v prefix="${task%%:*}: " '
    index($0, "> nx run ") == 1 { inside = ($0 == header) }
    inside && index($0, prefix) == 1 { print }' "$run_log" | tail -n 60
done
echo "tests: FAILED: ${failed:-see the output above} (of $project_count projects)"
exit 1

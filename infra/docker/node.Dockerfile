# syntax=docker/dockerfile:1
# One image for the Node side: the orchestrator (a Temporal worker), the dashboard and the `mirage` CLI. It holds
# the repository as a checkout does: the services run their TypeScript sources through tsx (there is no build
# step), and the CLI derives the detector code version from libs/detector/src, so this image and the GPU worker
# image must come from the same commit. The compose service or k8s container picks the command:
#   orchestrator   node --import tsx apps/orchestrator/src/main.ts
#   dashboard      node --import tsx apps/dashboard/src/main.ts
#   CLI            apps/cli/bin/mirage <command>     (target `cli`: adds the CPU Python the CLI shells out to)
# Build from the repository root; BuildKit reads node.Dockerfile.dockerignore beside this file:
#   docker build -f infra/docker/node.Dockerfile --target service -t mirage-node .
#   docker build -f infra/docker/node.Dockerfile --target cli -t mirage-cli .
ARG NODE_IMAGE=node:22-bookworm-slim

# --- the CLI's Python, built apart so a source change does not reinstall torch -------------------------------
FROM ${NODE_IMAGE} AS python-venv
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 python3.11-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY tools/lock/requirements.txt tools/lock/requirements.txt
# The lock pins torch==X+cpu with its hashes: the CPU build lives on PyTorch's CPU index, not on PyPI.
RUN python3.11 -m venv .venv \
 && .venv/bin/pip install --no-cache-dir --require-hashes \
      --extra-index-url https://download.pytorch.org/whl/cpu -r tools/lock/requirements.txt

# --- orchestrator and dashboard --------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS service
WORKDIR /app
# Manifests first, so `npm ci` reruns only when package-lock.json or a workspace's package.json changes. Dev
# dependencies stay (no NODE_ENV=production): tsx, which runs every service, is one of them.
COPY package.json package-lock.json ./
COPY apps/cli/package.json apps/cli/
COPY apps/orchestrator/package.json apps/orchestrator/
COPY apps/dashboard/package.json apps/dashboard/
COPY libs/contracts/package.json libs/contracts/
COPY libs/db/package.json libs/db/
COPY libs/storage/package.json libs/storage/
COPY libs/workflows/package.json libs/workflows/
COPY libs/datasets/package.json libs/datasets/
COPY libs/tables/package.json libs/tables/
COPY infra/local/package.json infra/local/
COPY tools/package.json tools/
RUN npm ci --no-audit --no-fund
COPY . .
# The CLI keeps its state (stack.env, backbone hashes) under MIRAGE_HOME; the services write nothing else.
ENV MIRAGE_HOME=/home/node/.mirage
RUN mkdir -p "$MIRAGE_HOME" && chown node:node "$MIRAGE_HOME"
USER node
CMD ["node", "--import", "tsx", "apps/orchestrator/src/main.ts"]

# --- the CLI: `data register`, `plan`/`launch` and `predict` run <repo>/.venv/bin/python, as setup.sh lays it out
FROM service AS cli
USER root
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=python-venv /app/.venv /app/.venv
# Editable and without dependencies, as tools/setup.sh installs the two local packages.
RUN .venv/bin/pip install --no-cache-dir --no-deps -e libs/detector -e apps/gpu-worker
USER node
ENTRYPOINT ["apps/cli/bin/mirage"]
CMD ["--help"]

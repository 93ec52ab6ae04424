# syntax=docker/dockerfile:1
#
# The rollouts-controller image (ghcr.io/argo-rollouts-ts/rollouts-controller), as run by
# manifests/install.yaml and manifests/namespace-install.yaml:
#   docker build -t ghcr.io/argo-rollouts-ts/rollouts-controller:<tag> .
#
# NOT BUILT HERE: the machine this was written on has no Docker engine, so this file has never
# been built. test/unit/manifests/dockerfile.test.ts checks its invariants statically instead
# (multi-stage, production dependencies only, non-root numeric USER, the entrypoint is the
# package's rollouts-controller bin).

# ---- builder: all dependencies, TypeScript compiled to dist/ ---------------------------------
FROM node:20-bookworm-slim AS builder
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script builds, and the sources are not copied in yet.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# ---- runtime: production dependencies and the compiled output only --------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOME=/home/argo-rollouts
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=builder /src/dist ./dist
COPY --from=builder /src/bin ./bin
# uid/gid 999, as Argo's image. The Deployment mounts emptyDirs at /tmp and
# /home/argo-rollouts/plugin-bin and makes the root filesystem read-only.
RUN groupadd --system --gid 999 argo-rollouts \
    && useradd --system --uid 999 --gid 999 --home-dir /home/argo-rollouts --create-home \
       --shell /usr/sbin/nologin argo-rollouts \
    && mkdir -p /home/argo-rollouts/plugin-bin \
    && chown -R 999:999 /home/argo-rollouts
# Numeric, so that the kubelet can enforce runAsNonRoot.
USER 999:999
# 8080: /healthz; 8090: /metrics (cli-dashboard-ops.md §4.1).
EXPOSE 8080 8090
ENTRYPOINT ["node", "/app/bin/rollouts-controller.js"]

# syntax=docker/dockerfile:1
#
# The long-running queue worker (workers/container.ts): sqs-consumer on the requests and bulk
# queues and their dead-letter queues, GET /health on HEALTH_PORT (200 consuming, 503 starting or
# draining), and on SIGTERM a drain of the in-flight messages before exit 0.
#
#   docker build -t iot-provisioning-worker .
#   docker run --rm -p 8080:8080 -e AWS_REGION=eu-west-1 -e TABLE_NAME=... iot-provisioning-worker
#
# The configuration is the service's environment variables (README, "Configuration"); on ECS
# give the task the WorkerContainerTaskRole of the stack and a stop timeout above the drain
# timeout (docs/deploy.md). This file has not been built here: the machine has no Docker engine.

ARG NODE_IMAGE=node:20-slim

# ---- build: one self-contained ES module bundle (dependencies and the AWS SDK inside) --------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The dev dependencies are the build tools (esbuild, tsx); no install script needs to run.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY api ./api
COPY workers ./workers
COPY infra/deploy ./infra/deploy
RUN node_modules/.bin/tsx infra/deploy/build.ts /src/dist container

# ---- runtime: node and the bundle; no npm, no node_modules, no sources ----------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HEALTH_PORT=8080 \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
# The bundle needs nothing from npm at run time, so the package manager leaves the image.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
COPY --from=build --chown=root:root --chmod=0444 /src/dist/container/index.mjs ./index.mjs
# The image's unprivileged user; the filesystem it runs from is read-only to it.
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM itself (workers/container.ts handles it).
CMD ["node", "index.mjs"]

# syntax=docker/dockerfile:1
# One image for the API, the worker and the migrations (docker-compose.yml picks the command).

# ---- build: all dependencies, then the workflow bundle ----
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY activities ./activities
COPY api ./api
COPY connectors ./connectors
COPY db ./db
COPY lib ./lib
COPY scripts ./scripts
COPY workflows ./workflows
# Workers start from this file instead of running webpack, and every worker of a release runs identical workflow code.
RUN node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js

# ---- runtime: production dependencies only (tsx is one: the services run the TypeScript sources) ----
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY activities ./activities
COPY api ./api
COPY connectors ./connectors
COPY db ./db
COPY lib ./lib
COPY scripts ./scripts
COPY workflows ./workflows
COPY --from=build /app/dist ./dist
# The official image's unprivileged user; the sources stay root-owned and read-only to it.
USER node
EXPOSE 3000
# The API's liveness; docker-compose.yml gives the worker its own check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm wrapper), so SIGTERM reaches the graceful shutdown in scripts/api.ts and scripts/worker.ts.
CMD ["node", "--import", "tsx", "scripts/api.ts"]

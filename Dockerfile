# syntax=docker/dockerfile:1
# One image for the API, the worker and the migrations (docker-compose.yml picks the command).
# The image runs compiled JavaScript (`npm run build`, ARCHITECTURE.md "Build and deploy"): no tsx, no TypeScript
# sources, and no fake servers, tests or benchmarks (the build context leaves them out, .dockerignore).

# ---- build: all dependencies, then `npm run build` (tsc to dist/ and the workflow bundle, once) ----
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY activities ./activities
COPY api ./api
COPY connectors ./connectors
COPY db ./db
COPY lib ./lib
COPY workflows ./workflows
# Only the production entry points; scripts/local and scripts/start.ts belong to the local stack.
COPY scripts/api.ts scripts/worker.ts scripts/migrate.ts scripts/bundle-workflows.ts scripts/build-layout.ts ./scripts/
# Workers start from dist/workflow-bundle.js instead of running webpack, and every worker of a release runs identical workflow code.
RUN npm run build

# ---- runtime: production dependencies and dist/ (compiled code, drizzle migrations, workflow bundle) ----
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The official image's unprivileged user; the code stays root-owned and read-only to it.
USER node
EXPOSE 3000
# The API's liveness; docker-compose.yml gives the worker its own check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm wrapper), so SIGTERM reaches the graceful shutdown in scripts/api.ts and scripts/worker.ts.
CMD ["node", "dist/scripts/api.js"]

# deskgraph's image: the gateway bundled by scripts/build.ts (`npm run build`) and run in plain Node
# with the flags `npm start` uses, with the production dependencies only, as the unprivileged `node`
# user. docker-compose.yml builds it for its replicas.
#
#   docker build -t deskgraph .
#   docker run --rm -p 4000:4000 -e FRESHDESK_DOMAIN=acme -e FRESHDESK_API_KEY=... deskgraph
#
# The image's CMD is what `npm start` runs after its build step (`prestart`), without npm in between:
# the bundle is built here, once, and SIGTERM reaches node directly (a clean stop: requests under way
# get DESKGRAPH_SHUTDOWN_GRACE_MS to finish). The CLI is on the PATH as `deskgraph` (its TypeScript
# sources run through tsx, a production dependency), e.g.
#   docker run --rm -e FRESHDESK_DOMAIN=acme -e FRESHDESK_API_KEY=... deskgraph \
#     deskgraph webhooks install --url https://deskgraph.acme.com/webhooks/freshdesk

ARG NODE_IMAGE=node:20.20-bookworm-slim

# Production dependencies only: their own layer, rebuilt only when the lockfile changes.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Every dependency, for the build (esbuild, through tsx).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
# Owned by root, read-only to the `node` user that runs the gateway.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
RUN ln -s /app/bin/deskgraph.mjs /usr/local/bin/deskgraph
USER node
EXPOSE 4000
# Liveness, as compose and orchestrators probe it (no curl in the slim image: Node's fetch).
# Readiness (Freshdesk reachable, key accepted) is GET /ready, for a load balancer or Kubernetes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 4000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-old-space-size=1024", "dist/index.js"]

# Fieldline's container image: `docker build -t fieldline .` (or `podman build`), then
# `docker run -p 3000:3000 -e DATABASE_URL=postgres://... -e FIELDLINE_SECRET_KEY=... fieldline`.
# compose.yaml runs two of it behind nginx on PostgreSQL and Redis. README.md, "Deployment".
# NODE_IMAGE names the base; any Node 20.19+ image on Debian bookworm with a `node` user will do.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency, then the server bundle (build/cli/main.cjs, with its code cache) and the portal (web/dist).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: the production dependencies (the bundle keeps a few packages outside it, see
# RUNTIME_PACKAGES in scripts/build-server.js, and loads others on first use), the bundle, the
# portal and the launcher. No src/: bin/fieldline.js then runs the build (scripts/server-build.js).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    FIELDLINE_DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: no production dependency has one, and `prepare` (the build) is done above.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts/server-build.js ./scripts/server-build.js
COPY --from=build /app/build ./build
COPY --from=build /app/web/dist ./web/dist
# Uploaded files (and, without DATABASE_URL, the embedded database) live in FIELDLINE_DATA_DIR.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# SIGTERM drains: the listener closes, requests in flight finish (FIELDLINE_SHUTDOWN_TIMEOUT_SECONDS,
# 25 s, within the 30 s a container is given before SIGKILL), workers finish their batch, exit 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/v1/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/fieldline.js", "serve"]

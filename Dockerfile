# The app's image for Azure App Service (Web App for Containers); its last stage is the app, so any builder
# that ignores build targets (azd's remote ACR build does) still builds the app. The reference API has its own
# Dockerfile: reference-api/Dockerfile.
#   docker build -t azure-integrated-auth .
# Docker Hub's Node image; azd's remote build passes the same tag from the registry's cache instead (azure.yaml).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: full dependencies, compile TypeScript ---------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: runtime dependencies only ------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime base: tini as PID 1 forwards SIGTERM from App Service to node ----
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]

# --- app (last stage): compiled app + production dependencies, non-root ----------
FROM runtime AS app
COPY package.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Standard OCI labels; the deploy workflow passes source, revision and version (azure.yaml buildArgs).
ARG IMAGE_SOURCE=""
ARG IMAGE_REVISION=""
ARG IMAGE_VERSION=""
LABEL org.opencontainers.image.title="azure-integrated-auth" \
      org.opencontainers.image.source="${IMAGE_SOURCE}" \
      org.opencontainers.image.revision="${IMAGE_REVISION}" \
      org.opencontainers.image.version="${IMAGE_VERSION}" \
      org.opencontainers.image.licenses="MIT"
USER node
# dist/main.js registers OpenTelemetry's ESM loader itself, and only when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
# A young generation of at most 2 x 8 MiB keeps peak RSS under load near a bare Node server's (BENCHMARKS.md); npm run
# bench runs the app with these same flags.
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]

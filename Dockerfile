# metrics-server-ts container image.
#
#   docker build -t metrics-server-ts:0.1.0 .
#
# Three stages: compile the TypeScript, install the production dependencies,
# and assemble a runtime on distroless Node.js 24 (no shell, no package
# manager) that runs as a non-root user and writes nothing outside the
# --cert-dir volume, so it works with a read-only root filesystem.

ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Lifecycle scripts stay off: "prepare" would compile before the sources are
# copied, and the dev-only "node" package would fetch a second Node binary.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.json

FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
# package.json carries "type": "module", which the compiled code needs.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# Numeric, so that the kubelet can check runAsNonRoot (distroless "nonroot").
USER 65532:65532
EXPOSE 10250
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "/app/dist/src/main.js"]

# syntax=docker/dockerfile:1
# Build a static binary, then run it as a non-root user with config and data
# on a volume. Every setting is available as an SMG_* environment variable.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version the binary reports (--version, /health): the build context has
# no .git, so pass it, e.g. --build-arg VERSION=$(git describe --tags --always).
# Empty, the binary reports "(devel)".
ARG VERSION=""
# tini reaps the grandchildren of upstream MCP servers (npx and uvx start
# some): the gateway stops each server's whole process group, but processes
# that outlive their parent are adopted by PID 1, which must wait for them.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X github.com/securemcp/gateway/config.Version=${VERSION}" \
    -o /out/secure-mcp-gateway ./cmd/secure-mcp-gateway \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/secure-mcp-gateway /usr/local/bin/secure-mcp-gateway
COPY --from=build /usr/bin/tini-static /usr/local/bin/tini
# The volume directory must exist and belong to the nonroot user (65532).
COPY --from=build --chown=65532:65532 /out/data /var/lib/secure-mcp-gateway
ENV SMG_CONFIG_PATH=/var/lib/secure-mcp-gateway/enkrypt_mcp_config.json \
    SMG_DATA_DIR=/var/lib/secure-mcp-gateway \
    SMG_HOST=0.0.0.0 \
    SMG_PORT=8001 \
    SMG_MCP_PORT=8000 \
    SMG_LOG_LEVEL=info
VOLUME ["/var/lib/secure-mcp-gateway"]
# 8001: the management API; 8000: the MCP gateway (/mcp). The image runs
# upstream MCP servers that are in it: this one is static and has none, so
# build FROM it and add the servers (a binary, or node for npx) you configure.
EXPOSE 8000 8001
USER nonroot:nonroot
# Healthy while the server's readiness probe answers 200 (the store answers).
# The image has no shell and no HTTP client: the binary asks, and exits 0 or 1.
# A container run with another SMG_PORT (or an SMG_HOST that is not 0.0.0.0
# or 127.0.0.1) needs its own --health-cmd.
HEALTHCHECK --interval=30s --timeout=10s --start-period=15s --retries=3 \
  CMD ["/usr/local/bin/secure-mcp-gateway", "system", "health-check", "--url", "http://127.0.0.1:8001/readyz"]
ENTRYPOINT ["/usr/local/bin/tini", "--", "/usr/local/bin/secure-mcp-gateway"]
CMD ["system", "start"]

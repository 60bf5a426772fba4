# Developer tasks. The tests need none of them: `go test ./...` is enough.

.PHONY: docs

# Regenerate the API docs (docs/swagger.json and docs/openapi.json) from the
# swag annotations of controllers/, after laying the annotations out as
# `swag fmt` does. docs/gen runs `go tool swag init`, then converts its
# Swagger 2.0 output to OpenAPI 3. Commit the result; tests fail when the
# committed docs are stale or the annotations unformatted.
docs:
	go tool swag fmt --dir controllers
	go run ./docs/gen

.PHONY: generate

# Regenerate the pass-through methods of the store decorators
# (repositories/timed and repositories/cached) from the repository
# interfaces, after adding or changing a repository method. Commit the
# result; tests fail while it is stale.
generate:
	go generate ./repositories/...

.PHONY: bench bench-gateway load load-gateway

# Go benchmarks of the hot paths (key verification, get configuration, get
# and list users, create user) at 10, 1,000 and 100,000 users on SQLite, and
# on PostgreSQL too when SMG_TEST_DATABASE_URL is set. About a minute per
# backend on two cores.
bench:
	go test -run '^$$' -bench . -benchmem -benchtime 1s ./bench/

# Go benchmarks of the MCP gateway: tools/call and tools/list through the
# whole data plane on loopback HTTP, next to the same operations on a direct
# stdio session to the upstream. BENCH_COUNT repeats them (for benchstat).
BENCH_COUNT ?= 1
bench-gateway:
	go test -run '^$$' -bench 'Gateway' -benchtime 3s -count $(BENCH_COUNT) ./bench/

# HTTP load test on loopback: builds the server and the load tool, starts the
# server in a temporary home, seeds it through the API, drives each scenario
# with 16 connections for 10 s, and compares GET /api/v1/configs/{id} with a
# bare Gin handler. LOAD_ARGS adds smg-load flags (e.g. LOAD_ARGS="-users 100000 -keys").
LOAD_ARGS ?=
load:
	mkdir -p bin
	go build -o bin/secure-mcp-gateway ./cmd/secure-mcp-gateway
	go build -o bin/smg-load ./cmd/smg-load
	./bin/smg-load -spawn bin/secure-mcp-gateway $(LOAD_ARGS)

# MCP load test: starts `system start` in a temporary home, seeds
# configurations whose servers are the test upstream, and runs the phases
# call (through the gateway vs directly, 1 client, saturated and paced),
# list, cold (a process per call, as the original does, vs a warm one; needs
# `npm ci`) and sessions (memory of 1,000 stateful sessions). LOAD_ARGS adds
# smg-load flags (e.g. LOAD_ARGS="-phases call -c 32 -d 20s").
load-gateway:
	mkdir -p bin
	go build -o bin/secure-mcp-gateway ./cmd/secure-mcp-gateway
	go build -o bin/smg-load ./cmd/smg-load
	go build -o bin/test-upstream ./gateway/upstream/testdata/upstream
	./bin/smg-load -gateway -spawn bin/secure-mcp-gateway -upstream bin/test-upstream -c 32 -d 10s $(LOAD_ARGS)

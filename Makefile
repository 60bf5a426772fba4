# Developer tasks. The tests need none of them: `go test ./...` is enough.

.PHONY: docs

# Regenerate the API docs (docs/swagger.json and docs/openapi.json) from the
# swag annotations of controllers/: `go tool swag init`, then the conversion
# to OpenAPI 3 (docs/gen). Commit the result; a test fails when it is stale.
docs:
	go run ./docs/gen

-- +goose Up
-- The trusted tool definitions of a server and those waiting for approval,
-- a JSON document; NULL until its tools are first discovered.
ALTER TABLE servers ADD COLUMN tool_pins TEXT;

-- +goose Down
ALTER TABLE servers DROP COLUMN tool_pins;

-- +goose Up
-- The original system's oauth_config of a server, a JSON object; NULL when none.
ALTER TABLE servers ADD COLUMN oauth_config TEXT;

-- +goose Down
ALTER TABLE servers DROP COLUMN oauth_config;

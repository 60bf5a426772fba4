-- +goose Up
-- A server whose one process per configuration is shared by every user
-- (stateless servers); by default each user of each project has their own.
ALTER TABLE servers ADD COLUMN shared_process BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE servers DROP COLUMN shared_process;

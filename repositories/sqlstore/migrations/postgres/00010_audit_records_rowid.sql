-- +goose Up
-- Nothing changes on PostgreSQL: this version makes SQLite's audit_records
-- keyed by seq alone (see the SQLite migration); versions stay the same on
-- both engines.
SELECT 1;

-- +goose Down
SELECT 1;

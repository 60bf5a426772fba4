-- +goose Up
-- Why the gateway itself disabled a key: '' (an admin did, or no one), or
-- 'weak_secret' for a key imported without its too guessable secret.
ALTER TABLE api_keys ADD COLUMN disabled_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE api_keys DROP COLUMN disabled_reason;

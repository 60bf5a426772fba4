-- +goose Up
-- Named admin keys: credentials of the management API beside the bootstrap
-- key of the configuration file. Only the SHA-256 of a secret is stored;
-- role is admin, operator or viewer.
CREATE TABLE admin_keys (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL UNIQUE,
    hash         TEXT    NOT NULL UNIQUE,
    last4        TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT
);

-- +goose Down
DROP TABLE admin_keys;

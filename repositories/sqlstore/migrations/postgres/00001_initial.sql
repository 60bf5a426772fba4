-- +goose Up
-- Times are Unix nanoseconds (UTC); JSON documents are text. seq keeps creation order.
CREATE TABLE configs (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE servers (
    seq                           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    config_id                     TEXT    NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
    name                          TEXT    NOT NULL,
    description                   TEXT    NOT NULL DEFAULT '',
    command                       TEXT    NOT NULL,
    args                          TEXT    NOT NULL DEFAULT '[]',
    env                           TEXT    NOT NULL DEFAULT '{}',
    tools                         TEXT    NOT NULL DEFAULT '{}',
    enable_server_info_validation BOOLEAN NOT NULL DEFAULT FALSE,
    input_guardrails_policy       TEXT    NOT NULL,
    output_guardrails_policy      TEXT    NOT NULL,
    tool_guardrails_policy        TEXT    NOT NULL,
    created_at                    BIGINT  NOT NULL,
    updated_at                    BIGINT  NOT NULL,
    UNIQUE (config_id, name)
);

CREATE TABLE projects (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL UNIQUE,
    config_id  TEXT    REFERENCES configs(id) ON DELETE RESTRICT,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX projects_config_id ON projects(config_id);

CREATE TABLE users (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    email      TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE memberships (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id TEXT    NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at BIGINT  NOT NULL,
    UNIQUE (project_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships(user_id);

CREATE TABLE api_keys (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    hash                TEXT    NOT NULL UNIQUE,
    last4               TEXT    NOT NULL,
    user_id             TEXT    NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id          TEXT    NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
    created_at          BIGINT  NOT NULL,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at         BIGINT,
    enabled_at          BIGINT,
    expires_at          BIGINT,
    last_used_at        BIGINT,
    previous_hash       TEXT UNIQUE,
    previous_expires_at BIGINT,
    rotated_at          BIGINT
);
CREATE INDEX api_keys_user_id ON api_keys(user_id);
CREATE INDEX api_keys_project_id ON api_keys(project_id);

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE api_keys;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE projects;
DROP TABLE servers;
DROP TABLE configs;

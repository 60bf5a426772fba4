-- +goose Up
-- Times are Unix nanoseconds (UTC); JSON documents are text. seq keeps creation order.
CREATE TABLE configs (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE servers (
    seq                           INTEGER PRIMARY KEY AUTOINCREMENT,
    config_id                     TEXT    NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
    name                          TEXT    NOT NULL,
    description                   TEXT    NOT NULL DEFAULT '',
    command                       TEXT    NOT NULL,
    args                          TEXT    NOT NULL DEFAULT '[]',
    env                           TEXT    NOT NULL DEFAULT '{}',
    tools                         TEXT    NOT NULL DEFAULT '{}',
    enable_server_info_validation INTEGER NOT NULL DEFAULT 0,
    input_guardrails_policy       TEXT    NOT NULL,
    output_guardrails_policy      TEXT    NOT NULL,
    tool_guardrails_policy        TEXT    NOT NULL,
    created_at                    INTEGER NOT NULL,
    updated_at                    INTEGER NOT NULL,
    UNIQUE (config_id, name)
);

CREATE TABLE projects (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL UNIQUE,
    config_id  TEXT    REFERENCES configs(id) ON DELETE RESTRICT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX projects_config_id ON projects(config_id);

CREATE TABLE users (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    email      TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT    NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at INTEGER NOT NULL,
    UNIQUE (project_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships(user_id);

CREATE TABLE api_keys (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT    NOT NULL UNIQUE,
    hash                TEXT    NOT NULL UNIQUE,
    last4               TEXT    NOT NULL,
    user_id             TEXT    NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id          TEXT    NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
    created_at          INTEGER NOT NULL,
    disabled            INTEGER NOT NULL DEFAULT 0,
    disabled_at         INTEGER,
    enabled_at          INTEGER,
    expires_at          INTEGER,
    last_used_at        INTEGER,
    previous_hash       TEXT UNIQUE,
    previous_expires_at INTEGER,
    rotated_at          INTEGER
);
CREATE INDEX api_keys_user_id ON api_keys(user_id);
CREATE INDEX api_keys_project_id ON api_keys(project_id);

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE api_keys;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE projects;
DROP TABLE servers;
DROP TABLE configs;

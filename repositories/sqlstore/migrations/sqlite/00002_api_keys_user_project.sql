-- +goose Up
-- Counting a user's keys in one project (member lists, a user's projects) must
-- not scan every key of the project: one index on both columns serves it, and
-- the lookups by user alone too.
CREATE INDEX api_keys_user_project ON api_keys(user_id, project_id);
DROP INDEX api_keys_user_id;

-- +goose Down
CREATE INDEX api_keys_user_id ON api_keys(user_id);
DROP INDEX api_keys_user_project;

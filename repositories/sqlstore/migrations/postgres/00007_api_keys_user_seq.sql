-- +goose Up
-- A user's keys are listed in creation order, batch by batch from a cursor:
-- this index gives each batch its keys in order, without reading and sorting
-- all the user's keys again for every batch.
CREATE INDEX api_keys_user_seq ON api_keys(user_id, seq);

-- +goose Down
DROP INDEX api_keys_user_seq;

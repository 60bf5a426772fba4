-- +goose Up
-- seq becomes the table's own key (an INTEGER PRIMARY KEY is SQLite's rowid):
-- declared BIGINT, it was a second B-tree beside the rowid's, one more page
-- written by every audited write's commit. Same columns, same values.
-- A record inserted moves the chain's head to itself (a trigger), so that a
-- one-record append is one statement: the insert, made only when the head
-- is the one the record was sealed on.
CREATE TABLE audit_records_by_seq (
    seq           INTEGER NOT NULL PRIMARY KEY,
    at            BIGINT  NOT NULL,
    actor_kind    TEXT    NOT NULL,
    actor_id      TEXT    NOT NULL DEFAULT '',
    actor_user    TEXT    NOT NULL DEFAULT '',
    actor_project TEXT    NOT NULL DEFAULT '',
    actor_addr    TEXT    NOT NULL DEFAULT '',
    action        TEXT    NOT NULL,
    entity_kind   TEXT    NOT NULL DEFAULT '',
    entity_id     TEXT    NOT NULL DEFAULT '',
    entity_name   TEXT    NOT NULL DEFAULT '',
    outcome       TEXT    NOT NULL,
    request_id    TEXT    NOT NULL DEFAULT '',
    details       TEXT    NOT NULL DEFAULT '',
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
INSERT INTO audit_records_by_seq (seq, at, actor_kind, actor_id, actor_user, actor_project, actor_addr, action,
    entity_kind, entity_id, entity_name, outcome, request_id, details, prev_hash, hash)
SELECT seq, at, actor_kind, actor_id, actor_user, actor_project, actor_addr, action,
    entity_kind, entity_id, entity_name, outcome, request_id, details, prev_hash, hash FROM audit_records;
DROP TABLE audit_records;
ALTER TABLE audit_records_by_seq RENAME TO audit_records;
CREATE INDEX audit_records_at ON audit_records(at);
-- +goose StatementBegin
CREATE TRIGGER audit_records_move_head AFTER INSERT ON audit_records
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_records_move_head;
CREATE TABLE audit_records_by_bigint (
    seq           BIGINT  NOT NULL PRIMARY KEY,
    at            BIGINT  NOT NULL,
    actor_kind    TEXT    NOT NULL,
    actor_id      TEXT    NOT NULL DEFAULT '',
    actor_user    TEXT    NOT NULL DEFAULT '',
    actor_project TEXT    NOT NULL DEFAULT '',
    actor_addr    TEXT    NOT NULL DEFAULT '',
    action        TEXT    NOT NULL,
    entity_kind   TEXT    NOT NULL DEFAULT '',
    entity_id     TEXT    NOT NULL DEFAULT '',
    entity_name   TEXT    NOT NULL DEFAULT '',
    outcome       TEXT    NOT NULL,
    request_id    TEXT    NOT NULL DEFAULT '',
    details       TEXT    NOT NULL DEFAULT '',
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
INSERT INTO audit_records_by_bigint SELECT * FROM audit_records;
DROP TABLE audit_records;
ALTER TABLE audit_records_by_bigint RENAME TO audit_records;
CREATE INDEX audit_records_at ON audit_records(at);

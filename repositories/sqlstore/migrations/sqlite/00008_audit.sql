-- +goose Up
-- The audit trail: an append-only hash chain (see package audit). seq is
-- assigned by the writer from the chain's head, never by an identity column
-- (which skips numbers when a transaction rolls back): the chain must be
-- gap-free. Times are Unix microseconds (UTC), the precision records are
-- hashed at; details are the canonical JSON text that was hashed.
CREATE TABLE audit_records (
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
-- One secondary index, on time (time ranges, retention): every index is
-- written by every audited write, in its transaction. Other filters read
-- the records newest first by seq and stop at a page.
CREATE INDEX audit_records_at ON audit_records(at);

-- The chain's head: one row, read with a lock by every writer, so that two
-- transactions (of one instance or several) never attach to the same record,
-- and compared by verification with the last record (records removed from
-- the end).
CREATE TABLE audit_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_records;

// Package audit holds the tamper-evident audit trail's records and
// everything about them that needs no store: their canonical encoding and
// hash chain, verification, retention checkpoints, the masked before/after
// difference of an admin write, the summary of a tool call, JSON Lines
// export, the batching of tool-call records, and the Gate that bounds the
// records of refusals (aggregating a flood into one record per interval).
//
// # The chain
//
// Records are numbered 1, 2, 3, … without gaps (Seq), and each carries the
// hash of the one before (PrevHash; GenesisHash for record 1) and its own
// Hash = SHA-256(PrevHash ‖ Canonical(record)). Changing a record breaks its
// hash; removing or inserting one breaks the numbering or a link; Verify
// walks the chain and names the first record that was changed, removed or
// inserted. The chain holds no secret key: someone able to rewrite the table
// can recompute every hash from the point they changed. Against that, keep
// the head a verification reports (Report.Head) somewhere else, and pass it
// to later verifications (VerifyOptions.Head), or export regularly.
//
// Retention removes records from the start of the chain only, in one
// transaction with a checkpoint record appended at the head (NewCheckpoint)
// that names the removed range and the hash of its last record: the first
// record kept still links to that hash, so the chain from there on is
// proved whole, and the report says what was pruned, how much and when. A
// store chooses the range as the records before the first one younger than
// the cutoff (times are the actions' times and need not increase with
// Seq), and never the head record, which the next record attaches to; it
// reads the hash of the last record of the range, deletes the range, checks
// that the deletion counted ThroughSeq-FirstSeq+1 rows (anything else
// means a gap already there: refuse, and report it), then calls Write with
// the checkpoint.
//
// # Storing the chain
//
// A store implements Appender on its transaction type, and an Iterator over
// a cursor ordered by Seq. Records of an admin write are appended in the
// write's own transaction (Write, after the change, just before commit), so
// that the change and its record commit together or not at all. Tool-call
// records go through a Batcher whose FlushFunc opens a transaction and
// calls Write; so do the records of refused requests (there is no write to
// join), within the budget of a Gate (Batcher.TryAdd: never waiting).
//
// The chain must stay single and gap-free however many writers there are:
// two transactions must never attach to the same head, and no number may
// be skipped. Hence:
//
//   - Seq is assigned by Seal from the head read by Last, never by a
//     database sequence or identity column: those skip numbers when a
//     transaction rolls back. Seq is the primary key, so that a duplicate
//     fails rather than forks the chain.
//   - Last takes a lock held until the transaction ends, so that the next
//     writer reads the head this one committed. On PostgreSQL (several
//     instances, one database): SELECT pg_advisory_xact_lock(<constant>)
//     before reading the head, under READ COMMITTED, where the reading
//     statement's snapshot is taken after the lock is granted. (Under
//     REPEATABLE READ the snapshot dates from the transaction's first
//     statement and may miss the previous writer's commit: the duplicate
//     seq then fails the insert, and the transaction must be retried.) A
//     one-row head table read with SELECT … FOR UPDATE and updated with
//     each append works as well, and also lets Verify check the head
//     (VerifyOptions.Head) against records removed from the end. On SQLite
//     the store's single writing connection and BEGIN IMMEDIATE already
//     serialize writers.
//   - A writer that remembers the head it last appended at (WriteAt) seals
//     on that guess and skips Last: Append then takes the lock itself,
//     moving the head only from the guessed one (its seq and hash) in the
//     same statement or transaction as the insert, and writes nothing
//     (ErrHeadMoved) when the head is elsewhere, which sends WriteAt back
//     to Last. A wrong guess costs a round trip, never a fork or a gap.
//   - Because the lock is held from Last to the commit, Write comes last in
//     a transaction: every audited write serializes on it for the time of
//     one insert and the commit, and tool-call batches amortize it.
//   - Times are stored to the microsecond (PostgreSQL's precision; Seal
//     truncates them) and details as text holding the canonical JSON Seal
//     wrote. A jsonb column would also verify (the hash is over the
//     canonical form, which does not depend on how a backend reorders or
//     respaces JSON), but it refuses a \u0000 that text keeps.
package audit

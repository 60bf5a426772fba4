// Package audited is a repositories.Store decorator that records every write
// in the audit trail, in the transaction of the write: the write and its
// record commit together or not at all. The repositories handed to a
// transaction note each entity they create, change or remove, with its value
// before and after (read in the same transaction); just before the commit,
// one record names who acted (internal/actor in the context), the operation
// (actor.WithAction), the main entity and the masked difference, and joins
// the chain. A write outside a transaction runs in one of its own. Reads are
// not recorded, nor a key's last use time (bookkeeping of the data plane, not
// a change anyone made).
package audited

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// Store wraps a repositories.Store.
type Store struct {
	repos
	next repositories.Store
	now  func() time.Time
	tip  tip
}

// tip is the chain's head after this store's last append: the records of
// the next write are sealed on it without reading the head first (one query
// less per write). A guess only: another instance, a CLI command or a
// transaction that rolled back after its append leaves it stale, and the
// append then writes nothing and falls back to reading the head with its
// lock (audit.WriteAt).
type tip struct {
	mu    sync.Mutex
	head  audit.Head
	known bool
}

func (t *tip) get() (audit.Head, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.head, t.known
}

func (t *tip) set(h audit.Head) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.head, t.known = h, true
}

var _ repositories.Store = (*Store)(nil)

// Wrap returns next with every write recorded; now stamps the records.
func Wrap(next repositories.Store, now func() time.Time) *Store {
	s := &Store{next: next, now: now}
	s.repos = repos{next: next, store: s}
	return s
}

// InTx runs fn with repositories that note what they write, then appends the
// record of those writes in the same transaction. A transaction that wrote
// nothing (or only audit records) appends nothing.
func (s *Store) InTx(ctx context.Context, fn func(tx repositories.Repos) error) error {
	return s.next.InTx(ctx, func(tx repositories.Repos) error {
		// A new recorder for every attempt: InTx may run fn again after a
		// serialization failure, and the first attempt's notes are void.
		rec := &recorder{}
		if err := fn(repos{next: tx, rec: rec, store: s}); err != nil {
			return err
		}
		return rec.commit(ctx, tx.Audit(), s.now(), &s.tip)
	})
}

// ReadSnapshot passes through: a snapshot writes nothing.
func (s *Store) ReadSnapshot(ctx context.Context, fn func(r repositories.Repos) error) error {
	return s.next.ReadSnapshot(ctx, fn)
}

// Ping passes through.
func (s *Store) Ping(ctx context.Context) error { return s.next.Ping(ctx) }

// Backend names the wrapped engine.
func (s *Store) Backend() string { return s.next.Backend() }

// Close closes the wrapped store.
func (s *Store) Close() error { return s.next.Close() }

// repos binds the repositories to the store (rec nil: each write runs in a
// transaction of its own) or to one transaction and its recorder.
type repos struct {
	next  repositories.Repos
	rec   *recorder
	store *Store
}

func (r repos) Configs() repositories.ConfigRepository { return configs{r.next.Configs(), r} }
func (r repos) Servers() repositories.ServerRepository { return servers{r.next.Servers(), r} }
func (r repos) Projects() repositories.ProjectRepository {
	return projects{r.next.Projects(), r}
}
func (r repos) Users() repositories.UserRepository { return users{r.next.Users(), r} }
func (r repos) Memberships() repositories.MembershipRepository {
	return memberships{r.next.Memberships(), r}
}
func (r repos) APIKeys() repositories.APIKeyRepository    { return apiKeys{r.next.APIKeys(), r} }
func (r repos) Settings() repositories.SettingsRepository { return settings{r.next.Settings(), r} }

// Integrity passes through: it only reads.
func (r repos) Integrity() repositories.IntegrityRepository { return r.next.Integrity() }

// Audit passes through: records are the trail itself.
func (r repos) Audit() repositories.AuditRepository { return r.next.Audit() }

// write runs op in the current transaction, or in one of its own.
func (r repos) write(ctx context.Context, op func(tx repos) error) error {
	if r.rec != nil {
		err := op(r)
		if err != nil {
			r.rec.forget() // on SQLite the transaction goes on; what it wrote is unknown
		}
		return err
	}
	return r.store.InTx(ctx, func(tx repositories.Repos) error { return op(tx.(repos)) })
}

// maxEntities bounds the entities one record details; a restore writes
// thousands, and the rest are counted.
const maxEntities = 100

// recorder notes the entities a transaction wrote.
type recorder struct {
	changes []audit.EntityChange
	omitted int
	// counts are the store's counts, kept while only DeleteAlls write.
	counts *models.StoreCounts
	// read are entities the transaction read since it last wrote them, in
	// a form nothing can change (a value without references, or its JSON):
	// a write's value before is the one the service read just before it,
	// and reading it again would cost the write a query. The transaction's
	// snapshot is stable (SERIALIZABLE on PostgreSQL, one writer on
	// SQLite), so only its own writes make one stale: writing an entity
	// forgets it, removing any forgets them all (removals cascade), and so
	// does a failed write.
	read map[string]any
}

func readKey(kind, id string) string { return kind + "\x00" + id }

// remember keeps an entity read in the transaction; v holds no reference
// to anything the caller could change.
func (c *recorder) remember(kind, id string, v any) {
	if c.read == nil {
		c.read = map[string]any{}
	}
	c.read[readKey(kind, id)] = v
}

// recall returns an entity read since the transaction last wrote it.
func (c *recorder) recall(kind, id string) (any, bool) {
	v, ok := c.read[readKey(kind, id)]
	return v, ok
}

// forget forgets every entity read.
func (c *recorder) forget() { c.read = nil }

func (c *recorder) note(kind, id, name string, before, after any) {
	c.counts = nil
	if after == nil {
		c.forget()
	} else {
		delete(c.read, readKey(kind, id))
	}
	c.add(kind, id, name, before, after)
}

// noteBulk notes the removal of every entity of a kind.
func (c *recorder) noteBulk(kind string, n int) {
	c.forget()
	c.add(kind, "*", "", map[string]int{"count": n}, map[string]int{"count": 0})
}

func (c *recorder) add(kind, id, name string, before, after any) {
	if len(c.changes) >= maxEntities {
		c.omitted++
		return
	}
	c.changes = append(c.changes, audit.EntityChange{Entity: audit.Entity{Kind: kind, ID: id, Name: name}, Before: before, After: after})
}

// commit appends the record of what was written, if anything was.
func (c *recorder) commit(ctx context.Context, a audit.Appender, now time.Time, t *tip) error {
	if len(c.changes) == 0 && c.omitted == 0 {
		return nil
	}
	details, err := audit.DiffEntities(c.changes, c.omitted)
	if err != nil {
		return fmt.Errorf("audit: record the write: %w", err)
	}
	raw, err := audit.DetailsOf(details)
	if err != nil {
		return err
	}
	who, _ := actor.From(ctx)
	action := actor.ActionFrom(ctx)
	if action == "" {
		action = c.defaultAction()
	}
	rec := audit.Record{
		Time:      now,
		Actor:     Actor(who),
		Action:    action,
		Entity:    c.mainEntity(action),
		Outcome:   audit.OutcomeSuccess,
		RequestID: who.RequestID,
		Details:   raw,
	}
	guess, known := t.get()
	head, err := audit.WriteAt(ctx, a, guess, known, rec)
	if err != nil {
		return err
	}
	t.set(head)
	return nil
}

// defaultAction names a write no shell named (the first start's import, a
// pin the gateway recorded): the first entity's kind and what happened to it.
func (c *recorder) defaultAction() string {
	if len(c.changes) == 0 {
		return "store.write"
	}
	first := c.changes[0]
	verb := "update"
	switch {
	case first.Before == nil:
		verb = "create"
	case first.After == nil:
		verb = "delete"
	}
	return first.Entity.Kind + "." + verb
}

// mainEntity picks the entity a record is about: of the entities written,
// the one whose kind the action names last ("config.add_server" is about a
// server, "user.generate_api_key" about a key), else the first written.
func (c *recorder) mainEntity(action string) audit.Entity {
	if len(c.changes) == 0 {
		return audit.Entity{}
	}
	best, bestAt := c.changes[0].Entity, -1
	for _, ch := range c.changes {
		if i := strings.LastIndex(action, ch.Entity.Kind); i > bestAt {
			best, bestAt = ch.Entity, i
		}
	}
	if best.ID == "*" {
		best.ID = "" // a whole kind (reset, restore): filterable by kind
	}
	return best
}

// Actor converts who acted into the record's terms. A write with no actor in
// its context is the product's own.
func Actor(a actor.Actor) audit.Actor {
	kinds := map[actor.Kind]audit.ActorKind{actor.Root: audit.ActorRootKey, actor.AdminKey: audit.ActorAdminKey,
		actor.CLI: audit.ActorCLI, actor.GatewayKey: audit.ActorGatewayKey, actor.System: audit.ActorSystem}
	kind, ok := kinds[a.Kind]
	if !ok {
		kind = audit.ActorSystem
	}
	return audit.Actor{Kind: kind, ID: a.ID, UserID: a.UserID, ProjectID: a.ProjectID, Addr: a.Addr}
}

// orNil returns v, or nil when err says there was none.
func orNil[T any](v T, err error) (any, error) {
	if errors.Is(err, repositories.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// deleteAll runs a DeleteAll and notes it as one change of the whole kind
// (reset and restore remove every entity: their number is what the record
// keeps, not each of them). The store is counted once for all the DeleteAlls
// of a transaction that writes nothing else in between.
func (r repos) deleteAll(ctx context.Context, kind string, count func(*models.StoreCounts) *int, op func(tx repos) error) error {
	return r.write(ctx, func(tx repos) error {
		if tx.rec.counts == nil {
			c, err := tx.next.Integrity().Counts(ctx)
			if err != nil {
				return err
			}
			tx.rec.counts = &c
		}
		if err := op(tx); err != nil {
			return err
		}
		n := count(tx.rec.counts)
		before := *n
		*n = 0
		if before > 0 {
			tx.rec.noteBulk(kind, before)
		}
		return nil
	})
}

package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
	"github.com/securemcp/gateway/services/roles"
)

// Named admin keys look like smgadm_<43 random base62 characters><6 checksum
// characters>: the key material, entropy (256 bits), checksum and hashing of
// users' gateway keys, under a prefix of their own, so that secret scanners
// tell an admin credential from a gateway key and neither is ever taken for
// the other.
const AdminKeyPrefix = "smgadm_"

// AdminKeyLastUsedEvery is how stale a key's stored last use may grow before a
// request records it again: an admin key in a busy script costs one write a
// minute, not one per request.
const AdminKeyLastUsedEvery = time.Minute

// AdminKeyService manages named admin keys and verifies them. The bootstrap
// admin key of the configuration file is not one of them: it is checked by
// the shell, is always an admin, and cannot be deleted through the API.
type AdminKeyService struct {
	store repositories.Store
	now   entity.Clock
	usage *usageRecorder
}

// NewAdminKeyService wires an AdminKeyService. Close it to write the last use
// times still pending.
func NewAdminKeyService(store repositories.Store, now entity.Clock) *AdminKeyService {
	flush := func(ctx context.Context, batch map[string]time.Time) error {
		return store.InTx(ctx, func(tx repositories.Repos) error { return tx.AdminKeys().TouchLastUsed(ctx, batch) })
	}
	return &AdminKeyService{store: store, now: now, usage: newUsageRecorder(LastUsedFlushInterval, flush)}
}

// Close writes the last use times still pending.
func (s *AdminKeyService) Close() error { return s.usage.close() }

// NewAdminKey is what a new admin key is made of. ExpiresAt (RFC 3339) and
// ExpiresIn are optional and exclusive.
type NewAdminKey struct {
	Name      string
	Role      string
	ExpiresAt string
	ExpiresIn time.Duration
}

// IssuedAdminKey is a new admin key with its secret, shown once.
type IssuedAdminKey struct {
	Secret string
	Key    models.AdminKey
}

// AdminKeyView is an admin key as listings show it: masked, never the secret
// nor its hash.
type AdminKeyView struct {
	models.AdminKey
	Masked  string
	Expired bool
}

func (s *AdminKeyService) view(k models.AdminKey, now time.Time) AdminKeyView {
	return AdminKeyView{AdminKey: k, Masked: AdminKeyPrefix + "…" + k.Last4, Expired: adminKeyExpired(k, now)}
}

func adminKeyExpired(k models.AdminKey, now time.Time) bool {
	return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)
}

// newAdminSecret draws a secret as users' keys are drawn, under the admin prefix.
func newAdminSecret() (string, error) {
	s, err := keymaterial.NewSecret()
	if err != nil {
		return "", err
	}
	return AdminKeyPrefix + strings.TrimPrefix(s, keymaterial.APIKeyPrefix), nil
}

// wellFormedAdminSecret checks prefix, length, alphabet and checksum: what
// can be refused without a lookup.
func wellFormedAdminSecret(s string) bool {
	body, ok := strings.CutPrefix(s, AdminKeyPrefix)
	return ok && keymaterial.WellFormedSecret(keymaterial.APIKeyPrefix+body)
}

// LooksLikeAdminKey tells a named admin key's secret (even a mistyped one)
// from any other bearer token.
func LooksLikeAdminKey(s string) bool { return strings.HasPrefix(s, AdminKeyPrefix) }

// adminKeyExpiry reads the optional expiry of a new key.
func adminKeyExpiry(req NewAdminKey, now time.Time) (*time.Time, error) {
	switch {
	case req.ExpiresAt != "" && req.ExpiresIn != 0:
		return nil, errs.Invalid("give expires_at or expires_in_seconds, not both")
	case req.ExpiresIn < 0:
		return nil, errs.Field("expires_in_seconds", "", "must be positive")
	case req.ExpiresIn > 0:
		t := now.Add(req.ExpiresIn)
		if !entity.StorableTime(t) || t.Before(now) {
			return nil, errs.Field("expires_in_seconds", "", "is too large: the expiry %s", entity.StorableTimeRule)
		}
		return &t, nil
	}
	return parseExpiry(req.ExpiresAt, now)
}

// Create makes a named admin key and returns its secret, which is stored
// hashed only and cannot be shown again.
func (s *AdminKeyService) Create(ctx context.Context, req NewAdminKey) (IssuedAdminKey, error) {
	now := s.now()
	name, nameErr := entity.CleanEntityName("name", req.Name)
	role, roleErr := roles.ParseRole(req.Role)
	expiry, expiryErr := adminKeyExpiry(req, now)
	if err := invalidAll(nameErr, roleErr, expiryErr); err != nil {
		return IssuedAdminKey{}, err
	}
	secret, err := newAdminSecret()
	if err != nil {
		return IssuedAdminKey{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot generate a key", Err: err}
	}
	k := models.AdminKey{ID: entity.NewID(), Name: name, Hash: keymaterial.HashAPIKeySecret(secret), Last4: keymaterial.SecretLast4(secret),
		Role: string(role), CreatedAt: now, ExpiresAt: expiry}
	err = s.store.AdminKeys().Create(ctx, k)
	if err != nil {
		return IssuedAdminKey{}, entity.StoreErr(err, "", fmt.Sprintf("an admin key named %q already exists", name))
	}
	return IssuedAdminKey{Secret: secret, Key: k}, nil
}

// invalidAll joins the problems that are not nil into one invalid-input
// error that names every one, with their field problems kept (the CLI names
// the fields by its flags); nil when there is none.
func invalidAll(problems ...error) error {
	var messages []string
	var fields []errs.FieldProblem
	for _, err := range problems {
		var e *errs.Error
		switch {
		case errors.As(err, &e):
			messages, fields = append(messages, e.Message), append(fields, e.Fields...)
		case err != nil:
			messages = append(messages, err.Error())
		}
	}
	if len(messages) == 0 {
		return nil
	}
	joined := errs.InvalidIssues(messages)
	if len(fields) == len(messages) {
		joined.Fields = fields
	}
	return joined
}

// List returns a page of the admin keys, masked, in creation order.
func (s *AdminKeyService) List(ctx context.Context, page repositories.Page) ([]AdminKeyView, int, error) {
	keys, total, err := s.store.AdminKeys().List(ctx, page)
	if err != nil {
		return nil, 0, entity.StoreErr(err, "", "")
	}
	now := s.now()
	out := make([]AdminKeyView, len(keys))
	for i, k := range keys {
		out[i] = s.view(k, now)
	}
	return out, total, nil
}

// Get returns one admin key (by id or name), masked.
func (s *AdminKeyService) Get(ctx context.Context, ident string) (AdminKeyView, error) {
	k, err := s.resolve(ctx, s.store, ident)
	if err != nil {
		return AdminKeyView{}, err
	}
	return s.view(k, s.now()), nil
}

// Delete revokes an admin key (by id or name): its next request, on any
// instance, is refused.
func (s *AdminKeyService) Delete(ctx context.Context, ident string) (AdminKeyView, error) {
	var k models.AdminKey
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if k, err = s.resolve(ctx, tx, ident); err != nil {
			return err
		}
		return entity.StoreErr(tx.AdminKeys().Delete(ctx, k.ID), "no admin key has that id or name", "")
	})
	if err != nil {
		return AdminKeyView{}, err
	}
	return s.view(k, s.now()), nil
}

func (s *AdminKeyService) resolve(ctx context.Context, r repositories.Repos, ident string) (models.AdminKey, error) {
	if LooksLikeAdminKey(ident) {
		// A secret in a path would land in access logs: keys are named by id or name only.
		return models.AdminKey{}, errs.Invalid("name admin keys by id or name, never by their secret")
	}
	k, err := entity.Lookup(ctx, ident, r.AdminKeys().Resolve)
	// The identifier is not quoted: a client that sent a secret of another
	// kind (the bootstrap key) must not find it in an answer or a log.
	return k, entity.StoreErr(err, "no admin key has that id or name", "")
}

// Admin key refusals, as Verify reports them.
var (
	errAdminKeyMalformed = &errs.Error{Kind: errs.KindUnauthorized, Message: "invalid admin API key"}
	errAdminKeyUnknown   = &errs.Error{Kind: errs.KindUnauthorized, Message: "invalid admin API key"}
	errAdminKeyExpired   = &errs.Error{Kind: errs.KindUnauthorized, Message: "the admin API key has expired"}
)

// Verify returns the actor of a named admin key's secret, or a
// KindUnauthorized error when the key is malformed, unknown (never created,
// or deleted) or expired. Each call reads the store, on the unique index of
// the hash: a deletion takes effect at the next request on every instance.
// Last use is recorded at most once per AdminKeyLastUsedEvery, in a batch
// written apart from the request. An expired key's refusal comes with the
// key's actor (its id and name, no role), for the audit trail to name it.
func (s *AdminKeyService) Verify(ctx context.Context, secret string) (actor.Actor, error) {
	if !wellFormedAdminSecret(secret) {
		return actor.Actor{}, errAdminKeyMalformed
	}
	k, err := s.store.AdminKeys().GetByHash(ctx, keymaterial.HashAPIKeySecret(secret))
	switch {
	case errors.Is(err, repositories.ErrNotFound):
		return actor.Actor{}, errAdminKeyUnknown
	case err != nil:
		return actor.Actor{}, entity.StoreErr(err, "", "")
	}
	now := s.now()
	if adminKeyExpired(k, now) {
		return actor.Actor{Kind: actor.AdminKey, ID: k.ID, Name: k.Name}, errAdminKeyExpired
	}
	role, err := roles.ParseRole(k.Role)
	if err != nil {
		return actor.Actor{}, &errs.Error{Kind: errs.KindInternal, Message: "stored admin key has an unknown role", Err: err}
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= AdminKeyLastUsedEvery {
		s.usage.record(k.ID, now)
	}
	return actor.Actor{Kind: actor.AdminKey, ID: k.ID, Name: k.Name, Role: role}, nil
}

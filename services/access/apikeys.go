package access

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
)

// MaxGracePeriod bounds how long a rotated secret may keep verifying.
const MaxGracePeriod = 7 * 24 * time.Hour

// APIKeyService manages the gateway API keys of users and verifies them.
type APIKeyService struct {
	store repositories.Store
	now   entity.Clock
	usage *usageRecorder
}

// NewAPIKeyService wires an APIKeyService. Close it to write the last use
// times still pending.
func NewAPIKeyService(store repositories.Store, now entity.Clock) *APIKeyService {
	flush := func(ctx context.Context, batch map[string]time.Time) error {
		return store.InTx(ctx, func(tx repositories.Repos) error { return tx.APIKeys().TouchLastUsed(ctx, batch) })
	}
	return &APIKeyService{store: store, now: now, usage: newUsageRecorder(LastUsedFlushInterval, flush)}
}

// KeyView is a key as listings show it: masked, with its user and project
// names and, when it does not verify, the reason.
type KeyView struct {
	models.APIKeyInfo
	Masked   string
	Inactive Reason // "" when the key verifies
}

// KeyDetail is a key with the configuration of its project (nil when none).
type KeyDetail struct {
	KeyView
	Config *models.Config
}

// IssuedKey is a key with its secret, shown once when generated or rotated.
type IssuedKey struct {
	Secret string
	Key    models.APIKey
}

func (s *APIKeyService) view(info models.APIKeyInfo, now time.Time) KeyView {
	return KeyView{APIKeyInfo: info, Masked: keymaterial.MaskAPIKey(info.APIKey), Inactive: inactiveReason(info, now)}
}

func (s *APIKeyService) views(infos []models.APIKeyInfo) []KeyView {
	now := s.now()
	out := make([]KeyView, 0, len(infos))
	for _, info := range infos {
		out = append(out, s.view(info, now))
	}
	return out
}

// resolveKey finds a key by id or by secret. The reference is never echoed in
// errors: a mistyped secret (its prefix lost, say) would otherwise be.
// A secret replaced by a rotation finds its key only during the grace period,
// while it still verifies.
func resolveKey(ctx context.Context, r repositories.Repos, ref string, now time.Time) (models.APIKey, error) {
	if !keymaterial.LooksLikeSecret(ref) {
		k, err := entity.Lookup(ctx, ref, r.APIKeys().Get)
		if errors.Is(err, repositories.ErrNotFound) && keymaterial.LegacySecret(ref) {
			// The secret of a key imported from the original system.
			k, err = bySecret(ctx, r, ref, now)
		}
		return k, entity.StoreErr(err, "no API key has this id", "")
	}
	if !keymaterial.WellFormedSecret(ref) {
		return models.APIKey{}, errs.Field("api_key", "", "is neither a key id nor a well-formed key secret")
	}
	k, err := bySecret(ctx, r, ref, now)
	return k, entity.StoreErr(err, "no API key has this secret", "")
}

// bySecret finds the key a secret belongs to now: its current secret, or the
// one it had before a rotation while the grace period lasts.
func bySecret(ctx context.Context, r repositories.Repos, secret string, now time.Time) (models.APIKey, error) {
	hash := keymaterial.HashAPIKeySecret(secret)
	k, err := r.APIKeys().GetByHash(ctx, hash)
	if err == nil && !secretCurrent(k, hash, now) {
		return models.APIKey{}, repositories.ErrNotFound
	}
	return k, err
}

// secretCurrent reports whether the secret of the given hash is the key's
// current one, or its previous one within the grace period of a rotation
// (GetByHash finds a key by either).
func secretCurrent(k models.APIKey, hash string, now time.Time) bool {
	return k.Hash == hash || (k.PreviousExpiresAt != nil && now.Before(*k.PreviousExpiresAt))
}

// resolveProjectByFields finds the project named by an id field and/or a name
// field (at least one; if both, the same project).
func resolveProjectByFields(ctx context.Context, r repositories.Repos, id, name string) (models.Project, error) {
	if id == "" && name == "" {
		return models.Project{}, errs.Invalid("project_name or project_id is required")
	}
	if id == "" {
		return resolveProject(ctx, r, name)
	}
	p, err := entity.Lookup(ctx, id, r.Projects().Get)
	if err != nil {
		return p, entity.StoreErr(err, fmt.Sprintf("project id %q not found", id), "")
	}
	if name != "" && p.Name != name {
		return p, errs.Invalid("project_id and project_name name different projects")
	}
	return p, nil
}

// parseExpiry reads an optional RFC 3339 expiry, which must be in the future.
func parseExpiry(raw string, now time.Time) (*time.Time, error) {
	if raw == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return nil, errs.Field("expires_at", raw, "must be an RFC 3339 time, e.g. 2030-01-01T00:00:00Z")
	}
	if !t.After(now) {
		return nil, errs.Field("expires_at", raw, "must be in the future")
	}
	if !entity.StorableTime(t) {
		return nil, errs.Field("expires_at", raw, "%s", entity.StorableTimeRule)
	}
	t = t.UTC()
	return &t, nil
}

// Generate creates a key for a user in a project they belong to and returns
// its secret, which is not stored and cannot be shown again.
func (s *APIKeyService) Generate(ctx context.Context, userIdent, projectID, projectName, expiresAt string) (IssuedKey, error) {
	now := s.now()
	expiry, err := parseExpiry(expiresAt, now)
	if err != nil {
		return IssuedKey{}, err
	}
	if projectID == "" && projectName == "" {
		return IssuedKey{}, errs.Invalid("project_name or project_id is required")
	}
	secret, err := keymaterial.NewSecret()
	if err != nil {
		return IssuedKey{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot generate a key", Err: err}
	}
	k := models.APIKey{ID: entity.NewID(), Hash: keymaterial.HashAPIKeySecret(secret), Last4: keymaterial.SecretLast4(secret), CreatedAt: now, ExpiresAt: expiry}
	err = s.store.InTx(ctx, func(tx repositories.Repos) error {
		u, err := resolveUser(ctx, tx, userIdent)
		if err != nil {
			return err
		}
		p, err := resolveProjectByFields(ctx, tx, projectID, projectName)
		if err != nil {
			return err
		}
		member, err := tx.Memberships().Exists(ctx, p.ID, u.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		if !member {
			return errs.Conflict("user %q is not a member of project %q; add them first", u.Email, p.Name)
		}
		k.UserID, k.ProjectID = u.ID, p.ID
		return entity.StoreErr(tx.APIKeys().Create(ctx, k), "", "")
	})
	if err != nil {
		return IssuedKey{}, err
	}
	return IssuedKey{Secret: secret, Key: k}, nil
}

// List returns every key, masked, in creation order.
func (s *APIKeyService) List(ctx context.Context, page repositories.Page) (entity.Listing[KeyView], error) {
	return s.listing(ctx, repositories.APIKeyFilter{}, page)
}

// ListOfUser returns a user's keys, masked, optionally only those of one
// project (id or name).
func (s *APIKeyService) ListOfUser(ctx context.Context, userIdent, projectIdent string, page repositories.Page) (entity.Listing[KeyView], error) {
	u, err := resolveUser(ctx, s.store, userIdent)
	if err != nil {
		return entity.Listing[KeyView]{}, err
	}
	f := repositories.APIKeyFilter{UserID: u.ID}
	if projectIdent != "" {
		p, err := resolveProject(ctx, s.store, projectIdent)
		if err != nil {
			return entity.Listing[KeyView]{}, err
		}
		f.ProjectID = p.ID
	}
	return s.listing(ctx, f, page)
}

// listing opens a listing of the keys matching f; every key's status is
// judged at the time the listing opens.
func (s *APIKeyService) listing(ctx context.Context, f repositories.APIKeyFilter, page repositories.Page) (entity.Listing[KeyView], error) {
	total, err := s.store.APIKeys().CountInfo(ctx, f)
	if err != nil {
		return entity.Listing[KeyView]{}, entity.StoreErr(err, "", "")
	}
	now := s.now()
	return entity.NewListing(total, page,
		func(ctx context.Context, after repositories.Cursor, skip, limit int) ([]KeyView, repositories.Cursor, error) {
			infos, next, err := s.store.APIKeys().InfoBatch(ctx, f, after, skip, limit)
			views := make([]KeyView, len(infos))
			for i, info := range infos {
				views[i] = s.view(info, now)
			}
			return views, next, err
		}), nil
}

// Get returns one key (by id or secret), masked, with its project's configuration.
func (s *APIKeyService) Get(ctx context.Context, ref string) (KeyDetail, error) {
	k, err := resolveKey(ctx, s.store, ref, s.now())
	if err != nil {
		return KeyDetail{}, err
	}
	info, err := s.store.APIKeys().GetInfo(ctx, k.ID)
	if err != nil {
		return KeyDetail{}, entity.StoreErr(err, "API key not found", "")
	}
	d := KeyDetail{KeyView: s.view(info, s.now())}
	d.Config, err = configOf(ctx, s.store, info.ProjectConfigID)
	return d, err
}

// update changes one key (by id or secret) in a transaction and returns its view.
func (s *APIKeyService) update(ctx context.Context, ref string, change func(k *models.APIKey, now time.Time) error) (KeyView, error) {
	var info models.APIKeyInfo
	now := s.now()
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		k, err := resolveKey(ctx, tx, ref, now)
		if err != nil {
			return err
		}
		if err := change(&k, now); err != nil {
			return err
		}
		if err := tx.APIKeys().Update(ctx, k); err != nil {
			return entity.StoreErr(err, "API key not found", "")
		}
		info, err = tx.APIKeys().GetInfo(ctx, k.ID)
		return entity.StoreErr(err, "", "")
	})
	return s.view(info, now), err
}

// Disable stops a key from verifying; disabling a disabled key keeps its disabled_at.
func (s *APIKeyService) Disable(ctx context.Context, ref string) (KeyView, error) {
	return s.update(ctx, ref, func(k *models.APIKey, now time.Time) error {
		if !k.Disabled {
			k.Disabled, k.DisabledAt = true, &now
		}
		return nil
	})
}

// Enable lets a disabled key verify again; enabling an enabled key changes
// nothing. A key imported without its secret has none to verify with: it is
// refused until a rotation gives it one.
func (s *APIKeyService) Enable(ctx context.Context, ref string) (KeyView, error) {
	return s.update(ctx, ref, func(k *models.APIKey, now time.Time) error {
		if k.DisabledReason == models.DisabledWeakSecret {
			return errs.Conflict("API key %s was imported without its secret, which was too short or too guessable to keep; rotate it to give it a new secret, then enable it", k.ID)
		}
		if k.Disabled {
			k.Disabled, k.EnabledAt = false, &now
		}
		return nil
	})
}

// Rotate gives a key (by id or secret) a new secret and returns it. The old
// secret stops verifying at once, or after graceSeconds (at most
// MaxGracePeriod). The key keeps its id, user, project, expiry and disabled
// state; a key imported without its secret gets one, and may then be enabled.
func (s *APIKeyService) Rotate(ctx context.Context, ref string, graceSeconds int) (IssuedKey, error) {
	if ref == "" {
		return IssuedKey{}, errs.Field("api_key", "", "is required")
	}
	if graceSeconds < 0 || graceSeconds > int(MaxGracePeriod/time.Second) {
		return IssuedKey{}, errs.Field("grace_period_seconds", strconv.Itoa(graceSeconds), "must be between 0 and %d", int(MaxGracePeriod/time.Second))
	}
	grace := time.Duration(graceSeconds) * time.Second
	secret, err := keymaterial.NewSecret()
	if err != nil {
		return IssuedKey{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot generate a key", Err: err}
	}
	var k models.APIKey
	now := s.now()
	err = s.store.InTx(ctx, func(tx repositories.Repos) error {
		if k, err = resolveKey(ctx, tx, ref, now); err != nil {
			return err
		}
		k.PreviousHash, k.PreviousExpiresAt = "", nil
		// A key imported without its secret has no old secret to keep.
		if grace > 0 && k.DisabledReason != models.DisabledWeakSecret {
			until := now.Add(grace)
			k.PreviousHash, k.PreviousExpiresAt = k.Hash, &until
		}
		k.Hash, k.Last4, k.RotatedAt, k.DisabledReason = keymaterial.HashAPIKeySecret(secret), keymaterial.SecretLast4(secret), &now, ""
		return entity.StoreErr(tx.APIKeys().Update(ctx, k), "API key not found", "")
	})
	if err != nil {
		return IssuedKey{}, err
	}
	return IssuedKey{Secret: secret, Key: k}, nil
}

// Delete removes a key (by id or secret).
func (s *APIKeyService) Delete(ctx context.Context, ref string) (KeyView, error) {
	var info models.APIKeyInfo
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		k, err := resolveKey(ctx, tx, ref, s.now())
		if err != nil {
			return err
		}
		if info, err = tx.APIKeys().GetInfo(ctx, k.ID); err != nil {
			return entity.StoreErr(err, "API key not found", "")
		}
		return entity.StoreErr(tx.APIKeys().Delete(ctx, k.ID), "API key not found", "")
	})
	return s.view(info, s.now()), err
}

// DeleteAllOfUser removes every key of a user and returns how many there were.
func (s *APIKeyService) DeleteAllOfUser(ctx context.Context, userIdent string) (models.User, int, error) {
	var u models.User
	var n int
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if u, err = resolveUser(ctx, tx, userIdent); err != nil {
			return err
		}
		keys, err := tx.APIKeys().ListByUser(ctx, u.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		n = len(keys)
		return entity.StoreErr(tx.APIKeys().DeleteAllOfUser(ctx, u.ID), "", "")
	})
	return u, n, err
}

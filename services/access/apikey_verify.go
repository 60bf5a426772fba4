package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
)

// Reason says why a key does not verify.
type Reason string

// Reasons for refusing a key. Verify returns any of them; listings show the
// ones that describe a stored key (all but malformed, unknown and rotated).
const (
	ReasonMalformed      Reason = "malformed"       // bad prefix, length, alphabet or checksum
	ReasonUnknown        Reason = "unknown"         // no key has this secret
	ReasonRotated        Reason = "rotated"         // a previous secret whose grace period is over
	ReasonDisabled       Reason = "disabled"        // the key is disabled
	ReasonWeakSecret     Reason = "weak_secret"     // imported disabled: its secret was too guessable to keep
	ReasonExpired        Reason = "expired"         // expires_at has passed
	ReasonUserMissing    Reason = "user_missing"    // the key's user no longer exists
	ReasonProjectMissing Reason = "project_missing" // the key's project no longer exists
	ReasonNotMember      Reason = "not_a_member"    // the user was removed from the project
	ReasonNoConfig       Reason = "no_configuration"
)

var reasonText = map[Reason]string{
	ReasonMalformed:      "the API key is malformed",
	ReasonUnknown:        "the API key is unknown",
	ReasonRotated:        "the API key was rotated and its grace period is over",
	ReasonDisabled:       "the API key is disabled",
	ReasonWeakSecret:     "the API key was imported disabled, without its secret, which was too short or too guessable to keep; rotate it",
	ReasonExpired:        "the API key has expired",
	ReasonUserMissing:    "the user of the API key no longer exists",
	ReasonProjectMissing: "the project of the API key no longer exists",
	ReasonNotMember:      "the user is no longer a member of the project",
	ReasonNoConfig:       "the project has no configuration assigned",
}

// Message explains the reason in words.
func (r Reason) Message() string { return reasonText[r] }

// RefusedError is the cause of a KindUnauthorized error returned by Verify.
// When the key exists (disabled, expired, rotated, …) it names the key, its
// user and project, for the audit trail; never its secret.
type RefusedError struct {
	Reason    Reason
	KeyID     string
	UserID    string
	ProjectID string
}

func (e *RefusedError) Error() string { return "API key refused: " + string(e.Reason) }

// RefusalReason returns why Verify refused a key, or "" if err is no refusal.
func RefusalReason(err error) Reason {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func refuse(r Reason) error {
	return &errs.Error{Kind: errs.KindUnauthorized, Message: r.Message(), Err: &RefusedError{Reason: r}}
}

// refuseKey is refuse for a key that exists.
func refuseKey(r Reason, k models.APIKey) error {
	return &errs.Error{Kind: errs.KindUnauthorized, Message: r.Message(),
		Err: &RefusedError{Reason: r, KeyID: k.ID, UserID: k.UserID, ProjectID: k.ProjectID}}
}

// RefusedKey returns the refusal of err (Verify's), nil if err is none.
func RefusedKey(err error) *RefusedError {
	var r *RefusedError
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// Verified is what an accepted key grants: its user, project and configuration.
type Verified struct {
	Key     models.APIKey
	User    models.User
	Project models.Project
	Config  models.Config
}

// keyState is the part of the rule that depends on the key record alone.
func keyState(k models.APIKey, now time.Time) Reason {
	switch {
	case k.Disabled && k.DisabledReason == models.DisabledWeakSecret:
		return ReasonWeakSecret
	case k.Disabled:
		return ReasonDisabled
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return ReasonExpired
	}
	return ""
}

// inactiveReason applies the whole rule to a listed key; "" means it verifies.
func inactiveReason(info models.APIKeyInfo, now time.Time) Reason {
	if r := keyState(info.APIKey, now); r != "" {
		return r
	}
	switch {
	case info.UserEmail == "":
		return ReasonUserMissing
	case info.ProjectName == "":
		return ReasonProjectMissing
	case !info.Member:
		return ReasonNotMember
	case info.ProjectConfigID == "":
		return ReasonNoConfig
	}
	return ""
}

// Verify authenticates a gateway API key secret. It accepts the key only if it
// is well formed, exists (by the current secret, or the previous one within its
// grace period), is not disabled or expired, its user exists and is still a
// member of its project, and the project has a configuration. Refusals are
// KindUnauthorized errors whose RefusalReason says why.
//
// Malformed secrets are refused before any lookup: an smg_ secret must have
// its length, alphabet and checksum right; a secret without the prefix must
// have the shape of a key imported from the original system. The rest is one
// query on unique indexes (the hash, then ids). Nothing is cached: every call
// reads the store, so a change made by any instance applies at once. The last
// use time is recorded in memory and written in batches.
func (s *APIKeyService) Verify(ctx context.Context, secret string) (Verified, error) {
	if !keymaterial.WellFormedSecret(secret) && !keymaterial.LegacySecret(secret) {
		return Verified{}, refuse(ReasonMalformed)
	}
	hash := keymaterial.HashAPIKeySecret(secret)
	pr, err := s.store.APIKeys().GetPrincipal(ctx, hash)
	if errors.Is(err, repositories.ErrNotFound) {
		return Verified{}, refuse(ReasonUnknown)
	} else if err != nil {
		return Verified{}, entity.StoreErr(err, "", "")
	}
	now := s.now()
	k := pr.Key
	if !secretCurrent(k, hash, now) {
		return Verified{}, refuseKey(ReasonRotated, k)
	}
	if r := principalState(pr, now); r != "" {
		return Verified{}, refuseKey(r, k)
	}
	s.usage.record(k.ID, now)
	return Verified{Key: k, User: *pr.User, Project: *pr.Project, Config: *pr.Config}, nil
}

// principalState applies the rule to a key and what it grants access to.
func principalState(pr models.KeyPrincipal, now time.Time) Reason {
	if r := keyState(pr.Key, now); r != "" {
		return r
	}
	switch {
	case pr.User == nil:
		return ReasonUserMissing
	case pr.Project == nil:
		return ReasonProjectMissing
	case !pr.Member:
		return ReasonNotMember
	case pr.Config == nil:
		return ReasonNoConfig
	}
	return ""
}

// Close writes the pending last use times and stops the background flusher.
func (s *APIKeyService) Close() error {
	if err := s.usage.close(); err != nil {
		return fmt.Errorf("record API key last use: %w", err)
	}
	return nil
}

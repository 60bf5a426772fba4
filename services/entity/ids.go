package entity

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/securemcp/gateway/repositories"
)

// NewID makes the id of a new entity: a random UUID in its lower-case form.
func NewID() string { return uuid.NewString() }

// Lookup finds an entity by a client's identifier. Ids are lower-case UUIDs;
// one a client upper-cased (as some tools print them) finds the entity too,
// after the identifier as given has found nothing (a name wins over that).
func Lookup[T any](ctx context.Context, ident string, find func(context.Context, string) (T, error)) (T, error) {
	if !StorableText(ident) {
		var none T
		return none, repositories.ErrNotFound // no id, name or e-mail is such a text
	}
	v, err := find(ctx, ident)
	if errors.Is(err, repositories.ErrNotFound) && len(ident) == 36 {
		if id, parseErr := uuid.Parse(ident); parseErr == nil && id.String() != ident {
			return find(ctx, id.String())
		}
	}
	return v, err
}

// StorableText reports text every backend stores and compares: valid UTF-8
// without NUL characters (PostgreSQL refuses both, even in a lookup).
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

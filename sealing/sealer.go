package sealing

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Prefix starts every token; Version names the format after it.
const (
	Prefix  = "smgsealed:"
	Version = "v1"
	// header is what every v1 token starts with, before its key id.
	header = Prefix + Version + ":"
	// overhead is the 96-bit nonce and the 128-bit tag around a ciphertext.
	overhead = 12 + 16
)

// Errors of Open, classified with errors.Is. None of their messages holds a
// value, a token or a key.
var (
	// ErrNotSealed means that the string is not a token at all.
	ErrNotSealed = errors.New("not a sealed value")
	// ErrMalformed means that the token is damaged: truncated, cut, or not of
	// the format its version names.
	ErrMalformed = errors.New("malformed sealed value")
	// ErrUnknownKey means that the token was sealed with a key that is not
	// loaded (its id is in the message).
	ErrUnknownKey = errors.New("sealed with a key that is not loaded")
	// ErrAuthentication means that the token does not open: it was altered,
	// or it was sealed for another place (associated data) than the one given.
	ErrAuthentication = errors.New("sealed value does not open here: it was altered or belongs to another place")
	// ErrNoKey means that no key was given or found.
	ErrNoKey = errors.New("no secret key")
)

// Sealer seals values with its current key and opens values sealed with it
// or with any of its previous keys (a keyring, for rotations). It is safe
// for concurrent use and prints as its key ids only.
type Sealer struct {
	current *sealKey
	keys    map[string]*sealKey // by key id, the current one included
}

type sealKey struct {
	id     string
	prefix string // the header and the key id: "smgsealed:v1:<id>:"
	aead   cipher.AEAD
}

// NewSealer returns a Sealer that seals with current and opens with current
// and previous. Previous keys equal to another are ignored.
func NewSealer(current Key, previous ...Key) (*Sealer, error) {
	if !current.valid() {
		return nil, ErrNoKey
	}
	s := &Sealer{keys: map[string]*sealKey{}}
	for i, k := range append([]Key{current}, previous...) {
		if !k.valid() {
			return nil, fmt.Errorf("%w: previous key %d is empty", ErrNoKey, i)
		}
		id := k.ID()
		if _, seen := s.keys[id]; seen {
			continue
		}
		block, err := aes.NewCipher(k.aeadKey())
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, err
		}
		s.keys[id] = &sealKey{id: id, prefix: header + id + ":", aead: aead}
		if i == 0 {
			s.current = s.keys[id]
		}
	}
	return s, nil
}

// KeyID is the id of the key Seal uses.
func (s *Sealer) KeyID() string { return s.current.id }

// KeyIDs lists the ids of every key Open accepts, sorted.
func (s *Sealer) KeyIDs() []string {
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// String names the sealer's keys by id.
func (s *Sealer) String() string {
	return "sealing.Sealer(current " + s.current.id + ", keys " + strings.Join(s.KeyIDs(), ",") + ")"
}

// GoString is String, for %#v.
func (s *Sealer) GoString() string { return s.String() }

// Seal encrypts plaintext with the current key, a fresh random nonce and
// aad as associated data: the token opens only with the same aad, so that a
// token copied into another place does not open there (see AAD). Every call
// gives another token, even for the same plaintext.
func (s *Sealer) Seal(plaintext, aad string) (string, error) {
	k := s.current
	sealed := k.aead.Seal(nil, nil, []byte(plaintext), k.additional(aad))
	out := make([]byte, len(k.prefix)+base64.RawURLEncoding.EncodedLen(len(sealed)))
	copy(out, k.prefix)
	base64.RawURLEncoding.Encode(out[len(k.prefix):], sealed)
	return string(out), nil
}

// Open decrypts a token sealed with any of the sealer's keys for aad.
func (s *Sealer) Open(token, aad string) (string, error) {
	k, sealed, err := s.parse(token)
	if err != nil {
		return "", err
	}
	plain, err := k.aead.Open(sealed[:0], nil, sealed, k.additional(aad))
	if err != nil {
		return "", ErrAuthentication
	}
	return string(plain), nil
}

// Reseal returns token sealed with the current key for aad. A token that
// already is (and opens) is returned unchanged, so that a rotation run
// twice rewrites nothing the second time; any other one is opened with its
// key and sealed anew.
func (s *Sealer) Reseal(token, aad string) (string, error) {
	return Rotate(s, s, token, aad)
}

// Rotate returns token, sealed by from for aad, sealed by to's current key
// instead. A token that already opens with to's current key is returned
// unchanged (it is checked, not trusted: a damaged value fails the rotation
// rather than surviving it unnoticed).
func Rotate(from, to *Sealer, token, aad string) (string, error) {
	if id, ok := KeyIDOf(token); ok && id == to.current.id {
		if _, err := to.Open(token, aad); err != nil {
			return "", err
		}
		return token, nil
	}
	plain, err := from.Open(token, aad)
	if err != nil {
		return "", err
	}
	return to.Seal(plain, aad)
}

// IsSealed reports whether s claims to be a token: it starts with Prefix.
// Whether it opens is Open's question; a client never sees tokens, so one it
// sends is a mistake to refuse.
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// KeyIDOf returns the id of the key a v1 token names.
func KeyIDOf(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, header)
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, ":")
	if !ok || !validKeyID(id) {
		return "", false
	}
	return id, true
}

// parse splits a token into its key and its sealed bytes (nonce, ciphertext
// and tag).
func (s *Sealer) parse(token string) (*sealKey, []byte, error) {
	if !IsSealed(token) {
		return nil, nil, ErrNotSealed
	}
	rest, ok := strings.CutPrefix(token, header)
	if !ok {
		return nil, nil, fmt.Errorf("%w: not of version %s", ErrMalformed, Version)
	}
	id, body, ok := strings.Cut(rest, ":")
	if !ok || !validKeyID(id) {
		return nil, nil, fmt.Errorf("%w: no key id", ErrMalformed)
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(sealed) < overhead {
		return nil, nil, fmt.Errorf("%w: truncated or not base64url", ErrMalformed)
	}
	k := s.keys[id]
	if k == nil {
		return nil, nil, fmt.Errorf("%w: it needs key %s, the loaded keys are %s", ErrUnknownKey, id, strings.Join(s.KeyIDs(), ", "))
	}
	return k, sealed, nil
}

// validKeyID reports ids as Key.ID writes them: lowercase hex digits.
func validKeyID(id string) bool {
	if len(id) != 2*keyIDBytes {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// additional is the associated data of a v1 token: its header and key id
// (the token's prefix), then the caller's aad. The prefix binds the version
// and the key id to the ciphertext; aad comes last, so the join is
// unambiguous whatever it holds.
func (k *sealKey) additional(aad string) []byte {
	b := make([]byte, 0, len(k.prefix)+len(aad))
	b = append(b, k.prefix...)
	return append(b, aad...)
}

// NewEphemeralSealer returns a Sealer of a fresh random key that nothing
// keeps: what it seals opens only with this Sealer, in this process. For
// tests and stores that do not outlive the process.
func NewEphemeralSealer() *Sealer {
	s, err := NewSealer(GenerateKey())
	if err != nil {
		panic(err) // a generated key is always a key
	}
	return s
}

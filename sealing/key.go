package sealing

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a secret key: 256 bits.
const KeySize = 32

// keyIDBytes is how much of the key's fingerprint names it: 48 bits, enough
// to tell apart the few keys a keyring ever holds.
const keyIDBytes = 6

// ErrBadKey means that a key's text is not a key. Its messages say why in
// terms of lengths and encodings, never with the text itself.
var ErrBadKey = errors.New("not a secret key")

// Key is a 256-bit secret key. Its bytes are behind a pointer and it prints
// as its id, so that formatting a Key, or a struct holding one, never shows
// the key: Encode is the one way to its text. The zero Key is no key.
type Key struct {
	b *[KeySize]byte
}

// NewKey returns the key of 32 bytes (a copy: b may be reused).
func NewKey(b []byte) (Key, error) {
	if len(b) != KeySize {
		return Key{}, fmt.Errorf("%w: a key is %d bytes, not %d", ErrBadKey, KeySize, len(b))
	}
	k := new([KeySize]byte)
	copy(k[:], b)
	return Key{b: k}, nil
}

// GenerateKey returns a fresh random key.
func GenerateKey() Key {
	k := new([KeySize]byte)
	_, _ = rand.Read(k[:]) // crypto/rand.Read never returns an error on supported platforms
	return Key{b: k}
}

// ParseKey reads a key written in hex (64 digits) or base64 (standard or
// URL alphabet, padded or not), surrounding spaces ignored.
func ParseKey(text string) (Key, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Key{}, fmt.Errorf("%w: it is empty", ErrBadKey)
	}
	// Hex first: 64 hex digits are also valid base64 (of 48 bytes).
	hexBytes, hexErr := hex.DecodeString(text)
	if hexErr == nil && len(hexBytes) == KeySize {
		return NewKey(hexBytes)
	}
	b64Len := -1
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(text); err == nil {
			if len(b) == KeySize {
				return NewKey(b)
			}
			b64Len = len(b)
		}
	}
	// The error says what the text decodes to, never what it is.
	switch {
	case hexErr == nil:
		return Key{}, fmt.Errorf("%w: it is hex of %d bytes, a key is %d (32 random bytes in base64 or hex)", ErrBadKey, len(hexBytes), KeySize)
	case b64Len >= 0:
		return Key{}, fmt.Errorf("%w: it decodes to %d bytes, a key is %d (32 random bytes in base64 or hex)", ErrBadKey, b64Len, KeySize)
	}
	return Key{}, fmt.Errorf("%w: it is %d characters of neither base64 nor hex (a key is 32 random bytes in base64 or hex)", ErrBadKey, len(text))
}

// Encode returns the key in standard base64, as key files hold it and as
// SMG_SECRET_KEY may give it. It is the only way to the key's bytes: call it
// only to hand the key to its owner or to its file.
func (k Key) Encode() string {
	if k.b == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(k.b[:])
}

// ID names the key without revealing it: 12 hex digits of a one-way
// derivation of it. Tokens carry it, so that a rotation finds the values
// sealed with an old key and an error can say which key a value needs.
func (k Key) ID() string {
	if k.b == nil {
		return ""
	}
	id, err := hkdf.Key(sha256.New, k.b[:], nil, "secure-mcp-gateway sealing key id", keyIDBytes)
	if err != nil {
		panic(err) // only for lengths beyond what HKDF-SHA-256 can give
	}
	return hex.EncodeToString(id)
}

// valid reports whether k is a key (not the zero Key).
func (k Key) valid() bool { return k.b != nil }

// Equal reports whether two keys are the same key.
func (k Key) Equal(o Key) bool {
	if k.b == nil || o.b == nil {
		return k.b == o.b
	}
	return *k.b == *o.b
}

// String names the key by its id.
func (k Key) String() string {
	if k.b == nil {
		return "sealing.Key(none)"
	}
	return "sealing.Key(" + k.ID() + ")"
}

// GoString is String, for %#v.
func (k Key) GoString() string { return k.String() }

// Format prints the key as String does for every verb (%x included), so
// that no verb reaches its bytes.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// aeadKey derives the AES-256-GCM key of token format v1 from the key. The
// key itself is kept for derivations only, so that another use of it later
// (a keyed hash, say) gets an independent key of its own.
func (k Key) aeadKey() []byte {
	b, err := hkdf.Key(sha256.New, k.b[:], nil, "secure-mcp-gateway sealing v1 aes-256-gcm", KeySize)
	if err != nil {
		panic(err)
	}
	return b
}

package services

import (
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/securemcp/gateway/models"
)

// API key secrets look like smg_<43 random base62 characters><6 checksum
// characters>. The prefix lets secret scanners find leaked keys; the checksum
// (CRC32 of the random part, base62) lets scanners and Verify reject typos and
// made-up strings without a database lookup. 43 base62 characters carry
// 43·log2(62) ≈ 256.03 bits of entropy.
const (
	APIKeyPrefix      = "smg_"
	secretRandomLen   = 43
	secretChecksumLen = 6
	secretLen         = len(APIKeyPrefix) + secretRandomLen + secretChecksumLen
	base62Alphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// newSecret draws a fresh API key secret from crypto/rand.
func newSecret() (string, error) {
	random := make([]byte, 0, secretRandomLen)
	buf := make([]byte, 64)
	for len(random) < secretRandomLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, b := range buf {
			// Rejection sampling keeps every character equally likely: 248 = 4·62.
			if b < 248 && len(random) < secretRandomLen {
				random = append(random, base62Alphabet[b%62])
			}
		}
	}
	return APIKeyPrefix + string(random) + secretChecksum(string(random)), nil
}

// secretChecksum is the CRC32 of the random part in fixed-width base62.
func secretChecksum(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	out := make([]byte, secretChecksumLen)
	for i := secretChecksumLen - 1; i >= 0; i-- {
		out[i] = base62Alphabet[n%62]
		n /= 62
	}
	return string(out)
}

// wellFormedSecret checks the prefix, length, alphabet and checksum of a
// secret: what can be refused without a lookup.
func wellFormedSecret(s string) bool {
	if len(s) != secretLen || !strings.HasPrefix(s, APIKeyPrefix) {
		return false
	}
	body := s[len(APIKeyPrefix):]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62Alphabet, body[i]) < 0 {
			return false
		}
	}
	random := body[:secretRandomLen]
	return body[secretRandomLen:] == secretChecksum(random)
}

// Keys imported from the original system keep their secrets, which have no
// prefix nor checksum: 64 URL-safe base64 characters (Python's
// secrets.token_urlsafe(48)). Anything else without our prefix, a key id or a
// mistyped smg_ secret, is no secret.
const legacySecretLen = 64

// legacySecret reports whether s has the shape of an imported original-system secret.
func legacySecret(s string) bool {
	if len(s) != legacySecretLen || looksLikeSecret(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; strings.IndexByte(base62Alphabet, c) < 0 && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// looksLikeSecret tells a secret (even a mistyped one) from a key id.
func looksLikeSecret(s string) bool { return strings.HasPrefix(s, APIKeyPrefix) }

// secretLast4 is what is kept of a secret for display.
func secretLast4(secret string) string { return secret[len(secret)-4:] }

// MaskAPIKey renders a stored key for display: the prefix and the last four
// characters. A key imported from the original system has no prefix, and its
// mask shows none: it is known by its id, which the import derived from its
// hash (a rotation gives it a prefixed secret and so a prefixed mask).
func MaskAPIKey(k models.APIKey) string {
	if k.ID == derivedID("apikey", k.Hash) {
		return "…" + k.Last4
	}
	return APIKeyPrefix + "…" + k.Last4
}

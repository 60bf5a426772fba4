// Package keymaterial makes and checks API key secrets: generation, checksum,
// the one-way hash they are stored as, the forms the original system used, and
// the mask shown in listings. It knows no store.
package keymaterial

import (
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"regexp"
	"strings"

	"github.com/google/uuid"

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

// NewSecret draws a fresh API key secret from crypto/rand.
func NewSecret() (string, error) {
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

// WellFormedSecret checks the prefix, length, alphabet and checksum of a
// secret: what can be refused without a lookup.
func WellFormedSecret(s string) bool {
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
// prefix nor checksum. That system generated 48 URL-safe base64 characters
// (36 random bytes: its generate-config and its key commands), its setup
// scripts 64 (Windows) or 86 (openssl) characters, and it accepted whatever
// string an admin wrote into its config file. So a secret without our prefix
// is taken for an imported one when it could be a real key at all: long
// enough, printable ASCII (what an HTTP header carries), and not one of the
// shapes that are placeholders or ids rather than secrets. Anything else
// without our prefix, a key id or a mistyped smg_ secret, is no secret.
const (
	legacyMinLen = 32   // 192 bits of URL-safe base64; the original's own keys have 48
	legacyMaxLen = 1024 // far beyond any generated key; bounds the work per request
	// legacyMinDistinct: 32 random characters of even a 16-letter alphabet
	// use fewer than 8 different ones with a probability below 1e-7.
	legacyMinDistinct = 8
)

// placeholderSecret matches upper-case words joined by underscores, the way
// the original system's templates name what must be filled in
// (UNIQUE_GATEWAY_KEY, YOUR_ENKRYPT_API_KEY): a random key of 48 URL-safe
// characters has no lower-case letter once in 10^11.
var placeholderSecret = regexp.MustCompile(`^[A-Z0-9]*[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)

// LegacySecretProblem says why s cannot be kept as the secret of a key
// imported from the original system, or "" when it can. The reasons are
// written to be shown: they never quote the secret.
func LegacySecretProblem(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case len(s) > legacyMaxLen: // first: nothing below reads a long string
		return fmt.Sprintf("it has more than %d characters", legacyMaxLen)
	case LooksLikeSecret(s):
		return "it begins with " + APIKeyPrefix + ", the prefix of this gateway's keys, without being one"
	case placeholderSecret.MatchString(s):
		return "it is a placeholder of upper-case words, not a secret"
	case strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return "it has spaces, control or non-ASCII characters, which a request header cannot carry"
	case len(s) < legacyMinLen:
		return fmt.Sprintf("it has fewer than %d characters", legacyMinLen)
	case isKeyID(s):
		return "it has the form of a key id (a UUID)"
	case endsWithOurBody(s):
		return "it is a key of this gateway with its " + APIKeyPrefix + " prefix mistyped or lost"
	case distinctBytes(s) < legacyMinDistinct:
		return fmt.Sprintf("it uses fewer than %d different characters", legacyMinDistinct)
	}
	return ""
}

// LegacySecret reports whether s has the shape of an imported original-system secret.
func LegacySecret(s string) bool { return LegacySecretProblem(s) == "" }

// endsWithOurBody reports a string ending in the random part and checksum of
// one of our secrets: an smg_ key whose prefix was lost or mistyped, refused
// without a lookup like any other typo. A key of the original system ends so
// by chance once in 62^6.
func endsWithOurBody(s string) bool {
	const bodyLen = secretRandomLen + secretChecksumLen
	if len(s) < bodyLen {
		return false
	}
	body := s[len(s)-bodyLen:]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62Alphabet, body[i]) < 0 {
			return false
		}
	}
	return body[secretRandomLen:] == secretChecksum(body[:secretRandomLen])
}

// isKeyID reports the canonical UUID form that key ids (ours and derived) have.
func isKeyID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && strings.EqualFold(u.String(), s)
}

// distinctBytes counts the different bytes of s, stopping once there are
// enough: this runs on every verification of an imported key.
func distinctBytes(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s) && n < legacyMinDistinct; i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

// LooksLikeSecret tells a secret (even a mistyped one) from a key id.
func LooksLikeSecret(s string) bool { return strings.HasPrefix(s, APIKeyPrefix) }

// SecretLast4 is what is kept of a secret for display.
func SecretLast4(secret string) string { return secret[len(secret)-4:] }

// MaskAPIKey renders a stored key for display: the prefix and the last four
// characters. A key imported from the original system has no prefix, and its
// mask shows none: it is known by its id, which the import derived from its
// hash (a rotation gives it a prefixed secret and so a prefixed mask).
func MaskAPIKey(k models.APIKey) string {
	if k.ID == DerivedID("apikey", k.Hash) {
		return "…" + k.Last4
	}
	return APIKeyPrefix + "…" + k.Last4
}

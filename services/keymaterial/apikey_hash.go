package keymaterial

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashAPIKeySecret is the one-way form in which API key secrets are stored and
// looked up. Secrets carry 256 bits of entropy, so a fast hash is safe here and
// keeps verification O(1) by index lookup.
func HashAPIKeySecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

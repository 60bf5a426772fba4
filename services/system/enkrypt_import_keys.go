package system

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/keymaterial"
)

// keys converts the plaintext-keyed records. A key written twice counts once,
// with its last record, as the original system read its file. One doubtful
// key never stops the import: a secret too short or too guessable to keep is
// dropped and its record imported disabled, with a note.
func (p *enkryptParser) keys(members []member) []models.APIKey {
	last := make(map[string]int, len(members))
	for i, m := range members {
		last[m.key] = i
	}
	var out []models.APIKey
	for i, m := range members {
		if last[m.key] != i {
			p.notes = append(p.notes, fmt.Sprintf("apikeys entry #%d: the same key appears again later in the file; the later record is imported, as the original system read it", i+1))
			continue
		}
		if k, ok := p.key(i, m); ok {
			out = append(out, k)
		}
	}
	return out
}

// key converts one plaintext-keyed record. Labels name the key by position and
// last characters only: the secret must not appear in any message.
func (p *enkryptParser) key(i int, m member) (models.APIKey, bool) {
	secret := m.key
	problem := ""
	if !keymaterial.WellFormedSecret(secret) {
		problem = keymaterial.LegacySecretProblem(secret)
	}
	last4 := displayLast4(secret, problem != "")
	label := fmt.Sprintf("apikeys entry #%d (ending in %q)", i+1, last4)
	var k enkryptKey
	if !p.decode(label, m.value, &k) {
		return models.APIKey{}, false
	}
	hash := keymaterial.HashAPIKeySecret(secret)
	if problem != "" {
		// Nothing of the secret is kept, not even its hash: a short
		// secret is found again from its SHA-256 at once, and it may still
		// open the original system. The stored hash is that of random bytes,
		// which no secret matches, until a rotation gives the key a new one.
		hash = unmatchableHash()
	}
	id := keymaterial.DerivedID("apikey", hash)
	p.originals[id] = "(" + label + ")"
	key := models.APIKey{ID: id, Hash: hash, Last4: last4, UserID: p.id("user", k.UserID),
		ProjectID: p.id("project", k.ProjectID), CreatedAt: p.time(label, k.CreatedAt), Disabled: k.Disabled}
	if k.DisabledAt != nil {
		t := p.time(label, k.DisabledAt)
		key.DisabledAt = &t
	}
	if k.EnabledAt != nil {
		t := p.time(label, k.EnabledAt)
		key.EnabledAt = &t
	}
	if problem != "" {
		if !key.Disabled || key.DisabledAt == nil {
			now := p.now
			key.DisabledAt = &now
		}
		key.Disabled, key.DisabledReason = true, models.DisabledWeakSecret
		p.notes = append(p.notes, fmt.Sprintf("apikeys entry #%d: the key is imported disabled as key %s, without its secret, because %s (inactive_reason %q); rotate it to give it a new secret, then enable it",
			i+1, id, problem, models.DisabledWeakSecret))
	}
	return key, true
}

// displayLast4 is what a listing shows of an imported secret: its last four
// characters, unless the secret is one that is not kept and so short that
// four characters give much of it away, or holds characters not fit to show.
func displayLast4(secret string, dropped bool) string {
	r := []rune(secret)
	if dropped && (len(r) < 12 || strings.IndexFunc(secret, func(c rune) bool { return c <= ' ' || c > '~' }) >= 0) {
		return "****"
	}
	if len(r) > 4 {
		r = r[len(r)-4:]
	}
	return string(r)
}

// unmatchableHash is the stored hash of a key whose secret was not kept: the
// hash of 256 random bits that are thrown away.
func unmatchableHash() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails (Go 1.24+ crashes instead)
	return keymaterial.HashAPIKeySecret(hex.EncodeToString(b))
}

package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Change is one member that differs between the value before a write and
// the value after it, secrets masked.
type Change struct {
	// Path is the member's JSON Pointer (RFC 6901): "/Env/GITHUB_TOKEN",
	// "/Args/2", "" for the whole value.
	Path string `json:"path"`
	// Before and After are the member's JSON values; Before is absent for a
	// member created, After for one removed (null is a value).
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// WriteDetails is the details of a record of an admin write.
type WriteDetails struct {
	Changes []Change `json:"changes"`
	// Omitted counts the changes left out beyond maxChanges.
	Omitted int `json:"omitted,omitempty"`
}

// Bounds that keep one write's record small whatever was written (a
// server's tools object can be large): the write must never fail because
// its record would be too big.
const (
	maxChanges = 200
	// maxValueLen bounds one before or after value; a larger one is kept as
	// its size and the SHA-256 of its masked form.
	maxValueLen = 2048
)

// Diff compares two values as their JSON forms, member by member, and
// returns what differs with every secret masked (see maskValue): a nil
// before (or one encoding to null) is a creation, a nil after a deletion,
// each listing the members of the object created or deleted. Objects are
// compared member by member, arrays of one length item by item; anything
// else that differs is one change. Changes are sorted by path.
func Diff(before, after any) (WriteDetails, error) {
	b, bOK, err := decodeForDiff(before)
	if err != nil {
		return WriteDetails{}, fmt.Errorf("audit: diff: before: %w", err)
	}
	a, aOK, err := decodeForDiff(after)
	if err != nil {
		return WriteDetails{}, fmt.Errorf("audit: diff: after: %w", err)
	}
	d := differ{}
	d.walk("", b, a, bOK, aOK, false)
	slices.SortFunc(d.changes, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	out := WriteDetails{Changes: d.changes}
	if out.Changes == nil {
		out.Changes = []Change{}
	}
	if len(out.Changes) > maxChanges {
		out.Omitted = len(out.Changes) - maxChanges
		out.Changes = out.Changes[:maxChanges]
	}
	return out, nil
}

// decodeForDiff returns v's JSON form decoded with exact numbers in
// canonical form (so that 1 and 1.0 compare equal); ok is false for nil.
func decodeForDiff(v any) (any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false, err
	}
	if raw, err = CanonicalJSON(raw); err != nil {
		return nil, false, err
	}
	if string(raw) == "null" {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

type differ struct {
	changes []Change
}

// walk compares b and a at path; secret says the position is secret.
func (d *differ) walk(path string, b, a any, bOK, aOK, secret bool) {
	if !bOK && !aOK || bOK && aOK && reflect.DeepEqual(b, a) {
		return
	}
	bObj, bIsObj := b.(map[string]any)
	aObj, aIsObj := a.(map[string]any)
	switch {
	case (bIsObj || !bOK) && (aIsObj || !aOK) && (bOK || aOK):
		bPair, bHas := namedSecretPair(bObj)
		aPair, aHas := namedSecretPair(aObj)
		keys := make([]string, 0, len(bObj)+len(aObj))
		for k := range bObj {
			keys = append(keys, k)
		}
		for k := range aObj {
			if _, dup := bObj[k]; !dup {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			bv, inB := bObj[k]
			av, inA := aObj[k]
			s := secret || secretName(k) || (bHas && k == bPair) || (aHas && k == aPair)
			if !inB || !inA {
				// A member created or removed is one change, whole.
				d.add(path+"/"+escapePointer(maskKey(k)), bv, av, inB, inA, s)
				continue
			}
			d.walk(path+"/"+escapePointer(maskKey(k)), bv, av, true, true, s)
		}
		return
	}
	bArr, bIsArr := b.([]any)
	aArr, aIsArr := a.([]any)
	if bIsArr && aIsArr && len(bArr) == len(aArr) {
		for i := range bArr {
			s := secret || (i > 0 && (secretFlag(bArr[i-1]) || secretFlag(aArr[i-1])))
			d.walk(path+"/"+strconv.Itoa(i), bArr[i], aArr[i], true, true, s)
		}
		return
	}
	d.add(path, b, a, bOK, aOK, secret)
}

func (d *differ) add(path string, b, a any, bOK, aOK, secret bool) {
	c := Change{Path: path}
	if bOK {
		c.Before = encodeMasked(b, secret)
	}
	if aOK {
		c.After = encodeMasked(a, secret)
	}
	d.changes = append(d.changes, c)
}

// encodeMasked encodes a value with its secrets masked, in canonical JSON,
// replaced by its size and hash when too large.
func encodeMasked(v any, secret bool) json.RawMessage {
	raw, err := json.Marshal(maskValue(v, secret))
	if err == nil {
		raw, err = CanonicalJSON(raw)
	}
	if err != nil {
		// A decoded JSON value always encodes; should it not, nothing of
		// it is kept rather than something unmasked.
		return json.RawMessage(`"****"`)
	}
	if len(raw) > maxValueLen {
		sum := sha256.Sum256(raw)
		raw = fmt.Appendf(nil, `{"omitted_bytes":%d,"sha256":%q}`, len(raw), hex.EncodeToString(sum[:]))
	}
	return raw
}

// escapePointer escapes a member name for a JSON Pointer.
func escapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/securemcp/gateway/internal/jsonscan"
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
//
// The walk reads the JSON forms as they are and decodes only where they
// differ: equal texts are equal values (encoding/json writes a value one way),
// and a member or an item that is unchanged costs a byte comparison. Numbers
// are compared by value (1 and 1.0 are one number), strings by their text.
func Diff(before, after any) (WriteDetails, error) {
	b, bOK, err := encodeForDiff(before)
	if err != nil {
		return WriteDetails{}, fmt.Errorf("audit: diff: before: %w", err)
	}
	a, aOK, err := encodeForDiff(after)
	if err != nil {
		return WriteDetails{}, fmt.Errorf("audit: diff: after: %w", err)
	}
	d := differ{}
	if err := d.walk("", b, a, bOK, aOK, false); err != nil {
		return WriteDetails{}, fmt.Errorf("audit: diff: %w", err)
	}
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

// encodeForDiff returns v's JSON form; ok is false for nil (or null).
func encodeForDiff(v any) (json.RawMessage, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false, err
	}
	if string(raw) == "null" {
		return nil, false, nil
	}
	return raw, true, nil
}

type differ struct {
	changes []Change
}

// walk compares b and a at path; secret says the position is secret.
func (d *differ) walk(path string, b, a json.RawMessage, bOK, aOK, secret bool) error {
	if !bOK && !aOK {
		return nil
	}
	if bOK && aOK {
		same, err := sameText(b, a)
		if err != nil || same {
			return err
		}
	}
	if (!bOK || b[0] == '{') && (!aOK || a[0] == '{') {
		return d.walkObjects(path, b, a, secret)
	}
	if bOK && aOK && b[0] == '[' && a[0] == '[' {
		bArr, err := arrayItems(b)
		if err != nil {
			return err
		}
		aArr, err := arrayItems(a)
		if err != nil {
			return err
		}
		if len(bArr) == len(aArr) {
			for i := range bArr {
				s := secret || (i > 0 && (secretFlag(rawString(bArr[i-1])) || secretFlag(rawString(aArr[i-1]))))
				if err := d.walk(path+"/"+strconv.Itoa(i), bArr[i], aArr[i], true, true, s); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return d.add(path, b, a, bOK, aOK, secret)
}

// walkObjects compares two objects (either absent) member by member.
func (d *differ) walkObjects(path string, b, a json.RawMessage, secret bool) error {
	bObj, err := objectMembers(b)
	if err != nil {
		return err
	}
	aObj, err := objectMembers(a)
	if err != nil {
		return err
	}
	bPair, bHas := namedSecretPair(bObj, jsonString)
	aPair, aHas := namedSecretPair(aObj, jsonString)
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
		p := path + "/" + escapePointer(maskKey(k))
		if !inB || !inA {
			// A member created or removed is one change, whole.
			err = d.add(p, bv, av, inB, inA, s)
		} else {
			err = d.walk(p, bv, av, true, true, s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// objectMembers splits an object's JSON into its members (nil for none).
func objectMembers(raw json.RawMessage) (map[string]json.RawMessage, error) {
	if raw == nil {
		return nil, nil
	}
	m := map[string]json.RawMessage{}
	err := splitJSON(raw, '{', '}', func(key, value json.RawMessage) error {
		k, ok := jsonString(key)
		if !ok {
			return errors.New("malformed member name")
		}
		m[k] = value
		return nil
	})
	return m, err
}

// arrayItems splits an array's JSON into its items.
func arrayItems(raw json.RawMessage) ([]json.RawMessage, error) {
	var items []json.RawMessage
	err := splitJSON(raw, '[', ']', func(_, value json.RawMessage) error {
		items = append(items, value)
		return nil
	})
	return items, err
}

// splitJSON calls each with the members (key and value) or items (value
// only) of an object or array encoded by encoding/json (valid and compact:
// the walk splits only what it encoded), without decoding them.
func splitJSON(raw json.RawMessage, open, closing byte, each func(key, value json.RawMessage) error) error {
	if len(raw) < 2 || raw[0] != open || raw[len(raw)-1] != closing {
		return errors.New("malformed JSON")
	}
	i, end := 1, len(raw)-1
	for i < end {
		var key json.RawMessage
		if open == '{' {
			j := jsonscan.ValueEnd(raw, i)
			if j >= end || raw[j] != ':' {
				return errors.New("malformed JSON")
			}
			key, i = raw[i:j], j+1
		}
		j := jsonscan.ValueEnd(raw, i)
		if j > end || j == i {
			return errors.New("malformed JSON")
		}
		if err := each(key, raw[i:j]); err != nil {
			return err
		}
		i = j
		if i < end {
			if raw[i] != ',' {
				return errors.New("malformed JSON")
			}
			i++
		}
	}
	return nil
}

// sameText reports two JSON texts of one value: the same text, numbers of
// one value, or strings of one text however escaped.
func sameText(b, a json.RawMessage) (bool, error) {
	if bytes.Equal(b, a) {
		return true, nil
	}
	switch {
	case isNumberStart(b[0]) && isNumberStart(a[0]):
		cb, err := CanonicalJSON(b)
		if err != nil {
			return false, err
		}
		ca, err := CanonicalJSON(a)
		return err == nil && bytes.Equal(cb, ca), err
	case b[0] == '"' && a[0] == '"':
		var sb, sa string
		if err := json.Unmarshal(b, &sb); err != nil {
			return false, err
		}
		err := json.Unmarshal(a, &sa)
		return err == nil && sb == sa, err
	}
	return false, nil
}

// jsonString is a JSON text's string, if it is one.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true // nothing escaped
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// rawString is a JSON text's string, or nil: what secretFlag reads.
func rawString(raw json.RawMessage) any {
	if s, ok := jsonString(raw); ok {
		return s
	}
	return nil
}

func isNumberStart(c byte) bool { return c == '-' || isDigit(c) }

// decodeLeaf decodes a JSON value with exact numbers; nil when it does not
// decode (it was encoded by encoding/json, so it does).
func decodeLeaf(raw json.RawMessage) any {
	switch {
	case raw == nil:
		return nil
	case raw[0] == '"':
		return rawString(raw)
	case isNumberStart(raw[0]):
		return json.Number(raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	return v
}

func (d *differ) add(path string, b, a json.RawMessage, bOK, aOK, secret bool) error {
	c := Change{Path: path}
	if bOK {
		c.Before = encodeMasked(decodeLeaf(b), secret)
	}
	if aOK {
		c.After = encodeMasked(decodeLeaf(a), secret)
	}
	d.changes = append(d.changes, c)
	return nil
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

package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ActorKind says who acted.
type ActorKind string

const (
	// ActorAdminKey is a holder of an admin API key other than the root one.
	ActorAdminKey ActorKind = "admin_key"
	// ActorRootKey is the holder of the admin key of the configuration file.
	ActorRootKey ActorKind = "root_key"
	// ActorCLI is a user running the command line on the server's host; ID
	// is the operating-system user name.
	ActorCLI ActorKind = "cli"
	// ActorGatewayKey is an MCP client presenting a user's gateway key; ID is
	// the key id, UserID and ProjectID say whose it is.
	ActorGatewayKey ActorKind = "gateway_key"
	// ActorSystem is the product itself: retention checkpoints and other
	// records no person caused.
	ActorSystem ActorKind = "system"
	// ActorAnonymous is a caller that could not be identified (a refused
	// request with a missing or unknown key).
	ActorAnonymous ActorKind = "anonymous"
)

var actorKinds = map[ActorKind]bool{ActorAdminKey: true, ActorRootKey: true, ActorCLI: true,
	ActorGatewayKey: true, ActorSystem: true, ActorAnonymous: true}

// Actor is who caused a record. Only identifiers are kept, never a secret:
// a key is named by its id, not by any part of its secret.
type Actor struct {
	Kind      ActorKind `json:"kind"`
	ID        string    `json:"id,omitempty"`
	UserID    string    `json:"user_id,omitempty"`
	ProjectID string    `json:"project_id,omitempty"`
	// Addr is the client's network address, empty for the command line.
	Addr string `json:"addr,omitempty"`
}

// Entity is what a record is about: a configuration, a server, a user, a
// key, a setting, a tool ("server/tool"), …
type Entity struct {
	Kind string `json:"kind,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Outcome says how an action ended.
type Outcome string

const (
	// OutcomeSuccess is an action that was carried out.
	OutcomeSuccess Outcome = "success"
	// OutcomeRefused is an action the product would not carry out: an
	// unknown or disabled key, a tool outside the allow-list, a guardrail
	// block.
	OutcomeRefused Outcome = "refused"
	// OutcomeError is an action attempted that failed (an upstream error).
	OutcomeError Outcome = "error"
)

var outcomes = map[Outcome]bool{OutcomeSuccess: true, OutcomeRefused: true, OutcomeError: true}

// Actions this package gives a meaning to. Others are named by their
// callers as "<entity>.<verb>" (server.update, apikey.rotate, …).
const (
	// ActionToolCall is a tool call through the gateway, allowed or refused.
	ActionToolCall = "tool.call"
	// ActionCheckpoint is a retention checkpoint: its details are a Checkpoint.
	ActionCheckpoint = "audit.checkpoint"
)

// Limits keep one record small enough to store, list and export in bulk.
const (
	maxFieldLen   = 256
	maxDetailsLen = 1 << 20
)

// Record is one entry of the audit trail. Seq, PrevHash and Hash are set by
// Seal when the record joins the chain; everything else by its author.
type Record struct {
	// Seq is the record's position in the chain: 1, 2, 3, … without gaps.
	Seq int64 `json:"seq"`
	// Time is when the action happened, in UTC to the microsecond (the
	// precision every backend keeps).
	Time      time.Time `json:"time"`
	Actor     Actor     `json:"actor"`
	Action    string    `json:"action"`
	Entity    Entity    `json:"entity"`
	Outcome   Outcome   `json:"outcome"`
	RequestID string    `json:"request_id,omitempty"`
	// Details is a JSON value in canonical form (see CanonicalJSON): a
	// WriteDetails, a ToolCall or a Checkpoint. Empty when there are none.
	Details json.RawMessage `json:"details,omitempty"`
	// PrevHash is the Hash of the record before (GenesisHash for the first).
	PrevHash string `json:"prev_hash"`
	// Hash is the hex SHA-256 of PrevHash and the record's canonical encoding.
	Hash string `json:"hash"`
}

// TimeFormat is how records write their time in JSON: UTC, always six
// fraction digits, so that exported lines sort by time as text.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON writes the record with its time in TimeFormat. (Decoding
// needs nothing special: the format is RFC 3339.)
func (r Record) MarshalJSON() ([]byte, error) { return json.Marshal(r.wire()) }

// plainRecord has Record's fields without its MarshalJSON method.
type plainRecord Record

// wireRecord is a record as JSON holds it.
type wireRecord struct {
	Seq  int64  `json:"seq"`
	Time string `json:"time"`
	plainRecord
}

func (r Record) wire() wireRecord {
	return wireRecord{Seq: r.Seq, Time: r.Time.UTC().Format(TimeFormat), plainRecord: plainRecord(r)}
}

// Normalize returns the record as it is stored and hashed: time in UTC
// truncated to the microsecond, strings in valid UTF-8 without NUL (what a
// PostgreSQL text column and JSON keep; U+FFFD replaces the rest), details
// in canonical JSON (none for an empty value or null). It fails when the
// details are not JSON.
func (r Record) Normalize() (Record, error) {
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	for _, p := range [...]*string{&r.Actor.ID, &r.Actor.UserID, &r.Actor.ProjectID, &r.Actor.Addr, &r.Action,
		&r.Entity.Kind, &r.Entity.ID, &r.Entity.Name, &r.RequestID} {
		*p = storable(*p)
	}
	details, err := canonicalDetails(r.Details)
	if err != nil {
		return r, fmt.Errorf("audit: record details: %w", err)
	}
	r.Details = details
	return r, nil
}

// storable replaces what a text column or JSON cannot hold as written.
func storable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// ErrInvalid marks a record its author got wrong; Seal refuses it.
var ErrInvalid = errors.New("invalid audit record")

// Validate checks what an author must give: a time, a known actor kind, an
// action, a known outcome, and bounded sizes. It does not look at the chain
// fields.
func (r Record) Validate() error {
	switch {
	case r.Time.IsZero():
		return fmt.Errorf("%w: no time", ErrInvalid)
	case !actorKinds[r.Actor.Kind]:
		return fmt.Errorf("%w: unknown actor kind %q", ErrInvalid, r.Actor.Kind)
	case !validAction(r.Action):
		return fmt.Errorf("%w: action %q is not of the form entity.verb", ErrInvalid, r.Action)
	case !outcomes[r.Outcome]:
		return fmt.Errorf("%w: unknown outcome %q", ErrInvalid, r.Outcome)
	case len(r.Details) > maxDetailsLen:
		return fmt.Errorf("%w: details of %d bytes exceed %d", ErrInvalid, len(r.Details), maxDetailsLen)
	}
	for _, f := range [...]struct{ name, v string }{{"actor id", r.Actor.ID}, {"actor user id", r.Actor.UserID},
		{"actor project id", r.Actor.ProjectID}, {"actor address", r.Actor.Addr}, {"entity kind", r.Entity.Kind},
		{"entity id", r.Entity.ID}, {"entity name", r.Entity.Name}, {"request id", r.RequestID}} {
		if len(f.v) > maxFieldLen {
			return fmt.Errorf("%w: %s longer than %d bytes", ErrInvalid, f.name, maxFieldLen)
		}
	}
	return nil
}

// validAction accepts lowercase dotted names (tool.call, server.update): a
// fixed vocabulary the API can filter on.
func validAction(a string) bool {
	if a == "" || len(a) > 64 || a[0] == '.' || a[len(a)-1] == '.' {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// label names a record for a human: its seq, time, action and entity.
// Nothing in it is secret (identifiers only).
func (r Record) label() string {
	s := fmt.Sprintf("record %d (%s, %s", r.Seq, r.Time.UTC().Format(time.RFC3339), r.Action)
	if r.Entity.Kind != "" || r.Entity.Name != "" || r.Entity.ID != "" {
		name := r.Entity.Name
		if name == "" {
			name = r.Entity.ID
		}
		s += " " + r.Entity.Kind + " " + fmt.Sprintf("%q", name)
	}
	if r.Actor.Kind != "" {
		s += " by " + string(r.Actor.Kind)
		if r.Actor.ID != "" {
			s += " " + r.Actor.ID
		}
	}
	return s + ")"
}

package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// ToolCall is the details of a tool call's record. The arguments are never
// kept, only their hash: enough to tell whether two calls had the same
// arguments, or a given set of arguments was sent, without the record
// holding what a user typed. (A hash of a small argument set can be found by
// trying candidates; it proves equality, it does not hide.)
type ToolCall struct {
	Server   string `json:"server"`
	Tool     string `json:"tool"`
	ArgsHash string `json:"args_hash,omitempty"`
	// Verdicts are the guardrail checks that ran, in the order they ran.
	Verdicts []Verdict `json:"verdicts,omitempty"`
	// Reason is a refusal's or failure's short code (tool_not_allowed,
	// input_blocked, upstream_error, …), never text from the call.
	Reason string `json:"reason,omitempty"`
	// TotalMs is the call's duration at the gateway, UpstreamMs the part
	// spent waiting for the server, in milliseconds to the microsecond.
	TotalMs    float64 `json:"total_ms"`
	UpstreamMs float64 `json:"upstream_ms,omitempty"`
}

// Verdict sums up one guardrail check for the record: whether it let the
// payload pass, which detectors fired and what they did, which the policy
// asked for but did not run. Matched text and samples are never kept.
type Verdict struct {
	// Stage is the enforcement point: input, output or tool.
	Stage   string `json:"stage"`
	Allowed bool   `json:"allowed"`
	// WouldBlock is set when a monitoring policy would have blocked.
	WouldBlock   bool       `json:"would_block,omitempty"`
	Provider     string     `json:"provider,omitempty"`
	Detectors    []Detector `json:"detectors,omitempty"`
	NotEvaluated []string   `json:"not_evaluated,omitempty"`
	DurationMs   float64    `json:"duration_ms,omitempty"`
}

// Detector is one detector that fired: its name, the action the policy
// took (allow, block, redact) and the number of matches.
type Detector struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	Count  int    `json:"count"`
}

// Details encodes the tool call as record details, its lists sorted so
// that one call always encodes alike.
func (t ToolCall) Details() (json.RawMessage, error) {
	t.Verdicts = slices.Clone(t.Verdicts)
	for i := range t.Verdicts {
		v := &t.Verdicts[i]
		v.Detectors = slices.Clone(v.Detectors)
		slices.SortFunc(v.Detectors, func(a, b Detector) int { return strings.Compare(a.Name, b.Name) })
		v.NotEvaluated = slices.Clone(v.NotEvaluated)
		slices.Sort(v.NotEvaluated)
		v.NotEvaluated = slices.Compact(v.NotEvaluated)
	}
	return DetailsOf(t)
}

// Millis is a duration in milliseconds to the microsecond, as records keep
// durations.
func Millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// ArgsHash returns the hex SHA-256 of a tool call's arguments in canonical
// JSON, so that the same arguments hash alike however a client spaced or
// ordered them. Empty arguments and null hash as "{}" (a call without
// arguments is a call with none); arguments that are not JSON hash as
// "raw:" and the SHA-256 of their bytes, so that a malformed call is still
// identified without being kept.
func ArgsHash(args json.RawMessage) string {
	canon, err := canonicalDetails(args)
	if err != nil {
		sum := sha256.Sum256(args)
		return "raw:" + hex.EncodeToString(sum[:])
	}
	if canon == nil {
		canon = []byte("{}")
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}

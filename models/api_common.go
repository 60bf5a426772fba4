package models

import "time"

// Envelope is the success body of every route.
type Envelope struct {
	Message   string    `json:"message" example:"Operation successful"`
	Data      any       `json:"data"`
	Timestamp time.Time `json:"timestamp" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// ErrorResponse is the error body of every route, unknown routes included.
type ErrorResponse struct {
	Error     string    `json:"error" example:"not_found"`
	Detail    string    `json:"detail" example:"configuration \"my-config\" not found"`
	Issues    []string  `json:"issues,omitempty"`
	RequestID string    `json:"request_id,omitempty" example:"0f8fad5b-d9cb-469f-a165-70867728950e"`
	Timestamp time.Time `json:"timestamp" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// HealthData is the payload of GET /health.
type HealthData struct {
	Version    string `json:"version" example:"1.0.0"`
	ConfigPath string `json:"config_path" example:"/home/user/.enkrypt/enkrypt_mcp_config.json"`
}

// ReadyData is the payload of GET /readyz.
type ReadyData struct {
	// Store names the engine that answered.
	Store string `json:"store" example:"sqlite" enums:"sqlite,postgres"`
}

// SearchRequest is the body of every search route.
type SearchRequest struct {
	SearchTerm string `json:"search_term" example:"git" minLength:"1" maxLength:"1024" validate:"required"`
}

// FileRequest names a file of the data directory to write.
type FileRequest struct {
	OutputFile string `json:"output_file" example:"exports/my-config.json" validate:"required"`
}

// DeletedData reports what a delete removed.
type DeletedData struct {
	Deleted int `json:"deleted" example:"3"`
}

// Items converts a list of domain values to their API form. The result is never
// nil, so that an empty list is a JSON array, not null.
func Items[T, U any](in []T, convert func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, convert(v))
	}
	return out
}

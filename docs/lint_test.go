package docs_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/docs"
)

// moduleRoot is the repository's root, where package.json and redocly.yaml are.
const moduleRoot = ".."

// skipUnlessRequired skips a test that needs a tool this machine lacks, saying
// how to get it, unless SMG_REQUIRE_ALL=1 (as CI sets): there it fails.
func skipUnlessRequired(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("SMG_REQUIRE_ALL") == "1" {
		t.Fatalf("SMG_REQUIRE_ALL=1 but "+format, args...)
	}
	t.Skipf("SKIPPED: "+format, args...)
}

// lintReport is the part of `redocly lint --format=json` the test reads.
type lintReport struct {
	Totals struct {
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
	} `json:"totals"`
	Problems []struct {
		RuleID   string `json:"ruleId"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Location []struct {
			Pointer string `json:"pointer"`
		} `json:"location"`
	} `json:"problems"`
}

// TestRedoclyLint runs Redocly's linter (the version package-lock.json pins,
// with the rules of redocly.yaml) over the served document: any error or
// warning fails.
func TestRedoclyLint(t *testing.T) {
	if _, err := os.Stat(filepath.Join(moduleRoot, "node_modules", "@redocly", "cli")); err != nil {
		skipUnlessRequired(t, "@redocly/cli is not installed: run `npm ci` at the repository root (Node 20.19+)")
	}
	if _, err := exec.LookPath("npx"); err != nil {
		skipUnlessRequired(t, "npx (Node.js) is not on PATH")
	}
	// --no: never download a linter other than the installed one.
	cmd := exec.Command("npx", "--no", "redocly", "lint", "docs/openapi.json", "--format=json")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_NOTIFICATIONS=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run() // exits 1 when it finds errors: the report says which
	var report lintReport
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &report), "redocly lint (%v) gave no JSON report; stderr:\n%s", runErr, stderr.String())
	for _, p := range report.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("redocly %s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	assert.Zero(t, report.Totals.Errors+report.Totals.Warnings, "fix the annotations (make docs) or, if deliberate, add the exception to .redocly.lint-ignore.yaml")
	assert.NoError(t, runErr, "stderr:\n%s", stderr.String())
}

// loadServed is the OpenAPI document the server serves.
func loadServed(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI())
	require.NoError(t, err)
	return doc
}

// operationID is how generated clients name their methods: listConfigs.
var operationID = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// TestEveryOperationHasAUniqueOperationID: generated clients name each method
// after its operationId, so every operation needs one, distinct from all
// others, and stable (a rename breaks callers; see the list below).
func TestEveryOperationHasAUniqueOperationID(t *testing.T) {
	doc := loadServed(t)
	seen := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if !assert.Regexp(t, operationID, op.OperationID, "%s: add @ID <lowerCamelCase> to its annotations and run make docs", where) {
				continue
			}
			if other, dup := seen[op.OperationID]; dup {
				t.Errorf("operationId %q of %s is also that of %s", op.OperationID, where, other)
			}
			seen[op.OperationID] = where
		}
	}
	// A sample of the names clients already call: renaming one is a breaking change.
	for id, where := range map[string]string{
		"listConfigs": "GET /api/v1/configs", "createConfig": "POST /api/v1/configs", "getConfig": "GET /api/v1/configs/{config}",
		"addServer": "POST /api/v1/configs/{config}/servers", "generateAPIKey": "POST /api/v1/users/{user}/api-keys",
		"getHealth": "GET /health", "getSystemHealth": "GET /api/v1/system/health",
	} {
		assert.Equal(t, where, seen[id], "operationId %s", id)
	}
}

// TestRequestBodiesListTheirRequiredFields: a request schema that lists
// required fields names real properties, and the fields the API cannot do
// without are listed (the controllers' tests check each against the API's
// answers).
func TestRequestBodiesListTheirRequiredFields(t *testing.T) {
	doc := loadServed(t)
	required := map[string][]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			media := op.RequestBody.Value.Content.Get("application/json")
			require.NotNil(t, media, "%s %s: a JSON body", method, path)
			schema := media.Schema.Value
			for _, name := range schema.Required {
				assert.Contains(t, schema.Properties, name, "%s %s: required %q is not a property", method, path, name)
			}
			required[op.OperationID] = schema.Required
		}
	}
	for id, want := range map[string][]string{
		"createConfig": {"config_name"}, "copyConfig": {"source_config", "target_config"},
		"addServer": {"server_command", "server_name"}, "createUser": {"email"}, "resetSystem": {"confirm"},
		"rotateAPIKey": {"api_key"}, "backupSystem": {"output_file"}, "searchConfigs": {"search_term"},
	} {
		assert.ElementsMatch(t, want, required[id], "required fields of %s", id)
	}
	assert.Empty(t, required["updateServer"], "a partial update requires nothing")
	assert.NotContains(t, strings.Join(required["assignProjectConfig"], ","), "config", "config_name or config_id: neither alone is required")
}

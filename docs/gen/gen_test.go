package main

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the committed docs instead of comparing with them")

// documents are the generated files, committed under docs/.
var documents = []string{"swagger.json", "openapi.json"}

// TestDocsUpToDate regenerates the docs exactly as `make docs` does and fails
// when they differ from the committed ones. With -update it rewrites them.
func TestDocsUpToDate(t *testing.T) {
	root, err := moduleRoot()
	require.NoError(t, err)
	committed := filepath.Join(root, "docs")
	if *update {
		require.NoError(t, run(root, committed))
		return
	}
	out := t.TempDir()
	require.NoError(t, run(root, out))
	for _, name := range documents {
		want, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(committed, name))
		require.NoError(t, err, "docs/%s is missing: run make docs", name)
		if !bytes.Equal(got, want) {
			t.Errorf("docs/%s is stale: run make docs (or go test ./docs/gen -update) and commit it; first difference at line %d",
				name, firstDiffLine(got, want))
		}
	}
}

// TestGenerationIsDeterministic converts the same Swagger document twice.
func TestGenerationIsDeterministic(t *testing.T) {
	root, err := moduleRoot()
	require.NoError(t, err)
	v2, err := os.ReadFile(filepath.Join(root, "docs", "swagger.json"))
	require.NoError(t, err)
	first, err := convert(v2, v2)
	require.NoError(t, err)
	second, err := convert(v2, v2)
	require.NoError(t, err)
	assert.Equal(t, string(first), string(second))
}

// TestConvertRejectsInvalidInput: a broken Swagger document is an error, not an empty OpenAPI one.
func TestConvertRejectsInvalidInput(t *testing.T) {
	for name, input := range map[string]string{
		"not JSON":      `{"swagger": `,
		"wrong type":    `{"swagger": "2.0", "paths": []}`,
		"dangling $ref": `{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {"responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Missing"}}}}}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := convert([]byte(input), []byte(input))
			assert.Error(t, err)
		})
	}
}

// TestAPITypeTagsSaySwagCannotGuess: swag documents time.Time as a bare
// string and a pointer as never null. API types must say format:"date-time",
// and extensions:"x-nullable" on a pointer without omitempty (encoding/json
// writes nil as null and accepts null for it), so that clients and the
// response validation know.
func TestAPITypeTagsSaySwagCannotGuess(t *testing.T) {
	root, err := moduleRoot()
	require.NoError(t, err)
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(root, "models", "*.go"))
	require.NoError(t, err)
	times, pointers := 0, 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok || field.Tag == nil {
				return true
			}
			tag := reflect.StructTag(strings.Trim(field.Tag.Value, "`"))
			jsonTag := tag.Get("json")
			if jsonTag == "" || jsonTag == "-" {
				return true
			}
			at := fset.Position(field.Pos())
			typ := field.Type
			star, pointer := typ.(*ast.StarExpr)
			if pointer {
				typ = star.X
				if !strings.Contains(jsonTag, ",omitempty") {
					pointers++
					assert.Contains(t, tag.Get("extensions"), "x-nullable", "%s: a nil pointer is null: add extensions:\"x-nullable\"", at)
				}
			}
			if sel, ok := typ.(*ast.SelectorExpr); ok && sel.Sel.Name == "Time" && sel.X.(*ast.Ident).Name == "time" {
				times++
				assert.Equal(t, "date-time", tag.Get("format"), "%s: add format:\"date-time\" to the tag", at)
			}
			return true
		})
	}
	assert.Positive(t, times)
	assert.Positive(t, pointers)
}

// TestAnnotationsAreSwagFormatted: the annotations are laid out as `swag fmt` writes them.
func TestAnnotationsAreSwagFormatted(t *testing.T) {
	root, err := moduleRoot()
	require.NoError(t, err)
	sources, err := filepath.Glob(filepath.Join(root, "controllers", "*.go"))
	require.NoError(t, err)
	dir := t.TempDir()
	for _, path := range sources {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o644))
	}
	cmd := exec.Command("go", "tool", "swag", "fmt", "--dir", dir)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, path := range sources {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, filepath.Base(path)))
		require.NoError(t, err)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("controllers/%s: annotations not as swag fmt writes them from line %d: run make docs",
				filepath.Base(path), firstDiffLine(got, want))
		}
	}
}

// TestRefine checks what the conversion adds to swag's output.
func TestRefine(t *testing.T) {
	const v2 = `{
  "swagger": "2.0", "info": {"title": "t", "version": "1"},
  "securityDefinitions": {"AdminKey": {"type": "apiKey", "in": "header", "name": "Authorization"}},
  "definitions": {
    "Envelope": {"type": "object", "properties": {"message": {"type": "string"}, "data": {}}, "required": [REQUIRED_ENVELOPE]},
    "Item": {"type": "object", "properties": {"id": {"type": "string"}, "note": {"type": "string"}}, "required": [REQUIRED_ITEM]},
    "Body": {"type": "object", "properties": {"name": {"type": "string"}, "ref": {"allOf": [{"$ref": "#/definitions/Ref"}], "x-nullable": true}}, "required": [REQUIRED_BODY]},
    "Ref": {"type": "object", "properties": {"id": {"type": "string"}}},
    "models.ErrorResponse": {"type": "object", "properties": {"error": {"type": "string"}}}
  },
  "paths": {
    "/public": {"post": {
      "parameters": [{"in": "body", "name": "body", "required": true, "schema": {"$ref": "#/definitions/Body"}}],
      "responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Body"}}}}},
    "/secured": {"get": {
      "security": [{"AdminKey": []}],
      "responses": {
        "200": {"description": "OK",
          "headers": {"X-Total-Count": {"type": "integer"}},
          "schema": {"allOf": [{"$ref": "#/definitions/Envelope"},
            {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/definitions/Item"}}}}]}},
        "401": {"description": "Own words", "schema": {"$ref": "#/definitions/models.ErrorResponse"}}
      }}}
  }}`
	plain := strings.NewReplacer("REQUIRED_ENVELOPE", "", "REQUIRED_ITEM", "", "REQUIRED_BODY", "").Replace(v2)
	withRequired := strings.NewReplacer("REQUIRED_ENVELOPE", `"message", "data"`, "REQUIRED_ITEM", `"id"`, "REQUIRED_BODY", `"name"`).Replace(v2)
	v3, err := convert([]byte(plain), []byte(withRequired))
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(v3)
	require.NoError(t, err)

	admin := doc.Components.SecuritySchemes["AdminKey"].Value
	assert.Equal(t, "http", admin.Type)
	assert.Equal(t, "bearer", admin.Scheme)

	publicOp := doc.Paths.Find("/public").Post
	require.NotNil(t, publicOp.Security, "a public operation says so")
	assert.Empty(t, *publicOp.Security)
	require.NotNil(t, doc.Paths.Find("/secured").Get.Security)
	assert.NotEmpty(t, *doc.Paths.Find("/secured").Get.Security)
	nullable := doc.Components.Schemas["Body"].Value.Properties["ref"].Value
	assert.True(t, nullable.Nullable)
	assert.Equal(t, &openapi3.Types{openapi3.TypeObject}, nullable.Type, "nullable names its type (OpenAPI 3.0)")
	assert.Equal(t, "#/components/schemas/Ref", nullable.AllOf[0].Ref)
	public := publicOp.Responses
	assert.NotNil(t, public.Status(500), "any route may fail")
	assert.Nil(t, public.Status(401), "no key, no 401")
	assert.Nil(t, public.Status(429))

	secured := doc.Paths.Find("/secured").Get.Responses
	assert.Equal(t, "Own words", *secured.Status(401).Value.Description, "the annotation's description is kept")
	assert.True(t, secured.Status(401).Value.Headers["WWW-Authenticate"].Value.Required)
	assert.True(t, secured.Status(429).Value.Headers["Retry-After"].Value.Required)
	assert.Equal(t, "#/components/schemas/models.ErrorResponse", secured.Status(429).Value.Content.Get("application/json").Schema.Ref)
	ok := secured.Status(200).Value
	assert.True(t, ok.Headers["X-Total-Count"].Value.Required)
	for _, res := range []*openapi3.ResponseRef{secured.Status(200), secured.Status(401), secured.Status(429), public.Status(200), public.Status(500)} {
		assert.Equal(t, "#/components/headers/X-Request-ID", res.Value.Headers["X-Request-ID"].Ref, "every response carries the request id")
	}
	assert.True(t, doc.Components.Headers["X-Request-ID"].Value.Required)
	assert.Nil(t, doc.Info.Contact, "no empty contact")

	body := ok.Content.Get("application/json").Schema
	assert.Empty(t, body.Value.AllOf, "the envelope is flattened")
	assert.ElementsMatch(t, []string{"message", "data"}, slices.Collect(maps.Keys(body.Value.Properties)))
	assert.Equal(t, "#/components/schemas/Item", body.Value.Properties["data"].Value.Items.Ref)
	assert.NotContains(t, doc.Components.Schemas, "Envelope", "a schema that nothing refers to after flattening is dropped")

	assert.Equal(t, []string{"data", "message"}, body.Value.Required, "the envelope's fields are always present")
	assert.Equal(t, []string{"id"}, doc.Components.Schemas["Item"].Value.Required, "a response-only type lists its always-present fields")
	assert.Empty(t, doc.Components.Schemas["Body"].Value.Required, "a type of a request keeps what the annotations say")
}

// firstDiffLine is the 1-based line where a and b first differ.
func firstDiffLine(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		if a[i] == '\n' {
			line++
		}
	}
	return line
}

// Command gen regenerates the API documentation: `go tool swag init` turns the
// annotations of controllers/ into Swagger 2.0 (docs/swagger.json), which is
// then converted to OpenAPI 3 (docs/openapi.json), the document the server
// serves. Run it from the module root (`make docs`); the output is
// deterministic so that a test can compare it with what is committed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// swagArgs are the arguments of `go tool swag`: the general API info is on
// controllers.NewRouter, the API types live in models/, and only JSON is
// written (no docs.go: the documents are embedded by package docs instead).
func swagArgs(out string) []string {
	return []string{"tool", "swag", "init", "--quiet",
		"--generalInfo", "router.go", "--dir", "controllers,models",
		"--outputTypes", "json", "--output", out}
}

func main() {
	out := flag.String("out", "", "output directory (default: docs/ of the module)")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate writes the documents of the module containing the working
// directory into out, or into its docs/ if out is empty.
func generate(out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "docs")
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	return run(root, out)
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	path := string(bytes.TrimSpace(gomod))
	if path == "" || path == os.DevNull {
		return "", fmt.Errorf("not inside a Go module")
	}
	return filepath.Dir(path), nil
}

// run generates swagger.json and openapi.json into the absolute directory out
// for the module rooted at root.
func run(root, out string) error {
	swag := exec.Command("go", swagArgs(out)...)
	swag.Dir = root
	swag.Stdout, swag.Stderr = os.Stderr, os.Stderr
	if err := swag.Run(); err != nil {
		return fmt.Errorf("go tool swag init: %w", err)
	}
	v2, err := os.ReadFile(filepath.Join(out, "swagger.json"))
	if err != nil {
		return err
	}
	v3, err := convert(v2)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "openapi.json"), v3, 0o644)
}

// convert turns a Swagger 2.0 document into a validated OpenAPI 3 document.
func convert(v2 []byte) ([]byte, error) {
	var doc2 openapi2.T
	if err := json.Unmarshal(v2, &doc2); err != nil {
		return nil, fmt.Errorf("swagger.json: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert to OpenAPI 3: %w", err)
	}
	refine(doc3)
	if err := doc3.Validate(openapi3.NewLoader().Context); err != nil {
		return nil, fmt.Errorf("invalid OpenAPI 3 document: %w", err)
	}
	return marshal(doc3)
}

// refine says in OpenAPI 3 what Swagger 2.0 cannot:
//   - the admin key, an apiKey in the Authorization header whose value is
//     "Bearer <key>", is an HTTP bearer scheme (Swagger UI then adds "Bearer ");
//   - a documented response header is always sent (X-Total-Count of lists).
func refine(doc *openapi3.T) {
	for _, ref := range doc.Components.SecuritySchemes {
		s := ref.Value
		if s.Type == "apiKey" && s.In == "header" && s.Name == "Authorization" {
			ref.Value = openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer").WithDescription("The admin API key.")
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, res := range op.Responses.Map() {
				for _, h := range res.Value.Headers {
					h.Value.Required = true
				}
			}
		}
	}
}

// topLevel is the order of the document's top-level keys: what a reader wants first.
var topLevel = []string{"openapi", "info", "servers", "tags", "paths", "components", "security", "externalDocs"}

// marshal writes the document indented, top-level keys in reading order and
// every nested object's keys sorted, so that the output is deterministic.
func marshal(doc *openapi3.T) ([]byte, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString("{")
	for _, key := range topLevel {
		raw, ok := fields[key]
		if !ok {
			continue
		}
		delete(fields, key)
		if buf.Len() > 1 {
			buf.WriteString(",")
		}
		name, _ := json.Marshal(key)
		buf.Write(name)
		buf.WriteString(":")
		buf.Write(raw)
	}
	if len(fields) > 0 {
		return nil, fmt.Errorf("unexpected top-level keys in the OpenAPI document: %v", slices.Sorted(maps.Keys(fields)))
	}
	buf.WriteString("}")
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "    "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

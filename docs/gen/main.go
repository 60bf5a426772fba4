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
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

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
	if err := swag(root, out); err != nil {
		return err
	}
	// A second pass with --requiredByDefault says which fields are always
	// present in the JSON (those without omitempty): the response types'
	// required lists (see alwaysPresent).
	tmp, err := os.MkdirTemp("", "swag-required-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if err := swag(root, tmp, "--requiredByDefault"); err != nil {
		return err
	}
	v2, err := os.ReadFile(filepath.Join(out, "swagger.json"))
	if err != nil {
		return err
	}
	v2Required, err := os.ReadFile(filepath.Join(tmp, "swagger.json"))
	if err != nil {
		return err
	}
	v3, err := convert(v2, v2Required)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "openapi.json"), v3, 0o644)
}

// swag runs `go tool swag init` over the module's annotations into out.
func swag(root, out string, extra ...string) error {
	cmd := exec.Command("go", append(swagArgs(out), extra...)...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go tool swag init: %w", err)
	}
	return nil
}

// convert turns a Swagger 2.0 document into a validated OpenAPI 3 document.
// v2Required is the same document generated with --requiredByDefault.
func convert(v2, v2Required []byte) ([]byte, error) {
	var doc2, required openapi2.T
	if err := json.Unmarshal(v2, &doc2); err != nil {
		return nil, fmt.Errorf("swagger.json: %w", err)
	}
	if err := json.Unmarshal(v2Required, &required); err != nil {
		return nil, fmt.Errorf("swagger.json with required fields: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert to OpenAPI 3: %w", err)
	}
	alwaysPresent(doc3, required.Definitions)
	refine(doc3)
	tidy(doc3)
	if err := doc3.Validate(openapi3.NewLoader().Context); err != nil {
		return nil, fmt.Errorf("invalid OpenAPI 3 document: %w", err)
	}
	return marshal(doc3)
}

// alwaysPresent marks as required the fields that every response carries.
// In a response "required" means "always present", which is true of every
// field without omitempty (the required lists of withRequired). In a request
// it means "the client must send it", which only the annotations know: types
// that appear in any request keep swag's plain lists.
func alwaysPresent(doc *openapi3.T, withRequired map[string]*openapi2.SchemaRef) {
	inRequests, inResponses := map[string]bool{}, map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				reach(doc, p.Value.Schema, inRequests)
			}
			if op.RequestBody != nil {
				for _, media := range op.RequestBody.Value.Content {
					reach(doc, media.Schema, inRequests)
				}
			}
			for _, res := range op.Responses.Map() {
				for _, media := range res.Value.Content {
					reach(doc, media.Schema, inResponses)
				}
			}
		}
	}
	for name := range inResponses {
		def, ok := withRequired[name]
		if inRequests[name] || !ok || def.Value == nil {
			continue
		}
		doc.Components.Schemas[name].Value.Required = slices.Sorted(slices.Values(def.Value.Required))
	}
}

// reach adds to seen the names of the component schemas ref leads to.
func reach(doc *openapi3.T, ref *openapi3.SchemaRef, seen map[string]bool) {
	if ref == nil {
		return
	}
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		if seen[name] {
			return
		}
		seen[name] = true
		reach(doc, doc.Components.Schemas[name], seen)
		return
	}
	s := ref.Value
	if s == nil {
		return
	}
	for _, p := range s.Properties {
		reach(doc, p, seen)
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, member := range group {
			reach(doc, member, seen)
		}
	}
	reach(doc, s.Items, seen)
	reach(doc, s.AdditionalProperties.Schema, seen)
	reach(doc, s.Not, seen)
}

// adminScheme is the security scheme of the routes under the admin key.
const adminScheme = "AdminKey"

// requestIDHeader is set on every response by the request id middleware.
const requestIDHeader = "X-Request-ID"

// errorSchema is the error envelope every failure carries.
const errorSchema = "models.ErrorResponse"

// refine says in OpenAPI 3 what Swagger 2.0 or the annotations cannot:
//   - the admin key, an apiKey in the Authorization header whose value is
//     "Bearer <key>", is an HTTP bearer scheme (Swagger UI then adds "Bearer ");
//   - responses that come from the middleware rather than the handler are
//     documented once here instead of on each handler: any route may answer
//     500 (recovered panic, failing store), and every route under the admin
//     key may answer 401 (with WWW-Authenticate) and, once an address has
//     failed too often, 429 (with Retry-After);
//   - every response carries X-Request-ID, and a documented response header
//     is always sent (X-Total-Count of lists);
//   - a response body documented as models.Envelope{data=T} (which swag writes
//     as allOf: [Envelope, {data: T}]) is one object, so that readers and
//     validators see the envelope's fields with the actual data.
func refine(doc *openapi3.T) {
	if c := doc.Info.Contact; c != nil && c.Name == "" && c.URL == "" && c.Email == "" {
		doc.Info.Contact = nil // swag's placeholder
	}
	if ref := doc.Components.SecuritySchemes[adminScheme]; ref != nil && ref.Value.Type == "apiKey" && ref.Value.Name == "Authorization" {
		ref.Value = openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer").
			WithDescription("The admin API key (admin_apikey of the config file).")
	}
	requestID := &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "the request id: the client's X-Request-ID if well-formed, else a new UUID; the server log's request_id",
		Required:    true, Schema: openapi3.NewStringSchema().NewRef()}}}
	if doc.Components.Headers == nil {
		doc.Components.Headers = openapi3.Headers{}
	}
	doc.Components.Headers[requestIDHeader] = requestID
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			errorResponse(doc, op, http.StatusInternalServerError, "Unexpected server error; the cause is in the server log under the request id")
			if op.Security != nil && slices.ContainsFunc(*op.Security, func(r openapi3.SecurityRequirement) bool { return r[adminScheme] != nil }) {
				errorResponse(doc, op, http.StatusUnauthorized, "Missing or wrong admin key",
					header{"WWW-Authenticate", openapi3.TypeString, "the Bearer challenge"})
				errorResponse(doc, op, http.StatusTooManyRequests, "Too many failed authentications from this address",
					header{"Retry-After", openapi3.TypeInteger, "seconds until the address may try again"})
			}
			for _, res := range op.Responses.Map() {
				for _, h := range res.Value.Headers {
					h.Value.Required = true
				}
				if res.Value.Headers == nil {
					res.Value.Headers = openapi3.Headers{}
				}
				res.Value.Headers[requestIDHeader] = &openapi3.HeaderRef{Ref: "#/components/headers/" + requestIDHeader, Value: requestID.Value}
				for _, media := range res.Value.Content {
					media.Schema = flatten(media.Schema)
				}
			}
		}
	}
}

// flatten merges the members of an allOf of objects into one object, later
// members' properties overriding earlier ones. Any other schema is returned
// as is; shared component schemas are never modified.
func flatten(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	if ref == nil || ref.Ref != "" || len(ref.Value.AllOf) < 2 {
		return ref
	}
	bare := *ref.Value
	bare.AllOf = nil
	if !bare.IsEmpty() {
		return ref // allOf with siblings (nullable, description...): keep it
	}
	merged := openapi3.NewObjectSchema()
	for _, member := range ref.Value.AllOf {
		m := member.Value
		if m == nil || !m.Type.Is(openapi3.TypeObject) || len(m.AllOf)+len(m.AnyOf)+len(m.OneOf) > 0 {
			return ref
		}
		if m.Description != "" {
			merged.Description = m.Description
		}
		for name, prop := range m.Properties {
			merged.Properties[name] = prop
		}
		for _, name := range m.Required {
			if !slices.Contains(merged.Required, name) {
				merged.Required = append(merged.Required, name)
			}
		}
	}
	slices.Sort(merged.Required)
	return merged.NewRef()
}

// header is a response header added by refine.
type header struct{ name, typ, description string }

// errorResponse documents on op a response with the error envelope and the
// given headers, keeping the description of an annotation that declares it.
func errorResponse(doc *openapi3.T, op *openapi3.Operation, status int, description string, headers ...header) {
	res := op.Responses.Status(status)
	if res == nil {
		envelope := &openapi3.SchemaRef{Ref: "#/components/schemas/" + errorSchema, Value: doc.Components.Schemas[errorSchema].Value}
		res = &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(description).WithJSONSchemaRef(envelope)}
		op.Responses.Set(strconv.Itoa(status), res)
	}
	for _, h := range headers {
		if res.Value.Headers == nil {
			res.Value.Headers = openapi3.Headers{}
		}
		schema := &openapi3.Schema{Type: &openapi3.Types{h.typ}}
		res.Value.Headers[h.name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: h.description, Schema: schema.NewRef()}}}
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

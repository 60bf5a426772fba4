package main

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// tidy fixes what swag's output and the conversion leave that OpenAPI
// linters (redocly lint, run by the tests) rightly refuse, without changing
// what the document says:
//   - a public operation (no security requirement) says so with an empty
//     security list, rather than by omission;
//   - a nullable reference ({allOf: [$ref], nullable: true}, swag's form of a
//     pointer field) names its type beside nullable, which OpenAPI 3.0 needs
//     for nullable to apply;
//   - component schemas that nothing refers to any more (models.Envelope,
//     whose uses flatten merged away) are dropped.
func tidy(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Security == nil {
				op.Security = &openapi3.SecurityRequirements{}
			}
		}
	}
	visitSchemas(doc, func(s *openapi3.Schema) {
		if s.Nullable && (s.Type == nil || len(*s.Type) == 0) && len(s.AllOf) == 1 && s.AllOf[0].Value != nil && s.AllOf[0].Value.Type != nil {
			types := append(openapi3.Types(nil), *s.AllOf[0].Value.Type...)
			s.Type = &types
		}
	})
	used := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			forOperationSchemas(op, func(ref *openapi3.SchemaRef) { reach(doc, ref, used) })
		}
	}
	for name := range doc.Components.Schemas {
		if !used[name] {
			delete(doc.Components.Schemas, name)
		}
	}
}

// forOperationSchemas calls fn with each schema written in op: parameters,
// request body, response bodies and headers.
func forOperationSchemas(op *openapi3.Operation, fn func(*openapi3.SchemaRef)) {
	for _, p := range op.Parameters {
		fn(p.Value.Schema)
	}
	if op.RequestBody != nil {
		for _, media := range op.RequestBody.Value.Content {
			fn(media.Schema)
		}
	}
	for _, res := range op.Responses.Map() {
		for _, media := range res.Value.Content {
			fn(media.Schema)
		}
		for _, h := range res.Value.Headers {
			fn(h.Value.Schema)
		}
	}
}

// visitSchemas calls fn once on every schema of the document: the
// components' and those written inline in operations, nested ones included.
func visitSchemas(doc *openapi3.T, fn func(*openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		if ref.Ref != "" && !strings.HasPrefix(ref.Ref, "#/components/schemas/") {
			return
		}
		s := ref.Value
		seen[s] = true
		fn(s)
		for _, p := range s.Properties {
			visit(p)
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, member := range group {
				visit(member)
			}
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
		visit(s.Not)
	}
	for _, ref := range doc.Components.Schemas {
		visit(ref)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			forOperationSchemas(op, visit)
		}
	}
}

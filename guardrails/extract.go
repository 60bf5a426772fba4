package guardrails

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// The original system checked one argument field and the first text item of
// a result. These functions turn whole payloads into documents: every string
// a model or an upstream can put words into is a part.

// stringSpan locates a string value (not a key) of a JSON payload, for
// rewriting it; part indexes the document's parts.
type stringSpan struct {
	start, end int
	part       int
}

// inputDocument makes the document of a tool call: the tool name, then every
// string of the arguments, keys included (a key can carry an instruction as
// well as a value can). values locates the value strings, which redaction
// may rewrite.
func inputDocument(tool string, args json.RawMessage) (doc Document, values []stringSpan, err error) {
	doc.Parts = append(doc.Parts, Part{Path: "name", Text: tool})
	if len(args) == 0 {
		return doc, nil, nil
	}
	err = walkJSON(args, func(s *jsonString) error {
		if !s.key {
			values = append(values, stringSpan{start: s.start, end: s.end, part: len(doc.Parts)})
		}
		doc.Parts = append(doc.Parts, Part{Path: pathString("arguments", s.path), Text: s.value()})
		return nil
	})
	if err != nil {
		return Document{}, nil, fmt.Errorf("tool arguments: %w", err)
	}
	return doc, values, nil
}

// outputDocument makes the document of a tool result. For an MCP
// CallToolResult it takes the text of every content item (text items,
// embedded resource text, resource link names and URIs) and every string of
// structuredContent; binary payloads (image and audio data, resource blobs)
// and _meta are left out. Any other JSON value is read whole.
func outputDocument(result json.RawMessage) (Document, error) {
	type candidate struct {
		path     string
		start    int
		end      int
		escaped  bool
		selected bool
	}
	var cands []candidate
	mcpShape := false
	err := walkJSON(result, func(s *jsonString) error {
		if s.key && len(s.path) == 1 {
			switch s.path[0].key {
			case "content", "structuredContent", "toolResult":
				mcpShape = true
			}
		}
		// Keep offsets only: the strings left out (base64 images) are never copied.
		cands = append(cands, candidate{start: s.start, end: s.end, escaped: s.escaped, selected: resultText(s.path, s.key), path: pathString("", s.path)})
		return nil
	})
	if err != nil {
		return Document{}, fmt.Errorf("tool result: %w", err)
	}
	var doc Document
	for _, c := range cands {
		if mcpShape && !c.selected {
			continue
		}
		s := jsonString{raw: result[c.start+1 : c.end-1], escaped: c.escaped}
		doc.Parts = append(doc.Parts, Part{Path: c.path, Text: s.value()})
	}
	return doc, nil
}

// resultText selects the strings of a CallToolResult that carry text.
func resultText(path []jsonElem, key bool) bool {
	if len(path) < 2 || path[0].array {
		return false
	}
	switch path[0].key {
	case "structuredContent", "toolResult":
		return true
	case "content":
		if key || !path[1].array {
			return false
		}
		switch len(path) {
		case 3:
			// text items; resource_link items' name, title, description, uri.
			return slices.Contains([]string{"text", "name", "title", "description", "uri"}, path[2].key)
		case 4:
			return path[2].key == "resource" && (path[3].key == "text" || path[3].key == "uri")
		}
	}
	return false
}

// toolDocuments makes one document per tool definition: name, title,
// description, annotation title, and every string and key of the input and
// output schemas (descriptions, enum values, defaults, property names), where
// tool-poisoning instructions hide. tools is a JSON array of MCP Tool
// objects or a ListToolsResult ({"tools": [...]}).
func toolDocuments(tools json.RawMessage) (names []string, docs []Document, err error) {
	var list []json.RawMessage
	if err := json.Unmarshal(tools, &list); err != nil {
		var wrapped struct {
			Tools []json.RawMessage `json:"tools"`
		}
		if err2 := json.Unmarshal(tools, &wrapped); err2 != nil || wrapped.Tools == nil {
			return nil, nil, errors.New("tool definitions: want a JSON array of tools or an object with a tools array")
		}
		list = wrapped.Tools
	}
	for i, raw := range list {
		var doc Document
		name := ""
		err := walkJSON(raw, func(s *jsonString) error {
			if !toolText(s.path, s.key) {
				return nil
			}
			text := s.value()
			if len(s.path) == 1 && s.path[0].key == "name" && !s.key {
				name = text
			}
			doc.Parts = append(doc.Parts, Part{Path: pathString("", s.path), Text: text})
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("tool definition %d: %w", i, err)
		}
		names = append(names, name)
		docs = append(docs, doc)
	}
	return names, docs, nil
}

// toolText selects the strings of a tool definition that carry text.
func toolText(path []jsonElem, key bool) bool {
	if len(path) == 0 || path[0].array {
		return false
	}
	switch path[0].key {
	case "name", "title", "description":
		return len(path) == 1 && !key
	case "annotations":
		return len(path) == 2 && path[1].key == "title" && !key
	case "inputSchema", "outputSchema":
		return len(path) >= 2
	}
	return false
}

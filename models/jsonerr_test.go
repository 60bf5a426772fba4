package models_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
)

func TestDescribeTypeErrorSpeaksJSON(t *testing.T) {
	type Embedded struct {
		Port int `json:"port"`
	}
	type doc struct {
		Embedded
		Name  string            `json:"name"`
		Count int               `json:"count"`
		On    bool              `json:"on"`
		Tags  []string          `json:"tags"`
		Env   map[string]string `json:"env"`
		Inner struct {
			Ratio float64 `json:"ratio"`
		} `json:"inner"`
		List []struct {
			Config struct {
				Args []string `json:"args"`
			} `json:"config"`
		} `json:"list"`
		Untagged int
		Servers  []struct {
			Embedded
			Extra bool `json:"extra"`
		} `json:"servers"`
	}
	for _, tc := range []struct{ doc, in, want string }{
		{"", `{"name": 5}`, "field name must be of type string, not number"},
		{"", `{"count": 1.5}`, "field count must be of type integer, not number 1.5"},
		{"", `{"on": "yes"}`, "field on must be of type boolean, not string"},
		{"", `{"tags": "a"}`, "field tags must be of type array, not string"},
		{"", `{"tags": ["a", 1]}`, "field tags must be an array of string items; one is a number"},
		{"", `{"env": {"A": true}}`, "field env must be an object of string values; one is a boolean"},
		{"", `{"list": [{"config": {"args": [2]}}]}`, "field list.config.args must be an array of string items; one is a number"},
		{"", `{"list": [3]}`, "field list must be an array of object items; one is a number"},
		{"", `{"Untagged": {}}`, "field Untagged must be of type integer, not object"},
		{"", `{"port": "80"}`, "field port must be of type integer, not string"},
		{"", `{"servers": [{"extra": true, "port": true}]}`, "field servers.port must be of type integer, not boolean"},
		{"", `{"env": []}`, "field env must be of type object, not array"},
		{"", `{"inner": {"ratio": "x"}}`, "field inner.ratio must be of type number, not string"},
		{"", `[1]`, "request body must be a JSON object, not array"},
		{"input_file", `{"name": true}`, "input_file: field name must be of type string, not boolean"},
		{"input_file", `"text"`, "input_file must be a JSON object, not string"},
	} {
		var v doc
		err := json.Unmarshal([]byte(tc.in), &v)
		var typeErr *json.UnmarshalTypeError
		require.True(t, errors.As(err, &typeErr), "%s: %v", tc.in, err)
		assert.Equal(t, tc.want, models.DescribeTypeError(tc.doc, typeErr, &v), tc.in)
	}
	for _, tc := range []struct {
		in, want string
		target   any
	}{
		{`{"A": 1}`, "--env must be a JSON object of string values; one is a number", &map[string]string{}},
		{`[]`, "--env must be a JSON object, not array", &map[string]string{}},
		{`["a", true]`, "--env must be a JSON array of string items; one is a boolean", &[]string{}},
	} {
		err := json.Unmarshal([]byte(tc.in), tc.target)
		var typeErr *json.UnmarshalTypeError
		require.True(t, errors.As(err, &typeErr), "%s: %v", tc.in, err)
		assert.Equal(t, tc.want, models.DescribeTypeError("--env", typeErr, tc.target), tc.in)
	}
}

package models_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
)

func TestStringsAndStringMapRefuseNullItems(t *testing.T) {
	type doc struct {
		Args models.Strings   `json:"args"`
		Env  models.StringMap `json:"env"`
	}
	var ok doc
	require.NoError(t, json.Unmarshal([]byte(`{"args": ["-y", ""], "env": {"A": "1"}}`), &ok))
	assert.Equal(t, doc{Args: models.Strings{"-y", ""}, Env: models.StringMap{"A": "1"}}, ok)
	var absent doc
	require.NoError(t, json.Unmarshal([]byte(`{"args": null, "env": null}`), &absent))
	assert.Nil(t, absent.Args, "a null list is an absent one")
	assert.Nil(t, absent.Env)

	for in, want := range map[string]string{
		`{"args": ["a", null]}`: "field args must be an array of string items; one is a null",
		`{"args": ["a", 1]}`:    "field args must be an array of string items; one is a number",
		`{"args": "a"}`:         "field args must be of type array, not string",
		`{"env": {"A": null}}`:  "field env must be an object of string values; one is a null",
		`{"env": {"A": true}}`:  "field env must be an object of string values; one is a boolean",
		`{"env": []}`:           "field env must be of type object, not array",
	} {
		var v doc
		err := json.Unmarshal([]byte(in), &v)
		var typeErr *json.UnmarshalTypeError
		require.True(t, errors.As(err, &typeErr), "%s: %v", in, err)
		assert.Equal(t, want, models.DescribeTypeError("", typeErr, &v), in)
	}
}

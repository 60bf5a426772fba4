package errs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFieldKeepsTheProblemStructured(t *testing.T) {
	e := Field("config_name", "a/b", "must not contain %q", "/")
	assert.Equal(t, KindInvalid, e.Kind)
	assert.Equal(t, `config_name must not contain "/"`, e.Message, "the services' (and API's) wording")
	assert.Equal(t, []FieldProblem{{Field: "config_name", Rule: `must not contain "/"`, Value: "a/b"}}, e.Fields)
	flag := func(f string) string { return "--" + strings.ReplaceAll(f, "_", "-") }
	assert.Equal(t, `--config-name must not contain "/"`, e.Describe(flag), "a shell names the field its way")
	assert.Equal(t, e.Message, e.Describe(nil))
	assert.Equal(t, "x is bad", Invalid("x is bad").Describe(flag), "a message without fields stays as it is")
}

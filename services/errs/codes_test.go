package errs

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEveryKindHasItsOwnCode(t *testing.T) {
	seen := map[string]Kind{}
	for _, k := range Kinds() {
		code := k.String()
		assert.NotEmpty(t, code, "kind %d", int(k))
		if other, dup := seen[code]; dup {
			t.Errorf("kinds %d and %d share the code %q", int(other), int(k), code)
		}
		seen[code] = k
	}
	assert.Equal(t, "internal", Kind(len(codes)).String(), "a kind outside the table is internal")
	assert.Equal(t, "internal", Kind(-1).String())
	assert.Equal(t, "internal_error", KindInternal.FaultCode())
}

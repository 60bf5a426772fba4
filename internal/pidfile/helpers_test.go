package pidfile_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func itoa(n int) string { return strconv.Itoa(n) }

// startOf reads the start time (field 22) of a /proc/<pid>/stat line; the
// command name before it is in parentheses and may hold spaces.
func startOf(t *testing.T, stat string) uint64 {
	t.Helper()
	fields := strings.Fields(stat[strings.LastIndex(stat, ")")+1:])
	start, err := strconv.ParseUint(fields[19], 10, 64)
	require.NoError(t, err)
	return start
}

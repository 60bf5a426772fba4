package errs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInvalidIssuesListsEveryIssueOfAShortReport(t *testing.T) {
	t.Parallel()
	e := InvalidIssues([]string{"a is missing", "b is bad"})
	assert.Equal(t, KindInvalid, e.Kind)
	assert.Equal(t, "a is missing; b is bad", e.Message)
	assert.Equal(t, []string{"a is missing", "b is bad"}, e.Issues)
}

func TestInvalidIssuesCapsALongReport(t *testing.T) {
	t.Parallel()
	issues := make([]string, 100_000)
	for i := range issues {
		issues[i] = fmt.Sprintf("row %d is bad", i)
	}
	e := InvalidIssues(issues)
	assert.Len(t, e.Issues, maxReportedIssues+1)
	assert.Equal(t, "row 99 is bad", e.Issues[maxReportedIssues-1])
	assert.Equal(t, "... and 99900 more problems", e.Issues[maxReportedIssues])
	assert.True(t, strings.HasPrefix(e.Message, "row 0 is bad; row 1 is bad;"), e.Message)
	assert.True(t, strings.HasSuffix(e.Message, "; ... and 99980 more problems"), e.Message)
	assert.Equal(t, "... and 1 more problem", InvalidIssues(issues[:maxReportedIssues+1]).Issues[maxReportedIssues])
	assert.Equal(t, "row 0 is bad", issues[0], "the caller's slice is left as it was")
	assert.Equal(t, "row 100 is bad", issues[100], "the caller's slice is left as it was")
}

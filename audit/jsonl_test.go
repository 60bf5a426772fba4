package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExportRoundTrip: an export reads back as the same records, and
// verifies.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	recs := prune(t, chain(t, 50), 10)
	var buf bytes.Buffer
	n, err := Export(ctx, &buf, NewSlice(recs))
	require.NoError(t, err)
	require.Equal(t, int64(len(recs)), n)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, len(recs))
	for _, l := range lines {
		require.True(t, json.Valid([]byte(l)), l)
	}
	require.True(t, strings.HasPrefix(lines[0], `{"seq":11,"time":"2026-03-01T12:00:12.345670Z","actor":{`), lines[0])

	var back []Record
	rd := NewJSONLReader(bytes.NewReader(buf.Bytes()))
	for {
		r, ok, err := rd.Next(ctx)
		require.NoError(t, err)
		if !ok {
			break
		}
		back = append(back, r)
	}
	require.NoError(t, rd.Close())
	require.Len(t, back, len(recs))
	for i := range recs {
		require.True(t, recs[i].Time.Equal(back[i].Time))
		back[i].Time = recs[i].Time
	}
	require.Equal(t, recs, back)

	rep, err := Verify(ctx, NewJSONLReader(bytes.NewReader(buf.Bytes())), VerifyOptions{})
	require.NoError(t, err)
	require.True(t, rep.OK(), "%+v", rep.Problem)
	require.Equal(t, int64(10), rep.Pruned.ThroughSeq)
}

// TestExportOfTamperedRecord: details that are no longer JSON are exported
// as a string, and verifying the export names the record.
func TestExportOfTamperedRecord(t *testing.T) {
	ctx := context.Background()
	recs := chain(t, 5)
	recs[2].Details = json.RawMessage(`{"changes":[`)
	var buf bytes.Buffer
	_, err := Export(ctx, &buf, NewSlice(recs))
	require.NoError(t, err)
	rep, err := Verify(ctx, NewJSONLReader(&buf), VerifyOptions{})
	require.NoError(t, err)
	require.NotNil(t, rep.Problem, "tampering not detected")
	require.Equal(t, Changed, rep.Problem.Kind)
	require.Equal(t, int64(3), rep.Problem.Seq)
}

func TestJSONLReaderErrors(t *testing.T) {
	ctx := context.Background()
	rd := NewJSONLReader(strings.NewReader("\n{\"seq\":1}\n\n{not json}\n"))
	_, ok, err := rd.Next(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	_, _, err = rd.Next(ctx)
	require.ErrorContains(t, err, "line 4")

	// The last line may lack its newline.
	rd = NewJSONLReader(strings.NewReader(`{"seq":7}`))
	r, ok, err := rd.Next(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(7), r.Seq)
	_, ok, err = rd.Next(ctx)
	require.NoError(t, err)
	require.False(t, ok)

	long := `{"seq":1,"request_id":"` + strings.Repeat("x", maxLine) + `"}` + "\n"
	_, _, err = NewJSONLReader(strings.NewReader(long)).Next(ctx)
	require.ErrorContains(t, err, "longer than")
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestExportErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Export(ctx, errWriter{}, NewSlice(chain(t, 3)))
	require.ErrorContains(t, err, "disk full")

	boom := errors.New("cursor closed")
	n, err := Export(ctx, &bytes.Buffer{}, &failingIterator{recs: chain(t, 2), err: boom})
	require.ErrorIs(t, err, boom)
	require.Equal(t, int64(2), n)
}

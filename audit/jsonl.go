package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSONLWriter writes records as JSON Lines: one record per line, as the
// Record type encodes, so that an export can be read back and verified with
// NewJSONLReader and Verify.
type JSONLWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
	n   int64
}

// NewJSONLWriter returns a writer buffering onto w; call Flush at the end.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{w: bw, enc: enc}
}

// Write writes one record. Details that are not valid JSON (a tampered
// row) are written as a JSON string, so that the export still holds them
// and verifying it reports the record as changed.
func (w *JSONLWriter) Write(r Record) error {
	if len(r.Details) > 0 && !json.Valid(r.Details) {
		s, _ := json.Marshal(string(r.Details))
		r.Details = s
	}
	// The wire form directly: through MarshalJSON the encoder would
	// validate and compact the same bytes a second time.
	if err := w.enc.Encode(r.wire()); err != nil {
		return fmt.Errorf("audit: export record %d: %w", r.Seq, err)
	}
	w.n++
	return nil
}

// Flush writes what is buffered.
func (w *JSONLWriter) Flush() error { return w.w.Flush() }

// Count is the number of records written.
func (w *JSONLWriter) Count() int64 { return w.n }

// Export streams every record of it to w as JSON Lines and returns how many
// were written. It does not close it.
func Export(ctx context.Context, w io.Writer, it Iterator) (int64, error) {
	jw := NewJSONLWriter(w)
	for {
		if err := ctx.Err(); err != nil {
			return jw.Count(), err
		}
		r, ok, err := it.Next(ctx)
		if err != nil {
			return jw.Count(), fmt.Errorf("audit: read records: %w", err)
		}
		if !ok {
			break
		}
		if err := jw.Write(r); err != nil {
			return jw.Count(), err
		}
	}
	if err := jw.Flush(); err != nil {
		return jw.Count(), fmt.Errorf("audit: export: %w", err)
	}
	return jw.Count(), nil
}

// maxLine bounds one line of a JSON Lines stream: a record is at most a
// megabyte of details and a few hundred bytes more.
const maxLine = maxDetailsLen + 64<<10

// JSONLReader is an Iterator over records written by JSONLWriter.
type JSONLReader struct {
	r    *bufio.Reader
	line int
}

// NewJSONLReader returns an iterator over the JSON Lines of r.
func NewJSONLReader(r io.Reader) *JSONLReader {
	return &JSONLReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next implements Iterator. Blank lines are skipped; a line that is not a
// record is an error naming its line number.
func (j *JSONLReader) Next(context.Context) (Record, bool, error) {
	for {
		line, err := j.readLine()
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return Record{}, false, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return Record{}, false, err
		}
		j.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if err != nil {
				return Record{}, false, nil
			}
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return Record{}, false, fmt.Errorf("audit: line %d: %w", j.line, err)
		}
		return r, true, nil
	}
}

// readLine reads one line, refusing lines longer than maxLine.
func (j *JSONLReader) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := j.r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLine {
			return nil, fmt.Errorf("audit: line %d longer than %d bytes", j.line+1, maxLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}

// Close implements Iterator.
func (j *JSONLReader) Close() error { return nil }

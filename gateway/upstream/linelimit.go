package upstream

import (
	"bytes"
	"fmt"
	"io"
)

// lineLimitReader fails a process's stdout once one line — one JSON-RPC
// message in the stdio transport — grows past max bytes. The SDK's decoder
// would otherwise buffer a line of any length (CommandTransport caps it at a
// fixed 16 MiB); failing the stream here bounds memory per process and gives
// the caller a typed error, ErrMessageTooLarge.
type lineLimitReader struct {
	r    io.ReadCloser
	max  int
	line int // bytes of the current line so far
	err  error
}

func newLineLimitReader(r io.ReadCloser, max int) *lineLimitReader {
	return &lineLimitReader{r: r, max: max}
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.line += len(b)
			break
		}
		if l.line+i > l.max {
			l.line += i
			break
		}
		l.line = 0
		b = b[i+1:]
	}
	if l.line > l.max {
		// The stream cannot be resynchronised: what was read is dropped
		// and every later Read fails too.
		l.err = fmt.Errorf("%w: a message exceeded %d bytes", ErrMessageTooLarge, l.max)
		return 0, l.err
	}
	return n, err
}

func (l *lineLimitReader) Close() error { return l.r.Close() }

package docs

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"

	"golang.org/x/net/webdav"
)

// Swagger UI's assets, embedded as files: served from the binary's read-only
// data when asked for, never copied to memory at start (the swaggo/files
// package copies its whole Swagger UI, source maps included, into memory
// as the process starts: some 25 MB of every instance's resident memory).
//
//go:embed swaggerui/*.css swaggerui/*.js swaggerui/*.png swaggerui/*.html
var swaggerAssets embed.FS

// swaggerFS is the read-only webdav file system gin-swagger serves assets
// from.
type swaggerFS struct{ files http.FileSystem }

func newSwaggerFS() swaggerFS {
	sub, _ := fs.Sub(swaggerAssets, "swaggerui") // a constant, valid directory
	return swaggerFS{files: http.FS(sub)}
}

var errReadOnly = errors.New("the documentation's files are read-only")

func (swaggerFS) Mkdir(context.Context, string, os.FileMode) error { return errReadOnly }
func (swaggerFS) RemoveAll(context.Context, string) error          { return errReadOnly }
func (swaggerFS) Rename(context.Context, string, string) error     { return errReadOnly }

func (s swaggerFS) OpenFile(_ context.Context, name string, flag int, _ os.FileMode) (webdav.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
		return nil, errReadOnly
	}
	f, err := s.files.Open(path.Clean("/" + name))
	if err != nil {
		return nil, err
	}
	return readOnlyFile{f}, nil
}

func (s swaggerFS) Stat(ctx context.Context, name string) (os.FileInfo, error) {
	f, err := s.OpenFile(ctx, name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// readOnlyFile is an http.File that refuses writes, as webdav.File asks.
type readOnlyFile struct{ http.File }

func (readOnlyFile) Write([]byte) (int, error) { return 0, errReadOnly }

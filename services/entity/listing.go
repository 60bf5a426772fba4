package entity

import (
	"context"

	"github.com/securemcp/gateway/repositories"
)

// ListBatch is how many items a listing reads at a time: enough to spread the
// cost of a query, few enough that memory does not grow with the list.
const ListBatch = 500

// Page is the part of a list a caller asks for (limit and offset), as the
// store takes it: the controllers name it here, without importing the store.
type Page = repositories.Page

// Listing is a list in creation order, read batch by batch as it is consumed,
// so that the longest list costs the memory of one batch and holds a store
// connection only while a batch is read. Total is counted when the listing is
// opened; the items are those present when their batch is read: one created
// meanwhile comes at the end, one deleted before its batch is left out (see
// repositories.Cursor).
type Listing[T any] struct {
	Total int
	page  repositories.Page
	read  func(ctx context.Context, after repositories.Cursor, skip, limit int) ([]T, repositories.Cursor, error)
}

// NewListing opens a listing of total items, read batch by batch by read.
func NewListing[T any](total int, page repositories.Page, read func(ctx context.Context, after repositories.Cursor, skip, limit int) ([]T, repositories.Cursor, error)) Listing[T] {
	return Listing[T]{Total: total, page: page, read: read}
}

// Paged reports whether the listing gives a bounded part of the list, no
// larger than one batch.
func (l Listing[T]) Paged() bool { return l.page.Limit > 0 && l.page.Limit <= ListBatch }

// Each calls fn for every item of the page, in order, and stops at fn's first
// error, which it returns.
func (l Listing[T]) Each(ctx context.Context, fn func(T) error) error {
	var after repositories.Cursor
	skip, left := max(l.page.Offset, 0), l.page.Limit
	for {
		size := ListBatch
		if l.page.Limit > 0 {
			if left == 0 {
				return nil
			}
			size = min(size, left)
			left -= size
		}
		batch, next, err := l.read(ctx, after, skip, size)
		if err != nil {
			return StoreErr(err, "", "")
		}
		for _, item := range batch {
			if err := fn(item); err != nil {
				return err
			}
		}
		if len(batch) < size {
			return nil
		}
		after, skip = next, 0
	}
}

// Collect returns the whole page at once (the CLI's lists).
func (l Listing[T]) Collect(ctx context.Context) ([]T, error) {
	out := []T{}
	err := l.Each(ctx, func(item T) error {
		out = append(out, item)
		return nil
	})
	return out, err
}

package entity

import (
	"errors"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/errs"
)

// StoreErr converts a repository error into a domain error: sentinel errors
// become not found or conflict with the given client message; anything else
// stays internal with its cause kept for the log.
func StoreErr(err error, notFound, conflict string) error {
	var e *errs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, repositories.ErrNotFound) && notFound != "":
		return &errs.Error{Kind: errs.KindNotFound, Message: notFound, Err: err}
	case (errors.Is(err, repositories.ErrConflict) || errors.Is(err, repositories.ErrReferenced)) && conflict != "":
		return &errs.Error{Kind: errs.KindConflict, Message: conflict, Err: err}
	case errors.Is(err, repositories.ErrUnstorable):
		// The services refuse such text where they know it; this is the
		// backstop for any they do not.
		return &errs.Error{Kind: errs.KindInvalid, Message: "a value contains a NUL character or invalid UTF-8, which cannot be stored", Err: err}
	default:
		return &errs.Error{Kind: errs.KindInternal, Message: "storage failure", Err: err}
	}
}

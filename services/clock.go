package services

import (
	"time"

	"github.com/google/uuid"
)

// Clock tells the time; tests pass a fixed one.
type Clock func() time.Time

// SystemClock is the wall clock in UTC.
func SystemClock() time.Time { return time.Now().UTC() }

func newID() string { return uuid.NewString() }

// Package entity holds the rules every stored entity shares: ids and lookup by
// a client's identifier, names and e-mail addresses, storable times and text,
// listings read batch by batch, and the translation of store errors.
package entity

import (
	"time"
)

// Clock tells the time; tests pass a fixed one.
type Clock func() time.Time

// SystemClock is the wall clock in UTC.
func SystemClock() time.Time { return time.Now().UTC() }

// Every stored time must lie within the range of int64 nanoseconds since 1970
// (1677-09-21 to 2262-04-11), which both backends store exactly; a time
// outside it, such as an expiry in the year 2300, would be stored as another
// time. The bounds are whole days inside that range.
var (
	earliestStorableTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	latestStorableTime   = time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC)
)

const StorableTimeRule = "must lie between 1678-01-01 and 2262-04-11"

func StorableTime(t time.Time) bool {
	return !t.Before(earliestStorableTime) && !t.After(latestStorableTime)
}

package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentFollowsTheLiveHeap(t *testing.T) {
	p := Policy{Target: 64 << 20, Min: 50, Max: 400}
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 400},           // before the first collection
		{4 << 20, 400},     // 64 MiB would be +1500%: capped
		{16 << 20, 300},    // 16 → 64 MiB
		{32 << 20, 100},    // 32 → 64 MiB
		{48 << 20, 50},     // +33% would reach the target: never under Min
		{64 << 20, 50},     // at the target
		{512 << 20, 50},    // far past it
		{12800 << 10, 400}, // exactly Max
	} {
		assert.Equal(t, tc.want, p.Percent(tc.live), "live %d", tc.live)
	}
}

func TestAnOperatorsSettingWins(t *testing.T) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		env := func(k string) string {
			if k == name {
				return "200"
			}
			return ""
		}
		assert.Nil(t, Start(Default, env), name)
	}
}

// TestTunerFollowsCollections: the policy is applied at start and again
// after each collection, as the live heap grows and shrinks, until stopped.
func TestTunerFollowsCollections(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	tuner := Start(Policy{Target: 64 << 20, Min: 37, Max: 400}, func(string) string { return "" })
	require.NotNil(t, tuner)
	defer tuner.Stop()
	settle := func(want int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for tuner.Percent() != want && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		assert.Equal(t, want, tuner.Percent())
		assert.Equal(t, want, debug.SetGCPercent(want), "the runtime's GOGC is the policy's")
	}
	settle(400) // the test's own heap is a few MiB

	ballast := make([]byte, 80<<20) // live past the target
	ballast[0] = 1
	settle(37)
	runtime.KeepAlive(ballast) // the ballast is dead from here
	settle(400)                // collected again: small again

	tuner.Stop()
	debug.SetGCPercent(90)
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, 90, debug.SetGCPercent(90), "a stopped tuner leaves GOGC alone")
}

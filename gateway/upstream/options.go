package upstream

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Defaults of Options. The start timeout is the original gateway's tool
// discovery timeout; the others bound what one client can hold on to.
const (
	DefaultStartTimeout       = 20 * time.Second
	DefaultCallTimeout        = 60 * time.Second
	DefaultIdleTimeout        = 10 * time.Minute
	DefaultStopGrace          = 2 * time.Second
	DefaultMaxProcesses       = 64
	DefaultMaxCallsPerProcess = 16
	DefaultCallQueueWait      = 2 * time.Second
	// DefaultMaxMessageBytes is the SDK's own default frame cap.
	DefaultMaxMessageBytes   = 16 << 20
	DefaultStderrTailBytes   = 8 << 10
	DefaultRestartBackoff    = 250 * time.Millisecond
	DefaultMaxRestartBackoff = 10 * time.Second
	DefaultBreakerThreshold  = 5
	DefaultBreakerWindow     = time.Minute
	DefaultBreakerCooldown   = 30 * time.Second
)

// DefaultEnvAllowList returns the names of the gateway's environment that an
// upstream inherits by default: what a command needs to run (PATH, HOME,
// locale, time zone, temp dir) and to reach the network through a proxy.
func DefaultEnvAllowList() []string {
	return []string{
		"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR",
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
		"http_proxy", "https_proxy", "no_proxy",
	}
}

// Options configures a Pool. Zero values select the defaults above, so the
// zero Options is a working configuration.
type Options struct {
	// Logger receives lifecycle events; nil discards them.
	Logger *zap.Logger
	// Observer receives lifecycle and call events for metrics; nil ignores them.
	Observer Observer

	// EnvAllowList names the variables of the gateway's environment passed to
	// every upstream (read once, in New). nil means DefaultEnvAllowList; an
	// empty non-nil list passes none. Names starting with SMG_ (the
	// gateway's own settings: admin key, database URL) are refused.
	EnvAllowList []string

	// StartTimeout bounds process start plus the MCP handshake.
	StartTimeout time.Duration
	// CallTimeout bounds one call (tools/call, or all pages of tools/list).
	CallTimeout time.Duration
	// IdleTimeout stops a process that served no call for this long.
	IdleTimeout time.Duration
	// StopGrace is how long a stopping process gets after stdin is closed,
	// and again after SIGTERM, before its process group is killed.
	StopGrace time.Duration

	// MaxProcesses bounds the processes of the pool; when reached, the least
	// recently used idle process is stopped to make room, or ErrAtCapacity
	// is returned.
	MaxProcesses int
	// MaxCallsPerProcess bounds the calls one process serves at once.
	MaxCallsPerProcess int
	// CallQueueWait is how long a call waits for one of those slots before
	// ErrAtCapacity; negative fails at once.
	CallQueueWait time.Duration

	// MaxMessageBytes bounds one message (one line) read from a process's
	// stdout; a longer one kills the process with ErrMessageTooLarge. Memory
	// held for a message in flight is a small multiple of it.
	MaxMessageBytes int
	// StderrTailBytes is how much of a process's stderr is kept (the end).
	StderrTailBytes int

	// RestartBackoff is the delay before restarting after one failure; it
	// doubles with every further failure in BreakerWindow, up to
	// MaxRestartBackoff.
	RestartBackoff    time.Duration
	MaxRestartBackoff time.Duration
	// BreakerThreshold failures (failed starts or crashes) within
	// BreakerWindow open the circuit for BreakerCooldown.
	BreakerThreshold int
	BreakerWindow    time.Duration
	BreakerCooldown  time.Duration

	// ClientName and ClientVersion are sent to upstreams in initialize.
	ClientName    string
	ClientVersion string
}

// withDefaults returns o with zero values replaced by defaults, or an error
// naming every invalid setting.
func (o Options) withDefaults() (Options, error) {
	var problems []string
	dur := func(name string, v *time.Duration, def time.Duration) {
		switch {
		case *v < 0:
			problems = append(problems, name+" is negative")
		case *v == 0:
			*v = def
		}
	}
	num := func(name string, v *int, def int) {
		switch {
		case *v < 0:
			problems = append(problems, name+" is negative")
		case *v == 0:
			*v = def
		}
	}
	dur("StartTimeout", &o.StartTimeout, DefaultStartTimeout)
	dur("CallTimeout", &o.CallTimeout, DefaultCallTimeout)
	dur("IdleTimeout", &o.IdleTimeout, DefaultIdleTimeout)
	dur("StopGrace", &o.StopGrace, DefaultStopGrace)
	dur("RestartBackoff", &o.RestartBackoff, DefaultRestartBackoff)
	dur("MaxRestartBackoff", &o.MaxRestartBackoff, DefaultMaxRestartBackoff)
	dur("BreakerWindow", &o.BreakerWindow, DefaultBreakerWindow)
	dur("BreakerCooldown", &o.BreakerCooldown, DefaultBreakerCooldown)
	num("MaxProcesses", &o.MaxProcesses, DefaultMaxProcesses)
	num("MaxCallsPerProcess", &o.MaxCallsPerProcess, DefaultMaxCallsPerProcess)
	num("MaxMessageBytes", &o.MaxMessageBytes, DefaultMaxMessageBytes)
	num("StderrTailBytes", &o.StderrTailBytes, DefaultStderrTailBytes)
	num("BreakerThreshold", &o.BreakerThreshold, DefaultBreakerThreshold)
	if o.CallQueueWait == 0 {
		o.CallQueueWait = DefaultCallQueueWait
	}
	if o.EnvAllowList == nil {
		o.EnvAllowList = DefaultEnvAllowList()
	}
	for _, name := range o.EnvAllowList {
		if err := checkAllowedName(name); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if o.ClientName == "" {
		o.ClientName = "secure-mcp-gateway"
	}
	if o.ClientVersion == "" {
		o.ClientVersion = "dev"
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if len(problems) > 0 {
		return o, errors.New("upstream options: " + strings.Join(problems, "; "))
	}
	return o, nil
}

// checkAllowedName refuses the gateway's own settings: an allow-list that
// names SMG_ADMIN_API_KEY or SMG_DATABASE_URL is a mistake, never intent.
func checkAllowedName(name string) error {
	if err := checkEnvName(name); err != nil {
		return fmt.Errorf("EnvAllowList: %w", err)
	}
	if strings.HasPrefix(strings.ToUpper(name), "SMG_") {
		return fmt.Errorf("EnvAllowList: %s is a gateway setting and is never passed to upstreams", name)
	}
	return nil
}

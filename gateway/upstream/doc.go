// Package upstream is the gateway's pool of MCP server processes: it starts
// a stdio server on first use, shares it among concurrent calls, and stops
// it when idle, superseded, failing or shut down. It is a leaf: it knows
// nothing of users, API keys, policies or the store; the caller names each
// process by an opaque isolation key and a Spec.
//
// # Lifecycle
//
// A process is keyed by (isolation key, server name, Spec.Key()). The
// first call starts it (concurrent first calls share one start); later
// calls share its MCP session, which multiplexes requests. A call to a new
// definition of a server (an edited command, args or env) starts a new
// process and retires the old one, which finishes its calls in flight and
// is then stopped; Retire does the same for removed servers. Processes idle
// for IdleTimeout are stopped. Close stops everything.
//
// Stopping follows the MCP stdio shutdown — close stdin, wait StopGrace,
// SIGTERM, wait StopGrace, SIGKILL — but signals the process group: every
// server runs in a group of its own, so what it started (npx and uv start
// the real server as a grandchild) goes with it. When a server's leader
// exits on its own, the rest of its group is killed too.
//
// # Failures
//
// Start failures (missing command, early exit, garbage on stdout, no
// answer to initialize within StartTimeout) return ErrStartFailed or
// ErrStartTimeout; a process that dies or breaks the protocol while
// serving fails its calls in flight with ErrUpstreamCrashed. The next call
// restarts it after an exponential backoff, and BreakerThreshold failures
// within BreakerWindow open a circuit: calls fail fast with ErrCircuitOpen
// until BreakerCooldown has passed. Status shows the state and last error
// of every entry. Other servers are never affected.
//
// # Bounds
//
//   - environment: an allow-list of the gateway's (PATH, HOME, locale,
//     proxies by default; never an SMG_ setting) plus the server's own env;
//   - processes: MaxProcesses (the least recently used idle one makes room);
//   - calls: MaxCallsPerProcess per process, a wait of at most
//     CallQueueWait for a free one, CallTimeout per call;
//   - messages: MaxMessageBytes per line of stdout (16 MiB by default); a
//     longer one kills the process (ErrMessageTooLarge), so memory per
//     message is a small multiple of the cap, never the message's size;
//   - stderr: only its last StderrTailBytes (8 KiB) are kept;
//   - tools/list: at most 100 pages.
//
// Linux is the target platform. The package builds on other unix systems,
// where a recycled process-group id could in theory be signalled in the
// instant after the leader is reaped.
package upstream
